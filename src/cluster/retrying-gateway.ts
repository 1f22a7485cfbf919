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
  /**
   * A shorter deadline, from the first try, for a failure whose network cause has this code (`ECONNREFUSED`,
   * `ENOTFOUND`, read from the error's `cause` chain); 0 means that failure is not retried. A cause not listed
   * has `deadlineMs`. @default {} (the run waits the same for every cause)
   */
  readonly causeDeadlinesMs: Readonly<Record<string, number>>;
  /**
   * Where the deadlines count from: the call's first try, or the end of its first failed try (a node that
   * answered for a long while before a reply was lost still gets the whole wait). @default 'firstTry'
   */
  readonly deadlineFrom: 'firstTry' | 'firstFailure';
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 1000,
  initialDelayMs: 2_000,
  maxDelayMs: 15_000,
  factor: 2,
  deadlineMs: 15 * 60_000,
  causeDeadlinesMs: {},
  deadlineFrom: 'firstTry',
};

/** The Node network error code (`ECONNREFUSED`, `ENOTFOUND`, …) behind a failure, read down its cause chain. */
export function networkCauseCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== null && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

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
  /** How long from the call's first try the retries may last (this failure's deadline). */
  readonly deadlineMs: number;
}

/** The operator's line for a retry notice: the run's warning event and the commands' stderr say the same. */
export function describeRetry(notice: RetryNotice): string {
  return `${notice.operation} on ${notice.node}: ${describeError(notice.error).replace(/\.$/, '')}; retrying (not a failure until ${describeWait(notice.deadlineMs)} pass)`;
}

/** A retry wait as the operator reads it: whole minutes from a minute up, else seconds. */
export function describeWait(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.max(1, Math.round(ms / 1000))} s`;
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
    // The deadlines count from the first try, or with deadlineFrom 'firstFailure' from the moment the node
    // first failed to answer (so a long scan whose reply is lost still gets its whole wait).
    let origin = this.clock.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.inner.call(node, name, params, options);
      } catch (error) {
        if (attempt === 1 && this.policy.deadlineFrom === 'firstFailure') origin = this.clock.now();
        const delay = retryDelayMs(this.policy, attempt);
        const cause = networkCauseCode(error);
        const causeDeadline = cause === undefined ? undefined : this.policy.causeDeadlinesMs[cause];
        const policyDeadline = origin + Math.min(this.policy.deadlineMs, causeDeadline ?? Infinity);
        const deadline = options.retry === undefined ? policyDeadline : Math.min(policyDeadline, options.retry.untilMs);
        if (!isTransient(error) || attempt >= this.policy.maxAttempts || this.clock.now() >= deadline) throw error;
        if (attempt === 1) this.onRetry?.({ node, operation: name, error, deadlineMs: deadline - origin });
        await this.whileWaiting?.();
        await this.clock.sleep(Math.min(delay, Math.max(0, deadline - this.clock.now())));
      }
    }
  }
}
