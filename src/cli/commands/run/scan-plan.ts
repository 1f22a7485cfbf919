/**
 * A rolling run's plan from the preflight's read and a scan, one copy for the two that make it: `--what-if` (and
 * the question before a run at a terminal), which scans for it, and an unattended run, which plans once its own
 * scan is done (own-scan-plan.ts); and, for `--pre-install` and `--max-concurrent-nodes`, the mode's prediction
 * over that plan. Pure: the callers read and scan; this only puts predictPlan's and predictMode's inputs together.
 * Depends on core's plan, mode, groups and preflight types, and on the rehearsal model's fixture type.
 */
import type { UpdateInfo } from '../../../cluster/operations.js';
import { DEFAULT_RETRY_POLICY } from '../../../cluster/retrying-gateway.js';
import { capacityInputFrom } from '../../../core/capacity.js';
import type { GroupStorage } from '../../../core/groups.js';
import { planGroups, predictMode, type ModePrediction } from '../../../core/mode-plan.js';
import type { PreflightFacts, PreflightVerdict } from '../../../core/preflight.js';
import { DEFAULT_TIMING, followUpRounds, predictPlan, type RunPlan, type RunScan } from '../../../core/plan.js';
import type { RunProfile } from '../../../core/types.js';
import type { ClusterFixture, Simulator } from '../../../sim/index.js';

type FixtureUpdate = ClusterFixture['nodes'][number]['updates'][number];

/**
 * The follow-ups a rehearsal model declares for `node`: Windows Update shows a follow-up only once its parent
 * is installed, but the model the user wrote says in advance what will come. A real cluster has no such list.
 */
export function modelFollowUps(fixture: ClusterFixture, node: string): (update: UpdateInfo) => UpdateInfo[] {
  const byId = new Map<string, FixtureUpdate>();
  const index = (list: readonly FixtureUpdate[]): void => {
    for (const u of list) {
      byId.set(u.id.toLowerCase(), u);
      index(u.followUps);
    }
  };
  index(fixture.nodes.find((n) => n.name.toUpperCase() === node.toUpperCase())?.updates ?? []);
  return (update) =>
    (byId.get(update.updateId.toLowerCase())?.followUps ?? []).map((f) => ({ updateId: f.id, kb: f.kb, title: f.title, rebootRequired: f.rebootRequired }));
}

export interface ScanPlanInput {
  /** The preflight's read: each node's roles, and whether some online node did not answer. */
  readonly facts: Pick<PreflightFacts, 'cluster' | 'unanswered'>;
  /** The preflight's capacity verdict of each drain. */
  readonly capacity: PreflightVerdict['capacity'];
  readonly scan: RunScan;
  /** Storage Spaces Direct: a node that restarted resyncs before the next one drains. */
  readonly s2d: boolean;
  readonly profile: Pick<RunProfile, 'skipUpdateChecks'>;
  /** A rehearsal model: its timing, and the follow-ups of each node's updates. Undefined on a real cluster. */
  readonly model: Pick<Simulator, 'timing' | 'fixture'> | undefined;
}

/** The plan: each node's phases and predicted seconds, in the run's order, from what the scan found. */
export function planFromScan({ facts, capacity, scan, s2d, profile, model }: ScanPlanInput): RunPlan {
  const skipped = new Map<string, string>();
  for (const node of scan.down) skipped.set(node, `${node} is not online: will be reported Failed (NodeOffline)`);
  for (const [node, error] of scan.scanFailures) skipped.set(node, `the scan failed (${error.replace(/\.$/, '')}): will be reported Failed (ScanFailed)`);
  const candidates = scan.target.order.filter((n) => !skipped.has(n) && (scan.updates.get(n)?.length ?? 0) > 0);
  const followUps = model
    ? new Map(candidates.map((node) => [node, followUpRounds(scan.updates.get(node) ?? [], modelFollowUps(model.fixture, node))] as const))
    : undefined;
  return predictPlan({
    target: scan.target,
    roles: new Map(facts.cluster.nodes.map((n) => [n.name, n.roles.length])),
    updates: scan.updates,
    ...(followUps ? { followUps } : {}),
    skipped,
    capacity: new Map(capacity.map((c) => [c.node, c.verdict])),
    timing: model?.timing ?? DEFAULT_TIMING,
    timingSource: model ? 'model' : 'defaults',
    s2d,
    // The run's scan keeps trying a node that does not answer until the gateway's reconnect deadline.
    unansweredWaitSeconds: facts.unanswered.size > 0 ? DEFAULT_RETRY_POLICY.deadlineMs / 1000 : 0,
    ...(profile.skipUpdateChecks === true ? { skipUpdateChecks: true } : {}),
    // The model says how long each node's OS upgrade takes (its own default is the plan's estimate too).
    ...(model ? { featureInstallSeconds: new Map(model.fixture.nodes.flatMap((n) => (n.featureUpdate?.installSeconds !== undefined ? [[n.name, n.featureUpdate.installSeconds] as const] : []))) } : {}),
  });
}

export interface ScanModeInput {
  readonly plan: RunPlan;
  /** The preflight's read: the cluster and each node's memory and VMs. */
  readonly facts: Pick<PreflightFacts, 'cluster' | 'capacity'>;
  /** The failure budget (the run's target). */
  readonly maxFailedNodes: number;
  /** Storage as the groups are judged on it (readGroupStorage). */
  readonly storage: GroupStorage;
  readonly profile: Pick<RunProfile, 'preInstall' | 'preInstallConcurrency' | 'maxConcurrentNodes' | 'undrainedSwitch' | 'requireAllNodesOnline'>;
  readonly model: Pick<Simulator, 'timing'> | undefined;
}

/** A run with neither --pre-install nor --max-concurrent-nodes above 1: the plan alone predicts it. */
export function oneAtATime(profile: Pick<RunProfile, 'preInstall' | 'maxConcurrentNodes'>): boolean {
  return profile.preInstall !== true && (profile.maxConcurrentNodes ?? 1) <= 1;
}

/**
 * The mode's prediction over the plan (the canary, the pre-install, the groups the cluster of now allows); undefined
 * for a run one node at a time, which the plan alone predicts.
 */
export function modeFromScan({ plan, facts, maxFailedNodes, storage, profile, model }: ScanModeInput): ModePrediction | undefined {
  if (oneAtATime(profile)) return undefined;
  const k = profile.maxConcurrentNodes ?? 1;
  const { nodes: capacityNodes, vms } = capacityInputFrom(facts.cluster, facts.capacity);
  return predictMode({
    plan,
    timing: model?.timing ?? DEFAULT_TIMING,
    preInstall: profile.preInstall === true,
    ...(profile.preInstallConcurrency !== undefined ? { preInstallConcurrency: profile.preInstallConcurrency } : {}),
    maxConcurrentNodes: k,
    groupsOf: (nodes) =>
      planGroups(nodes, {
        maxConcurrentNodes: k,
        cluster: facts.cluster,
        ...(profile.undrainedSwitch === 'ForcePauseNoDrain' ? {} : { capacity: { nodes: capacityNodes, vms } }),
        requireAllNodesOnline: profile.requireAllNodesOnline,
        failuresLeft: maxFailedNodes,
        storage,
      }),
  });
}
