/**
 * An unattended run (`run --force` with no terminal: a scheduled task, `--json`, `--output ndjson`) predicts its
 * finish from its own scan, with no extra operation on any node: get-run in another process shows it, from the
 * lock, while the run lives. The run is watched through get-run only (its --json document comes at the end), so
 * the test polls get-run until the run publishes a prediction or ends, never on a clock.
 */
import type { ChildProcess } from 'node:child_process';
import { aCluster, parseJson, sandbox, type Sandbox } from '../support/cli.js';
import { collect, whenEvent } from '../support/state-checks.js';

/** Short phases, so that a whole run of three nodes lasts a few real seconds at --sim-speed 300. */
const TIMING = { scanSeconds: 30, downloadSeconds: 120, drainSecondsPerRole: 15, installSeconds: 300, rebootSeconds: 120, servicesStartSeconds: 30, resyncSeconds: 120 };

interface RunView {
  runState: string;
  runStartTime: string | null;
  predictedEndTime: string | null;
}

interface RunDoc {
  status: string;
  startTime: string;
  endTime: string;
  nodeResults: Array<{ node: string; status: string }>;
  simulation: { violations: string[] };
}

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

/** get-run --json, polled until the run publishes a predicted finish; undefined if the run ends first. */
async function firstPrediction(fixture: string, run: ChildProcess): Promise<RunView | undefined> {
  let ended = false;
  run.on('close', () => (ended = true));
  while (!ended) {
    const view = parseJson<RunView>(box.run(['get-run', '--simulate', fixture, '--json']));
    if (view.runState === 'RunInProgress' && view.predictedEndTime !== null) return view;
    // Lets the child's close event in between two polls.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return undefined;
}

describe('run --force with no terminal', () => {
  it.each([
    ['--json', ['--json']],
    ['--output ndjson', ['--output', 'ndjson']],
  ])('%s publishes a predicted finish after its scan, close to its actual end', async (_name, output) => {
    const fixture = box.fixture(aCluster('ETA3', [1, 2, 1], {}, { timing: TIMING }));
    const run = box.start(['run', '--simulate', fixture, '--sim-reset', '--force', ...output, '--sim-speed', '300']);
    const done = collect(run);
    const view = await firstPrediction(fixture, run);
    // get-run's own rendering says it too, while the run lives.
    const human = view === undefined ? undefined : box.run(['get-run', '--simulate', fixture]);
    const result = await done;
    expect(result.code).toBe(0);
    expect(view).toMatchObject({ runState: 'RunInProgress', predictedEndTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(human?.stdout).toMatch(/predicted finish: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);

    const doc = parseJson<RunDoc>(box.run(['get-report', '--simulate', fixture, '--last', '--detailed', '--json'])) as unknown as { reports: RunDoc[] };
    const report = doc.reports[0]!;
    expect(report.status).toBe('Succeeded');
    expect(report.simulation.violations).toEqual([]);
    // The model's own timing: the prediction made after the scan lands near the virtual end (within a tenth of
    // the run), not merely somewhere after its start.
    const startMs = Date.parse(report.startTime);
    const endMs = Date.parse(report.endTime);
    const predictedMs = Date.parse(view!.predictedEndTime!);
    expect(view!.runStartTime).toBe(report.startTime);
    expect(Math.abs(predictedMs - endMs)).toBeLessThanOrEqual((endMs - startMs) / 10);
  }, 60000);

  it('run --resume --force --json predicts from the scan the interrupted run journaled, without its finished nodes', async () => {
    const fixture = box.fixture(aCluster('ETAR', [1, 2, 1], {}, { timing: TIMING }));
    const first = box.start(['run', '--simulate', fixture, '--sim-reset', '--force', '--output', 'ndjson', '--sim-speed', '300']);
    const killed = collect(first);
    // Killed once its first node is done and the second drained: the scan is in the journal, one node finished.
    await whenEvent(first, (e) => e.type === 'phase-started' && e.phase === 'install' && e.node !== 'NODE1');
    first.kill('SIGKILL');
    await killed;

    const resumed = box.start(['run', '--simulate', fixture, '--resume', '--force', '--json', '--sim-speed', '300']);
    const done = collect(resumed);
    const view = await firstPrediction(fixture, resumed);
    const result = await done;
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as RunDoc & { resumed: boolean };
    expect({ status: doc.status, resumed: doc.resumed, violations: doc.simulation.violations }).toEqual({ status: 'Succeeded', resumed: true, violations: [] });
    expect(view).toMatchObject({ runState: 'RunInProgress', predictedEndTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    // What is ahead is two nodes' windows, not the three of the whole run: the prediction lands near the end.
    const startMs = Date.parse(doc.startTime);
    const endMs = Date.parse(doc.endTime);
    expect(Math.abs(Date.parse(view!.predictedEndTime!) - endMs)).toBeLessThanOrEqual((endMs - startMs) / 10);
  }, 60000);

  it('ends normally when its scan finds nothing to install', () => {
    const fixture = box.fixture(aCluster('ETA0', [1, 1], { NODE1: { updates: [] }, NODE2: { updates: [] } }, { timing: TIMING }));
    const result = box.run(['run', '--simulate', fixture, '--sim-reset', '--force', '--json', '--sim-speed', '300']);
    expect(result.code).toBe(0);
    expect(parseJson<RunDoc>(result)).toMatchObject({ status: 'Succeeded', nodeResults: [{ status: 'Succeeded' }, { status: 'Succeeded' }], simulation: { violations: [] } });
    expect(parseJson<RunView>(box.run(['get-run', '--simulate', fixture, '--json']))).toMatchObject({ runState: 'RunNotInProgress', predictedEndTime: null });
  }, 60000);
});
