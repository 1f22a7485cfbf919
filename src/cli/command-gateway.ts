/**
 * The gateway of the one-shot commands (scan, test-setup, the role commands): the run's retry policy around
 * the cluster context's gateway, so that a node that drops a connection is retried the same way (idempotent
 * operations only, one deadline, a refused password never), with each retry said on stderr.
 */
import { RetryingGateway, describeRetry } from '../cluster/retrying-gateway.js';
import type { ClusterContext } from './context.js';

export function commandGateway(ctx: Pick<ClusterContext, 'gateway' | 'clock' | 'io'>): RetryingGateway {
  return new RetryingGateway(ctx.gateway, ctx.clock, {}, (notice) => {
    ctx.io.stderr.write(`cauctl: warning: ${describeRetry(notice)}\n`);
  });
}
