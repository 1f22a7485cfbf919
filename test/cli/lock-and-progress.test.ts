/**
 * Issue 3 acceptance: the cluster lock between two coordinators, --force-recovery on dead and live locks,
 * live progress from a second process (get-run), and graceful cancel (stop-run) at a safe point. The runs
 * under test say where they are with their NDJSON events; the tests wait on those, never on a clock.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { aCluster, parseJson, sandbox, type Sandbox } from '../support/cli.js';
import { collect, ndjsonEvents, whenEvent } from '../support/state-checks.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

interface ReportDoc {
  status: string;
  errorRecord: { code: string };
  nodeResults: Array<{ node: string; status: string }>;
  simulation: { violations: string[] };
}

describe('one coordinator per cluster', () => {
  it('refuses a second run with exit 5 while the first lives, and --force-recovery never clears a live lock', async () => {
    const fixture = box.fixture(aCluster('LOCKED', [1, 1, 1]));
    const first = box.start(['run', '--simulate', fixture, '--sim-reset', '--force', '--output', 'ndjson', '--sim-speed', '600']);
    const done = collect(first);
    // run-started comes once the run holds the cluster's lock.
    await whenEvent(first, (e) => e.type === 'run-started');
    expect(parseJson(box.run(['get-run', '--simulate', fixture, '--json'])).runState).toBe('RunInProgress');

    const second = box.run(['run', '--simulate', fixture, '--force', '--json']);
    expect(second.code).toBe(5);
    expect(second.stderr).toMatch(/The cluster is locked by run [0-9a-f-]+ by .+ \(pid \d+\)/);
    expect(parseJson(second).error).toMatchObject({ code: 'LOCK_HELD', exitCode: 5 });

    const recovery = box.run(['run', '--simulate', fixture, '--force-recovery', '--force']);
    expect(recovery.code).toBe(5);
    expect(recovery.stderr).toMatch(/A live lock is never cleared/);

    first.kill('SIGKILL');
    await done;
    // The owner is dead now; a plain run still refuses and points at --resume / --force-recovery.
    const stale = box.run(['run', '--simulate', fixture, '--force']);
    expect(stale.code).toBe(5);
    expect(stale.stderr).toMatch(/--resume|--force-recovery/);
    const cleared = box.run(['run', '--simulate', fixture, '--force-recovery', '--force', '--json']);
    expect(cleared.code).toBe(0);
    expect(parseJson(cleared)).toMatchObject({ recovered: true });
    expect(parseJson(box.run(['get-run', '--simulate', fixture, '--json'])).runState).toBe('RunNotInProgress');
  }, 60000);

  it("clears another host's lock only once its heartbeat has stayed the same for a lease as seen from here, whatever its clock says", () => {
    const fixture = box.fixture(aCluster('EXPIRED', [1, 1]));
    expect(box.run(['scan', '--simulate', fixture, '--sim-reset', '--json']).code).toBe(0);
    const lock = (heartbeatAt: string) =>
      JSON.stringify({ version: 1, runId: 'r-other', owner: { host: 'other-host', user: 'admin', pid: 4242 }, acquiredAt: heartbeatAt, heartbeatAt, leaseSeconds: 300, progress: { runStartTime: heartbeatAt, currentNode: 'NODE1', currentPhase: 'install', nodeStatusNotifications: [], nodeResults: [] } });
    const propertiesDir = `${box.stateDir}/sim/EXPIRED/properties`;
    const write = (value: string) => writeFileSync(`${propertiesDir}/CauctlRunLock.json`, JSON.stringify({ value }));
    mkdirSync(propertiesDir, { recursive: true });

    write(lock(new Date().toISOString()));
    const live = box.run(['run', '--simulate', fixture, '--force-recovery', '--force']);
    expect(live.code).toBe(5);
    expect(parseJson(box.run(['get-run', '--simulate', fixture, '--json']))).toMatchObject({ runState: 'RunInProgress', source: 'cluster-lock', currentNode: 'NODE1' });

    // A heartbeat an hour old by the other host's clock proves nothing (clocks are skewed): still live.
    write(lock(new Date(Date.now() - 3600_000).toISOString()));
    const skewed = box.run(['run', '--simulate', fixture, '--force-recovery', '--force']);
    expect(skewed.code).toBe(5);
    expect(skewed.stderr).toMatch(/first seen from this host just now/);
    expect(skewed.stderr).toMatch(/run this again once its heartbeat has stayed the same for 300 s/);

    // This host saw that same heartbeat a lease ago (its observation, backdated as five minutes would).
    const observationPath = `${box.stateDir}/locks/EXPIRED.json`;
    const observation = JSON.parse(readFileSync(observationPath, 'utf8')) as { sinceMs: number };
    writeFileSync(observationPath, JSON.stringify({ ...observation, sinceMs: observation.sinceMs - 300_000 }));
    const recovered = box.run(['run', '--simulate', fixture, '--force-recovery', '--force']);
    expect(recovered.code).toBe(0);
    expect(recovered.stdout).toMatch(/Cleared the dead lock of run r-other by admin on other-host/);
  });
});

describe('progress from a second process, and stop-run', () => {
  it('shows the current node and phase while a run lives, and --wait-for-completion ends with it', async () => {
    const fixture = box.fixture(aCluster('WATCHED', [1, 2, 3]));
    const run = box.start(['run', '--simulate', fixture, '--sim-reset', '--force', '--output', 'ndjson', '--sim-speed', '60']);
    const done = collect(run);
    // NODE1's install starts after its drain was journaled; the install lasts minutes of virtual time.
    await whenEvent(run, (e) => e.type === 'phase-started' && e.node === 'NODE1' && e.phase === 'install');
    const view = parseJson(box.run(['get-run', '--simulate', fixture, '--json']));
    expect(view).toMatchObject({ runState: 'RunInProgress', source: 'journal', runId: expect.any(String), currentNode: 'NODE1', currentPhase: expect.any(String) });

    // Stop it early so the test stays short; the watcher must end when the run ends.
    const watcher = collect(box.start(['get-run', '--simulate', fixture, '--wait-for-completion', '--json']));
    const stop = box.run(['stop-run', '--simulate', fixture, '--json']);
    expect(stop.code).toBe(0);
    expect(parseJson(stop)).toMatchObject({ stopped: true });
    const result = await done;
    const watched = await watcher;
    // The watcher exits as the run it watched does: Canceled is 3.
    expect(watched.code).toBe(3);
    const lines = watched.stdout.trim().split('\n').map((l) => JSON.parse(l) as { runState: string; nodes: Array<{ node: string; status: string }> });
    expect(lines[0]!.runState).toBe('RunInProgress');
    // Every node of the run is listed, those not reached yet as Waiting.
    expect(lines[0]!.nodes.map((n) => n.node).sort()).toEqual(['NODE1', 'NODE2', 'NODE3']);
    expect(lines[0]!.nodes.some((n) => n.status === 'Waiting')).toBe(true);
    expect(lines.at(-1)!.runState).toBe('RunNotInProgress');

    // The stop lands at a safe point: the node in hand is finished and resumed, the rest are Canceled.
    expect(result.code).toBe(3);
    expect(ndjsonEvents(result.stdout).at(-1)).toMatchObject({ type: 'run-completed', status: 'Canceled' });
    const doc = parseJson<{ reports: ReportDoc[] }>(box.run(['get-report', '--simulate', fixture, '--last', '--detailed', '--json'])).reports[0]!;
    expect(doc.status).toBe('Canceled');
    expect(doc.errorRecord.code).toBe('UserCanceled');
    expect(doc.nodeResults.some((r) => r.status === 'Canceled')).toBe(true);
    expect(doc.nodeResults.filter((r) => r.status !== 'Canceled').every((r) => r.status === 'Succeeded')).toBe(true);
    expect(doc.simulation.violations).toEqual([]);
  }, 90000);

  it('says RunNotInProgress when nothing runs', () => {
    const fixture = box.fixture(aCluster('IDLE', [0, 0]));
    const view = box.run(['get-run', '--simulate', fixture, '--sim-reset']);
    expect(view.code).toBe(0);
    expect(view.stdout).toMatch(/RunNotInProgress/);
    const stop = box.run(['stop-run', '--simulate', fixture]);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toMatch(/RunNotInProgress: nothing to stop/);
  });
});
