/**
 * gateAndSuspend, written once: the drain gate (cluster, storage, capacity), then the suspend with a bounded,
 * polled drain. Windows pauses the node first and then moves its roles, so the node counts as paused by the
 * flow from the moment the suspend is sent (the write-ahead `suspend-requested` record), whatever the reply.
 * A drain that fails, or does not complete within SuspendClusterNodeTimeoutMinutes, is undone: the node is
 * resumed with NoFailback and the step fails with DrainFailed. It is never inherited by the next attempt.
 * Depends on the step context, the gateway's error type and the pure readings only.
 */
import { OperationFailedError } from '../../cluster/gateway.js';
import { ScriptErrorCode, type NodeStatus, type UndrainedAllowance } from '../../cluster/operations.js';
import { describeError, isTransient } from '../../errors.js';
import { StepFailure, StepTimings, pause, remainingMs, type StepContext } from './context.js';
import { awaitDrainGate, type DrainGateOptions } from './gates.js';
import { resumeWhenBack } from './resume.js';
import { readDrain, type DrainReading } from './verdicts.js';

export interface SuspendOptions extends DrainGateOptions {
  readonly attempt: number;
  /** SuspendClusterNodeTimeoutMinutes: the whole drain, from the first suspend call. */
  readonly drainTimeoutMinutes: number;
  readonly forceDrain: boolean;
  /**
   * One of CAU's force switches that let the node be updated undrained (invariant 8's exception), sent with
   * the suspend: ForcePauseNoDrain pauses without a drain; ForcePauseDrainAndReboot drains and, when the drain
   * fails (DrainStatus Failed, the node still Paused), keeps the node paused instead of resuming it. A drain
   * that only timed out is abandoned as usual: a restart in the middle of a live migration is never chosen.
   */
  readonly allowUndrained?: UndrainedAllowance;
  /** Called right after the write-ahead record, before the suspend is sent: the node is now the flow's to resume. */
  readonly onSuspendSent: () => void;
  /** Called once the node is resumed again after a failed drain. */
  readonly onResumed?: () => void;
  /**
   * RebootTimeoutMinutes: how long a node that went away during its failed drain (it crashed; Windows brings it
   * back Paused) is waited for, so that it is resumed rather than left paused.
   */
  readonly rebootTimeoutMinutes: number;
}

type Sent = { readonly kind: 'sent' } | { readonly kind: 'refused'; readonly reading: DrainReading & { state: 'failed' }; readonly code: 'DrainFailed' | 'SuspendFailed' };

/** Sends the suspend; a storage refusal waits at the gate and sends again, within the drain deadline. */
async function sendSuspend(ctx: StepContext, node: string, options: SuspendOptions, deadline: number): Promise<Sent> {
  for (;;) {
    const timeoutSeconds = Math.max(1, Math.min(StepTimings.suspendLongPollSeconds, Math.floor(remainingMs(ctx, deadline) / 1000)));
    try {
      await ctx.gateway.call(ctx.entry, 'suspend-node', { name: node, forceDrain: options.forceDrain, timeoutSeconds, ...(options.allowUndrained !== undefined ? { allowUndrained: options.allowUndrained } : {}) }, { retry: false });
      return { kind: 'sent' };
    } catch (error) {
      // The reply was lost: the suspend may or may not have happened. Never repeat it blindly: the drain
      // wait reads the node's state, and sends again only if the node is still Up with no drain started.
      if (isTransient(error)) return { kind: 'sent' };
      if (!(error instanceof OperationFailedError)) throw error;
      if (error.scriptCode === ScriptErrorCode.spaceDegraded && ctx.clock.now() < deadline) {
        // Storage degraded (ERROR_CLUSTER_SPACE_DEGRADED): wait for it, as CAU does; not an attempt.
        await awaitDrainGate(ctx, node, options);
        continue;
      }
      const code = error.scriptCode === ScriptErrorCode.drainFailed ? 'DrainFailed' : 'SuspendFailed';
      return { kind: 'refused', code, reading: { state: 'failed', reason: error.message } };
    }
  }
}

/** Suspends tried per attempt when SuspendRetriesPerNode is not given: one (CAU's default is UNCONFIRMED). */
export const DEFAULT_SUSPEND_TRIES = 1;

/** Failures of a suspend that another suspend may overcome; a gate that stayed shut is not one of them. */
export const RETRYABLE_SUSPEND_FAILURES: ReadonlySet<string> = new Set(['DrainFailed', 'SuspendFailed']);

/** How the node left service: drained, or paused undrained under a force switch (journaled, with its roles). */
export type SuspendOutcome = { readonly drained: true } | { readonly drained: false; readonly allowedBy: UndrainedAllowance; readonly runningRoles: readonly string[] };

/** Invariant 8's exception, taken explicitly: journaled with the switch and the roles that stay. */
function acceptUndrained(ctx: StepContext, node: string, attempt: number, allowedBy: UndrainedAllowance, status: Pick<NodeStatus, 'runningRoles'>): SuspendOutcome {
  const runningRoles = [...status.runningRoles];
  ctx.journal.step(node, attempt, { step: 'suspended-undrained', allowedBy, runningRoles });
  return { drained: false, allowedBy, runningRoles };
}

/**
 * Drains `node` and leaves it Paused, DrainStatus Completed, no running role; or fails with it resumed; or,
 * under a force switch (options.allowUndrained), leaves it Paused undrained and says so.
 */
export async function gateAndSuspend(ctx: StepContext, node: string, options: SuspendOptions): Promise<SuspendOutcome> {
  await awaitDrainGate(ctx, node, options);
  ctx.journal.step(node, options.attempt, { step: 'suspend-requested' });
  options.onSuspendSent();
  const deadline = ctx.clock.now() + options.drainTimeoutMinutes * 60_000;
  let sent = await sendSuspend(ctx, node, options, deadline);
  let failure: { code: 'DrainFailed' | 'SuspendFailed'; reason: string; drainStatus: string } | undefined;
  if (sent.kind === 'refused') failure = { code: sent.code, reason: sent.reading.reason, drainStatus: 'Failed' };
  while (failure === undefined) {
    const status = await ctx.gateway.call(node, 'get-node-status', {}, { retry: { untilMs: deadline } }).catch((error: unknown) => {
      if (isTransient(error) && ctx.clock.now() >= deadline) return undefined;
      throw error;
    });
    if (status === undefined) {
      failure = { code: 'DrainFailed', reason: `${node} did not answer while its drain was awaited`, drainStatus: 'Unknown' };
      break;
    }
    const reading = readDrain(status);
    if (reading.state === 'completed') {
      ctx.journal.step(node, options.attempt, { step: 'suspended' });
      return { drained: true };
    }
    if (options.allowUndrained === 'ForcePauseNoDrain' && status.clusterNodeState === 'Paused') {
      return acceptUndrained(ctx, node, options.attempt, 'ForcePauseNoDrain', status);
    }
    if (reading.state === 'failed' && options.allowUndrained === 'ForcePauseDrainAndReboot' && status.clusterNodeState === 'Paused' && status.drainStatus === 'Failed') {
      return acceptUndrained(ctx, node, options.attempt, 'ForcePauseDrainAndReboot', status);
    }
    if (reading.state === 'failed') {
      failure = { code: 'DrainFailed', reason: reading.reason, drainStatus: status.drainStatus };
      break;
    }
    if (ctx.clock.now() >= deadline) {
      failure = { code: 'DrainFailed', reason: `the drain did not complete within SuspendClusterNodeTimeoutMinutes (${options.drainTimeoutMinutes} min); DrainStatus is ${status.drainStatus}`, drainStatus: status.drainStatus };
      break;
    }
    if (reading.state === 'not-started') {
      // The suspend never reached the node (a lost request): pass the gate again and send it again.
      await awaitDrainGate(ctx, node, options);
      sent = await sendSuspend(ctx, node, options, deadline);
      if (sent.kind === 'refused') failure = { code: sent.code, reason: sent.reading.reason, drainStatus: 'Failed' };
      continue;
    }
    await pause(ctx, StepTimings.drainPollMs, deadline);
  }
  if (failure.code === 'DrainFailed' && failure.drainStatus === 'Failed' && options.allowUndrained === 'ForcePauseDrainAndReboot') {
    // A drain refused outright: read the node; paused with its drain failed is what the switch accepts.
    const status = await ctx.gateway.call(node, 'get-node-status', {});
    if (status.clusterNodeState === 'Paused' && status.drainStatus === 'Failed') return acceptUndrained(ctx, node, options.attempt, 'ForcePauseDrainAndReboot', status);
  }
  return abandonDrain(ctx, node, options, failure);
}

/** A failed or timed-out drain: recorded, then the node is resumed without failback, then the step fails. */
async function abandonDrain(ctx: StepContext, node: string, options: SuspendOptions, failure: { code: 'DrainFailed' | 'SuspendFailed'; reason: string; drainStatus: string }): Promise<never> {
  ctx.journal.step(node, options.attempt, { step: 'drain-failed', drainStatus: failure.drainStatus, reason: failure.reason });
  try {
    // NoFailback: the roles that did move stay where they went; resume also stops a drain still in progress.
    await resumeWhenBack(ctx, node, options.attempt, 'NoFailback', options.rebootTimeoutMinutes);
  } catch (error) {
    throw new StepFailure('ResumeFailed', 'drain', node, `The drain of ${node} failed (${failure.reason}) and ${node} could not be resumed: ${describeError(error)}. It is still paused.`, { cause: error });
  }
  options.onResumed?.();
  throw new StepFailure(failure.code, 'drain', node, `${node} could not be drained: ${failure.reason}. It was resumed (NoFailback) and not updated in this attempt.`);
}
