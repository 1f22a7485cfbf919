/**
 * The cluster-side lock (invariant 5): a cluster private property holding owner, run id, heartbeat, lease and
 * a progress summary that `get-run` reads from any host. Writes are compare-and-set, so a coordinator that
 * lost its lock (force-recovered by someone else) finds out on its next heartbeat.
 * Depends on the gateway and the Clock interface only.
 */
import type { Gateway } from '../cluster/gateway.js';
import { AppError, ExitCode, refusedError } from '../errors.js';
import type { Clock } from '../platform/clock.js';
import { restoreSelfUpdating } from './node-steps/native-cau.js';

export const LOCK_PROPERTY = 'CauctlRunLock';
export const STOP_PROPERTY = 'CauctlStopRequest';

export interface LockOwner {
  readonly host: string;
  readonly user: string;
  readonly pid: number;
  /**
   * A stable id of the machine (/etc/machine-id, else one kept in the state directory): containers and
   * cloned VMs share host names, so "same host" is decided on this when both sides have it.
   */
  readonly machineId?: string;
}

export interface NodeStatusNotification {
  readonly node: string;
  /** A phase name while the node is worked on, then its final status. */
  readonly status: string;
  readonly timestamp: string;
}

export interface RunProgress {
  readonly runStartTime: string;
  readonly currentNode: string | null;
  readonly currentPhase: string | null;
  readonly nodeStatusNotifications: readonly NodeStatusNotification[];
  readonly nodeResults: ReadonlyArray<{ node: string; status: string; attempts: number }>;
  /** The finish the coordinator predicts (run clock, ISO), from its plan as phases end; null or absent: none. */
  readonly predictedEndTime?: string | null;
}

export interface LockRecord {
  readonly version: 1;
  readonly runId: string;
  readonly owner: LockOwner;
  /** Wall-clock ISO times: leases are about real processes, even in simulation. */
  readonly acquiredAt: string;
  readonly heartbeatAt: string;
  readonly leaseSeconds: number;
  readonly progress: RunProgress;
}

export interface StopRequest {
  readonly runId: string;
  readonly requestedAt: string;
  readonly requestedBy: string;
}

/** @default 300 s: a coordinator that has not written for 5 minutes is presumed dead. */
export const DEFAULT_LEASE_SECONDS = 300;

/**
 * What this host last saw of another host's lock: its heartbeat value, and when (on this host's own clock) that
 * value was first seen. A coordinator elsewhere is dead when its heartbeat stays the same for a whole lease as
 * measured here: durations on one clock, never a remote time compared with the local clock (clocks are skewed).
 */
export interface HeartbeatObservation {
  readonly runId: string;
  readonly heartbeatAt: string;
  /** This host's wall clock (ms) when it first saw that heartbeat. */
  readonly sinceMs: number;
}

/** Where observations survive between invocations (a file in the state directory); absent = none kept. */
export interface HeartbeatObservations {
  load(): HeartbeatObservation | undefined;
  save(observation: HeartbeatObservation): void;
}

export interface LockContext {
  readonly gateway: Gateway;
  /** The node cluster-wide operations run on. */
  readonly entryNode: string;
  readonly wallClock: Clock;
  readonly owner: LockOwner;
  /** Is this process alive? Only asked for owners on this machine. */
  readonly isProcessAlive: (pid: number) => boolean;
  readonly leaseSeconds: number;
  /** Heartbeats seen earlier from this host; without it, another machine's lock always counts as live. */
  readonly observations?: HeartbeatObservations;
}

export function parseLock(value: string | null): LockRecord | null {
  if (value === null || value === '') return null;
  try {
    const parsed = JSON.parse(value) as LockRecord;
    return parsed && typeof parsed.runId === 'string' ? parsed : null;
  } catch {
    return null;
  }
}

export type LockLiveness = { live: true; why?: string } | { live: false; why: string };

/** The same machine: by machine id when both sides have one (containers share host names), else by host name. */
export function isSameMachine(a: LockOwner, b: LockOwner): boolean {
  if (a.machineId !== undefined && b.machineId !== undefined) return a.machineId === b.machineId;
  return a.host === b.host;
}

/** The observation to keep after reading `lock` at `nowMs`: unchanged heartbeat keeps its first sighting. */
export function observeHeartbeat(lock: LockRecord, previous: HeartbeatObservation | undefined, nowMs: number): HeartbeatObservation {
  if (previous !== undefined && previous.runId === lock.runId && previous.heartbeatAt === lock.heartbeatAt) return previous;
  return { runId: lock.runId, heartbeatAt: lock.heartbeatAt, sinceMs: nowMs };
}

/**
 * A lock of this machine is live while its owner process exists. A lock of another machine is live until this
 * host has seen its heartbeat unchanged for a whole lease (by this host's clock, from `observation`): a remote
 * time is never compared with the local clock. Without an observation it is live: we never clear what we
 * cannot prove dead.
 */
export function lockLiveness(
  lock: LockRecord,
  nowMs: number,
  ctx: Pick<LockContext, 'owner' | 'isProcessAlive'> & { readonly observation?: HeartbeatObservation },
): LockLiveness {
  if (isSameMachine(lock.owner, ctx.owner)) {
    return ctx.isProcessAlive(lock.owner.pid) ? { live: true } : { live: false, why: `its owner process ${lock.owner.pid} on ${lock.owner.host} is gone` };
  }
  const seen = ctx.observation;
  if (seen === undefined || seen.runId !== lock.runId || seen.heartbeatAt !== lock.heartbeatAt) {
    return { live: true, why: `its heartbeat was first seen from this host just now; a dead coordinator's heartbeat stays the same for its ${lock.leaseSeconds} s lease` };
  }
  const unchangedSeconds = Math.floor((nowMs - seen.sinceMs) / 1000);
  if (unchangedSeconds >= lock.leaseSeconds) {
    return { live: false, why: `its heartbeat has not changed for ${unchangedSeconds} s as seen from this host, longer than its ${lock.leaseSeconds} s lease` };
  }
  return { live: true, why: `its heartbeat has not changed for ${unchangedSeconds} s as seen from this host; it is presumed dead after ${lock.leaseSeconds} s` };
}

/** Reads the last observation, judges the lock, and keeps the new observation. */
function judge(lock: LockRecord, ctx: LockContext): LockLiveness {
  const nowMs = ctx.wallClock.now();
  const previous = ctx.observations?.load();
  const liveness = lockLiveness(lock, nowMs, { owner: ctx.owner, isProcessAlive: ctx.isProcessAlive, ...(previous ? { observation: previous } : {}) });
  if (!isSameMachine(lock.owner, ctx.owner)) ctx.observations?.save(observeHeartbeat(lock, previous, nowMs));
  return liveness;
}

export function describeOwner(lock: LockRecord): string {
  return `run ${lock.runId} by ${lock.owner.user} on ${lock.owner.host} (pid ${lock.owner.pid}), last heartbeat ${lock.heartbeatAt}`;
}

export async function readLock(ctx: Pick<LockContext, 'gateway' | 'entryNode'>): Promise<{ raw: string | null; lock: LockRecord | null }> {
  const { value } = await ctx.gateway.call(ctx.entryNode, 'get-cluster-property', { name: LOCK_PROPERTY });
  return { raw: value, lock: parseLock(value) };
}

export async function readStopRequest(ctx: Pick<LockContext, 'gateway' | 'entryNode'>): Promise<StopRequest | null> {
  const { value } = await ctx.gateway.call(ctx.entryNode, 'get-cluster-property', { name: STOP_PROPERTY });
  if (value === null) return null;
  try {
    return JSON.parse(value) as StopRequest;
  } catch {
    return null;
  }
}

export async function writeStopRequest(
  ctx: Pick<LockContext, 'gateway' | 'entryNode'>,
  request: StopRequest | null,
): Promise<void> {
  await ctx.gateway.call(ctx.entryNode, 'set-cluster-property', {
    name: STOP_PROPERTY,
    value: request === null ? null : JSON.stringify(request),
  });
}

/** Thrown by a heartbeat when the lock is no longer ours. */
export class LockLostError extends AppError {
  constructor(message: string) {
    super('LOCK_LOST', ExitCode.runFailed, message, {
      hint: 'Another coordinator took over the cluster lock; this run stopped touching nodes.',
    });
  }
}

export class ClusterLock {
  private current: string | null = null;
  /** A write whose reply never came back: it may have applied. */
  private pending: string | null = null;

  constructor(private readonly ctx: LockContext) {}

  private record(runId: string, acquiredAt: string, progress: RunProgress): LockRecord {
    return {
      version: 1,
      runId,
      owner: this.ctx.owner,
      acquiredAt,
      heartbeatAt: new Date(this.ctx.wallClock.now()).toISOString(),
      leaseSeconds: this.ctx.leaseSeconds,
      progress,
    };
  }

  /**
   * Takes the lock. A live lock is never taken. A dead one is taken over only when `takeOverRunId` names its
   * run (our own `--resume`) or when `forceRecovery` is set.
   */
  async acquire(
    runId: string,
    progress: RunProgress,
    options: { takeOverRunId?: string; forceRecovery?: boolean; takeOverDeadLocal?: boolean } = {},
  ): Promise<void> {
    const { raw, lock } = await readLock(this.ctx);
    if (raw !== null) {
      if (lock === null) {
        throw refusedError('LOCK_UNREADABLE', `The cluster lock property ${LOCK_PROPERTY} holds a value cauctl cannot read.`, {
          hint: `Inspect it with Get-ClusterParameter -Name ${LOCK_PROPERTY}; remove it by hand only when no coordinator runs.`,
        });
      }
      const liveness = judge(lock, this.ctx);
      if (liveness.live) {
        throw refusedError('LOCK_HELD', `The cluster is locked by ${describeOwner(lock)}${liveness.why ? `; ${liveness.why}` : ''}.`, {
          hint: 'Wait for that run to end (cauctl get-run --wait-for-completion), or stop it with cauctl stop-run. A live lock is never cleared.',
          details: { runId: lock.runId, owner: lock.owner },
        });
      }
      const mayTakeOver =
        options.forceRecovery === true ||
        options.takeOverRunId === lock.runId ||
        (options.takeOverDeadLocal === true && isSameMachine(lock.owner, this.ctx.owner));
      if (!mayTakeOver) {
        throw refusedError('LOCK_STALE', `The cluster is locked by ${describeOwner(lock)}, and ${liveness.why}.`, {
          hint: isSameMachine(lock.owner, this.ctx.owner)
            ? 'Continue that run with: cauctl run --resume   (or clear the lock with --force-recovery)'
            : 'Clear the dead lock with: cauctl run --force-recovery --force',
          details: { runId: lock.runId },
        });
      }
    }
    const value = JSON.stringify(this.record(runId, new Date(this.ctx.wallClock.now()).toISOString(), progress));
    const result = await this.ctx.gateway.call(this.ctx.entryNode, 'set-cluster-property', {
      name: LOCK_PROPERTY,
      value,
      expected: raw,
    });
    // What is there now decides, not the reply alone: a lost reply may hide our own write, and a reply may
    // claim a write that another coordinator's took the place of.
    const after = result.applied ? (await readLock(this.ctx)).raw : result.current;
    if (after !== value) {
      const winner = parseLock(after);
      throw refusedError('LOCK_HELD', `Another coordinator took the cluster lock at the same moment${winner ? `: ${describeOwner(winner)}` : ''}. Nothing was touched.`, {
        hint: 'Watch that run with cauctl get-run, or stop it with cauctl stop-run.',
        ...(winner ? { details: { runId: winner.runId, owner: winner.owner } } : {}),
      });
    }
    this.current = value;
  }

  /** Refreshes the lease and publishes progress. Throws LockLostError when the lock is no longer ours. */
  async heartbeat(progress: RunProgress): Promise<void> {
    if (this.current === null) return;
    const previous = parseLock(this.current)!;
    const value = JSON.stringify(this.record(previous.runId, previous.acquiredAt, progress));
    // The value an earlier try wrote before its reply was lost also counts as ours.
    const ours = new Set([this.current, ...(this.pending === null ? [] : [this.pending])]);
    this.pending = value;
    let result = await this.ctx.gateway.call(this.ctx.entryNode, 'set-cluster-property', { name: LOCK_PROPERTY, value, expected: this.current });
    if (!result.applied && result.current !== null && ours.has(result.current) && result.current !== this.current) {
      result = await this.ctx.gateway.call(this.ctx.entryNode, 'set-cluster-property', { name: LOCK_PROPERTY, value, expected: result.current });
    }
    this.pending = null;
    if (!result.applied && result.current !== value) {
      this.current = null;
      const other = parseLock(result.current);
      throw new LockLostError(other ? `The cluster lock now belongs to ${describeOwner(other)}.` : 'The cluster lock was removed by someone else.');
    }
    this.current = value;
  }

  get held(): boolean {
    return this.current !== null;
  }

  /**
   * Releases the lock if still ours; never removes someone else's. First, while the lock is still ours, restores
   * the CAU role's self-updating if the run held it off (node-steps/native-cau.ts). Returns what could not be
   * restored, for the run's warnings (the hold's record then stays for the next holder of the lock).
   */
  async release(): Promise<string[]> {
    if (this.current === null) return [];
    const notRestored = await restoreSelfUpdating(this.ctx.gateway, this.ctx.entryNode);
    await this.ctx.gateway.call(this.ctx.entryNode, 'set-cluster-property', {
      name: LOCK_PROPERTY,
      value: null,
      expected: this.current,
    });
    this.current = null;
    return notRestored === null ? [] : [notRestored];
  }
}

/**
 * `--force-recovery` without a run to resume: clears a dead lock, refuses a live one, and restores the CAU
 * role's self-updating that a dead run (or a release that could not restore it) left held off. Returns what
 * was cleared, or null when there was no lock; throws SELF_UPDATING_NOT_RESTORED when the role stays held off.
 */
export async function forceRecoverLock(ctx: LockContext): Promise<LockRecord | null> {
  const { raw, lock } = await readLock(ctx);
  if (raw === null) {
    await restoreOrThrow(ctx);
    return null;
  }
  if (lock !== null) {
    const liveness = judge(lock, ctx);
    if (liveness.live) {
      throw refusedError('LOCK_HELD', `The cluster lock is live: ${describeOwner(lock)}${liveness.why ? `; ${liveness.why}` : ''}. A live lock is never cleared.`, {
        hint: isSameMachine(lock.owner, ctx.owner)
          ? 'Stop that run with cauctl stop-run (or Ctrl-C in its terminal).'
          : `Stop that run with cauctl stop-run; if its coordinator is dead, run this again once its heartbeat has stayed the same for ${lock.leaseSeconds} s.`,
      });
    }
  }
  // The dead run's hold is restored before its lock goes, so no other run starts in between.
  const notRestored = await restoreSelfUpdating(ctx.gateway, ctx.entryNode);
  const result = await ctx.gateway.call(ctx.entryNode, 'set-cluster-property', { name: LOCK_PROPERTY, value: null, expected: raw });
  if (!result.applied) throw refusedError('LOCK_HELD', 'The cluster lock changed while it was being cleared; it is live.');
  await writeStopRequest(ctx, null);
  if (notRestored !== null) throw notRestoredError(notRestored);
  return lock;
}

function notRestoredError(message: string): AppError {
  return new AppError('SELF_UPDATING_NOT_RESTORED', ExitCode.runFailed, message, {
    hint: 'No cauctl lock is left on the cluster; only the CAU clustered role is as said. Once it is fixed, cauctl run --force-recovery checks again.',
  });
}

async function restoreOrThrow(ctx: LockContext): Promise<void> {
  const notRestored = await restoreSelfUpdating(ctx.gateway, ctx.entryNode);
  if (notRestored !== null) throw notRestoredError(notRestored);
}
