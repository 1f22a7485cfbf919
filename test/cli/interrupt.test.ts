/**
 * Ctrl-C in `run` (issue 3): the first stops at the next safe point like stop-run, the second says what is
 * still paused, and the run ends Canceled with exit 3 and nothing left paused. Synchronised on what the run
 * itself says (its NDJSON events, its stderr), never on a clock.
 */
import { aCluster, parseJson, sandbox, type Sandbox } from '../support/cli.js';
import { collect, ndjsonEvents, whenEvent, whenOutput } from '../support/state-checks.js';

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

it('stops at a safe point on Ctrl-C and names what is still paused on the second', async () => {
  const fixture = box.fixture(aCluster('CTRLC', [1, 1, 1]));
  const child = box.start(['run', '--simulate', fixture, '--sim-reset', '--force', '--output', 'ndjson', '--sim-speed', '120']);
  const exited = collect(child);

  // The first node is drained and in maintenance once its install starts: interrupt there, twice.
  await whenEvent(child, (e) => e.type === 'phase-started' && e.node === 'NODE1' && e.phase === 'install');
  const firstSaid = whenOutput(child, 'stderr', /stopping at the next safe point/);
  child.kill('SIGINT');
  await firstSaid;
  child.kill('SIGINT');
  const result = await exited;

  expect(result.stderr).toMatch(/still paused by this run: NODE1\b/);
  expect(result.code).toBe(3);
  expect(ndjsonEvents(result.stdout).at(-1)).toMatchObject({ type: 'run-completed', status: 'Canceled' });
  const report = parseJson<{ reports: ReportDoc[] }>(box.run(['get-report', '--simulate', fixture, '--last', '--detailed', '--json'])).reports[0]!;
  expect(report.status).toBe('Canceled');
  expect(report.errorRecord.code).toBe('UserCanceled');
  expect(report.nodeResults.map((r) => r.status)).toEqual(['Succeeded', 'Canceled', 'Canceled']);
  expect(report.simulation.violations).toEqual([]);
}, 120_000);
