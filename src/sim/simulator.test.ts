import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { VirtualClock } from './virtual-clock.js';
import { BUILTIN_FIXTURE_PATH } from './index.js';
import { openTestSim, WU, type SimHarness } from './test-support.js';

let h: SimHarness;
afterEach(() => h?.cleanup());

const fixtureDir = dirname(BUILTIN_FIXTURE_PATH);
const shipped = (file: string): Record<string, unknown> => JSON.parse(readFileSync(join(fixtureDir, file), 'utf8')) as Record<string, unknown>;

describe('persistence', () => {
  it('a reopened model continues from its saved state and virtual time; --sim-reset starts over', async () => {
    h = openTestSim();
    expect(h.sim.clusterName).toBe('HCI01');
    expect(h.sim.nodeNames).toEqual(['NODE1', 'NODE2', 'NODE3', 'NODE4']);
    expect(h.sim.transport.name).toBe('simulator');
    await h.ok('NODE4', 'suspend-node', { name: 'NODE4', forceDrain: false, timeoutSeconds: 60 });
    const savedAt = h.sim.clock.now();

    const again = h.reopen();
    expect(again.sim.clock.now()).toBe(savedAt);
    const cluster = await again.ok('NODE1', 'get-cluster', {});
    expect((cluster.nodes as { name: string; state: string }[]).find((n) => n.name === 'NODE4')!.state).toBe('Paused');
    again.sim.noteRunEnd();
    expect(again.sim.audit().violations).toEqual([expect.stringMatching(/NODE4 was paused by the run/)]);

    const fresh = h.reopen({ reset: true });
    const reset = await fresh.ok('NODE1', 'get-cluster', {});
    expect((reset.nodes as { state: string }[]).every((n) => n.state === 'Up')).toBe(true);
  });

  it('read-only operations write nothing; mutating ones append to the log, and the command end folds it in', async () => {
    h = openTestSim();
    const dir = join(h.dir, 'state', 'sim', 'HCI01');
    const saved = (): string[] => ['model.json', 'model.log'].map((f) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : '(none)'));
    const before = saved();
    const mtime = statSync(join(dir, 'model.json')).mtimeMs;
    await h.ok('NODE1', 'get-cluster', {});
    await h.ok('NODE1', 'get-storage-health', {});
    await h.ok('NODE1', 'get-node-status', {});
    expect(saved()).toEqual(before);
    expect(statSync(join(dir, 'model.json')).mtimeMs).toBe(mtime);
    await h.ok('NODE1', 'restart-node', { soft: false, delaySeconds: 2 });
    const [snapshot, log] = saved();
    expect(snapshot).toBe(before[0]);
    expect(log).toMatch(/"restartDown"/);
    // A second process reads the snapshot plus the log: the restart is there, and takes the node down.
    const other = h.reopen();
    await other.wait(5);
    expect((await other.ok('NODE2', 'get-cluster', {})).nodes).toContainEqual(expect.objectContaining({ name: 'NODE1', state: 'Down' }));
    await h.sim.transport.close();
    expect(saved()[1]).toBe('(none)');
    expect(JSON.parse(saved()[0]!)).toMatchObject({ nodes: expect.arrayContaining([expect.objectContaining({ name: 'NODE1', power: 'off' })]) });
  });

  it('a save logs the nodes an operation or event marked written; in tests a node written with no mark fails the save', async () => {
    expect(process.env.NODE_ENV).toBe('test');
    h = openTestSim();
    const dir = join(h.dir, 'state', 'sim', 'HCI01');
    await h.ok('NODE2', 'suspend-node', { name: 'NODE2', forceDrain: false, timeoutSeconds: 60 });
    const log = readFileSync(join(dir, 'model.log'), 'utf8');
    expect(log).toMatch(/"nodes\.1\.clusterState":"Paused"/);
    expect(log).not.toMatch(/"nodes\.[023]/);
    // A write that forgot ClusterModel.touch: the next save that compares every node (tests do) throws.
    h.sim.model.state.nodes[2]!.osBuild += 1;
    await expect(h.run('NODE1', 'restart-node', { soft: false, delaySeconds: 2 })).rejects.toThrow(/nodes\[2\] changed with no mark of its write/);
  });

  it('in tests a role or the feature facts written with no mark fail the save too', async () => {
    const first = openTestSim();
    try {
      first.sim.model.state.roles[0]!.owner = 'NODE4';
      await expect(first.run('NODE1', 'restart-node', { soft: false, delaySeconds: 2 })).rejects.toThrow(/roles\[0\] changed with no mark of its write/);
    } finally {
      first.cleanup();
    }
    h = openTestSim();
    h.sim.model.state.feature!.clusterBuild += 1;
    await expect(h.run('NODE1', 'restart-node', { soft: false, delaySeconds: 2 })).rejects.toThrow(/feature changed with no mark of its write/);
  });

  it('refuses a state made from a different fixture, and a corrupt one', async () => {
    h = openTestSim({ name: 'P1', nodes: [{ name: 'NODE1' }] });
    writeFileSync(h.fixturePath!, JSON.stringify({ name: 'P1', nodes: [{ name: 'NODE1' }, { name: 'NODE2' }] }));
    expect(() => h.reopen()).toThrow(expect.objectContaining({ code: 'SIM_STATE_STALE', exitCode: 2 }));
    expect(h.reopen({ reset: true }).sim.nodeNames).toEqual(['NODE1', 'NODE2']);
    writeFileSync(join(h.dir, 'state', 'sim', 'P1', 'model.json'), '{');
    expect(() => h.reopen()).toThrow(expect.objectContaining({ code: 'SIM_STATE_CORRUPT' }));
  });

  it('nodeCrash.atSeconds counts from the state creation, across invocations', async () => {
    h = openTestSim({ name: 'P2', nodes: [{ name: 'NODE1' }, { name: 'NODE2', faults: [{ kind: 'nodeCrash', atSeconds: 100 }] }, { name: 'NODE3' }] });
    await h.wait(60);
    h.sim.save();
    const again = h.reopen();
    await again.wait(40);
    await expect(again.run('NODE2', 'get-node-status', {})).rejects.toMatchObject({ code: 'TRANSPORT_UNREACHABLE' });
  });
});

describe('cluster properties', () => {
  it('get/set with compare-and-set, visible to a second process at once, and removed by reset', async () => {
    h = openTestSim();
    const other = h.reopen();
    expect(await h.ok('NODE1', 'get-cluster-property', { name: 'CauctlLock' })).toEqual({ value: null });
    expect(await h.ok('NODE1', 'set-cluster-property', { name: 'CauctlLock', value: 'run-1', expected: null })).toEqual({ applied: true, current: 'run-1' });
    expect(await other.ok('NODE2', 'get-cluster-property', { name: 'CauctlLock' })).toEqual({ value: 'run-1' });
    expect(await other.ok('NODE2', 'set-cluster-property', { name: 'CauctlLock', value: 'run-2', expected: null })).toEqual({ applied: false, current: 'run-1' });
    expect(await other.ok('NODE2', 'set-cluster-property', { name: 'CauctlStop', value: 'requested' })).toMatchObject({ applied: true });
    expect(await h.ok('NODE3', 'get-cluster-property', { name: 'CauctlStop' })).toEqual({ value: 'requested' });
    expect(await h.ok('NODE1', 'set-cluster-property', { name: 'CauctlLock', value: null, expected: 'run-1' })).toEqual({ applied: true, current: null });
    expect(await h.ok('NODE1', 'get-cluster-property', { name: 'CauctlLock' })).toEqual({ value: null });
    const fresh = h.reopen({ reset: true });
    expect(await fresh.ok('NODE1', 'get-cluster-property', { name: 'CauctlStop' })).toEqual({ value: null });
  });
});

describe('the transport contract', () => {
  it('unknown operations and bad params are script errors; unknown nodes are unreachable', async () => {
    h = openTestSim();
    expect(await h.sim.transport.run('NODE1', { name: 'format-disk', script: '', params: {} })).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'SCRIPT_ERROR', message: expect.stringMatching(/not found/) }),
    });
    expect(await h.sim.transport.run('NODE1', { name: 'suspend-node', script: '', params: { name: 'NODE2' } })).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'SCRIPT_ERROR', message: expect.stringMatching(/forceDrain/) }),
    });
    await expect(h.run('NODE9', 'get-cluster', {})).rejects.toMatchObject({ code: 'TRANSPORT_UNREACHABLE', exitCode: 4, message: expect.stringMatching(/^NODE9 is not reachable over WinRM/) });
    expect((await h.run('NODE1', 'suspend-node', { name: 'NODE9', forceDrain: false, timeoutSeconds: 5 }))).toMatchObject({ ok: false, error: { code: 'SCRIPT_ERROR' } });
  });

  it('a timeout stops the wait without leaving a wake-up behind; an abort signal rejects', async () => {
    h = openTestSim();
    const t0 = h.sim.clock.now();
    await expect(
      h.sim.transport.run('NODE1', { name: 'scan-updates', script: '', params: WU }, { timeoutMs: 5_000 }),
    ).rejects.toMatchObject({ code: 'TRANSPORT_TIMEOUT' });
    expect(h.sim.clock.now() - t0).toBe(5_000);
    await h.sim.transport.run('NODE1', { name: 'scan-updates', script: '', params: WU }, { timeoutMs: 3_600_000 });
    expect(h.sim.clock.now() - t0).toBe(35_000);
    expect((h.sim.clock as VirtualClock).pendingSleepers).toBe(0);
    const ctl = new AbortController();
    const p = h.sim.transport.run('NODE1', { name: 'scan-updates', script: '', params: WU }, { signal: ctl.signal });
    ctl.abort(new Error('interrupted'));
    await expect(p).rejects.toThrow('interrupted');
  });

  it('parallel scans of sixteen nodes advance virtual time once', async () => {
    h = openTestSim(shipped('sixteen-node.json'));
    const results = await Promise.all(h.sim.nodeNames.map((n) => h.ok(n, 'scan-updates', WU)));
    expect(results.every((r) => (r.updates as unknown[]).length === 2)).toBe(true);
    expect(h.sim.audit().virtualSeconds).toBe(30);
    expect((await h.ok('NODE1', 'get-storage-health', {}))).toEqual({ s2dEnabled: false, jobs: [], virtualDisks: [], pools: [] });
  });

  it('a node with reachable:false times out after 5 virtual seconds, while the cluster sees it Up', async () => {
    h = openTestSim(shipped('unreachable-node.json'));
    await expect(h.run('NODE3', 'get-node-setup', {})).rejects.toMatchObject({ code: 'TRANSPORT_UNREACHABLE', message: expect.stringContaining('NODE3') });
    expect(h.sim.audit().virtualSeconds).toBe(5);
    const cluster = await h.ok('NODE1', 'get-cluster', {});
    expect((cluster.nodes as { state: string }[]).map((n) => n.state)).toEqual(['Up', 'Up', 'Up']);
  });
});

describe('plug-ins', () => {
  it('WindowsUpdatePlugin honours QueryString and IncludeRecommendedUpdates; bad criteria are script errors', async () => {
    h = openTestSim();
    const kbs = async (args: Record<string, string>): Promise<string[]> =>
      ((await h.ok('NODE1', 'scan-updates', { plugin: 'Microsoft.WindowsUpdatePlugin', arguments: args })).updates as { kb: string }[]).map((u) => u.kb);
    expect(await kbs({})).toEqual(['KB5044288', 'KB890830']);
    expect(await kbs({ IncludeRecommendedUpdates: 'true' })).toEqual(['KB5044288', 'KB890830', 'KB5044414']);
    expect(await kbs({ QueryString: "IsInstalled=0 and Type='Driver' and IsHidden=0" })).toEqual(['DRV-NIC-3.10']);
    expect(await kbs({ QueryString: 'IsHidden=1' })).toEqual(['KB5031989']);
    const bad = await h.run('NODE1', 'scan-updates', { plugin: 'Microsoft.WindowsUpdatePlugin', arguments: { QueryString: 'IsInstalled<>0' } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'SCRIPT_ERROR', message: expect.stringContaining('0x80240032') } });
  });

  it('HotfixPlugin offers the shared and own folders and classifies installer exit codes', async () => {
    const hotfix = (id: string, folder: string, exitCode: number | string): Record<string, unknown> => ({ id, kb: id.toUpperCase(), title: id, plugin: 'Microsoft.HotfixPlugin', folder, exitCode });
    h = openTestSim({
      name: 'HF',
      nodes: [
        { name: 'NODE1', updates: [hotfix('all-ok', 'CAUHotfix_All', 0), hotfix('mine-reboot', 'NODE1', 3010), hotfix('already', 'NODE1', '0x00240006'), hotfix('na', 'NODE1', '0x80240017'), hotfix('bad', 'NODE1', 1603)] },
        { name: 'NODE2' },
      ],
    });
    const args = { HotfixRootFolderPath: '\\\\fs01\\hotfixes' };
    expect(await h.run('NODE1', 'scan-updates', { plugin: 'Microsoft.HotfixPlugin', arguments: {} })).toMatchObject({ ok: false, error: { message: expect.stringContaining('HotfixRootFolderPath') } });
    const scan = await h.ok('NODE1', 'scan-updates', { plugin: 'Microsoft.HotfixPlugin', arguments: args });
    const ids = (scan.updates as { updateId: string }[]).map((u) => u.updateId);
    expect(ids).toEqual(['all-ok', 'mine-reboot', 'already', 'na', 'bad']);
    expect((await h.ok('NODE1', 'scan-updates', WU)).updates).toEqual([]);
    await h.ok('NODE1', 'start-update-task', { plugin: 'Microsoft.HotfixPlugin', arguments: args, mode: 'Install', updateIds: ids, taskId: 'hf' });
    const done = await h.ok('NODE1', 'wait-update-task', { taskId: 'hf', timeoutSeconds: 3600 });
    expect(done).toMatchObject({ state: 'Completed', rebootRequired: true });
    expect((done.results as { updateId: string; resultCode: string; errorCode: string; rebootRequired: boolean }[]).map((r) => [r.updateId, r.resultCode, r.errorCode, r.rebootRequired])).toEqual([
      ['all-ok', 'Succeeded', '0x0', false],
      ['mine-reboot', 'Succeeded', '0xBC2', true],
      ['already', 'AlreadyInstalled', '0x240006', false],
      ['na', 'NotApplicable', '0x80240017', false],
      ['bad', 'Failed', '0x643', false],
    ]);
    const rescan = await h.ok('NODE1', 'scan-updates', { plugin: 'Microsoft.HotfixPlugin', arguments: args });
    expect((rescan.updates as { updateId: string }[]).map((u) => u.updateId)).toEqual(['bad']);
  });

  it('RollingUpgradePlugin offers the feature update; the new build appears after the restart', async () => {
    h = openTestSim();
    const args = { WuConnected: 'true' };
    expect(await h.run('NODE1', 'scan-updates', { plugin: 'Microsoft.RollingUpgradePlugin', arguments: {} })).toMatchObject({ ok: false });
    const scan = await h.ok('NODE1', 'scan-updates', { plugin: 'Microsoft.RollingUpgradePlugin', arguments: args });
    expect(scan.updates).toEqual([{ updateId: 'feature-26100', title: 'Feature update to Azure Stack HCI, version 24H2', kb: 'KB5043080', rebootRequired: true, featureUpdate: 'Feature update to Azure Stack HCI, version 24H2' }]);
    await h.ok('NODE1', 'start-update-task', { plugin: 'Microsoft.RollingUpgradePlugin', arguments: args, mode: 'Install', updateIds: ['feature-26100'], taskId: 'fu' });
    expect(await h.ok('NODE1', 'wait-update-task', { taskId: 'fu', timeoutSeconds: 7200 })).toMatchObject({ state: 'Completed', rebootRequired: true });
    expect(await h.ok('NODE1', 'get-node-status', {})).toMatchObject({ osBuild: 25398, rebootPending: true });
    expect((await h.ok('NODE1', 'scan-updates', { plugin: 'Microsoft.RollingUpgradePlugin', arguments: args })).updates).toEqual([]);
    await h.ok('NODE1', 'restart-node', { soft: false, delaySeconds: 2 });
    await h.wait(400);
    expect(await h.ok('NODE1', 'get-node-status', {})).toMatchObject({ osBuild: 26100, rebootPending: false });
  });

  it('mixed-feature-offers: nodes are offered different feature updates', async () => {
    h = openTestSim(shipped('mixed-feature-offers.json'));
    const offers = await Promise.all(h.sim.nodeNames.map(async (n) => ((await h.ok(n, 'scan-updates', { plugin: 'Microsoft.RollingUpgradePlugin', arguments: { WuConnected: 'true' } })).updates as { featureUpdate: string }[])[0]!.featureUpdate));
    expect(new Set(offers).size).toBe(2);
  });
});

describe('setup facts', () => {
  it('setup-problems reports its failing facts, and repair-setup fixes the safe ones', async () => {
    h = openTestSim(shipped('setup-problems.json'));
    const setups = await Promise.all(h.sim.nodeNames.map((n) => h.ok(n, 'get-node-setup', {})));
    expect(setups.map((s) => s.remoteShutdownFirewallEnabled)).toEqual([true, false, true, false]);
    expect(setups.map((s) => (s.features as { rsatClusteringPowerShell: boolean }).rsatClusteringPowerShell)).toEqual([true, true, false, true]);
    expect(setups.map((s) => s.autoUpdateMode)).toEqual(['AutoInstall', 'NotifyOnly', 'NotifyOnly', 'NotifyOnly']);
    expect(new Set(setups.map((s) => s.updateSource)).size).toBe(2);
    expect(setups.map((s) => s.credSspServerEnabled)).toEqual([false, false, true, false]);

    const fix = { enableRemoteShutdownFirewall: true, installFeatures: ['RSAT-Clustering-PowerShell'], disableCredSspServer: true };
    expect(await h.ok('NODE3', 'repair-setup', fix)).toEqual({ applied: ['Installed RSAT-Clustering-PowerShell', 'Disabled the CredSSP server role'] });
    expect(await h.ok('NODE3', 'repair-setup', fix)).toEqual({ applied: [] });
    expect(await h.reopen().ok('NODE3', 'get-node-setup', {})).toMatchObject({ credSspServerEnabled: false, features: { rsatClusteringPowerShell: true } });
    expect(await h.run('NODE1', 'repair-setup', { ...fix, installFeatures: ['Bogus'] })).toMatchObject({ ok: false, error: { code: 'MISSING_FEATURE' } });
  });

  it('invoke-node-script returns the fixture\'s scripted result or exit 0', async () => {
    h = openTestSim({ name: 'SC', scripts: { '\\\\fs\\pre.ps1': { exitCode: 3, output: 'refused' } }, nodes: [{ name: 'NODE1' }] });
    expect(await h.ok('NODE1', 'invoke-node-script', { path: '\\\\fs\\pre.ps1', configurationName: 'microsoft.powershell' })).toEqual({ exitCode: 3, output: 'refused' });
    expect(await h.ok('NODE1', 'invoke-node-script', { path: '\\\\fs\\post.ps1', configurationName: 'microsoft.powershell' })).toMatchObject({ exitCode: 0 });
  });
});
