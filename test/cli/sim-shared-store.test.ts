/**
 * Issue 14, point 6: the simulated cluster is a shared store, as a real cluster is. A command from another
 * process during a run (add-role) is not overwritten by the run's next save, and --sim-reset refuses while a
 * live run holds the cluster's lock. Built CLI, real processes, synchronised on the run's NDJSON events.
 */
import { aCluster, parseJson, sandbox, type Sandbox } from '../support/cli.js';
import { collect, expectCleanCluster, readBack, whenEvent } from '../support/state-checks.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

function slowCluster(name: string): string {
  return box.fixture(aCluster(name, [1, 1, 1], {}, { timing: { installSeconds: 600, rebootSeconds: 300, resyncSeconds: 300 } }));
}

it("add-role during a run is kept: the run's later saves do not overwrite it", async () => {
  const fixture = slowCluster('SHARED');
  const run = box.start(['run', '--simulate', fixture, '--sim-reset', '--force', '--output', 'ndjson', '--sim-speed', '600']);
  const done = collect(run);
  await whenEvent(run, (e) => e.type === 'phase-started' && e.phase === 'install');
  const added = box.run(['add-role', '--simulate', fixture, '--days-of-week', 'Tuesday', '--weeks-of-month', '2', '--force', '--json']);
  expect(added.code).toBe(0);
  const result = await done;
  expect(result.code).toBe(0);
  // The run saved the model many times after add-role; the role is still there.
  const role = box.run(['get-role', '--simulate', fixture, '--json']);
  expect(role.code).toBe(0);
  expect(parseJson<{ schedule: { daysOfWeek: number } }>(role).schedule.daysOfWeek).toBe(4);
  expectCleanCluster(readBack(box, fixture));
}, 120_000);

it('--sim-reset refuses while a live run holds the lock, and works once the run ended', async () => {
  const fixture = slowCluster('NORESET');
  const run = box.start(['run', '--simulate', fixture, '--sim-reset', '--force', '--output', 'ndjson', '--sim-speed', '600']);
  const done = collect(run);
  await whenEvent(run, (e) => e.type === 'phase-started' && e.phase === 'install');
  const reset = box.run(['get-run', '--simulate', fixture, '--sim-reset', '--json']);
  expect(reset.code).toBe(5);
  expect(parseJson(reset).error).toMatchObject({ code: 'SIM_RESET_LOCKED' });
  expect(reset.stderr).toMatch(/try: Stop that run first with cauctl stop-run --simulate /);
  const result = await done;
  expect(result.code).toBe(0);
  expect(parseJson<{ runState: string }>(box.run(['get-run', '--simulate', fixture, '--json'])).runState).toBe('RunNotInProgress');
  expectCleanCluster(readBack(box, fixture));
  expect(box.run(['get-run', '--simulate', fixture, '--sim-reset', '--json']).code).toBe(0);
}, 120_000);
