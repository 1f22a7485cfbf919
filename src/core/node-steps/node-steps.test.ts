/**
 * Table tests of the node steps: for every step, every kind of reply (success, a failure the script reports,
 * a lost reply, a timeout, a refused password) gives the documented journal records and outcome. The gateway
 * is scripted per operation; the clock is a fake one whose sleep advances time at once.
 */
import { OperationFailedError, OperationTimeoutError, type CallOptions, type Gateway } from '../../cluster/gateway.js';
import type { NodeStatus, OperationName, OperationParams, OperationResult, StorageHealth } from '../../cluster/operations.js';
import { RetryingGateway } from '../../cluster/retrying-gateway.js';
import { AppError, ExitCode } from '../../errors.js';
import { MemoryJournal } from '../../journal/journal.js';
import type { Clock } from '../../platform/clock.js';
import { JournalWriter } from '../journal-records.js';
import { StepFailure, type StepContext } from './context.js';
import { awaitRestartGate } from './gates.js';
import { installViaTask, type TaskSpec } from './install.js';
import { restartAndAwaitBoot, resumeRestart } from './restart.js';
import { resumeNode } from './resume.js';
import { scanNode } from './scan.js';
import { awaitHealthyStorage } from './storage.js';
import { gateAndSuspend } from './suspend.js';

/** One scripted reply: a value, a script failure, or a transport error. */
type Reply = { ok: unknown } | 'lost' | 'timeout' | 'refused' | { fail: string };

class FakeClock implements Clock {
  t = Date.UTC(2026, 0, 1);
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.t += Math.max(ms, 1);
  }
}

/** Answers each operation from its queue; the last reply of a queue repeats. Records every call. */
class ScriptedGateway implements Gateway {
  readonly calls: Array<{ node: string; name: OperationName; params: unknown }> = [];
  constructor(
    private readonly clock: FakeClock,
    private readonly script: Partial<Record<OperationName, Reply[] | ((call: number) => Reply)>>,
  ) {}

  async call<N extends OperationName>(node: string, name: N, params: OperationParams<N>, _options?: CallOptions): Promise<OperationResult<N>> {
    const count = this.calls.filter((c) => c.name === name).length;
    this.calls.push({ node, name, params });
    this.clock.t += 1000;
    const entry = this.script[name];
    if (entry === undefined) throw new Error(`unscripted call: ${name}`);
    const reply = typeof entry === 'function' ? entry(count) : entry[Math.min(count, entry.length - 1)]!;
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
}

function harness(script: ConstructorParameters<typeof ScriptedGateway>[1]): Harness {
  const clock = new FakeClock();
  const gateway = new ScriptedGateway(clock, script);
  const journal = new MemoryJournal();
  const ctx: StepContext = {
    gateway: new RetryingGateway(gateway, clock, { deadlineMs: 10 * 60_000 }),
    clock,
    journal: new JournalWriter(journal, () => clock.now()),
    entry: 'C1',
    heartbeat: async () => undefined,
  };
  return { clock, gateway, journal, ctx, steps: () => journal.records().map((r) => String(r.step)) };
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
    ['timeout: the task runs past its deadline', [{ ok: { taskId: 't1', alreadyStarted: false } }], [done('Running')], 'Failed', ['task-started', 'task-finished']],
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
    expect(await outcome(installViaTask(h.ctx, 'N1', task, { attempt: 1, resume: false, requireDrained: true, journaled: true }))).toBe('NodeNotDrained');
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
    expect(await outcome(restartAndAwaitBoot(h.ctx, 'N1', options))).toBe('NodeNotDrained');
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
