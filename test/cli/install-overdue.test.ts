/**
 * An install that runs past its time limit is never left behind (the simulator as unkind as Windows: the
 * SYSTEM task goes on installing whatever the coordinator does, and the Task Scheduler stops it at 12 hours).
 * Before this, the run counted it failed at 4 hours and resumed the node while it still installed, then drained
 * it again and started a second install beside the first: the audit now flags both.
 */
import { readFileSync } from 'node:fs';
import { aCluster, parseJson, sandbox, type Sandbox } from '../support/cli.js';

interface RunDoc {
  status: string;
  warnings: string[];
  journalPath: string;
  nodeResults: Array<{ node: string; status: string; attempts: number; errorRecord: { code: string; message: string } | null; phases: Array<{ phase: string; attempt: number; start: string; end: string; ok: boolean }> }>;
  simulation: { violations: string[]; maxNodesOutOfService: number };
}

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

function run(slowSeconds: number, ...args: string[]): { code: number | null; doc: RunDoc } {
  const fixture = box.fixture(aCluster('SLOW', [1, 1, 1], { NODE1: { faults: [{ kind: 'slowInstall', seconds: slowSeconds }] } }));
  const result = box.run(['run', '--simulate', fixture, '--sim-reset', '--sim-speed', 'max', '--force', '--json', '--node-order', 'NODE1', ...args]);
  return { code: result.code, doc: parseJson<RunDoc>(result) };
}

/** NODE1's journaled steps, in order. */
function steps(doc: RunDoc): string[] {
  return readFileSync(doc.journalPath, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { type: string; node?: string; step?: string })
    .filter((r) => r.type === 'step' && r.node === 'NODE1')
    .map((r) => r.step!);
}

const hours = (phase: { start: string; end: string }): number => (Date.parse(phase.end) - Date.parse(phase.start)) / 3_600_000;

describe('an install past its time limit', () => {
  it('is waited for, the node kept drained and paused, and the run says so once (InstallOverdue)', () => {
    const { code, doc } = run(5 * 3600);
    expect(code).toBe(0);
    expect(doc.simulation.violations).toEqual([]);
    expect(doc.nodeResults.find((r) => r.node === 'NODE1')).toMatchObject({ status: 'Succeeded', attempts: 1 });
    const install = doc.nodeResults.find((r) => r.node === 'NODE1')!.phases.find((p) => p.phase === 'install')!;
    expect(hours(install)).toBeGreaterThan(5);
    const overdue = doc.warnings.filter((w) => w.includes('has run past its limit'));
    expect(overdue).toHaveLength(1);
    expect(overdue[0]).toMatch(/^The install on NODE1 has run past its limit of 240 min and is still running: NODE1 stays drained and paused until it ends.*\(Stop-ScheduledTask -TaskPath '\\cauctl\\' -TaskName 'cauctl-[0-9a-f]{8}-NODE1-a1-r1-p0'/);
    // The task's end is waited for before the restart: nothing between its start and its finish.
    const s = steps(doc);
    expect(s.slice(s.indexOf('task-started'), s.indexOf('task-finished') + 1)).toEqual(['task-started', 'task-finished']);
  });

  it("still running at the Task Scheduler's 12 hours: it ends there, counted failed, and only then is the node resumed", () => {
    const { code, doc } = run(14 * 3600, '--max-retries-per-node', '0');
    expect(code).toBe(6);
    expect(doc.simulation.violations).toEqual([]);
    const node1 = doc.nodeResults.find((r) => r.node === 'NODE1')!;
    expect(node1).toMatchObject({ status: 'Failed', attempts: 1, errorRecord: { code: 'InstallFailed' } });
    // The Task Scheduler's stop is said, not only a generic code per update.
    expect(node1.errorRecord!.message).toMatch(
      /^1 update\(s\) failed on NODE1: KB\d+ \(0x80004005\); the update task cauctl-[0-9a-f]{8}-NODE1-a1-r1-p0 ended Failed: The update worker ended without a result \(last task result 0x00041306\)\.$/,
    );
    const install = node1.phases.find((p) => p.phase === 'install')!;
    expect(hours(install)).toBeGreaterThanOrEqual(12);
    expect(hours(install)).toBeLessThan(12.25);
    expect(doc.nodeResults.filter((r) => r.node !== 'NODE1').map((r) => r.status)).toEqual(['Succeeded', 'Succeeded']);
  });
});

describe('an install that failed with no result per update', () => {
  it('ends its install phase with a note that says it failed', () => {
    const fixture = box.fixture(aCluster('SLOW', [1, 1, 1], { NODE1: { faults: [{ kind: 'slowInstall', seconds: 14 * 3600 }] } }));
    const result = box.run(['run', '--simulate', fixture, '--sim-reset', '--sim-speed', 'max', '--force', '--output', 'ndjson', '--node-order', 'NODE1', '--max-retries-per-node', '0']);
    const installs = result.stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { type: string; node?: string; phase?: string; detail?: string })
      .filter((e) => e.type === 'phase-completed' && e.node === 'NODE1' && e.phase === 'install');
    expect(installs.map((e) => e.detail)).toEqual(['1 update(s), 1 failed']);
  });
});

describe('an install past its time limit in an offline update (the whole cluster stopped)', () => {
  it('is said as it happens, once, with what stays stopped, and the update still succeeds', () => {
    const fixture = box.fixture(aCluster('SLOW', [1, 1, 1], { NODE2: { faults: [{ kind: 'slowInstall', seconds: 5 * 3600 }] } }));
    const result = box.run(['offline-update', '--simulate', fixture, '--sim-reset', '--force', '--output', 'ndjson']);
    expect(result.code).toBe(0);
    const events = result.stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { type: string; time: string; code?: string; node?: string; message?: string; phase?: string; status?: string });
    const warnings = events.filter((e) => e.type === 'warning');
    expect(warnings.map((w) => [w.code, w.node])).toEqual([['InstallOverdue', 'NODE2']]);
    expect(warnings[0]!.message).toMatch(/^The install on NODE2 has run past its limit of 240 min and is still running: the cluster stays stopped and NODE2 is not restarted until it ends/);
    // Said while the install runs: four hours after NODE2's install began, long before the update ends.
    const install = events.find((e) => e.type === 'phase-started' && e.node === 'NODE2' && e.phase === 'install')!;
    const end = events.find((e) => e.type === 'run-completed')!;
    expect((Date.parse(warnings[0]!.time) - Date.parse(install.time)) / 3_600_000).toBeCloseTo(4, 1);
    expect(end.status).toBe('Succeeded');
    expect(Date.parse(end.time) - Date.parse(warnings[0]!.time)).toBeGreaterThan(3_600_000);
  });
});
