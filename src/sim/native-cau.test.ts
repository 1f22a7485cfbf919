// Native CAU in the model: a self-updating role whose schedule starts an Updating Run unless its group is
// Offline, the run's MSFT_CAURun object on the node hosting the role only, both read and held without network
// credentials, and the audit of a suspend during a native run or a native run cut short.
import { openTestSim, type SimHarness } from './test-support.js';

let h: SimHarness;
afterEach(() => h?.cleanup());

const cluster = (role: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'NCAU01',
  passwordHeld: false,
  nodes: [{ name: 'NODE1' }, { name: 'NODE2' }, { name: 'NODE3' }],
  ...(role ? { cauRole: { groupName: 'CAUNCAU01', possibleOwners: ['NODE2', 'NODE3'], ...role } } : {}),
  ...extra,
});

describe('native CAU in the model', () => {
  it('an Online role starts its Updating Run when due: MSFT_CAURun on the role owner only, for its duration', async () => {
    h = openTestSim(cluster({ selfUpdatingRun: { atSeconds: 100, seconds: 600 } }));
    expect(await h.ok('NODE2', 'get-native-cau', {})).toMatchObject({ runInProgress: false, role: { groupName: 'CAUNCAU01', state: 'Online', ownerNode: 'NODE2' } });
    await h.wait(150);
    expect(await h.ok('NODE2', 'get-native-cau', {})).toMatchObject({ runInProgress: true, orchestratorGuid: expect.any(String) });
    expect(await h.ok('NODE1', 'get-native-cau', {})).toMatchObject({ runInProgress: false });
    // get-cluster reads the node's own MSFT_CAURun, as get-cluster.ps1 does: only the role owner sees the run.
    expect(await h.ok('NODE1', 'get-cluster', {})).toMatchObject({ nativeCauRunInProgress: false });
    expect(await h.ok('NODE2', 'get-cluster', {})).toMatchObject({ nativeCauRunInProgress: true });
    await h.wait(600);
    expect(await h.ok('NODE2', 'get-native-cau', {})).toMatchObject({ runInProgress: false });
  });

  it('a role held Offline (without any credential) misses its schedule; brought back Online it is as before', async () => {
    h = openTestSim(cluster({ selfUpdatingRun: { atSeconds: 100, seconds: 600 } }));
    expect(await h.ok('NODE1', 'hold-cau-role', { groupName: 'CAUNCAU01', state: 'Offline' })).toMatchObject({ state: 'Offline' });
    await h.wait(150);
    expect(await h.ok('NODE2', 'get-native-cau', {})).toMatchObject({ runInProgress: false, role: { state: 'Offline' } });
    expect(await h.ok('NODE1', 'hold-cau-role', { groupName: 'CAUNCAU01', state: 'Online' })).toMatchObject({ state: 'Online' });
    expect(await h.ok('NODE1', 'get-cau-role', {})).toMatchObject({ role: { parameters: expect.arrayContaining([{ name: 'Status', value: 'Online' }]) } });
    await h.wait(1000);
    expect(await h.ok('NODE2', 'get-native-cau', {})).toMatchObject({ runInProgress: false });
  });

  it('the fixture leftover (nativeCauRunInProgress) is on every node', async () => {
    h = openTestSim(cluster(undefined, { nativeCauRunInProgress: true }));
    for (const node of ['NODE1', 'NODE2', 'NODE3']) expect(await h.ok(node, 'get-native-cau', {})).toMatchObject({ runInProgress: true, role: null });
  });

  it('a node without the CAU provider (no CAU feature) has no run and says so; get-cluster reads no run there', async () => {
    h = openTestSim({ ...cluster(undefined, { nativeCauRunInProgress: true }), nodes: [{ name: 'NODE1', nativeCauProvider: 'Absent' }, { name: 'NODE2' }] });
    expect(await h.ok('NODE1', 'get-native-cau', {})).toMatchObject({ runInProgress: false, providerPresent: false, orchestratorGuid: null });
    expect(await h.ok('NODE1', 'get-cluster', {})).toMatchObject({ nativeCauRunInProgress: false });
    expect(await h.ok('NODE2', 'get-cluster', {})).toMatchObject({ nativeCauRunInProgress: true });
  });

  it('a provider that refuses the session (access denied) fails both readers with NATIVE_CAU_UNREADABLE, never "no run"', async () => {
    h = openTestSim({ ...cluster(undefined), nodes: [{ name: 'NODE1', nativeCauProvider: 'AccessDenied' }, { name: 'NODE2' }] });
    for (const op of ['get-native-cau', 'get-cluster'] as const) {
      expect(await h.run('NODE1', op, {})).toMatchObject({ ok: false, error: { code: 'NATIVE_CAU_UNREADABLE', message: expect.stringContaining('Access denied') } });
    }
    expect(await h.ok('NODE2', 'get-cluster', {})).toMatchObject({ nativeCauRunInProgress: false });
  });

  it('get-cluster asked by a read-only caller (reportUnreadableNativeCau) reports the refused read as unknown, naming the node', async () => {
    h = openTestSim({ ...cluster(undefined), nodes: [{ name: 'NODE1', nativeCauProvider: 'AccessDenied' }, { name: 'NODE2' }] });
    const denied = await h.ok('NODE1', 'get-cluster', { reportUnreadableNativeCau: true });
    expect(denied).toMatchObject({ nativeCauRunInProgress: false, nativeCauUnreadable: expect.stringMatching(/Could not read MSFT_CAURun on NODE1.*Access denied/) });
    expect(denied).toMatchObject({ nodes: [{ name: 'NODE1' }, { name: 'NODE2' }] });
    expect(await h.ok('NODE2', 'get-cluster', { reportUnreadableNativeCau: true })).toMatchObject({ nativeCauUnreadable: null });
    // Not asked: still NATIVE_CAU_UNREADABLE (the commands that change the cluster).
    expect(await h.run('NODE1', 'get-cluster', { reportUnreadableNativeCau: false })).toMatchObject({ ok: false, error: { code: 'NATIVE_CAU_UNREADABLE' } });
  });

  it('hold-cau-role on a group that does not hold the role fails with CAU_ROLE_NOT_FOUND', async () => {
    h = openTestSim(cluster({}));
    expect(await h.run('NODE1', 'hold-cau-role', { groupName: 'Other', state: 'Online' })).toMatchObject({ ok: false, error: { code: 'CAU_ROLE_NOT_FOUND' } });
  });

  it('audits a suspend during a native run, and a native run cut short by taking its role offline', async () => {
    h = openTestSim(cluster({ selfUpdatingRun: { atSeconds: 10, seconds: 6000 } }, { nodes: [{ name: 'NODE1' }, { name: 'NODE2' }, { name: 'NODE3' }] }));
    await h.wait(20);
    await h.ok('NODE1', 'suspend-node', { name: 'NODE1', timeoutSeconds: 30, forceDrain: false });
    await h.ok('NODE1', 'hold-cau-role', { groupName: 'CAUNCAU01', state: 'Offline' });
    const violations = h.sim.audit().violations.join('\n');
    expect(violations).toMatch(/NODE1 was suspended by the run while a native CAU Updating Run was in progress/);
    expect(violations).toMatch(/taken offline while its Updating Run was in progress on NODE2/);
  });
});
