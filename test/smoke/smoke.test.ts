// Issue 17 acceptance: the smoke suite for a real host runs end to end against the WS-Man test server in front
// of the simulator; its read-only mode sends no mutating operation (counted by the server, judged by the
// catalogue's readOnly marks); --maintenance NODE takes that node through suspend and resume only, and leaves
// it Up. CI runs this test, never the suite against a real cluster.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isReadOnlyOperation } from '../../src/cluster/read-only-gateway.js';
import { ROOT, hasBuild } from '../support/cli.js';
import { PASSWORD, USER, shortFixture, startServer, type ServerHarness } from '../wsman-server/test-support.js';

const describeIf = hasBuild() ? describe : describe.skip;

interface Summary {
  ok: boolean;
  checks: Array<{ check: string; ok: boolean; seconds: number | null; operations: number | null; result: string }>;
}

/** Runs the suite as `npm run smoke` does after its build, without blocking this process (the server lives here). */
function smoke(args: readonly string[], stateDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, CAUCTL_STATE_DIR: stateDir, CAUCTL_PASSWORD: PASSWORD, NO_COLOR: '1' };
  const child = spawn(process.execPath, [join(ROOT, 'test', 'smoke', 'smoke.mjs'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describeIf('the smoke suite (npm run smoke) against the WS-Man test server', () => {
  let h: ServerHarness;
  let dir: string;
  let connection: string[];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cauctl-smoke-'));
    h = await startServer({ fixture: shortFixture('WSM01', 3), auth: ['basic'], speed: 2000, receiveHoldMs: 25 });
    connection = ['--cluster-name', 'WSM01', '--username', USER, '--authentication', 'Basic', '--allow-unencrypted', ...h.server.nodeAddressArgs()];
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('read-only by default: every check works, each node answers a round trip, and the server ran no mutating operation', async () => {
    const out = join(dir, 'read-only');
    const r = await smoke([...connection, '--out', out, '--json'], join(dir, 'state-1'));
    if (r.code !== 0) throw new Error(`exit ${r.code}\n${r.stdout}\n${r.stderr.slice(-3000)}`);
    const summary = JSON.parse(r.stdout) as Summary;
    expect(summary.ok).toBe(true);
    const names = summary.checks.map((c) => c.check);
    expect(names.slice(0, 5)).toEqual(['test-setup', 'scan', 'get-run', 'get-role', 'snapshot']);
    expect(names.slice(5, -1).sort()).toEqual(['round trip N1', 'round trip N2', 'round trip N3', 'round trip WSM01']);
    expect(names.at(-1)).toBe('read-only');
    for (const c of summary.checks) expect({ check: c.check, ok: c.ok }).toEqual({ check: c.check, ok: true });
    expect(summary.checks.find((c) => c.check === 'scan')!.result).toBe('ok: 3 update(s) offered');

    // The server's own count: it ran operations, and none of them may change the cluster.
    const ran = h.server.invocations.map((i) => i.name ?? '(not in the catalogue)');
    expect(ran.length).toBeGreaterThan(10);
    expect(ran.filter((name) => !isReadOnlyOperation(name))).toEqual([]);
    // What it leaves behind: a recording per command, the snapshot, the summary.
    expect(readdirSync(out).sort()).toEqual(['get-role', 'get-run', 'scan', 'smoke.json', 'snapshot', 'snapshot.json', 'test-setup']);
    expect(readFileSync(join(out, 'smoke.json'), 'utf8')).not.toContain(PASSWORD);
  }, 300_000);

  it('--maintenance N2 --force suspends and resumes that node, sends nothing else that changes the cluster, and leaves N2 Up', async () => {
    const before = h.server.invocations.length;
    const r = await smoke([...connection, '--out', join(dir, 'maintenance'), '--maintenance', 'N2', '--force', '--json'], join(dir, 'state-2'));
    if (r.code !== 0) throw new Error(`exit ${r.code}\n${r.stdout}\n${r.stderr.slice(-3000)}`);
    const summary = JSON.parse(r.stdout) as Summary;
    expect(summary.checks.slice(-3).map((c) => [c.check, c.ok])).toEqual([
      ['suspend N2', true],
      ['resume N2', true],
      ['left as found N2', true],
    ]);
    const writes = h.server.invocations.slice(before).filter((i) => !isReadOnlyOperation(i.name ?? ''));
    expect(new Set(writes.map((i) => i.name))).toEqual(new Set(['suspend-node', 'resume-node', 'set-cluster-property']));
    expect(writes.filter((i) => i.name !== 'set-cluster-property').map((i) => [i.name, i.params['name']])).toEqual([
      ['suspend-node', 'N2'],
      ['resume-node', 'N2'],
    ]);
  }, 300_000);

  it('--maintenance without --force and without a terminal to confirm on touches nothing, and says so', async () => {
    const before = h.server.invocations.length;
    const r = await smoke([...connection, '--out', join(dir, 'unconfirmed'), '--maintenance', 'N1', '--json'], join(dir, 'state-3'));
    expect(r.code).toBe(1);
    const summary = JSON.parse(r.stdout) as Summary;
    expect(summary.checks.at(-1)).toMatchObject({ check: 'maintenance N1', ok: false, result: 'not confirmed; nothing was touched' });
    expect(h.server.invocations.slice(before).filter((i) => !isReadOnlyOperation(i.name ?? ''))).toEqual([]);
  }, 300_000);
});
