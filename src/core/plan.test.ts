import type { UpdateInfo } from '../cluster/operations.js';
import { AppError, ExitCode } from '../errors.js';
import { checkCapacity } from './capacity.js';
import { DEFAULT_TIMING, followUpRounds, planRun, predictPlan, type PredictInput } from './plan.js';
import { checkFeatureOffers } from './scan.js';

const update = (kb: string, rebootRequired = true): UpdateInfo => ({ updateId: kb, kb, title: kb, rebootRequired });
const node = (name: string, roles: number, state: 'Up' | 'Down' | 'Paused' = 'Up') => ({ name, state, drainStatus: 'NotInitiated' as const, roles: Array.from({ length: roles }, (_, i) => `${name}-VM${i}`) });

describe('planRun (the validation and order shared by --what-if and the run)', () => {
  const cluster = { name: 'C1', nodes: [node('NODE1', 3), node('NODE2', 1), node('NODE3', 0), node('NODE4', 1)] };

  it.each([
    { name: 'fewest roles first, ties by name', nodeOrder: undefined, order: ['NODE3', 'NODE2', 'NODE4', 'NODE1'] },
    { name: 'NodeOrder first, case-insensitive, then the rest', nodeOrder: ['node1', 'NODE4'], order: ['NODE1', 'NODE4', 'NODE3', 'NODE2'] },
  ])('$name', ({ nodeOrder, order }) => {
    expect(planRun(cluster, { ...(nodeOrder ? { nodeOrder } : {}) })).toEqual({ clusterName: 'C1', order, maxFailedNodes: 1 });
  });

  it.each([
    { name: 'a typo in NodeOrder', profile: { nodeOrder: ['NODE1', 'NOED2'] }, problems: ['nodeOrder: NOED2 is not a node of C1 (nodes: NODE1, NODE2, NODE3, NODE4)'] },
    { name: 'two unknown names', profile: { nodeOrder: ['X', 'Y'] }, problems: ['nodeOrder: X, Y are not nodes of C1'] },
    { name: 'MaxFailedNodes above nodes − 1', profile: { maxFailedNodes: 4 }, problems: ['maxFailedNodes: must be at most nodes − 1 = 3 for this 4-node cluster (got 4)'] },
    { name: 'both at once', profile: { maxFailedNodes: 9, nodeOrder: ['Z'] }, problems: ['maxFailedNodes: must be at most', 'nodeOrder: Z is not a node'] },
  ])('refuses $name as a usage error (exit 2), every problem at once', ({ profile, problems }) => {
    let error: unknown;
    try {
      planRun(cluster, profile);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).exitCode).toBe(ExitCode.usage);
    expect((error as AppError).code).toBe('PROFILE_INVALID');
    for (const p of problems) expect((error as AppError).message).toContain(p);
  });

  it('takes the profile\'s failure budget when it fits', () => {
    expect(planRun(cluster, { maxFailedNodes: 3 }).maxFailedNodes).toBe(3);
  });
});

describe('followUpRounds', () => {
  const tree: Record<string, UpdateInfo[]> = { CU: [update('NET', false)], NET: [update('NET-2')], MSRT: [] };
  const of = (u: UpdateInfo) => tree[u.updateId] ?? [];
  it.each([
    { name: 'no follow-up', updates: [update('MSRT')], rounds: [] },
    { name: 'a chain of follow-ups: one round each', updates: [update('CU')], rounds: [['NET'], ['NET-2']] },
    { name: 'a follow-up already in the first round is not counted twice', updates: [update('CU'), update('NET')], rounds: [['NET-2']] },
  ])('$name', ({ updates, rounds }) => {
    expect(followUpRounds(updates, of).map((r) => r.map((u) => u.kb))).toEqual(rounds);
  });
});

describe('predictPlan', () => {
  const timing = { scanSeconds: 30, downloadSeconds: 300, drainSecondsPerRole: 15, installSeconds: 600, rebootSeconds: 300, servicesStartSeconds: 60, resyncSeconds: 600 };
  const base = (over: Partial<PredictInput>): PredictInput => ({
    target: { clusterName: 'C', order: ['A', 'B', 'C', 'D'], maxFailedNodes: 1 },
    roles: new Map([['A', 0], ['B', 2], ['C', 1], ['D', 1]]),
    updates: new Map(),
    skipped: new Map(),
    timing,
    timingSource: 'model',
    s2d: true,
    ...over,
  });

  it('adds up the phases of each node in order, plus one scan and one staged download', () => {
    const plan = predictPlan(
      base({
        updates: new Map([['A', [update('KB1')]], ['B', [update('KB2', false)]], ['D', [update('KB3')]]]),
        skipped: new Map([['D', 'offline: will be reported Failed (NodeOffline)']]),
      }),
    );
    expect(plan.preflight).toEqual([{ phase: 'scan', seconds: 30 }, { phase: 'stage', seconds: 300 }]);
    // B installs without a restart: S2D has nothing to resync.
    expect(plan.nodes.map((n) => [n.node, n.seconds])).toEqual([['A', 0 + 600 + 300 + 60 + 30 + 0 + 600], ['B', 30 + 600 + 30], ['C', 0], ['D', 0]]);
    expect(plan.nodes[2]!.note).toMatch(/no applicable updates/);
    expect(plan.nodes[3]!.note).toMatch(/offline/);
    expect(plan.totalSeconds).toBe(330 + 1590 + 660);
    expect(plan.followUpsKnown).toBe(false);
  });

  it('each follow-up round adds an install (downloading, as it was not staged) and a rescan inside the node\'s window', () => {
    const plan = predictPlan(
      base({
        target: { clusterName: 'C', order: ['A'], maxFailedNodes: 0 },
        updates: new Map([['A', [update('CU')]]]),
        followUps: new Map([['A', [[update('NET', false)], [update('NET-2')]]]]),
      }),
    );
    expect(plan.nodes[0]!.phases).toEqual([
      { phase: 'drain', seconds: 0 },
      { phase: 'install', seconds: 600 },
      { phase: 'reboot', seconds: 300 },
      { phase: 'wait-node', seconds: 60 },
      { phase: 'rescan', seconds: 30 },
      { phase: 'install', seconds: 900, detail: 'follow-up: NET' },
      { phase: 'rescan', seconds: 30 },
      { phase: 'install', seconds: 900, detail: 'follow-up: NET-2' },
      { phase: 'reboot', seconds: 300 },
      { phase: 'wait-node', seconds: 60 },
      { phase: 'rescan', seconds: 30 },
      { phase: 'resume', seconds: 0 },
      { phase: 'resync', seconds: 600 },
    ]);
    expect(plan.nodes[0]!.followUps.map((r) => r.map((u) => u.kb))).toEqual([['NET'], ['NET-2']]);
    expect(plan.followUpsKnown).toBe(true);
  });

  it("a feature update (an OS upgrade) installs in the model's time for its node, or three times a cumulative update's", () => {
    const feature = (kb: string): UpdateInfo => ({ ...update(kb), featureUpdate: 'Windows Server 2025' });
    const plan = predictPlan(base({ updates: new Map([['A', [feature('FU')]], ['B', [feature('FU')]], ['C', [update('KB1')]]]), featureInstallSeconds: new Map([['B', 5000]]) }));
    const install = (n: number): number | undefined => plan.nodes[n]!.phases.find((p) => p.phase === 'install')?.seconds;
    expect([install(0), install(1), install(2)]).toEqual([3 * timing.installSeconds, 5000, timing.installSeconds]);
  });

  it('the scan lasts as long as the run waits for a node that does not answer', () => {
    const plan = predictPlan(base({ updates: new Map([['A', [update('KB1')]]]), skipped: new Map([['D', 'the scan failed']]), unansweredWaitSeconds: 900 }));
    expect(plan.preflight).toEqual([{ phase: 'scan', seconds: 900 }, { phase: 'stage', seconds: 300 }]);
  });

  it('carries the capacity verdict of each checked node', () => {
    const verdict = checkCapacity({ nodes: [{ name: 'A', state: 'Up', memoryMB: 1, roles: [] }], vms: [], leaving: ['A'] });
    const plan = predictPlan(base({ updates: new Map([['A', [update('KB1')]]]), capacity: new Map([['A', verdict], ['C', verdict]]) }));
    expect(plan.nodes[0]!.capacity).toBe(verdict);
    expect(plan.nodes[1]!.capacity).toBeUndefined();
    // The run's preflight checks every Up node before its scan: a node without updates shows its verdict too.
    expect(plan.nodes[2]).toMatchObject({ node: 'C', note: 'no applicable updates: not drained', capacity: verdict });
  });

  it('has no resync without Storage Spaces Direct, and defaults for real clusters', () => {
    const plan = predictPlan(base({ target: { clusterName: 'C', order: ['A'], maxFailedNodes: 0 }, updates: new Map([['A', [update('KB1')]]]), timing: DEFAULT_TIMING, timingSource: 'defaults', s2d: false }));
    expect(plan.nodes[0]!.phases.map((p) => p.phase)).toEqual(['drain', 'install', 'reboot', 'wait-node', 'rescan', 'resume']);
  });
});

describe('checkFeatureOffers (the mixed-patch-level check)', () => {
  const scanned = (node: string) => ({ node, status: 'Scanned' as const, error: null });
  const offer = (nodeName: string, featureUpdate: string) => ({ ...update('FU'), nodeName, plugin: 'Microsoft.RollingUpgradePlugin', featureUpdate });
  it.each([
    ['the same offer everywhere', [offer('A', '24H2'), offer('B', '24H2')], true],
    ['different offers', [offer('A', '24H2'), offer('B', '23H2')], false],
    ['an offer missing on one node', [offer('A', '24H2')], false],
  ])('%s', (_name, entries, consistent) => {
    expect(checkFeatureOffers({ clusterName: 'C', nodes: [scanned('A'), scanned('B')], entries }).consistent).toBe(consistent);
  });
});
