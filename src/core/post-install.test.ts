import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterGateway, OperationFailedError } from '../cluster/gateway.js';
import type { OperationName, OperationParams, OperationResult } from '../cluster/operations.js';
import { AppError } from '../errors.js';
import { MemoryJournal } from '../journal/journal.js';
import { nullSink } from './events.js';
import { systemClock } from '../platform/clock.js';
import { parseFeatureUpdateProfile } from '../profiles/feature-profile.js';
import { openSimulator, type Simulator } from '../sim/index.js';
import type { RunOptions } from '../transport/transport.js';
import { RollingRun } from './coordinator.js';
import { runFeatureUpdate } from './feature-update.js';
import { runPostInstall, type PostInstallDeps, type PostInstallProfile, type PostInstallResult } from './post-install.js';

/** A gateway over the simulator that records every call and can fail chosen ones. */
class RecordingGateway extends ClusterGateway {
  readonly calls: Array<{ node: string; name: OperationName; params: unknown }> = [];
  fail: (node: string, name: OperationName, params: unknown) => boolean = () => false;

  override async call<N extends OperationName>(node: string, name: N, params: OperationParams<N>, options: RunOptions = {}): Promise<OperationResult<N>> {
    this.calls.push({ node, name, params });
    if (this.fail(node, name, params)) throw new OperationFailedError(name, node, 'SCRIPT_ERROR', 'injected failure');
    return super.call(node, name, params, options);
  }
}

/** Operations that change a cluster; what-if and a refusal call none of them. */
const MUTATING: readonly OperationName[] = ['suspend-node', 'resume-node', 'restart-node', 'start-update-task', 'update-storage-pool', 'set-vm-state', 'update-vm-version', 'move-vm', 'prepare-remoting'];
const mutations = (calls: RecordingGateway['calls']): string[] =>
  calls.filter((c) => MUTATING.includes(c.name) || (c.name === 'update-functional-level' && (c.params as { whatIf: boolean }).whatIf === false)).map((c) => `${c.name} ${c.node}`);

const FEATURE = { title: 'Feature update to Windows Server 2025', targetBuild: 26100, kb: 'KB5044284' };

/** Three Windows Server 2022 nodes offered the 2025 feature update, two VMs each (the second one Off). */
function aCluster(name: string, nodeOverrides: Record<string, Record<string, unknown>> = {}): Record<string, unknown> {
  const nodes = ['NODE1', 'NODE2', 'NODE3'];
  return {
    name,
    timing: { rebootSeconds: 120, resyncSeconds: 120 },
    storage: { s2d: true, poolName: `S2D on ${name}` },
    quorum: { witnessType: 'Cloud', witnessState: 'Online' },
    functionalLevel: 11,
    vms: Object.fromEntries(nodes.map((n) => [`${n}-VM2`, { state: 'Off' }])),
    nodes: nodes.map((n) => ({ name: n, roles: [`${n}-VM1`, `${n}-VM2`], osBuild: 20348, featureUpdate: FEATURE, ...(nodeOverrides[n] ?? {}) })),
  };
}

interface Harness {
  sim: Simulator;
  gateway: RecordingGateway;
  confirmations: Array<readonly string[]>;
  deps: (over?: Partial<PostInstallDeps>) => PostInstallDeps;
  /** Runs the feature update in-process, so that the finishing steps have something to do. */
  upgrade: () => Promise<void>;
  vm: (node: string, name: string) => Promise<{ state: string; configurationVersion: string }>;
  /** The saved model, without the fields that only say time passed or operations ran. */
  model: () => Record<string, unknown>;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cauctl-post-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function open(fixture: Record<string, unknown>, options: { ephemeral?: boolean } = {}): Harness {
  const fixturePath = join(dir, `${String(fixture.name)}.json`);
  writeFileSync(fixturePath, JSON.stringify(fixture));
  const stateDir = join(dir, 'state');
  const sim = openSimulator({ fixturePath, stateDir, speed: 'max', reset: true, ephemeral: options.ephemeral ?? true });
  const gateway = new RecordingGateway(sim.transport);
  const confirmations: Array<readonly string[]> = [];
  const owner = { host: 'test-host', user: 'tester', pid: process.pid };
  return {
    sim,
    gateway,
    confirmations,
    deps: (over = {}) => ({
      gateway,
      entry: sim.clusterName,
      confirmIrreversible: async (_cluster, summary) => {
        confirmations.push(summary);
        return true;
      },
      progress: () => undefined,
      ...over,
    }),
    upgrade: async () => {
      const plain = new ClusterGateway(sim.transport);
      const result = await runFeatureUpdate(parseFeatureUpdateProfile({ wuConnected: true }).profile, {
        gateway: plain,
        journal: new MemoryJournal(),
        entry: sim.clusterName,
        clock: sim.clock,
        wallClock: systemClock,
        owner,
        isProcessAlive: () => true,
        newRunId: () => 'restart',
        coordinatorHost: null,
        rolling: (profile) =>
          new RollingRun(profile, { gateway: plain, clock: sim.clock, wallClock: systemClock, sink: nullSink, journal: new MemoryJournal(), owner, isProcessAlive: () => true, stop: { requested: false }, newRunId: () => 'fu-run' }, { entry: sim.clusterName, forceRecovery: false }).execute(),
        confirm: async () => false,
        progress: () => undefined,
      });
      if (result.status !== 'Succeeded') throw new Error(`the feature update did not succeed: ${JSON.stringify(result.errorRecord)}`);
      // Let the last resync finish, so that nothing is still due when a test compares the model.
      await sim.clock.sleep(3_600_000);
    },
    vm: async (node, name) => {
      const vm = (await gateway.call(node, 'get-vms', {})).vms.find((v) => v.name === name);
      if (!vm) throw new Error(`${name} is not on ${node}`);
      return vm;
    },
    model: () => {
      sim.save();
      const state = JSON.parse(readFileSync(join(stateDir, 'sim', String(fixture.name), 'model.json'), 'utf8')) as Record<string, unknown>;
      // Bookkeeping that moves with every save (time, counters, the store's generation) is not cluster state.
      const { virtualNow: _now, opCounts: _counts, recentOps: _ops, storeGeneration: _generation, ...rest } = state;
      return rest;
    },
  };
}

const profile = (over: Partial<PostInstallProfile> = {}): PostInstallProfile => ({ whatIf: false, stopVms: false, testLiveMigration: false, ...over });
const statusOf = (r: PostInstallResult, step: string): string[] => r.steps.filter((s) => s.step === step).map((s) => s.status);

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('post-install was not refused');
}

describe('runPostInstall: the feasibility check comes first', () => {
  it.each([
    ['a node is Down', { NODE3: { state: 'Down' } }, /NODE3 is Down/],
    ['a node is Paused', { NODE2: { state: 'Paused' } }, /NODE2 is Paused/],
    ['a node is on the old build', { NODE1: { osBuild: 26100, featureUpdate: undefined } }, /the nodes run different builds \(NODE1 26100, NODE2 20348, NODE3 20348\)/],
  ])('refused (exit 5) when %s, touching nothing', async (_name, nodes, message) => {
    const h = open(aCluster('FEAS', nodes));
    const error = await refusal(runPostInstall(profile({ updateVmVersion: 'all', stopVms: true, testLiveMigration: true }), h.deps()));
    expect(error).toMatchObject({ code: 'FUNCTIONAL_LEVEL_NOT_FEASIBLE', exitCode: 5 });
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/Nothing was touched\.$/);
    expect(h.confirmations).toEqual([]);
    expect(mutations(h.gateway.calls)).toEqual([]);
  });

  it('refuses the irreversible steps when they are not confirmed, touching nothing', async () => {
    const h = open(aCluster('NOCONF'));
    await h.upgrade();
    h.gateway.calls.length = 0;
    const error = await refusal(runPostInstall(profile(), h.deps({ confirmIrreversible: async () => false })));
    expect(error).toMatchObject({ code: 'NOT_CONFIRMED', exitCode: 5 });
    expect(mutations(h.gateway.calls)).toEqual([]);
    expect((await h.gateway.call('NOCONF', 'get-cluster', {})).functionalLevel).toBe(11);
  });
});

describe('runPostInstall after a feature update', () => {
  it('raises the level, then the pool, updates the VMs, checks live migration and validates; a second pass finds it all done', async () => {
    const h = open(aCluster('POST'));
    await h.upgrade();
    const first = await runPostInstall(profile({ updateVmVersion: 'all', stopVms: true, testLiveMigration: true }), h.deps());
    expect(first.status).toBe('Succeeded');
    expect(first.errorRecord).toBeNull();
    expect(first.steps.map((s) => `${s.step} ${s.status}`)).toEqual([
      'functional-level Succeeded',
      'storage-pool Succeeded',
      'vm-version Succeeded',
      'live-migration Succeeded',
      'validation Succeeded',
    ]);
    expect(h.confirmations).toEqual([['Update-ClusterFunctionalLevel on POST (now 11)', 'Update-StoragePool on S2D on POST (now Windows Server 2022)']]);
    expect(first.functionalLevel).toBe(12);
    expect(first.pools).toEqual([{ friendlyName: 'S2D on POST', version: 'Windows Server 2025' }]);
    expect(first.nodeResults.map((n) => [n.node, n.status, n.osBuild, n.vms.map((v) => `${v.vm} ${v.status} ${v.versionBefore}→${v.versionAfter}`)])).toEqual([
      ['NODE1', 'Succeeded', 26100, ['NODE1-VM1 Succeeded 10.0→12.0', 'NODE1-VM2 Succeeded 10.0→12.0']],
      ['NODE2', 'Succeeded', 26100, ['NODE2-VM1 Succeeded 10.0→12.0', 'NODE2-VM2 Succeeded 10.0→12.0']],
      ['NODE3', 'Succeeded', 26100, ['NODE3-VM1 Succeeded 10.0→12.0', 'NODE3-VM2 Succeeded 10.0→12.0']],
    ]);
    // Running VMs were stopped and started again; stopped ones stay off.
    expect(await h.vm('NODE1', 'NODE1-VM1')).toEqual({ name: 'NODE1-VM1', state: 'Running', configurationVersion: '12.0' });
    expect(await h.vm('NODE1', 'NODE1-VM2')).toEqual({ name: 'NODE1-VM2', state: 'Off', configurationVersion: '12.0' });
    expect(first.steps.find((s) => s.step === 'live-migration')!.detail).toMatch(/^NODE1-VM1 moved NODE1 → NODE2 → NODE1 while running$/);

    const before = h.gateway.calls.length;
    const second = await runPostInstall(profile({ updateVmVersion: 'all', stopVms: true }), h.deps());
    expect(second.status).toBe('Succeeded');
    expect(second.steps.map((s) => `${s.step} ${s.status}`)).toEqual(['functional-level AlreadyDone', 'storage-pool AlreadyDone', 'vm-version AlreadyDone', 'validation Succeeded']);
    expect(second.nodeResults.flatMap((n) => n.vms.map((v) => v.status))).toEqual(Array(6).fill('AlreadyDone'));
    // Nothing irreversible was left, so nothing was asked, and nothing changed.
    expect(h.confirmations).toHaveLength(1);
    expect(mutations(h.gateway.calls.slice(before))).toEqual([]);
    expect(second.functionalLevel).toBe(12);
  }, 20_000);

  it('updates only stopped VMs unless stopVms, with a result per VM', async () => {
    const h = open(aCluster('VMS'));
    await h.upgrade();
    const stoppedOnly = await runPostInstall(profile({ updateVmVersion: ['node1-vm1', 'NODE1-VM2', 'NODE2-VM2'] }), h.deps());
    expect(stoppedOnly.nodeResults.map((n) => [n.node, n.vms.map((v) => [v.vm, v.status, v.versionAfter, v.detail])])).toEqual([
      [
        'NODE1',
        [
          ['NODE1-VM1', 'Skipped', '10.0', 'Running; only stopped VMs are updated unless --stop-vms is given'],
          ['NODE1-VM2', 'Succeeded', '12.0', 'updated (it stays off)'],
        ],
      ],
      ['NODE2', [['NODE2-VM2', 'Succeeded', '12.0', 'updated (it stays off)']]],
      ['NODE3', []],
    ]);
    expect(statusOf(stoppedOnly, 'vm-version')).toEqual(['Succeeded']);
    expect(await h.vm('NODE1', 'NODE1-VM1')).toMatchObject({ state: 'Running', configurationVersion: '10.0' });
    expect(h.gateway.calls.filter((c) => c.name === 'set-vm-state')).toEqual([]);

    // With stopVms, the running one is stopped, updated and started again; an unknown name is a failed VM.
    const withStop = await runPostInstall(profile({ updateVmVersion: ['NODE1-VM1', 'NODE9-VM1'], stopVms: true }), h.deps());
    expect(withStop.nodeResults.flatMap((n) => n.vms.map((v) => [v.vm, v.status, v.detail]))).toEqual([['NODE1-VM1', 'Succeeded', 'stopped, updated and started again']]);
    expect(statusOf(withStop, 'vm-version')).toEqual(['Failed']);
    expect(withStop.status).toBe('PartiallyFailed');
    expect(withStop.errorRecord).toEqual({ code: 'PostInstallStepFailed', message: expect.stringContaining('vm-version: 1 updated, 0 already current, 0 skipped, 0 would be updated, 1 failed') });
    expect(await h.vm('NODE1', 'NODE1-VM1')).toMatchObject({ state: 'Running', configurationVersion: '12.0' });
  }, 20_000);

  it('starts a VM it stopped again when its update fails, and reports the failure for that VM', async () => {
    const h = open(aCluster('VMFAIL'));
    await h.upgrade();
    h.gateway.fail = (_node, name, params) => name === 'update-vm-version' && (params as { name: string }).name === 'NODE2-VM1';
    const result = await runPostInstall(profile({ updateVmVersion: ['NODE2-VM1', 'NODE3-VM1'], stopVms: true }), h.deps());
    const vms = result.nodeResults.flatMap((n) => n.vms);
    expect(vms.map((v) => [v.vm, v.node, v.status])).toEqual([
      ['NODE2-VM1', 'NODE2', 'Failed'],
      ['NODE3-VM1', 'NODE3', 'Succeeded'],
    ]);
    expect(vms[0]!.detail).toMatch(/injected failure; it was started again$/);
    expect(result.nodeResults.map((n) => n.status)).toEqual(['Succeeded', 'Failed', 'Succeeded']);
    // The VM was running before; a failed update must not leave it off.
    expect(await h.vm('NODE2', 'NODE2-VM1')).toEqual({ name: 'NODE2-VM1', state: 'Running', configurationVersion: '10.0' });
  }, 20_000);

  it('a failed step is reported, the others go on, and a second pass finishes only what is left', async () => {
    const h = open(aCluster('RESUMABLE'));
    await h.upgrade();
    h.gateway.fail = (_node, name) => name === 'update-storage-pool';
    const first = await runPostInstall(profile(), h.deps());
    expect(first.steps.map((s) => `${s.step} ${s.status}`)).toEqual(['functional-level Succeeded', 'storage-pool Failed', 'vm-version Skipped', 'validation Succeeded']);
    expect(first.steps[1]!.detail).toMatch(/^S2D on RESUMABLE: update-storage-pool on RESUMABLE failed: injected failure/);
    expect(first.status).toBe('PartiallyFailed');
    expect(first.errorRecord?.code).toBe('PostInstallStepFailed');
    expect(first.functionalLevel).toBe(12);
    expect(first.pools).toEqual([{ friendlyName: 'S2D on RESUMABLE', version: 'Windows Server 2022' }]);

    h.gateway.fail = () => false;
    const second = await runPostInstall(profile(), h.deps());
    expect(second.steps.map((s) => `${s.step} ${s.status}`)).toEqual(['functional-level AlreadyDone', 'storage-pool Succeeded', 'vm-version Skipped', 'validation Succeeded']);
    expect(h.confirmations[1]).toEqual(['Update-StoragePool on S2D on RESUMABLE (now Windows Server 2022)']);
    expect(second.status).toBe('Succeeded');
  }, 20_000);

  it('a failed functional level is reported and the pools wait for it', async () => {
    const h = open(aCluster('LEVELFAIL'));
    await h.upgrade();
    h.gateway.fail = (_node, name, params) => name === 'update-functional-level' && (params as { whatIf: boolean }).whatIf === false;
    const result = await runPostInstall(profile(), h.deps());
    expect(result.steps.map((s) => `${s.step} ${s.status}`)).toEqual(['functional-level Failed', 'storage-pool Skipped', 'vm-version Skipped', 'validation Succeeded']);
    expect(result.steps[1]!.detail).toBe('S2D on LEVELFAIL waits for the functional level');
    expect(h.gateway.calls.filter((c) => c.name === 'update-storage-pool')).toEqual([]);
    expect(result.status).toBe('PartiallyFailed');
  }, 20_000);

  it('what-if shows every step and touches nothing: the model is the same before and after', async () => {
    const h = open(aCluster('WHATIF'), { ephemeral: false });
    await h.upgrade();
    const before = h.model();
    h.gateway.calls.length = 0;
    const result = await runPostInstall(profile({ whatIf: true, updateVmVersion: 'all', stopVms: true, testLiveMigration: true }), h.deps());
    expect(result.whatIf).toBe(true);
    expect(result.steps.map((s) => `${s.step} ${s.status}`)).toEqual(['functional-level WouldRun', 'storage-pool WouldRun', 'vm-version WouldRun', 'live-migration WouldRun', 'validation WouldRun']);
    expect(result.nodeResults.flatMap((n) => n.vms.map((v) => v.status))).toEqual(Array(6).fill('WouldRun'));
    expect(result.functionalLevel).toBe(11);
    expect(result.validation).toBeNull();
    expect(h.confirmations).toEqual([]);
    expect(mutations(h.gateway.calls)).toEqual([]);
    expect(h.model()).toEqual(before);
  }, 20_000);
});
