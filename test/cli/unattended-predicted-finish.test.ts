/**
 * An unattended run (`run --force` with no terminal: a scheduled task, `--json`, `--output ndjson`) predicts its
 * finish from its own scan, with no extra operation on any node: get-run in another process shows it, from the
 * lock, while the run lives. The run is watched through get-run only (its --json document comes at the end), so
 * the test polls get-run until the run publishes a prediction or ends, never on a clock.
 */
import { aCluster, parseJson, sandbox, type Sandbox } from '../support/cli.js';
import { watchPredictions, type RunView } from '../support/predictions.js';
import { collect, whenEvent } from '../support/state-checks.js';

/** Short phases, so that a whole run of three nodes lasts a few real seconds at --sim-speed 300. */
const TIMING = { scanSeconds: 30, downloadSeconds: 120, drainSecondsPerRole: 15, installSeconds: 300, rebootSeconds: 120, servicesStartSeconds: 30, resyncSeconds: 120 };

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

/** How far a prediction lands from the run's actual end, in tenths of the whole run (startTime to endTime). */
function tenthsOff(view: RunView, doc: Pick<RunDoc, 'startTime' | 'endTime'>): number {
  const startMs = Date.parse(doc.startTime);
  const endMs = Date.parse(doc.endTime);
  return Math.abs(Date.parse(view.predictedEndTime!) - endMs) / ((endMs - startMs) / 10);
}

/**
 * The run's predictions that land further than `tenths` from its end. A prediction moves as phases take longer or
 * shorter than planned, so the bound over a whole run is wider than the one on the first prediction.
 */
function further(predicted: readonly RunView[], doc: Pick<RunDoc, 'startTime' | 'endTime'>, tenths: number): Array<{ at: string; tenthsOff: number }> {
  return predicted.map((v) => ({ at: `${v.currentNode} ${v.currentPhase}`, tenthsOff: tenthsOff(v, doc) })).filter((p) => p.tenthsOff > tenths);
}

describe('run --force with no terminal', () => {
  it.each([
    ['--json', ['--json']],
    ['--output ndjson', ['--output', 'ndjson']],
  ])('%s publishes a predicted finish after its scan, close to its actual end', async (_name, output) => {
    const fixture = box.fixture(aCluster('ETA3', [1, 2, 1], {}, { timing: TIMING }));
    const run = box.start(['run', '--simulate', fixture, '--sim-reset', '--force', ...output, '--sim-speed', '300']);
    const done = collect(run);
    const { predicted, human } = await watchPredictions(box, fixture, run, { human: true });
    const result = await done;
    expect(result.code).toBe(0);
    expect(predicted[0]).toMatchObject({ runState: 'RunInProgress', predictedEndTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    // get-run's own rendering says it too, while the run lives.
    expect(human).toMatch(/predicted finish: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);

    const doc = parseJson<RunDoc>(box.run(['get-report', '--simulate', fixture, '--last', '--detailed', '--json'])) as unknown as { reports: RunDoc[] };
    const report = doc.reports[0]!;
    expect(report.status).toBe('Succeeded');
    expect(report.simulation.violations).toEqual([]);
    // The model's own timing: the prediction made after the scan lands near the virtual end (within a tenth of
    // the run), not merely somewhere after its start, and no later one strays far.
    expect(predicted[0]!.runStartTime).toBe(report.startTime);
    expect(tenthsOff(predicted[0]!, report)).toBeLessThanOrEqual(1);
    expect(further(predicted, report, 1.5)).toEqual([]);
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
    const { predicted } = await watchPredictions(box, fixture, resumed);
    const result = await done;
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as RunDoc & { resumed: boolean };
    expect({ status: doc.status, resumed: doc.resumed, violations: doc.simulation.violations }).toEqual({ status: 'Succeeded', resumed: true, violations: [] });
    expect(predicted[0]).toMatchObject({ runState: 'RunInProgress', predictedEndTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    // What is ahead is two nodes' windows, not the three of the whole run.
    expect(tenthsOff(predicted[0]!, doc)).toBeLessThanOrEqual(1);
    expect(further(predicted, doc, 1.5)).toEqual([]);
    // Each window of a resumed run rescans before it installs, which is not the rescan the plan has after the
    // install: the last node's install is still ahead while it runs.
    const lastInstall = predicted.filter((v) => v.currentNode === 'NODE2' && v.currentPhase === 'install');
    expect(lastInstall.length).toBeGreaterThan(0);
    expect(further(lastInstall, doc, 1)).toEqual([]);
  }, 60000);

  it('feature-update --force --json predicts its rolling run from its own scan, with the OS upgrade as long as it takes', async () => {
    const feature = { title: 'Feature update to Windows Server 2025', targetBuild: 26100, kb: 'KB5044284' };
    const nodes = { NODE1: { featureUpdate: feature }, NODE2: { featureUpdate: feature }, NODE3: { featureUpdate: { ...feature, installSeconds: 1200 } } };
    const fixture = box.fixture(aCluster('ETAF', [1, 2, 1], nodes, { timing: TIMING }));
    const run = box.start(['feature-update', '--simulate', fixture, '--sim-reset', '--force', '--json', '--path-to-setup-media', 'D:\\WS2025', '--sim-speed', '300']);
    const done = collect(run);
    const { predicted } = await watchPredictions(box, fixture, run);
    const result = await done;
    expect(result.code).toBe(0);
    const report = (parseJson<RunDoc>(box.run(['get-report', '--simulate', fixture, '--last', '--detailed', '--json'])) as unknown as { reports: RunDoc[] }).reports[0]!;
    expect(report.status).toBe('Succeeded');
    expect(predicted[0]).toMatchObject({ runState: 'RunInProgress', predictedEndTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    // A plan that gave the upgrade a cumulative update's install time was half the run short at first.
    expect(tenthsOff(predicted[0]!, report)).toBeLessThanOrEqual(1);
    expect(further(predicted, report, 1.5)).toEqual([]);
  }, 60000);

  it('ends normally when its scan finds nothing to install', () => {
    const fixture = box.fixture(aCluster('ETA0', [1, 1], { NODE1: { updates: [] }, NODE2: { updates: [] } }, { timing: TIMING }));
    const result = box.run(['run', '--simulate', fixture, '--sim-reset', '--force', '--json', '--sim-speed', '300']);
    expect(result.code).toBe(0);
    expect(parseJson<RunDoc>(result)).toMatchObject({ status: 'Succeeded', nodeResults: [{ status: 'Succeeded' }, { status: 'Succeeded' }], simulation: { violations: [] } });
    expect(parseJson<RunView>(box.run(['get-run', '--simulate', fixture, '--json']))).toMatchObject({ runState: 'RunNotInProgress', predictedEndTime: null });
  }, 60000);
});
