/**
 * What every node step needs, built once per flow: the (retrying) gateway, the flow's clock, the typed
 * journal writer, where cluster-wide calls go, and the lock heartbeat for long waits. Also the one failure
 * type the steps throw and the timings they share. Depends on interfaces only (no node:*, no transport).
 */
import type { Gateway } from '../../cluster/gateway.js';
import { AppError, ExitCode } from '../../errors.js';
import type { NodePhase } from '../events.js';
import type { Clock } from '../../platform/clock.js';
import type { ErrorCode } from '../error-codes.js';
import type { JournalWriter } from '../journal-records.js';
import type { ErrorRecord } from '../types.js';

export interface StepContext {
  /** A retrying gateway (src/cluster/retrying-gateway.ts): idempotent calls survive a transient failure. */
  readonly gateway: Gateway;
  /** The flow's clock (virtual in simulation): every deadline and wait uses it. */
  readonly clock: Clock;
  readonly journal: JournalWriter;
  /** Where cluster-wide operations run: the cluster name (or a node). */
  readonly entry: string;
  /** Keeps the cluster lock alive during a long wait; a no-op where the flow holds no lock. */
  readonly heartbeat: () => Promise<void>;
  /** Tells the person running the flow something that does not stop the step (a warning); absent: not told. */
  readonly notice?: (warning: { readonly code: ErrorCode; readonly node: string; readonly message: string }) => void;
}

/** Timings of the node steps, named in one place. */
export const StepTimings = {
  /** Long-poll length of one wait-update-task / wait-storage-healthy call. */
  longPollSeconds: 60,
  /** Long-poll length of one suspend-node call: it starts the drain and returns; DrainStatus is polled after. */
  suspendLongPollSeconds: 30,
  /** How often the drain wait reads DrainStatus. */
  drainPollMs: 5_000,
  /** How often the reboot wait asks the node for its boot time. */
  rebootPollMs: 5_000,
  /** How long an install (or download) task may run before the step fails. */
  taskTimeoutMs: 4 * 60 * 60_000,
  /** Delay given to shutdown.exe so the restart call returns before the node goes down. */
  restartDelaySeconds: 5,
  /** After the restart delay, how long a node may still answer with its old boot time before a resumed
   *  flow concludes that the restart call never reached it. */
  restartGraceSeconds: 60,
  /** While the cluster is not ready for a drain or a restart, check again this often. */
  gateRetryMs: 30_000,
} as const;

/**
 * A node step did not reach its goal. `code` is from the catalogue (src/core/error-codes.ts); whether the
 * failure ends the run is the flow's decision (node-steps/decide.ts), not the step's.
 */
export class StepFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly phase: NodePhase,
    readonly node: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StepFailure';
  }

  get record(): ErrorRecord {
    return { code: this.code, message: this.message, node: this.node };
  }
}

/** Failures of a gate before the node was touched: a flow that acts on one node refuses with these (exit 5). */
const BEFORE_TOUCHING: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['OtherNodePaused', 'NodesOffline', 'QuorumAtRisk', 'StorageNotHealthy', 'NoNodeForRoles', 'InsufficientMemory', 'VmNotLiveMigratable', 'NativeCauRunInProgress', 'SelfUpdatingNotHeld']);

/**
 * A step failure as the error a one-node flow throws: a gate that stayed shut before the drain is a refusal
 * (exit 5, nothing was touched); anything later is a failed run (exit 3).
 */
export function stepFailureAsError(failure: StepFailure, hint?: string): AppError {
  const refused = failure.phase === 'drain' && BEFORE_TOUCHING.has(failure.code);
  return new AppError(failure.code, refused ? ExitCode.refused : ExitCode.runFailed, refused ? `${failure.message}; nothing was touched.` : failure.message, {
    cause: failure,
    ...(hint !== undefined ? { hint } : {}),
  });
}

/** Milliseconds left until `deadline`, never negative. */
export function remainingMs(ctx: Pick<StepContext, 'clock'>, deadline: number): number {
  return Math.max(0, deadline - ctx.clock.now());
}

/** Sleeps `ms` or until the deadline, whichever is first, then refreshes the lock. */
export async function pause(ctx: StepContext, ms: number, deadline: number): Promise<void> {
  await ctx.clock.sleep(Math.min(ms, Math.max(1000, remainingMs(ctx, deadline))));
  await ctx.heartbeat();
}
