/**
 * Which nodes may leave service together (issue 18, `run --max-concurrent-nodes <k>`): the next group is the
 * first node left in the order plus the next nodes of the order that may go with it, up to k. A node joins only
 * when every rule still holds with it, judged on the cluster of the moment:
 *
 * - RequireAllNodesOnline: no node may be away while another restarts, so groups are of one;
 * - the failure budget: if the whole group failed, no more nodes may have failed than MaxFailedNodes allows
 *   (a group of one is always allowed: a serial run may fail one node past the budget, then halts);
 * - capacity: the nodes that stay Up and unpaused host every running VM of the group (checkCapacity, k nodes);
 * - quorum: the cluster keeps a majority of votes, the witness's included, with every node of the group Down
 *   (and the nodes already down);
 * - storage: without S2D nothing more. With S2D, only when every virtual disk is aware at StorageChassis or
 *   StorageRack, every node of the group sits in the first node's chassis (or rack) at that level, and storage
 *   is Healthy before the group starts; otherwise S2D stays at one node.
 *
 * Pure: the caller reads the cluster, the nodes' capacity and the fault domains. Depends on the catalogue's
 * types, capacity.ts and policy.ts only.
 */
import type { ClusterInfo, FaultDomainsInfo } from '../cluster/operations.js';
import { checkCapacity, type CapacityInput } from './capacity.js';
import { quorumSurvives } from './policy.js';

/** What storage looks like before the group starts. */
export type GroupStorage =
  | { readonly s2d: false }
  | {
      readonly s2d: true;
      /** judgeStorage's verdict: no job left, every disk and pool Healthy. */
      readonly healthy: boolean;
      /** get-fault-domains; null when it could not be read (then S2D stays at one node). */
      readonly faultDomains: FaultDomainsInfo | null;
    };

export interface GroupRequest {
  /** --max-concurrent-nodes; 1 keeps the serial run. */
  readonly maxConcurrentNodes: number;
  /** The nodes still to update, in the run's order; the first one leads the group whatever the rules say. */
  readonly candidates: readonly string[];
  readonly cluster: ClusterInfo;
  /** Memory and VMs of every node (readCapacityInput); absent when nothing is moved (ForcePauseNoDrain). */
  readonly capacity?: Omit<CapacityInput, 'leaving'>;
  readonly requireAllNodesOnline: boolean;
  /** MaxFailedNodes minus the nodes failed so far. */
  readonly failuresLeft: number;
  readonly storage: GroupStorage;
}

/** Why the group is not larger: the first rule that kept a node out (or `k` / `order` when none did). */
export type GroupLimit =
  | 'k'
  | 'order'
  | 'require-all-nodes-online'
  | 'failure-budget'
  | 'capacity'
  | 'quorum'
  | 's2d-storage-not-healthy'
  | 's2d-fault-domains-unknown'
  | 's2d-awareness'
  | 's2d-other-fault-domain';

export interface GroupDecision {
  /** The nodes to take out of service together, in order; never empty while candidates remain. */
  readonly nodes: readonly string[];
  readonly limit: GroupLimit;
  /** One sentence for the operator: why the group has this size. */
  readonly reason: string;
}

/** The fault-domain levels, from the smallest (FaultDomainType 1-5). */
const AWARENESS_ORDER = ['PhysicalDisk', 'StorageEnclosure', 'StorageScaleUnit', 'StorageChassis', 'StorageRack'] as const;

const same = (a: string, b: string): boolean => a.toUpperCase() === b.toUpperCase();

/**
 * The level every virtual disk is aware at (the lowest of them), as the field of the node to group by:
 * `rack` at StorageRack, `chassis` at StorageChassis, undefined at StorageScaleUnit or below (or unknown text).
 */
export function groupingLevel(faultDomains: FaultDomainsInfo): { field: 'rack' | 'chassis' | undefined; awareness: string } {
  if (faultDomains.virtualDisks.length === 0) return { field: undefined, awareness: 'none (no virtual disk)' };
  let lowest: number = AWARENESS_ORDER.length;
  let lowestName = '';
  for (const disk of faultDomains.virtualDisks) {
    const rank = AWARENESS_ORDER.indexOf(disk.faultDomainAwareness as (typeof AWARENESS_ORDER)[number]);
    // An awareness Windows may add later, or a text not understood, counts as the lowest: never a reason to group.
    const r = rank < 0 ? -1 : rank;
    if (r < lowest) {
      lowest = r;
      lowestName = disk.faultDomainAwareness;
    }
  }
  const field = lowestName === 'StorageRack' ? 'rack' : lowestName === 'StorageChassis' ? 'chassis' : undefined;
  return { field, awareness: lowestName };
}

/** The cluster as it would be with `down` Down (for the quorum rule). */
function withDown(cluster: ClusterInfo, down: readonly string[]): ClusterInfo {
  return { ...cluster, nodes: cluster.nodes.map((n) => (down.some((d) => same(d, n.name)) ? { ...n, state: 'Down' as const } : n)) };
}

type Rule = (group: readonly string[], candidate: string, request: GroupRequest) => { limit: GroupLimit; reason: string } | undefined;

/** The rules a node must pass to join the group, in the order they are reported. */
const RULES: readonly Rule[] = [
  (_group, candidate, r) => {
    const state = r.cluster.nodes.find((n) => same(n.name, candidate))?.state;
    return state === 'Up' ? undefined : { limit: 'order', reason: `${candidate} is ${state ?? 'not in the cluster'}` };
  },
  (group, candidate, r) =>
    group.length + 1 > Math.max(1, r.failuresLeft)
      ? { limit: 'failure-budget', reason: `with ${candidate} too, ${group.length + 1} nodes could fail at once and MaxFailedNodes leaves room for ${Math.max(0, r.failuresLeft)}` }
      : undefined,
  (group, candidate, r) => {
    if (r.capacity === undefined) return undefined;
    const verdict = checkCapacity({ ...r.capacity, leaving: [...group, candidate] });
    return verdict.ok ? undefined : { limit: 'capacity', reason: `the other nodes could not host the running VMs of ${[...group, candidate].join(', ')} (${verdict.code})` };
  },
  (group, candidate, r) =>
    quorumSurvives(withDown(r.cluster, group), candidate)
      ? undefined
      : { limit: 'quorum', reason: `quorum would not survive ${[...group, candidate].join(', ')} down together` },
  (group, candidate, r) => {
    if (!r.storage.s2d) return undefined;
    const domains = r.storage.faultDomains;
    if (domains === null) return { limit: 's2d-fault-domains-unknown', reason: 'the storage fault domains could not be read, so S2D stays at one node' };
    const { field, awareness } = groupingLevel(domains);
    if (field === undefined) return { limit: 's2d-awareness', reason: `the virtual disks are aware at ${awareness}, not StorageChassis or StorageRack, so S2D stays at one node` };
    const where = (node: string): string | null => domains.nodes.find((n) => same(n.name, node))?.[field] ?? null;
    const lead = where(group[0]!);
    const mine = where(candidate);
    if (lead === null || mine === null || lead.toUpperCase() !== mine.toUpperCase()) {
      return { limit: 's2d-other-fault-domain', reason: `${candidate} is in ${field} ${mine ?? '(none)'}, not ${group[0]}'s ${field} ${lead ?? '(none)'}` };
    }
    return undefined;
  },
];

/** The next group of nodes to take out of service together (see the module comment). */
export function nextGroup(request: GroupRequest): GroupDecision {
  const [first, ...rest] = request.candidates;
  if (first === undefined) return { nodes: [], limit: 'order', reason: 'no node is left' };
  const k = Math.max(1, Math.floor(request.maxConcurrentNodes));
  if (k === 1) return { nodes: [first], limit: 'k', reason: 'one node at a time (--max-concurrent-nodes 1)' };
  if (request.requireAllNodesOnline) return { nodes: [first], limit: 'require-all-nodes-online', reason: 'RequireAllNodesOnline: no other node may be away while a node restarts' };
  if (request.storage.s2d && !request.storage.healthy) return { nodes: [first], limit: 's2d-storage-not-healthy', reason: 'storage is not Healthy, so S2D takes one node' };
  const group = [first];
  let firstRefusal: { limit: GroupLimit; reason: string } | undefined;
  for (const candidate of rest) {
    if (group.length >= k) break;
    const refusal = RULES.map((rule) => rule(group, candidate, request)).find((x) => x !== undefined);
    if (refusal === undefined) group.push(candidate);
    else firstRefusal ??= refusal;
  }
  if (group.length >= k) return { nodes: group, limit: 'k', reason: `${group.length} nodes at once (--max-concurrent-nodes ${k})` };
  if (firstRefusal !== undefined) return { nodes: group, limit: firstRefusal.limit, reason: `${group.length} of ${k}: ${firstRefusal.reason}` };
  return { nodes: group, limit: 'order', reason: `${group.length} of ${k}: no other node is left` };
}
