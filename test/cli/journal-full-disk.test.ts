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
  expect(result.stderr).toMatch(/try: .*cauctl run (--simulate \S+ )?--resume --force/);
  for (const path of journals('FULL')) {
    const text = readFileSync(path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(() => readJournal(path)).not.toThrow();
    expect(text).not.toContain('"step":"suspended"');
  }
  // Space is back (no injection in the reading commands): everything reads, nothing is left paused.
  expectCleanCluster(readBack(box, fixture));
}, 120_000);

// The hint names the command that continues this run: inside a feature update its rolling run is continued by
// feature-update --resume, and standalone servers by clusterless-run --resume (both hints said run --resume).
it.each([
  {
    what: 'a feature update',
    args: (fixture: string) => ['feature-update', '--simulate', fixture, '--sim-reset', '--sim-speed', '600', '--wu-connected', '--force'],
    fixture: () =>
      box.fixture({
        name: 'FULLFU',
        functionalLevel: 11,
        timing: { installSeconds: 600, rebootSeconds: 300, resyncSeconds: 300 },
        storage: { s2d: true },
        quorum: { witnessType: 'Cloud', witnessState: 'Online' },
        nodes: ['NODE1', 'NODE2'].map((node) => ({ name: node, roles: [`${node}-VM1`], osBuild: 20348, featureUpdate: { title: 'Feature update to Windows Server 2025', targetBuild: 26100, kb: 'KB5044284' } })),
      }),
    at: '"step":"suspended"',
    resume: /try: .*cauctl feature-update (--simulate \S+ )?--resume/,
  },
  {
    what: 'a clusterless run',
    args: (fixture: string) => ['clusterless-run', '--simulate', fixture, '--sim-reset', '--sim-speed', '600', '--computer-name', 'SRV1,SRV2', '--force'],
    fixture: () => join(ROOT, 'fixtures', 'clusters', 'standalone-3.json'),
    at: '"step":"task-started"',
    resume: /try: .*cauctl clusterless-run (--simulate \S+ )?--resume/,
  },
])('a full disk inside $what: exit 3, and the hint names the command that continues it', async ({ args, fixture, at, resume }) => {
  const child = box.start(args(fixture()), { env: { NODE_OPTIONS: `--import ${join(ROOT, 'test', 'support', 'full-disk.mjs')}`, CAUCTL_TEST_DISK_FULL_AT: at } });
  const result = await collect(child);
  expect(result.stderr).not.toMatch(/internal error|this is a bug/);
  expect(result.code).toBe(3);
  expect(result.stderr).toMatch(/could not be written \(ENOSPC\)/);
  expect(result.stderr).toMatch(resume);
  expect(result.stderr).not.toMatch(/try: .*cauctl run --resume/);
}, 120_000);
