/**
 * Issue 14, points 2, 4 and 7 on the built CLI: torn journals, a full disk mid-node, what --resume continues,
 * --force-recovery's abandoned runs, a state directory that is a file, export-report onto a folder. After
 * each: no node left paused by the run, the lock free (or held with a clear message), and every command that
 * reads the state works.
 */
import { appendFileSync, chmodSync, chownSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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

describe('a state directory that others can read (issue 14 §8)', () => {
  /** Every path under `dir` (itself included) with its permission bits, links left out. */
  function modes(dir: string): Record<string, string> {
    const out: Record<string, string> = { '.': (statSync(dir).mode & 0o777).toString(8) };
    for (const entry of readdirSync(dir, { recursive: true }) as string[]) {
      const stat = lstatSync(join(dir, entry));
      if (!stat.isSymbolicLink()) out[entry] = (stat.mode & 0o777).toString(8);
    }
    return out;
  }

  /** What an older cauctl left: folders 0755, files 0644. */
  function loosen(dir: string): void {
    chmodSync(dir, 0o755);
    for (const entry of readdirSync(dir, { recursive: true }) as string[]) {
      const path = join(dir, entry);
      const stat = lstatSync(path);
      if (!stat.isSymbolicLink()) chmodSync(path, stat.isDirectory() ? 0o755 : 0o644);
    }
  }

  it("holding only cauctl's own files: made the user's only (folders 700, files 600), said once, and the command works", () => {
    const fixture = box.fixture(aCluster('LOOSE', [1, 1]));
    expect(box.run(['run', '--simulate', fixture, '--sim-reset', '--force']).code).toBe(0);
    loosen(box.stateDir);
    expect(Object.values(modes(box.stateDir))).toContain('644');

    const first = box.run(['get-report', '--simulate', fixture, '--json']);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain(`the state directory ${box.stateDir} could be read by other users (mode 755); it is now yours only`);
    expect(parseJson<{ reports: unknown[] }>(first).reports).toHaveLength(1);
    const after = modes(box.stateDir);
    expect(Object.entries(after).filter(([, mode]) => !['700', '600'].includes(mode))).toEqual([]);
    expect(Object.keys(after).length).toBeGreaterThan(5);

    const second = box.run(['scan', '--simulate', fixture]);
    expect(second.code).toBe(0);
    expect(second.stderr).not.toContain('could be read by other users');
  });

  it('holding files cauctl did not make: refused (exit 2) naming the folder and the files, modes and contents left as they were', () => {
    const fixture = box.fixture(aCluster('FOREIGN', [1, 1]));
    mkdirSync(box.stateDir, { mode: 0o755 });
    chmodSync(box.stateDir, 0o755);
    writeFileSync(join(box.stateDir, 'notes.txt'), 'mine\n', { mode: 0o644 });
    const before = modes(box.stateDir);
    for (const args of [['scan', '--simulate', fixture, '--json'], ['get-report', '--simulate', fixture, '--json']]) {
      const result = box.run(args);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(parseJson(result)).toMatchObject({ error: { code: 'STATE_DIR_INSECURE', exitCode: 2 } });
      expect(result.stderr).toContain(`The state directory ${box.stateDir} can be read by other users (mode 755) and holds files cauctl did not make (notes.txt)`);
      expect(result.stderr).toContain(`try: If it is cauctl's own folder, make it yours only with: chmod -R go-rwx ${box.stateDir}`);
    }
    expect(modes(box.stateDir)).toEqual(before);
    expect(readdirSync(box.stateDir)).toEqual(['notes.txt']);
  });

  (process.getuid?.() === 0 ? it : it.skip)("another user's folder: refused (exit 2), nothing changed", () => {
    mkdirSync(box.stateDir, { mode: 0o755 });
    chmodSync(box.stateDir, 0o755);
    chownSync(box.stateDir, 54321, 54321);
    const result = box.run(['scan', '--simulate', '--json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`The state directory ${box.stateDir} belongs to another user (uid 54321)`);
    expect(modes(box.stateDir)).toEqual({ '.': '755' });
  });
});
