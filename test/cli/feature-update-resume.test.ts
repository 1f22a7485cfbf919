/**
 * Issue 14, the way back from an interrupted feature update: `feature-update --resume`. On the built CLI and the
 * simulator: a feature update stopped mid-rolling (SIGTERM at a safe point) or killed mid-node (SIGKILL) is
 * finished by `feature-update --resume` without its pre-checks (the nodes run mixed builds), its rolling run
 * continued from its journal, the functional level raised once, no node left paused; every refusal on the way
 * names a command that works. Nothing to resume → exit 5; two open → exit 5 naming both, --run-id picks.
 */
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseJson, sandbox, type Sandbox } from '../support/cli.js';
import { collect, expectCleanCluster, readBack, whenEvent } from '../support/state-checks.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

interface FeatureDoc {
  status: string;
  runId: string;
  steps: Array<{ step: string; status: string; detail: string }>;
  buildsAfter: Record<string, number>;
  functionalLevel: number;
  simulation: { violations: string[] };
}

const FEATURE = { title: 'Feature update to Windows Server 2025', targetBuild: 26100, kb: 'KB5044284' };

/** Three nodes on Windows Server 2022, each offered the same feature update; long enough to be interrupted. */
function featureCluster(name: string): string {
  return box.fixture({
    name,
    functionalLevel: 11,
    timing: { installSeconds: 600, rebootSeconds: 300, resyncSeconds: 300 },
    storage: { s2d: true },
    quorum: { witnessType: 'Cloud', witnessState: 'Online' },
    nodes: ['NODE1', 'NODE2', 'NODE3'].map((node) => ({ name: node, roles: [`${node}-VM1`], osBuild: 20348, featureUpdate: FEATURE })),
  });
}

const runsDir = (cluster: string): string => join(box.stateDir, 'runs', cluster);
const featureJournals = (cluster: string): string[] => readdirSync(runsDir(cluster)).filter((f) => /^feature-.*\.jsonl$/.test(f));

function resume(fixture: string, ...extra: string[]): ReturnType<Sandbox['run']> {
  return box.run(['feature-update', '--simulate', fixture, '--sim-speed', 'max', '--resume', '--force', ...extra]);
}

describe('feature-update --resume', () => {
  it('after SIGTERM mid-rolling: says how to go on; --resume finishes the upgrade and raises the level once', async () => {
    const fixture = featureCluster('FURES1');
    const child = box.start(['feature-update', '--simulate', fixture, '--sim-reset', '--sim-speed', '600', '--wu-connected', '--update-cluster-functional-level', '--force', '--output', 'ndjson']);
    const done = collect(child);
    await whenEvent(child, (e) => e.type === 'node-completed');
    child.kill('SIGTERM');
    const stopped = await done;
    expect(stopped.code).toBe(3);
    expect(stopped.stderr).toContain('Continue later with: cauctl feature-update --simulate');
    expect(stopped.stderr).toMatch(/--resume --force/);
    // Stopped at a safe point: nothing paused, the lock free.
    expectCleanCluster(readBack(box, fixture));

    // A second open feature update (a copy of the first under another id) makes --resume ambiguous.
    const [journal] = featureJournals('FURES1');
    const firstId = journal!.replace(/^feature-|\.jsonl$/g, '');
    const copyId = 'copy-0000';
    writeFileSync(join(runsDir('FURES1'), `feature-${copyId}.jsonl`), readFileSync(join(runsDir('FURES1'), journal!), 'utf8').replaceAll(firstId, copyId));
    copyFileSync(join(runsDir('FURES1'), journal!.replace(/\.jsonl$/, '.meta.json')), join(runsDir('FURES1'), `feature-${copyId}.meta.json`));
    const ambiguous = resume(fixture);
    expect(ambiguous.code).toBe(5);
    expect(ambiguous.stderr).toMatch(/2 feature updates of FURES1 were interrupted: .*copy-0000.*nothing was touched/s);
    expect(ambiguous.stderr).toMatch(/try: name the one to continue \(the newest is first\): cauctl feature-update --simulate \S+ --resume --run-id \S+ --force/);

    const resumed = resume(fixture, '--run-id', firstId, '--json');
    expect(resumed.code).toBe(0);
    const doc = parseJson<FeatureDoc>(resumed);
    expect(doc.status).toBe('Succeeded');
    expect(doc.steps.map((s) => `${s.step} ${s.status}`)).toEqual(['coordinator Succeeded', 'resume Succeeded', 'rolling-run Succeeded', 'functional-level Succeeded']);
    expect(doc.buildsAfter).toEqual({ NODE1: 26100, NODE2: 26100, NODE3: 26100 });
    expect(doc.functionalLevel).toBe(12);
    expect(doc.simulation.violations).toEqual([]);
    expectCleanCluster(readBack(box, fixture));

    // The copy is still open, and the one finished is never resumed again.
    const ended = resume(fixture, '--run-id', firstId);
    expect(ended.code).toBe(5);
    expect(ended.stderr).toMatch(/Feature update \S+ of FURES1 already ended; nothing to resume/);
    // The copy is still open: a new feature update is refused, unless the rehearsal starts again (--sim-reset).
    expect(box.run(['feature-update', '--simulate', fixture, '--sim-speed', 'max', '--wu-connected', '--force']).stderr).toMatch(/Feature update copy-0000 of FURES1 .*did not finish/);
    expect(box.run(['feature-update', '--simulate', fixture, '--sim-reset', '--sim-speed', 'max', '--wu-connected', '--force']).code).toBe(0);
    expect(resume(fixture).code).toBe(5);
  }, 120_000);

  it('after SIGKILL mid-node: a new feature-update and run --resume point to feature-update --resume, which finishes it', async () => {
    const fixture = featureCluster('FURES2');
    const child = box.start(['feature-update', '--simulate', fixture, '--sim-reset', '--sim-speed', '600', '--wu-connected', '--force', '--output', 'ndjson']);
    const done = collect(child);
    await whenEvent(child, (e) => e.type === 'phase-started' && e.phase === 'install');
    child.kill('SIGKILL');
    await done;

    const again = box.run(['feature-update', '--simulate', fixture, '--sim-speed', 'max', '--wu-connected', '--force']);
    expect(again.code).toBe(5);
    expect(again.stderr).toMatch(/Feature update \S+ of FURES2 \(started [^)]+\) did not finish; .*Nothing was touched/);
    expect(again.stderr).toMatch(/try: continue it with cauctl feature-update --simulate \S+ --resume --run-id \S+ --force/);
    const runResume = box.run(['run', '--simulate', fixture, '--sim-speed', 'max', '--resume', '--force']);
    expect(runResume.code).toBe(2);
    expect(runResume.stderr).toMatch(/try: it is the rolling run of feature update \S+, which also has steps after it: continue it with cauctl feature-update --simulate \S+ --resume --run-id \S+ --force/);

    const resumed = resume(fixture, '--json');
    expect(resumed.code).toBe(0);
    const doc = parseJson<FeatureDoc>(resumed);
    expect(doc.status).toBe('Succeeded');
    // The rolling run the kill interrupted was continued from its journal, not replaced.
    expect(doc.steps.find((s) => s.step === 'resume')?.detail).toContain(`after its rolling run ${doc.runId}`);
    expect(doc.buildsAfter).toEqual({ NODE1: 26100, NODE2: 26100, NODE3: 26100 });
    expect(doc.simulation.violations).toEqual([]);
    expectCleanCluster(readBack(box, fixture));

    const nothing = resume(fixture);
    expect(nothing.code).toBe(5);
    expect(nothing.stderr).toMatch(/No interrupted feature update of FURES2 in this state directory, so there is nothing to resume; nothing was touched/);
    expect(nothing.stderr).toMatch(/try: check the cluster with cauctl get-run --simulate \S+ --show-cluster-node-state; to start a new feature update: cauctl feature-update/);
  }, 120_000);

  it('with nothing to resume: exit 5, nothing touched; a source or --prepare with --resume is exit 2', () => {
    const fixture = featureCluster('FURES3');
    const nothing = box.run(['feature-update', '--simulate', fixture, '--sim-reset', '--resume', '--force']);
    expect(nothing.code).toBe(5);
    expect(nothing.stderr).toMatch(/No interrupted feature update of FURES3/);
    const mixed = box.run(['feature-update', '--simulate', fixture, '--resume', '--wu-connected', '--prepare', '--force']);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/--wu-connected cannot go with --resume/);
    expect(mixed.stderr).toMatch(/--prepare cannot go with --resume/);
  });
});
