/**
 * Issue 14, points 5 and 6: two coordinators started at the same moment on one cluster, both with --sim-reset
 * (a reset must never wipe the other's live lock): exactly one proceeds, the other is refused before touching
 * anything (exit 5), twenty times over. The winner's run lasts long enough (slow installs) to outlive the
 * start-up jitter of the two processes; once the loser is refused, the winner is stopped with SIGTERM at a
 * safe point, and the cluster must be clean each time. Real processes, synchronised on events (exit,
 * run-started), never on delays.
 */
import type { ChildProcess } from 'node:child_process';
import { aCluster, sandbox, type Sandbox } from '../support/cli.js';
import { collect, expectCleanCluster, readBack, whenEvent } from '../support/state-checks.js';

const ROUNDS = 20;

let box: Sandbox;
beforeAll(() => {
  box = sandbox();
});
afterAll(() => box.cleanup());

it(`two racing coordinators: exactly one proceeds, ${ROUNDS} times`, async () => {
  const fixture = box.fixture(aCluster('RACE', [1, 1, 1], {}, { timing: { installSeconds: 600, rebootSeconds: 300, resyncSeconds: 300 } }));
  expect(box.run(['get-run', '--simulate', fixture, '--sim-reset']).code).toBe(0);
  for (let round = 0; round < ROUNDS; round++) {
    const args = ['run', '--simulate', fixture, '--sim-reset', '--force', '--output', 'ndjson', '--sim-speed', '300'];
    const racers = [box.start(args), box.start(args)];
    const started = racers.map((child) => whenEvent(child, (e) => e.type === 'run-started').then(() => true, () => false));
    const done = racers.map((child) => collect(child));
    const first = await Promise.race(done.map((d, i) => d.then((result) => ({ i, result }))));
    const winner: ChildProcess = racers[1 - first.i]!;
    const context = `round ${round}: first exit ${first.result.code}\n${first.result.stderr}`;
    // The one that ended first was refused before touching anything; it never started a run.
    if (first.result.code !== 5 || !/locked by|took the cluster lock|--sim-reset refused/.test(first.result.stderr)) throw new Error(context);
    expect(await started[first.i]).toBe(false);
    // The other one proceeds; stop it at a safe point.
    if (!(await started[1 - first.i])) throw new Error(`${context}\nthe other coordinator did not start either: ${(await done[1 - first.i]!).stderr}`);
    winner.kill('SIGTERM');
    const second = await done[1 - first.i]!;
    if (second.code !== 3 && second.code !== 0) throw new Error(`${context}\nwinner exit ${second.code}: ${second.stderr}`);
    expectCleanCluster(readBack(box, fixture));
  }
}, 600_000);
