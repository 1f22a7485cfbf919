import { AppError, ExitCode, isTransient } from '../errors.js';
import type { RunOptions, ScriptInvocation, ScriptOutcome, Transport } from '../transport/transport.js';
import { ClusterGateway, OperationTimeoutError } from './gateway.js';
import { KIND_TIMEOUT_MS, LONG_POLL_MARGIN_MS, OPERATION_KINDS, defaultTimeoutMs } from './operation-timeouts.js';
import { operations, type OperationName } from './operations.js';

describe('defaultTimeoutMs: every call has a deadline from its kind', () => {
  it.each<[string, OperationName, unknown, number]>([
    ['a query', 'get-node-status', {}, 2 * 60_000],
    ['a change', 'resume-node', { name: 'N1', failback: 'NoFailback' }, 5 * 60_000],
    ['a Windows Update search', 'scan-updates', { plugin: 'Microsoft.WindowsUpdatePlugin', arguments: {} }, 60 * 60_000],
    ['a long poll: its own wait plus the margin', 'wait-update-task', { taskId: 't1', timeoutSeconds: 300 }, 300_000 + LONG_POLL_MARGIN_MS],
    ['a drain poll of 0 s: the margin alone', 'suspend-node', { name: 'N1', forceDrain: false, timeoutSeconds: 0 }, LONG_POLL_MARGIN_MS],
    ['a wait per disk, for each disk named', 'set-cluster-disks', { names: ['D1', 'D2', 'D3'], state: 'Online', timeoutSeconds: 600 }, 1_800_000 + LONG_POLL_MARGIN_MS],
  ])('%s (%s)', (_name, operation, params, expected) => {
    expect(defaultTimeoutMs(operation, params)).toBe(expected);
  });

  it('every operation of the catalogue has a kind, and every kind a finite deadline', () => {
    expect(Object.keys(OPERATION_KINDS).sort()).toEqual(Object.keys(operations).sort());
    for (const ms of Object.values(KIND_TIMEOUT_MS)) expect(Number.isFinite(ms) && ms > 0).toBe(true);
  });
});

/** A transport that records the options it was given and answers, or throws what it is told. */
function transport(reply: () => ScriptOutcome): Transport & { seen: RunOptions[] } {
  const seen: RunOptions[] = [];
  return {
    name: 'test',
    seen,
    async run(_node: string, _invocation: ScriptInvocation, options: RunOptions = {}): Promise<ScriptOutcome> {
      seen.push(options);
      return reply();
    },
    close: async () => undefined,
  };
}

const upStatus = { ok: true as const, data: { state: 'Up' } };

describe('ClusterGateway: the deadline reaches the transport, and a timeout is one documented error', () => {
  it('passes the kind default when the caller gives none, and the caller\'s own when it does', async () => {
    const t = transport(() => upStatus);
    const gateway = new ClusterGateway(t);
    await gateway.call('N1', 'resume-node', { name: 'N1', failback: 'NoFailback' });
    await gateway.call('N1', 'resume-node', { name: 'N1', failback: 'NoFailback' }, { timeoutMs: 7_000 });
    expect(t.seen.map((o) => o.timeoutMs)).toEqual([KIND_TIMEOUT_MS.change, 7_000]);
  });

  it.each(['TRANSPORT_TIMEOUT', 'TRANSPORT_RECEIVE_TIMEOUT'])('a transport timeout (%s) is OPERATION_TIMEOUT, exit 4, transient, naming the operation, node and deadline', async (code) => {
    const gateway = new ClusterGateway(transport(() => {
      throw new AppError(code, ExitCode.connection, 'timed out', { transient: true });
    }));
    const error = await gateway.call('N2', 'get-node-status', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationTimeoutError);
    expect(error).toMatchObject({ code: 'OPERATION_TIMEOUT', exitCode: ExitCode.connection, message: 'get-node-status on N2 did not finish within 2 min (the deadline of a query operation).' });
    expect(isTransient(error)).toBe(true);
    expect((error as AppError).hint).toMatch(/Check N2/);
  });

  it('other transport errors pass unchanged (a refused password stays a refusal)', async () => {
    const refused = new AppError('TRANSPORT_AUTH_REFUSED', ExitCode.connection, 'access denied');
    const gateway = new ClusterGateway(transport(() => {
      throw refused;
    }));
    await expect(gateway.call('N1', 'get-node-status', {})).rejects.toBe(refused);
  });
});
