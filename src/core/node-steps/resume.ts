/**
 * Resuming a node, written once and journaled: `resume-requested` before the call, `resumed` after. A node
 * that is no longer Paused is not resumed again. Depends on the step context only.
 */
import type { FailbackMode } from '../../cluster/operations.js';
import { isTransient } from '../../errors.js';
import { StepTimings, type StepContext } from './context.js';

export async function resumeNode(ctx: StepContext, node: string, attempt: number, failback: FailbackMode): Promise<void> {
  ctx.journal.step(node, attempt, { step: 'resume-requested' });
  const status = await ctx.gateway.call(node, 'get-node-status', {});
  if (status.clusterNodeState === 'Paused') {
    await ctx.gateway.call(ctx.entry, 'resume-node', { name: node, failback });
  }
  ctx.journal.step(node, attempt, { step: 'resumed' });
}

/**
 * Resumes a node that may be away. A node that does not answer went away while paused (a crash, a power loss):
 * Windows brings it back Paused, so it is waited for, within RebootTimeoutMinutes, and resumed then. Only a
 * node that stays away that long is left paused (the caller's ResumeFailed).
 */
export async function resumeWhenBack(ctx: StepContext, node: string, attempt: number, failback: FailbackMode, timeoutMinutes: number): Promise<void> {
  const deadline = ctx.clock.now() + timeoutMinutes * 60_000;
  for (;;) {
    try {
      await resumeNode(ctx, node, attempt, failback);
      return;
    } catch (error) {
      if (!isTransient(error) || ctx.clock.now() >= deadline) throw error;
    }
    await ctx.clock.sleep(Math.min(StepTimings.rebootPollMs, Math.max(0, deadline - ctx.clock.now())));
    await ctx.heartbeat();
  }
}
