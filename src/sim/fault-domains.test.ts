// Issue 18 in the simulator: storage fault domains (chassis, rack) and the awareness of the virtual disks, the
// general out-of-service rule of the audit, and the PreInstall mode of start-update-task (Software updates of the
// Windows Update plug-in on a serving node, no restart).
import { parseFixture } from './fixture.js';
import { openTestSim, WU, type SimHarness } from './test-support.js';

const timing = { scanSeconds: 10, downloadSeconds: 100, drainSecondsPerRole: 5, installSeconds: 200, rebootSeconds: 300, servicesStartSeconds: 60, resyncSeconds: 400 };
const update = (id: string, type: 'Software' | 'Driver' = 'Software'): Record<string, unknown> => ({ id, kb: `KB${id}`, title: `Update ${id}`, type });

/** Four S2D servers in two racks (N1, N2 in R1; N3, N4 in R2), each with one CU and N1 with a driver too. */
function racks(awareness: string | undefined): Record<string, unknown> {
  return {
    name: 'RACKS',
    timing,
    storage: { s2d: true, ...(awareness !== undefined ? { faultDomainAwareness: awareness } : {}) },
    quorum: { witnessType: 'Cloud', witnessState: 'Online' },
    nodes: ['N1', 'N2', 'N3', 'N4'].map((name, i) => ({
      name,
      faultDomain: { rack: i < 2 ? 'R1' : 'R2', chassis: `C${i}` },
      updates: name === 'N1' ? [update('1'), update('1d', 'Driver')] : [update(name.slice(1))],
    })),
  };
}

let h: SimHarness;
afterEach(() => h?.cleanup());

async function suspendAndRestart(node: string): Promise<void> {
  await h.ok('N1', 'suspend-node', { name: node, forceDrain: false, timeoutSeconds: 600 });
  await h.ok(node, 'restart-node', { delaySeconds: 2, soft: false });
}

describe('fixture: fault domains', () => {
  it('rack awareness needs every node in a rack', () => {
    const fx = racks('StorageRack');
    (fx.nodes as Record<string, unknown>[])[2]!.faultDomain = { chassis: 'C2' };
    expect(() => parseFixture(fx, 'racks.json')).toThrow(/nodes\[2\]\.faultDomain\.rack: missing: storage.faultDomainAwareness is StorageRack/);
  });

  it('a chassis sits in one rack', () => {
    const fx = racks('StorageChassis');
    (fx.nodes as Record<string, unknown>[])[1]!.faultDomain = { chassis: 'C0', rack: 'R9' };
    expect(() => parseFixture(fx, 'racks.json')).toThrow(/nodes\[1\]\.faultDomain\.rack: chassis C0 is in rack R1 on another node, not R9/);
  });

  it('awareness describes S2D only', () => {
    const fx = { ...racks('StorageRack'), storage: { s2d: false, faultDomainAwareness: 'StorageRack' } };
    expect(() => parseFixture(fx, 'racks.json')).toThrow(/storage\.s2d: poolName, virtualDisks and faultDomainAwareness describe Storage Spaces Direct/);
  });
});

describe('S2D with fault domains: servers of one rack away together', () => {
  it('rack awareness: two servers of one rack restarted together keep the disks online and break no rule', async () => {
    h = openTestSim(racks('StorageRack'));
    await suspendAndRestart('N1');
    await suspendAndRestart('N2');
    await h.wait(5);
    const storage = await h.ok('N3', 'get-storage-health', {});
    expect((storage.virtualDisks as { isOnline: boolean }[]).every((d) => d.isOnline)).toBe(true);
    expect(h.sim.audit().violations).toEqual([]);
    expect(h.sim.audit().maxNodesOutOfService).toBe(2);
  });

  it('rack awareness: servers of two racks away detach the disks, and the audit names the breach', async () => {
    h = openTestSim(racks('StorageRack'));
    await h.ok('N1', 'suspend-node', { name: 'N1', forceDrain: false, timeoutSeconds: 600 });
    await h.ok('N1', 'suspend-node', { name: 'N3', forceDrain: false, timeoutSeconds: 600 });
    await h.ok('N1', 'restart-node', { delaySeconds: 2, soft: false });
    await h.ok('N3', 'restart-node', { delaySeconds: 2, soft: false });
    await h.wait(5);
    const storage = await h.ok('N2', 'get-storage-health', {});
    expect((storage.virtualDisks as { isOnline: boolean }[]).some((d) => d.isOnline)).toBe(false);
    const violations = h.sim.audit().violations.join('\n');
    expect(violations).toMatch(/N3 was suspended while N1 was Paused in another storage fault domain/);
    expect(violations).toMatch(/2 nodes were out of service because of the run at once \(N1,N3\), more than allowed: the storage fault domains \(awareness StorageRack\)/);
    expect(violations).toMatch(/N1 was restarted while storage was not healthy: N3 was still in storage maintenance or resyncing/);
  });

  it('server-level awareness (the default): two servers of one rack are still two fault domains', async () => {
    h = openTestSim(racks(undefined));
    await h.ok('N1', 'suspend-node', { name: 'N1', forceDrain: false, timeoutSeconds: 600 });
    await h.ok('N1', 'suspend-node', { name: 'N2', forceDrain: false, timeoutSeconds: 600 });
    const violations = h.sim.audit().violations.join('\n');
    expect(violations).toMatch(/N2 was suspended while N1 was Paused\./);
    expect(violations).toMatch(/more than allowed: the storage fault domains \(awareness StorageScaleUnit\) allow one at a time/);
  });

  it('SAN: several nodes paused at once is no breach while quorum holds', async () => {
    h = openTestSim({ ...racks(undefined), storage: { s2d: false } });
    await h.ok('N1', 'suspend-node', { name: 'N1', forceDrain: false, timeoutSeconds: 600 });
    await h.ok('N1', 'suspend-node', { name: 'N2', forceDrain: false, timeoutSeconds: 600 });
    expect(h.sim.audit().violations).toEqual([]);
    await h.ok('N4', 'suspend-node', { name: 'N3', forceDrain: false, timeoutSeconds: 600 });
    // Three of four away with a cloud witness: quorum (static: half rounded up = 2) would not survive.
    expect(h.sim.audit().violations.join('\n')).toMatch(/3 nodes were out of service .*quorum \(4 nodes, witness online\) would not survive 3 nodes down/);
  });
});

describe('start-update-task PreInstall: install on a serving node, no restart', () => {
  const task = (taskId: string, updateIds: string[], plugin: typeof WU | { plugin: 'Microsoft.HotfixPlugin'; arguments: Record<string, string> } = WU) =>
    ({ ...plugin, mode: 'PreInstall' as const, updateIds, taskId });

  it('installs the Software updates while the node is Up and leaves the driver NotStarted, with no audit breach', async () => {
    h = openTestSim(racks('StorageRack'));
    await h.ok('N1', 'start-update-task', task('pre-1', ['1', '1d']));
    const status = await h.ok('N1', 'wait-update-task', { taskId: 'pre-1', timeoutSeconds: 3600 });
    expect(status.state).toBe('Completed');
    expect((status.results as { updateId: string; resultCode: string }[]).map((r) => [r.updateId, r.resultCode])).toEqual([['1', 'Succeeded'], ['1d', 'NotStarted']]);
    const node = await h.ok('N1', 'get-node-status', {});
    expect(node.clusterNodeState).toBe('Up');
    expect(node.rebootPending).toBe(true);
    expect(h.sim.audit().violations).toEqual([]);
    // The maintenance window's rescan (drivers included by the query) offers only the driver.
    const scan = await h.ok('N1', 'scan-updates', { ...WU, arguments: { QueryString: 'IsInstalled=0 and IsHidden=0' }, networkCredential: null } as never);
    expect((scan.updates as { updateId: string }[]).map((u) => u.updateId)).toEqual(['1d']);
  });

  it('refuses another plug-in before anything starts', async () => {
    h = openTestSim(racks(undefined));
    const outcome = await h.run('N1', 'start-update-task', task('pre-2', ['1'], { plugin: 'Microsoft.HotfixPlugin', arguments: { HotfixRootFolderPath: '\\\\fs\\hotfixes' } }));
    expect(outcome.ok).toBe(false);
    expect(outcome.ok ? '' : outcome.error.code).toBe('PRE_INSTALL_REFUSED');
  });

  it('an install the same node gets in Install mode is still audited as undrained', async () => {
    h = openTestSim(racks(undefined));
    await h.ok('N1', 'start-update-task', { ...WU, mode: 'Install', updateIds: ['1'], taskId: 'inst-1' });
    expect(h.sim.audit().violations.join('\n')).toMatch(/N1 was given an update install while it was not drained/);
  });
});

describe('get-fault-domains: Get-ClusterFaultDomain and Get-VirtualDisk as the model has them', () => {
  it('names each node\'s chassis and rack and every disk\'s awareness', async () => {
    h = openTestSim(racks('StorageRack'));
    const data = await h.ok('N2', 'get-fault-domains', {});
    expect(data.nodes).toEqual([
      { name: 'N1', chassis: 'C0', rack: 'R1' },
      { name: 'N2', chassis: 'C1', rack: 'R1' },
      { name: 'N3', chassis: 'C2', rack: 'R2' },
      { name: 'N4', chassis: 'C3', rack: 'R2' },
    ]);
    expect(data.virtualDisks).toEqual([
      { friendlyName: 'Volume01', faultDomainAwareness: 'StorageRack' },
      { friendlyName: 'Volume02', faultDomainAwareness: 'StorageRack' },
    ]);
  });
});
