/**
 * Issue 14, point 3: a journal append that fails mid-node (an injected full disk: a short write, then ENOSPC)
 * is a safe halt with its own code and exit 3, never "internal error": no torn record is left, the node the run
 * paused is resumed and the lock released, and every command that reads the state works afterwards.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJournal } from '../../src/journal/journal.js';
import { ROOT, aCluster, sandbox, type Sandbox } from '../support/cli.js';
import { collect, expectCleanCluster, readBack } from '../support/state-checks.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

function journals(cluster: string): string[] {
  const dir = join(box.stateDir, 'runs', cluster);
  return readdirSync(dir).filter((f) => f.endsWith('.jsonl')).map((f) => join(dir, f));
}

function slowCluster(name: string): string {
  return box.fixture(aCluster(name, [1, 1, 1], {}, { timing: { installSeconds: 600, rebootSeconds: 300, resyncSeconds: 300 } }));
}

it('a full disk on a journal append mid-node: a safe halt with its own code and exit 3, no torn record, nothing paused', async () => {
  const fixture = slowCluster('FULL');
  const child = box.start(['run', '--simulate', fixture, '--sim-reset', '--force', '--json', '--sim-speed', '600'], {
    env: { NODE_OPTIONS: `--import ${join(ROOT, 'test', 'support', 'full-disk.mjs')}`, CAUCTL_TEST_DISK_FULL_AT: '"step":"suspended"' },
  });
  const result = await collect(child);
  expect(result.stderr).not.toMatch(/internal error|this is a bug/);
  expect(result.code).toBe(3);
  expect(result.stderr).toMatch(/could not be written \(ENOSPC\)/);
  expect(result.stderr).toMatch(/try: .*cauctl run --resume/);
  for (const path of journals('FULL')) {
    const text = readFileSync(path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(() => readJournal(path)).not.toThrow();
    expect(text).not.toContain('"step":"suspended"');
  }
  // Space is back (no injection in the reading commands): everything reads, nothing is left paused.
  expectCleanCluster(readBack(box, fixture));
}, 120_000);
