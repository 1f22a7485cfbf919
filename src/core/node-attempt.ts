/**
 * One attempt of the per-node procedure as a pure state machine, STYLE.md §5's `transition(state, event) →
 * { state, commands }`: the step order (pre-update script, drain, install rounds, resume, storage wait,
 * post-update script), where an interrupted attempt picks up (a journal's resume step), and the failure path
 * (resume the node if the run still holds it paused, then wait for its storage if the run touched it). The
 * coordinator only carries the commands out and feeds each one's reply back as an event. No I/O.
 */
import { AppError, ExitCode, describeError, isTransient } from '../errors.js';
import type { NodePhase } from './events.js';
import type { ErrorCode } from './error-codes.js';
import type { ResumeStep } from './journal-replay.js';
import { cleanupAfterFailure, failureEffect, standaloneFailureEffect, type NodeWindow } from './node-decisions.js';
import { StepFailure } from './node-steps/context.js';
import type { ErrorRecord } from './types.js';

/** What the driver is told to do next. Each command ends with one event: `done`, or `failed`. */
export type AttemptCommand =
  /** Run the pre-update script when `run` (else nothing), then journal `pre-script-done`. */
  | { readonly type: 'pre-script'; readonly run: boolean }
  /** Gate, then suspend and drain the node (a node found paused is kept only when drained). */
  | { readonly type: 'drain' }
  /** A resumed run whose drain had failed: resume the node (NoFailback). The attempt then fails. */
  | { readonly type: 'resume-no-failback' }
  /** A resumed run in the middle of a restart: make sure it was issued, then wait for the node. */
  | { readonly type: 'finish-restart'; readonly round: number; readonly source: 'round' | 'failure'; readonly bootBefore: string }
  /** Install rounds (install, restart when needed, rescan for follow-ups), from `from`. */
  | { readonly type: 'install-rounds'; readonly from: Extract<ResumeStep, { step: 'install' | 'await-task' }> }
  /** Resume the node with the profile's failback. */
  | { readonly type: 'resume' }
  /** Wait for storage to heal (S2D resync) within WaitForStorageRepairTimeoutMinutes. */
  | { readonly type: 'await-storage' }
  /** Run the post-update script. */
  | { readonly type: 'post-script' };

/** How the attempt ended: `fatal` means the run cannot go on safely (the node is out of service, storage stuck). */
export type AttemptOutcome =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly fatal: boolean;
      readonly error: ErrorRecord;
      readonly phase: NodePhase;
      /** A standalone server that is out of service (it did not come back): no retry of it, the run goes on. */
      readonly final?: true;
    };

/** A failed command, classified by the driver (a step failure's catalogue code, or what the error was). */
export interface CommandFailure {
  readonly code: ErrorCode;
  readonly phase: NodePhase;
  readonly error: ErrorRecord;
  /**
   * The failure came with no catalogue code of its own (an unexpected error, an unreachable node, a refused
   * password), so the driver classified it; `detail` is its description.
   */
  readonly classified: boolean;
  readonly detail: string;
}

/**
 * Any failure of a command, with a catalogue code: a step failure keeps its own; otherwise a transient error
 * (a lost reply, an operation past its deadline, after the gateway's retries) is NodeNotReachable, a refused
 * connection or password is AccessDenied (never "unreachable"), anything else UnexpectedError. `phase` is
 * where the driver was when it failed.
 */
export function classifyFailure(error: unknown, phase: NodePhase, node: string): CommandFailure {
  const detail = describeError(error);
  if (error instanceof StepFailure) return { code: error.code, phase: error.phase, error: error.record, classified: false, detail };
  const as = (code: ErrorCode, message: string): CommandFailure => ({ code, phase, error: { code, message, node }, classified: true, detail });
  if (isTransient(error)) return as('NodeNotReachable', `${node} stayed unreachable: ${detail}`);
  if (error instanceof AppError && error.exitCode === ExitCode.connection) return as('AccessDenied', `${node} refused the connection or the credentials: ${detail}`);
  return as('UnexpectedError', detail);
}

/** The reply to the last command. `window` is the node's standing after it (a drain may pause and resume). */
export type AttemptEvent =
  | { readonly type: 'done'; readonly window: NodeWindow }
  | { readonly type: 'failed'; readonly failure: CommandFailure; readonly window: NodeWindow };

/** Where the attempt stands: the command in flight, or the end. */
export type AttemptState =
  | { readonly at: 'pre-script' | 'drain' | 'resume' | 'await-storage' | 'post-script' }
  | { readonly at: 'resume-no-failback'; readonly reason: string }
  | { readonly at: 'finish-restart'; readonly source: 'round' | 'failure'; readonly round: number }
  | { readonly at: 'install-rounds' }
  /** The failure path: bringing the node back into service after `failure`. */
  | { readonly at: 'cleanup-resume' | 'cleanup-storage'; readonly failure: CommandFailure; readonly fatal: boolean; readonly awaitStorage: boolean }
  | { readonly at: 'done'; readonly outcome: AttemptOutcome };

export interface AttemptPolicy {
  readonly preUpdateScript: boolean;
  readonly postUpdateScript: boolean;
  /**
   * A standalone server (clusterless-run): there is no cluster to drain it from, resume it into or wait on, so
   * the attempt is pre-update script → install rounds (with their restarts) → post-update script, and a failure
   * has nothing to undo. Which failures stop the run: standaloneFailureEffect.
   */
  readonly clusterless?: boolean;
}

export interface Transition {
  readonly state: AttemptState;
  readonly commands: readonly AttemptCommand[];
}

const go = (state: AttemptState, command?: AttemptCommand): Transition => ({ state, commands: command ? [command] : [] });

/** What follows a standalone server's install rounds: its post-update script, or the end. */
function afterInstalls(policy: AttemptPolicy): Transition {
  return policy.postUpdateScript ? go({ at: 'post-script' }, { type: 'post-script' }) : go({ at: 'done', outcome: { ok: true } });
}

/**
 * A standalone server's attempt picks up: its journal has no suspend, resume or storage record, so after the
 * pre-script (the 'suspend' step) come the install rounds, and a journal at a resume step has only the
 * post-script left. A failed drain cannot be in its journal; one there is refused, not acted on.
 */
function startClusterless(from: ResumeStep, policy: AttemptPolicy, node: string): Transition | undefined {
  switch (from.step) {
    case 'suspend':
      return go({ at: 'install-rounds' }, { type: 'install-rounds', from: { step: 'install', round: 1 } });
    case 'resume':
    case 'after-resume':
      return afterInstalls(policy);
    case 'failure-path':
      return resumeFailurePath(from, true);
    case 'drain-failed': {
      const message = `The journal of ${node} records a failed drain, which a clusterless run never sends: ${from.reason}.`;
      return go({ at: 'done', outcome: { ok: false, fatal: false, error: { code: 'DrainFailed', message, node }, phase: 'drain' } });
    }
    default:
      return undefined;
  }
}

/** The first command of an attempt that starts (or, after an interruption, picks up) at `from`. */
export function startAttempt(from: ResumeStep, policy: AttemptPolicy, node = ''): Transition {
  const clusterless = policy.clusterless === true ? startClusterless(from, policy, node) : undefined;
  if (clusterless !== undefined) return clusterless;
  switch (from.step) {
    case 'start':
      return go({ at: 'pre-script' }, { type: 'pre-script', run: policy.preUpdateScript });
    case 'suspend':
      return go({ at: 'drain' }, { type: 'drain' });
    case 'drain-failed':
      return go({ at: 'resume-no-failback', reason: from.reason }, { type: 'resume-no-failback' });
    case 'await-reboot':
      return go({ at: 'finish-restart', source: from.rebootSource, round: from.round }, { type: 'finish-restart', round: from.round, source: from.rebootSource, bootBefore: from.bootBefore });
    case 'install':
    case 'await-task':
      return go({ at: 'install-rounds' }, { type: 'install-rounds', from });
    case 'resume':
      return go({ at: 'resume' }, { type: 'resume' });
    case 'after-resume':
      return go({ at: 'await-storage' }, { type: 'await-storage' });
    case 'failure-path':
      return resumeFailurePath(from, false);
  }
}

/**
 * An attempt interrupted on its failure path (its `attempt-failed` record): the node is brought back (its
 * resume, unless done; then its storage wait) and the attempt ends failed with the recorded error.
 */
function resumeFailurePath(from: Extract<ResumeStep, { step: 'failure-path' }>, clusterless: boolean): Transition {
  const failure: CommandFailure = { code: from.error.code as ErrorCode, phase: from.phase as NodePhase, error: from.error, classified: false, detail: from.error.message };
  const cleanup = { failure, fatal: from.fatal, awaitStorage: from.awaitStorage };
  if (!clusterless && !from.resumed) return go({ at: 'cleanup-resume', ...cleanup }, { type: 'resume' });
  if (!clusterless && from.awaitStorage) return go({ at: 'cleanup-storage', ...cleanup }, { type: 'await-storage' });
  return failed(failure, from.fatal);
}

/** A restart that followed failed installs has finished (only after an interruption): the attempt failed. */
function installFailedBeforeInterruption(node: string, round: number): CommandFailure {
  const detail = `update(s) failed on ${node} in install round ${round} before the interruption (their results are in the journal); the restart that followed them has finished`;
  return { code: 'InstallFailed', phase: 'install', error: { code: 'InstallFailed', message: detail, node }, classified: false, detail };
}

/** After a command succeeded: the next step in order. */
function next(state: AttemptState, policy: AttemptPolicy, node: string, window: NodeWindow): Transition {
  switch (state.at) {
    case 'pre-script':
      if (policy.clusterless === true) return go({ at: 'install-rounds' }, { type: 'install-rounds', from: { step: 'install', round: 1 } });
      return go({ at: 'drain' }, { type: 'drain' });
    case 'drain':
      return go({ at: 'install-rounds' }, { type: 'install-rounds', from: { step: 'install', round: 1 } });
    case 'resume-no-failback': {
      const detail = `${node} could not be drained before the interruption: ${state.reason}. It was resumed (NoFailback).`;
      return fail({ code: 'DrainFailed', phase: 'drain', error: { code: 'DrainFailed', message: detail, node }, classified: false, detail }, window, policy);
    }
    case 'finish-restart':
      if (state.source === 'failure') return fail(installFailedBeforeInterruption(node, state.round), window, policy);
      return go({ at: 'install-rounds' }, { type: 'install-rounds', from: { step: 'install', round: state.round + 1 } });
    case 'install-rounds':
      return policy.clusterless === true ? afterInstalls(policy) : go({ at: 'resume' }, { type: 'resume' });
    case 'resume':
      return go({ at: 'await-storage' }, { type: 'await-storage' });
    case 'await-storage':
      return policy.postUpdateScript ? go({ at: 'post-script' }, { type: 'post-script' }) : go({ at: 'done', outcome: { ok: true } });
    case 'post-script':
      return go({ at: 'done', outcome: { ok: true } });
    case 'cleanup-resume':
      return state.awaitStorage ? go({ ...state, at: 'cleanup-storage' }, { type: 'await-storage' }) : failed(state.failure, state.fatal);
    case 'cleanup-storage':
      return failed(state.failure, state.fatal);
    case 'done':
      return go(state);
  }
}

function failed(failure: CommandFailure, fatal: boolean, final = false): Transition {
  return go({ at: 'done', outcome: { ok: false, fatal, error: failure.error, phase: failure.phase, ...(final ? { final: true as const } : {}) } });
}

/**
 * A step failed: what the failure means for the run (failureEffect), then the failure path. A node still paused
 * by the run is resumed; any node the run touched gets its storage wait (cleanupAfterFailure).
 */
function fail(failure: CommandFailure, window: NodeWindow, policy: AttemptPolicy): Transition {
  // A standalone server was never paused or drained: nothing to undo, and only the budget stops the run.
  if (policy.clusterless === true) return failed(failure, false, standaloneFailureEffect(failure.code).outOfService);
  const effect = failureEffect(failure.code, failure.phase, window.pausedByRun);
  const cleanup = cleanupAfterFailure(effect, window);
  if (cleanup.resume) return go({ at: 'cleanup-resume', failure, fatal: effect.fatal, awaitStorage: cleanup.awaitStorage }, { type: 'resume' });
  if (cleanup.awaitStorage) return go({ at: 'cleanup-storage', failure, fatal: effect.fatal, awaitStorage: true }, { type: 'await-storage' });
  return failed(failure, effect.fatal);
}

/**
 * The failure path itself failed: the node cannot be brought back safely, so the run stops. A failure with a
 * catalogue code keeps it (StorageRepairTimeout); anything else is the resume that did not happen.
 */
function cleanupFailed(failure: CommandFailure, node: string): Transition {
  const error: ErrorRecord = failure.classified ? { code: 'ResumeFailed', message: `${node} could not be resumed: ${failure.detail}`, node } : failure.error;
  return go({ at: 'done', outcome: { ok: false, fatal: true, error, phase: 'resume' } });
}

/** The attempt's next state and commands, given the reply to the last command. Pure. */
export function transition(state: AttemptState, event: AttemptEvent, policy: AttemptPolicy, node: string): Transition {
  if (state.at === 'done') return go(state);
  if (event.type === 'done') return next(state, policy, node, event.window);
  if (state.at === 'cleanup-resume' || state.at === 'cleanup-storage') return cleanupFailed(event.failure, node);
  return fail(event.failure, event.window, policy);
}
