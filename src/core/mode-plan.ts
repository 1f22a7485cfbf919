/**
 * The prediction of `--pre-install` and `--max-concurrent-nodes` (issue 18) over the serial plan (plan.ts), for
 * `--what-if`: the groups the run would form on the cluster as it is now (groups.ts, one after the other), the
 * canary, and the predicted total. Pure; depends on plan.ts, groups.ts and pre-install.ts.
 */
import { nextGroup, type GroupLimit, type GroupRequest } from './groups.js';
import type { PhaseTiming, RunPlan } from './plan.js';

export interface PlannedGroup {
  readonly nodes: readonly string[];
  readonly limit: GroupLimit;
  readonly reason: string;
}

/**
 * The groups the run would take, from the nodes that have something to install, each judged on the cluster as
 * it is now (every node back in service between groups). A node left out of a group leads a later one.
 */
export function planGroups(nodes: readonly string[], request: Omit<GroupRequest, 'candidates'>): PlannedGroup[] {
  const groups: PlannedGroup[] = [];
  let left = [...nodes];
  while (left.length > 0) {
    const decision = nextGroup({ ...request, candidates: left });
    // nextGroup never returns an empty group while candidates remain; the guard keeps this loop finite anyway.
    const taken = decision.nodes.length > 0 ? decision.nodes : [left[0]!];
    groups.push({ nodes: taken, limit: decision.limit, reason: decision.reason });
    left = left.filter((n) => !taken.includes(n));
  }
  return groups;
}

export interface ModePrediction {
  readonly preInstall: boolean;
  readonly maxConcurrentNodes: number;
  /** The canary of --pre-install: the first node with updates, through the whole cycle alone. */
  readonly canary: string | null;
  /** Seconds of the pre-install of the other nodes, in parallel batches of `preInstallConcurrency`. */
  readonly preInstallSeconds: number;
  /** How many nodes pre-install at once; absent: every node at once. */
  readonly preInstallConcurrency?: number;
  readonly groups: readonly PlannedGroup[];
  /** Each node's predicted window in this mode (without the install the pre-install did). */
  readonly windows: Readonly<Record<string, number>>;
  readonly serialSeconds: number;
  readonly predictedSeconds: number;
}

export interface ModeInput {
  readonly plan: RunPlan;
  readonly timing: PhaseTiming;
  readonly preInstall: boolean;
  /** Absent: every node at once. */
  readonly preInstallConcurrency?: number;
  readonly maxConcurrentNodes: number;
  /** The groups of the nodes after the canary (or of every node without --pre-install). */
  readonly groupsOf: (nodes: readonly string[]) => PlannedGroup[];
}

/**
 * The run in this mode: preflight (scan, stage), the canary's whole window, the pre-install of the others, then
 * each group as long as its longest window (a node that finishes early resumes on its own, but the next group
 * waits for storage and capacity, so for the whole group).
 */
export function predictMode(input: ModeInput): ModePrediction {
  const { plan, timing } = input;
  const withWork = plan.nodes.filter((n) => n.phases.length > 0);
  const preflightSeconds = plan.preflight.reduce((s, p) => s + p.seconds, 0);
  const canary = input.preInstall && withWork.length > 1 ? withWork[0]!.node : null;
  const rest = canary === null ? withWork : withWork.slice(1);
  const windows: Record<string, number> = {};
  for (const n of withWork) {
    const firstInstall = n.phases.find((p) => p.phase === 'install');
    windows[n.node] = canary !== null && n.node !== canary ? n.seconds - (firstInstall?.seconds ?? 0) : n.seconds;
  }
  const batches = canary === null ? 0 : Math.ceil(rest.length / Math.max(1, input.preInstallConcurrency ?? rest.length));
  const preInstallSeconds = batches * timing.installSeconds;
  const groups = input.groupsOf(rest.map((n) => n.node));
  const groupSeconds = groups.reduce((sum, g) => sum + Math.max(...g.nodes.map((n) => windows[n] ?? 0)), 0);
  const canarySeconds = canary === null ? 0 : windows[canary]!;
  return {
    preInstall: input.preInstall,
    maxConcurrentNodes: input.maxConcurrentNodes,
    canary,
    preInstallSeconds,
    ...(input.preInstallConcurrency !== undefined ? { preInstallConcurrency: input.preInstallConcurrency } : {}),
    groups,
    windows,
    serialSeconds: plan.totalSeconds,
    predictedSeconds: preflightSeconds + canarySeconds + preInstallSeconds + groupSeconds,
  };
}
