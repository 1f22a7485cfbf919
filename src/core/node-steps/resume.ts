/**
 * Resuming a node, written once and journaled: `resume-requested` before the call, `resumed` after. A node
 * that is no longer Paused is not resumed again. Depends on the step context only.
 */
import type { FailbackMode } from '../../cluster/operations.js';
import type { StepContext } from './context.js';

export async function resumeNode(ctx: StepContext, node: string, attempt: number, failback: FailbackMode): Promise<void> {
  ctx.journal.step(node, attempt, { step: 'resume-requested' });
  const status = await ctx.gateway.call(node, 'get-node-status', {});
  if (status.clusterNodeState === 'Paused') {
    await ctx.gateway.call(ctx.entry, 'resume-node', { name: node, failback });
  }
  ctx.journal.step(node, attempt, { step: 'resumed' });
}
