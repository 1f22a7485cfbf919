/**
 * Invariant 8 at the moment it matters: right before an install or a restart, the node must be Paused with
 * DrainStatus Completed and own no running clustered role. Read from the node, never assumed.
 */
import type { NodePhase } from '../events.js';
import { StepFailure, type StepContext } from './context.js';
import { isDrained } from './verdicts.js';

export async function requireDrained(ctx: StepContext, node: string, phase: NodePhase, what: string): Promise<void> {
  const status = await ctx.gateway.call(node, 'get-node-status', {});
  const verdict = isDrained(status);
  if (!verdict.ok) {
    throw new StepFailure('NodeNotDrained', phase, node, `${node} is not drained, so it was not ${what}: ${verdict.reason}. Its roles would go down with it.`);
  }
}
