/**
 * Issue 16 §4 on the built CLI: clusterless-run and get-clusterless-run over the standalone models
 * (fixtures/clusters/standalone-*.json). Three servers, one of which fails: within the budget the run goes on
 * (PartiallyFailed, exit 6, as run); over it the run stops (Failed, exit 3, the rest Canceled); a server that
 * never comes back is not retried and the run goes on; --resume after a SIGKILL mid-run finishes every server
 * once; a second coordinator on the same state directory is refused; get-clusterless-run shows a live run and
 * "no run"; bad input exits 2 naming the field. Runs wait on the run's own events, never on a clock.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describeWithPwsh, REPO_ROOT } from '../pwsh/pwsh-path.js';
import { ROOT, hasBuild, parseJson, sandbox, type Sandbox } from '../support/cli.js';
import { collect, whenEvent } from '../support/state-checks.js';

const describeIf = hasBuild() ? describe : describe.skip;
const BRANCH3 = join(ROOT, 'fixtures', 'clusters', 'standalone-3.json');
const BRANCH2 = join(ROOT, 'fixtures', 'clusters', 'standalone-hang.json');

interface RunDoc {
  status: string;
  clusterName: string;
  resumed: boolean;
  maxFailedNodes: number;
  errorRecord: { code: string; message: string } | null;
  nodeResults: Array<{ node: string; status: string; attempts: number; rebooted: boolean; errorRecord: { code: string } | null; phases: Array<{ phase: string }>; installResults: Array<{ updateId: string; resultCode: string }> }>;
  simulation: { violations: string[] };
}

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

const run = (...args: string[]) => box.run(['clusterless-run', '--simulate', BRANCH3, '--force', '--json', ...args]);

describeIf('clusterless-run over three standalone servers, one of which fails', () => {
  it('within the budget: SRV2 fails after its retries, the run goes on, PartiallyFailed, exit 6; no server drained', () => {
    const r = run('--computer-name', 'SRV1,SRV2,SRV3', '--max-retries', '1');
    expect(r.code).toBe(6);
    const doc = parseJson<RunDoc>(r);
    expect(doc).toMatchObject({ status: 'PartiallyFailed', clusterName: 'BRANCH3', maxFailedNodes: 1, errorRecord: { code: 'NodesFailed' } });
    expect(doc.nodeResults.map((n) => [n.node, n.status, n.attempts])).toEqual([['SRV1', 'Succeeded', 1], ['SRV2', 'Failed', 2], ['SRV3', 'Succeeded', 1]]);
    expect(doc.nodeResults[1]!.errorRecord).toMatchObject({ code: 'InstallFailed' });
    // In the order given, and never a cluster step: no drain, resume or storage wait on a standalone server.
    const phases = new Set(doc.nodeResults.flatMap((n) => n.phases.map((p) => p.phase)));
    expect([...phases].filter((p) => ['drain', 'resume', 'resync'].includes(p))).toEqual([]);
    expect(doc.nodeResults[0]!.rebooted).toBe(true);
    expect(doc.simulation.violations).toEqual([]);
    // The same history and reports as run.
    const report = box.run(['get-report', '--simulate', BRANCH3, '--json']);
    expect(report.code).toBe(0);
    expect(JSON.stringify(parseJson(report))).toMatch(/PartiallyFailed/);
    // A server is never paused: its table has no "Paused for" column (it was always empty).
    const detailed = box.run(['get-report', '--simulate', BRANCH3, '--detailed']);
    expect(detailed.stdout).toMatch(/^Node\tStatus\tAttempts\tUpdates\tRestart\tError$/m);
    expect(detailed.stdout).not.toMatch(/Paused for/);
    const csv = join(box.dir, 'report.csv');
    const exported = box.run(['export-report', '--simulate', BRANCH3, '--format', 'csv', '--path', csv]);
    expect(exported.code).toBe(0);
    expect(readFileSync(csv, 'utf8')).toMatch(/SRV2.*InstallFailed|InstallFailed.*SRV2/);
  }, 60_000);

  it('over the budget (--max-failed-nodes 0): the run stops after SRV2, SRV3 is not touched, Failed, exit 3', () => {
    const r = run('--computer-name', 'SRV1,SRV2,SRV3', '--max-failed-nodes', '0', '--max-retries', '0');
    expect(r.code).toBe(3);
    const doc = parseJson<RunDoc>(r);
    expect(doc).toMatchObject({ status: 'Failed', errorRecord: { code: 'MaxFailedNodesExceeded' } });
    expect(doc.nodeResults.map((n) => [n.node, n.status])).toEqual([['SRV1', 'Succeeded'], ['SRV2', 'Failed'], ['SRV3', 'Canceled']]);
    expect(doc.simulation.violations).toEqual([]);
  }, 60_000);

  it('the order given is the order updated', () => {
    const doc = parseJson<RunDoc>(run('--computer-name', 'SRV3,SRV1'));
    expect(doc.nodeResults.map((n) => n.node)).toEqual(['SRV3', 'SRV1']);
    expect(doc.status).toBe('Succeeded');
  }, 60_000);

  it('a server that never comes back from its restart is not retried; the run goes on to the next', () => {
    const r = box.run(['clusterless-run', '--simulate', BRANCH2, '--computer-name', 'SRV1,SRV2', '--reboot-timeout-minutes', '20', '--max-failed-nodes', '1', '--force', '--json']);
    expect(r.code).toBe(6);
    const doc = parseJson<RunDoc>(r);
    expect(doc.nodeResults.map((n) => [n.node, n.status, n.attempts, n.errorRecord?.code ?? null])).toEqual([['SRV1', 'PartiallyFailed', 1, 'RebootTimeout'], ['SRV2', 'Succeeded', 1, null]]);
  }, 60_000);
});

describeIf('a server that does not answer at the start', () => {
  it('fails with NodeOffline saying why, counts against the budget, and the others are updated', () => {
    const model = box.fixture({ name: 'OFF2', standalone: true, nodes: [{ name: 'SRV1', reachable: false }, { name: 'SRV2' }] });
    const r = box.run(['clusterless-run', '--simulate', model, '--computer-name', 'SRV1,SRV2', '--max-failed-nodes', '1', '--force', '--json']);
    expect(r.code).toBe(6);
    const doc = parseJson<RunDoc & { nodeResults: Array<{ errorRecord: { code: string; message: string } | null }> }>(r);
    expect(doc.nodeResults.map((n) => [n.node, n.status])).toEqual([['SRV1', 'Failed'], ['SRV2', 'Succeeded']]);
    expect(doc.nodeResults[0]!.errorRecord).toMatchObject({ code: 'NodeOffline', message: expect.stringMatching(/SRV1 did not answer when the run started \(.*not reachable over WinRM.*\); check that it is on and that WinRM answers on it/) });
  }, 60_000);
});

describeIf('one clusterless run at a time, --resume, get-clusterless-run', () => {
  it('a live run is shown by get-clusterless-run, refuses a second coordinator (exit 5), and --resume after a SIGKILL finishes every server once', async () => {
    const idle = box.run(['get-clusterless-run', '--simulate', BRANCH3, '--json']);
    expect(idle.code).toBe(0);
    expect(parseJson(idle)).toMatchObject({ runState: 'RunNotInProgress', nodes: [] });
    expect(box.run(['get-clusterless-run', '--simulate', BRANCH3]).stdout).toMatch(/^RunNotInProgress: no clusterless run is in progress/);

    const first = box.start(['clusterless-run', '--simulate', BRANCH3, '--computer-name', 'SRV1,SRV2,SRV3', '--force', '--output', 'ndjson', '--sim-speed', '60']);
    const done = collect(first);
    // At 60x, SRV1's install and restart last tens of seconds of wall time: the reads below, a process each, see it still current on a loaded machine (at 600x they did not always).
    // Killed in SRV1's install: its task is running on the server.
    await whenEvent(first, (e) => e.type === 'phase-started' && e.node === 'SRV1' && e.phase === 'install');

    const live = box.run(['get-clusterless-run', '--simulate', BRANCH3, '--json']);
    expect(live.code).toBe(0);
    expect(parseJson(live)).toMatchObject({ runState: 'RunInProgress', currentNode: 'SRV1', nodes: [{ node: 'SRV1' }, { node: 'SRV2', status: 'Waiting' }, { node: 'SRV3', status: 'Waiting' }] });

    const second = box.run(['clusterless-run', '--simulate', BRANCH3, '--computer-name', 'SRV3', '--force']);
    expect(second.code).toBe(5);
    expect(second.stderr).toMatch(/A clusterless run from this state directory holds its lock: run [0-9a-f-]+/);
    expect(second.stderr).toMatch(/get-clusterless-run/);

    first.kill('SIGKILL');
    await done;
    const dead = box.run(['get-clusterless-run', '--simulate', BRANCH3, '--json']);
    expect(dead.code).toBe(3);
    expect(parseJson<{ runState: string; detail: string }>(dead)).toMatchObject({ runState: 'RunFailed', detail: expect.stringMatching(/cauctl clusterless-run --resume/) });

    const resumed = box.run(['clusterless-run', '--simulate', BRANCH3, '--resume', '--force', '--json', '--max-retries', '0']);
    expect(resumed.code).toBe(6);
    const doc = parseJson<RunDoc>(resumed);
    expect(doc).toMatchObject({ status: 'PartiallyFailed', resumed: true });
    expect(doc.nodeResults.map((n) => [n.node, n.status])).toEqual([['SRV1', 'Succeeded'], ['SRV2', 'Failed'], ['SRV3', 'Succeeded']]);
    // The simulator flags an update installed twice: the resumed run picked SRV1's task up instead.
    expect(doc.simulation.violations).toEqual([]);
    expect(parseJson(box.run(['get-clusterless-run', '--simulate', BRANCH3, '--json']))).toMatchObject({ runState: 'RunNotInProgress' });
    expect(existsSync(join(box.stateDir, 'runs', 'BRANCH3')) && readdirSync(join(box.stateDir, 'runs', 'BRANCH3')).filter((f) => f.endsWith('.jsonl')).length).toBe(1);

    const nothing = box.run(['clusterless-run', '--simulate', BRANCH3, '--resume', '--force']);
    expect(nothing.code).toBe(5);
    expect(nothing.stderr).toMatch(/cauctl clusterless-run --simulate \S+ --computer-name <servers> --force/);
  }, 120_000);
});

describeIf('--force-recovery of a dead clusterless coordinator', () => {
  it('clears its local lock and abandons its run, which --resume then never revives', async () => {
    const first = box.start(['clusterless-run', '--simulate', BRANCH3, '--computer-name', 'SRV1,SRV2', '--force', '--output', 'ndjson', '--sim-speed', '600']);
    const done = collect(first);
    await whenEvent(first, (e) => e.type === 'phase-started' && e.node === 'SRV1' && e.phase === 'install');
    const live = box.run(['clusterless-run', '--simulate', BRANCH3, '--force-recovery', '--force']);
    expect(live.code).toBe(5);
    expect(live.stderr).toMatch(/A live lock is never cleared/);
    first.kill('SIGKILL');
    await done;
    const cleared = box.run(['clusterless-run', '--simulate', BRANCH3, '--recover', '--force', '--json']);
    expect(cleared.code).toBe(0);
    expect(parseJson(cleared)).toMatchObject({ recovered: true, possiblyPaused: [] });
    const again = box.run(['clusterless-run', '--simulate', BRANCH3, '--resume', '--force']);
    expect(again.code).toBe(5);
    expect(again.stderr).toMatch(/nothing to resume/);
    expect(again.stderr).toMatch(/cauctl clusterless-run --simulate \S+ --computer-name <servers> --force/);
    expect(parseJson(box.run(['get-clusterless-run', '--simulate', BRANCH3, '--json']))).toMatchObject({ runState: 'RunNotInProgress' });
  }, 120_000);
});

describeIf('bad input exits 2 and names the field, touching nothing', () => {
  it.each<[string, string[], RegExp]>([
    ['no --computer-name', [], /--computer-name is required/],
    ['an empty --computer-name', ['--computer-name', ''], /--computer-name: no server named/],
    ['an empty name between commas', ['--computer-name', 'SRV1,,SRV2'], /--computer-name: an empty name between commas/],
    ['a duplicate', ['--computer-name', 'SRV1,srv1'], /--computer-name: srv1 is listed twice/],
    ['a bad name', ['--computer-name', 'SRV1,bad name!'], /--computer-name: "bad name!" is not a computer name/],
    ['a server the model does not have', ['--computer-name', 'SRV9'], /--computer-name: SRV9 is not a server of the simulated model BRANCH3/],
    ['--max-retries out of range', ['--computer-name', 'SRV1', '--max-retries', '99'], /maxRetries: .*--max-retries/],
    ['--max-failed-nodes above servers − 1', ['--computer-name', 'SRV1,SRV2', '--max-failed-nodes', '2'], /--max-failed-nodes must be at most servers − 1 = 1/],
    ['--cluster-name', ['--computer-name', 'SRV1', '--cluster-name', 'HCI01'], /--cluster-name HCI01 does not apply/],
  ])('%s', (_name, args, message) => {
    const r = box.run(['clusterless-run', '--simulate', BRANCH3, '--force', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    // No journal: no run started (run's own profile note beside a journal may be there).
    const runs = join(box.stateDir, 'runs');
    expect(existsSync(runs) ? readdirSync(runs, { recursive: true }).filter((f) => String(f).endsWith('.jsonl')) : []).toEqual([]);
  });

  it('--help says what --reboot-mode does here, without --attempt-soft-reboot (run\'s option, which clusterless-run lacks)', () => {
    const help = box.run(['clusterless-run', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--reboot-mode/);
    expect(help.stdout).not.toMatch(/attempt-soft-reboot/);
  });

  it('a cluster model is refused: clusterless-run rehearses on standalone servers only', () => {
    const r = box.run(['clusterless-run', '--simulate', '--computer-name', 'NODE1', '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/simulated model HCI01 is a cluster/);
  });

  // The other way round: cluster commands on standalone servers exited 3 "get-cluster ... failed" (a failed
  // operation) instead of refusing before anything is touched and naming clusterless-run.
  it.each(['run --what-if', 'run --force', 'snapshot', 'scan'])('%s on standalone servers refuses (exit 5), pointing to clusterless-run', (command) => {
    const r = box.run([...command.split(' '), '--simulate', BRANCH3, '--json']);
    expect(r.code).toBe(5);
    expect(parseJson<{ error: { code: string; message: string; hint: string } }>(r).error).toMatchObject({
      code: 'CLUSTER_UNAVAILABLE',
      message: expect.stringMatching(/No failover cluster answers at BRANCH3: .*cluster service is not running on SRV1.*Nothing was touched/),
      hint: expect.stringMatching(/Start-Cluster.*cauctl clusterless-run --computer-name/),
    });
  });
});

describeWithPwsh('a registered script plug-in in a clusterless run (the same plug-ins as run)', (pwsh) => {
  it('the example firmware plug-in, registered, installs with a restart on two standalone servers', () => {
    const env = { PATH: `${dirname(pwsh)}:/usr/bin:/bin` };
    expect(box.run(['register-plugin', '--path', join(REPO_ROOT, 'examples/plugins/contoso-firmware')], { env }).code).toBe(0);
    const firmware = { plugin: 'Contoso.FirmwarePlugin', components: [{ id: 'bios', name: 'BIOS', installedVersion: '2.1.0', availableVersion: '2.3.1' }] };
    const model = box.fixture({ name: 'FW2', standalone: true, nodes: [{ name: 'SRV1', vendorFirmware: firmware }, { name: 'SRV2', vendorFirmware: firmware }] });
    const r = box.run(['clusterless-run', '--simulate', model, '--computer-name', 'SRV1,SRV2', '--cau-plugin-name', 'Contoso.FirmwarePlugin', '--cau-plugin-arguments', "@{ Repository='\\\\fw01\\firmware' }", '--force', '--json'], { env });
    expect(r.code).toBe(0);
    const doc = parseJson<RunDoc & { plugins: string[] }>(r);
    expect(doc.plugins).toEqual(['Contoso.FirmwarePlugin']);
    expect(doc.nodeResults.map((n) => [n.node, n.status, n.rebooted, n.installResults.map((u) => `${u.updateId} ${u.resultCode}`)])).toEqual([
      ['SRV1', 'Succeeded', true, ['contoso-fw:bios:2.3.1 Succeeded']],
      ['SRV2', 'Succeeded', true, ['contoso-fw:bios:2.3.1 Succeeded']],
    ]);
    expect(doc.simulation.violations).toEqual([]);
  }, 120_000);
});
