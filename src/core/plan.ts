/**
 * The printable plan of a run (`--what-if`): the node order, what each node will install, and a predicted
 * duration for each node and phase, from the model's timing or from defaults. Pure.
 */
import type { UpdateInfo } from '../cluster/operations.js';
import type { NodePhase } from '../output/events.js';

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

export interface PlannedNode {
  readonly node: string;
  readonly position: number;
  readonly roles: number;
  readonly updates: ReadonlyArray<Pick<UpdateInfo, 'kb' | 'title' | 'rebootRequired'>>;
  readonly phases: ReadonlyArray<{ readonly phase: NodePhase; readonly seconds: number }>;
  readonly seconds: number;
  readonly note?: string;
}

export interface RunPlan {
  readonly clusterName: string;
  readonly timingSource: 'model' | 'defaults';
  readonly preflight: ReadonlyArray<{ readonly phase: NodePhase; readonly seconds: number }>;
  readonly nodes: readonly PlannedNode[];
  readonly totalSeconds: number;
}

export function predictPlan(input: {
  clusterName: string;
  order: readonly string[];
  roles: ReadonlyMap<string, number>;
  updates: ReadonlyMap<string, readonly UpdateInfo[]>;
  offline: ReadonlySet<string>;
  timing: PhaseTiming;
  timingSource: 'model' | 'defaults';
  s2d: boolean;
}): RunPlan {
  const t = input.timing;
  const anyUpdates = [...input.updates.values()].some((u) => u.length > 0);
  const preflight = [
    { phase: 'scan' as const, seconds: t.scanSeconds },
    ...(anyUpdates ? [{ phase: 'stage' as const, seconds: t.downloadSeconds }] : []),
  ];
  const nodes = input.order.map((node, index): PlannedNode => {
    const updates = input.updates.get(node) ?? [];
    const roles = input.roles.get(node) ?? 0;
    if (input.offline.has(node)) {
      return { node, position: index + 1, roles, updates: [], phases: [], seconds: 0, note: 'offline: will be reported Failed (NodeOffline)' };
    }
    if (updates.length === 0) {
      return { node, position: index + 1, roles, updates: [], phases: [], seconds: 0, note: 'no applicable updates: not drained' };
    }
    const reboot = updates.some((u) => u.rebootRequired);
    const phases: Array<{ phase: NodePhase; seconds: number }> = [
      { phase: 'drain', seconds: roles * t.drainSecondsPerRole },
      { phase: 'install', seconds: t.installSeconds },
      ...(reboot
        ? [
            { phase: 'reboot' as const, seconds: t.rebootSeconds },
            { phase: 'wait-node' as const, seconds: t.servicesStartSeconds },
          ]
        : []),
      { phase: 'rescan', seconds: t.scanSeconds },
      { phase: 'resume', seconds: 0 },
      ...(input.s2d ? [{ phase: 'resync' as const, seconds: t.resyncSeconds }] : []),
    ];
    return {
      node,
      position: index + 1,
      roles,
      updates: updates.map((u) => ({ kb: u.kb, title: u.title, rebootRequired: u.rebootRequired })),
      phases,
      seconds: phases.reduce((s, p) => s + p.seconds, 0),
    };
  });
  const totalSeconds = preflight.reduce((s, p) => s + p.seconds, 0) + nodes.reduce((s, n) => s + n.seconds, 0);
  return { clusterName: input.clusterName, timingSource: input.timingSource, preflight, nodes, totalSeconds };
}
