/**
 * planFromScan: the plan --what-if and an unattended run both make from a preflight read and a scan. One case
 * per input it turns into predictPlan's: down nodes, failed scans, roles, S2D, the model's timing and follow-ups,
 * SkipUpdateChecks, a node that does not answer.
 */
import type { ClusterInfo, UpdateInfo } from '../../../cluster/operations.js';
import type { CapacityVerdict } from '../../../core/capacity.js';
import { DEFAULT_TIMING } from '../../../core/plan.js';
import type { ClusterFixture } from '../../../sim/index.js';
import { modelFollowUps, planFromScan, type ScanPlanInput } from './scan-plan.js';

const TIMING = { scanSeconds: 30, downloadSeconds: 300, drainSecondsPerRole: 15, installSeconds: 600, rebootSeconds: 300, servicesStartSeconds: 60, resyncSeconds: 600 };
const update = (id: string, rebootRequired = true): UpdateInfo => ({ updateId: id, kb: id, title: `${id} title`, rebootRequired });
const node = (name: string, roles: number, state: 'Up' | 'Down' = 'Up'): ClusterInfo['nodes'][number] => ({ name, state, drainStatus: 'NotInitiated', roles: Array.from({ length: roles }, (_, i) => `${name}-VM${i}`) });

/** The model's fixture, as far as follow-ups go: KB1's follow-up is KB1-F, KB1-F's is KB1-G. */
const fixture = {
  nodes: [{ name: 'NODE1', updates: [{ id: 'KB1', kb: 'KB1', title: 'KB1 title', rebootRequired: true, followUps: [{ id: 'KB1-F', kb: 'KB1-F', title: 'f', rebootRequired: false, followUps: [{ id: 'KB1-G', kb: 'KB1-G', title: 'g', rebootRequired: true, followUps: [] }] }] }] }],
} as unknown as ClusterFixture;

const pass: CapacityVerdict = { ok: true, summary: 'fits' } as CapacityVerdict;

/** Three nodes (1, 2 and 0 roles), NODE1 and NODE2 with one rebooting update each, on the model's timing. */
function anInput(overrides: Partial<Omit<ScanPlanInput, 'scan'>> & { scan?: Partial<ScanPlanInput['scan']> } = {}): ScanPlanInput {
  const { scan, ...rest } = overrides;
  return {
    facts: { cluster: { name: 'C3', nodes: [node('NODE1', 1), node('NODE2', 2), node('NODE3', 0)] } as ClusterInfo, unanswered: new Map() },
    capacity: [],
    s2d: true,
    profile: {},
    model: { timing: TIMING, fixture: { nodes: [] } as unknown as ClusterFixture },
    ...rest,
    scan: {
      target: { clusterName: 'C3', order: ['NODE3', 'NODE1', 'NODE2'], maxFailedNodes: 1 },
      down: new Set(),
      updates: new Map([['NODE1', [update('KB1')]], ['NODE2', [update('KB2')]], ['NODE3', []]]),
      scanFailures: new Map(),
      ...scan,
    },
  };
}

/** One rebooting install round on an S2D cluster: drain, install, restart, wait, rescan, resume, resync. */
const window = (roles: number): number => roles * 15 + 600 + 300 + 60 + 30 + 0 + 600;

describe('planFromScan', () => {
  it.each<{ name: string; input: ScanPlanInput; seconds: Record<string, number>; notes?: Record<string, RegExp>; preflight: number; followUpsKnown?: boolean; timingSource?: string }>([
    {
      name: 'each node in the target order, drain seconds from its roles; a node without updates is not drained',
      input: anInput(),
      seconds: { NODE3: 0, NODE1: window(1), NODE2: window(2) },
      notes: { NODE3: /^no applicable updates: not drained$/ },
      preflight: 30 + 300,
    },
    {
      name: 'a node down at the start is skipped as NodeOffline',
      input: anInput({ scan: { down: new Set(['NODE2']), updates: new Map([['NODE1', [update('KB1')]]]) } }),
      seconds: { NODE3: 0, NODE1: window(1), NODE2: 0 },
      notes: { NODE2: /^NODE2 is not online: will be reported Failed \(NodeOffline\)$/ },
      preflight: 30 + 300,
    },
    {
      name: "a failed scan is skipped as ScanFailed, the error's final period dropped",
      input: anInput({ scan: { scanFailures: new Map([['NODE1', 'get-updates on NODE1 failed: 0x8024402C.']]) } }),
      seconds: { NODE3: 0, NODE1: 0, NODE2: window(2) },
      notes: { NODE1: /^the scan failed \(get-updates on NODE1 failed: 0x8024402C\): will be reported Failed \(ScanFailed\)$/ },
      preflight: 30 + 300,
    },
    {
      name: 'without S2D there is no resync',
      input: anInput({ s2d: false }),
      seconds: { NODE3: 0, NODE1: window(1) - 600, NODE2: window(2) - 600 },
      preflight: 30 + 300,
    },
    {
      name: "the model's follow-ups are extra install rounds (each with its download), and are known in advance",
      input: anInput({ model: { timing: TIMING, fixture } }),
      // KB1-F installs without a restart, KB1-G with one; the resync comes once, at the end.
      seconds: { NODE3: 0, NODE1: window(1) + (300 + 600 + 30) + (300 + 600 + 300 + 60 + 30), NODE2: window(2) },
      preflight: 30 + 300,
      followUpsKnown: true,
    },
    {
      name: 'on a real cluster: default timings, follow-ups not known in advance',
      input: anInput({ model: undefined }),
      seconds: {
        NODE3: 0,
        NODE1: DEFAULT_TIMING.drainSecondsPerRole + DEFAULT_TIMING.installSeconds + DEFAULT_TIMING.rebootSeconds + DEFAULT_TIMING.servicesStartSeconds + DEFAULT_TIMING.scanSeconds + DEFAULT_TIMING.resyncSeconds,
        NODE2: 2 * DEFAULT_TIMING.drainSecondsPerRole + DEFAULT_TIMING.installSeconds + DEFAULT_TIMING.rebootSeconds + DEFAULT_TIMING.servicesStartSeconds + DEFAULT_TIMING.scanSeconds + DEFAULT_TIMING.resyncSeconds,
      },
      preflight: DEFAULT_TIMING.scanSeconds + DEFAULT_TIMING.downloadSeconds,
      followUpsKnown: false,
      timingSource: 'defaults',
    },
    {
      name: 'SkipUpdateChecks: no rescan, and no follow-up round even when the model knows one',
      input: anInput({ profile: { skipUpdateChecks: true }, model: { timing: TIMING, fixture } }),
      seconds: { NODE3: 0, NODE1: window(1) - 30, NODE2: window(2) - 30 },
      preflight: 30 + 300,
    },
    {
      name: "an online node that did not answer the preflight: the scan waits the gateway's reconnect deadline for it",
      input: anInput({ facts: { cluster: { name: 'C3', nodes: [node('NODE1', 1), node('NODE2', 2), node('NODE3', 0)] } as ClusterInfo, unanswered: new Map([['NODE3', 'connect timeout']]) } }),
      seconds: { NODE3: 0, NODE1: window(1), NODE2: window(2) },
      preflight: 900 + 300,
    },
    {
      name: 'nothing to install anywhere: no staging, nothing drained',
      input: anInput({ scan: { updates: new Map([['NODE1', []], ['NODE2', []], ['NODE3', []]]) } }),
      seconds: { NODE3: 0, NODE1: 0, NODE2: 0 },
      preflight: 30,
    },
  ])('$name', ({ input, seconds, notes = {}, preflight, followUpsKnown, timingSource = 'model' }) => {
    const plan = planFromScan(input);
    expect(plan.order).toEqual(['NODE3', 'NODE1', 'NODE2']);
    expect(Object.fromEntries(plan.nodes.map((n) => [n.node, n.seconds]))).toEqual(seconds);
    for (const [name, note] of Object.entries(notes)) expect(plan.nodes.find((n) => n.node === name)?.note).toMatch(note);
    expect(plan.preflight.reduce((s, p) => s + p.seconds, 0)).toBe(preflight);
    expect(plan.totalSeconds).toBe(preflight + Object.values(seconds).reduce((s, v) => s + v, 0));
    expect(plan.timingSource).toBe(timingSource);
    if (followUpsKnown !== undefined) expect(plan.followUpsKnown).toBe(followUpsKnown);
  });

  it('keeps the capacity verdict of each drain and the target as given', () => {
    const plan = planFromScan(anInput({ capacity: [{ node: 'NODE1', verdict: pass }] }));
    expect(plan.nodes.map((n) => [n.node, n.capacity])).toEqual([['NODE3', undefined], ['NODE1', pass], ['NODE2', undefined]]);
    expect({ clusterName: plan.clusterName, maxFailedNodes: plan.maxFailedNodes }).toEqual({ clusterName: 'C3', maxFailedNodes: 1 });
  });
});

describe('modelFollowUps', () => {
  it.each([
    { name: "an update's follow-ups, by id, case-insensitively", node: 'node1', id: 'kb1', followUps: ['KB1-F'] },
    { name: 'a follow-up has follow-ups of its own', node: 'NODE1', id: 'KB1-F', followUps: ['KB1-G'] },
    { name: 'an update the model does not list', node: 'NODE1', id: 'KB9', followUps: [] },
    { name: 'a node the model does not list', node: 'NODE7', id: 'KB1', followUps: [] },
  ])('$name', ({ node: name, id, followUps }) => {
    expect(modelFollowUps(fixture, name)(update(id)).map((u) => u.updateId)).toEqual(followUps);
  });
});
