/**
 * The gateway of the one-shot commands (scan, test-setup, the role commands): the run's retry rules (idempotent
 * operations only, a refused password never) around the cluster context's gateway, with the one-shot deadline
 * (one-shot-retry.ts) instead of the run's 15 min, each retry said on stderr. A node still silent at the end
 * is reported with what to check, not the run's "the coordinator should wait and reconnect".
 */
import type { CallOptions, Gateway } from '../cluster/gateway.js';
import type { OperationName, OperationParams, OperationResult } from '../cluster/operations.js';
import { RetryingGateway, describeRetry, describeWait, isIdempotent } from '../cluster/retrying-gateway.js';
import { AppError, isTransient } from '../errors.js';
import { TransportErrorCode } from '../transport/transport.js';
import { WinRmErrorCode } from '../transport/winrm/errors.js';
import type { ClusterContext } from './context.js';
import { ONE_SHOT_CAUSE_DEADLINES_MS, ONE_SHOT_RETRY_DEADLINE_MS } from './one-shot-retry.js';

/** The hint of a transient failure that outlived the one-shot deadline: what to check on `node`. */
export function oneShotGiveUpHint(node: string): string {
  return `Check that ${node} is up and that WinRM answers on it (Test-WSMan ${node}; the WinRM service, the firewall, DNS), then run the command again. One-shot commands retry for ${describeWait(ONE_SHOT_RETRY_DEADLINE_MS)}; a run waits up to 15 min for a node.`;
}

/** Failures that mean "the node does not answer": their hint becomes what to check. A timeout keeps its own. */
const NOT_ANSWERING: ReadonlySet<string> = new Set([TransportErrorCode.unreachable, WinRmErrorCode.connectTimeout, WinRmErrorCode.serviceUnavailable]);

class OneShotGateway implements Gateway {
  constructor(private readonly retrying: RetryingGateway) {}

  async call<N extends OperationName>(node: string, name: N, params: OperationParams<N>, options?: CallOptions): Promise<OperationResult<N>> {
    try {
      return await this.retrying.call(node, name, params, options);
    } catch (error) {
      // Only what the retry gave up on: a failure that is final at once keeps its own hint.
      if (!(error instanceof AppError) || !isTransient(error) || !NOT_ANSWERING.has(error.code) || !isIdempotent(name) || options?.retry === false) throw error;
      throw new AppError(error.code, error.exitCode, error.message, { hint: oneShotGiveUpHint(node), cause: error, transient: true, ...(error.details ? { details: error.details } : {}) });
    }
  }
}

export function commandGateway(ctx: Pick<ClusterContext, 'gateway' | 'clock' | 'io'>): Gateway {
  const retrying = new RetryingGateway(ctx.gateway, ctx.clock, { deadlineMs: ONE_SHOT_RETRY_DEADLINE_MS, causeDeadlinesMs: ONE_SHOT_CAUSE_DEADLINES_MS, deadlineFrom: 'firstFailure' }, (notice) => {
    ctx.io.stderr.write(`cauctl: warning: ${describeRetry(notice)}\n`);
  });
  return new OneShotGateway(retrying);
}
