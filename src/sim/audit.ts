/**
 * The simulator's self-audit of the safety invariants (DESIGN.md): the model reports what it observes, and
 * this records the worst case and readable violations. One per openSimulator, never persisted. Pure: the
 * rules here are Windows' and S2D's, written from their documentation, never borrowed from src/core.
 */

/** What the model sees when a node is told to restart: the facts the restart gate is judged on. */
export interface RestartObservation {
  readonly node: string;
  /** The cluster is stopped on purpose (offline update): every node restarts at once, no gate applies. */
  readonly clusterStopped: boolean;
  readonly s2d: boolean;
  /** Other nodes that are Down (cluster state) or powered off. */
  readonly othersDown: readonly string[];
  /** Quorum holds with `node` gone as well, judged by the documented table (oracles.ts), not by src/core. */
  readonly quorumSurvivesRestart: boolean;
  /**
   * The S2D maintenance rules (oracles.ts) this restart breaks, with the node's own resync debt set aside: a
   * paused node that already restarted in this maintenance window resyncs only after its resume, so its own
   * stale copy does not hold its next restart. Anything else (another node stale, a repair job running or
   * stalled, a detached disk) does.
   */
  readonly storageBreaches: readonly string[];
  /**
   * Of `othersDown`, the ones in the restarted node's own storage fault domain (a chassis or rack the virtual
   * disks are aware of): on S2D these may be down with it. Absent: none.
   */
  readonly downInSameFaultDomain?: readonly string[];
}

/**
 * The restart gate, as Windows and S2D set it (DESIGN.md invariant 2 carried to the restart): a restart takes
 * the node's vote and, on S2D, its copy of the data away. On S2D no other node may be away (the pool keeps one
 * fault domain in maintenance at a time) and storage must be Healthy but for the node's own resync debt. Without
 * S2D only the vote matters: another node may be Down if quorum survives this one going too (the weaker of
 * the two readings, since the model does not know RequireAllNodesOnline). Returns the breaches, empty if none.
 */
export function restartGateBreaches(o: RestartObservation): string[] {
  if (o.clusterStopped) return [];
  const breaches: string[] = [];
  const down = o.othersDown.join(', ');
  const verb = o.othersDown.length > 1 ? 'were' : 'was';
  const shared = new Set(o.downInSameFaultDomain ?? []);
  const elsewhere = o.othersDown.filter((n) => !shared.has(n));
  if (elsewhere.length > 0 && o.s2d) {
    const unit = o.downInSameFaultDomain === undefined ? 'node' : 'fault domain';
    breaches.push(`${o.node} was restarted while ${elsewhere.join(', ')} ${elsewhere.length > 1 ? 'were' : 'was'} Down: S2D keeps one ${unit} away at a time.`);
  } else if (o.othersDown.length > 0 && !o.quorumSurvivesRestart) breaches.push(`${o.node} was restarted while ${down} ${verb} Down and quorum would not survive its restart.`);
  if (o.s2d && o.storageBreaches.length > 0) breaches.push(`${o.node} was restarted while storage was not healthy: ${o.storageBreaches.join('; ')}.`);
  return breaches;
}

export interface SimulationAudit {
  virtualSeconds: number;
  maxNodesOutOfService: number;
  violations: string[];
  /**
   * What would be a violation but one of CAU's force switches accepted it (an install or restart of a node
   * that is not drained, a VM stopped by a forced drain): the downtime the operator chose, named.
   */
  allowedByForce: string[];
}

export class SimAudit {
  private maxOut = 0;
  private lastOutKey = '';
  private halted = false;
  /** Nodes resumed with a resync owed (S2D): node → when the resume came. */
  private readonly owedResync = new Map<string, number>();
  private readonly violations: string[] = [];
  private readonly forced: string[] = [];

  constructor(private readonly openedAtMs: number) {}

  /** A readable virtual time: ISO plus the offset from the start of this invocation. */
  when(atMs: number): string {
    return `${new Date(atMs).toISOString()} (+${Math.round((atMs - this.openedAtMs) / 1000)} s)`;
  }

  violation(atMs: number, sentence: string): void {
    this.violations.push(`At ${this.when(atMs)}: ${sentence}`);
  }

  /** A breach that a force switch accepted: recorded apart from the violations. */
  allowed(atMs: number, sentence: string): void {
    this.forced.push(`At ${this.when(atMs)}: ${sentence}`);
  }

  /**
   * Invariant 1, generalised (issue 18): called at every change with the nodes out of service because of the
   * run, and why the model's storage and quorum would not allow them together (see ClusterModel), if so.
   */
  outOfService(atMs: number, nodes: readonly string[], breach: string | undefined): void {
    this.maxOut = Math.max(this.maxOut, nodes.length);
    const key = [...nodes].sort().join(',');
    if (breach !== undefined && key !== this.lastOutKey) {
      this.violation(atMs, `${nodes.length} nodes were out of service because of the run at once (${key}), more than allowed: ${breach}.`);
    }
    this.lastOutKey = key;
  }

  halt(): void {
    this.halted = true;
  }

  /** Invariant 4: a mutating operation after the run halted. */
  touched(atMs: number, node: string, action: string): void {
    if (this.halted) this.violation(atMs, `${node} was ${action} after the run had halted (failure budget, StopAfter or stop).`);
  }

  /** The restart gate (see restartGateBreaches), judged on the restart call. */
  restarted(atMs: number, observation: RestartObservation): void {
    for (const breach of restartGateBreaches(observation)) this.violation(atMs, breach);
  }

  /**
   * A node the run resumed with stale storage: its resync must finish before the next drain or the run's end,
   * whatever made the copy stale. A node that crashed or restarted on its own while the run held it paused owes
   * the same resync as one the run restarted: the resume starts it either way.
   */
  resumedWithResync(atMs: number, node: string): void {
    this.owedResync.set(node, atMs);
  }

  /**
   * The next drain after a resume waits for its resync. `stillStale` tells whether a node's copy is still
   * out of date in the model; settled debts are forgotten.
   */
  drainStarted(atMs: number, node: string, stillStale: (node: string) => boolean, sameFaultDomain: (a: string, b: string) => boolean = (a, b) => a === b): void {
    for (const [owed, resumedAt] of this.owedResync) {
      if (!stillStale(owed)) this.owedResync.delete(owed);
      else if (!sameFaultDomain(owed, node)) this.violation(atMs, `${node} was suspended before the resync that followed ${owed}'s resume (${this.when(resumedAt)}) had finished.`);
    }
  }

  /**
   * At the run's end: a resync the run owes that is still making progress means the run did not wait for it.
   * A resync that stalled (a stuck repair job) or cannot start (the node is away) is one the run may give up
   * on after WaitForStorageRepairTimeoutMinutes; it is not judged here, nor is a run that halted.
   */
  runEnded(atMs: number, progressing: (node: string) => boolean): void {
    // A halt (failure budget, stop) ends at a safe point that need not wait for storage; its report says so.
    if (this.halted) return;
    for (const [owed, resumedAt] of this.owedResync) {
      if (progressing(owed)) this.violation(atMs, `The run ended while the resync that followed ${owed}'s resume (${this.when(resumedAt)}) was still running: storage was not waited for.`);
    }
  }

  report(nowMs: number): SimulationAudit {
    return {
      virtualSeconds: Math.round((nowMs - this.openedAtMs) / 10) / 100,
      maxNodesOutOfService: this.maxOut,
      violations: [...this.violations],
      allowedByForce: [...this.forced],
    };
  }
}
