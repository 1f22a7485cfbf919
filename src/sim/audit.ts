/**
 * The simulator's self-audit of the safety invariants (DESIGN.md): the model reports what it observes, and
 * this records the worst case and readable violations. One per openSimulator, never persisted. Pure.
 */

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

  /** Invariant 1: called at every change with the nodes out of service because of the run. */
  outOfService(atMs: number, nodes: readonly string[]): void {
    this.maxOut = Math.max(this.maxOut, nodes.length);
    const key = [...nodes].sort().join(',');
    if (nodes.length > 1 && key !== this.lastOutKey) {
      this.violation(atMs, `${nodes.length} nodes were out of service because of the run at once (${key}); at most one is allowed.`);
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

  report(nowMs: number): SimulationAudit {
    return {
      virtualSeconds: Math.round((nowMs - this.openedAtMs) / 10) / 100,
      maxNodesOutOfService: this.maxOut,
      violations: [...this.violations],
      allowedByForce: [...this.forced],
    };
  }
}
