// Issue 4 and 19 acceptance: `cauctl run --transport winrm` against the WS-Man test server's 4-node fake cluster
// (the built-in model), over NTLM with encryption through the gss-ntlmssp acceptor, in both --winrm-mode
// values with random lifecycle faults switched on, ends with the same result as the simulator run of the same
// fixture, every node rebooting, shells recreated, sessions re-authenticated, and no operation run twice.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILTIN_FIXTURE_PATH } from '../../src/sim/index.js';
import { runCli } from '../wsman-server/cli-run.js';
import { ntlmAcceptorMissing } from '../wsman-server/ntlm-sidecar.js';
import { PASSWORD, USER, peersAvailable, shortFixture, startServer, type ServerHarness } from '../wsman-server/test-support.js';
import { hasBuild } from '../support/cli.js';

const run = peersAvailable('winrm end-to-end run', ntlmAcceptorMissing()) && hasBuild();
const describeIf = run ? describe : describe.skip;

interface RunJson {
  status: string;
  errorRecord: unknown;
  nodeResults: Array<{ node: string; status: string; attempts: number; numberOfSucceededUpdates: number; numberOfFailedUpdates: number; rebooted: boolean }>;
}

const summary = (r: RunJson): unknown => ({
  status: r.status,
  errorRecord: r.errorRecord,
  nodes: r.nodeResults.map((n) => ({
    node: n.node,
    status: n.status,
    attempts: n.attempts,
    succeeded: n.numberOfSucceededUpdates,
    failed: n.numberOfFailedUpdates,
    rebooted: n.rebooted,
  })),
});

describeIf('cauctl run --transport winrm against the WS-Man test server', () => {
  let dir: string;
  let h: ServerHarness | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cauctl-winrm-e2e-'));
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['per-operation', 'persistent'])('--winrm-mode %s ends like the simulator run of the same fixture, with every node rebooted and re-authenticated, no operation run twice', async (mode) => {
    await h?.close();
    h = undefined;
    const simulated = await runCli(['run', '--simulate', '--sim-speed', 'max', '--force', '--json'], { stateDir: join(dir, `sim-state-${mode}`) });
    expect(simulated.code).toBe(0);
    const expected = JSON.parse(simulated.stdout) as RunJson;

    // The server owns the model (its own state dir) and lets virtual time run 2000x the real clock, so the
    // coordinator's real-time waits (5 s between reboot polls) see a node come back at the next poll. Receives
    // are held 25 ms, so the long polls (install, storage repair) meet w:TimedOut on the way.
    // Random lifecycle faults a client must absorb (issue 19): Sends that answer TimedOut, 1460 or 170 after
    // taking their data, Receives whose connection drops, persistent processes that die between operations.
    h = await startServer({ fixturePath: BUILTIN_FIXTURE_PATH, speed: 2000, receiveHoldMs: 25, auth: ['ntlm'], lifecycle: { random: { seed: 19, probability: 0.1 } } });
    const { server } = h;
    const result = await runCli(
      ['run', '--transport', 'winrm', '--winrm-mode', mode, '--cluster-name', 'HCI01', '--username', USER, ...server.nodeAddressArgs(), '--force', '--json'],
      { stateDir: join(dir, `cli-state-${mode}`), password: PASSWORD },
    );
    if (result.code !== 0) throw new Error(`exit ${result.code}\n${result.stderr.slice(-4000)}`);
    const actual = JSON.parse(result.stdout) as RunJson;

    expect(summary(actual)).toEqual(summary(expected));
    expect(actual.status).toBe('Succeeded');
    expect(actual.nodeResults.every((n) => n.rebooted)).toBe(true);

    // The server's own view: every message sealed, every script from the catalogue, the model's invariants kept.
    expect(server.violations).toEqual([]);
    expect(server.requests.every((r) => r.auth === 'ntlm' && r.encrypted)).toBe(true);
    expect(server.invocations.filter((i) => i.name === undefined)).toEqual([]);
    // Every operation carried its id, and none ran twice (issue 19).
    const ids = server.invocations.map((i) => i.payloadId);
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    expect(ids.length - new Set(ids).size).toBe(0);
    expect(server.sim.audit().violations).toEqual([]);
    for (const node of ['NODE1', 'NODE2', 'NODE3', 'NODE4']) {
      const stats = server.stats(node);
      // A reboot kills the shell and the connection: a new NTLM context and a new shell after it.
      expect({ node, handshakes: stats.handshakes >= 2, shells: stats.shellsCreated >= 2 }).toEqual({ node, handshakes: true, shells: true });
      expect(stats.resets + stats.shellsNotFound).toBeGreaterThan(0);
    }
    const all = ['NODE1', 'NODE2', 'NODE3', 'NODE4', 'HCI01'].map((n) => server.stats(n));
    expect(all.reduce((sum, s) => sum + s.timedOut, 0)).toBeGreaterThan(0);
    const faults = all.flatMap((s) => Object.entries(s.faults));
    const kinds = new Set(faults.map(([kind]) => kind));
    expect(faults.reduce((sum, [, n]) => sum + n, 0)).toBeGreaterThan(3);
    expect(kinds.has('droppedReceive')).toBe(true);
    expect([...kinds].some((k) => k.startsWith('send'))).toBe(true);
    if (mode === 'persistent') expect(kinds.has('killed')).toBe(true);
  }, 180_000);

  // A real cluster's offline-update predicted its downtime from the simulator's node list (none on a real
  // cluster): 160 s, stop and start only. Its prediction now comes from the cluster's own node list.
  it('offline-update over winrm predicts its downtime from the cluster\'s own nodes, not from a simulator', async () => {
    await h?.close();
    h = await startServer({ fixture: shortFixture('OFF2', 2), speed: 2000, auth: ['ntlm'] });
    const { server } = h;
    const result = await runCli(
      ['offline-update', '--transport', 'winrm', '--cluster-name', 'OFF2', '--username', USER, ...server.nodeAddressArgs(), '--force', '--json'],
      { stateDir: join(dir, 'offline-state'), password: PASSWORD },
    );
    if (result.code !== 0) throw new Error(`exit ${result.code}\n${result.stderr.slice(-4000)}`);
    const doc = JSON.parse(result.stdout) as { status: string; nodeResults: Array<{ node: string }>; predictedDowntimeSeconds: number; preState: { onlineDisks: Array<{ virtualDisk: string }> } };
    expect(doc.status).toBe('Succeeded');
    expect(doc.nodeResults.map((n) => n.node)).toEqual(['N1', 'N2']);
    // A real cluster's prediction uses the default timings: stop 60 + the slowest node (install 900, rescan 60,
    // restart 420, services 90) + start 90 + disks online 10.
    expect(doc.predictedDowntimeSeconds).toBe(60 + (900 + 60 + 420 + 90) + 90 + 10);
    // The offline audit (every node down at once is the design): the cluster back, its disks online again.
    expect(server.sim.auditOffline(doc.preState.onlineDisks.map((d) => d.virtualDisk)).violations).toEqual([]);
  }, 180_000);
});
