/**
 * Issue 14, point 5: two coordinators started at the same moment on one cluster: exactly one proceeds, the
 * other is refused before touching anything (exit 5), twenty times over. The model's scan is very long, so the
 * winner holds the lock (touching no node) whatever the start-up jitter of the two processes; once the loser
 * is refused, the winner is killed and its lock recovered, and the cluster must be clean each time. Real
 * processes, synchronised on events (exit, run-started), never on delays.
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
  const fixture = box.fixture(aCluster('RACE', [1, 1, 1], {}, { timing: { scanSeconds: 86_400 } }));
  expect(box.run(['get-run', '--simulate', fixture, '--sim-reset']).code).toBe(0);
  for (let round = 0; round < ROUNDS; round++) {
    const args = ['run', '--simulate', fixture, '--force', '--output', 'ndjson', '--sim-speed', '600'];
    const racers = [box.start(args), box.start(args)];
    const started = racers.map((child) => whenEvent(child, (e) => e.type === 'run-started').then(() => true, () => false));
    const done = racers.map((child) => collect(child));
    const first = await Promise.race(done.map((d, i) => d.then((result) => ({ i, result }))));
    const winner: ChildProcess = racers[1 - first.i]!;
    const context = `round ${round}: first exit ${first.result.code}\n${first.result.stderr}`;
    // The one that ended first was refused before touching anything; it never started a run.
    if (first.result.code !== 5 || !/LOCK_HELD|locked by|took the cluster lock/.test(first.result.stderr)) throw new Error(context);
    expect(await started[first.i]).toBe(false);
    // The other one proceeds (it is scanning, no node touched); end it and clear its lock for the next round.
    if (!(await started[1 - first.i])) throw new Error(`${context}\nthe other coordinator did not start either: ${(await done[1 - first.i]!).stderr}`);
    winner.kill('SIGKILL');
    await done[1 - first.i];
    const recovered = box.run(['run', '--simulate', fixture, '--force-recovery', '--force']);
    expect(recovered.stdout).toMatch(/Cleared the dead lock of run/);
    expectCleanCluster(readBack(box, fixture));
  }
}, 600_000);
