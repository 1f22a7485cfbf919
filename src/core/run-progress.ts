/**
 * The rolling run's presence on the cluster: the lock's lease kept alive and the run's progress published in
 * it for get-run on other hosts, at a bounded rate, with compare-and-set writes serialized. Also the retry of
 * whole read-compare-write exchanges with the cluster while it is unreachable (invariant 7).
 * Depends on the cluster lock and the clock interface only.
 */
import { DEFAULT_RETRY_POLICY, retryDelayMs } from '../cluster/retrying-gateway.js';
import { isTransient } from '../errors.js';
import type { NodePhase } from './events.js';
import type { Clock } from '../platform/clock.js';
import type { ClusterLock, NodeStatusNotification, RunProgress } from './cluster-lock.js';
import type { NodeResult } from './types.js';

/** Real milliseconds between two progress publications in the lock (a node's end is always published). */
const PROGRESS_MIN_INTERVAL_MS = 200;

/** How long the cluster may stay unreachable for the lock heartbeat and stop checks (invariant 7). */
export const CLUSTER_UNREACHABLE_GRACE_MS = DEFAULT_RETRY_POLICY.deadlineMs;

export interface RunProgressDeps {
  readonly lock: ClusterLock;
  /** The run's clock (virtual in simulation): timestamps and retry waits. */
  readonly clock: Clock;
  /** Real time: leases. */
  readonly wallClock: Clock;
  readonly leaseSeconds: number;
  /** When the run started (the run clock's ms) and what it has finished so far. */
  readonly run: () => { readonly startMs: number; readonly nodeResults: readonly NodeResult[] };
  /** The finish the run predicts now (run clock, ms), published for get-run; undefined when it predicts none. */
  readonly predictedEnd?: () => number | undefined;
}

function predictedEndTime(ms: number | undefined): string | null {
  return ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}

export class RunPresence {
  private readonly notifications = new Map<string, NodeStatusNotification>();
  private current: { node: string | null; phase: NodePhase | null } = { node: null, phase: null };
  private lastHeartbeatWallMs = 0;
  private lastProgressWallMs = 0;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly deps: RunProgressDeps) {}

  /** The phase in progress (for a failure that carries none of its own). */
  get currentPhase(): NodePhase | null {
    return this.current.phase;
  }

  snapshot(): RunProgress {
    const run = this.deps.run();
    return {
      runStartTime: new Date(run.startMs).toISOString(),
      currentNode: this.current.node,
      currentPhase: this.current.phase,
      nodeStatusNotifications: [...this.notifications.values()],
      nodeResults: run.nodeResults.map((r) => ({ node: r.node, status: r.status, attempts: r.attempts })),
      predictedEndTime: predictedEndTime(this.deps.predictedEnd?.()),
    };
  }

  /** The lock was just taken: its lease is fresh. */
  leaseTaken(): void {
    this.lastHeartbeatWallMs = this.deps.wallClock.now();
  }

  /**
   * Publishes a node's phase (or, with `phase` null, its end). A node's end is always published; phase changes
   * at most every PROGRESS_MIN_INTERVAL_MS of real time, so a run at simulation speed `max` does not spend its
   * time rewriting the lock.
   */
  async notify(node: string, status: string, phase: NodePhase | null): Promise<void> {
    this.notifications.set(node, { node, status, timestamp: new Date(this.deps.clock.now()).toISOString() });
    this.current = { node: phase === null ? null : node, phase };
    const due = phase === null || this.deps.wallClock.now() - this.lastProgressWallMs >= PROGRESS_MIN_INTERVAL_MS;
    if (!due) return this.heartbeat(false);
    this.lastProgressWallMs = this.deps.wallClock.now();
    await this.heartbeat(true);
  }

  /**
   * Refreshes the lease when a quarter of it has passed; with `force`, also publishes progress now.
   * Heartbeats are compare-and-set writes, so they are serialized: parallel scans must not race each other
   * into a false "lock lost".
   */
  heartbeat(force = false): Promise<void> {
    const wallNow = this.deps.wallClock.now();
    if (!force && wallNow - this.lastHeartbeatWallMs < (this.deps.leaseSeconds * 1000) / 4) return this.chain;
    this.lastHeartbeatWallMs = wallNow;
    const next = this.chain.then(() => this.withClusterReconnect(() => this.deps.lock.heartbeat(this.snapshot())));
    // A failed heartbeat rejects its own callers; the chain itself goes on for the next one.
    this.chain = next.catch(() => undefined);
    return next;
  }

  /**
   * A read-compare-write exchange with the cluster as a whole, retried while the cluster is unreachable. Not
   * the gateway's policy: a compare-and-set is not idempotent, but reading again and writing again is.
   */
  async withClusterReconnect<T>(fn: () => Promise<T>): Promise<T> {
    const deadline = this.deps.clock.now() + CLUSTER_UNREACHABLE_GRACE_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if (!isTransient(error) || this.deps.clock.now() >= deadline) throw error;
        await this.deps.clock.sleep(retryDelayMs(DEFAULT_RETRY_POLICY, attempt));
      }
    }
  }
}
