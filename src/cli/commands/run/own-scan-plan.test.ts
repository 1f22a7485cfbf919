/**
 * An unattended run's plan from its own scan (own-scan-plan.ts): on the simulator, the coordinator hands over
 * its scan once, before any node is drained; the plan is the one --what-if makes of the same model; and the run
 * sends the very same operations as without it. Then the recorder and the hook on their own.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterGateway, type Gateway } from '../../../cluster/gateway.js';
import type { ClusterInfo, NodeCapacity } from '../../../cluster/operations.js';
import { RollingRun, type CoordinatorDeps } from '../../../core/coordinator.js';
import type { JournalState } from '../../../core/journal-replay.js';
import type { RunEvent } from '../../../core/events.js';
import type { RunPlan, RunScan } from '../../../core/plan.js';
import { AppError, ExitCode } from '../../../errors.js';
import { MemoryJournal } from '../../../journal/journal.js';
import { systemClock } from '../../../platform/clock.js';
import { openSimulator, type Simulator } from '../../../sim/index.js';
import type { Transport } from '../../../transport/transport.js';
import { aRunProfile } from '../../../../test/support/profiles.js';
import type { ClusterContext } from '../../context.js';
import { PreflightRecorder, journaledScan, ownScanPlan } from './own-scan-plan.js';
import { buildWhatIf } from './what-if.js';

const profile = aRunProfile();

const FIXTURE = {
  name: 'OWN3',
  storage: { s2d: true },
  quorum: { witnessType: 'Cloud', witnessState: 'Online' },
  timing: { scanSeconds: 30, downloadSeconds: 120, drainSecondsPerRole: 15, installSeconds: 300, rebootSeconds: 120, servicesStartSeconds: 30, resyncSeconds: 120 },
  nodes: [
    { name: 'N1', roles: ['N1-vm1', 'N1-vm2'], updates: [{ id: 'u1', kb: 'KB1', title: 'cu', rebootRequired: true, followUps: [{ id: 'u1f', kb: 'KB1F', title: 'follow-up', rebootRequired: false, followUps: [] }] }] },
    { name: 'N2', roles: ['N2-vm'], updates: [{ id: 'u2', kb: 'KB2', title: 'cu', rebootRequired: true }] },
    { name: 'N3', roles: [], updates: [] },
  ],
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cauctl-own-scan-'));
  writeFileSync(join(dir, 'f.json'), JSON.stringify(FIXTURE));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh simulated cluster from the fixture, at full speed. */
function freshSim(name: string): Simulator {
  return openSimulator({ fixturePath: join(dir, 'f.json'), stateDir: join(dir, name), speed: 'max', reset: true, ephemeral: true });
}

/** Keeps the name of every operation sent to a node, in order. */
function logging(inner: Transport, log: string[]): Transport {
  return { name: 'logging', run: (node, invocation, options) => (log.push(`${invocation.name}@${node}`), inner.run(node, invocation, options)), close: () => inner.close() };
}

function deps(sim: Simulator, gateway: Gateway, events: RunEvent[], extra: Partial<CoordinatorDeps> = {}): CoordinatorDeps {
  return { gateway, clock: sim.clock, wallClock: systemClock, sink: { emit: (e) => events.push(e) }, journal: new MemoryJournal(), owner: { host: 'mgmt01', user: 'admin', pid: process.pid }, isProcessAlive: () => true, stop: { requested: false }, newRunId: () => 'run-1', ...extra };
}

describe('on the simulator', () => {
  it('plans once, after the scan and before any drain, the plan --what-if makes, with no operation of its own', async () => {
    // The run without a plan after its scan, for the operations it sends.
    const plainSim = freshSim('plain');
    const plainOps: string[] = [];
    const plain = await new RollingRun(profile, deps(plainSim, new ClusterGateway(logging(plainSim.transport, plainOps)), []), { entry: plainSim.clusterName, forceRecovery: false }).execute();

    const sim = freshSim('own');
    const ops: string[] = [];
    const events: RunEvent[] = [];
    const adopted: Array<{ plan: RunPlan; eventsBefore: number }> = [];
    const warnings: string[] = [];
    const own = ownScanPlan({ gateway: new ClusterGateway(logging(sim.transport, ops)), sim, entry: sim.clusterName }, profile, (plan) => adopted.push({ plan, eventsBefore: events.length }), (m) => warnings.push(m));
    const result = await new RollingRun(profile, deps(sim, own.gateway, events, { onScanCompleted: own.onScanCompleted }), { entry: sim.clusterName, forceRecovery: false }).execute();

    expect(result.status).toBe('Succeeded');
    expect(plain.status).toBe('Succeeded');
    expect(warnings).toEqual([]);
    expect(adopted).toHaveLength(1);
    const before = events.slice(0, adopted[0]!.eventsBefore);
    // Every node's scan came before the plan; no staging nor drain did.
    expect(before.filter((e) => e.type === 'phase-completed' && e.phase === 'scan').map((e) => (e as { node: string }).node).sort()).toEqual(['N1', 'N2', 'N3']);
    expect(before.filter((e) => e.type === 'phase-started' && e.phase !== 'scan')).toEqual([]);

    // The same plan as --what-if's on the same model (roles, updates, follow-ups, capacity, S2D, timing).
    const whatIfSim = freshSim('what-if');
    const whatIf = await buildWhatIf({ gateway: new ClusterGateway(whatIfSim.transport), entry: whatIfSim.clusterName, sim: whatIfSim } as unknown as ClusterContext, profile);
    expect(adopted[0]!.plan).toEqual(whatIf.plan);
    expect(adopted[0]!.plan.nodes.map((n) => [n.node, n.phases.length > 0])).toEqual([['N3', false], ['N2', true], ['N1', true]]);

    // Nothing sent for the plan: the same operations, as many times each, as the run without it.
    const count = (log: readonly string[]): Record<string, number> => log.reduce<Record<string, number>>((c, op) => ({ ...c, [op]: (c[op] ?? 0) + 1 }), {});
    expect(count(ops)).toEqual(count(plainOps));
  }, 30000);
});

const cluster = (nodes: string[]): ClusterInfo =>
  ({ name: 'C', nodes: nodes.map((name) => ({ name, state: 'Up', drainStatus: 'NotInitiated', roles: [] })), quorum: { healthy: true, witnessType: 'Cloud', witnessState: 'Online' }, functionalLevel: 12, s2dEnabled: false, nativeCauRunInProgress: false }) as ClusterInfo;
const capacityOf = (node: string): NodeCapacity => ({ node }) as unknown as NodeCapacity;
const unreachable = (): AppError => new AppError('TRANSPORT_UNREACHABLE', ExitCode.connection, 'N2 does not answer.', { transient: true });

/** A gateway that answers from a table: a value, or an error to throw. */
function tableGateway(answers: Record<string, unknown>): Gateway {
  return {
    call: (node, name) => {
      const answer = answers[`${name}@${node}`] ?? answers[name];
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer as never);
    },
  };
}

describe('PreflightRecorder', () => {
  it('knows nothing before the cluster is read', async () => {
    const recorder = new PreflightRecorder(tableGateway({ 'get-node-capacity': capacityOf('N1') }));
    await recorder.call('N1', 'get-node-capacity', {});
    expect(recorder.facts()).toBeUndefined();
  });

  it('passes answers and errors through as they are, and keeps the cluster, each capacity and who did not answer', async () => {
    const error = unreachable();
    const scriptError = new AppError('OPERATION_FAILED', ExitCode.runFailed, 'get-node-capacity on N3 failed: WMI');
    const info = cluster(['N1', 'N2', 'N3']);
    const recorder = new PreflightRecorder(tableGateway({ 'get-cluster': info, 'get-node-capacity@N1': capacityOf('N1'), 'get-node-capacity@N2': error, 'get-node-capacity@N3': scriptError }));
    expect(await recorder.call('C', 'get-cluster', {})).toBe(info);
    expect(await recorder.call('N1', 'get-node-capacity', {})).toEqual(capacityOf('N1'));
    await expect(recorder.call('N2', 'get-node-capacity', {})).rejects.toBe(error);
    await expect(recorder.call('N3', 'get-node-capacity', {})).rejects.toBe(scriptError);
    // A script failure leaves the capacity unknown; only a transient failure is "does not answer".
    expect(recorder.facts()).toEqual({ cluster: info, capacity: [capacityOf('N1')], unanswered: new Map([['N2', 'N2 does not answer.']]) });
  });

  it('keeps the latest answer of a node', async () => {
    let answer: unknown = unreachable();
    const recorder = new PreflightRecorder({ call: () => (answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer as never)) });
    await recorder.call('C', 'get-cluster', {}).catch(() => undefined);
    answer = cluster(['N2']);
    await recorder.call('C', 'get-cluster', {});
    answer = unreachable();
    await recorder.call('N2', 'get-node-capacity', {}).catch(() => undefined);
    answer = capacityOf('N2');
    await recorder.call('N2', 'get-node-capacity', {});
    expect(recorder.facts()).toEqual({ cluster: cluster(['N2']), capacity: [capacityOf('N2')], unanswered: new Map() });
  });

  it('once told to stop keeping, passes calls straight through and keeps its facts as they were', async () => {
    const first = cluster(['N1']);
    const answers: Record<string, unknown> = { 'get-cluster': first, 'get-node-capacity': capacityOf('N1') };
    const recorder = new PreflightRecorder({ call: (_node, name) => Promise.resolve(answers[name] as never) });
    await recorder.call('C', 'get-cluster', {});
    await recorder.call('N1', 'get-node-capacity', {});
    recorder.stopKeeping();
    answers['get-cluster'] = cluster(['N1', 'N2']);
    expect(await recorder.call('C', 'get-cluster', {})).toEqual(cluster(['N1', 'N2']));
    expect(recorder.facts()).toEqual({ cluster: first, capacity: [capacityOf('N1')], unanswered: new Map() });
  });
});

describe('ownScanPlan', () => {
  const scan: RunScan = { target: { clusterName: 'C', order: ['N1'], maxFailedNodes: 0 }, down: new Set(), updates: new Map([['N1', []]]), scanFailures: new Map() };

  it('plans nothing and says nothing when the run read no cluster (standalone servers)', () => {
    const adopted: RunPlan[] = [];
    const warnings: string[] = [];
    ownScanPlan({ gateway: tableGateway({}) as ClusterGateway, sim: undefined, entry: 'C' }, profile, (p) => adopted.push(p), (m) => warnings.push(m)).onScanCompleted(scan);
    expect({ adopted, warnings }).toEqual({ adopted: [], warnings: [] });
  });

  it('says so on stderr and lets the run go on when the plan cannot be made', async () => {
    const adopted: RunPlan[] = [];
    const warnings: string[] = [];
    // A node order that does not fit the cluster read: the judgement of the read throws PROFILE_INVALID.
    const own = ownScanPlan({ gateway: tableGateway({ 'get-cluster': cluster(['N1']) }) as ClusterGateway, sim: undefined, entry: 'C' }, aRunProfile({ nodeOrder: ['N9'] }), (p) => adopted.push(p), (m) => warnings.push(m));
    await own.gateway.call('C', 'get-cluster', {});
    expect(() => own.onScanCompleted(scan)).not.toThrow();
    expect(adopted).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/^cauctl: warning: this run predicts no finish for get-run \(The run profile does not fit cluster C:[\s\S]*\); it goes on\.\n$/)]);
  });

  it("plans from the recorded read and the run's scan, on default timings for a real cluster", async () => {
    const adopted: RunPlan[] = [];
    const own = ownScanPlan({ gateway: tableGateway({ 'get-cluster': cluster(['N1']) }) as ClusterGateway, sim: undefined, entry: 'C' }, profile, (p) => adopted.push(p), () => undefined);
    await own.gateway.call('C', 'get-cluster', {});
    own.onScanCompleted({ ...scan, updates: new Map([['N1', [{ updateId: 'u', kb: 'KB1', title: 'cu', rebootRequired: false }]]]) });
    expect(adopted.map((p) => ({ timingSource: p.timingSource, nodes: p.nodes.map((n) => n.phases.map((ph) => ph.phase)) }))).toEqual([{ timingSource: 'defaults', nodes: [['drain', 'install', 'rescan', 'resume']] }]);
  });

  const NODES4 = ['N1', 'N2', 'N3', 'N4'];
  it.each([
    { name: 'a run one node at a time: no mode, the plan alone predicts it', options: {}, mode: undefined },
    { name: '--pre-install: the canary first, then the others', options: { preInstall: true }, mode: { preInstall: true, canary: 'N1', groups: [{ nodes: ['N2'] }, { nodes: ['N3'] }, { nodes: ['N4'] }] } },
    { name: '--max-concurrent-nodes: the groups the cluster read allows', options: { maxConcurrentNodes: 2 }, mode: { preInstall: false, canary: null, groups: [{ nodes: ['N1', 'N2'] }, { nodes: ['N3', 'N4'] }] } },
  ])('gives the mode with the plan: $name', async ({ options, mode }) => {
    const adopted: Array<{ mode: unknown }> = [];
    // ForcePauseNoDrain moves nothing: the groups are judged without the nodes' memory, which this table lacks.
    const own = ownScanPlan({ gateway: tableGateway({ 'get-cluster': cluster(NODES4) }) as ClusterGateway, sim: undefined, entry: 'C' }, aRunProfile({ undrainedSwitch: 'ForcePauseNoDrain', ...options }), (_plan, m) => adopted.push({ mode: m }), () => undefined);
    await own.gateway.call('C', 'get-cluster', {});
    const cu = [{ updateId: 'u', kb: 'KB1', title: 'cu', rebootRequired: true }];
    own.onScanCompleted({ target: { clusterName: 'C', order: NODES4, maxFailedNodes: 2 }, down: new Set(), updates: new Map(NODES4.map((n) => [n, cu])), scanFailures: new Map() });
    expect(adopted).toEqual([{ mode: mode === undefined ? undefined : expect.objectContaining({ ...mode, groups: mode.groups.map((g) => expect.objectContaining(g)) }) }]);
  });

  it.each([
    { name: 'two racks, the virtual disks rack-aware: groups of a rack', domains: { nodes: NODES4.map((n, i) => ({ name: n, chassis: null, rack: i < 2 ? 'R1' : 'R2' })), virtualDisks: [{ friendlyName: 'VD1', faultDomainAwareness: 'StorageRack' }] }, groups: [['N1', 'N2'], ['N3', 'N4']] },
    { name: 'the read fails: domains unknown, one node at a time', domains: new Error('get-fault-domains failed'), groups: [['N1'], ['N2'], ['N3'], ['N4']] },
  ])('on S2D with --max-concurrent-nodes, reads the fault domains once and plans on them: $name', async ({ domains, groups }) => {
    const adopted: Array<{ groups: string[][] }> = [];
    const calls: string[] = [];
    const table = tableGateway({ 'get-cluster': { ...cluster(NODES4), s2dEnabled: true }, 'get-fault-domains': domains });
    const gateway = { call: (node: string, name: string, params: never) => (calls.push(name), table.call(node, name as never, params)) } as unknown as ClusterGateway;
    const warnings: string[] = [];
    const own = ownScanPlan({ gateway, sim: undefined, entry: 'C' }, aRunProfile({ undrainedSwitch: 'ForcePauseNoDrain', maxConcurrentNodes: 2 }), (_plan, m) => adopted.push({ groups: (m?.groups ?? []).map((g) => [...g.nodes]) }), (w) => warnings.push(w));
    await own.gateway.call('C', 'get-cluster', {});
    const cu = [{ updateId: 'u', kb: 'KB1', title: 'cu', rebootRequired: true }];
    own.onScanCompleted({ target: { clusterName: 'C', order: NODES4, maxFailedNodes: 2 }, down: new Set(), updates: new Map(NODES4.map((n) => [n, cu])), scanFailures: new Map() });
    // The plan waits for the read.
    expect(adopted).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect({ adopted, calls, warnings }).toEqual({ adopted: [{ groups }], calls: ['get-cluster', 'get-fault-domains'], warnings: [] });
  });

  it('keeps no read after the plan is made: later calls go straight to the gateway', async () => {
    const calls: string[] = [];
    // A new object at each read: a recorder still keeping would replace the one it has.
    const own = ownScanPlan({ gateway: { call: (_node: string, name: string) => (calls.push(name), Promise.resolve(cluster(['N1']))) } as unknown as ClusterGateway, sim: undefined, entry: 'C' }, profile, () => undefined, () => undefined);
    await own.gateway.call('C', 'get-cluster', {});
    own.onScanCompleted(scan);
    const recorder = own.gateway as PreflightRecorder;
    const before = recorder.facts();
    await own.gateway.call('C', 'get-cluster', {});
    expect({ calls, same: recorder.facts()?.cluster === before?.cluster }).toEqual({ calls: ['get-cluster', 'get-cluster'], same: true });
  });
});

describe('journaledScan', () => {
  const u = (id: string) => ({ updateId: id, kb: id, title: id, rebootRequired: true });
  const started = { type: 'run-started', runId: 'r', clusterName: 'C4', order: ['N1', 'N2', 'N3', 'N4'], maxFailedNodes: 1, plugins: [], downAtStart: ['N4'] } as unknown as JournalState['started'];
  const state = (over: Partial<JournalState>): JournalState => ({ runId: 'r', started, completed: new Map(), inFlight: null, alsoInFlight: [], halted: false, scan: undefined, ...over });
  const scanned = { scan: { N1: [u('KB1')], N2: [u('KB2')] }, scanFailures: { N3: 'timed out' } };

  it.each([
    { name: 'no scan journaled: the resumed run scans again', state: state({}), scan: undefined },
    {
      name: "the scan, with the run's target",
      state: state({ scan: scanned }),
      scan: { target: { clusterName: 'C4', order: ['N1', 'N2', 'N3', 'N4'], maxFailedNodes: 1 }, down: new Set(['N4']), updates: new Map([['N1', [u('KB1')]], ['N2', [u('KB2')]]]), scanFailures: new Map([['N3', 'timed out']]) },
    },
    {
      name: 'the nodes the interrupted run finished are left out',
      state: state({ scan: scanned, completed: new Map([['N1', {}], ['N3', {}], ['N4', {}]]) as unknown as JournalState['completed'] }),
      scan: { target: { clusterName: 'C4', order: ['N1', 'N2', 'N3', 'N4'], maxFailedNodes: 1 }, down: new Set(), updates: new Map([['N2', [u('KB2')]]]), scanFailures: new Map() },
    },
  ])('$name', ({ state: s, scan }) => {
    expect(journaledScan(s)).toEqual(scan);
  });
});
