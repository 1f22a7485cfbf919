/**
 * Single-node maintenance (the manual SCONFIG flow; CAU 2025's SuspendNode and ResumeNode): drain one node
 * under the rolling run's preconditions and leave it paused, or bring it back (storage jobs first, resume
 * with failback, then health). Also one node's full restart cycle, which the Storage Replica pass of a
 * feature update repeats node by node. Depends on the gateway, the Clock, policy and the cluster lock only.
 */
import type { ClusterGateway } from '../cluster/gateway.js';
import type { ClusterInfo, FailbackMode } from '../cluster/operations.js';
import { AppError, ExitCode, describeError, refusedError, usageError } from '../errors.js';
import type { Clock } from '../platform/clock.js';
import { ClusterLock, type LockOwner } from './cluster-lock.js';
import { drainGate, judgeStorage } from './policy.js';

export interface SingleNodeDeps {
  readonly gateway: ClusterGateway;
  /** Where cluster-wide operations run: the cluster name. */
  readonly entry: string;
  /** Virtual in simulation; every wait uses it. */
  readonly clock: Clock;
  readonly wallClock: Clock;
  readonly owner: LockOwner;
  readonly isProcessAlive: (pid: number) => boolean;
  readonly newRunId: () => string;
}

export interface SingleNodeOptions {
  readonly requireAllNodesOnline: boolean;
  /** @default 'Immediate' */
  readonly failbackMode: FailbackMode;
  /** How long storage may take to become healthy, before a drain and after a resume. */
  readonly waitForStorageRepairTimeoutMinutes: number;
  /** How long a restart may take (restart cycle only). */
  readonly rebootTimeoutMinutes: number;
  readonly forceDrain: boolean;
}

/** What happened to the node; `changed` is false when it already was in the wanted state. */
export interface SingleNodeOutcome {
  readonly node: string;
  readonly action: 'suspend' | 'resume' | 'restart';
  readonly changed: boolean;
  readonly detail: string;
  readonly rebooted: boolean;
}

const LONG_POLL_SECONDS = 60;
const REBOOT_POLL_MS = 5_000;
const RESTART_DELAY_SECONDS = 5;

function findNode(cluster: ClusterInfo, name: string): ClusterInfo['nodes'][number] {
  const node = cluster.nodes.find((n) => n.name.toUpperCase() === name.toUpperCase());
  if (!node) {
    throw usageError('NODE_NOT_FOUND', `${name} is not a node of ${cluster.name} (nodes: ${cluster.nodes.map((n) => n.name).join(', ')}).`);
  }
  return node;
}

/** Waits until storage is healthy (no job left, every disk and pool Healthy) or the timeout passes. */
export async function awaitHealthyStorage(deps: SingleNodeDeps, timeoutMinutes: number): Promise<{ healthy: true } | { healthy: false; reason: string }> {
  const deadline = deps.clock.now() + timeoutMinutes * 60_000;
  for (;;) {
    const remainingS = Math.max(0, Math.ceil((deadline - deps.clock.now()) / 1000));
    const view = await deps.gateway.call(deps.entry, 'wait-storage-healthy', { timeoutSeconds: Math.min(remainingS, LONG_POLL_SECONDS), pollSeconds: 5 });
    const verdict = judgeStorage(view);
    if (verdict.healthy) return verdict;
    if (deps.clock.now() >= deadline) return verdict;
  }
}

/** The cluster half of the rolling run's preconditions for taking `name` out of service; throws a refusal (exit 5). */
function checkClusterGate(cluster: ClusterInfo, name: string, options: SingleNodeOptions): { node: string; paused: boolean } {
  const node = findNode(cluster, name);
  if (cluster.nativeCauRunInProgress) {
    throw refusedError('NATIVE_CAU_RUN_IN_PROGRESS', `A native CAU run is in progress on ${cluster.name}; ${node.name} was not touched.`);
  }
  if (node.state === 'Paused') return { node: node.name, paused: true };
  if (node.state !== 'Up') throw refusedError('NODE_NOT_UP', `${node.name} is ${node.state}; only an Up node can be drained.`);
  if (!cluster.quorum.healthy) throw refusedError('QUORUM_UNHEALTHY', `Cluster ${cluster.name} has no healthy quorum; ${node.name} was not touched.`);
  const gate = drainGate({ cluster, candidate: node.name, requireAllNodesOnline: options.requireAllNodesOnline });
  if (!gate.ok) throw refusedError(gate.code, `Not safe to drain ${node.name}: ${gate.message}; nothing was touched.`);
  return { node: node.name, paused: false };
}

/**
 * The rolling run's preconditions for taking `name` out of service, storage included; throws a refusal (exit 5)
 * when not met. Call it under the cluster lock: checked before the lock, another coordinator could pause a
 * node between the check and the drain.
 */
async function checkDrainable(deps: SingleNodeDeps, name: string, options: SingleNodeOptions): Promise<{ cluster: ClusterInfo; node: string; paused: boolean }> {
  const cluster = await deps.gateway.call(deps.entry, 'get-cluster', {});
  const { node, paused } = checkClusterGate(cluster, name, options);
  if (paused) return { cluster, node, paused };
  const storage = await awaitHealthyStorage(deps, options.waitForStorageRepairTimeoutMinutes);
  if (!storage.healthy) {
    throw refusedError('STORAGE_NOT_HEALTHY', `Not safe to drain ${node}: ${storage.reason}; nothing was touched.`, {
      hint: 'Wait for the repair jobs (Get-StorageJob) and check Get-VirtualDisk, then try again.',
    });
  }
  return { cluster, node, paused: false };
}

async function withLock<T>(deps: SingleNodeDeps, fn: () => Promise<T>): Promise<T> {
  const lock = new ClusterLock({ gateway: deps.gateway, entryNode: deps.entry, wallClock: deps.wallClock, owner: deps.owner, isProcessAlive: deps.isProcessAlive, leaseSeconds: 300 });
  const startedAt = new Date(deps.clock.now()).toISOString();
  await lock.acquire(deps.newRunId(), { runStartTime: startedAt, currentNode: null, currentPhase: null, nodeStatusNotifications: [], nodeResults: [] });
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

async function suspendChecked(deps: SingleNodeDeps, node: string, options: SingleNodeOptions): Promise<void> {
  try {
    await deps.gateway.call(deps.entry, 'suspend-node', { name: node, forceDrain: options.forceDrain, timeoutSeconds: 30 * 60 });
  } catch (error) {
    throw new AppError('SUSPEND_FAILED', ExitCode.runFailed, `${node} could not be drained: ${describeError(error)}`, { cause: error });
  }
}

/** `run --suspend-node`: drains `name` safely and leaves it Paused, under the cluster lock. */
export async function suspendSingleNode(deps: SingleNodeDeps, name: string, options: SingleNodeOptions): Promise<SingleNodeOutcome> {
  const already = (node: string): SingleNodeOutcome => ({ node, action: 'suspend', changed: false, detail: `${node} is already paused.`, rebooted: false });
  // A first look without the lock, so that a plain refusal writes nothing to the cluster.
  const first = checkClusterGate(await deps.gateway.call(deps.entry, 'get-cluster', {}), name, options);
  if (first.paused) return already(first.node);
  return withLock(deps, async () => {
    const checked = await checkDrainable(deps, name, options);
    if (checked.paused) return already(checked.node);
    await suspendChecked(deps, checked.node, options);
    return { node: checked.node, action: 'suspend', changed: true, detail: `${checked.node} is drained and paused for maintenance; resume it with: cauctl run --resume-node ${checked.node}`, rebooted: false };
  });
}

/**
 * `run --resume-node`: waits for the storage jobs, resumes with failback, then waits for storage to be
 * healthy again. A node that is already Up only gets the health check.
 */
export async function resumeSingleNode(deps: SingleNodeDeps, name: string, options: SingleNodeOptions): Promise<SingleNodeOutcome> {
  const cluster = await deps.gateway.call(deps.entry, 'get-cluster', {});
  const node = findNode(cluster, name);
  if (node.state === 'Down' || node.state === 'Unknown') {
    throw refusedError('NODE_NOT_UP', `${node.name} is ${node.state}; start it (and its cluster service) before resuming it.`);
  }
  const changed = node.state === 'Paused';
  if (changed) {
    await withLock(deps, async () => {
      // Storage jobs running from the node's maintenance must finish before it takes roles back.
      const before = await deps.gateway.call(deps.entry, 'get-storage-health', {});
      if (before.jobs.some((j) => j.jobState !== 'Completed')) {
        await awaitHealthyStorage(deps, options.waitForStorageRepairTimeoutMinutes);
      }
      await deps.gateway.call(deps.entry, 'resume-node', { name: node.name, failback: options.failbackMode });
    });
  }
  const health = await awaitHealthyStorage(deps, options.waitForStorageRepairTimeoutMinutes);
  if (!health.healthy) {
    throw new AppError('STORAGE_REPAIR_TIMEOUT', ExitCode.runFailed, `${node.name} is ${changed ? 'resumed' : 'Up'}, but storage did not heal within ${options.waitForStorageRepairTimeoutMinutes} min: ${health.reason}`);
  }
  return { node: node.name, action: 'resume', changed, detail: changed ? `${node.name} is resumed (failback ${options.failbackMode}) and storage is healthy.` : `${node.name} was not paused; storage is healthy.`, rebooted: false };
}

/**
 * One node's restart with the rolling run's safety: the drain gate and healthy storage first, drain, full
 * restart, wait for the node (boot time changed, services running, cluster state back), resume, healthy
 * storage. The caller holds the cluster lock and goes node by node.
 */
export async function restartNodeSafely(deps: SingleNodeDeps, name: string, options: SingleNodeOptions): Promise<SingleNodeOutcome> {
  const checked = await checkDrainable(deps, name, options);
  const node = checked.node;
  if (!checked.paused) await suspendChecked(deps, node, options);
  const before = await deps.gateway.call(node, 'get-node-status', {});
  await deps.gateway.call(node, 'restart-node', { soft: false, delaySeconds: RESTART_DELAY_SECONDS });
  const deadline = deps.clock.now() + options.rebootTimeoutMinutes * 60_000;
  for (;;) {
    try {
      const status = await deps.gateway.call(node, 'get-node-status', {});
      const back = status.lastBootUpTime !== before.lastBootUpTime;
      if (back && status.autoStartServicesNotRunning.length === 0 && (status.clusterNodeState === 'Paused' || status.clusterNodeState === 'Up')) break;
    } catch (error) {
      if (!(error instanceof AppError) || error.exitCode !== ExitCode.connection) throw error;
    }
    if (deps.clock.now() >= deadline) {
      throw new AppError('REBOOT_TIMEOUT', ExitCode.runFailed, `${node} did not come back within ${options.rebootTimeoutMinutes} min after its restart; it stays paused. No further node was restarted.`);
    }
    await deps.clock.sleep(REBOOT_POLL_MS);
  }
  const status = await deps.gateway.call(node, 'get-node-status', {});
  if (status.clusterNodeState === 'Paused') await deps.gateway.call(deps.entry, 'resume-node', { name: node, failback: options.failbackMode });
  const health = await awaitHealthyStorage(deps, options.waitForStorageRepairTimeoutMinutes);
  if (!health.healthy) {
    throw new AppError('STORAGE_REPAIR_TIMEOUT', ExitCode.runFailed, `Storage did not heal within ${options.waitForStorageRepairTimeoutMinutes} min after ${node} restarted: ${health.reason}. No further node was restarted.`);
  }
  return { node, action: 'restart', changed: true, detail: `${node} restarted and resumed; storage is healthy.`, rebooted: true };
}

/** Restarts every node in turn, under one cluster lock; stops at the first node that fails. */
export async function restartNodesRolling(deps: SingleNodeDeps, nodes: readonly string[], options: SingleNodeOptions, onNode?: (outcome: SingleNodeOutcome) => void): Promise<SingleNodeOutcome[]> {
  return withLock(deps, async () => {
    const outcomes: SingleNodeOutcome[] = [];
    for (const node of nodes) {
      const outcome = await restartNodeSafely(deps, node, options);
      outcomes.push(outcome);
      onNode?.(outcome);
    }
    return outcomes;
  });
}
