// Rehearsal models for the issue 18 figures (pre-install, several nodes at once), built like the bench models
// of lib/fixtures.mjs (same timing, one cumulative update with a reboot per node, roles spread 0..6, no faults):
// a 16-node SAN cluster whose memory lets 4 nodes leave at once, and a 16-node S2D cluster in 4 racks whose
// virtual disks are rack-aware. The 8-node S2D model of the pre-install figure is lib/fixtures.mjs's bench-08.
// Pure: builds objects; writing them is the caller's business.
import { benchFixture } from './fixtures.mjs';

/** Memory of every node of the SAN model, and of every VM on it (GB). */
export const SAN_NODE_GB = 128;
export const SAN_VM_GB = 16;

/**
 * 16 nodes on SAN (no S2D), disk witness, 128 GB per node and 16 GB per VM: any 4 nodes leaving together leave
 * room on the other 12 for all their VMs (at most 6 + 6 + 5 + 5 = 22 VMs, 352 GB, against at least 1,120 GB free).
 */
export function sanFixture() {
  const base = benchFixture(16);
  const vms = {};
  for (const node of base.nodes) for (const role of node.roles) vms[role] = { memoryMB: SAN_VM_GB * 1024 };
  return {
    ...base,
    name: 'BENCHSAN16',
    description: 'Benchmark model (issue 18): 16 nodes on SAN, disk witness, 128 GB per node and 16 GB per VM (room for 4 nodes away at once), one cumulative update with a reboot per node, realistic timing, no faults.',
    storage: { s2d: false },
    quorum: { witnessType: 'Disk', witnessState: 'Online' },
    vms,
    nodes: base.nodes.map((n) => ({ ...n, memoryMB: SAN_NODE_GB * 1024 })),
  };
}

/** Nodes per rack of the racks model; its order (fewest roles first) keeps each rack's nodes together. */
export const RACK_SIZE = 4;

/** 16 S2D nodes in 4 racks (RACK1: NODE01-04, ...), one chassis per node, every virtual disk rack-aware. */
export function racksFixture() {
  const base = benchFixture(16);
  return {
    ...base,
    name: 'BENCHRACK16',
    description: 'Benchmark model (issue 18): 16 S2D nodes in 4 racks of 4, virtual disks with FaultDomainAwareness StorageRack, cloud witness, one cumulative update with a reboot per node, realistic timing, no faults.',
    storage: { s2d: true, faultDomainAwareness: 'StorageRack' },
    nodes: base.nodes.map((n, i) => ({ ...n, faultDomain: { rack: `RACK${Math.floor(i / RACK_SIZE) + 1}`, chassis: `CHASSIS${String(i + 1).padStart(2, '0')}` } })),
  };
}

/** The committed models, by file name under bench/fixtures/. */
export const CONCURRENCY_FIXTURES = Object.freeze({
  'bench-16-san.json': sanFixture,
  'bench-16-racks.json': racksFixture,
});
