/**
 * The two gates a node passes before it leaves service (invariant 2): before its drain, every other node Up
 * (or quorum surviving), healthy storage and room for its VMs (invariant 9); before its restart, no other node
 * down and healthy storage (except this node's own resync debt). Each waits within its deadline, then fails
 * the step with the code of what was missing. Depends on the step context and pure policy only.
 */
import type { ClusterInfo } from '../../cluster/operations.js';
import type { StorageHealth } from '../../cluster/operations.js';
import { drainGate, judgeStorage, quorumSurvives, type GateVerdict, type StorageVerdict } from '../policy.js';

/**
 * judgeStorage, except that while group mates are away their own absence (disks degraded but online) does not
 * hold the restart. A repair job still running is never the group's to ignore: the storage view does not say
 * whose it is, and another fault domain's repair must finish first. A disk offline always holds it.
 */
function judgeGroupStorage(storage: StorageHealth, matesAway: boolean): StorageVerdict {
  const verdict = judgeStorage(storage);
  if (verdict.healthy || !matesAway) return verdict;
  const offline = storage.virtualDisks.filter((d) => !d.isOnline);
  const repairing = storage.jobs.filter((j) => j.jobState !== 'Completed');
  if (offline.length === 0 && repairing.length === 0) return { healthy: true };
  return verdict;
}
import { StepFailure, StepTimings, pause, remainingMs, type StepContext } from './context.js';
import { guardNativeCau } from './native-cau.js';

export interface DrainGateOptions {
  readonly requireAllNodesOnline: boolean;
  /** How long storage may take to become healthy. */
  readonly storageTimeoutMinutes: number;
  /** Invariant 9, checked on the cluster view of the moment; absent where no VM can be hosted elsewhere anyway. */
  readonly capacity?: (cluster: ClusterInfo, node: string) => Promise<GateVerdict>;
  /**
   * The other nodes of this node's group (`run --max-concurrent-nodes`, groups.ts): already judged safe to be
   * out of service with it, so one of them paused does not hold this drain. Absent: none (one at a time).
   */
  readonly groupMates?: readonly string[];
}

const isMate = (mates: readonly string[] | undefined, node: string): boolean => (mates ?? []).some((m) => m.toUpperCase() === node.toUpperCase());

/** The cluster as the one-at-a-time rules should see it: a paused group mate counts as Up (it still votes). */
function withoutPausedMates(cluster: ClusterInfo, mates: readonly string[] | undefined): ClusterInfo {
  if (mates === undefined || mates.length === 0) return cluster;
  return { ...cluster, nodes: cluster.nodes.map((n) => (n.state === 'Paused' && isMate(mates, n.name) ? { ...n, state: 'Up' as const } : n)) };
}

/**
 * Waits until `node` may be drained. The long wait is for storage; then the cluster, the capacity and storage
 * are read again back to back, right before the suspend, so a node that went down meanwhile is seen.
 */
export async function awaitDrainGate(ctx: StepContext, node: string, options: DrainGateOptions): Promise<void> {
  const deadline = ctx.clock.now() + options.storageTimeoutMinutes * 60_000;
  for (;;) {
    const remainingS = Math.floor(remainingMs(ctx, deadline) / 1000);
    const waited = await ctx.gateway.call(ctx.entry, 'wait-storage-healthy', { timeoutSeconds: Math.min(remainingS, StepTimings.longPollSeconds), pollSeconds: 5 });
    let storage = judgeStorage(waited);
    if (storage.healthy) {
      const cluster = await ctx.gateway.call(ctx.entry, 'get-cluster', {});
      const gate = drainGate({ cluster: withoutPausedMates(cluster, options.groupMates), candidate: node, requireAllNodesOnline: options.requireAllNodesOnline });
      if (gate.ok) {
        // No native CAU run beside this one, and self-updating held off while the lock is held (native-cau.ts).
        await guardNativeCau(ctx, node, cluster);
        const room = options.capacity ? await options.capacity(cluster, node) : ({ ok: true } as const);
        // Room does not appear by waiting: a shortfall stops here, before the node is touched.
        if (!room.ok) throw new StepFailure(room.code, 'drain', node, `Not safe to drain ${node}: ${room.message}`);
        storage = judgeStorage(await ctx.gateway.call(ctx.entry, 'get-storage-health', {}));
        if (storage.healthy) return;
      } else {
        if (ctx.clock.now() >= deadline) throw new StepFailure(gate.code, 'drain', node, `Not safe to drain ${node}: ${gate.message}`);
        await pause(ctx, StepTimings.gateRetryMs, deadline);
        continue;
      }
    }
    if (!storage.healthy && ctx.clock.now() >= deadline) {
      throw new StepFailure('StorageNotHealthy', 'drain', node, `Not safe to drain ${node}: storage did not become healthy within ${options.storageTimeoutMinutes} min: ${storage.reason}`);
    }
    await ctx.heartbeat();
  }
}

export interface RestartGateOptions {
  readonly requireAllNodesOnline: boolean;
  readonly storageTimeoutMinutes: number;
  /**
   * The node already restarted since its suspend: it comes back stale and resyncs only after its resume, so
   * its own resync debt does not hold the next restart (SBE packages need up to three in a row).
   */
  readonly ownResyncDebt: boolean;
  /** As DrainGateOptions.groupMates: mates down are allowed (their group was judged safe), quorum still counted. */
  readonly groupMates?: readonly string[];
}

/**
 * The cluster half of the restart gate (pure): no other node down, or (without S2D) quorum survives. Nodes of
 * this node's group may be down (groups.ts judged the group, fault domains included), if quorum survives.
 */
export function restartClusterGate(cluster: ClusterInfo, node: string, requireAllNodesOnline: boolean, groupMates?: readonly string[]): GateVerdict {
  const down = cluster.nodes.filter((n) => n.name !== node && (n.state === 'Down' || n.state === 'Unknown'));
  if (down.length === 0) return { ok: true };
  if (down.every((n) => isMate(groupMates, n.name)) && !requireAllNodesOnline && quorumSurvives(cluster, node)) return { ok: true };
  if (!cluster.s2dEnabled && !requireAllNodesOnline && quorumSurvives(cluster, node)) return { ok: true };
  return {
    ok: false,
    code: 'QuorumAtRisk',
    message: `${down.map((n) => n.name).join(', ')} went down and restarting ${node} too would risk quorum or storage redundancy`,
  };
}

/** Waits until `node` (paused) may restart: no other node may be down, and storage must be healthy. */
export async function awaitRestartGate(ctx: StepContext, node: string, options: RestartGateOptions): Promise<void> {
  const deadline = ctx.clock.now() + options.storageTimeoutMinutes * 60_000;
  for (;;) {
    const cluster = await ctx.gateway.call(ctx.entry, 'get-cluster', {});
    const gate = restartClusterGate(cluster, node, options.requireAllNodesOnline, options.groupMates);
    // A group mate away (or back and resyncing) degrades the disks of its own fault domain: that is the
    // group's own debt, like the node's; the disks must still all be online.
    const matesAway = cluster.nodes.some((n) => n.state !== 'Up' && isMate(options.groupMates, n.name));
    const storage = options.ownResyncDebt ? ({ healthy: true } as const) : judgeGroupStorage(await ctx.gateway.call(ctx.entry, 'get-storage-health', {}), matesAway);
    if (gate.ok && storage.healthy) return;
    if (ctx.clock.now() >= deadline) {
      if (!gate.ok) throw new StepFailure('QuorumAtRisk', 'reboot', node, `Not safe to restart ${node}: ${gate.message}.`);
      throw new StepFailure('StorageNotHealthy', 'reboot', node, `Not safe to restart ${node}: storage is not healthy: ${storage.healthy ? '' : storage.reason}.`);
    }
    await pause(ctx, StepTimings.gateRetryMs, deadline);
  }
}
