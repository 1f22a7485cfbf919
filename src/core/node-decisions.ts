/**
 * The rolling run's per-node decisions, pure and table-tested, in STYLE.md's `transition(state, event) →
 * { state, effects }` shape: what a failed step means for the run (fatal? is the node out of service?), what
 * follows a finished attempt (retry, or the node's final status), and what a resumed run does with a node it
 * finds paused. The driver (coordinator.ts) carries out the effects. No I/O.
 */
import type { NodeStatus, UpdateInstallResult } from '../cluster/operations.js';
import type { NodePhase, RunStatus } from './events.js';
import type { ErrorCode } from './error-codes.js';
import { isDrained } from './node-steps/verdicts.js';

/** What a failed step does to the run, given whether the node is (still) paused by the run. */
export interface FailureEffect {
  /** The run cannot go on safely: no further node is touched. */
  readonly fatal: boolean;
  /** The node is out of service and cannot be brought back by the run. */
  readonly outOfService: boolean;
  /**
   * The node went away while paused by the run (a crash, a power loss): Windows brings it back Paused, so even
   * though the run stops, the failure path waits for it (RebootTimeoutMinutes) and resumes it.
   */
  readonly resumeWhenBack?: true;
}

/**
 * Why each failure is or is not fatal: a gate that stayed shut before a drain, storage that did not heal, or
 * no room for the VMs would stay shut for the next node too; a node that did not come back, or could not be
 * resumed, is out of service; an unreachable node that the run paused cannot be resumed. Everything else
 * ends the attempt, the node is resumed, and the run may retry it.
 */
export function failureEffect(code: ErrorCode, phase: NodePhase, pausedByRun: boolean): FailureEffect {
  switch (code) {
    case 'RebootTimeout':
    case 'ResumeFailed':
      return { fatal: true, outOfService: true };
    case 'StorageRepairTimeout':
    case 'NoNodeForRoles':
    case 'InsufficientMemory':
    case 'VmNotLiveMigratable':
    case 'NativeCauRunInProgress':
    case 'SelfUpdatingNotHeld':
    case 'OtherNodePaused':
    case 'NodesOffline':
      return { fatal: true, outOfService: false };
    case 'QuorumAtRisk':
    case 'StorageNotHealthy':
      // Before the drain nothing is out of service and the gate would stay shut for every node; before a
      // restart the node is paused, so the attempt ends and the node is resumed.
      return phase === 'drain' ? { fatal: true, outOfService: false } : { fatal: false, outOfService: false };
    case 'NodeNotReachable':
      return pausedByRun ? { fatal: true, outOfService: true, resumeWhenBack: true } : { fatal: false, outOfService: false };
    default:
      return { fatal: false, outOfService: false };
  }
}

/**
 * The same for a standalone server (clusterless-run): it takes nothing else down, so no failure of one server
 * stops the run (only the MaxFailedNodes budget does). A server that did not come back from its restart is out
 * of service: it is not retried (a retry would only wait for it again), and the run goes on to the next.
 */
export function standaloneFailureEffect(code: ErrorCode): FailureEffect {
  return { fatal: false, outOfService: code === 'RebootTimeout' };
}

/** Where the node stands when an attempt fails: still paused by the run, or once in its window and resumed. */
export interface NodeWindow {
  /** The run sent the node's suspend (or found it paused by its journal) and has not resumed it. */
  readonly pausedByRun: boolean;
  /**
   * The node was in this run's maintenance window since its storage was last seen healthy: paused, resumed,
   * restarted, or crashed while paused. Its resync is owed even when a failed drain already resumed it.
   */
  readonly windowOpen: boolean;
}

/** What the failure path does before the run retries the node or moves on. */
export interface FailureCleanup {
  /** Resume the node (the profile's failback). */
  readonly resume: boolean;
  /** Wait for storage to heal (S2D resync): every node the run touched owes it before the run moves on. */
  readonly awaitStorage: boolean;
}

/**
 * After a failed attempt: a node still paused by the run is resumed; any node the run touched (paused,
 * resumed, or crashed in its window) gets its storage wait, so that the run neither drains another node nor
 * ends while that node resyncs. A fatal failure leaves both to the halt (nothing more is touched), except for a
 * node that went away while paused: it is resumed once it is back, and its storage waited for, before the run
 * stops.
 */
export function cleanupAfterFailure(effect: FailureEffect, window: NodeWindow): FailureCleanup {
  if (effect.fatal && effect.resumeWhenBack !== true) return { resume: false, awaitStorage: false };
  return { resume: window.pausedByRun, awaitStorage: window.pausedByRun || window.windowOpen };
}

export interface AttemptState {
  readonly attempt: number;
  readonly maxAttempts: number;
  /** The run stopped (budget, Ctrl-C, stop-run, StopAfter, or a fatal failure elsewhere). */
  readonly halted: boolean;
  readonly installResults: readonly UpdateInstallResult[];
}

export type AttemptEvent =
  | { readonly kind: 'succeeded' }
  | {
      readonly kind: 'failed';
      readonly code: ErrorCode;
      readonly fatal: boolean;
      /** The node is out of service but the run may go on (a standalone server that did not come back): no retry. */
      readonly final?: boolean;
    };

export type AttemptDecision =
  | { readonly next: 'retry'; readonly attempt: number }
  | { readonly next: 'done'; readonly status: RunStatus; readonly fatal: boolean };

export function isFailedResult(r: UpdateInstallResult): boolean {
  return r.resultCode === 'Failed' || r.resultCode === 'Aborted';
}

/** After an attempt: retry it, or the node's final status (and whether the run must stop). */
export function afterAttempt(state: AttemptState, event: AttemptEvent): AttemptDecision {
  if (event.kind === 'succeeded') return { next: 'done', status: 'Succeeded', fatal: false };
  if (event.fatal) {
    const partial = event.code === 'StorageRepairTimeout' && state.installResults.length > 0;
    return { next: 'done', status: partial ? 'PartiallyFailed' : 'Failed', fatal: true };
  }
  if (state.attempt < state.maxAttempts && !state.halted && event.final !== true) return { next: 'retry', attempt: state.attempt + 1 };
  const anySucceeded = state.installResults.some((r) => !isFailedResult(r));
  return { next: 'done', status: anySucceeded ? 'PartiallyFailed' : 'Failed', fatal: false };
}

/**
 * A resumed run at a node's suspend step (its suspend may have been sent before the crash). A node that is
 * drained is kept; a node paused with a drain that failed or is still going is resumed (NoFailback) and
 * drained again; an Up node is drained. A paused node is never taken for a drained one.
 */
export function atSuspendOnResume(status: Pick<NodeStatus, 'clusterNodeState' | 'drainStatus' | 'runningRoles'>): 'keep' | 'resume-then-drain' | 'drain' {
  if (status.clusterNodeState !== 'Paused') return 'drain';
  return isDrained(status).ok ? 'keep' : 'resume-then-drain';
}
