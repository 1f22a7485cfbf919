/**
 * Invariant 8 at the moment it matters: right before an install or a restart, the node must be Paused with
 * DrainStatus Completed and own no running clustered role. Read from the node, never assumed.
 */
import type { UndrainedAllowance } from '../../cluster/operations.js';
import type { NodePhase } from '../events.js';
import { StepFailure, type StepContext } from './context.js';
import { isDrained } from './verdicts.js';

/**
 * With `allowedBy` (one of CAU's force switches, journaled as `suspended-undrained` when the node was paused),
 * invariant 8's exception: the node must still be Paused, but may own running roles.
 */
export async function requireDrained(ctx: StepContext, node: string, phase: NodePhase, what: string, allowedBy?: UndrainedAllowance): Promise<void> {
  const status = await ctx.gateway.call(node, 'get-node-status', {});
  if (allowedBy !== undefined) {
    if (status.clusterNodeState === 'Paused') return;
    throw new StepFailure('NodeNotDrained', phase, node, `${node} is ${status.clusterNodeState}, not Paused, so it was not ${what}, even under ${allowedBy}.`);
  }
  const verdict = isDrained(status);
  if (!verdict.ok) {
    throw new StepFailure('NodeNotDrained', phase, node, `${node} is not drained, so it was not ${what}: ${verdict.reason}. Its roles would go down with it.`);
  }
}
