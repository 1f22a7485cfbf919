/**
 * Pure readings of a node's status, shared by every step that waits on it: is the drain over (and how), is
 * the node drained enough to install or restart (invariant 8), is it back from its restart. No I/O.
 */
import type { NodeStatus } from '../../cluster/operations.js';

export type DrainReading =
  | { readonly state: 'completed' }
  | { readonly state: 'not-started' }
  | { readonly state: 'in-progress' }
  | { readonly state: 'failed'; readonly reason: string };

/**
 * Where a drain stands, from what the node reports. Windows pauses first and then moves roles; a failed drain
 * leaves the node Paused with DrainStatus Failed. A node that is no longer Paused (resumed under us, or down)
 * has no drain going on: that is a failure too, unless it is Up with no drain initiated (the suspend never
 * arrived: a lost request).
 */
export function readDrain(status: Pick<NodeStatus, 'clusterNodeState' | 'drainStatus' | 'runningRoles'>): DrainReading {
  if (status.drainStatus === 'Failed') {
    return { state: 'failed', reason: `DrainStatus is Failed${status.runningRoles.length > 0 ? `; still running here: ${status.runningRoles.join(', ')}` : ''}` };
  }
  if (status.clusterNodeState === 'Up' && status.drainStatus === 'NotInitiated') return { state: 'not-started' };
  if (status.clusterNodeState !== 'Paused') {
    return { state: 'failed', reason: `the node is ${status.clusterNodeState}, not Paused, while its drain was awaited` };
  }
  if (status.drainStatus === 'Completed') {
    return status.runningRoles.length === 0
      ? { state: 'completed' }
      : { state: 'failed', reason: `DrainStatus is Completed but ${status.runningRoles.join(', ')} still run${status.runningRoles.length === 1 ? 's' : ''} here` };
  }
  return { state: 'in-progress' };
}

export type DrainedVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Invariant 8: Paused, DrainStatus Completed, no running clustered role. */
export function isDrained(status: Pick<NodeStatus, 'clusterNodeState' | 'drainStatus' | 'runningRoles'>): DrainedVerdict {
  const problems: string[] = [];
  if (status.clusterNodeState !== 'Paused') problems.push(`it is ${status.clusterNodeState}, not Paused`);
  if (status.drainStatus !== 'Completed') problems.push(`its DrainStatus is ${status.drainStatus}, not Completed`);
  if (status.runningRoles.length > 0) problems.push(`it still runs ${status.runningRoles.join(', ')}`);
  return problems.length === 0 ? { ok: true } : { ok: false, reason: problems.join('; ') };
}

export type BootReading = { readonly back: true } | { readonly back: false; readonly reason: string };

/**
 * Back from a restart: the boot time changed, the auto-start services that ran before the restart run again
 * (every auto-start service when that list is unknown: `servicesBefore` undefined), and (when the cluster
 * runs) the cluster node state is back to Paused or Up.
 */
export function readBoot(
  status: Pick<NodeStatus, 'lastBootUpTime' | 'autoStartServicesNotRunning' | 'clusterNodeState'>,
  bootBefore: string,
  needClusterState: boolean,
  servicesBefore?: readonly string[],
): BootReading {
  if (status.lastBootUpTime === bootBefore) return { back: false, reason: 'the node has not restarted yet' };
  const ranBefore = servicesBefore === undefined ? undefined : new Set(servicesBefore.map((s) => s.toLowerCase()));
  const missing = status.autoStartServicesNotRunning.filter((s) => ranBefore === undefined || ranBefore.has(s.toLowerCase()));
  if (missing.length > 0) return { back: false, reason: `auto-start services not running: ${missing.join(', ')}` };
  if (needClusterState && status.clusterNodeState !== 'Paused' && status.clusterNodeState !== 'Up') {
    return { back: false, reason: `cluster node state is ${status.clusterNodeState}` };
  }
  return { back: true };
}
