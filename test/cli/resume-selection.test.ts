/**
 * Issue 14 §4 and §3 for `offline-update` and `feature-update` on the built CLI: `offline-update --resume`
 * continues the one interrupted offline update (or the one --run-id names), refuses with exit 5 and touches
 * nothing when there is none (it used to start a new update, which stops the cluster), and names them all when
 * there are several; both commands check that the state directory can be written before touching anything.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { aCluster, parseJson, sandbox, type Sandbox } from '../support/cli.js';
import { collect, expectCleanCluster, readBack, whenEvent } from '../support/state-checks.js';

interface OfflineDoc {
  runId: string;
  status: string;
  resumed: boolean;
}

interface ModelDoc {
  clusterStopped?: boolean;
  nodes: Array<{ name: string; clusterState: string }>;
}

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

const TIMING = { installSeconds: 600, rebootSeconds: 300, stopClusterSeconds: 60, startClusterSeconds: 90, diskStateSeconds: 10 };
const fixture = (name: string): string => box.fixture(aCluster(name, [1, 1, 1], {}, { timing: TIMING, storage: { s2d: true, virtualDisks: ['Data1'] } }));

function runsDir(cluster: string): string {
  return join(box.stateDir, 'runs', cluster);
}

function files(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function model(cluster: string): ModelDoc {
  return JSON.parse(readFileSync(join(box.stateDir, 'sim', cluster, 'model.json'), 'utf8')) as ModelDoc;
}

/** Starts an offline update and SIGKILLs it once its journal shows the installs under way. */
async function killDuringInstalls(path: string): Promise<string> {
  const child = box.start(['offline-update', '--simulate', path, '--sim-reset', '--force', '--json', '--sim-speed', '300']);
  const done = collect(child);
  const until = Date.now() + 60_000;
  for (;;) {
    const journal = files(runsDir('OFFR')).find((f) => f.endsWith('.jsonl'));
    const text = journal === undefined ? '' : readFileSync(join(runsDir('OFFR'), journal), 'utf8');
    if (/"step":"task-started"/.test(text)) {
      child.kill('SIGKILL');
      await done;
      return journal!.replace(/\.jsonl$/, '');
    }
    if (Date.now() > until) throw new Error('the offline update never reached its installs');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('offline-update --resume', () => {
  it('with nothing to resume: exit 5, nothing touched, and the hint is a command that works', () => {
    const path = fixture('OFFN');
    expect(box.run(['scan', '--simulate', path, '--sim-reset', '--json']).code).toBe(0);
    const refused = box.run(['offline-update', '--simulate', path, '--resume', '--force', '--json']);
    expect(refused.code).toBe(5);
    expect(parseJson(refused)).toMatchObject({ error: { code: 'NOTHING_TO_RESUME', exitCode: 5 } });
    expect(refused.stderr).toContain('No interrupted offline update of OFFN in this state directory, so there is nothing to resume; nothing was touched.');
    expect(files(runsDir('OFFN'))).toEqual([]);
    expect(model('OFFN').clusterStopped ?? false).toBe(false);
    expectCleanCluster(readBack(box, path));
    const hint = /try: check the cluster with (cauctl .*?);/.exec(refused.stderr)?.[1];
    expect(hint).toBeDefined();
    expect(box.run(hint!.split(' ').slice(1)).code).toBe(0);
  }, 60_000);

  it('with two interrupted: exit 5 naming both, newest first; --run-id continues the one named; it then counts as ended', async () => {
    const path = fixture('OFFR');
    const first = await killDuringInstalls(path);
    // A second interrupted update, started later by the wall clock: the first one's journal under another id.
    const second = '99999999-9999-4999-8999-999999999999';
    const journal = readFileSync(join(runsDir('OFFR'), `${first}.jsonl`), 'utf8');
    writeFileSync(join(runsDir('OFFR'), `${second}.jsonl`), journal.replaceAll(first, second));
    writeFileSync(join(runsDir('OFFR'), `${second}.meta.json`), JSON.stringify({ version: 1, startedAt: new Date(Date.now() + 60_000).toISOString() }));

    const ambiguous = box.run(['offline-update', '--simulate', path, '--resume', '--force', '--json']);
    expect(ambiguous.code).toBe(5);
    expect(parseJson(ambiguous)).toMatchObject({ error: { code: 'RESUME_AMBIGUOUS', details: { runIds: [second, first] } } });
    expect(ambiguous.stderr).toMatch(new RegExp(`2 offline updates of OFFR were interrupted: ${second} \\(started [^)]+\\), ${first} \\(started [^)]+\\); nothing was touched`));
    expect(ambiguous.stderr).toContain(`try: name the one to continue (the newest is first): cauctl offline-update --simulate ${path} --resume --run-id ${second} --force`);
    expect(model('OFFR').clusterStopped).toBe(true);

    const resumed = box.run(['offline-update', '--simulate', path, '--resume', '--run-id', first, '--force', '--json']);
    expect(resumed.code).toBe(0);
    expect(parseJson<OfflineDoc>(resumed)).toMatchObject({ runId: first, status: 'Succeeded', resumed: true });
    expect(model('OFFR').clusterStopped ?? false).toBe(false);

    const again = box.run(['offline-update', '--simulate', path, '--resume', '--run-id', first, '--force', '--json']);
    expect(again.code).toBe(5);
    expect(parseJson(again)).toMatchObject({ error: { code: 'RUN_ALREADY_ENDED' } });
  }, 180_000);

  it('--run-id of a rolling run: exit 5, pointing at run --resume', () => {
    const path = fixture('OFFX');
    const run = box.run(['run', '--simulate', path, '--sim-reset', '--force', '--json']);
    expect(run.code).toBe(0);
    const runId = parseJson<{ runId: string }>(run).runId;
    const refused = box.run(['offline-update', '--simulate', path, '--resume', '--run-id', runId, '--force']);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain(`Run ${runId} of OFFX is a rolling run, not an offline update; nothing was touched.`);
    expect(refused.stderr).toContain(`try: cauctl run --simulate ${path} --resume --run-id ${runId} --force`);
  }, 60_000);

  it('--run-id without --resume is a usage error (exit 2)', () => {
    const result = box.run(['offline-update', '--simulate', '--run-id', 'abc', '--force']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--run-id goes with --resume');
  });
});

describe('a state directory whose journals cannot be written: refused before anything is touched', () => {
  it.each([
    ['offline-update', ['offline-update', '--force']],
    ['feature-update', ['feature-update', '--wu-connected', '--force']],
  ])('%s: exit 2 naming the folder, the cluster untouched', (_name, args) => {
    const path = box.fixture(
      aCluster('NOWRITE', [1, 1, 1], Object.fromEntries([1, 2, 3].map((i) => [`NODE${i}`, { featureUpdate: { title: 'Windows Server 2025', targetBuild: 26100, kb: 'KB5044284' } }])), {
        timing: TIMING,
        storage: { s2d: true },
      }),
    );
    expect(box.run(['scan', '--simulate', path, '--sim-reset', '--json']).code).toBe(0);
    // `runs` is a file: the journal folder cannot be made.
    writeFileSync(join(box.stateDir, 'runs'), 'not a folder');
    const result = box.run([...args, '--simulate', path, '--json']);
    expect(result.code).toBe(2);
    expect(parseJson(result)).toMatchObject({ error: { code: 'STATE_DIR_UNWRITABLE', exitCode: 2 } });
    expect(result.stderr).toContain(`The state directory ${join(box.stateDir, 'runs', 'NOWRITE')} cannot be written`);
    expect(result.stderr).toContain('nothing was touched');
    const m = model('NOWRITE');
    expect({ stopped: m.clusterStopped ?? false, states: m.nodes.map((n) => n.clusterState) }).toEqual({ stopped: false, states: ['Up', 'Up', 'Up'] });
  }, 60_000);
});

describe('run --resume of a feature update interrupted in its rolling run', () => {
  it('with other plug-ins than the run started with: exit 2, nothing touched; the hinted feature-update --resume finishes it', async () => {
    const child = box.start(['feature-update', '--simulate', '--sim-reset', '--sim-speed', '300', '--wu-connected', '--force', '--output', 'ndjson']);
    const done = collect(child);
    await whenEvent(child, (e) => e.type === 'phase-started' && e.phase === 'install');
    child.kill('SIGKILL');
    await done;

    const refused = box.run(['run', '--simulate', '--resume', '--force', '--json']);
    expect(refused.code).toBe(2);
    expect(parseJson(refused)).toMatchObject({ error: { code: 'RESUME_PLUGINS_DIFFER', details: { plugins: ['Microsoft.RollingUpgradePlugin'] } } });
    expect(refused.stderr).toContain('was started with Microsoft.RollingUpgradePlugin; this command names Microsoft.WindowsUpdatePlugin');

    // The way on is feature-update --resume (it also does the steps after the rolling run), not run --resume.
    const hint = /try: it is the rolling run of feature update \S+, which also has steps after it: continue it with cauctl (.*)$/m.exec(refused.stderr)?.[1];
    expect(hint).toBeDefined();
    const resumed = box.run([...hint!.split(' '), '--json']);
    expect(resumed.code).toBe(0);
    const doc = parseJson<{ status: string; steps: Array<{ step: string }>; simulation: { violations: string[] } }>(resumed);
    expect(doc.status).toBe('Succeeded');
    expect(doc.steps.map((s) => s.step)).toContain('resume');
    expect(doc.simulation.violations).toEqual([]);
    expect(parseJson<{ runState: string }>(box.run(['get-run', '--simulate', '--json'])).runState).toBe('RunNotInProgress');
  }, 180_000);
});
