/**
 * The plan of a rolling run, one for `--what-if` and for the run itself: `planRun` validates the profile
 * against the cluster and fixes the node order; `predictPlan` adds what each node will install, the capacity
 * verdict of its drain, and a predicted duration per node and phase. Pure: the caller reads the cluster, scans,
 * and passes the timings in (the model's, or defaults for a real cluster).
 * Depends on the catalogue's types, policy (order, failure budget) and capacity's verdict type.
 */
import type { ClusterInfo, UpdateInfo } from '../cluster/operations.js';
import { usageError } from '../errors.js';
import type { NodePhase } from './events.js';
import type { CapacityVerdict } from './capacity.js';
import { defaultMaxFailedNodes, orderNodes, unknownNodeNames } from './policy.js';
import { orderBySite } from './site-order.js';
import type { RunProfile } from './types.js';

/** Phase durations in seconds (the fixture's `timing` block). */
export interface PhaseTiming {
  readonly scanSeconds: number;
  readonly downloadSeconds: number;
  readonly drainSecondsPerRole: number;
  readonly installSeconds: number;
  readonly rebootSeconds: number;
  readonly servicesStartSeconds: number;
  readonly resyncSeconds: number;
}

/**
 * A feature update (an in-place OS upgrade, RollingUpgradePlugin) installs for this many times a cumulative
 * update's `installSeconds` when nothing better is known: an estimate, as the defaults below are; a rehearsal
 * model gives each node's own (`nodes[].featureUpdate.installSeconds`).
 */
export const FEATURE_INSTALL_FACTOR = 3;

/** Used for real clusters, where nothing better is known yet. */
export const DEFAULT_TIMING: PhaseTiming = {
  scanSeconds: 60,
  downloadSeconds: 600,
  drainSecondsPerRole: 15,
  installSeconds: 900,
  rebootSeconds: 420,
  servicesStartSeconds: 90,
  resyncSeconds: 900,
};

/** What the run will do, decided before anything is touched: the same for `--what-if` and the run. */
export interface RunTarget {
  readonly clusterName: string;
  /**
   * Every node, in update order: NodeOrder first, then the fewest clustered roles first; with
   * SiteAwareUpdatingOrder, site by site in the order given, that order kept inside each site.
   */
  readonly order: readonly string[];
  /** The failure budget: the profile's, or a third of the nodes. */
  readonly maxFailedNodes: number;
}

/**
 * Validates the profile against the cluster and orders the nodes. Every problem is reported at once, as
 * `PROFILE_INVALID` (exit 2): a name in NodeOrder that is not a node, a MaxFailedNodes above nodes − 1, a
 * SiteAwareUpdatingOrder that does not name the cluster's sites (site-order.ts).
 */
export function planRun(cluster: Pick<ClusterInfo, 'name' | 'nodes'>, profile: Pick<RunProfile, 'nodeOrder' | 'maxFailedNodes' | 'siteAwareUpdatingOrder'>): RunTarget {
  const names = cluster.nodes.map((n) => n.name);
  const problems: string[] = [];
  if (profile.maxFailedNodes !== undefined && profile.maxFailedNodes > names.length - 1) {
    problems.push(`maxFailedNodes: must be at most nodes − 1 = ${names.length - 1} for this ${names.length}-node cluster (got ${profile.maxFailedNodes})`);
  }
  const unknown = unknownNodeNames(names, profile.nodeOrder ?? []);
  if (unknown.length > 0) {
    problems.push(`nodeOrder: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not a node' : 'are not nodes'} of ${cluster.name} (nodes: ${names.join(', ')})`);
  }
  let order = orderNodes(cluster.nodes, profile.nodeOrder);
  if (profile.siteAwareUpdatingOrder !== undefined) {
    const bySite = orderBySite(order, cluster.nodes, profile.siteAwareUpdatingOrder);
    if (bySite.ok) order = [...bySite.order];
    else problems.push(...bySite.problems);
  }
  if (problems.length > 0) {
    throw usageError('PROFILE_INVALID', `The run profile does not fit cluster ${cluster.name}:\n  ${problems.join('\n  ')}`, {
      hint: `Nothing was touched. Fix the options above; the cluster's nodes are: ${names.join(', ')}.`,
    });
  }
  return {
    clusterName: cluster.name,
    order,
    maxFailedNodes: profile.maxFailedNodes ?? defaultMaxFailedNodes(names.length),
  };
}

/**
 * What a run's own scan found, as its `scan-completed` journal record says, with the run's target: what a run
 * that had no plan at its start predicts its finish from (the coordinator's `onScanCompleted`).
 */
export interface RunScan {
  readonly target: RunTarget;
  /** Nodes down when the run started: not scanned, they end Failed (NodeOffline). */
  readonly down: ReadonlySet<string>;
  /** What the scan found applicable on each node it scanned. */
  readonly updates: ReadonlyMap<string, readonly UpdateInfo[]>;
  /** Nodes whose scan failed, with the error: they end Failed (ScanFailed). */
  readonly scanFailures: ReadonlyMap<string, string>;
}

export interface PlannedPhase {
  readonly phase: NodePhase;
  readonly seconds: number;
  /** Install rounds after the first: the follow-up updates it installs. */
  readonly detail?: string;
}

export interface PlannedNode {
  readonly node: string;
  readonly position: number;
  readonly roles: number;
  readonly updates: ReadonlyArray<Pick<UpdateInfo, 'kb' | 'title' | 'rebootRequired'>>;
  /** Updates that become applicable once others are installed, one list per extra install round. */
  readonly followUps: ReadonlyArray<ReadonlyArray<Pick<UpdateInfo, 'kb' | 'title' | 'rebootRequired'>>>;
  readonly phases: readonly PlannedPhase[];
  readonly seconds: number;
  /** Whether its drain leaves every running VM a host; absent when the node was not checked (not Up). */
  readonly capacity?: CapacityVerdict;
  readonly note?: string;
}

export interface RunPlan {
  readonly clusterName: string;
  readonly order: readonly string[];
  readonly maxFailedNodes: number;
  readonly timingSource: 'model' | 'defaults';
  /** Follow-up updates were known in advance (a rehearsal model), or can only be found by installing. */
  readonly followUpsKnown: boolean;
  readonly preflight: ReadonlyArray<{ readonly phase: NodePhase; readonly seconds: number }>;
  readonly nodes: readonly PlannedNode[];
  readonly totalSeconds: number;
}

export interface PredictInput {
  readonly target: RunTarget;
  readonly roles: ReadonlyMap<string, number>;
  /** What the scan found applicable on each node. */
  readonly updates: ReadonlyMap<string, readonly UpdateInfo[]>;
  /**
   * Per node, the follow-up rounds: the updates that become applicable once the previous round is installed.
   * Windows Update shows none before; a rehearsal model knows them. Absent: not known in advance.
   */
  readonly followUps?: ReadonlyMap<string, ReadonlyArray<readonly UpdateInfo[]>>;
  /** Nodes that will not be updated (not online, or their scan failed), with the reason. */
  readonly skipped: ReadonlyMap<string, string>;
  readonly capacity?: ReadonlyMap<string, CapacityVerdict>;
  readonly timing: PhaseTiming;
  readonly timingSource: 'model' | 'defaults';
  readonly s2d: boolean;
  /**
   * Seconds the run's scan waits for a node that does not answer before it reports the node ScanFailed (the
   * gateway's reconnect deadline); 0 when every node answers. @default 0
   */
  readonly unansweredWaitSeconds?: number;
  /** SkipUpdateChecks: one install round per node, no rescan after it, follow-ups left for the next run. */
  readonly skipUpdateChecks?: boolean;
  /** Per node, the seconds its feature update installs in; absent: FEATURE_INSTALL_FACTOR × installSeconds. */
  readonly featureInstallSeconds?: ReadonlyMap<string, number>;
}

/**
 * The follow-up rounds of a node whose scan found `updates`: round 2 holds the follow-ups of those updates,
 * round 3 the follow-ups of round 2, and so on. `followUpsOf` is what a rehearsal model knows in advance.
 */
export function followUpRounds(updates: readonly UpdateInfo[], followUpsOf: (update: UpdateInfo) => readonly UpdateInfo[]): UpdateInfo[][] {
  const rounds: UpdateInfo[][] = [];
  const seen = new Set(updates.map((u) => u.updateId.toLowerCase()));
  let current: readonly UpdateInfo[] = updates;
  for (;;) {
    const next = current.flatMap(followUpsOf).filter((u) => !seen.has(u.updateId.toLowerCase()));
    if (next.length === 0) return rounds;
    for (const u of next) seen.add(u.updateId.toLowerCase());
    rounds.push(next);
    current = next;
  }
}

const brief = (u: UpdateInfo): Pick<UpdateInfo, 'kb' | 'title' | 'rebootRequired'> => ({ kb: u.kb, title: u.title, rebootRequired: u.rebootRequired });

/**
 * The node's window, as the run spends it: drain; then install rounds, each an install (the first from the
 * staged download, a follow-up round downloading its updates as it installs, since they were not applicable
 * when the run staged), a restart and the wait for the node when an update of the round needs one, and a
 * rescan; then resume, and with Storage Spaces Direct the resync of a node that restarted.
 */
function nodePhases(roles: number, rounds: ReadonlyArray<readonly UpdateInfo[]>, t: PhaseTiming, s2d: boolean, rescan: boolean, featureInstallSeconds: number): PlannedPhase[] {
  const phases: PlannedPhase[] = [{ phase: 'drain', seconds: roles * t.drainSecondsPerRole }];
  let restarted = false;
  rounds.forEach((round, index) => {
    const followUp = index > 0;
    phases.push({
      phase: 'install',
      // An OS upgrade in the round takes the round as long as it takes.
      seconds: (round.some((u) => u.featureUpdate !== undefined) ? featureInstallSeconds : t.installSeconds) + (followUp ? t.downloadSeconds : 0),
      ...(followUp ? { detail: `follow-up: ${round.map((u) => u.kb || u.title).join(', ')}` } : {}),
    });
    if (round.some((u) => u.rebootRequired)) {
      restarted = true;
      phases.push({ phase: 'reboot', seconds: t.rebootSeconds }, { phase: 'wait-node', seconds: t.servicesStartSeconds });
    }
    if (rescan) phases.push({ phase: 'rescan', seconds: t.scanSeconds });
  });
  phases.push({ phase: 'resume', seconds: 0 });
  if (s2d && restarted) phases.push({ phase: 'resync', seconds: t.resyncSeconds });
  return phases;
}

export function predictPlan(input: PredictInput): RunPlan {
  const t = input.timing;
  const { target } = input;
  const anyUpdates = [...input.updates.values()].some((u) => u.length > 0);
  const preflight = [
    { phase: 'scan' as const, seconds: Math.max(t.scanSeconds, input.unansweredWaitSeconds ?? 0) },
    ...(anyUpdates ? [{ phase: 'stage' as const, seconds: t.downloadSeconds }] : []),
  ];
  const nodes = target.order.map((node, index): PlannedNode => {
    const updates = input.updates.get(node) ?? [];
    const roles = input.roles.get(node) ?? 0;
    const capacity = input.capacity?.get(node);
    const base = { node, position: index + 1, roles, ...(capacity ? { capacity } : {}) };
    const skipped = input.skipped.get(node);
    if (skipped !== undefined) return { ...base, updates: [], followUps: [], phases: [], seconds: 0, note: skipped };
    if (updates.length === 0) return { ...base, updates: [], followUps: [], phases: [], seconds: 0, note: 'no applicable updates: not drained' };
    const skipChecks = input.skipUpdateChecks === true;
    const followUps = skipChecks ? [] : (input.followUps?.get(node) ?? []).filter((round) => round.length > 0);
    const phases = nodePhases(roles, [updates, ...followUps], t, input.s2d, !skipChecks, input.featureInstallSeconds?.get(node) ?? FEATURE_INSTALL_FACTOR * t.installSeconds);
    return {
      ...base,
      updates: updates.map(brief),
      followUps: followUps.map((round) => round.map(brief)),
      phases,
      seconds: phases.reduce((s, p) => s + p.seconds, 0),
    };
  });
  const totalSeconds = preflight.reduce((s, p) => s + p.seconds, 0) + nodes.reduce((s, n) => s + n.seconds, 0);
  return {
    clusterName: target.clusterName,
    order: target.order,
    maxFailedNodes: target.maxFailedNodes,
    timingSource: input.timingSource,
    followUpsKnown: input.followUps !== undefined,
    preflight,
    nodes,
    totalSeconds,
  };
}
