/**
 * The one gateway policy for transient failures, in the shape of undici's RetryAgent: a decorator around any
 * Gateway that repeats a call only when the transport marked its failure transient (`isTransient`) and the
 * catalogue marks the operation idempotent, with a backoff that is data, all within one deadline.
 * A non-idempotent call (suspend, restart, compare-and-set) is never repeated blindly: its caller reads the
 * state and decides. An authentication refusal is never transient, so it is never retried as "unreachable".
 * Depends on the catalogue, errors and the Clock interface only.
 */
import { describeError, isTransient } from '../errors.js';
import type { Clock } from '../platform/clock.js';
import type { CallOptions, Gateway } from './gateway.js';
import { operations, type OperationName, type OperationParams, type OperationResult } from './operations.js';

/** How a transient failure of an idempotent call is retried. */
export interface RetryPolicy {
  /** Total tries, the first included. @default 1000 (the deadline decides first) */
  readonly maxAttempts: number;
  /** Delay before the second try. @default 2000 */
  readonly initialDelayMs: number;
  /** Cap of one delay. @default 15000 */
  readonly maxDelayMs: number;
  /** Growth of the delay per try. @default 2 */
  readonly factor: number;
  /**
   * How long, from the first try, a node may stay unreachable before the call fails (invariant 7: a lost
   * connection is not a failure until the node is really unreachable past its timeout). @default 900000
   */
  readonly deadlineMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 1000,
  initialDelayMs: 2_000,
  maxDelayMs: 15_000,
  factor: 2,
  deadlineMs: 15 * 60_000,
};

/** Delay before try `attempt + 1` (pure): min(initial × factor^(attempt−1), max). */
export function retryDelayMs(policy: Pick<RetryPolicy, 'initialDelayMs' | 'maxDelayMs' | 'factor'>, attempt: number): number {
  return Math.min(policy.initialDelayMs * policy.factor ** Math.max(0, attempt - 1), policy.maxDelayMs);
}

export function isIdempotent(name: OperationName): boolean {
  return operations[name].idempotent;
}

/** Told once per call, at its first retry, so the operator sees why the run seems to wait. */
export interface RetryNotice {
  readonly node: string;
  readonly operation: OperationName;
  readonly error: unknown;
  readonly deadlineMs: number;
}

/** The operator's line for a retry notice: the run's warning event and the commands' stderr say the same. */
export function describeRetry(notice: RetryNotice): string {
  return `${notice.operation} on ${notice.node}: ${describeError(notice.error).replace(/\.$/, '')}; retrying (not a failure until ${Math.round(notice.deadlineMs / 60000)} min pass)`;
}

export class RetryingGateway implements Gateway {
  private readonly policy: RetryPolicy;

  constructor(
    private readonly inner: Gateway,
    private readonly clock: Pick<Clock, 'now' | 'sleep'>,
    policy: Partial<RetryPolicy> = {},
    private readonly onRetry?: (notice: RetryNotice) => void,
    /**
     * Awaited before each wait between tries: the coordinator keeps its cluster lock alive here, since a node
     * may stay unreachable longer than the lock's lease. Its failure (the lock was lost) ends the call.
     */
    private readonly whileWaiting?: () => Promise<void>,
  ) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...policy };
  }

  async call<N extends OperationName>(node: string, name: N, params: OperationParams<N>, options: CallOptions = {}): Promise<OperationResult<N>> {
    if (options.retry === false || !isIdempotent(name)) return this.inner.call(node, name, params, options);
    const policyDeadline = this.clock.now() + this.policy.deadlineMs;
    const deadline = options.retry === undefined ? policyDeadline : Math.min(policyDeadline, options.retry.untilMs);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.inner.call(node, name, params, options);
      } catch (error) {
        const delay = retryDelayMs(this.policy, attempt);
        if (!isTransient(error) || attempt >= this.policy.maxAttempts || this.clock.now() >= deadline) throw error;
        if (attempt === 1) this.onRetry?.({ node, operation: name, error, deadlineMs: deadline - this.clock.now() });
        await this.whileWaiting?.();
        await this.clock.sleep(Math.min(delay, Math.max(0, deadline - this.clock.now())));
      }
    }
  }
}
