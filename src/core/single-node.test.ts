import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterGateway } from '../cluster/gateway.js';
import type { OperationName, OperationParams, OperationResult } from '../cluster/operations.js';
import { AppError } from '../errors.js';
import { MemoryJournal } from '../journal/journal.js';
import { systemClock } from '../platform/clock.js';
import { openSimulator, type Simulator } from '../sim/index.js';
import type { RunOptions } from '../transport/transport.js';
import { ClusterLock, LOCK_PROPERTY, type LockOwner } from './cluster-lock.js';
import { judgeStorage } from './policy.js';
import { restartNodesRolling, resumeSingleNode, suspendSingleNode, type SingleNodeDeps, type SingleNodeOptions } from './single-node.js';

/** A gateway over the simulator that records every call, and runs a hook before chosen ones. */
class RecordingGateway extends ClusterGateway {
  readonly calls: Array<{ node: string; name: OperationName; at: number }> = [];
  before: (node: string, name: OperationName) => Promise<void> = async () => undefined;

  constructor(
    private readonly sim: Simulator,
  ) {
    super(sim.transport);
  }

  override async call<N extends OperationName>(node: string, name: N, params: OperationParams<N>, options: RunOptions = {}): Promise<OperationResult<N>> {
    await this.before(node, name);
    this.calls.push({ node, name, at: this.sim.clock.now() });
    return super.call(node, name, params, options);
  }

  named(name: OperationName): Array<{ node: string; at: number }> {
    return this.calls.filter((c) => c.name === name);
  }
}

const OPTIONS: SingleNodeOptions = { requireAllNodesOnline: true, failbackMode: 'Immediate', waitForStorageRepairTimeoutMinutes: 30, rebootTimeoutMinutes: 15, forceDrain: false };
const ME: LockOwner = { host: 'test-host', user: 'tester', pid: process.pid };
const SOMEONE_ELSE: LockOwner = { host: 'other-host', user: 'colleague', pid: 4242 };

/** A 3-node S2D cluster with a cloud witness, two roles per node. */
function aCluster(name: string, nodeOverrides: Record<string, Record<string, unknown>> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    timing: { drainSecondsPerRole: 10, rebootSeconds: 120, resyncSeconds: 300 },
    storage: { s2d: true },
    quorum: { witnessType: 'Cloud', witnessState: 'Online' },
    nodes: ['NODE1', 'NODE2', 'NODE3'].map((n) => ({ name: n, roles: [`${n}-VM1`, `${n}-VM2`], ...(nodeOverrides[n] ?? {}) })),
    ...extra,
  };
}

interface Harness {
  sim: Simulator;
  gateway: RecordingGateway;
  deps: (owner?: LockOwner, gateway?: ClusterGateway) => SingleNodeDeps;
  states: () => Promise<Record<string, string>>;
  rolesOf: (node: string) => Promise<string[]>;
  lockValue: () => Promise<string | null>;
  /** Lets virtual time pass. */
  wait: (seconds: number) => Promise<void>;
  /** Lets virtual time pass until this many seconds after the model was opened. */
  waitUntil: (seconds: number) => Promise<void>;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cauctl-single-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function open(fixture: Record<string, unknown>): Harness {
  const fixturePath = join(dir, `${String(fixture.name)}.json`);
  writeFileSync(fixturePath, JSON.stringify(fixture));
  const sim = openSimulator({ fixturePath, stateDir: join(dir, 'state'), speed: 'max', reset: true, ephemeral: true });
  const gateway = new RecordingGateway(sim);
  const plain = new ClusterGateway(sim.transport);
  const cluster = () => plain.call(sim.clusterName, 'get-cluster', {});
  const openedAt = sim.clock.now();
  return {
    sim,
    gateway,
    deps: (owner = ME, g = gateway) => ({ gateway: g, entry: sim.clusterName, clock: sim.clock, wallClock: systemClock, owner, isProcessAlive: () => true, newRunId: () => `single-${owner.host}`, journal: new MemoryJournal() }),
    states: async () => Object.fromEntries((await cluster()).nodes.map((n) => [n.name, n.state])),
    rolesOf: async (node) => [...(await cluster()).nodes.find((n) => n.name === node)!.roles].sort(),
    lockValue: async () => (await plain.call(sim.clusterName, 'get-cluster-property', { name: LOCK_PROPERTY })).value,
    wait: (seconds) => sim.clock.sleep(seconds * 1000),
    waitUntil: (seconds) => sim.clock.sleep(Math.max(0, openedAt + seconds * 1000 - sim.clock.now())),
  };
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('it was not refused');
}

function takeLock(h: Harness, owner: LockOwner): Promise<void> {
  const lock = new ClusterLock({ gateway: new ClusterGateway(h.sim.transport), entryNode: h.sim.clusterName, wallClock: systemClock, owner, isProcessAlive: () => true, leaseSeconds: 300 });
  return lock.acquire('someone-elses-run', { runStartTime: new Date(0).toISOString(), currentNode: null, currentPhase: null, nodeStatusNotifications: [], nodeResults: [] });
}

describe('suspendSingleNode', () => {
  it('drains the node and leaves it paused, under the lock; a second call changes nothing', async () => {
    const h = open(aCluster('SUSP'));
    const outcome = await suspendSingleNode(h.deps(), 'node2', OPTIONS);
    expect(outcome).toEqual({ node: 'NODE2', action: 'suspend', changed: true, rebooted: false, detail: 'NODE2 is drained and paused for maintenance; resume it with: cauctl run --resume-node NODE2', warnings: [] });
    expect(await h.states()).toEqual({ NODE1: 'Up', NODE2: 'Paused', NODE3: 'Up' });
    expect(await h.rolesOf('NODE2')).toEqual([]);
    expect(await h.lockValue()).toBeNull();
    // The lock was taken before the node was touched, and released after.
    const names = h.gateway.calls.map((c) => c.name);
    expect(names.indexOf('set-cluster-property')).toBeLessThan(names.indexOf('suspend-node'));
    expect(names.lastIndexOf('set-cluster-property')).toBeGreaterThan(names.indexOf('suspend-node'));

    const again = await suspendSingleNode(h.deps(), 'NODE2', OPTIONS);
    expect(again).toMatchObject({ changed: false, detail: 'NODE2 is already paused.' });
    expect(h.gateway.named('suspend-node')).toHaveLength(1);
    expect(h.sim.audit().violations).toEqual([]);
  });

  it.each([
    ['another node is paused', { NODE3: { state: 'Paused' } }, {}, 'NODE1', 'OtherNodePaused', 5],
    ['another node is down (RequireAllNodesOnline)', { NODE3: { state: 'Down' } }, {}, 'NODE1', 'NodesOffline', 5],
    ['the node itself is down', { NODE1: { state: 'Down' } }, {}, 'NODE1', 'NODE_NOT_UP', 5],
    ['a native CAU run is in progress', {}, { nativeCauRunInProgress: true }, 'NODE1', 'NATIVE_CAU_RUN_IN_PROGRESS', 5],
    ['the node is not a member', {}, {}, 'NODE9', 'NODE_NOT_FOUND', 2],
  ])('is refused when %s, touching nothing', async (_name, nodes, extra, target, code, exitCode) => {
    const h = open(aCluster('REFUSE', nodes, extra));
    const before = await h.states();
    const error = await refusal(suspendSingleNode(h.deps(), target, OPTIONS));
    expect(error).toMatchObject({ code, exitCode });
    expect(h.gateway.named('suspend-node')).toEqual([]);
    expect(await h.states()).toEqual(before);
    expect(await h.lockValue()).toBeNull();
  });

  it('is refused while storage is unhealthy, once the repair wait runs out', async () => {
    // NODE1 crashed and came back; its repair job stalls, so storage never heals.
    const h = open(aCluster('STUCK', { NODE1: { faults: [{ kind: 'nodeCrash', atSeconds: 0, seconds: 60 }, { kind: 'storageRepairStuck' }] } }));
    await h.wait(600);
    expect(judgeStorage(await h.gateway.call('STUCK', 'get-storage-health', {})).healthy).toBe(false);
    const start = h.sim.clock.now();
    const error = await refusal(suspendSingleNode(h.deps(), 'NODE2', { ...OPTIONS, waitForStorageRepairTimeoutMinutes: 5 }));
    expect(error).toMatchObject({ code: 'StorageNotHealthy', exitCode: 5 });
    expect(error.message).toMatch(/^Not safe to drain NODE2: .*nothing was touched\.$/);
    // It waited the whole timeout, in virtual time, before giving up.
    expect(h.sim.clock.now() - start).toBeGreaterThanOrEqual(5 * 60_000);
    expect(h.gateway.named('suspend-node')).toEqual([]);
    expect(await h.states()).toEqual({ NODE1: 'Up', NODE2: 'Up', NODE3: 'Up' });
    expect(await h.lockValue()).toBeNull();
    expect(h.sim.audit().violations).toEqual([]);
  });

  it('waits for a running repair to finish, then drains', async () => {
    const h = open(aCluster('REPAIR', { NODE1: { faults: [{ kind: 'nodeCrash', atSeconds: 0, seconds: 60 }] } }));
    await h.wait(200);
    expect(judgeStorage(await h.gateway.call('REPAIR', 'get-storage-health', {})).healthy).toBe(false);
    const outcome = await suspendSingleNode(h.deps(), 'NODE2', OPTIONS);
    expect(outcome.changed).toBe(true);
    expect(h.sim.audit().violations).toEqual([]);
  });

  it('checks the preconditions under the lock: a suspend that raced it cannot pause a second node', async () => {
    const h = open(aCluster('RACE'));
    // While this suspend of NODE2 checks storage, a colleague suspends NODE3 from another host.
    let raced: unknown = 'not run';
    h.gateway.before = async (_node, name) => {
      if (name !== 'wait-storage-healthy' || raced !== 'not run') return;
      raced = null;
      try {
        await suspendSingleNode(h.deps(SOMEONE_ELSE, new ClusterGateway(h.sim.transport)), 'NODE3', OPTIONS);
      } catch (error) {
        raced = error;
      }
    };
    let mine: unknown = null;
    try {
      await suspendSingleNode(h.deps(), 'NODE2', OPTIONS);
    } catch (error) {
      mine = error;
    }
    // Whichever of the two won, only one node is paused and the simulator saw no unsafe suspend.
    const paused = Object.entries(await h.states()).filter(([, s]) => s === 'Paused');
    expect(paused).toHaveLength(1);
    expect(h.sim.audit().violations).toEqual([]);
    expect([raced, mine].filter((e) => e !== null).map((e) => (e as AppError).code)).toEqual(['LOCK_HELD']);
  });

  it('respects a cluster lock held by another coordinator', async () => {
    const h = open(aCluster('LOCKED'));
    await takeLock(h, SOMEONE_ELSE);
    const error = await refusal(suspendSingleNode(h.deps(), 'NODE2', OPTIONS));
    expect(error).toMatchObject({ code: 'LOCK_HELD', exitCode: 5 });
    expect(error.message).toMatch(/colleague on other-host/);
    expect(h.gateway.named('suspend-node')).toEqual([]);
    expect(await h.states()).toEqual({ NODE1: 'Up', NODE2: 'Up', NODE3: 'Up' });
    // The other coordinator's lock is left as it was.
    expect(await h.lockValue()).toMatch(/someone-elses-run/);
  });
});

describe('resumeSingleNode', () => {
  it.each([
    ['Immediate', ['NODE2-VM1', 'NODE2-VM2']],
    ['NoFailback', []],
  ] as const)('waits for the storage jobs, then resumes with failback %s', async (failbackMode, rolesBack) => {
    // NODE1 crashes while NODE2 is paused; its repair is still running when NODE2 is resumed.
    const h = open(aCluster('RESUME', { NODE1: { faults: [{ kind: 'nodeCrash', atSeconds: 300, seconds: 60 }] } }));
    await suspendSingleNode(h.deps(), 'NODE2', OPTIONS);
    await h.waitUntil(420);
    expect(judgeStorage(await h.gateway.call('RESUME', 'get-storage-health', {})).healthy).toBe(false);
    // Record what storage looked like when the node was resumed.
    let storageAtResume: boolean | undefined;
    h.gateway.before = async (node, name) => {
      if (name === 'resume-node') storageAtResume = judgeStorage(await new ClusterGateway(h.sim.transport).call(node, 'get-storage-health', {})).healthy;
    };
    const outcome = await resumeSingleNode(h.deps(), 'NODE2', { ...OPTIONS, failbackMode });
    expect(outcome).toEqual({ node: 'NODE2', action: 'resume', changed: true, rebooted: false, detail: `NODE2 is resumed (failback ${failbackMode}) and storage is healthy.`, warnings: [] });
    expect(storageAtResume).toBe(true);
    expect(await h.states()).toEqual({ NODE1: 'Up', NODE2: 'Up', NODE3: 'Up' });
    expect(await h.rolesOf('NODE2')).toEqual(rolesBack);
    expect(await h.lockValue()).toBeNull();
    h.sim.noteRunEnd();
    expect(h.sim.audit().violations).toEqual([]);
  });

  it('only checks health when the node is already Up', async () => {
    const h = open(aCluster('UP'));
    const outcome = await resumeSingleNode(h.deps(), 'NODE1', OPTIONS);
    expect(outcome).toMatchObject({ changed: false, detail: 'NODE1 was not paused; storage is healthy.' });
    expect(h.gateway.named('resume-node')).toEqual([]);
    expect(h.gateway.named('set-cluster-property')).toEqual([]);
  });

  it('refuses a node that is down', async () => {
    const h = open(aCluster('DOWN', { NODE3: { state: 'Down' } }));
    expect(await refusal(resumeSingleNode(h.deps(), 'NODE3', OPTIONS))).toMatchObject({ code: 'NODE_NOT_UP', exitCode: 5 });
  });

  it('respects a cluster lock held by another coordinator', async () => {
    const h = open(aCluster('RLOCK', { NODE2: { state: 'Paused' } }));
    await takeLock(h, SOMEONE_ELSE);
    expect(await refusal(resumeSingleNode(h.deps(), 'NODE2', OPTIONS))).toMatchObject({ code: 'LOCK_HELD', exitCode: 5 });
    expect(h.gateway.named('resume-node')).toEqual([]);
    expect((await h.states()).NODE2).toBe('Paused');
  });

  it('fails (exit 3) when storage does not heal after the resume', async () => {
    const h = open(aCluster('NOHEAL', { NODE1: { faults: [{ kind: 'nodeCrash', atSeconds: 300, seconds: 60 }, { kind: 'storageRepairStuck' }] } }));
    await suspendSingleNode(h.deps(), 'NODE2', OPTIONS);
    await h.waitUntil(600);
    const error = await refusal(resumeSingleNode(h.deps(), 'NODE2', { ...OPTIONS, waitForStorageRepairTimeoutMinutes: 10 }));
    expect(error).toMatchObject({ code: 'StorageRepairTimeout', exitCode: 3 });
    expect((await h.states()).NODE2).toBe('Up');
    expect(await h.lockValue()).toBeNull();
  });
});

describe('restartNodesRolling', () => {
  it('restarts one node at a time and stops at a node that does not come back', async () => {
    const h = open(aCluster('HANG', { NODE2: { faults: [{ kind: 'rebootHangs' }] } }));
    const seen: string[] = [];
    const error = await refusal(restartNodesRolling(h.deps(), ['NODE1', 'NODE2', 'NODE3'], { ...OPTIONS, rebootTimeoutMinutes: 10 }, (o) => seen.push(o.node)));
    expect(error).toMatchObject({ code: 'RebootTimeout', exitCode: 3 });
    expect(seen).toEqual(['NODE1']);
    expect(h.gateway.named('restart-node').map((c) => c.node)).toEqual(['NODE1', 'NODE2']);
    expect(await h.lockValue()).toBeNull();
    const audit = h.sim.audit();
    expect(audit.maxNodesOutOfService).toBe(1);
    expect(audit.violations).toEqual([]);
  });
});

describe('the lock release: what it could not restore reaches the result (as in the rolling run)', () => {
  /** A cluster whose CAU role is Online, so the drain holds self-updating off and the release restores it. */
  const withRole = (name: string, nodes: Record<string, Record<string, unknown>> = {}): Record<string, unknown> => aCluster(name, nodes, { cauRole: {} });
  /** The restore's Start-ClusterGroup fails: every hold-cau-role after the first (the hold itself). */
  function failRestore(h: Harness): void {
    let holds = 0;
    h.gateway.before = async (_node, name) => {
      if (name === 'hold-cau-role' && ++holds > 1) throw new AppError('OPERATION_FAILED', 3, 'hold-cau-role on NODE1 failed: the group did not come online');
    };
  }

  it('suspend: the outcome carries the warning and the role stays held off', async () => {
    const h = open(withRole('WARN1'));
    failRestore(h);
    const outcome = await suspendSingleNode(h.deps(), 'NODE2', OPTIONS);
    expect(outcome.changed).toBe(true);
    expect(outcome.warnings).toHaveLength(1);
    expect(outcome.warnings[0]).toMatch(/CAU/);
    expect(await h.lockValue()).toBeNull();
  });

  it('resume: a hold record that cannot be read is said in the outcome', async () => {
    const h = open(aCluster('WARN2', { NODE2: { state: 'Paused', roles: [] } }));
    await new ClusterGateway(h.sim.transport).call(h.sim.clusterName, 'set-cluster-property', { name: 'CauctlRoleHold', value: 'garbage', expected: null });
    const outcome = await resumeSingleNode(h.deps(), 'NODE2', OPTIONS);
    expect(outcome.changed).toBe(true);
    expect(outcome.warnings).toEqual([expect.stringMatching(/cannot read/)]);
  });

  it('a failed maintenance carries them in its error details', async () => {
    const h = open(withRole('WARN3', { NODE2: { faults: [{ kind: 'rebootHangs' }] } }));
    failRestore(h);
    const error = await refusal(restartNodesRolling(h.deps(), ['NODE2'], { ...OPTIONS, rebootTimeoutMinutes: 10 }));
    expect(error).toMatchObject({ code: 'RebootTimeout', exitCode: 3 });
    expect(error.details?.['warnings']).toEqual([expect.stringMatching(/CAU/)]);
  });

  it('restartNodesRolling returns them beside the outcomes', async () => {
    const h = open(withRole('WARN4'));
    failRestore(h);
    const { outcomes, warnings } = await restartNodesRolling(h.deps(), ['NODE1'], OPTIONS);
    expect(outcomes.map((o) => o.node)).toEqual(['NODE1']);
    expect(warnings).toHaveLength(1);
  });
});
