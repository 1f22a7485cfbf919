/**
 * Issue 14, point 1 (invariant 10): SIGTERM and SIGHUP stop a run like the first Ctrl-C, a second SIGTERM
 * does what a second Ctrl-C does, and a closed stdout/stderr (`| head -1`) ends output and nothing else.
 * Real signals and real pipes on the built CLI; the run's progress is followed through its NDJSON events.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, aCluster, sandbox, type Sandbox } from '../support/cli.js';
import { collect, expectCleanCluster, readBack, whenEvent } from '../support/state-checks.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

/** A three-node cluster whose run lasts a few real seconds at --sim-speed 600, so signals land inside it. */
function slowCluster(name: string): string {
  return box.fixture(aCluster(name, [1, 1, 1], {}, { timing: { installSeconds: 600, rebootSeconds: 300, resyncSeconds: 300 } }));
}

describe.each(['SIGTERM', 'SIGHUP'] as const)('%s mid-node', (signal) => {
  it('stops at the next safe point: Canceled, exit 3, no node left paused, the lock free', async () => {
    const fixture = slowCluster('SIG');
    const child = box.start(['run', '--simulate', fixture, '--sim-reset', '--force', '--output', 'ndjson', '--sim-speed', '600']);
    const done = collect(child);
    await whenEvent(child, (e) => e.type === 'phase-started' && e.phase === 'install');
    child.kill(signal);
    const result = await done;

    expect(result.signal).toBeNull();
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`${signal}: stopping at the next safe point`);
    const events = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.at(-1)).toMatchObject({ type: 'run-completed', status: 'Canceled' });
    const view = readBack(box, fixture);
    expectCleanCluster(view);
    expect(view.reports.map((r) => r.status)).toEqual(['Canceled']);
  }, 60_000);
});

it('a second SIGTERM, like a second Ctrl-C, says what is still paused, and the run still ends at a safe point', async () => {
  const fixture = slowCluster('SIGTWO');
  const child = box.start(['run', '--simulate', fixture, '--sim-reset', '--force', '--output', 'ndjson', '--sim-speed', '600']);
  const done = collect(child);
  await whenEvent(child, (e) => e.type === 'phase-started' && e.phase === 'install');
  child.kill('SIGTERM');
  // The first interrupt's message is on stderr before the second signal is sent: an event, not a delay.
  await new Promise<void>((resolve, reject) => {
    child.on('close', () => reject(new Error('the run ended on the first SIGTERM')));
    let seen = '';
    child.stderr?.on('data', function onData(d: Buffer) {
      seen += d.toString();
      if (seen.includes('stopping at the next safe point')) {
        child.stderr?.off('data', onData);
        resolve();
      }
    });
  });
  child.kill('SIGTERM');
  const result = await done;
  expect(result.code).toBe(3);
  expect(result.stderr).toMatch(/still paused by this run: (NODE\d|nothing)/);
  expectCleanCluster(readBack(box, fixture));
}, 60_000);

it('`run … 2>&1 | head -1` on a live run: the run goes on to its end, reaches the history, and leaves nothing paused', () => {
  const fixture = slowCluster('PIPED');
  const statusFile = join(box.dir, 'status');
  // bash, so that PIPESTATUS gives cauctl's own exit code rather than head's.
  const script = `"${process.execPath}" "${BIN}" run --simulate "${fixture}" --sim-reset --force --sim-speed 600 2>&1 | head -1; echo "\${PIPESTATUS[0]}" > "${statusFile}"`;
  const shell = spawnSync('bash', ['-c', script], { cwd: ROOT, env: { ...process.env, CAUCTL_STATE_DIR: box.stateDir, NO_COLOR: '1' }, encoding: 'utf8', timeout: 120_000 });
  expect(shell.stdout.split('\n').filter((l) => l !== '')).toHaveLength(1);
  expect(readFileSync(statusFile, 'utf8').trim()).toBe('0');
  const view = readBack(box, fixture);
  expectCleanCluster(view);
  expect(view.reports.map((r) => r.status)).toEqual(['Succeeded']);
}, 120_000);
