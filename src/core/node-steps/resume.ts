/**
 * Resuming a node, written once and journaled: `resume-requested` before the call, `resumed` after. A node
 * that is no longer Paused is not resumed again. Depends on the step context only.
 */
import type { CallOptions } from '../../cluster/gateway.js';
import type { FailbackMode } from '../../cluster/operations.js';
import { isTransient } from '../../errors.js';
import { StepTimings, type StepContext } from './context.js';

export async function resumeNode(ctx: StepContext, node: string, attempt: number, failback: FailbackMode, look: Pick<CallOptions, 'retry'> = {}): Promise<void> {
  ctx.journal.step(node, attempt, { step: 'resume-requested' });
  const status = await ctx.gateway.call(node, 'get-node-status', {}, look);
  if (status.clusterNodeState === 'Paused') {
    await ctx.gateway.call(ctx.entry, 'resume-node', { name: node, failback });
  }
  ctx.journal.step(node, attempt, { step: 'resumed' });
}

/**
 * Resumes a node that may be away. A node that does not answer went away while paused (a crash, a power loss):
 * Windows brings it back Paused, so it is waited for, within RebootTimeoutMinutes, and resumed then. Only a
 * node that stays away that long (and is still away at one last look after it) is left paused (the caller's
 * ResumeFailed).
 */
export async function resumeWhenBack(ctx: StepContext, node: string, attempt: number, failback: FailbackMode, timeoutMinutes: number): Promise<void> {
  const deadline = ctx.clock.now() + timeoutMinutes * 60_000;
  for (;;) {
    const began = ctx.clock.now();
    try {
      // A look begun at the deadline is the last one: one try, no retry.
      await resumeNode(ctx, node, attempt, failback, began >= deadline ? { retry: false } : {});
      return;
    } catch (error) {
      if (!isTransient(error) || began >= deadline) throw error;
      // A look begun before the deadline and given up after it tried the node while it was still away; it may be
      // back by now (a node that went down paused comes back Paused): one more look, at once.
      if (ctx.clock.now() >= deadline) continue;
    }
    await ctx.clock.sleep(Math.min(StepTimings.rebootPollMs, Math.max(0, deadline - ctx.clock.now())));
    await ctx.heartbeat();
  }
}
