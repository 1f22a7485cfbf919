import type { ClusterInfo, FaultDomainsInfo } from '../cluster/operations.js';
import type { CapacityInput } from './capacity.js';
import { groupingLevel, nextGroup, type GroupLimit, type GroupRequest } from './groups.js';

const GB = 1024;

/** `n` nodes N1..Nn, all Up, with a disk witness; `down` lists nodes that are Down. */
function aCluster(n: number, over: { down?: string[]; witness?: boolean; s2d?: boolean } = {}): ClusterInfo {
  return {
    name: 'C1',
    nodes: Array.from({ length: n }, (_, i) => ({ name: `N${i + 1}`, state: over.down?.includes(`N${i + 1}`) ? ('Down' as const) : ('Up' as const), drainStatus: 'NotInitiated' as const, roles: [`VM${i + 1}`] })),
    quorum: { healthy: true, witnessType: over.witness === false ? 'None' : 'Disk', witnessState: over.witness === false ? 'NotConfigured' : 'Online' },
    functionalLevel: 11,
    s2dEnabled: over.s2d ?? false,
    nativeCauRunInProgress: false,
  };
}

/** Every node has `nodeGB` and runs one VM of `vmGB`. */
function memory(cluster: ClusterInfo, nodeGB: number, vmGB: number): Omit<CapacityInput, 'leaving'> {
  return {
    nodes: cluster.nodes.map((n) => ({ name: n.name, state: n.state, memoryMB: nodeGB * GB, roles: n.roles })),
    vms: cluster.nodes.map((n) => ({ name: n.roles[0]!, role: n.roles[0]!, node: n.name, state: 'Running', memoryMB: vmGB * GB, liveMigratable: true })),
  };
}

/** Four racks of `perRack` nodes (rack R1 = N1.., chassis = one per node), disks aware at `awareness`. */
function racks(n: number, perRack: number, awareness: string): FaultDomainsInfo {
  return {
    nodes: Array.from({ length: n }, (_, i) => ({ name: `N${i + 1}`, chassis: `C${i + 1}`, rack: `R${Math.floor(i / perRack) + 1}` })),
    virtualDisks: [
      { friendlyName: 'Volume01', faultDomainAwareness: awareness },
      { friendlyName: 'Volume02', faultDomainAwareness: awareness },
    ],
  };
}

const all = (n: number): string[] => Array.from({ length: n }, (_, i) => `N${i + 1}`);

function aRequest(over: Partial<GroupRequest> = {}): GroupRequest {
  const cluster = over.cluster ?? aCluster(16);
  return {
    maxConcurrentNodes: 4,
    candidates: all(cluster.nodes.length),
    cluster,
    capacity: memory(cluster, 256, 32),
    requireAllNodesOnline: false,
    failuresLeft: 5,
    storage: { s2d: false },
    ...over,
  };
}

describe('nextGroup: who may leave service together', () => {
  const s2dCluster = aCluster(16, { s2d: true });
  it.each<[string, GroupRequest, string[], GroupLimit]>([
    ['k = 1 keeps the serial run', aRequest({ maxConcurrentNodes: 1 }), ['N1'], 'k'],
    ['SAN with room for 4: k = 4 takes 4', aRequest(), ['N1', 'N2', 'N3', 'N4'], 'k'],
    ['SAN, k = 3 but memory for 2 (4 nodes of 128 GB, each running a 60 GB VM)', aRequest({ maxConcurrentNodes: 3, cluster: aCluster(4), capacity: memory(aCluster(4), 128, 60) }), ['N1', 'N2'], 'capacity'],
    ['the last nodes of the order: a smaller group', aRequest({ candidates: ['N15', 'N16'] }), ['N15', 'N16'], 'order'],
    ['RequireAllNodesOnline: one at a time', aRequest({ requireAllNodesOnline: true }), ['N1'], 'require-all-nodes-online'],
    ['MaxFailedNodes leaves room for 2', aRequest({ failuresLeft: 2 }), ['N1', 'N2'], 'failure-budget'],
    ['MaxFailedNodes exhausted: still one (serial semantics)', aRequest({ failuresLeft: 0 }), ['N1'], 'failure-budget'],
    ['quorum: 5 nodes without witness, one Down already: two more would lose the majority', aRequest({ cluster: aCluster(5, { down: ['N5'], witness: false }), candidates: ['N1', 'N2', 'N3', 'N4'], capacity: undefined }), ['N1'], 'quorum'],
    ['quorum: 16 nodes with a witness, 4 at once keep it', aRequest({ capacity: undefined }), ['N1', 'N2', 'N3', 'N4'], 'k'],
    ['a node Down is skipped, the next Up one joins', aRequest({ cluster: aCluster(16, { down: ['N2'] }), capacity: undefined }), ['N1', 'N3', 'N4', 'N5'], 'k'],
    ['S2D at node awareness: one', aRequest({ cluster: s2dCluster, storage: { s2d: true, healthy: true, faultDomains: racks(16, 4, 'StorageScaleUnit') } }), ['N1'], 's2d-awareness'],
    ['S2D at rack awareness, 4 racks of 4: the rack', aRequest({ cluster: s2dCluster, storage: { s2d: true, healthy: true, faultDomains: racks(16, 4, 'StorageRack') } }), ['N1', 'N2', 'N3', 'N4'], 'k'],
    ['S2D at rack awareness, racks interleaved in the order: the rack mates further on', aRequest({ cluster: s2dCluster, candidates: ['N1', 'N5', 'N2', 'N6', 'N3', 'N4'], storage: { s2d: true, healthy: true, faultDomains: racks(16, 4, 'StorageRack') } }), ['N1', 'N2', 'N3', 'N4'], 'k'],
    ['S2D at rack awareness, racks of 2: two', aRequest({ cluster: s2dCluster, storage: { s2d: true, healthy: true, faultDomains: racks(16, 2, 'StorageRack') } }), ['N1', 'N2'], 's2d-other-fault-domain'],
    ['S2D, one disk at rack and one at node awareness: the lowest counts', aRequest({ cluster: s2dCluster, storage: { s2d: true, healthy: true, faultDomains: { ...racks(16, 4, 'StorageRack'), virtualDisks: [{ friendlyName: 'A', faultDomainAwareness: 'StorageRack' }, { friendlyName: 'B', faultDomainAwareness: 'StorageScaleUnit' }] } } }), ['N1'], 's2d-awareness'],
    ['S2D at chassis awareness groups by chassis, not by rack (one node per chassis here)', aRequest({ cluster: s2dCluster, storage: { s2d: true, healthy: true, faultDomains: racks(16, 4, 'StorageChassis') } }), ['N1'], 's2d-other-fault-domain'],
    ['S2D at rack awareness but storage not Healthy: one', aRequest({ cluster: s2dCluster, storage: { s2d: true, healthy: false, faultDomains: racks(16, 4, 'StorageRack') } }), ['N1'], 's2d-storage-not-healthy'],
    ['S2D with the fault domains unknown: one', aRequest({ cluster: s2dCluster, storage: { s2d: true, healthy: true, faultDomains: null } }), ['N1'], 's2d-fault-domains-unknown'],
    ['S2D, an awareness text not understood counts as the lowest', aRequest({ cluster: s2dCluster, storage: { s2d: true, healthy: true, faultDomains: racks(16, 4, 'StorageSomethingNew') } }), ['N1'], 's2d-awareness'],
  ])('%s', (_name, request, nodes, limit) => {
    const decision = nextGroup(request);
    expect({ nodes: decision.nodes, limit: decision.limit }).toEqual({ nodes, limit });
    expect(decision.reason.length).toBeGreaterThan(0);
  });

  it('no candidate left: an empty group', () => {
    expect(nextGroup(aRequest({ candidates: [] })).nodes).toEqual([]);
  });

  it('the reason names the rule that kept the group small', () => {
    expect(nextGroup(aRequest({ maxConcurrentNodes: 3, cluster: aCluster(4), capacity: memory(aCluster(4), 128, 60) })).reason).toBe(
      '2 of 3: the other nodes could not host the running VMs of N1, N2, N3 (InsufficientMemory)',
    );
  });
});

describe('groupingLevel', () => {
  it.each<[string, string[], 'rack' | 'chassis' | undefined]>([
    ['rack', ['StorageRack'], 'rack'],
    ['chassis', ['StorageChassis', 'StorageRack'], 'chassis'],
    ['node', ['StorageScaleUnit'], undefined],
    ['physical disk', ['PhysicalDisk'], undefined],
    ['no disk', [], undefined],
  ])('%s', (_name, awareness, field) => {
    expect(groupingLevel({ nodes: [], virtualDisks: awareness.map((a, i) => ({ friendlyName: `V${i}`, faultDomainAwareness: a })) }).field).toBe(field);
  });
});
