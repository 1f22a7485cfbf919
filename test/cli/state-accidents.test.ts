/**
 * Issue 14, points 2, 4 and 7 on the built CLI: torn journals, a full disk mid-node, what --resume continues,
 * --force-recovery's abandoned runs, a state directory that is a file, export-report onto a folder. After
 * each: no node left paused by the run, the lock free (or held with a clear message), and every command that
 * reads the state works.
 */
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJournal } from '../../src/journal/journal.js';
import { aCluster, parseJson, sandbox, type Sandbox } from '../support/cli.js';
import { collect, expectCleanCluster, readBack, whenEvent } from '../support/state-checks.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

function journals(cluster: string): string[] {
  const dir = join(box.stateDir, 'runs', cluster);
  return readdirSync(dir).filter((f) => f.endsWith('.jsonl')).map((f) => join(dir, f));
}

/** Starts a run (NDJSON on stdout) and SIGKILLs it once a node is in its install: a coordinator that died mid-node. */
async function killMidNode(args: readonly string[]): Promise<void> {
  const child = box.start([...args, '--force', '--output', 'ndjson', '--sim-speed', '600']);
  const done = collect(child);
  await whenEvent(child, (e) => e.type === 'phase-started' && e.phase === 'install');
  child.kill('SIGKILL');
  await done;
}

function slowCluster(name: string): string {
  return box.fixture(aCluster(name, [1, 1, 1], {}, { timing: { installSeconds: 600, rebootSeconds: 300, resyncSeconds: 300 } }));
}

it('a torn tail, then two resumes (the first one killed too), then get-run and get-report', async () => {
  const fixture = slowCluster('TORN');
  await killMidNode(['run', '--simulate', fixture, '--sim-reset']);
  const [path] = journals('TORN');
  appendFileSync(path!, '{"type":"step","node":"NODE1","st');

  const first = box.start(['run', '--simulate', fixture, '--resume', '--verbose', '--force', '--output', 'ndjson', '--sim-speed', '600']);
  const firstDone = collect(first);
  // Killed once it has appended (a node finished since the resume), so both resumes write to the journal.
  await whenEvent(first, (e) => e.type === 'node-completed');
  first.kill('SIGKILL');
  const firstResult = await firstDone;
  expect(firstResult.stderr).toMatch(/cut a torn last record \(\d+ bytes/);
  expect(() => readJournal(path!)).not.toThrow();

  const second = box.run(['run', '--simulate', fixture, '--resume', '--force', '--json']);
  expect(second.code).toBe(0);
  expect(parseJson<{ status: string; resumed: boolean }>(second)).toMatchObject({ status: 'Succeeded', resumed: true });
  expect(readFileSync(path!, 'utf8').endsWith('\n')).toBe(true);
  const view = readBack(box, fixture);
  expectCleanCluster(view);
  expect(view.reports.map((r) => r.status)).toEqual(['Succeeded']);
}, 120_000);

it('--resume with nothing to resume exits 5, touches nothing, and its hint works', () => {
  const fixture = box.fixture(aCluster('NOTHING', [1, 1]));
  const refused = box.run(['run', '--simulate', fixture, '--sim-reset', '--resume', '--force', '--json']);
  expect(refused.code).toBe(5);
  expect(parseJson(refused).error).toMatchObject({ code: 'NOTHING_TO_RESUME', exitCode: 5 });
  expect(refused.stderr).toMatch(/nothing was touched/);
  const hint = /try: start a new run: (cauctl .*)$/m.exec(refused.stderr)?.[1];
  expect(hint).toBe(`cauctl run --simulate ${fixture} --force`);
  const view = readBack(box, fixture);
  expect(view.reports).toEqual([]);
  expectCleanCluster(view);
  // The hint is a command that works in this state.
  expect(box.run(hint!.split(' ').slice(1)).code).toBe(0);
}, 60_000);

it('--force-recovery abandons the dead run; a later --resume never revives it and points at what works', async () => {
  const fixture = slowCluster('ABANDON');
  await killMidNode(['run', '--simulate', fixture, '--sim-reset']);
  const recovered = box.run(['run', '--simulate', fixture, '--force-recovery', '--force', '--json']);
  expect(recovered.code).toBe(0);
  const recovery = parseJson<{ recovered: boolean; abandonedRunId: string; possiblyPaused: string[] }>(recovered);
  expect(recovery.recovered).toBe(true);
  expect(recovery.possiblyPaused).toHaveLength(1);

  const resumed = box.run(['run', '--simulate', fixture, '--resume', '--force', '--json']);
  expect(resumed.code).toBe(5);
  expect(parseJson(resumed).error).toMatchObject({ code: 'NOTHING_TO_RESUME' });
  const byId = box.run(['run', '--simulate', fixture, '--resume', '--run-id', recovery.abandonedRunId, '--force', '--json']);
  expect(byId.code).toBe(5);
  expect(parseJson(byId).error).toMatchObject({ code: 'RUN_ABANDONED' });
  // The abandoned run's node is still paused (force-recovery only clears the lock); the hint resumes it.
  const hint = /resume it with (cauctl run [^,)]*--force)/.exec(byId.stderr)?.[1];
  expect(hint).toBe(`cauctl run --simulate ${fixture} --resume-node ${recovery.possiblyPaused[0]} --force`);
  expect(box.run(hint!.split(' ').slice(1)).code).toBe(0);
  expectCleanCluster(readBack(box, fixture));
}, 120_000);

describe('file-system errors are user errors', () => {
  it('a state directory that is a file: exit 2, a message naming it, no stack trace, for run and every reading command', () => {
    const fixture = box.fixture(aCluster('FILESTATE', [1, 1]));
    const stateFile = join(box.dir, 'state-is-a-file');
    writeFileSync(stateFile, 'not a folder');
    for (const args of [
      ['run', '--simulate', fixture, '--force'],
      ['get-run', '--simulate', fixture],
      ['get-report', '--simulate', fixture],
      ['add-role', '--simulate', fixture, '--force'],
    ]) {
      const result = box.run(args, { env: { CAUCTL_STATE_DIR: stateFile } });
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).toContain(stateFile);
      expect(result.stderr).toMatch(/try: /);
      expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
    }
  });

  it('export-report onto a folder: exit 2, the folder named, no stray temporary file', () => {
    const fixture = box.fixture(aCluster('EXPORTDIR', [1, 1]));
    expect(box.run(['run', '--simulate', fixture, '--sim-reset', '--force']).code).toBe(0);
    for (const force of [[], ['--force']]) {
      const result = box.run(['export-report', '--simulate', fixture, '--format', 'html', '--path', box.dir, ...force]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`${box.dir} is a folder`);
      expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
    }
    expect(readdirSync(box.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(readdirSync(join(box.dir, '..')).filter((f) => f.startsWith(`${box.dir.split('/').at(-1)!}.`))).toEqual([]);
    expectCleanCluster(readBack(box, fixture));
  });
});
