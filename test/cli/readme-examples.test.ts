/**
 * Issue 15 §7: the README's examples work as written. Every `npx cauctl … --simulate …` line of its sh blocks
 * (the quick start's included) runs through a shell, in order, from the clone's directory, as a reader would
 * paste it; none may end in a usage error or a bug, and the exit code is the one the README states. npm runs
 * offline here, so an `npx cauctl` that did not find this clone's build would fail instead of downloading.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, sandbox, type Sandbox } from '../support/cli.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The lines of the ```sh blocks, and of the quick start the command after the build. */
function examples(): string[] {
  const blocks = [...README.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks
    .flatMap((block) => block.split('\n'))
    .map((line) => (line.includes('&& npx cauctl') ? line.slice(line.indexOf('npx cauctl')) : line))
    .filter((line) => line.startsWith('npx cauctl ') && line.includes('--simulate'));
}

/** What the README says these end with: test-setup on the model with problems fails its Error rules (exit 5). */
const EXPECTED_EXIT: ReadonlyArray<[RegExp, number]> = [[/^npx cauctl test-setup --simulate \S+setup-problems\.json$/, 5]];

/** The file the export-report example writes, in the clone's directory where the examples run. */
const REPORT = join(ROOT, 'report.html');

let box: Sandbox;
beforeAll(() => {
  box = sandbox();
  rmSync(REPORT, { force: true });
});
afterAll(() => {
  rmSync(REPORT, { force: true });
  box.cleanup();
});

describe('README', () => {
  it('reads npx cauctl in every example, and the quick start is two lines', () => {
    const quickStart = /## Quick start\n\n```sh\n([\s\S]*?)```/.exec(README)![1]!.trim().split('\n');
    expect(quickStart).toEqual(['npm ci && npm run build && npx cauctl run --simulate --sim-reset --force', 'npm test']);
    const bare = README.split('\n').filter((line) => /^cauctl /.test(line));
    expect(bare).toEqual([]);
    expect(examples().length).toBeGreaterThan(10);
  });

  it('runs every simulated example as written, in order', () => {
    const results = examples().map((line) => {
      const r = spawnSync('sh', ['-c', line], {
        cwd: ROOT,
        env: { ...process.env, CAUCTL_STATE_DIR: box.stateDir, NO_COLOR: '1', CAUCTL_PASSWORD: undefined, npm_config_offline: 'true' },
        input: '',
        encoding: 'utf8',
        timeout: 120_000,
      });
      const expected = EXPECTED_EXIT.find(([pattern]) => pattern.test(line))?.[1] ?? 0;
      return { line, code: r.status, expected, stderr: r.status === expected ? '' : r.stderr.slice(-400) };
    });
    expect(results.filter((r) => r.code !== r.expected)).toEqual([]);
  }, 600_000);
});
