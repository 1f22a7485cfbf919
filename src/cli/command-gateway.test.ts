import type { CallOptions, Gateway } from '../cluster/gateway.js';
import type { OperationName, OperationParams, OperationResult } from '../cluster/operations.js';
import { AppError, ExitCode } from '../errors.js';
import { commandGateway } from './command-gateway.js';

/** Fails the first `failures` calls with a lost connection (or a refusal), then answers. */
function flaky(failures: number, refuse = false): Gateway & { calls: OperationName[] } {
  const g = {
    calls: [] as OperationName[],
    async call<N extends OperationName>(_node: string, name: N, _params: OperationParams<N>, _options?: CallOptions): Promise<OperationResult<N>> {
      g.calls.push(name);
      if (g.calls.length <= failures) {
        throw refuse ? new AppError('TRANSPORT_AUTH_REFUSED', ExitCode.connection, 'access denied') : new AppError('TRANSPORT_UNREACHABLE', ExitCode.connection, 'the connection dropped', { transient: true });
      }
      return {} as OperationResult<N>;
    },
  };
  return g;
}

function ctx(inner: Gateway) {
  let t = 0;
  const stderr: string[] = [];
  const clock = { now: () => t, sleep: async (ms: number) => void (t += ms) };
  return { stderr, c: { gateway: inner as never, clock, io: { stderr: { write: (s: string) => stderr.push(s) } } as never } };
}

describe('commandGateway: the one-shot commands retry as the run does', () => {
  it.each<[string, OperationName, number, boolean, { calls: number; warned: boolean; fails: boolean }]>([
    ['a lost reply of a read is retried, said once on stderr', 'get-cau-role', 2, false, { calls: 3, warned: true, fails: false }],
    ['a call that is not idempotent (add the role) is never repeated', 'add-cau-role', 1, false, { calls: 1, warned: false, fails: true }],
    ['a refused password is never retried', 'get-node-setup', 1, true, { calls: 1, warned: false, fails: true }],
  ])('%s', async (_name, operation, failures, refuse, expected) => {
    const inner = flaky(failures, refuse);
    const { stderr, c } = ctx(inner);
    const failed = await commandGateway(c).call('N1', operation, {} as never).then(() => false, () => true);
    expect({ calls: inner.calls.length, warned: stderr.some((l) => l.startsWith(`cauctl: warning: ${operation} on N1:`)), fails: failed }).toEqual(expected);
    expect(stderr.length).toBeLessThanOrEqual(1);
  });
});
