/**
 * Pure decisions of the rolling run: node order, failure budget, quorum, storage readiness, the final status
 * and retry backoff. No I/O, no clock: everything is an argument, so each rule has table tests.
 */
import type { ClusterInfo, StorageHealth } from '../cluster/operations.js';
import type { RunStatus } from './events.js';
import type { ErrorCode } from './error-codes.js';
import type { NodeResult } from './types.js';

/** CAU's default MaxFailedNodes: about one third of the nodes, rounded down. */
export function defaultMaxFailedNodes(nodeCount: number): number {
  return Math.floor(nodeCount / 3);
}

/**
 * The update order: NodeOrder first (as given), then every other node with the fewest clustered roles first,
 * ties by name, so the busiest nodes drain last and the fewest roles move.
 */
export function orderNodes(
  nodes: ReadonlyArray<{ name: string; roles: readonly string[] }>,
  nodeOrder?: readonly string[],
): string[] {
  const byName = new Map(nodes.map((n) => [n.name.toUpperCase(), n.name]));
  const ordered: string[] = [];
  for (const wanted of nodeOrder ?? []) {
    const actual = byName.get(wanted.toUpperCase());
    if (actual !== undefined && !ordered.includes(actual)) ordered.push(actual);
  }
  const rest = nodes
    .filter((n) => !ordered.includes(n.name))
    .sort((a, b) => a.roles.length - b.roles.length || a.name.localeCompare(b.name));
  return [...ordered, ...rest.map((n) => n.name)];
}

/** Names in `nodeOrder` that are not nodes of the cluster (case-insensitive). */
export function unknownNodeNames(nodes: readonly string[], names: readonly string[]): string[] {
  const known = new Set(nodes.map((n) => n.toUpperCase()));
  return names.filter((n) => !known.has(n.toUpperCase()));
}

export interface DrainGateInput {
  readonly cluster: ClusterInfo;
  readonly candidate: string;
  readonly requireAllNodesOnline: boolean;
}

export type GateVerdict = { ok: true } | { ok: false; code: ErrorCode; message: string };

/**
 * Invariant 2, the cluster half: may `candidate` be taken out of service now? Every other node must be Up;
 * with RequireAllNodesOnline off, a Down node is tolerated when quorum survives the candidate's loss too.
 * A Paused other node is never tolerated: that is a second node out of service.
 */
export function drainGate({ cluster, candidate, requireAllNodesOnline }: DrainGateInput): GateVerdict {
  const others = cluster.nodes.filter((n) => n.name.toUpperCase() !== candidate.toUpperCase());
  const paused = others.filter((n) => n.state === 'Paused');
  if (paused.length > 0) {
    return {
      ok: false,
      code: 'OtherNodePaused',
      message: `${paused.map((n) => n.name).join(', ')} ${paused.length === 1 ? 'is' : 'are'} paused; draining ${candidate} too would take a second node out of service`,
    };
  }
  const notUp = others.filter((n) => n.state !== 'Up');
  if (notUp.length === 0) return { ok: true };
  const names = notUp.map((n) => `${n.name} (${n.state})`).join(', ');
  if (requireAllNodesOnline) {
    return { ok: false, code: 'NodesOffline', message: `RequireAllNodesOnline is set and ${names} not Up` };
  }
  if (!quorumSurvives(cluster, candidate)) {
    return {
      ok: false,
      code: 'QuorumAtRisk',
      message: `taking ${candidate} down while ${names} not Up would lose quorum`,
    };
  }
  return { ok: true };
}

/** Node majority plus the witness vote: does the cluster keep quorum once `candidate` is down too? */
export function quorumSurvives(cluster: ClusterInfo, candidate: string): boolean {
  const witnessVote = cluster.quorum.witnessType !== 'None' && cluster.quorum.witnessType !== '' ? 1 : 0;
  const witnessUp = witnessVote === 1 && cluster.quorum.witnessState === 'Online' ? 1 : 0;
  const totalVotes = cluster.nodes.length + witnessVote;
  const upVotes =
    cluster.nodes.filter((n) => n.state !== 'Down' && n.state !== 'Unknown' && n.name.toUpperCase() !== candidate.toUpperCase())
      .length + witnessUp;
  return upVotes * 2 > totalVotes;
}

export type StorageVerdict = { healthy: true } | { healthy: false; reason: string; bytesRemaining: number };

/**
 * Invariant 2, the storage half. Judged by bytes left rather than PercentComplete (which rounds to 100 while
 * gigabytes remain); a Suspended job is not progress; every virtual disk and pool must be Healthy.
 */
export function judgeStorage(storage: StorageHealth): StorageVerdict {
  let bytesRemaining = 0;
  const reasons: string[] = [];
  for (const job of storage.jobs) {
    if (job.jobState === 'Completed') continue;
    const left = Math.max(0, job.bytesTotal - job.bytesProcessed);
    bytesRemaining += left;
    // Any state but Completed holds the drain: Running with 0 bytes left is not finished yet, Suspended is no progress.
    reasons.push(`storage job ${job.name} is ${job.jobState} with ${left} bytes left`);
  }
  for (const disk of storage.virtualDisks) {
    if (disk.healthStatus !== 'Healthy') reasons.push(`virtual disk ${disk.friendlyName} is ${disk.healthStatus}/${disk.operationalStatus}`);
  }
  for (const pool of storage.pools) {
    if (pool.healthStatus !== 'Healthy') reasons.push(`pool ${pool.friendlyName} is ${pool.healthStatus}/${pool.operationalStatus}`);
  }
  return reasons.length === 0 ? { healthy: true } : { healthy: false, reason: reasons.join('; '), bytesRemaining };
}

/** The failure budget: the run stops once failed nodes exceed MaxFailedNodes. */
export function budgetExceeded(failedNodes: number, maxFailedNodes: number): boolean {
  return failedNodes > maxFailedNodes;
}

/** Why the run stopped early, if it did. */
export type HaltReason =
  | { kind: 'budget' }
  | { kind: 'user' }
  | { kind: 'stopAfter' }
  | { kind: 'unsafe'; code: string; message: string };

/** The cluster result's SummaryStatus from the node results and how the run ended. */
export function runStatus(nodeResults: readonly NodeResult[], halt: HaltReason | undefined): RunStatus {
  if (halt?.kind === 'user' || halt?.kind === 'stopAfter') return 'Canceled';
  if (halt !== undefined) return 'Failed';
  if (nodeResults.every((r) => r.status === 'Succeeded')) return 'Succeeded';
  if (nodeResults.every((r) => r.status === 'Failed' || r.status === 'Canceled')) return 'Failed';
  return 'PartiallyFailed';
}

export interface BackoffPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
}

/** Reconnect backoff while a node is unreachable (DESIGN invariant 7): 2 s, 4 s, 8 s, capped at 15 s. */
export const reconnectBackoff: BackoffPolicy = { initialDelayMs: 2000, maxDelayMs: 15000, factor: 2 };

export function backoffDelayMs(policy: BackoffPolicy, attempt: number): number {
  return Math.min(policy.initialDelayMs * policy.factor ** Math.max(0, attempt - 1), policy.maxDelayMs);
}
