// Issue 17: the recorder (a decorator over any transport) and the replay transport, on a scripted inner
// transport: what is written, what never is (planted secrets), what a replay answers, and how it fails.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError, ExitCode } from '../../errors.js';
import type { Clock } from '../../platform/clock.js';
import type { ScriptInvocation, ScriptOutcome, Transport } from '../transport.js';
import { Anonymizer } from './anonymize.js';
import { MANIFEST_FILE, readRecording, RECORDING_SCHEMA_VERSION } from './format.js';
import { createRedactor } from './redact.js';
import { RecordingTransport, type RecordingOptions } from './recording-transport.js';
import { openReplayTransport } from './replay-transport.js';

const PASSWORD = 'Planted-Pa55word!';
const NTLM_BLOB = 'TlRMTVNTUAADAAAAGAAYAEgAAABIAUgBYAAAAAAAAAAAAAAA';

class TestClock implements Clock {
  constructor(public ms = Date.parse('2026-01-01T00:00:00Z')) {}
  now(): number {
    return this.ms;
  }
  sleep(ms: number): Promise<void> {
    this.ms += ms;
    return Promise.resolve();
  }
}

/** A transport that answers from a table and moves the clock as each call takes time. */
function scripted(clock: TestClock, answer: (node: string, inv: ScriptInvocation) => ScriptOutcome | Error): Transport & { calls: string[] } {
  const calls: string[] = [];
  return {
    name: 'scripted',
    calls,
    run(node, inv) {
      calls.push(`${node}:${inv.name}`);
      clock.ms += 1000;
      const result = answer(node, inv);
      return result instanceof Error ? Promise.reject(result) : Promise.resolve(result);
    },
    close: () => Promise.resolve(),
  };
}

const inv = (name: string, params: Record<string, unknown> = {}): ScriptInvocation => ({ name, script: '# fixed text', params });

describe('recording and replay', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cauctl-replay-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const recorder = (inner: Transport, clock: Clock, overrides: Partial<RecordingOptions> = {}): RecordingTransport =>
    new RecordingTransport(inner, {
      dir,
      clock,
      redact: createRedactor(() => [PASSWORD]),
      cauctlVersion: '0.0.0-test',
      entry: 'HCI01',
      wallNow: () => 0,
      ...overrides,
    });

  it('writes one JSON-lines file per node, in call order, that validates against the schema', async () => {
    const clock = new TestClock();
    const inner = scripted(clock, (node, i) => ({ ok: true, data: { node, op: i.name } }));
    const rec = recorder(inner, clock);
    await rec.run('NODE1', inv('get-node-status'));
    await rec.run('HCI01', inv('get-cluster'));
    await rec.run('NODE1', inv('scan-updates', { plugin: 'Microsoft.WindowsUpdatePlugin', arguments: {} }));
    await rec.close();
    expect(readdirSync(dir).sort()).toEqual(['HCI01.jsonl', 'NODE1.jsonl', MANIFEST_FILE].sort());
    const recording = readRecording(dir);
    expect(recording.manifest).toMatchObject({ schemaVersion: RECORDING_SCHEMA_VERSION, transport: 'scripted', entry: 'HCI01', anonymized: false });
    expect(recording.calls.get('NODE1')!.map((c) => [c.seq, c.op, c.durationMs])).toEqual([
      [1, 'get-node-status', 1000],
      [3, 'scan-updates', 1000],
    ]);
  });

  it('never writes a planted secret: a password anywhere, secret-named keys, NTLM messages, Authorization headers', async () => {
    const clock = new TestClock();
    const inner = scripted(clock, (_node, i) => {
      if (i.name === 'thrower') return new AppError('TRANSPORT_AUTH_REFUSED', ExitCode.connection, `logon of cauadmin with ${PASSWORD} refused`);
      if (i.name === 'failer') return { ok: false, error: { code: 'SCRIPT_ERROR', message: `Authorization: Negotiate ${NTLM_BLOB}` } };
      return {
        ok: true,
        data: {
          note: `the password is ${PASSWORD}`,
          password: 'another-secret-1',
          apiToken: 'tok-123456',
          networkCredential: { userName: 'CONTOSO\\admin', password: 'nested-secret-2' },
          blob: NTLM_BLOB,
        },
        warnings: [`Basic ${Buffer.from(`cauadmin:${PASSWORD}`).toString('base64')}`],
      };
    });
    const rec = recorder(inner, clock);
    await rec.run('NODE1', inv('get-node-setup', { password: 'param-secret-3', networkCredential: { userName: 'u', password: 'param-secret-4' } }));
    await rec.run('NODE1', inv('failer'));
    await expect(rec.run('NODE1', inv('thrower'))).rejects.toThrow(/refused/);
    await rec.close();
    const written = readdirSync(dir)
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n');
    for (const secret of [PASSWORD, 'another-secret-1', 'tok-123456', 'nested-secret-2', 'param-secret-3', 'param-secret-4', NTLM_BLOB, Buffer.from(`cauadmin:${PASSWORD}`).toString('base64')]) {
      expect({ secret, found: written.includes(secret) }).toEqual({ secret, found: false });
    }
    expect(written).toContain('[REDACTED]');
    // What is not secret stays: the recording is still useful.
    expect(written).toContain('TRANSPORT_AUTH_REFUSED');
  });

  it('replays the same outcomes, errors included, with the clock following the recording', async () => {
    const clock = new TestClock();
    const transient = new AppError('TRANSPORT_UNREACHABLE', ExitCode.connection, 'NODE2 did not answer', { transient: true });
    const inner = scripted(clock, (node, i) => (node === 'NODE2' ? transient : { ok: true, data: { node, op: i.name, n: clock.ms } }));
    const rec = recorder(inner, clock);
    const first = await rec.run('NODE1', inv('get-node-status'));
    await expect(rec.run('NODE2', inv('get-node-status'))).rejects.toThrow('NODE2 did not answer');
    await rec.close();

    const replay = openReplayTransport(dir);
    const start = replay.clock.now();
    expect(await replay.run('NODE1', inv('get-node-status'))).toEqual(first);
    expect(replay.clock.now() - start).toBe(1000);
    await expect(replay.run('node2', inv('get-node-status'))).rejects.toMatchObject({ code: 'TRANSPORT_UNREACHABLE', transient: true, exitCode: 4 });
    await replay.close();
  });

  it('fails with exit 4 naming the node and the operation when the recording runs out, and keeps failing at close', async () => {
    const clock = new TestClock();
    const rec = recorder(scripted(clock, () => ({ ok: true, data: {} })), clock);
    await rec.run('NODE1', inv('get-node-status'));
    await rec.close();
    const replay = openReplayTransport(dir);
    await replay.run('NODE1', inv('get-node-status'));
    const error = await replay.run('NODE1', inv('resume-node', { name: 'NODE1', failback: 'Policy' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'REPLAY_EXHAUSTED', exitCode: ExitCode.connection, details: { node: 'NODE1', operation: 'resume-node' } });
    expect((error as Error).message).toMatch(/ran out of replies for NODE1: the run asked for resume-node/);
    await expect(replay.close()).rejects.toBe(error);
    const other = openReplayTransport(dir);
    await expect(other.run('NODE9', inv('get-node-status'))).rejects.toThrow(/no operations for NODE9, and the run asked it for get-node-status \(the recording holds NODE1\)/);
  });

  it('fails naming the operation, the node, and what the recording expected when the run diverges', async () => {
    const clock = new TestClock();
    const rec = recorder(scripted(clock, () => ({ ok: true, data: { state: 'Paused', drainStatus: 'Completed' } })), clock);
    await rec.run('NODE2', inv('suspend-node', { name: 'NODE2', forceDrain: false, timeoutSeconds: 30 }));
    await rec.close();
    const replay = openReplayTransport(dir);
    const error = await replay.run('NODE2', inv('suspend-node', { name: 'NODE2', forceDrain: true, timeoutSeconds: 30 })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'REPLAY_DIVERGED', exitCode: ExitCode.connection, details: { node: 'NODE2', operation: 'suspend-node', expectedOperation: 'suspend-node' } });
    expect((error as Error).message).toContain('params.forceDrain: expected false, got true');
    const other = openReplayTransport(dir);
    await expect(other.run('NODE2', inv('restart-node', { soft: false, delaySeconds: 5 }))).rejects.toThrow(/asked for restart-node .* next operation on NODE2 is suspend-node .*operation: expected suspend-node, got restart-node/);
  });

  it('matches ids the run makes afresh (run id, task ids) and answers with this run’s ids', async () => {
    const clock = new TestClock();
    const inner = scripted(clock, (_n, i) => ({ ok: true, data: { taskId: i.params['taskId'], alreadyStarted: false } }));
    const rec = recorder(inner, clock);
    await rec.run('NODE1', inv('start-update-task', { taskId: '0a1b2c3d-NODE1-a1-r1-p0', mode: 'Install' }));
    await rec.run('NODE1', inv('start-update-task', { taskId: '0a1b2c3d-NODE1-a1-r2-p0', mode: 'Install' }));
    await rec.close();
    const replay = openReplayTransport(dir);
    expect(await replay.run('NODE1', inv('start-update-task', { taskId: 'ffee0011-NODE1-a1-r1-p0', mode: 'Install' }))).toEqual({ ok: true, data: { taskId: 'ffee0011-NODE1-a1-r1-p0', alreadyStarted: false } });
    // The recorded id now stands for ffee0011: another fresh id in its place is a divergence.
    await expect(replay.run('NODE1', inv('start-update-task', { taskId: '99999999-NODE1-a1-r2-p0', mode: 'Install' }))).rejects.toMatchObject({ code: 'REPLAY_DIVERGED' });
  });

  it('keeps cluster properties in a register seeded from the recording, with compare-and-set', async () => {
    const clock = new TestClock();
    const inner = scripted(clock, (_n, i) => ({ ok: true, data: i.name === 'get-cluster-property' ? { value: i.params['name'] === 'Summary' ? 'old' : null } : { applied: true, current: 'x' } }));
    const rec = recorder(inner, clock);
    await rec.run('HCI01', inv('get-cluster-property', { name: 'Summary' }));
    await rec.run('HCI01', inv('get-cluster-property', { name: 'Lock' }));
    await rec.close();
    const replay = openReplayTransport(dir);
    expect(await replay.run('HCI01', inv('get-cluster-property', { name: 'Summary' }))).toEqual({ ok: true, data: { value: 'old' } });
    expect(await replay.run('HCI01', inv('set-cluster-property', { name: 'Lock', value: 'mine', expected: null }))).toEqual({ ok: true, data: { applied: true, current: 'mine' } });
    expect(await replay.run('HCI01', inv('set-cluster-property', { name: 'Lock', value: 'theirs', expected: null }))).toEqual({ ok: true, data: { applied: false, current: 'mine' } });
    expect(await replay.run('HCI01', inv('get-cluster-property', { name: 'Lock' }))).toEqual({ ok: true, data: { value: 'mine' } });
    // Any number of them, in any order: they never use up the recording.
    for (let i = 0; i < 5; i++) await replay.run('HCI01', inv('get-cluster-property', { name: 'Lock' }));
    expect(replay.unused()).toEqual([]);
  });

  it('renames cluster, node and role names consistently with --anonymize, files included', async () => {
    const clock = new TestClock();
    const anonymizer = new Anonymizer();
    const inner = scripted(clock, (node, i) =>
      i.name === 'get-cluster' ? { ok: true, data: { name: 'HCI01', nodes: [{ name: 'NODE1', roles: ['SQL-PROD'] }] } } : { ok: true, data: { node, runningRoles: ['SQL-PROD'], title: 'KB5031364 2023-10 Cumulative Update' } },
    );
    const rec = recorder(inner, clock, {
      anonymize: {
        anonymizer,
        learn: (op, _p, data) => {
          if (op === 'get-cluster') for (const n of (data as { nodes: Array<{ name: string; roles: string[] }> }).nodes) n.roles.forEach((r) => anonymizer.add('role', r));
        },
      },
    });
    await rec.run('HCI01', inv('get-cluster'));
    await rec.run('NODE1', inv('get-node-status', { name: 'NODE1' }));
    await rec.close();
    const files = readdirSync(dir);
    const text = files.map((f) => `${f}\n${readFileSync(join(dir, f), 'utf8')}`).join('\n');
    for (const original of ['HCI01', 'NODE1', 'SQL-PROD']) expect(new RegExp(`(?<![A-Za-z0-9_])${original}(?![A-Za-z0-9_])`, 'i').test(text)).toBe(false);
    expect(text).toContain('KB5031364 2023-10 Cumulative Update');
    const recording = readRecording(dir);
    expect(recording.manifest.anonymized).toBe(true);
    const node = recording.manifest.nodes.find((n) => n.node.startsWith('node-'))!.node;
    expect(recording.calls.get(node)![0]!.params).toEqual({ name: node });
  });

  it('a recording that cannot be written stops, says so once, and never changes what the command gets', async () => {
    const clock = new TestClock();
    const problems: string[] = [];
    const rec = recorder(scripted(clock, (node) => ({ ok: true, data: { node } })), clock, { onProblem: (m) => problems.push(m) });
    await rec.run('NODE1', inv('get-node-status'));
    rmSync(dir, { recursive: true, force: true });
    expect(await rec.run('NODE1', inv('get-node-status'))).toEqual({ ok: true, data: { node: 'NODE1' } });
    expect(await rec.run('NODE2', inv('get-node-status'))).toEqual({ ok: true, data: { node: 'NODE2' } });
    await rec.close();
    expect(problems).toEqual([expect.stringMatching(/^the recording in .* stopped: ENOENT; the command went on unrecorded from there$/)]);
  });

  it('refuses a recording that is not one, naming the file and line (exit 2)', async () => {
    const clock = new TestClock();
    const rec = recorder(scripted(clock, () => ({ ok: true, data: {} })), clock);
    await rec.run('NODE1', inv('get-node-status'));
    await rec.close();
    writeFileSync(join(dir, 'NODE1.jsonl'), `${readFileSync(join(dir, 'NODE1.jsonl'), 'utf8')}{"seq":2,"op":"x"}\n`);
    expect(() => openReplayTransport(dir)).toThrow(expect.objectContaining({ code: 'REPLAY_RECORDING_INVALID', exitCode: 2, message: expect.stringContaining('NODE1.jsonl line 2') }));
    const manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify({ ...manifest, schemaVersion: 99 }));
    expect(() => openReplayTransport(dir)).toThrow(/schema version 99, and this cauctl reads version 1/);
    expect(() => openReplayTransport(join(dir, 'missing'))).toThrow(expect.objectContaining({ code: 'REPLAY_RECORDING_INVALID', message: expect.stringContaining('recording.json cannot be read') }));
  });
});
