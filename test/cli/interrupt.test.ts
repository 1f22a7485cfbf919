/**
 * Ctrl-C in `run` (issue 3): the first stops at the next safe point like stop-run, the second says what is
 * still paused, and the run ends Canceled with exit 3 and nothing left paused.
 */
import { spawn } from 'node:child_process';
import { BIN, ROOT, aCluster, parseJson, sandbox, type Sandbox } from '../support/cli.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

it('stops at a safe point on Ctrl-C and names what is still paused on the second', async () => {
  const fixture = box.fixture(aCluster('CTRLC', [1, 1, 1]));
  const child = spawn(process.execPath, [BIN, 'run', '--simulate', fixture, '--sim-reset', '--force', '--json', '--sim-speed', '120'], {
    cwd: ROOT,
    env: { ...process.env, CAUCTL_STATE_DIR: box.stateDir, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  // Wait until a node is in maintenance (drained), then interrupt twice.
  const deadline = Date.now() + 30000;
  for (;;) {
    const view = parseJson<{ currentPhase: string | null }>(box.run(['get-run', '--simulate', fixture, '--json']));
    if (view.currentPhase === 'install' || view.currentPhase === 'reboot') break;
    if (Date.now() > deadline) throw new Error(`the run never reached install: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGINT');
  await new Promise((r) => setTimeout(r, 300));
  child.kill('SIGINT');
  const code = await exited;

  expect(stderr).toMatch(/stopping at the next safe point/);
  expect(stderr).toMatch(/still paused by this run: NODE\d/);
  expect(code).toBe(3);
  const doc = JSON.parse(stdout) as { status: string; errorRecord: { code: string }; nodeResults: Array<{ status: string }>; simulation: { violations: string[] } };
  expect(doc.status).toBe('Canceled');
  expect(doc.errorRecord.code).toBe('UserCanceled');
  expect(doc.nodeResults.map((r) => r.status)).toEqual(['Succeeded', 'Canceled', 'Canceled']);
  expect(doc.simulation.violations).toEqual([]);
}, 60000);
