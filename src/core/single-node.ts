/**
 * Single-node maintenance (the manual SCONFIG flow; CAU 2025's SuspendNode and ResumeNode): drain one node
 * under the rolling run's preconditions and leave it paused, or bring it back (storage jobs first, resume
 * with failback, then health). Also one node's full restart cycle, which the Storage Replica pass of a
 * feature update repeats node by node. Every step is the shared node step (src/core/node-steps), journaled.
 * Depends on the gateway, the Clock, the journal interface, policy and the cluster lock only.
 */
import type { ClusterGateway } from '../cluster/gateway.js';
import type { ClusterInfo, FailbackMode } from '../cluster/operations.js';
import { RetryingGateway } from '../cluster/retrying-gateway.js';
import { AppError, refusedError, usageError } from '../errors.js';
import type { RunJournal } from '../journal/journal.js';
import type { Clock } from '../platform/clock.js';
import { ClusterLock, type LockOwner } from './cluster-lock.js';
import { JournalWriter } from './journal-records.js';
import { refusingUnreadableNativeCau } from './native-cau-unreadable.js';
import {
  StepFailure,
  awaitHealthyStorage,
  capacityGate,
  gateAndSuspend,
  restartAndAwaitBoot,
  resumeNode,
  stepFailureAsError,
  type StepContext,
} from './node-steps/index.js';
import { drainGate } from './policy.js';

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
  /** The write-ahead journal of this maintenance (its own file, beside the runs'). */
  readonly journal: RunJournal;
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
  /** How long the drain may take. @default 30 */
  readonly suspendClusterNodeTimeoutMinutes?: number;
}

/** What happened to the node; `changed` is false when it already was in the wanted state. */
export interface SingleNodeOutcome {
  readonly node: string;
  readonly action: 'suspend' | 'resume' | 'restart';
  readonly changed: boolean;
  readonly detail: string;
  readonly rebooted: boolean;
  /**
   * What letting the cluster lock go could not do (the CAU role's self-updating left held off), as the rolling
   * run's warnings say it; empty when there was nothing to restore.
   */
  readonly warnings: readonly string[];
}

const DEFAULT_DRAIN_TIMEOUT_MINUTES = 30;

function findNode(cluster: ClusterInfo, name: string): ClusterInfo['nodes'][number] {
  const node = cluster.nodes.find((n) => n.name.toUpperCase() === name.toUpperCase());
  if (!node) {
    throw usageError('NODE_NOT_FOUND', `${name} is not a node of ${cluster.name} (nodes: ${cluster.nodes.map((n) => n.name).join(', ')}).`);
  }
  return node;
}

/** The shared node steps' context for this maintenance: a retrying gateway, the journal, no heartbeat needed. */
function stepsFor(deps: SingleNodeDeps): StepContext {
  return {
    gateway: new RetryingGateway(deps.gateway, deps.clock),
    clock: deps.clock,
    journal: new JournalWriter(deps.journal, () => deps.clock.now()),
    entry: deps.entry,
    heartbeat: async () => undefined,
  };
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
 * `error` with the lock release's warnings in its details (`details.warnings`), so a failed maintenance still
 * says what it left held off; unchanged when there are none.
 */
function withWarnings(error: unknown, warnings: readonly string[]): unknown {
  if (warnings.length === 0 || !(error instanceof AppError)) return error;
  return new AppError(error.code, error.exitCode, error.message, {
    ...(error.hint !== undefined ? { hint: error.hint } : {}),
    details: { ...(error.details ?? {}), warnings: [...warnings] },
    cause: error.cause ?? error,
    transient: error.transient,
  });
}

/**
 * Runs `fn` under the cluster lock, journaled as one maintenance from start to end. Returns its value and what
 * the lock's release could not restore (ClusterLock.release()); a failure is thrown with those in its details.
 */
async function underLock<T>(deps: SingleNodeDeps, steps: StepContext, action: 'suspend' | 'resume' | 'restart', nodes: readonly string[], fn: () => Promise<T>): Promise<{ value: T; warnings: string[] }> {
  const lock = new ClusterLock({ gateway: deps.gateway, entryNode: deps.entry, wallClock: deps.wallClock, owner: deps.owner, isProcessAlive: deps.isProcessAlive, leaseSeconds: 300 });
  const runId = deps.newRunId();
  const startedAt = new Date(deps.clock.now()).toISOString();
  await lock.acquire(runId, { runStartTime: startedAt, currentNode: null, currentPhase: null, nodeStatusNotifications: [], nodeResults: [] });
  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    steps.journal.write({ type: 'maintenance-started', runId, clusterName: deps.entry, action, nodes: [...nodes] });
    try {
      const value = await fn();
      steps.journal.write({ type: 'maintenance-completed', status: 'Succeeded', errorRecord: null });
      outcome = { ok: true, value };
    } catch (error) {
      if (error instanceof StepFailure) {
        steps.journal.write({ type: 'maintenance-completed', status: 'Failed', errorRecord: error.record });
        throw stepFailureAsError(error);
      }
      throw error;
    }
  } catch (error) {
    outcome = { ok: false, error };
  }
  const warnings = await lock.release();
  if (!outcome.ok) throw withWarnings(outcome.error, warnings);
  return { value: outcome.value, warnings };
}

/** Drains `node` with the rolling run's gates (cluster, storage, capacity) and a bounded, polled drain. */
async function drainNode(steps: StepContext, node: string, options: SingleNodeOptions): Promise<void> {
  await gateAndSuspend(steps, node, {
    attempt: 1,
    requireAllNodesOnline: options.requireAllNodesOnline,
    storageTimeoutMinutes: options.waitForStorageRepairTimeoutMinutes,
    capacity: (cluster, name) => capacityGate(steps, cluster, name),
    drainTimeoutMinutes: options.suspendClusterNodeTimeoutMinutes ?? DEFAULT_DRAIN_TIMEOUT_MINUTES,
    rebootTimeoutMinutes: options.rebootTimeoutMinutes,
    forceDrain: options.forceDrain,
    onSuspendSent: () => undefined,
  });
}

/** `run --suspend-node`: drains `name` safely and leaves it Paused, under the cluster lock. */
export async function suspendSingleNode(deps: SingleNodeDeps, name: string, options: SingleNodeOptions): Promise<SingleNodeOutcome> {
  const already = (node: string): SingleNodeOutcome => ({ node, action: 'suspend', changed: false, detail: `${node} is already paused.`, rebooted: false, warnings: [] });
  const steps = stepsFor(deps);
  // A first look without the lock, so that a plain refusal writes nothing to the cluster.
  const read = (): Promise<ClusterInfo> => refusingUnreadableNativeCau(() => deps.gateway.call(deps.entry, 'get-cluster', {}), `cauctl will not drain ${name}`, `run cauctl run --suspend-node ${name} again`);
  const first = checkClusterGate(await read(), name, options);
  if (first.paused) return already(first.node);
  const { value, warnings } = await underLock(deps, steps, 'suspend', [first.node], async () => {
    // Again under the lock: another coordinator could have paused a node between the first look and now.
    const checked = checkClusterGate(await read(), name, options);
    if (checked.paused) return already(checked.node);
    await drainNode(steps, checked.node, options);
    return { node: checked.node, action: 'suspend', changed: true, detail: `${checked.node} is drained and paused for maintenance; resume it with: cauctl run --resume-node ${checked.node}`, rebooted: false, warnings: [] } satisfies SingleNodeOutcome;
  });
  return { ...value, warnings };
}

/** Storage healthy within the timeout after `node` came back, or a StorageRepairTimeout failure. */
async function requireHealthyStorage(steps: StepContext, node: string, timeoutMinutes: number, what: string): Promise<void> {
  const health = await awaitHealthyStorage(steps, timeoutMinutes);
  if (!health.healthy) {
    throw new StepFailure('StorageRepairTimeout', 'resync', node, `${what}, but storage did not heal within ${timeoutMinutes} min: ${health.reason}`);
  }
}

/**
 * `run --resume-node`: waits for the storage jobs, resumes with failback, then waits for storage to be
 * healthy again. A node that is already Up only gets the health check.
 */
export async function resumeSingleNode(deps: SingleNodeDeps, name: string, options: SingleNodeOptions): Promise<SingleNodeOutcome> {
  const steps = stepsFor(deps);
  // Resuming starts no update and only gives the node its roles back, so an MSFT_CAURun that cannot be read does
  // not keep a node paused: said as a warning, as the read-only commands say it.
  const cluster = await deps.gateway.call(deps.entry, 'get-cluster', { reportUnreadableNativeCau: true });
  const unknown = typeof cluster.nativeCauUnreadable === 'string' ? [`native CAU state of ${cluster.name} unknown: ${cluster.nativeCauUnreadable.replace(/\s*$/, '')} Resuming ${name} went on (it starts no update); run and the other commands that change the cluster refuse until it can be read.`] : [];
  const node = findNode(cluster, name);
  if (node.state === 'Down' || node.state === 'Unknown') {
    throw refusedError('NODE_NOT_UP', `${node.name} is ${node.state}; start it (and its cluster service) before resuming it.`);
  }
  const changed = node.state === 'Paused';
  const act = async (): Promise<void> => {
    if (changed) {
      // Storage jobs running from the node's maintenance must finish before it takes roles back.
      const before = await steps.gateway.call(deps.entry, 'get-storage-health', {});
      if (before.jobs.some((j) => j.jobState !== 'Completed')) await awaitHealthyStorage(steps, options.waitForStorageRepairTimeoutMinutes);
      await resumeNode(steps, node.name, 1, options.failbackMode);
    }
    await requireHealthyStorage(steps, node.name, options.waitForStorageRepairTimeoutMinutes, `${node.name} is ${changed ? 'resumed' : 'Up'}`);
  };
  let warnings: readonly string[] = unknown;
  if (changed) warnings = [...unknown, ...(await underLock(deps, steps, 'resume', [node.name], act)).warnings];
  else {
    try {
      await act();
    } catch (error) {
      throw error instanceof StepFailure ? stepFailureAsError(error) : error;
    }
  }
  return { node: node.name, action: 'resume', changed, detail: changed ? `${node.name} is resumed (failback ${options.failbackMode}) and storage is healthy.` : `${node.name} was not paused; storage is healthy.`, rebooted: false, warnings };
}

/**
 * One node's restart with the rolling run's safety: the drain gate and healthy storage first, drain, full
 * restart (the restart gate and the drained check first), wait for the node, resume, healthy storage.
 */
async function restartNodeSafely(deps: SingleNodeDeps, steps: StepContext, name: string, options: SingleNodeOptions): Promise<SingleNodeOutcome> {
  const node = findNode(await deps.gateway.call(deps.entry, 'get-cluster', {}), name).name;
  const status = await steps.gateway.call(node, 'get-node-status', {});
  if (status.clusterNodeState !== 'Paused') await drainNode(steps, node, options);
  await restartAndAwaitBoot(steps, node, {
    attempt: 1,
    round: 1,
    source: 'round',
    soft: false,
    rebootTimeoutMinutes: options.rebootTimeoutMinutes,
    clusterRunning: true,
    gate: { requireAllNodesOnline: options.requireAllNodesOnline, storageTimeoutMinutes: options.waitForStorageRepairTimeoutMinutes, ownResyncDebt: false },
  });
  await resumeNode(steps, node, 1, options.failbackMode);
  await requireHealthyStorage(steps, node, options.waitForStorageRepairTimeoutMinutes, `${node} restarted and resumed. No further node was restarted`);
  return { node, action: 'restart', changed: true, detail: `${node} restarted and resumed; storage is healthy.`, rebooted: true, warnings: [] };
}

/**
 * Restarts every node in turn, under one cluster lock; stops at the first node that fails. `warnings`: what the
 * lock's release could not restore (a failure carries them in its details instead).
 */
export async function restartNodesRolling(deps: SingleNodeDeps, nodes: readonly string[], options: SingleNodeOptions, onNode?: (outcome: SingleNodeOutcome) => void): Promise<{ outcomes: SingleNodeOutcome[]; warnings: string[] }> {
  const steps = stepsFor(deps);
  const { value, warnings } = await underLock(deps, steps, 'restart', nodes, async () => {
    const outcomes: SingleNodeOutcome[] = [];
    for (const node of nodes) {
      const outcome = await restartNodeSafely(deps, steps, node, options);
      outcomes.push(outcome);
      onNode?.(outcome);
    }
    return outcomes;
  });
  return { outcomes: value, warnings };
}
