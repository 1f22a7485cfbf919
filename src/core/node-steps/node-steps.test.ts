/**
 * Table tests of the node steps: for every step, every kind of reply (success, a failure the script reports,
 * a lost reply, a timeout, a refused password) gives the documented journal records and outcome. The gateway
 * is scripted per operation; the clock is a fake one whose sleep advances time at once.
 */
import { OperationFailedError, OperationTimeoutError, type CallOptions, type Gateway } from '../../cluster/gateway.js';
import type { NodeStatus, OperationName, OperationParams, OperationResult, StorageHealth, UndrainedAllowance } from '../../cluster/operations.js';
import type { CauRoleGroup, NativeCauView } from '../../cluster/operations-native-cau.js';
import { RetryingGateway } from '../../cluster/retrying-gateway.js';
import { AppError, ExitCode } from '../../errors.js';
import { MemoryJournal } from '../../journal/journal.js';
import type { Clock } from '../../platform/clock.js';
import { JournalWriter } from '../journal-records.js';
import { StepFailure, type StepContext } from './context.js';
import { awaitDrainGate, awaitRestartGate } from './gates.js';
import { installViaTask, type TaskOptions, type TaskSpec } from './install.js';
import { guardNativeCau, restoreSelfUpdating } from './native-cau.js';
import { restartAndAwaitBoot, resumeRestart, servicesBeforeRestart } from './restart.js';
import { resumeNode, resumeWhenBack } from './resume.js';
import { scanNode } from './scan.js';
import { awaitHealthyStorage, type RepairProgress } from './storage.js';
import { gateAndSuspend } from './suspend.js';

/** One scripted reply: a value, a script failure, or a transport error. */
type Reply = { ok: unknown } | 'lost' | 'timeout' | 'refused' | { fail: string };

/**
 * A step that loops without end (a bug) would spin here without ever yielding to jest's timers: past this many
 * sleeps or calls, the fakes throw, and the test fails at once. No step of these tests comes near it.
 */
const RUNAWAY = 20_000;

class FakeClock implements Clock {
  t = Date.UTC(2026, 0, 1);
  sleeps = 0;
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    if (++this.sleeps > RUNAWAY) throw new Error(`runaway: more than ${RUNAWAY} sleeps`);
    this.t += Math.max(ms, 1);
  }
}

/** Answers each operation from its queue; the last reply of a queue repeats. Records every call. */
class ScriptedGateway implements Gateway {
  /** Every call, with the fake time after it and the options the step passed (`retry`). */
  readonly calls: Array<{ node: string; name: OperationName; params: unknown; time: number; options: CallOptions | undefined }> = [];
  private readonly counts = new Map<OperationName, number>();
  constructor(
    private readonly clock: FakeClock,
    private readonly script: Partial<Record<OperationName, Reply[] | ((call: number, params: unknown, options: CallOptions | undefined) => Reply)>>,
    /** How long each call takes on the fake clock (0: only the steps' own waits move time, to test deadlines exactly). */
    private readonly callMs = 1000,
  ) {}

  async call<N extends OperationName>(node: string, name: N, params: OperationParams<N>, options?: CallOptions): Promise<OperationResult<N>> {
    if (this.calls.length >= RUNAWAY) throw new Error(`runaway: more than ${RUNAWAY} calls`);
    const count = this.counts.get(name) ?? 0;
    this.counts.set(name, count + 1);
    this.clock.t += this.callMs;
    this.calls.push({ node, name, params, time: this.clock.t, options });
    const entry = this.script[name];
    if (entry === undefined) throw new Error(`unscripted call: ${name}`);
    const reply = typeof entry === 'function' ? entry(count, params, options) : entry[Math.min(count, entry.length - 1)]!;
    if (reply === 'lost') throw new AppError('TRANSPORT_UNREACHABLE', ExitCode.connection, `${node}: the connection dropped`, { transient: true });
    // What the transport gateway throws when a call runs past its deadline (gateway.ts).
    if (reply === 'timeout') throw new OperationTimeoutError(name, node, 120_000, undefined);
    if (reply === 'refused') throw new AppError('TRANSPORT_AUTH_REFUSED', ExitCode.connection, `${node} refused the credentials`);
    if ('fail' in reply) throw new OperationFailedError(name, node, reply.fail, `${name} failed`);
    return reply.ok as OperationResult<N>;
  }

  named(name: OperationName): number {
    return this.calls.filter((c) => c.name === name).length;
  }
}

const healthy: StorageHealth = { s2dEnabled: true, jobs: [], virtualDisks: [], pools: [] };
const degraded: StorageHealth = { ...healthy, jobs: [{ name: 'Repair', jobState: 'Running', bytesProcessed: 1, bytesTotal: 10, percentComplete: 10 }] };
const cluster = (states: Record<string, 'Up' | 'Paused' | 'Down'> = { N1: 'Up', N2: 'Up', N3: 'Up' }): OperationResult<'get-cluster'> => ({
  name: 'C1',
  nodes: Object.entries(states).map(([name, state]) => ({ name, state, drainStatus: 'NotInitiated' as const, roles: [] })),
  quorum: { healthy: true, witnessType: 'Cloud', witnessState: 'Online' },
  functionalLevel: 12,
  s2dEnabled: true,
  nativeCauRunInProgress: false,
});
const status = (over: Partial<NodeStatus> = {}): { ok: NodeStatus } => ({
  ok: { node: 'N1', lastBootUpTime: 'boot-0', osBuild: 20348, autoStartServicesNotRunning: [], clusterNodeState: 'Paused', rebootPending: false, drainStatus: 'Completed', runningRoles: [], ...over },
});

interface Harness {
  clock: FakeClock;
  gateway: ScriptedGateway;
  journal: MemoryJournal;
  ctx: StepContext;
  steps: () => string[];
  /** The journal's records without their sequence number and time. */
  records: () => Array<Record<string, unknown>>;
  /** Lock heartbeats the steps sent (one per wait). */
  beats: () => number;
}

function harness(script: ConstructorParameters<typeof ScriptedGateway>[1], callMs?: number): Harness {
  const clock = new FakeClock();
  const gateway = new ScriptedGateway(clock, script, callMs);
  const journal = new MemoryJournal();
  let beats = 0;
  const ctx: StepContext = {
    gateway: new RetryingGateway(gateway, clock, { deadlineMs: 10 * 60_000 }),
    clock,
    journal: new JournalWriter(journal, () => clock.now()),
    entry: 'C1',
    heartbeat: async () => {
      beats += 1;
    },
  };
  return {
    clock,
    gateway,
    journal,
    ctx,
    steps: () => journal.records().map((r) => String(r.step)),
    records: () => journal.records().map(({ seq: _seq, time: _time, ...rest }) => rest),
    beats: () => beats,
  };
}

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (error) {
    if (error instanceof StepFailure) return error.code;
    if (error instanceof AppError) return `${error.code} (exit ${error.exitCode})`;
    throw error;
  }
}

const gateScript: Partial<Record<OperationName, Reply[]>> = { 'wait-storage-healthy': [{ ok: { ...healthy, healthy: true, waitedSeconds: 0 } }], 'get-cluster': [{ ok: cluster() }], 'get-storage-health': [{ ok: healthy }],
  // No native CAU run, no CAU role (native-cau.ts: its own table tests).
  'get-native-cau': [{ ok: { node: 'N', runInProgress: false, orchestratorGuid: null, providerPresent: true, role: null } }],
  'get-cluster-property': [{ ok: { value: null } }] };
const suspendOptions = (h: { paused: boolean[]; resumed: boolean[] }) => ({
  attempt: 1,
  requireAllNodesOnline: false,
  storageTimeoutMinutes: 5,
  drainTimeoutMinutes: 10,
  rebootTimeoutMinutes: 30,
  forceDrain: false,
  onSuspendSent: () => h.paused.push(true),
  onResumed: () => h.resumed.push(true),
});

describe('gateAndSuspend: every reply to the suspend', () => {
  it.each<[string, Reply[], Reply[], string, string[], boolean]>([
    // name, suspend-node replies, get-node-status replies, outcome, journal steps, resumed after
    ['success', [{ ok: { state: 'Paused', drainStatus: 'Completed' } }], [status()], 'ok', ['suspend-requested', 'suspended'], false],
    ['success, drain still going, then complete', [{ ok: { state: 'Paused', drainStatus: 'InProgress' } }], [status({ drainStatus: 'InProgress', runningRoles: ['VM1'] }), status()], 'ok', ['suspend-requested', 'suspended'], false],
    ['the drain fails', [{ fail: 'DRAIN_FAILED' }], [status({ drainStatus: 'Failed', runningRoles: ['VM1'] })], 'DrainFailed', ['suspend-requested', 'drain-failed', 'resume-requested', 'resumed'], true],
    ['completed but a role still runs there', [{ ok: { state: 'Paused', drainStatus: 'Completed' } }], [status({ runningRoles: ['VM1'] })], 'DrainFailed', ['suspend-requested', 'drain-failed', 'resume-requested', 'resumed'], true],
    ['lost reply, the drain went on', ['lost'], [status({ drainStatus: 'InProgress' }), status()], 'ok', ['suspend-requested', 'suspended'], false],
    ['lost request, sent again once the node still shows no drain', ['lost', { ok: { state: 'Paused', drainStatus: 'InProgress' } }], [status({ clusterNodeState: 'Up', drainStatus: 'NotInitiated' }), status()], 'ok', ['suspend-requested', 'suspended'], false],
    ['timeout: the drain never completes', [{ ok: { state: 'Paused', drainStatus: 'InProgress' } }], [status({ drainStatus: 'InProgress', runningRoles: ['VM1'] })], 'DrainFailed', ['suspend-requested', 'drain-failed', 'resume-requested', 'resumed'], true],
    ['refused password', ['refused'], [status()], 'TRANSPORT_AUTH_REFUSED (exit 4)', ['suspend-requested'], false],
    ['a refusal other than the drain', [{ fail: 'SCRIPT_ERROR' }], [status({ drainStatus: 'NotInitiated', clusterNodeState: 'Up' })], 'SuspendFailed', ['suspend-requested', 'drain-failed', 'resume-requested', 'resumed'], true],
  ])('%s', async (_name, suspend, nodeStatus, expected, records, resumed) => {
    const h = harness({ ...gateScript, 'suspend-node': suspend, 'get-node-status': nodeStatus, 'resume-node': [{ ok: { state: 'Up' } }] });
    const seen = { paused: [] as boolean[], resumed: [] as boolean[] };
    expect(await outcome(gateAndSuspend(h.ctx, 'N1', suspendOptions(seen)))).toBe(expected);
    expect(h.steps()).toEqual(records);
    // Paused by this run from the moment the suspend is sent, whatever the reply.
    expect(seen.paused).toEqual([true]);
    expect(seen.resumed.length > 0).toBe(resumed);
    // A node left Paused by the failed drain is resumed without failback; one that stayed Up needs no resume.
    for (const c of h.gateway.calls.filter((x) => x.name === 'resume-node')) expect(c.params).toEqual({ name: 'N1', failback: 'NoFailback' });
    if (_name === 'the drain fails') expect(h.gateway.named('resume-node')).toBe(1);
    // The suspend is never repeated blindly: only when the node shows that it never arrived.
    expect(h.gateway.named('suspend-node')).toBe(_name.startsWith('lost request') ? 2 : 1);
  });

  it('a node that went away during its abandoned drain is waited for and resumed once it is back, not left paused', async () => {
    // It crashed in its hung drain: the resume does not get through for a while (longer than any retry of one
    // call), then Windows has it back, Paused, and the resume works.
    const h = harness({ ...gateScript, 'suspend-node': [{ ok: { state: 'Paused', drainStatus: 'InProgress' } }], 'get-node-status': [status({ drainStatus: 'InProgress', runningRoles: ['VM1'] })], 'resume-node': ['lost', 'lost', 'lost', { ok: { state: 'Up' } }] });
    const seen = { paused: [] as boolean[], resumed: [] as boolean[] };
    expect(await outcome(gateAndSuspend(h.ctx, 'N1', suspendOptions(seen)))).toBe('DrainFailed');
    expect(h.steps()).toEqual(['suspend-requested', 'drain-failed', 'resume-requested', 'resumed']);
    expect(h.gateway.named('resume-node')).toBe(4);
    expect(seen.resumed).toEqual([true]);
  });

  it('a node that stays away longer than RebootTimeoutMinutes is ResumeFailed, still paused', async () => {
    const h = harness({ ...gateScript, 'suspend-node': [{ ok: { state: 'Paused', drainStatus: 'InProgress' } }], 'get-node-status': [status({ drainStatus: 'InProgress', runningRoles: ['VM1'] })], 'resume-node': ['lost'] });
    const seen = { paused: [] as boolean[], resumed: [] as boolean[] };
    expect(await outcome(gateAndSuspend(h.ctx, 'N1', suspendOptions(seen)))).toBe('ResumeFailed');
    expect(seen.resumed).toEqual([]);
  });

  it('the drain is bounded by its timeout, in the run clock', async () => {
    const h = harness({ ...gateScript, 'suspend-node': [{ ok: { state: 'Paused', drainStatus: 'InProgress' } }], 'get-node-status': [status({ drainStatus: 'InProgress' })], 'resume-node': [{ ok: { state: 'Up' } }] });
    const start = h.clock.now();
    expect(await outcome(gateAndSuspend(h.ctx, 'N1', suspendOptions({ paused: [], resumed: [] })))).toBe('DrainFailed');
    const minutes = (h.clock.now() - start) / 60_000;
    expect(minutes).toBeGreaterThanOrEqual(10);
    expect(minutes).toBeLessThan(11);
  });

  it('a lost reply in the middle of the drain is read again, not taken for a failure', async () => {
    const h = harness({ ...gateScript, 'suspend-node': [{ ok: { state: 'Paused', drainStatus: 'InProgress' } }], 'get-node-status': [status({ drainStatus: 'InProgress' }), 'lost', 'lost', status()], 'resume-node': [{ ok: { state: 'Up' } }] });
    expect(await outcome(gateAndSuspend(h.ctx, 'N1', suspendOptions({ paused: [], resumed: [] })))).toBe('ok');
    expect(h.steps()).toEqual(['suspend-requested', 'suspended']);
  });

  it.each<[string, Partial<Record<OperationName, Reply[]>>, string]>([
    ['another node is paused', { 'get-cluster': [{ ok: cluster({ N1: 'Up', N2: 'Paused', N3: 'Up' }) }] }, 'OtherNodePaused'],
    ['storage stays degraded', { 'wait-storage-healthy': [{ ok: { ...degraded, healthy: false, waitedSeconds: 60 } }] }, 'StorageNotHealthy'],
  ])('the gate stays shut (%s): nothing is sent, nothing journaled', async (_name, over, expected) => {
    const h = harness({ ...gateScript, ...over, 'suspend-node': [{ ok: { state: 'Paused', drainStatus: 'Completed' } }], 'get-node-status': [status()] });
    expect(await outcome(gateAndSuspend(h.ctx, 'N1', suspendOptions({ paused: [], resumed: [] })))).toBe(expected);
    expect(h.gateway.named('suspend-node')).toBe(0);
    expect(h.steps()).toEqual([]);
  });

  it('no room for the VMs: refused by the capacity gate before the suspend', async () => {
    const h = harness({ ...gateScript, 'suspend-node': [{ ok: { state: 'Paused', drainStatus: 'Completed' } }] });
    const options = { ...suspendOptions({ paused: [], resumed: [] }), capacity: async () => ({ ok: false as const, code: 'InsufficientMemory' as const, message: 'VM1 fits nowhere' }) };
    expect(await outcome(gateAndSuspend(h.ctx, 'N1', options))).toBe('InsufficientMemory');
    expect(h.gateway.named('suspend-node')).toBe(0);
  });
});

const task: TaskSpec = { spec: { plugin: 'Microsoft.WindowsUpdatePlugin', arguments: {} }, mode: 'Install', updateIds: ['u1'], taskId: 't1', round: 1, pluginIndex: 0 };
const done = (state: 'Completed' | 'Failed' | 'Running') => ({ ok: { state, results: state === 'Running' ? [] : [{ updateId: 'u1', kb: 'KB1', title: 't', resultCode: state === 'Completed' ? 'Succeeded' : 'Failed', errorCode: '0x0', rebootRequired: true }], rebootRequired: state === 'Completed' } });

describe('installViaTask: every reply to the task', () => {
  it.each<[string, Reply[], Reply[], string, string[]]>([
    ['success', [{ ok: { taskId: 't1', alreadyStarted: false } }], [done('Running'), done('Completed')], 'Completed', ['task-started', 'task-finished']],
    ['the task fails', [{ ok: { taskId: 't1', alreadyStarted: false } }], [done('Failed')], 'Failed', ['task-started', 'task-finished']],
    ['lost reply while waiting: asked again, never a failed install', [{ ok: { taskId: 't1', alreadyStarted: false } }], ['lost', 'lost', done('Completed')], 'Completed', ['task-started', 'task-finished']],
    ['lost reply to the start: sent again (its taskId makes that harmless)', ['lost', { ok: { taskId: 't1', alreadyStarted: true } }], [done('Completed')], 'Completed', ['task-started', 'task-finished']],
    ['refused password', ['refused'], [done('Completed')], 'TRANSPORT_AUTH_REFUSED (exit 4)', ['task-started']],
  ])('%s', async (_name, start, wait, expected, records) => {
    const h = harness({ 'start-update-task': start, 'wait-update-task': wait, 'get-node-status': [status()] });
    let state = '';
    const result = await outcome(installViaTask(h.ctx, 'N1', task, { attempt: 1, resume: false, requireDrained: true, journaled: true, timeoutMs: 30 * 60_000 }).then((s) => (state = s.state)));
    expect(result === 'ok' ? state : result).toBe(expected);
    expect(h.steps()).toEqual(records);
  });

  it('a node that is not drained is not installed on (invariant 8): nothing started, nothing journaled', async () => {
    const h = harness({ 'start-update-task': [{ ok: { taskId: 't1', alreadyStarted: false } }], 'wait-update-task': [done('Completed')], 'get-node-status': [status({ drainStatus: 'Failed', runningRoles: ['VM1'] })] });
    expect(await failureText(installViaTask(h.ctx, 'N1', task, { attempt: 1, resume: false, requireDrained: true, journaled: true }))).toBe(
      'NodeNotDrained install: N1 is not drained, so it was not updated: its DrainStatus is Failed, not Completed; it still runs VM1. Its roles would go down with it.',
    );
    expect(h.gateway.named('start-update-task')).toBe(0);
    expect(h.steps()).toEqual([]);
  });
});

describe('restartAndAwaitBoot: every reply to the restart', () => {
  const back = status({ lastBootUpTime: 'boot-1' });
  const accepted = { scheduled: true, bootType: 'FullReboot', servicesBeforeRestart: ['ClusSvc', 'vmms'] };
  const options = { attempt: 1, round: 1, source: 'round' as const, soft: false, rebootTimeoutMinutes: 15, clusterRunning: true, gate: null };
  it.each<[string, Reply[], Reply[], string, string[]]>([
    ['success', [{ ok: accepted }], [status(), status(), 'lost', back], 'ok', ['restart-requested', 'restart-issued', 'node-back']],
    ['the restart is refused by the node', [{ fail: 'SCRIPT_ERROR' }], [status(), status()], 'OPERATION_FAILED (exit 3)', ['restart-requested']],
    ['lost reply: the boot time tells it happened', ['lost'], [status(), status(), 'lost', 'lost', back], 'ok', ['restart-requested', 'node-back']],
    ['timeout: the node never comes back', [{ ok: accepted }], [status(), status(), 'lost'], 'RebootTimeout', ['restart-requested', 'restart-issued']],
    ['refused password', ['refused'], [status(), status()], 'TRANSPORT_AUTH_REFUSED (exit 4)', ['restart-requested']],
    ['back with a service not running yet, then all running', [{ ok: accepted }], [status(), status(), status({ lastBootUpTime: 'boot-1', autoStartServicesNotRunning: ['vmms'] }), back], 'ok', ['restart-requested', 'restart-issued', 'node-back']],
    ['back with a service that was stopped before the restart too', [{ ok: accepted }], [status(), status(), status({ lastBootUpTime: 'boot-1', autoStartServicesNotRunning: ['MapsBroker'] })], 'ok', ['restart-requested', 'restart-issued', 'node-back']],
  ])('%s', async (_name, restart, nodeStatus, expected, records) => {
    const h = harness({ 'restart-node': restart, 'get-node-status': nodeStatus });
    expect(await outcome(restartAndAwaitBoot(h.ctx, 'N1', options))).toBe(expected);
    expect(h.steps()).toEqual(records);
    // A restart is never repeated by the gateway's retry policy.
    expect(h.gateway.named('restart-node')).toBe(1);
  });

  it('a node that is not drained is not restarted (invariant 8)', async () => {
    const h = harness({ 'restart-node': [{ ok: { scheduled: true, bootType: 'FullReboot', servicesBeforeRestart: [] } }], 'get-node-status': [status({ runningRoles: ['VM1'] })] });
    expect(await failureText(restartAndAwaitBoot(h.ctx, 'N1', options))).toBe('NodeNotDrained reboot: N1 is not drained, so it was not restarted: it still runs VM1. Its roles would go down with it.');
    expect(h.gateway.named('restart-node')).toBe(0);
    expect(h.steps()).toEqual([]);
  });
});

describe('awaitRestartGate: the restart gate (issue 20 §2: no restart while another node is down or storage is not healthy)', () => {
  const gate = { requireAllNodesOnline: false, storageTimeoutMinutes: 1, ownResyncDebt: false };
  const degradedDisk: StorageHealth = { ...healthy, virtualDisks: [{ friendlyName: 'V1', healthStatus: 'Warning', operationalStatus: 'Degraded', isOnline: true }] };
  const offlineDisk: StorageHealth = { ...healthy, virtualDisks: [{ friendlyName: 'V1', healthStatus: 'Warning', operationalStatus: 'Detached', isOnline: false }] };
  async function failure(p: Promise<unknown>): Promise<string> {
    try {
      await p;
      return 'ok';
    } catch (error) {
      if (error instanceof StepFailure) return `${error.code} ${error.phase}: ${error.message}`;
      throw error;
    }
  }
  it('every other node Up and storage healthy: open at once', async () => {
    const h = harness({ 'get-cluster': [{ ok: cluster() }], 'get-storage-health': [{ ok: healthy }] });
    expect(await failure(awaitRestartGate(h.ctx, 'N1', gate))).toBe('ok');
    expect([h.gateway.named('get-cluster'), h.gateway.named('get-storage-health')]).toEqual([1, 1]);
  });
  it('another node down: held until the deadline, then QuorumAtRisk naming it', async () => {
    const h = harness({ 'get-cluster': [{ ok: cluster({ N1: 'Paused', N2: 'Down', N3: 'Up' }) }], 'get-storage-health': [{ ok: healthy }] });
    expect(await failure(awaitRestartGate(h.ctx, 'N1', gate))).toBe(
      'QuorumAtRisk reboot: Not safe to restart N1: N2 went down and restarting N1 too would risk quorum or storage redundancy.',
    );
    // Re-read every 30 s within the minute: not given up at the first look.
    expect(h.gateway.named('get-cluster')).toBeGreaterThan(1);
  });
  it('storage not healthy: held, then StorageNotHealthy with the reason; healthy again in time: open', async () => {
    const stuck = harness({ 'get-cluster': [{ ok: cluster() }], 'get-storage-health': [{ ok: degraded }] });
    expect(await failure(awaitRestartGate(stuck.ctx, 'N1', gate))).toBe(
      'StorageNotHealthy reboot: Not safe to restart N1: storage is not healthy: storage job Repair is Running with 9 bytes left.',
    );
    const heals = harness({ 'get-cluster': [{ ok: cluster() }], 'get-storage-health': [{ ok: degraded }, { ok: healthy }] });
    expect(await failure(awaitRestartGate(heals.ctx, 'N1', gate))).toBe('ok');
    expect(heals.gateway.named('get-storage-health')).toBe(2);
  });
  it("the node's own resync debt (it restarted since its suspend): storage is not read", async () => {
    const h = harness({ 'get-cluster': [{ ok: cluster() }], 'get-storage-health': [{ ok: degraded }] });
    expect(await failure(awaitRestartGate(h.ctx, 'N1', { ...gate, ownResyncDebt: true }))).toBe('ok');
    expect(h.gateway.named('get-storage-health')).toBe(0);
  });
  it("a group mate away: its own degraded disks do not hold the restart; a disk offline or a repair job still does", async () => {
    const mates = { ...gate, groupMates: ['n2'] };
    const away = cluster({ N1: 'Paused', N2: 'Down', N3: 'Up', N4: 'Up', N5: 'Up' });
    const ok = harness({ 'get-cluster': [{ ok: away }], 'get-storage-health': [{ ok: degradedDisk }] });
    expect(await failure(awaitRestartGate(ok.ctx, 'N1', mates))).toBe('ok');
    const offline = harness({ 'get-cluster': [{ ok: away }], 'get-storage-health': [{ ok: offlineDisk }] });
    expect(await failure(awaitRestartGate(offline.ctx, 'N1', mates))).toBe('StorageNotHealthy reboot: Not safe to restart N1: storage is not healthy: virtual disk V1 is Warning/Detached.');
    const repairing = harness({ 'get-cluster': [{ ok: away }], 'get-storage-health': [{ ok: { ...degradedDisk, jobs: degraded.jobs } }] });
    expect(await failure(awaitRestartGate(repairing.ctx, 'N1', mates))).toMatch(/^StorageNotHealthy reboot: .*storage job Repair is Running with 9 bytes left/);
    // A repair job that has completed is no repair still running.
    const repaired = harness({ 'get-cluster': [{ ok: away }], 'get-storage-health': [{ ok: { ...degradedDisk, jobs: [{ ...degraded.jobs[0]!, jobState: 'Completed', bytesProcessed: 10 }] } }] });
    expect(await failure(awaitRestartGate(repaired.ctx, 'N1', mates))).toBe('ok');
    // Without the mate away, the same degraded disk holds it.
    const noMateAway = harness({ 'get-cluster': [{ ok: cluster({ N1: 'Paused', N2: 'Up', N3: 'Up' }) }], 'get-storage-health': [{ ok: degradedDisk }] });
    expect(await failure(awaitRestartGate(noMateAway.ctx, 'N1', mates))).toBe('StorageNotHealthy reboot: Not safe to restart N1: storage is not healthy: virtual disk V1 is Warning/Degraded.');
  });
});

describe('resumeRestart: a run resumed at a journaled restart (the crash may have come before the call)', () => {
  const back = status({ lastBootUpTime: 'boot-1' });
  const accepted = { scheduled: true, bootType: 'FullReboot', servicesBeforeRestart: ['ClusSvc'] };
  const options = { attempt: 1, round: 2, source: 'round' as const, soft: false, rebootTimeoutMinutes: 15, clusterRunning: true, gate: null, bootBefore: 'boot-0' };
  it.each<[string, Reply[], string, string[], number]>([
    ['already back with a new boot time: not restarted again', [back], 'ok', ['node-back'], 0],
    ['away (restarting): not restarted again, waited for', ['lost', back], 'ok', ['node-back'], 0],
    ['up with the old boot time only at first, then away: the call had gone out', [status(), 'lost', back], 'ok', ['node-back'], 0],
    ['still up with the old boot time after the restart delay: it never got the call, restarted (journaled again)', [status(), status(), status(), status(), back], 'ok', ['restart-requested', 'restart-issued', 'node-back'], 1],
    ['refused password while checking: that is not "restarting"', ['refused'], 'TRANSPORT_AUTH_REFUSED (exit 4)', [], 0],
  ])('%s', async (_name, nodeStatus, expected, records, restarts) => {
    const h = harness({ 'restart-node': [{ ok: accepted }], 'get-node-status': nodeStatus });
    expect(await outcome(resumeRestart(h.ctx, 'N1', options))).toBe(expected);
    expect(h.steps()).toEqual(records);
    expect(h.gateway.named('restart-node')).toBe(restarts);
  });

  it('waits the restart delay (5 s) and its grace (60 s) before deciding the call never went out', async () => {
    const h = harness({ 'restart-node': [{ ok: accepted }], 'get-node-status': [status(), status(), status(), status(), back] });
    const start = h.clock.now();
    await resumeRestart(h.ctx, 'N1', options);
    // On the fake gateway each call takes 1 s: a status read, the 65 s wait, a second read, then the restart's
    // own drained check and boot-time read before its record.
    expect(h.journal.records().find((r) => r.step === 'restart-requested')!.time).toBe(new Date(start + 69_000).toISOString());
  });
});

describe('resumeNode, awaitHealthyStorage, scanNode: every reply', () => {
  it.each<[string, Reply[], string, string[]]>([
    ['success', [{ ok: { state: 'Up' } }], 'ok', ['resume-requested', 'resumed']],
    ['failure', [{ fail: 'SCRIPT_ERROR' }], 'OPERATION_FAILED (exit 3)', ['resume-requested']],
    ['lost reply: repeated (a resume is idempotent)', ['lost', { ok: { state: 'Up' } }], 'ok', ['resume-requested', 'resumed']],
    ['timeout past the retry deadline', ['timeout'], 'OPERATION_TIMEOUT (exit 4)', ['resume-requested']],
    ['refused password: not retried', ['refused', { ok: { state: 'Up' } }], 'TRANSPORT_AUTH_REFUSED (exit 4)', ['resume-requested']],
  ])('resumeNode: %s', async (_name, replies, expected, records) => {
    const h = harness({ 'get-node-status': [status()], 'resume-node': replies });
    expect(await outcome(resumeNode(h.ctx, 'N1', 1, 'Immediate'))).toBe(expected);
    expect(h.steps()).toEqual(records);
    if (expected.startsWith('TRANSPORT_AUTH')) expect(h.gateway.named('resume-node')).toBe(1);
  });

  it.each<[string, Reply[], string]>([
    ['healthy', [{ ok: { ...healthy, healthy: true, waitedSeconds: 0 } }], 'healthy'],
    ['repair never finishes: unhealthy at the deadline', [{ ok: { ...degraded, healthy: false, waitedSeconds: 60 } }], 'unhealthy'],
    ['lost reply, then healthy', ['lost', { ok: { ...healthy, healthy: true, waitedSeconds: 0 } }], 'healthy'],
    ['refused password', ['refused'], 'TRANSPORT_AUTH_REFUSED (exit 4)'],
  ])('awaitHealthyStorage: %s (read-only, never journaled)', async (_name, replies, expected) => {
    const h = harness({ 'wait-storage-healthy': replies });
    let verdict = '';
    const result = await outcome(awaitHealthyStorage(h.ctx, 5).then((v) => (verdict = v.healthy ? 'healthy' : 'unhealthy')));
    expect(result === 'ok' ? verdict : result).toBe(expected);
    expect(h.steps()).toEqual([]);
  });

  it.each<[string, Reply[], string]>([
    ['success', [{ ok: { updates: [{ updateId: 'u1', title: 't', kb: 'KB1', rebootRequired: true }] } }], '1 update(s)'],
    ['failure', [{ fail: 'SCRIPT_ERROR' }], 'OPERATION_FAILED (exit 3)'],
    ['lost reply, then success', ['lost', { ok: { updates: [] } }], '0 update(s)'],
    ['refused password', ['refused'], 'TRANSPORT_AUTH_REFUSED (exit 4)'],
  ])('scanNode: %s', async (_name, replies, expected) => {
    const h = harness({ 'scan-updates': replies });
    let found = '';
    const result = await outcome(scanNode(h.ctx.gateway, 'N1', [{ plugin: 'Microsoft.WindowsUpdatePlugin', arguments: {} }]).then((u) => (found = `${u.length} update(s)`)));
    expect(result === 'ok' ? found : result).toBe(expected);
  });
});

/** A step's outcome as `CODE phase: message` (a StepFailure), the error's code and message, or 'ok'. */
async function failureText(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (error) {
    if (error instanceof StepFailure) return `${error.code} ${error.phase}: ${error.message}`;
    if (error instanceof AppError) return `${error.code}: ${error.message}`;
    throw error;
  }
}

const callsOf = (h: Harness, name?: OperationName) => h.gateway.calls.filter((c) => name === undefined || c.name === name);

describe('awaitDrainGate: the drain gate, read by read', () => {
  const options = { requireAllNodesOnline: false, storageTimeoutMinutes: 5 };

  it('an open gate: the long storage wait, the cluster, the native CAU guard, then storage read again right before the suspend', async () => {
    const h = harness(gateScript);
    expect(await failureText(awaitDrainGate(h.ctx, 'N1', options))).toBe('ok');
    expect(h.gateway.calls.map((c) => [c.node, c.name, c.params])).toEqual([
      ['C1', 'wait-storage-healthy', { timeoutSeconds: 60, pollSeconds: 5 }],
      ['C1', 'get-cluster', {}],
      ['N1', 'get-native-cau', {}],
      ['N2', 'get-native-cau', {}],
      ['N3', 'get-native-cau', {}],
      ['C1', 'get-cluster-property', { name: 'CauctlRoleHold' }],
      ['C1', 'get-storage-health', {}],
    ]);
    expect(h.beats()).toBe(0);
  });

  it('the long poll never outlasts the storage deadline', async () => {
    const h = harness(gateScript);
    await awaitDrainGate(h.ctx, 'N1', { ...options, storageTimeoutMinutes: 0.5 });
    expect(callsOf(h, 'wait-storage-healthy')[0]!.params).toEqual({ timeoutSeconds: 30, pollSeconds: 5 });
  });

  it.each<[string, Record<string, 'Up' | 'Paused' | 'Down'>, string[] | undefined, boolean, string]>([
    ['a paused group mate (named in any case) does not hold the drain, even with RequireAllNodesOnline', { N1: 'Up', N2: 'Paused', N3: 'Up' }, ['n2'], true, 'ok'],
    ['a paused node outside the group holds it', { N1: 'Up', N2: 'Paused', N3: 'Up' }, ['N3'], false, 'OtherNodePaused drain: Not safe to drain N1: N2 is paused; draining N1 too would take a second node out of service'],
    ['no group: a paused node holds it', { N1: 'Up', N2: 'Paused', N3: 'Up' }, [], false, 'OtherNodePaused drain: Not safe to drain N1: N2 is paused; draining N1 too would take a second node out of service'],
    ['a group mate that is Down is still Down', { N1: 'Up', N2: 'Down', N3: 'Up' }, ['N2'], true, 'NodesOffline drain: Not safe to drain N1: RequireAllNodesOnline is set and N2 (Down) not Up'],
  ])('%s', async (_name, states, groupMates, requireAllNodesOnline, expected) => {
    const h = harness({ ...gateScript, 'get-cluster': [{ ok: cluster(states) }] });
    expect(await failureText(awaitDrainGate(h.ctx, 'N1', { requireAllNodesOnline, storageTimeoutMinutes: 1, ...(groupMates ? { groupMates } : {}) }))).toBe(expected);
  });

  it('a shut gate is read again every 30 s (with a heartbeat), and opens when the other node is back', async () => {
    const h = harness({ ...gateScript, 'get-cluster': [{ ok: cluster({ N1: 'Up', N2: 'Paused', N3: 'Up' }) }, { ok: cluster() }] });
    expect(await failureText(awaitDrainGate(h.ctx, 'N1', options))).toBe('ok');
    const reads = callsOf(h, 'get-cluster');
    expect(reads).toHaveLength(2);
    // Between them: 30 s of waiting, then the storage wait (1 s on the fake gateway) and the read itself.
    expect(reads[1]!.time - reads[0]!.time).toBe(32_000);
    expect(h.beats()).toBe(1);
    // The guard runs only once the gate is open.
    expect(callsOf(h, 'get-native-cau')).toHaveLength(3);
  });

  it('storage healthy in the long wait but not when read again right before the suspend: the gate is passed again', async () => {
    const h = harness({ ...gateScript, 'get-storage-health': [{ ok: degraded }, { ok: healthy }] });
    expect(await failureText(awaitDrainGate(h.ctx, 'N1', options))).toBe('ok');
    expect([callsOf(h, 'wait-storage-healthy').length, callsOf(h, 'get-cluster').length, callsOf(h, 'get-storage-health').length, h.beats()]).toEqual([2, 2, 2, 1]);
  });

  it.each<[string, Partial<Record<OperationName, Reply[]>>]>([
    ['in the long wait', { 'wait-storage-healthy': [{ ok: { ...degraded, healthy: false, waitedSeconds: 60 } }] }],
    ['when read again right before the suspend', { 'get-storage-health': [{ ok: degraded }] }],
  ])('storage never healthy (%s): StorageNotHealthy at the deadline, with the reason', async (_name, over) => {
    const h = harness({ ...gateScript, ...over });
    const start = h.clock.now();
    expect(await failureText(awaitDrainGate(h.ctx, 'N1', { ...options, storageTimeoutMinutes: 1 }))).toBe(
      'StorageNotHealthy drain: Not safe to drain N1: storage did not become healthy within 1 min: storage job Repair is Running with 9 bytes left',
    );
    expect(h.clock.now() - start).toBeGreaterThanOrEqual(60_000);
    expect(h.beats()).toBeGreaterThan(1);
  });

  it('the capacity gate hears the cluster just read and the node; a shortfall stops before storage is read again', async () => {
    const h = harness(gateScript);
    const asked: Array<[string, string[]]> = [];
    const capacity = async (c: OperationResult<'get-cluster'>, node: string) => {
      asked.push([node, c.nodes.map((n) => n.name)]);
      return { ok: false as const, code: 'InsufficientMemory' as const, message: 'VM1 fits nowhere' };
    };
    expect(await failureText(awaitDrainGate(h.ctx, 'N1', { ...options, capacity }))).toBe('InsufficientMemory drain: Not safe to drain N1: VM1 fits nowhere');
    expect(asked).toEqual([['N1', ['N1', 'N2', 'N3']]]);
    expect(callsOf(h, 'get-storage-health')).toHaveLength(0);
  });
});

describe('gateAndSuspend: what is sent, what is journaled, the force switches', () => {
  const seen = () => ({ paused: [] as boolean[], resumed: [] as boolean[] });
  const paused = { ok: { state: 'Paused', drainStatus: 'InProgress' } };

  it('the suspend carries the node, the drain switches and a long poll of 30 s; no force switch is sent unless given', async () => {
    const h = harness({ ...gateScript, 'suspend-node': [paused], 'get-node-status': [status()] });
    expect(await gateAndSuspend(h.ctx, 'N1', suspendOptions(seen()))).toStrictEqual({ drained: true });
    const [sent] = callsOf(h, 'suspend-node');
    expect([sent!.node, sent!.params, sent!.options]).toStrictEqual(['C1', { name: 'N1', forceDrain: false, timeoutSeconds: 30 }, { retry: false }]);
    const forced = harness({ ...gateScript, 'suspend-node': [paused], 'get-node-status': [status()] });
    await gateAndSuspend(forced.ctx, 'N1', { ...suspendOptions(seen()), forceDrain: true, allowUndrained: 'ForcePauseDrainAndReboot' });
    expect(callsOf(forced, 'suspend-node')[0]!.params).toStrictEqual({ name: 'N1', forceDrain: true, timeoutSeconds: 30, allowUndrained: 'ForcePauseDrainAndReboot' });
  });

  it.each([
    [0.25, 15],
    [0, 1],
  ])('a drain timeout of %s min: the suspend long-polls %s s at most', async (drainTimeoutMinutes, seconds) => {
    const h = harness({ ...gateScript, 'suspend-node': [paused], 'get-node-status': [status()], 'resume-node': [{ ok: { state: 'Up' } }] });
    await outcome(gateAndSuspend(h.ctx, 'N1', { ...suspendOptions(seen()), drainTimeoutMinutes }));
    expect(callsOf(h, 'suspend-node')[0]!.params).toMatchObject({ timeoutSeconds: seconds });
  });

  it('the write-ahead record comes before the callback, and both before the suspend is sent', async () => {
    const h = harness({ ...gateScript, 'suspend-node': [paused], 'get-node-status': [status()] });
    const order: string[] = [];
    await gateAndSuspend(h.ctx, 'N1', { ...suspendOptions(seen()), onSuspendSent: () => order.push(`${h.steps().join(',')} / ${callsOf(h, 'suspend-node').length} sent`) });
    expect(order).toEqual(['suspend-requested / 0 sent']);
  });

  it('drained: the drain is read every 5 s until it completes', async () => {
    const h = harness({ ...gateScript, 'suspend-node': [paused], 'get-node-status': [status({ drainStatus: 'InProgress' }), status({ drainStatus: 'InProgress' }), status()] });
    expect(await gateAndSuspend(h.ctx, 'N1', suspendOptions(seen()))).toStrictEqual({ drained: true });
    const reads = callsOf(h, 'get-node-status');
    expect(reads.map((r) => [r.node, r.time - reads[0]!.time])).toEqual([['N1', 0], ['N1', 6_000], ['N1', 12_000]]);
    expect(h.beats()).toBe(2);
    expect(h.records()).toEqual([
      { type: 'step', node: 'N1', attempt: 1, step: 'suspend-requested' },
      { type: 'step', node: 'N1', attempt: 1, step: 'suspended' },
    ]);
  });

  it('storage degraded refuses the suspend (CLUSTER_SPACE_DEGRADED): the gate is passed again and the suspend sent again, one record', async () => {
    const h = harness({ ...gateScript, 'suspend-node': [{ fail: 'CLUSTER_SPACE_DEGRADED' }, paused], 'get-node-status': [status()] });
    expect(await gateAndSuspend(h.ctx, 'N1', suspendOptions(seen()))).toStrictEqual({ drained: true });
    expect([callsOf(h, 'suspend-node').length, callsOf(h, 'wait-storage-healthy').length]).toEqual([2, 2]);
    expect(h.steps()).toEqual(['suspend-requested', 'suspended']);
  });

  it('storage degraded until the drain deadline: SuspendFailed, recorded with the refusal, the node resumed', async () => {
    const h = harness({ ...gateScript, 'suspend-node': [{ fail: 'CLUSTER_SPACE_DEGRADED' }], 'get-node-status': [status()], 'resume-node': [{ ok: { state: 'Up' } }] });
    const start = h.clock.now();
    expect(await failureText(gateAndSuspend(h.ctx, 'N1', { ...suspendOptions(seen()), drainTimeoutMinutes: 1 }))).toBe(
      'SuspendFailed drain: N1 could not be drained: suspend-node on C1 failed: suspend-node failed. It was resumed (NoFailback) and not updated in this attempt.',
    );
    expect(h.clock.now() - start).toBeGreaterThanOrEqual(60_000);
    expect(h.records()[1]).toEqual({ type: 'step', node: 'N1', attempt: 1, step: 'drain-failed', drainStatus: 'Failed', reason: 'suspend-node on C1 failed: suspend-node failed' });
  });

  it('a failed drain: recorded with its DrainStatus and reason, the node resumed without failback, the failure names both', async () => {
    const h = harness({ ...gateScript, 'suspend-node': [paused], 'get-node-status': [status({ drainStatus: 'Failed', runningRoles: ['VM1', 'VM2'] })], 'resume-node': [{ ok: { state: 'Up' } }] });
    const s = seen();
    expect(await failureText(gateAndSuspend(h.ctx, 'N1', suspendOptions(s)))).toBe(
      'DrainFailed drain: N1 could not be drained: DrainStatus is Failed; still running here: VM1, VM2. It was resumed (NoFailback) and not updated in this attempt.',
    );
    expect(h.records()).toEqual([
      { type: 'step', node: 'N1', attempt: 1, step: 'suspend-requested' },
      { type: 'step', node: 'N1', attempt: 1, step: 'drain-failed', drainStatus: 'Failed', reason: 'DrainStatus is Failed; still running here: VM1, VM2' },
      { type: 'step', node: 'N1', attempt: 1, step: 'resume-requested' },
      { type: 'step', node: 'N1', attempt: 1, step: 'resumed' },
    ]);
    expect(callsOf(h, 'resume-node').map((c) => [c.node, c.params])).toEqual([['C1', { name: 'N1', failback: 'NoFailback' }]]);
    expect(s.resumed).toEqual([true]);
  });

  it('a drain that does not complete in time names the timeout and the last DrainStatus', async () => {
    const h = harness({ ...gateScript, 'suspend-node': [paused], 'get-node-status': [status({ drainStatus: 'InProgress' })], 'resume-node': [{ ok: { state: 'Up' } }] });
    expect(await failureText(gateAndSuspend(h.ctx, 'N1', { ...suspendOptions(seen()), drainTimeoutMinutes: 2 }))).toBe(
      'DrainFailed drain: N1 could not be drained: the drain did not complete within SuspendClusterNodeTimeoutMinutes (2 min); DrainStatus is InProgress. It was resumed (NoFailback) and not updated in this attempt.',
    );
    expect(h.records()[1]).toMatchObject({ step: 'drain-failed', drainStatus: 'InProgress' });
  });

  it('a node that stops answering during its drain: DrainFailed at the deadline, DrainStatus Unknown, resumed once it answers', async () => {
    const drainFailed = () => h.steps().includes('drain-failed');
    const h: Harness = harness({ ...gateScript, 'suspend-node': [paused], 'get-node-status': () => (drainFailed() ? status({ drainStatus: 'InProgress' }) : 'lost'), 'resume-node': [{ ok: { state: 'Up' } }] });
    expect(await failureText(gateAndSuspend(h.ctx, 'N1', { ...suspendOptions(seen()), drainTimeoutMinutes: 2 }))).toBe(
      'DrainFailed drain: N1 could not be drained: N1 did not answer while its drain was awaited. It was resumed (NoFailback) and not updated in this attempt.',
    );
    expect(h.records()[1]).toEqual({ type: 'step', node: 'N1', attempt: 1, step: 'drain-failed', drainStatus: 'Unknown', reason: 'N1 did not answer while its drain was awaited' });
    // Given up at the drain's deadline (2 min), not at the gateway's own (10 min).
    const [requested, failed] = h.journal.records();
    expect(Date.parse(failed!.time) - Date.parse(requested!.time)).toBeLessThan(3 * 60_000);
    expect(h.steps().slice(2)).toEqual(['resume-requested', 'resumed']);
  });

  it('a refused password while the drain is awaited ends the step as it is: nothing resumed, no drain-failed record', async () => {
    const h = harness({ ...gateScript, 'suspend-node': [paused], 'get-node-status': ['refused'], 'resume-node': [{ ok: { state: 'Up' } }] });
    expect(await outcome(gateAndSuspend(h.ctx, 'N1', suspendOptions(seen())))).toBe('TRANSPORT_AUTH_REFUSED (exit 4)');
    expect(h.steps()).toEqual(['suspend-requested']);
    expect(callsOf(h, 'resume-node')).toHaveLength(0);
  });

  it('ForcePauseDrainAndReboot: a drain that timed out is abandoned even if it has failed since', async () => {
    // InProgress up to the read that finds the deadline passed; Failed from the next read on.
    let timedOut = false;
    const read = (): Reply => {
      if (timedOut) return status({ drainStatus: 'Failed' });
      timedOut = h.clock.now() >= callsOf(h, 'suspend-node')[0]!.time - 1000 + 60_000;
      return status({ drainStatus: 'InProgress' });
    };
    const h: Harness = harness({ ...gateScript, 'suspend-node': [paused], 'get-node-status': read, 'resume-node': [{ ok: { state: 'Up' } }] });
    expect(await failureText(gateAndSuspend(h.ctx, 'N1', { ...suspendOptions(seen()), drainTimeoutMinutes: 1, allowUndrained: 'ForcePauseDrainAndReboot' }))).toMatch(/^DrainFailed drain: N1 could not be drained: the drain did not complete within/);
  });

  it('the suspend sent again (the first never arrived) and refused: SuspendFailed, recorded, resumed', async () => {
    const h = harness({ ...gateScript, 'suspend-node': ['lost', { fail: 'SCRIPT_ERROR' }], 'get-node-status': [status({ clusterNodeState: 'Up', drainStatus: 'NotInitiated' })], 'resume-node': [{ ok: { state: 'Up' } }] });
    expect(await failureText(gateAndSuspend(h.ctx, 'N1', suspendOptions(seen())))).toBe('SuspendFailed drain: N1 could not be drained: suspend-node on C1 failed: suspend-node failed. It was resumed (NoFailback) and not updated in this attempt.');
    expect(h.records()[1]).toEqual({ type: 'step', node: 'N1', attempt: 1, step: 'drain-failed', drainStatus: 'Failed', reason: 'suspend-node on C1 failed: suspend-node failed' });
  });

  it('a refused password read after the drain deadline is still a refused password', async () => {
    const h = harness({ ...gateScript, 'suspend-node': [paused], 'get-node-status': ['refused'], 'resume-node': [{ ok: { state: 'Up' } }] });
    expect(await outcome(gateAndSuspend(h.ctx, 'N1', { ...suspendOptions(seen()), drainTimeoutMinutes: 0 }))).toBe('TRANSPORT_AUTH_REFUSED (exit 4)');
  });

  it('without an onResumed callback a failed drain is still DrainFailed', async () => {
    const h = harness({ ...gateScript, 'suspend-node': [paused], 'get-node-status': [status({ drainStatus: 'Failed' })], 'resume-node': [{ ok: { state: 'Up' } }] });
    const { onResumed: _none, ...options } = suspendOptions(seen());
    expect(await outcome(gateAndSuspend(h.ctx, 'N1', options))).toBe('DrainFailed');
  });

  it('a lost reply to the suspend (a timeout) is taken as sent: the drain is read, not the suspend repeated', async () => {
    const h = harness({ ...gateScript, 'suspend-node': ['timeout'], 'get-node-status': [status()] });
    expect(await gateAndSuspend(h.ctx, 'N1', suspendOptions(seen()))).toStrictEqual({ drained: true });
    expect(callsOf(h, 'suspend-node')).toHaveLength(1);
  });

  it('a node that cannot be resumed after its failed drain: ResumeFailed, saying why and that it is still paused', async () => {
    const h = harness({ ...gateScript, 'suspend-node': [paused], 'get-node-status': [status({ drainStatus: 'Failed' })], 'resume-node': [{ fail: 'SCRIPT_ERROR' }] });
    expect(await failureText(gateAndSuspend(h.ctx, 'N1', suspendOptions(seen())))).toBe(
      'ResumeFailed drain: The drain of N1 failed (DrainStatus is Failed) and N1 could not be resumed: resume-node on C1 failed: resume-node failed. It is still paused.',
    );
    const again = harness({ ...gateScript, 'suspend-node': [paused], 'get-node-status': [status({ drainStatus: 'Failed' })], 'resume-node': [{ fail: 'SCRIPT_ERROR' }] });
    expect(await gateAndSuspend(again.ctx, 'N1', suspendOptions(seen())).catch((e: unknown) => (e as StepFailure).cause)).toBeInstanceOf(OperationFailedError);
  });

  type Outcome = Awaited<ReturnType<typeof gateAndSuspend>> | string;
  it.each<[string, UndrainedAllowance, Reply[], Reply[], Outcome, number]>([
    // name, switch, suspend-node replies, get-node-status replies, outcome, get-node-status reads
    ['ForcePauseNoDrain: paused with its roles, accepted undrained', 'ForcePauseNoDrain', [paused], [status({ drainStatus: 'NotInitiated', runningRoles: ['VM1'] })], { drained: false, allowedBy: 'ForcePauseNoDrain', runningRoles: ['VM1'] }, 1],
    ['ForcePauseNoDrain: a node still Up with no drain is sent the suspend again', 'ForcePauseNoDrain', [paused], [status({ clusterNodeState: 'Up', drainStatus: 'NotInitiated' }), status({ drainStatus: 'NotInitiated' })], { drained: false, allowedBy: 'ForcePauseNoDrain', runningRoles: [] }, 2],
    ['ForcePauseNoDrain: a failed drain of a paused node is accepted too', 'ForcePauseNoDrain', [paused], [status({ drainStatus: 'Failed', runningRoles: ['VM1'] })], { drained: false, allowedBy: 'ForcePauseNoDrain', runningRoles: ['VM1'] }, 1],
    ['ForcePauseDrainAndReboot: a drain still going is waited for', 'ForcePauseDrainAndReboot', [paused], [status({ drainStatus: 'InProgress', runningRoles: ['VM1'] }), status()], { drained: true }, 2],
    ['ForcePauseDrainAndReboot: the drain fails, the node stays paused: accepted', 'ForcePauseDrainAndReboot', [paused], [status({ drainStatus: 'Failed', runningRoles: ['VM1'] })], { drained: false, allowedBy: 'ForcePauseDrainAndReboot', runningRoles: ['VM1'] }, 1],
    ['ForcePauseDrainAndReboot: the drain fails and the node is Up again: abandoned', 'ForcePauseDrainAndReboot', [paused], [status({ clusterNodeState: 'Up', drainStatus: 'Failed', runningRoles: ['VM1'] })], 'DrainFailed', 3],
    ['ForcePauseDrainAndReboot: the suspend refused with DRAIN_FAILED, the node paused with its drain failed: accepted', 'ForcePauseDrainAndReboot', [{ fail: 'DRAIN_FAILED' }], [status({ drainStatus: 'Failed', runningRoles: ['VM2'] })], { drained: false, allowedBy: 'ForcePauseDrainAndReboot', runningRoles: ['VM2'] }, 1],
    ['ForcePauseDrainAndReboot: refused with DRAIN_FAILED but the drain not Failed: abandoned', 'ForcePauseDrainAndReboot', [{ fail: 'DRAIN_FAILED' }], [status({ drainStatus: 'InProgress' })], 'DrainFailed', 2],
    ['ForcePauseDrainAndReboot: refused with DRAIN_FAILED, the node Up: abandoned', 'ForcePauseDrainAndReboot', [{ fail: 'DRAIN_FAILED' }], [status({ clusterNodeState: 'Up', drainStatus: 'Failed' })], 'DrainFailed', 2],
    ['ForcePauseDrainAndReboot: a refusal other than the drain is not its to accept', 'ForcePauseDrainAndReboot', [{ fail: 'SCRIPT_ERROR' }], [status({ drainStatus: 'Failed' })], 'SuspendFailed', 1],
    ['ForcePauseDrainAndReboot: a drain that only timed out is abandoned', 'ForcePauseDrainAndReboot', [paused], [status({ drainStatus: 'InProgress', runningRoles: ['VM1'] })], 'DrainFailed', -1],
    ['ForcePauseDrainAndReboot: a drain Completed with a role still running is no failed drain: abandoned', 'ForcePauseDrainAndReboot', [paused], [status({ runningRoles: ['VM1'] })], 'DrainFailed', 2],
  ])('%s', async (_name, allowUndrained, suspend, nodeStatus, expected, reads) => {
    const h = harness({ ...gateScript, 'suspend-node': suspend, 'get-node-status': nodeStatus, 'resume-node': [{ ok: { state: 'Up' } }] });
    let result: Outcome;
    try {
      result = await gateAndSuspend(h.ctx, 'N1', { ...suspendOptions(seen()), allowUndrained });
    } catch (error) {
      if (!(error instanceof StepFailure)) throw error;
      result = error.code;
    }
    expect(result).toStrictEqual(expected);
    if (typeof expected === 'object' && !expected.drained) {
      expect(h.records()).toEqual([
        { type: 'step', node: 'N1', attempt: 1, step: 'suspend-requested' },
        { type: 'step', node: 'N1', attempt: 1, step: 'suspended-undrained', allowedBy: expected.allowedBy, runningRoles: expected.runningRoles },
      ]);
    }
    if (typeof expected === 'string') expect(h.steps()).toEqual(['suspend-requested', 'drain-failed', 'resume-requested', 'resumed']);
    if (reads >= 0) expect(callsOf(h, 'get-node-status')).toHaveLength(reads);
  });
});

describe('restartAndAwaitBoot: records, parameters and waits', () => {
  const back = status({ lastBootUpTime: 'boot-1' });
  const accepted = { scheduled: true, bootType: 'SoftReboot', servicesBeforeRestart: ['ClusSvc', 'vmms'] };
  const options = { attempt: 2, round: 3, source: 'failure' as const, soft: true, rebootTimeoutMinutes: 15, clusterRunning: true, gate: null };

  it('records the boot time before, what was running, and how long the node took; returns the kind of restart', async () => {
    const h = harness({ 'restart-node': [{ ok: accepted }], 'get-node-status': [status(), status(), status(), back] });
    expect(await restartAndAwaitBoot(h.ctx, 'N1', options)).toStrictEqual({ bootType: 'SoftReboot', bootTime: 'boot-1', rebootSeconds: 7 });
    expect(h.records()).toEqual([
      { type: 'step', node: 'N1', attempt: 2, step: 'restart-requested', round: 3, bootBefore: 'boot-0', source: 'failure' },
      { type: 'step', node: 'N1', attempt: 2, step: 'restart-issued', round: 3, servicesBefore: ['ClusSvc', 'vmms'], bootType: 'SoftReboot' },
      { type: 'step', node: 'N1', attempt: 2, step: 'node-back', round: 3, source: 'failure', bootTime: 'boot-1', rebootSeconds: 7 },
    ]);
    const [sent] = callsOf(h, 'restart-node');
    expect([sent!.node, sent!.params, sent!.options]).toStrictEqual(['N1', { soft: true, delaySeconds: 5 }, { retry: false }]);
    // The wait asks once per poll (5 s apart), never through the gateway's retries, with a heartbeat each time.
    expect(callsOf(h, 'get-node-status').slice(2).map((c) => c.options)).toEqual([{ retry: false }, { retry: false }]);
    expect(h.beats()).toBe(1);
  });

  it.each([
    ['marks it fallen back (KSR refused when it ran): the FullReboot it did', true, 'FullReboot'],
    ['leaves no mark: the SoftReboot scheduled', false, 'SoftReboot'],
  ])('a soft restart whose node, once back, %s', async (_case, fellBack, bootType) => {
    const h = harness({ 'restart-node': [{ ok: { ...accepted, softBootStatus: 'Enabled' } }], 'get-node-status': [status(), status(), status({ lastBootUpTime: 'boot-1', softRestartFellBack: fellBack })] });
    expect(await restartAndAwaitBoot(h.ctx, 'N1', options)).toMatchObject({ bootType, bootTime: 'boot-1' });
    // Journaled too, so that a run resumed after node-back still reports the restart the node did.
    const back = h.records().find((r) => r.step === 'node-back');
    expect(back?.softRestartFellBack).toBe(fellBack ? true : undefined);
  });

  it('a full restart is a FullReboot whatever mark an earlier soft one left', async () => {
    const h = harness({ 'restart-node': [{ ok: { ...accepted, bootType: 'FullReboot', softBootStatus: 'NotEnabled' } }], 'get-node-status': [status(), status(), status({ lastBootUpTime: 'boot-1', softRestartFellBack: true })] });
    expect(await restartAndAwaitBoot(h.ctx, 'N1', { ...options, soft: false })).toMatchObject({ bootType: 'FullReboot' });
  });

  it.each([
    [true, 'SoftReboot'],
    [false, 'FullReboot'],
  ])('a lost reply to a restart (soft: %s) is taken for a %s', async (soft, bootType) => {
    const h = harness({ 'restart-node': ['lost'], 'get-node-status': [status(), status(), back] });
    expect(await restartAndAwaitBoot(h.ctx, 'N1', { ...options, soft })).toMatchObject({ bootType });
  });

  it('the cluster stopped (offline update): no drained check, the node is restarted with its roles', async () => {
    const h = harness({ 'restart-node': [{ ok: accepted }], 'get-node-status': [status({ runningRoles: ['VM1'], clusterNodeState: 'Up' }), back] });
    expect(await failureText(restartAndAwaitBoot(h.ctx, 'N1', { ...options, clusterRunning: false }))).toBe('ok');
    expect(callsOf(h, 'get-node-status')).toHaveLength(2);
  });

  it('under a force switch a paused node still running its roles is restarted', async () => {
    const h = harness({ 'restart-node': [{ ok: accepted }], 'get-node-status': [status({ runningRoles: ['VM1'], drainStatus: 'Failed' }), status({ runningRoles: ['VM1'] }), back] });
    expect(await failureText(restartAndAwaitBoot(h.ctx, 'N1', { ...options, allowUndrained: 'ForcePauseDrainAndReboot' }))).toBe('ok');
  });

  it('the restart gate is passed first: another node down holds the restart, nothing is sent', async () => {
    const gate = { requireAllNodesOnline: false, storageTimeoutMinutes: 1, ownResyncDebt: true };
    const h = harness({ 'restart-node': [{ ok: accepted }], 'get-node-status': [status(), back], 'get-cluster': [{ ok: cluster({ N1: 'Paused', N2: 'Down', N3: 'Up' }) }] });
    expect(await failureText(restartAndAwaitBoot(h.ctx, 'N1', { ...options, gate }))).toMatch(/^QuorumAtRisk reboot: /);
    expect(h.steps()).toEqual([]);
    const open = harness({ 'restart-node': [{ ok: accepted }], 'get-node-status': [status(), status(), back], 'get-cluster': [{ ok: cluster({ N1: 'Paused', N2: 'Up', N3: 'Up' }) }] });
    expect(await failureText(restartAndAwaitBoot(open.ctx, 'N1', { ...options, gate }))).toBe('ok');
    expect(open.gateway.calls[0]!.name).toBe('get-cluster');
  });

  it.each<[string, Reply[], string]>([
    ['still on its old boot time', [status()], 'the node has not restarted yet'],
    ['not answering', ['lost'], 'N1: the connection dropped'],
  ])('a node %s at the deadline: RebootTimeout with the last reading, polled up to the deadline and not beyond', async (_name, after, last) => {
    const h = harness({ 'restart-node': [{ ok: accepted }], 'get-node-status': (n) => (n < 2 ? status() : after[0]!) });
    expect(await failureText(restartAndAwaitBoot(h.ctx, 'N1', { ...options, rebootTimeoutMinutes: 1, soft: false }))).toBe(
      `RebootTimeout wait-node: N1 did not come back within RebootTimeoutMinutes (1 min): ${last}`,
    );
    // The wait starts when the restart is sent: a poll every 5 s (each read takes 1 s here), the last sleep cut to
    // the deadline, one read after it.
    const sent = callsOf(h, 'restart-node')[0]!.time;
    expect(h.clock.now() - sent).toBe(61_000);
    expect(callsOf(h, 'get-node-status').filter((c) => c.time > sent)).toHaveLength(11);
  });

  it('a refused password while waiting for the node ends the wait as it is', async () => {
    const h = harness({ 'restart-node': [{ ok: accepted }], 'get-node-status': (n) => (n < 2 ? status() : 'refused') });
    expect(await outcome(restartAndAwaitBoot(h.ctx, 'N1', options))).toBe('TRANSPORT_AUTH_REFUSED (exit 4)');
    expect(callsOf(h, 'get-node-status')).toHaveLength(3);
  });
});

describe('installViaTask: what is sent, what is journaled, the deadline', () => {
  const script = { version: '1.0', scan: 'scan.ps1 text', install: 'install.ps1 text', installTimeoutMinutes: 2 };
  const base = { attempt: 3, resume: false, requireDrained: true, journaled: true };

  it('the task carries the plug-in, its arguments, the mode, the updates and the taskId; records name the round, task and plug-in', async () => {
    const h = harness({ 'start-update-task': [{ ok: { taskId: 't1', alreadyStarted: false } }], 'wait-update-task': [done('Completed')], 'get-node-status': [status()] });
    const t: TaskSpec = { ...task, spec: { plugin: 'Microsoft.HotfixPlugin', arguments: { HotfixRootFolderPath: '\\\\fs\\hotfix' } }, round: 2, pluginIndex: 1, mode: 'Download' };
    expect(await installViaTask(h.ctx, 'N1', t, base)).toEqual(done('Completed').ok);
    const [start] = callsOf(h, 'start-update-task');
    expect([start!.node, start!.params]).toStrictEqual(['N1', { plugin: 'Microsoft.HotfixPlugin', arguments: { HotfixRootFolderPath: '\\\\fs\\hotfix' }, mode: 'Download', updateIds: ['u1'], taskId: 't1' }]);
    const [wait] = callsOf(h, 'wait-update-task');
    expect(wait!.params).toEqual({ taskId: 't1', timeoutSeconds: 60 });
    // Retried through a lost connection up to the task's own deadline (4 h), not the gateway's.
    expect(wait!.options).toEqual({ retry: { untilMs: start!.time + 4 * 60 * 60_000 } });
    expect(h.records()).toEqual([
      { type: 'step', node: 'N1', attempt: 3, step: 'task-started', round: 2, taskId: 't1', pluginIndex: 1 },
      { type: 'step', node: 'N1', attempt: 3, step: 'task-finished', round: 2, taskId: 't1', state: 'Completed', results: done('Completed').ok.results },
    ]);
  });

  it("a script plug-in's install.ps1 travels with the task; past its manifest's installTimeoutMinutes the run says so and waits on", async () => {
    const notices: Array<{ code: string; node: string; message: string; at: number }> = [];
    const h = harness({ 'start-update-task': [{ ok: { taskId: 't1', alreadyStarted: false } }], 'wait-update-task': (call) => (call < 150 ? done('Running') : done('Completed')), 'get-node-status': [status()] });
    const start = h.clock.now();
    const ctx = { ...h.ctx, notice: (w: { code: string; node: string; message: string }) => notices.push({ ...w, at: h.clock.now() - start }) };
    const result = await installViaTask(ctx, 'N1', { ...task, spec: { plugin: 'Contoso.Firmware', arguments: {}, script } }, base);
    expect(result.state).toBe('Completed');
    expect(callsOf(h, 'start-update-task')[0]!.params).toMatchObject({ pluginScript: 'install.ps1 text' });
    expect(notices.map((n) => [n.code, n.node])).toStrictEqual([['InstallOverdue', 'N1']]);
    expect(notices[0]!.at).toBeGreaterThanOrEqual(2 * 60_000);
    expect(notices[0]!.at).toBeLessThan(3 * 60_000);
    expect(notices[0]!.message).toBe(
      "The install on N1 has run past its limit of 2 min and is still running: N1 stays drained and paused until it ends, so that nothing it installs runs under load or is cut by a restart. The Task Scheduler ends it at 12 hours; to end it sooner, stop it on N1 (Stop-ScheduledTask -TaskPath '\\cauctl\\' -TaskName 'cauctl-t1') and the run reads it as failed.",
    );
  });

  it('a download past its limit is left running and counted as failed (the install downloads again); each long poll asks for no more than what is left', async () => {
    const notices: unknown[] = [];
    const h = harness({ 'start-update-task': [{ ok: { taskId: 't1', alreadyStarted: false } }], 'wait-update-task': [done('Running')], 'get-node-status': [status()] });
    const start = h.clock.now();
    const result = await installViaTask({ ...h.ctx, notice: (w) => notices.push(w) }, 'N1', { ...task, mode: 'Download' }, { ...base, requireDrained: false, timeoutMs: 2 * 60_000 });
    expect(result).toMatchObject({ state: 'Failed', message: 'the task ran longer than 2 min' });
    expect(h.clock.now() - start).toBeGreaterThanOrEqual(2 * 60_000);
    expect(h.clock.now() - start).toBeLessThan(3 * 60_000);
    const polls = callsOf(h, 'wait-update-task').map((c) => (c.params as { timeoutSeconds: number }).timeoutSeconds);
    expect(polls[0]).toBe(60);
    expect(Math.min(...polls)).toBeLessThan(60);
    expect(h.beats()).toBe(polls.length - 1);
    expect(notices).toStrictEqual([]);
  });

  const paused = 'ForcePauseNoDrain' as const;
  it.each<[string, 'Install' | 'PreInstall', Partial<TaskOptions>, string]>([
    ['a drained node', 'Install', { requireDrained: true }, 'The install on N1 has run past its limit of 30 min and is still running: N1 stays drained and paused until it ends'],
    ['a node paused undrained by a force switch', 'Install', { requireDrained: true, allowUndrained: paused }, 'The install on N1 has run past its limit of 30 min and is still running: N1 stays paused until it ends'],
    ['a stopped cluster (offline-update)', 'Install', { requireDrained: false, clusterStopped: true }, 'The install on N1 has run past its limit of 30 min and is still running: the cluster stays stopped and N1 is not restarted until it ends'],
    ['a standalone server', 'Install', { requireDrained: false }, 'The install on N1 has run past its limit of 30 min and is still running: N1 is not restarted until it ends'],
    ['a serving node', 'PreInstall', { requireDrained: false }, "The pre-install on N1 has run past its limit of 30 min and is still running: the run waits for it before N1's maintenance window, so that no second install starts beside it"],
  ])('an install on %s (%s) is never left behind: waited for past its limit (said once), its own result taken', async (_what, mode, options, said) => {
    const notices: Array<{ code: string; message: string }> = [];
    // Each call is a minute-long poll; the task ends after 5 hours.
    const h = harness({ 'start-update-task': [{ ok: { taskId: 't1', alreadyStarted: false } }], 'wait-update-task': (call) => (call < 300 ? done('Running') : done('Completed')), 'get-node-status': [status()] }, 60_000);
    const result = await installViaTask({ ...h.ctx, notice: (w) => notices.push(w) }, 'N1', { ...task, mode }, { ...base, ...options, timeoutMs: 30 * 60_000 });
    expect(result.state).toBe('Completed');
    expect(notices.map((n) => n.code)).toStrictEqual(['InstallOverdue']);
    expect(notices[0]!.message.startsWith(said)).toBe(true);
    expect(h.records().map((r) => r.step)).toStrictEqual(['task-started', 'task-finished']);
  });

  it("an install still running at the Task Scheduler's 12 hours (and a quarter) is counted as failed", async () => {
    const h = harness({ 'start-update-task': [{ ok: { taskId: 't1', alreadyStarted: false } }], 'wait-update-task': [done('Running')], 'get-node-status': [status()] }, 60_000);
    const start = h.clock.now();
    const result = await installViaTask(h.ctx, 'N1', task, { ...base, timeoutMs: 30 * 60_000 });
    expect(result).toMatchObject({ state: 'Failed', message: 'the task ran longer than 735 min' });
    // (the drained check and the start take a minute each on this fake gateway, before the wait)
    expect(h.clock.now() - start).toBeGreaterThanOrEqual(735 * 60_000);
    expect(h.clock.now() - start).toBeLessThanOrEqual(738 * 60_000);
  });

  it("a built-in plug-in's install without timeoutMs is overdue after four hours", async () => {
    const notices: Array<{ message: string; at: number }> = [];
    const h = harness({ 'start-update-task': [{ ok: { taskId: 't1', alreadyStarted: false } }], 'wait-update-task': (call) => (call < 300 ? done('Running') : done('Completed')), 'get-node-status': [status()] }, 60_000);
    const start = h.clock.now();
    expect((await installViaTask({ ...h.ctx, notice: (w) => notices.push({ message: w.message, at: h.clock.now() - start }) }, 'N1', task, base)).state).toBe('Completed');
    expect(notices).toHaveLength(1);
    expect(notices[0]!.message).toContain('past its limit of 240 min');
    expect(notices[0]!.at).toBeGreaterThanOrEqual(4 * 60 * 60_000);
    expect(notices[0]!.at).toBeLessThan(4 * 60 * 60_000 + 5 * 60_000);
  });

  it("each long poll asks for the seconds left, rounded up (a download's limit is its deadline)", async () => {
    const h = harness({ 'start-update-task': [{ ok: { taskId: 't1', alreadyStarted: false } }], 'wait-update-task': [done('Running')], 'get-node-status': [status()] });
    await installViaTask(h.ctx, 'N1', { ...task, mode: 'Download' }, { ...base, requireDrained: false, timeoutMs: 1_500 });
    // 1.5 s left, then 0.5 s (each call takes 1 s on the fake gateway).
    expect(callsOf(h, 'wait-update-task').map((c) => c.params)).toEqual([
      { taskId: 't1', timeoutSeconds: 2 },
      { taskId: 't1', timeoutSeconds: 1 },
    ]);
  });

  it.each<[string, Partial<typeof base>, Reply[], string, string[], number]>([
    // name, options, wait replies, final state, records, status reads
    ['not journaled (a download ahead of the drain): no records', { journaled: false }, [done('Completed')], 'Completed', [], 1],
    ['no drained check asked (the cluster is stopped): the node is not read', { requireDrained: false }, [done('Completed')], 'Completed', ['task-started', 'task-finished'], 0],
    ['resumed: the task is not started again, only waited for', { resume: true }, [done('Completed')], 'Completed', ['task-finished'], 0],
    ['resumed and the task failed: its results as they are', { resume: true }, [done('Failed')], 'Failed', ['task-finished'], 0],
    ['resumed and the task is not found: it never started, nothing was installed', { resume: true }, [{ ok: { state: 'NotFound', results: [], rebootRequired: false } }], 'Completed', ['task-finished'], 0],
    ['not resumed and the task is not found: NotFound', {}, [{ ok: { state: 'NotFound', results: [], rebootRequired: false } }], 'NotFound', ['task-started', 'task-finished'], 1],
  ])('%s', async (_name, over, wait, state, records, reads) => {
    const h = harness({ 'start-update-task': [{ ok: { taskId: 't1', alreadyStarted: false } }], 'wait-update-task': wait, 'get-node-status': [status()] });
    const result = await installViaTask(h.ctx, 'N1', task, { ...base, ...over });
    expect(result.state).toBe(state);
    // What the node said, unless the task was never found on resume.
    if ((wait[0] as { ok: { state: string } }).ok.state !== 'NotFound') expect(result).toEqual((wait[0] as { ok: unknown }).ok);
    if (state === 'Completed' && over.resume === true && wait[0] !== undefined && (wait[0] as { ok: { state: string } }).ok.state === 'NotFound') expect(result).toEqual({ state: 'Completed', results: [], rebootRequired: false });
    expect(h.steps()).toEqual(records);
    expect(callsOf(h, 'start-update-task')).toHaveLength(over.resume === true ? 0 : 1);
    expect(callsOf(h, 'get-node-status')).toHaveLength(reads);
  });

  it('under a force switch a paused node still running its roles is installed on', async () => {
    const h = harness({ 'start-update-task': [{ ok: { taskId: 't1', alreadyStarted: false } }], 'wait-update-task': [done('Completed')], 'get-node-status': [status({ runningRoles: ['VM1'], drainStatus: 'NotInitiated' })] });
    expect((await installViaTask(h.ctx, 'N1', task, { ...base, allowUndrained: 'ForcePauseNoDrain' })).state).toBe('Completed');
  });
});

describe('scanNode and scanNodePlugin: each plug-in in order, each update tagged', () => {
  it('asks each plug-in with its arguments (a script plug-in with its scan.ps1), and tags what each offers', async () => {
    const h = harness({ 'scan-updates': (n) => ({ ok: { updates: [{ updateId: `u${n}`, title: `t${n}`, kb: `KB${n}`, rebootRequired: n === 0 }] } }) });
    const script = { version: '1.0', scan: 'scan.ps1 text', install: 'install.ps1 text', installTimeoutMinutes: 2 };
    const found = await scanNode(h.ctx.gateway, 'N1', [
      { plugin: 'Microsoft.WindowsUpdatePlugin', arguments: { IncludeRecommendedUpdates: 'True' } },
      { plugin: 'Contoso.Firmware', arguments: { Channel: 'stable' }, script },
    ]);
    expect(found).toEqual([
      { updateId: 'u0', title: 't0', kb: 'KB0', rebootRequired: true, plugin: 'Microsoft.WindowsUpdatePlugin' },
      { updateId: 'u1', title: 't1', kb: 'KB1', rebootRequired: false, plugin: 'Contoso.Firmware' },
    ]);
    expect(callsOf(h, 'scan-updates').map((c) => [c.node, c.params])).toStrictEqual([
      ['N1', { plugin: 'Microsoft.WindowsUpdatePlugin', arguments: { IncludeRecommendedUpdates: 'True' } }],
      ['N1', { plugin: 'Contoso.Firmware', arguments: { Channel: 'stable' }, pluginScript: 'scan.ps1 text' }],
    ]);
  });
});

describe('resumeNode and resumeWhenBack', () => {
  it('a node no longer Paused is not resumed again, and both records are written', async () => {
    const h = harness({ 'get-node-status': [status({ clusterNodeState: 'Up' })], 'resume-node': [{ ok: { state: 'Up' } }] });
    await resumeNode(h.ctx, 'N1', 4, 'Immediate');
    expect(callsOf(h, 'resume-node')).toHaveLength(0);
    expect(h.records()).toEqual([
      { type: 'step', node: 'N1', attempt: 4, step: 'resume-requested' },
      { type: 'step', node: 'N1', attempt: 4, step: 'resumed' },
    ]);
  });

  it('the resume goes to the cluster, naming the node and the failback', async () => {
    const h = harness({ 'get-node-status': [status()], 'resume-node': [{ ok: { state: 'Up' } }] });
    await resumeNode(h.ctx, 'N1', 1, 'Policy');
    expect(callsOf(h, 'resume-node').map((c) => [c.node, c.params])).toEqual([['C1', { name: 'N1', failback: 'Policy' }]]);
  });

  it('resumeWhenBack: a refusal that is not a lost connection is not waited out', async () => {
    const h = harness({ 'get-node-status': [status()], 'resume-node': [{ fail: 'SCRIPT_ERROR' }, { ok: { state: 'Up' } }] });
    expect(await outcome(resumeWhenBack(h.ctx, 'N1', 1, 'NoFailback', 30))).toBe('OPERATION_FAILED (exit 3)');
    expect(callsOf(h, 'resume-node')).toHaveLength(1);
  });

  it('resumeWhenBack: a node away is asked every 5 s (with a heartbeat) until the deadline, not beyond', async () => {
    const h = harness({ 'get-node-status': ['lost'], 'resume-node': [{ ok: { state: 'Up' } }] });
    const start = h.clock.now();
    expect(await outcome(resumeWhenBack(h.ctx, 'N1', 1, 'NoFailback', 30))).toBe('TRANSPORT_UNREACHABLE (exit 4)');
    // The gateway's own retries last 10 min per call here; the deadline is 30 min: given up within a call of it.
    expect(h.clock.now() - start).toBeGreaterThanOrEqual(30 * 60_000);
    expect(h.clock.now() - start).toBeLessThan(35 * 60_000);
    expect(h.beats()).toBeGreaterThan(0);
  });

  it('resumeWhenBack: a node back just as the wait gives up is looked at once more, with no retry, and resumed', async () => {
    // Away through every try of the wait, whose last one begins before the deadline and ends past it; back (and
    // Paused, as Windows brings back a node that went down paused) for a single look made after that.
    const h = harness({ 'get-node-status': (_call, _params, options) => (options?.retry === false ? status() : 'lost'), 'resume-node': [{ ok: { state: 'Up' } }] });
    const start = h.clock.now();
    await resumeWhenBack(h.ctx, 'N1', 1, 'NoFailback', 30);
    expect(callsOf(h, 'resume-node')).toHaveLength(1);
    expect(callsOf(h, 'get-node-status').at(-1)!.time - start).toBeGreaterThan(30 * 60_000);
    expect(h.steps().at(-1)).toBe('resumed');
  });
});

describe('guardNativeCau and restoreSelfUpdating: every reply (the simulator runs them whole in native-cau.test.ts)', () => {
  const view = (node: string, over: Partial<NativeCauView> = {}): { ok: NativeCauView } => ({ ok: { node, runInProgress: false, orchestratorGuid: null, providerPresent: true, role: null, ...over } });
  const role = (state: CauRoleGroup['state'], groupName = 'CAUG'): CauRoleGroup => ({ groupName, state, ownerNode: 'N2' });
  const held = (previousState: CauRoleGroup['state'], groupName = 'CAUG') => JSON.stringify({ version: 1, groupName, previousState, heldAt: '2026-01-01T00:00:00.000Z' });
  /** Replies per node of the latest call (each node's list repeats its last reply). */
  function perNode(h: () => Harness, replies: Record<string, Reply[]>): (call: number) => Reply {
    return () => {
      const node = h().gateway.calls.at(-1)!.node;
      const list = replies[node] ?? [];
      const asked = h().gateway.calls.filter((c) => c.node === node && c.name === 'get-native-cau').length - 1;
      return list[Math.min(asked, list.length - 1)]!;
    };
  }
  function guarded(views: Record<string, Reply[]>, over: Partial<Record<OperationName, Reply[]>> = {}, states: Record<string, 'Up' | 'Paused' | 'Down'> = { N1: 'Up', N2: 'Paused', N3: 'Down' }) {
    const h: Harness = harness({ 'get-native-cau': perNode(() => h, views), 'get-cluster-property': [{ ok: { value: null } }], 'set-cluster-property': [{ ok: { applied: true, current: null } }], 'hold-cau-role': [{ ok: role('Offline') }], ...over });
    return { h, run: () => failureText(guardNativeCau(h.ctx, 'N1', cluster(states))) };
  }
  const noRun = { N1: [view('N1')], N2: [view('N2')], N3: [view('N3')] };

  it('asks every Up or Paused node at once: the node to drain through the retries, the others once; a Down node is not asked', async () => {
    const { h, run } = guarded({ N1: ['lost', view('N1')], N2: ['lost', view('N2')], N3: [view('N3')] });
    expect(await run()).toBe('ok');
    // N2 is asked before N1's retry: the reads do not wait for each other.
    expect(callsOf(h, 'get-native-cau').map((c) => [c.node, c.params, c.options])).toStrictEqual([
      ['N1', {}, {}],
      ['N2', {}, { retry: false }],
      ['N1', {}, {}],
    ]);
    // No role anywhere: nothing held, nothing written.
    expect(callsOf(h, 'set-cluster-property')).toHaveLength(0);
    expect(callsOf(h, 'hold-cau-role')).toHaveLength(0);
  });

  it('another node refusing the credentials is not skipped: the gate fails', async () => {
    const { run } = guarded({ N1: [view('N1')], N2: ['refused'] });
    expect(await run()).toBe('TRANSPORT_AUTH_REFUSED: N2 refused the credentials');
  });

  it('every node is read before a failure is reported, and the first one in the cluster order is the one reported', async () => {
    const { h, run } = guarded({ N1: [view('N1')], N2: [{ fail: 'NATIVE_CAU_UNREADABLE' }], N3: ['refused'], N4: [view('N4', { runInProgress: true, orchestratorGuid: 'G1' })] }, {}, { N1: 'Up', N2: 'Up', N3: 'Up', N4: 'Up' });
    expect(await run()).toBe('OPERATION_FAILED: get-native-cau on N2 failed: get-native-cau failed');
    expect(callsOf(h, 'get-native-cau').map((c) => c.node)).toStrictEqual(['N1', 'N2', 'N3', 'N4']);
    expect(callsOf(h, 'get-cluster-property')).toHaveLength(0);
  });

  it.each<[string, Record<string, Reply[]>, string]>([
    ['two nodes of one orchestrator', { N1: [view('N1', { runInProgress: true, orchestratorGuid: 'G1' })], N2: [view('N2', { runInProgress: true, orchestratorGuid: 'G1' })] }, 'C1 (orchestrator G1); MSFT_CAURun is present on N1, N2.'],
    ['a leftover without orchestrator', { N1: [view('N1')], N2: [view('N2', { runInProgress: true, orchestratorGuid: null })] }, 'C1; MSFT_CAURun is present on N2.'],
    ['two orchestrators', { N1: [view('N1', { runInProgress: true, orchestratorGuid: 'G1' })], N2: [view('N2', { runInProgress: true, orchestratorGuid: 'G2' })] }, 'C1 (orchestrator G1, G2); MSFT_CAURun is present on N1, N2.'],
  ])('a native run (%s) stops the gate, naming where, and nothing is held', async (_name, views, where) => {
    const { h, run } = guarded(views, {}, { N1: 'Up', N2: 'Up', N3: 'Down' });
    expect(await run()).toBe(
      `NativeCauRunInProgress drain: Not safe to drain N1: a native CAU Updating Run is in progress on ${where} cauctl never updates the cluster beside another coordinator. Wait for it (Get-CauRun -WaitForCompletion) or stop it (Stop-CauRun), then start cauctl run again; a leftover is cleared with Invoke-CauRun -ForceRecovery -Force.`,
    );
    expect(callsOf(h, 'get-cluster-property')).toHaveLength(0);
  });

  it('a group that cannot be taken offline: the failure keeps the reply as its cause', async () => {
    const { h } = guarded({ ...noRun, N1: [view('N1', { role: role('Online') })] }, { 'hold-cau-role': [{ fail: 'SCRIPT_ERROR' }] });
    const failure = await guardNativeCau(h.ctx, 'N1', cluster({ N1: 'Up', N2: 'Paused', N3: 'Down' })).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StepFailure);
    expect((failure as StepFailure).cause).toBeInstanceOf(OperationFailedError);
  });

  it('an Online role: the record is written first (compare-and-set on nothing), then the group taken Offline', async () => {
    const { h, run } = guarded({ ...noRun, N2: [view('N2', { role: role('Online') })] });
    expect(await run()).toBe('ok');
    const read = callsOf(h, 'get-cluster-property')[0]!;
    expect(h.gateway.calls.slice(-3).map((c) => [c.node, c.name, c.params])).toStrictEqual([
      ['C1', 'get-cluster-property', { name: 'CauctlRoleHold' }],
      ['C1', 'set-cluster-property', { name: 'CauctlRoleHold', value: JSON.stringify({ version: 1, groupName: 'CAUG', previousState: 'Online', heldAt: new Date(read.time).toISOString() }), expected: null }],
      ['C1', 'hold-cau-role', { groupName: 'CAUG', state: 'Offline' }],
    ]);
  });

  it.each<[string, Partial<Record<OperationName, Reply[]>>, CauRoleGroup | null, string, string[]]>([
    ['a record in place and the group still Offline: kept as it is', { 'get-cluster-property': [{ ok: { value: held('Online') } }] }, role('Offline'), 'ok', []],
    ['a record in place and the group brought back: taken Offline again, the record kept', { 'get-cluster-property': [{ ok: { value: held('Online') } }] }, role('Online'), 'ok', ['hold-cau-role']],
    ['a role disabled by its owner: nothing held', {}, role('Offline'), 'ok', []],
    ['the record written by someone else meanwhile', { 'set-cluster-property': [{ ok: { applied: false, current: held('Online', 'OTHER') } }] }, role('Online'), 'SelfUpdatingNotHeld drain: Not safe to drain N1: the record of the self-updating hold (CauctlRoleHold) changed while cauctl wrote it; another coordinator may be at work. Check with cauctl get-run, then start cauctl run again.', ['set-cluster-property']],
    ['the record removed by someone else meanwhile', { 'set-cluster-property': [{ ok: { applied: false, current: null } }] }, role('Online'), 'SelfUpdatingNotHeld drain: Not safe to drain N1: the record of the self-updating hold (CauctlRoleHold) changed while cauctl wrote it; another coordinator may be at work. Check with cauctl get-run, then start cauctl run again.', ['set-cluster-property']],
    ['the same record already there (a lost reply to our own write)', { 'set-cluster-property': [{ ok: { applied: false, current: held('Online') } }] }, role('Online'), 'ok', ['set-cluster-property', 'hold-cau-role']],
    ['an unreadable record', { 'get-cluster-property': [{ ok: { value: 'garbage' } }] }, role('Online'), 'SelfUpdatingNotHeld drain: Not safe to drain N1: the cluster property CauctlRoleHold holds a value cauctl cannot read, so the state of the CAU clustered role to restore is unknown. Check the role (cauctl get-role), remove the property (Set-ClusterParameter -Name CauctlRoleHold -Delete), and start cauctl run again.', []],
    ['the group cannot be taken offline', { 'hold-cau-role': [{ fail: 'SCRIPT_ERROR' }] }, role('Online'), 'SelfUpdatingNotHeld drain: Not safe to drain N1: the CAU clustered role CAUG could not be taken offline, so self-updating could start an Updating Run beside this one: hold-cau-role on C1 failed: hold-cau-role failed. Disable it yourself (cauctl disable-role), or fix the cause and start cauctl run again.', ['set-cluster-property', 'hold-cau-role']],
    ['the group stays Online after the stop', { 'hold-cau-role': [{ ok: role('Online') }] }, role('Online'), 'SelfUpdatingNotHeld drain: Not safe to drain N1: the CAU clustered role CAUG is Online after Stop-ClusterGroup, not Offline, so self-updating could start an Updating Run beside this one. Disable it yourself (cauctl disable-role), then start cauctl run again.', ['set-cluster-property', 'hold-cau-role']],
  ])('%s', async (_name, over, found, expected, writes) => {
    const { h, run } = guarded({ ...noRun, N1: [view('N1', { role: found })] }, over);
    expect(await run()).toBe(expected);
    expect(h.gateway.calls.filter((c) => c.name === 'set-cluster-property' || c.name === 'hold-cau-role').map((c) => c.name)).toEqual(writes);
  });

  function restore(over: Partial<Record<OperationName, Reply[]>>) {
    const h = harness({ 'get-cluster-property': [{ ok: { value: held('Online') } }], 'get-native-cau': [view('N2', { role: role('Offline') })], 'hold-cau-role': [{ ok: role('Online') }], 'set-cluster-property': [{ ok: { applied: true, current: null } }], ...over });
    return { h, run: () => restoreSelfUpdating(h.gateway, 'C1') };
  }

  it('restore: the group back Online, then the record removed (compare-and-set on what was read)', async () => {
    const { h, run } = restore({});
    expect(await run()).toBeNull();
    expect(h.gateway.calls.map((c) => [c.node, c.name, c.params])).toStrictEqual([
      ['C1', 'get-cluster-property', { name: 'CauctlRoleHold' }],
      ['C1', 'get-native-cau', {}],
      ['C1', 'hold-cau-role', { groupName: 'CAUG', state: 'Online' }],
      ['C1', 'set-cluster-property', { name: 'CauctlRoleHold', value: null, expected: held('Online') }],
    ]);
  });

  it.each<[string, Partial<Record<OperationName, Reply[]>>, string | null, OperationName[]]>([
    ['no record: nothing to do', { 'get-cluster-property': [{ ok: { value: null } }] }, null, ['get-cluster-property']],
    ['a role that was Offline before: only the record removed', { 'get-cluster-property': [{ ok: { value: held('Offline') } }] }, null, ['get-cluster-property', 'get-native-cau', 'set-cluster-property']],
    ['the role removed since: only the record removed', { 'get-native-cau': [view('N2')] }, null, ['get-cluster-property', 'get-native-cau', 'set-cluster-property']],
    ['the role replaced by another group: only the record removed', { 'get-native-cau': [view('N2', { role: role('Online', 'NEW') })] }, null, ['get-cluster-property', 'get-native-cau', 'set-cluster-property']],
    ['the record cannot be read', { 'get-cluster-property': [{ fail: 'SCRIPT_ERROR' }] }, 'The cluster property CauctlRoleHold could not be read, so a CAU clustered role this run may have held Offline was not checked: get-cluster-property on C1 failed: get-cluster-property failed. Check it with cauctl get-role; the next cauctl run or run --force-recovery restores it.', ['get-cluster-property']],
    ['an unreadable record: kept', { 'get-cluster-property': [{ ok: { value: 'garbage' } }] }, 'The cluster property CauctlRoleHold holds a value cauctl cannot read, so the CAU clustered role was not restored: check it with cauctl get-role, then remove the property (Set-ClusterParameter -Name CauctlRoleHold -Delete).', ['get-cluster-property']],
    ['the group does not come back Online: the record kept', { 'hold-cau-role': [{ ok: role('Failed') }] }, 'The CAU clustered role CAUG was held Offline during the run and did not come back Online (it is Failed): self-updating stays off until it does. Bring it online with Start-ClusterGroup -Name CAUG (or cauctl enable-role); the next cauctl run --force-recovery tries again.', ['get-cluster-property', 'get-native-cau', 'hold-cau-role']],
    ['the role cannot be read', { 'get-native-cau': [{ fail: 'SCRIPT_ERROR' }] }, 'The CAU clustered role held Offline during the run could not be restored: get-native-cau on C1 failed: get-native-cau failed. Self-updating stays off until it is: bring its group online with Start-ClusterGroup (or cauctl enable-role), or run cauctl run --force-recovery to try again.', ['get-cluster-property', 'get-native-cau']],
  ])('restore: %s', async (_name, over, expected, calls) => {
    const { h, run } = restore(over);
    expect(await run()).toBe(expected);
    expect(h.gateway.calls.map((c) => c.name)).toEqual(calls);
  });
});

describe('deadlines to the millisecond: calls that take no time, so only the steps\' own waits move the clock', () => {
  it('the restart gate: read at 0, 30 and 60 s of a one-minute deadline, then given up', async () => {
    const h = harness({ 'get-cluster': [{ ok: cluster({ N1: 'Paused', N2: 'Down', N3: 'Up' }) }], 'get-storage-health': [{ ok: healthy }] }, 0);
    const start = h.clock.now();
    expect(await outcome(awaitRestartGate(h.ctx, 'N1', { requireAllNodesOnline: false, storageTimeoutMinutes: 1, ownResyncDebt: false }))).toBe('QuorumAtRisk');
    expect(callsOf(h, 'get-cluster').map((c) => c.time - start)).toEqual([0, 30_000, 60_000]);
  });

  it('the drain gate: read at 0, 30 and 60 s of a one-minute deadline, then given up', async () => {
    const h = harness({ ...gateScript, 'get-cluster': [{ ok: cluster({ N1: 'Up', N2: 'Paused', N3: 'Up' }) }] }, 0);
    const start = h.clock.now();
    expect(await outcome(awaitDrainGate(h.ctx, 'N1', { requireAllNodesOnline: false, storageTimeoutMinutes: 1 }))).toBe('OtherNodePaused');
    expect(callsOf(h, 'get-cluster').map((c) => c.time - start)).toEqual([0, 30_000, 60_000]);
  });

  it('the boot wait: a poll every 5 s, the last wait cut short to end at the deadline', async () => {
    const h = harness({ 'restart-node': [{ ok: { scheduled: true, bootType: 'FullReboot', servicesBeforeRestart: [] } }], 'get-node-status': [status()] }, 0);
    const start = h.clock.now();
    expect(await outcome(restartAndAwaitBoot(h.ctx, 'N1', { attempt: 1, round: 1, source: 'round', soft: false, rebootTimeoutMinutes: 0.2, clusterRunning: true, gate: null }))).toBe('RebootTimeout');
    expect(callsOf(h, 'get-node-status').slice(2).map((c) => c.time - start)).toEqual([0, 5_000, 10_000, 12_000]);
  });

  it('resumeWhenBack: a try every 5 s, the last wait cut short to end at the deadline, then given up', async () => {
    const h = harness({ 'get-node-status': ['lost'] }, 0);
    // The gateway without its retries: each try fails at once.
    const ctx = { ...h.ctx, gateway: h.gateway };
    const start = h.clock.now();
    expect(await outcome(resumeWhenBack(ctx, 'N1', 1, 'NoFailback', 0.2))).toBe('TRANSPORT_UNREACHABLE (exit 4)');
    expect(callsOf(h, 'get-node-status').map((c) => c.time - start)).toEqual([0, 5_000, 10_000, 12_000]);
  });

  /** A long poll as the node answers it: after the seconds it was given (nothing changed meanwhile). */
  const longPoll = (h: () => Harness, reply: Reply) => (_n: number, params: unknown): Reply => {
    h().clock.t += (params as { timeoutSeconds: number }).timeoutSeconds * 1000;
    return reply;
  };

  it('the download wait: long polls up to the deadline exactly, then Failed', async () => {
    const h: Harness = harness({ 'start-update-task': [{ ok: { taskId: 't1', alreadyStarted: false } }], 'wait-update-task': longPoll(() => h, done('Running')), 'get-node-status': [status()] }, 0);
    const start = h.clock.now();
    expect(await installViaTask(h.ctx, 'N1', { ...task, mode: 'Download' }, { attempt: 1, resume: false, requireDrained: false, journaled: false, timeoutMs: 90_000 })).toMatchObject({ state: 'Failed' });
    expect(h.clock.now() - start).toBe(90_000);
    expect(callsOf(h, 'wait-update-task').map((c) => (c.params as { timeoutSeconds: number }).timeoutSeconds)).toEqual([60, 30]);
  });

  it("the install wait: long polls up to the Task Scheduler's limit and a quarter hour exactly, then Failed", async () => {
    const h: Harness = harness({ 'start-update-task': [{ ok: { taskId: 't1', alreadyStarted: false } }], 'wait-update-task': longPoll(() => h, done('Running')), 'get-node-status': [status()] }, 0);
    const start = h.clock.now();
    expect(await installViaTask(h.ctx, 'N1', task, { attempt: 1, resume: false, requireDrained: true, journaled: false, timeoutMs: 90_000 })).toMatchObject({ state: 'Failed' });
    expect(h.clock.now() - start).toBe((12 * 60 + 15) * 60_000);
  });

  it('the storage wait: long polls up to the deadline exactly, then the verdict', async () => {
    const h: Harness = harness({ 'wait-storage-healthy': longPoll(() => h, { ok: { ...degraded, healthy: false, waitedSeconds: 60 } }) }, 0);
    const start = h.clock.now();
    expect(await awaitHealthyStorage(h.ctx, 1.5)).toMatchObject({ healthy: false });
    expect(h.clock.now() - start).toBe(90_000);
  });

  it('the drain gate: storage long-polled up to the deadline exactly, then StorageNotHealthy', async () => {
    const h: Harness = harness({ ...gateScript, 'wait-storage-healthy': longPoll(() => h, { ok: { ...degraded, healthy: false, waitedSeconds: 60 } }) }, 0);
    const start = h.clock.now();
    expect(await outcome(awaitDrainGate(h.ctx, 'N1', { requireAllNodesOnline: false, storageTimeoutMinutes: 1.5 }))).toBe('StorageNotHealthy');
    expect(h.clock.now() - start).toBe(90_000);
  });

  it('a suspend refused for degraded storage is sent again only before the drain deadline', async () => {
    // Each refusal takes 5 s: refused at 5, 10 and 15 s of a 15 s deadline; the third is the last.
    const h: Harness = harness({ ...gateScript, 'suspend-node': () => ((h.clock.t += 5_000), { fail: 'CLUSTER_SPACE_DEGRADED' }), 'get-node-status': [status()], 'resume-node': [{ ok: { state: 'Up' } }] }, 0);
    expect(await outcome(gateAndSuspend(h.ctx, 'N1', { ...suspendOptions({ paused: [], resumed: [] }), drainTimeoutMinutes: 0.25 }))).toBe('SuspendFailed');
    expect(callsOf(h, 'suspend-node')).toHaveLength(3);
  });

  it('a node silent until the drain deadline: DrainFailed at the deadline exactly, not a transport error', async () => {
    const h: Harness = harness({ ...gateScript, 'suspend-node': [{ ok: { state: 'Paused', drainStatus: 'InProgress' } }], 'get-node-status': () => (h.steps().includes('drain-failed') ? status({ drainStatus: 'InProgress' }) : 'lost'), 'resume-node': [{ ok: { state: 'Up' } }] }, 0);
    // The read's retries end at the deadline exactly (their waits are cut to it); the reads after are the resume's.
    expect(await outcome(gateAndSuspend(h.ctx, 'N1', { ...suspendOptions({ paused: [], resumed: [] }), drainTimeoutMinutes: 0.25 }))).toBe('DrainFailed');
    expect(h.records()[1]).toMatchObject({ step: 'drain-failed', drainStatus: 'Unknown' });
  });

  it('the drain wait: a read every 5 s, the last one at the deadline', async () => {
    const h = harness({ ...gateScript, 'suspend-node': [{ ok: { state: 'Paused', drainStatus: 'InProgress' } }], 'get-node-status': [status({ drainStatus: 'InProgress' })], 'resume-node': [{ ok: { state: 'Up' } }] }, 0);
    expect(await outcome(gateAndSuspend(h.ctx, 'N1', { ...suspendOptions({ paused: [], resumed: [] }), drainTimeoutMinutes: 0.25 }))).toBe('DrainFailed');
    const sent = callsOf(h, 'suspend-node')[0]!.time;
    // The reads of the drain; the last read is the resume's own check.
    expect(callsOf(h, 'get-node-status').slice(0, -1).map((c) => c.time - sent)).toEqual([0, 5_000, 10_000, 15_000]);
  });
});

describe('awaitHealthyStorage: the storage wait', () => {
  const waited = (view: StorageHealth, ok: boolean): { ok: unknown } => ({ ok: { ...view, healthy: ok, waitedSeconds: 60 } });
  const repairing = (processed: number): StorageHealth => ({ ...healthy, jobs: [{ name: 'Repair', jobState: 'Running', bytesProcessed: processed, bytesTotal: 200, percentComplete: 0 }, { name: 'Old', jobState: 'Completed', bytesProcessed: 5, bytesTotal: 5, percentComplete: 100 }] });

  it('long-polls the cluster within its deadline (retried up to it), telling the repair progress after each poll', async () => {
    const h = harness({ 'wait-storage-healthy': [waited(repairing(50), false), waited(repairing(150), false), waited(healthy, true)] });
    const progress: RepairProgress[] = [];
    expect(await awaitHealthyStorage(h.ctx, 5, (p) => progress.push(p))).toEqual({ healthy: true });
    expect(progress).toEqual([
      { percentComplete: 25, bytesLeft: 150 },
      { percentComplete: 75, bytesLeft: 50 },
    ]);
    const calls = callsOf(h, 'wait-storage-healthy');
    expect(calls.map((c) => [c.node, c.params])).toEqual([
      ['C1', { timeoutSeconds: 60, pollSeconds: 5 }],
      ['C1', { timeoutSeconds: 60, pollSeconds: 5 }],
      ['C1', { timeoutSeconds: 60, pollSeconds: 5 }],
    ]);
    expect(calls[0]!.options).toEqual({ retry: { untilMs: calls[0]!.time - 1000 + 5 * 60_000 } });
    expect(h.beats()).toBe(2);
  });

  it('a short deadline: each poll asks for the seconds left, rounded up; unhealthy at the deadline is returned, not thrown', async () => {
    const h = harness({ 'wait-storage-healthy': [waited(repairing(50), false)] });
    const verdict = await awaitHealthyStorage(h.ctx, 2.5 / 60);
    expect(verdict).toMatchObject({ healthy: false });
    expect(callsOf(h, 'wait-storage-healthy').map((c) => (c.params as { timeoutSeconds: number }).timeoutSeconds)).toEqual([3, 2, 1]);
  });

  it('no running repair (a disk degraded): no progress to tell', async () => {
    const degradedDisk: StorageHealth = { ...healthy, virtualDisks: [{ friendlyName: 'V1', healthStatus: 'Warning', operationalStatus: 'Degraded', isOnline: true }] };
    const h = harness({ 'wait-storage-healthy': [waited(degradedDisk, false), waited(healthy, true)] });
    const progress: RepairProgress[] = [];
    expect(await awaitHealthyStorage(h.ctx, 5, (p) => progress.push(p))).toEqual({ healthy: true });
    expect(progress).toHaveLength(0);
  });
});

describe('resumeRestart and servicesBeforeRestart: more replies', () => {
  const options = { attempt: 1, round: 2, source: 'round' as const, soft: false, rebootTimeoutMinutes: 15, clusterRunning: true, gate: null, bootBefore: 'boot-0' };
  it('the node is asked once per read, never through the retries', async () => {
    const h = harness({ 'restart-node': [{ ok: { scheduled: true, bootType: 'FullReboot', servicesBeforeRestart: [] } }], 'get-node-status': [status(), 'lost', status({ lastBootUpTime: 'boot-1' })] });
    await resumeRestart(h.ctx, 'N1', options);
    expect(callsOf(h, 'get-node-status').map((c) => c.options)).toEqual([{ retry: false }, { retry: false }, { retry: false }]);
  });
  it('a refused password at the first check ends it, even if the node answers after', async () => {
    const h = harness({ 'restart-node': [{ ok: { scheduled: true, bootType: 'FullReboot', servicesBeforeRestart: [] } }], 'get-node-status': ['refused', status({ lastBootUpTime: 'boot-1' })] });
    expect(await outcome(resumeRestart(h.ctx, 'N1', options))).toBe('TRANSPORT_AUTH_REFUSED (exit 4)');
  });

  const step = (node: string, rest: Record<string, unknown>) => ({ type: 'step', seq: 1, time: 't', node, attempt: 1, ...rest }) as never;
  const requested = (node: string, bootBefore: string) => step(node, { step: 'restart-requested', round: 1, bootBefore, source: 'round' });
  const issued = (node: string, servicesBefore: string[]) => step(node, { step: 'restart-issued', round: 1, servicesBefore });
  it.each([
    ['a reply with no request before it', [issued('N1', ['x'])], undefined],
    ['the reply to a restart with another boot time', [requested('N1', 'a0'), issued('N1', ['x'])], undefined],
    ['other records after the reply', [requested('N1', 'b0'), issued('N1', ['vmms']), step('N1', { step: 'node-back', round: 1, source: 'round' })], ['vmms']],
    ['a reply of another node in between', [requested('N1', 'b0'), issued('N2', ['x']), issued('N1', ['vmms'])], ['vmms']],
    ['a record of another kind in between', [requested('N1', 'b0'), { type: 'node-state', seq: 2, time: 't', node: 'N1', step: 'restart-issued', servicesBefore: ['x'] } as never], undefined],
  ])('servicesBeforeRestart: %s', (_name, records, expected) => {
    expect(servicesBeforeRestart(records, 'N1', 'b0')).toEqual(expected);
  });
});
