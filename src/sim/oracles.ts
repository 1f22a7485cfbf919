/**
 * The audit's references for quorum and Storage Spaces Direct maintenance, written as tables from Microsoft's
 * documentation, never as a formula shared with src/core (issue 20): a misconception the coordinator holds must
 * not be able to confirm itself here. Pure; depends on nothing.
 */

/** A witness as the cluster sees it: an offline witness gives no vote (sys.dm_hadr_cluster: "If the disk witness goes offline ..."). */
export type WitnessVote = 'none' | 'online' | 'offline';

/**
 * "Understanding cluster and pool quorum" (learn.microsoft.com, Azure Local / Windows Server, the table "Cluster
 * quorum recommendations"): with dynamic quorum and dynamic witness (DynamicQuorum defaults to 1 since Windows
 * Server 2012), whether the cluster survives one node failure, then another after the votes were adjusted.
 * '50/50' (the survivor depends on which node held the removed vote) is read as No: an audit must not count on
 * luck. Row 5 stands for "5 and above".
 */
export const DYNAMIC_QUORUM_TABLE: readonly { nodes: number; witness: boolean; one: boolean | '50/50'; oneThenAnother: boolean | '50/50'; twoAtOnce: boolean | '50/50' }[] = [
  { nodes: 2, witness: false, one: '50/50', oneThenAnother: false, twoAtOnce: false },
  { nodes: 2, witness: true, one: true, oneThenAnother: false, twoAtOnce: false },
  { nodes: 3, witness: false, one: true, oneThenAnother: '50/50', twoAtOnce: false },
  { nodes: 3, witness: true, one: true, oneThenAnother: true, twoAtOnce: false },
  { nodes: 4, witness: false, one: true, oneThenAnother: true, twoAtOnce: '50/50' },
  { nodes: 4, witness: true, one: true, oneThenAnother: true, twoAtOnce: true },
  { nodes: 5, witness: false, one: true, oneThenAnother: true, twoAtOnce: true },
  { nodes: 5, witness: true, one: true, oneThenAnother: true, twoAtOnce: true },
];

/**
 * The static guarantee beyond the table, from sys.dm_hadr_cluster's quorum_type (learn.microsoft.com): Node
 * Majority "can sustain failures of half the nodes (rounding up) minus one" (7 nodes: 3); Node and Disk (or File
 * Share) Majority "can sustain failures of half the nodes (rounding up)" while the witness is online (6 nodes: 3),
 * and half rounded up minus one once it is offline (6 nodes: 2).
 */
export const STATIC_FAILURES_SUSTAINED: Readonly<Record<WitnessVote, (nodes: number) => number>> = {
  none: (nodes) => Math.ceil(nodes / 2) - 1,
  online: (nodes) => Math.ceil(nodes / 2),
  offline: (nodes) => Math.ceil(nodes / 2) - 1,
};

/**
 * Whether the cluster keeps quorum when one more node goes, with `alreadyDown` nodes Down for a while (their votes
 * adjusted by dynamic quorum). One node already down is the table's "one, then another"; none is "one"; beyond
 * that only the static guarantee is documented, so only it is counted on.
 */
export function quorumSurvivesOneMore(nodes: number, witness: WitnessVote, alreadyDown: number): boolean {
  const row = DYNAMIC_QUORUM_TABLE.find((r) => r.nodes === Math.min(nodes, 5) && r.witness === (witness === 'online'));
  if (row !== undefined && alreadyDown <= 1) {
    const answer = alreadyDown === 0 ? row.one : row.oneThenAnother;
    if (answer === true) return true;
  }
  return alreadyDown + 1 <= STATIC_FAILURES_SUSTAINED[witness](nodes);
}

/**
 * Whether `down` nodes can be away at once and the cluster keep quorum: none is always fine; one is the table's
 * "one"; two at once is the table's "two at once" (or the static guarantee); beyond that only the static
 * guarantee is counted on. Nodes that leave one after the other (dynamic quorum between) are never worse off.
 */
export function quorumSurvivesDown(nodes: number, witness: WitnessVote, down: number): boolean {
  if (down <= 0) return true;
  if (down === 1) return quorumSurvivesOneMore(nodes, witness, 0);
  const row = DYNAMIC_QUORUM_TABLE.find((r) => r.nodes === Math.min(nodes, 5) && r.witness === (witness === 'online'));
  if (down === 2 && row?.twoAtOnce === true) return true;
  return down <= STATIC_FAILURES_SUSTAINED[witness](nodes);
}

/**
 * Storage fault domains ("Fault domain awareness", learn.microsoft.com, and New-VirtualDisk's
 * -FaultDomainAwareness): a virtual disk spreads its copies across fault domains of its awareness level, so it
 * stays online when every server away sits in one fault domain of that level. At StorageScaleUnit (the default)
 * or below, each server is its own fault domain: one server away at a time. At StorageChassis or StorageRack,
 * the servers of one chassis or rack may be away together; servers of two different ones may not.
 */
export const FAULT_DOMAIN_ORDER = ['PhysicalDisk', 'StorageEnclosure', 'StorageScaleUnit', 'StorageChassis', 'StorageRack'] as const;

/** The fault domain (chassis or rack name) of every server, when the disks are aware at chassis or rack level. */
export type FaultDomainMap = Readonly<Record<string, string>>;

/** Servers (upper-cased names) that share one fault domain with `node`; without a map, only itself. */
function sameDomain(domains: FaultDomainMap | undefined, a: string, b: string): boolean {
  if (a.toUpperCase() === b.toUpperCase()) return true;
  if (domains === undefined) return false;
  const da = domains[a.toUpperCase()];
  return da !== undefined && da === domains[b.toUpperCase()];
}

/**
 * The servers out of service together that storage would not survive: empty when they all sit in one fault
 * domain of the awareness level (or there is only one), else every one of them.
 */
export function serversAcrossFaultDomains(servers: readonly string[], domains: FaultDomainMap | undefined): string[] {
  if (servers.length <= 1) return [];
  const first = servers[0]!;
  return servers.every((s) => sameDomain(domains, first, s)) ? [] : [...servers];
}

/** What the pool looks like when a node is about to leave (suspend or restart): read from the model's raw state. */
export interface PoolFacts {
  /** The node about to leave. */
  readonly node: string;
  /** Nodes in storage maintenance: paused, down, or back with a stale copy not yet resynced. */
  readonly inMaintenance: readonly string[];
  /** Storage jobs (Get-StorageJob) not Completed, by the node they repair: Running or Suspended. */
  readonly unfinishedJobs: readonly { node: string; state: string }[];
  /** Virtual disks detached (offline) for any other reason. */
  readonly detachedDisks: readonly string[];
  /** The leaving node's own stale copy does not count (a node restarted twice in one maintenance window). */
  readonly exemptOwnDebt: boolean;
  /**
   * Server → chassis or rack name (upper-cased keys) when every virtual disk is aware at that level; absent at
   * StorageScaleUnit or below. Servers of the leaving node's own fault domain do not hold it back.
   */
  readonly faultDomains?: FaultDomainMap;
}

/**
 * Storage Spaces Direct maintenance, as Microsoft documents it ("Taking a Storage Spaces Direct server offline for
 * maintenance", learn.microsoft.com; Enable-StorageMaintenanceMode's help: it refuses when it would take the last
 * copy of data offline): one server in maintenance at a time; before the next server goes, Get-StorageJob shows
 * no job left and Get-VirtualDisk shows every volume Healthy. Each rule names its source and its breach.
 */
export const S2D_MAINTENANCE_RULES: readonly { id: string; rule: string; breach: (f: PoolFacts) => string | undefined }[] = [
  {
    id: 'one-fault-domain-at-a-time',
    rule: 'Only one fault domain is in storage maintenance at a time: one server, or the servers of one chassis or rack at that awareness.',
    breach: (f) => {
      const others = f.inMaintenance.filter((n) => !sameDomain(f.faultDomains, f.node, n));
      return others.length > 0 ? `${others.join(', ')} ${others.length > 1 ? 'were' : 'was'} still in storage maintenance or resyncing` : undefined;
    },
  },
  {
    id: 'repair-finished',
    rule: 'The repair (resync) jobs have finished: Get-StorageJob lists none Running or Suspended.',
    breach: (f) => {
      const jobs = f.unfinishedJobs.filter((j) => !(f.exemptOwnDebt && j.node === f.node) && !(j.node !== f.node && f.faultDomains !== undefined && sameDomain(f.faultDomains, f.node, j.node)));
      return jobs.length > 0 ? `the repair of ${jobs.map((j) => `${j.node} (${j.state})`).join(', ')} had not finished` : undefined;
    },
  },
  {
    id: 'volumes-attached',
    rule: 'Every volume is online: no virtual disk Detached.',
    breach: (f) => (f.detachedDisks.length > 0 ? `virtual disk ${f.detachedDisks.join(', ')} ${f.detachedDisks.length > 1 ? 'were' : 'was'} detached` : undefined),
  },
];

/** The S2D rules a node leaving now would break, as sentences; empty when it may go. */
export function s2dMaintenanceBreaches(facts: PoolFacts): string[] {
  return S2D_MAINTENANCE_RULES.map((r) => r.breach(facts)).filter((b): b is string => b !== undefined);
}
