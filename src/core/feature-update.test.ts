import { exitCodeFor } from './error-codes.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
import {
  BUILD_CAPABILITIES,
  FEATURE_READINESS_RULES,
  buildSupports,
  coordinatorIsMember,
  describeValidation,
  featureResumePoint,
  resumeFeatureUpdate,
  resumedProfile,
  featureReadiness,
  rollingUpgradePlugin,
  runFeatureUpdate,
  setApartUpgraded,
  validationCategories,
  type FeatureUpdateDeps,
  type FeatureUpdateProfile,
  type FeatureUpdateResult,
} from './feature-update.js';
import type { RuleResult } from './readiness.js';
import type { RunProfile, RunResult } from './types.js';

describe('buildSupports', () => {
  it.each([
    [14392, 'updateClusterFunctionalLevel', false],
    [14393, 'updateClusterFunctionalLevel', true],
    [14393, 'storageSpacesDirectValidation', true],
    [17763, 'kernelSoftReboot', false],
    [20347, 'kernelSoftReboot', false],
    [20348, 'kernelSoftReboot', true],
    [26100, 'kernelSoftReboot', true],
  ] as const)('build %i, %s → %s', (build, capability, expected) => {
    expect(buildSupports(build, capability)).toBe(expected);
  });
  it('every capability names a build', () => {
    for (const build of Object.values(BUILD_CAPABILITIES)) expect(Number.isInteger(build)).toBe(true);
  });
});

describe('validationCategories', () => {
  const base = ['Inventory', 'Network', 'System Configuration'];
  it.each([
    ['S2D on a build that knows its validation', 20348, true, [...base, 'Storage Spaces Direct']],
    ['S2D, the lowest node before Windows Server 2016', 10586, true, base],
    ['no S2D', 26100, false, base],
  ])('%s', (_name, lowest, s2d, expected) => {
    expect(validationCategories(lowest, s2d)).toEqual(expected);
  });
});

describe('coordinatorIsMember', () => {
  it.each([
    ['simulation (no host)', null, ['NODE1'], false],
    ['the short name of a node', 'node1', ['NODE1', 'NODE2'], true],
    ['an FQDN of a node', 'NODE2.contoso.com', ['NODE1', 'NODE2'], true],
    ['a management host', 'MGMT01.contoso.com', ['NODE1', 'NODE2'], false],
    ['a prefix of a node name is not that node', 'NODE1', ['NODE10', 'NODE11'], false],
  ])('%s', (_name, host, nodes, expected) => {
    expect(coordinatorIsMember(host, nodes)).toBe(expected);
  });
});

describe('featureReadiness', () => {
  const rule = (id: string): RuleResult => ({ id, title: id, severity: 'Error', state: 'Pass', detail: '', nodes: [], remedy: '', fixable: false });
  it('keeps the remote-run rules, in their order, and drops the others', () => {
    const all = ['CAU-01', 'CAU-05', 'CAU-02', 'CAU-07', 'CAUCTL-03', 'CAU-09', 'CAU-10'].map(rule);
    expect(featureReadiness(all).map((r) => r.id)).toEqual(['CAU-01', 'CAU-02', 'CAUCTL-03', 'CAU-09']);
  });
  it('keeps every listed rule', () => {
    expect(featureReadiness(FEATURE_READINESS_RULES.map(rule))).toHaveLength(FEATURE_READINESS_RULES.length);
  });
});

describe('setApartUpgraded', () => {
  const W25 = 'Feature update to Windows Server 2025';
  const check = (groups: Array<[string, string[]]>) => ({ consistent: groups.length <= 1, groups: groups.map(([offer, nodes]) => ({ offer, nodes })) });
  it.each([
    ['every node offered the same update', [[W25, ['A', 'B']]], { A: 20348, B: 20348 }, true, [], [[W25, ['A', 'B']]]],
    ['nothing offered anywhere', [['(none)', ['A', 'B']]], { A: 26100, B: 26100 }, true, [], [['(none)', ['A', 'B']]]],
    ['a node already on a newer build is past the update', [['(none)', ['A']], [W25, ['B', 'C']]], { A: 26100, B: 20348, C: 20348 }, true, ['A'], [[W25, ['B', 'C']]]],
    ['a node offered nothing on the old build is a mixed offer', [['(none)', ['A']], [W25, ['B']]], { A: 20348, B: 20348 }, false, [], [['(none)', ['A']], [W25, ['B']]]],
    ['two different offers stay mixed', [['(none)', ['A']], [W25, ['B']], ['Other', ['C']]], { A: 26100, B: 20348, C: 20348 }, false, ['A'], [[W25, ['B']], ['Other', ['C']]]],
    ['above every offered node, not just one', [['(none)', ['A']], [W25, ['B', 'C']]], { A: 22000, B: 20348, C: 25398 }, false, [], [['(none)', ['A']], [W25, ['B', 'C']]]],
  ] as const)('%s', (_name, groups, builds, consistent, upgraded, after) => {
    const result = setApartUpgraded(check(groups.map(([o, n]) => [o, [...n]])), builds);
    expect(result.upgraded).toEqual(upgraded);
    expect(result.offers.consistent).toBe(consistent);
    expect(result.offers.groups.map((g) => [g.offer, g.nodes])).toEqual(after);
  });
});

describe('rollingUpgradePlugin, describeValidation, exitCodeFor', () => {
  it.each([
    ['Windows Update', { wuConnected: true }, { WuConnected: 'true' }],
    ['setup media', { wuConnected: false, pathToSetupMedia: 'D:\\WS2025' }, { WuConnected: 'false', PathToSetupMedia: 'D:\\WS2025' }],
  ])('%s', (_name, source, args) => {
    expect(rollingUpgradePlugin(source)).toEqual({ plugin: 'Microsoft.RollingUpgradePlugin', arguments: args });
  });
  it('summarises Test-Cluster', () => {
    expect(describeValidation({ passed: ['Inventory'], warning: [], failed: ['Network', 'Storage'], messages: [], reportPath: null })).toBe('1 passed, 0 warning (none), 2 failed (Network, Storage)');
  });
  it.each([['Succeeded', 0], ['PartiallyFailed', 6], ['Failed', 3], ['Canceled', 3]] as const)('%s → exit %i', (status, code) => {
    expect(exitCodeFor({ status })).toBe(code);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The flow, in-process, on an ephemeral simulator.

/** A gateway over the simulator that records every call and can fail chosen ones. */
class RecordingGateway extends ClusterGateway {
  readonly calls: Array<{ node: string; name: OperationName; params: unknown }> = [];
  fail: (node: string, name: OperationName) => boolean = () => false;

  override async call<N extends OperationName>(node: string, name: N, params: OperationParams<N>, options: RunOptions = {}): Promise<OperationResult<N>> {
    this.calls.push({ node, name, params });
    if (this.fail(node, name)) throw new OperationFailedError(name, node, 'SCRIPT_ERROR', 'injected failure');
    return super.call(node, name, params, options);
  }

  named(name: OperationName): Array<{ node: string; params: unknown }> {
    return this.calls.filter((c) => c.name === name);
  }
}

/** Operations that change a cluster. A refusal "before touching anything" calls none of them. */
const MUTATING: readonly OperationName[] = ['suspend-node', 'resume-node', 'restart-node', 'start-update-task', 'update-storage-pool', 'set-vm-state', 'update-vm-version', 'move-vm', 'prepare-remoting'];

interface Harness {
  sim: Simulator;
  gateway: RecordingGateway;
  rollingRuns: RunProfile[];
  confirmQuestions: string[];
  deps: (over?: Partial<FeatureUpdateDeps>) => FeatureUpdateDeps;
  builds: () => Promise<Record<string, number>>;
  level: () => Promise<number>;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cauctl-fu-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function open(fixture?: Record<string, unknown> | string): Harness {
  let fixturePath: string | undefined;
  if (typeof fixture === 'string') fixturePath = fixture;
  else if (fixture !== undefined) {
    fixturePath = join(dir, `${String(fixture.name)}.json`);
    writeFileSync(fixturePath, JSON.stringify(fixture));
  }
  const sim = openSimulator({ ...(fixturePath ? { fixturePath } : {}), stateDir: join(dir, 'state'), speed: 'max', reset: true, ephemeral: true });
  const gateway = new RecordingGateway(sim.transport);
  const rollingRuns: RunProfile[] = [];
  const confirmQuestions: string[] = [];
  const owner = { host: 'test-host', user: 'tester', pid: process.pid };
  let runs = 0;
  const rolling = async (profile: RunProfile): Promise<RunResult> => {
    rollingRuns.push(profile);
    runs += 1;
    const run = new RollingRun(
      profile,
      { gateway, clock: sim.clock, wallClock: systemClock, sink: nullSink, journal: new MemoryJournal(), owner, isProcessAlive: () => true, stop: { requested: false }, newRunId: () => `run-${runs}`, leaseSeconds: 300, onHalt: () => sim.noteHalt() },
      { entry: sim.clusterName, forceRecovery: false },
    );
    return run.execute();
  };
  return {
    sim,
    gateway,
    rollingRuns,
    confirmQuestions,
    deps: (over = {}) => ({
      gateway,
      journal: new MemoryJournal(),
      entry: sim.clusterName,
      clock: sim.clock,
      wallClock: systemClock,
      owner,
      isProcessAlive: () => true,
      newRunId: () => 'restart-run',
      coordinatorHost: null,
      rolling,
      confirm: async (question) => {
        confirmQuestions.push(question);
        return false;
      },
      progress: () => undefined,
      ...over,
    }),
    builds: async () => {
      const out: Record<string, number> = {};
      for (const node of sim.nodeNames) out[node] = (await gateway.call(node, 'get-node-status', {})).osBuild;
      return out;
    },
    level: async () => (await gateway.call(sim.clusterName, 'get-cluster', {})).functionalLevel,
  };
}

function profileOf(raw: Record<string, unknown>): FeatureUpdateProfile {
  return parseFeatureUpdateProfile(raw).profile;
}

const statusOf = (result: FeatureUpdateResult, step: string): string[] => result.steps.filter((s) => s.step === step).map((s) => s.status);

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('the flow was not refused');
}

const FEATURE = { title: 'Feature update to Windows Server 2025', targetBuild: 26100, kb: 'KB5044284' };

/** A small S2D cluster on Windows Server 2022, every node offered the same feature update, one role each. */
function aFeatureCluster(name: string, nodeCount: number, nodeOverrides: Record<string, Record<string, unknown>> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    timing: { rebootSeconds: 120, resyncSeconds: 120 },
    storage: { s2d: true },
    quorum: { witnessType: 'Cloud', witnessState: 'Online' },
    nodes: Array.from({ length: nodeCount }, (_, i) => {
      const node = `NODE${i + 1}`;
      return { name: node, roles: [`${node}-VM1`], osBuild: 20348, featureUpdate: FEATURE, ...(nodeOverrides[node] ?? {}) };
    }),
    ...extra,
  };
}

describe('runFeatureUpdate on the simulator', () => {
  it('upgrades the built-in cluster from build A to build B node by node, and raises the level when asked', async () => {
    const h = open();
    const result = await runFeatureUpdate(profileOf({ wuConnected: true, updateClusterFunctionalLevel: true }), h.deps());
    expect(result.status).toBe('Succeeded');
    expect(result.errorRecord).toBeNull();
    expect(result.featureUpdate).toBe('Feature update to Azure Stack HCI, version 24H2');
    expect(Object.values(result.buildsBefore)).toEqual([25398, 25398, 25398, 25398]);
    expect(Object.values(result.buildsAfter)).toEqual([26100, 26100, 26100, 26100]);
    expect(await h.builds()).toEqual(result.buildsAfter);
    expect(result.steps.map((s) => `${s.step} ${s.status}`)).toEqual(['coordinator Succeeded', 'readiness Succeeded', 'validation Succeeded', 'scan Succeeded', 'rolling-run Succeeded', 'functional-level Succeeded']);
    expect(result.functionalLevel).toBe(13);
    expect(await h.level()).toBe(13);
    // The rolling run used the plug-in only, never a soft reboot, with every node required online.
    expect(h.rollingRuns).toHaveLength(1);
    expect(h.rollingRuns[0]).toMatchObject({ plugins: [{ plugin: 'Microsoft.RollingUpgradePlugin', arguments: { WuConnected: 'true' } }], attemptSoftReboot: false, requireAllNodesOnline: true });
    expect(result.nodeResults.map((r) => r.status)).toEqual(['Succeeded', 'Succeeded', 'Succeeded', 'Succeeded']);
    expect(result.nodeResults.every((r) => r.rebooted)).toBe(true);
    h.sim.noteRunEnd();
    const audit = h.sim.audit();
    expect(audit.violations).toEqual([]);
    expect(audit.maxNodesOutOfService).toBe(1);

    // A second pass finds nothing offered and touches nothing.
    const before = h.gateway.calls.length;
    const again = await runFeatureUpdate(profileOf({ wuConnected: true, updateClusterFunctionalLevel: true }), h.deps());
    expect(statusOf(again, 'scan')).toEqual(['AlreadyDone']);
    expect(again).toMatchObject({ status: 'Succeeded', runId: null, featureUpdate: null, nodeResults: [] });
    expect(h.gateway.calls.slice(before).filter((c) => MUTATING.includes(c.name))).toEqual([]);
  }, 20_000);

  it('refuses mixed offers with exit 5 and the mixed-patch-level explanation, touching nothing', async () => {
    const h = open(fileURLToPath(new URL('../../fixtures/clusters/mixed-feature-offers.json', import.meta.url)));
    const error = await refusal(runFeatureUpdate(profileOf({ wuConnected: true, updateClusterFunctionalLevel: true }), h.deps()));
    expect(error.exitCode).toBe(5);
    expect(error.code).toBe('MIXED_FEATURE_OFFERS');
    expect(error.message).toMatch(/NODE1, NODE2: Feature update to Azure Stack HCI, version 23H2/);
    expect(error.message).toMatch(/NODE3: Feature update to Azure Stack HCI, version 24H2/);
    expect(error.message).toMatch(/mixed-patch-level/);
    expect(h.rollingRuns).toEqual([]);
    expect(h.gateway.calls.filter((c) => MUTATING.includes(c.name))).toEqual([]);
    expect(await h.builds()).toEqual({ NODE1: 20349, NODE2: 20349, NODE3: 20349 });
  });

  it('refuses a failing Test-Cluster before the scan, touching nothing', async () => {
    const h = open(aFeatureCluster('VAL', 3, {}, { validation: { failed: ['Network'], warning: ['Inventory'] } }));
    const error = await refusal(runFeatureUpdate(profileOf({ wuConnected: true }), h.deps()));
    expect(error.exitCode).toBe(5);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toMatch(/Test-Cluster failed \(\d passed, 1 warning \(Inventory\), 1 failed \(Network\)\)/);
    expect(h.gateway.named('scan-updates')).toEqual([]);
    expect(h.rollingRuns).toEqual([]);
    expect(h.gateway.calls.filter((c) => MUTATING.includes(c.name))).toEqual([]);
  });

  it('refuses when this host is a node of the cluster', async () => {
    const h = open(aFeatureCluster('MEMBER', 2));
    const error = await refusal(runFeatureUpdate(profileOf({ wuConnected: true }), h.deps({ coordinatorHost: 'node2.contoso.com' })));
    expect(error).toMatchObject({ code: 'COORDINATOR_IS_MEMBER', exitCode: 5 });
    expect(h.gateway.calls.map((c) => c.name)).toEqual(['get-cluster']);
  });

  it('refuses a cluster that fails a readiness rule, and --prepare fixes remoting first', async () => {
    const cluster = aFeatureCluster('PREP', 2, { NODE2: { setup: { psRemotingEnabled: false, remoteShutdownFirewallEnabled: false } } });
    const h = open(cluster);
    const error = await refusal(runFeatureUpdate(profileOf({ wuConnected: true }), h.deps()));
    expect(error).toMatchObject({ code: 'READINESS_FAILED', exitCode: 5 });
    expect(error.hint).toMatch(/--prepare/);
    expect(h.rollingRuns).toEqual([]);

    const prepared = await runFeatureUpdate(profileOf({ wuConnected: true, prepare: true }), h.deps());
    expect(prepared.steps[1]).toEqual({ step: 'prepare', status: 'Succeeded', detail: 'NODE2: Enable-PSRemoting, Enabled the Remote Shutdown firewall rule group' });
    expect(prepared.status).toBe('Succeeded');
  });

  it('raises the functional level only when every node runs the new build: a failed node keeps it', async () => {
    // NODE2's upgrade fails once; with no retry the run finishes PartiallyFailed (budget 1 of 3).
    const h = open(aFeatureCluster('LVL', 3, { NODE2: { faults: [{ kind: 'installFails', times: 1, errorCode: '0x8007042B' }] } }, { functionalLevel: 11 }));
    const profile = profileOf({ wuConnected: true, updateClusterFunctionalLevel: true, maxRetriesPerNode: '0' });
    const result = await runFeatureUpdate(profile, h.deps());
    expect(result.status).toBe('PartiallyFailed');
    expect(exitCodeFor(result)).toBe(6);
    expect(result.buildsAfter).toEqual({ NODE1: 26100, NODE2: 20348, NODE3: 26100 });
    expect(statusOf(result, 'functional-level')).not.toContain('Succeeded');
    expect(result.functionalLevel).toBe(11);
    expect(await h.level()).toBe(11);
    expect(h.gateway.named('update-functional-level').filter((c) => (c.params as { whatIf: boolean }).whatIf === false)).toEqual([]);

    // The operator fixes NODE2 and runs again: the nodes already on the new build are not a mixed offer,
    // NODE2 is upgraded, and only then is the level raised.
    const resumed = await runFeatureUpdate(profile, h.deps());
    expect(resumed.status).toBe('Succeeded');
    expect(resumed.steps.find((x) => x.step === 'scan')!.detail).toBe('NODE2 offered Feature update to Windows Server 2025; NODE1, NODE3 already upgraded (build 26100, 26100)');
    expect(resumed.buildsAfter).toEqual({ NODE1: 26100, NODE2: 26100, NODE3: 26100 });
    expect(statusOf(resumed, 'functional-level')).toEqual(['Succeeded']);
    expect(await h.level()).toBe(12);
    h.sim.noteRunEnd();
    expect(h.sim.audit().violations).toEqual([]);
  }, 20_000);

  it('a run reported Succeeded while a node kept the old build does not raise the level (MixedBuilds)', async () => {
    const h = open(aFeatureCluster('MIX', 3, { NODE3: { faults: [{ kind: 'installFails', times: 1, errorCode: '0x8007042B' }] } }, { functionalLevel: 11 }));
    const deps = h.deps();
    // A rolling run that hides NODE3's failure: the flow must probe the builds itself.
    const lying = async (p: RunProfile): Promise<RunResult> => ({ ...(await deps.rolling(p)), status: 'Succeeded', errorRecord: null });
    const result = await runFeatureUpdate(profileOf({ wuConnected: true, updateClusterFunctionalLevel: true, maxRetriesPerNode: '0' }), { ...deps, rolling: lying });
    expect(result.status).toBe('Failed');
    expect(result.errorRecord?.code).toBe('MixedBuilds');
    expect(statusOf(result, 'functional-level')).toEqual(['Failed']);
    expect(await h.level()).toBe(11);
  }, 20_000);

  it('restarts Storage Replica nodes a second time, rolling, then raises the level', async () => {
    const h = open(aFeatureCluster('SR01', 3, {}, { storage: { s2d: true, storageReplica: true } }));
    const result = await runFeatureUpdate(profileOf({ pathToSetupMedia: 'D:\\WS2025', updateClusterFunctionalLevel: true, storageReplicaRestart: true }), h.deps());
    expect(result.status).toBe('Succeeded');
    expect(statusOf(result, 'storage-replica-restart')).toEqual(['Succeeded']);
    expect(statusOf(result, 'functional-level')).toEqual(['Succeeded']);
    expect(h.rollingRuns[0]!.plugins[0]!.arguments).toEqual({ WuConnected: 'false', PathToSetupMedia: 'D:\\WS2025' });
    // Two restarts per node: the upgrade's and the second one, full (never soft).
    const restarts = h.gateway.named('restart-node');
    expect(restarts.map((c) => c.node).sort()).toEqual(['NODE1', 'NODE1', 'NODE2', 'NODE2', 'NODE3', 'NODE3']);
    expect(restarts.slice(3).every((c) => (c.params as { soft: boolean }).soft === false)).toBe(true);
    expect(h.confirmQuestions).toEqual([]);
    h.sim.noteRunEnd();
    const audit = h.sim.audit();
    expect(audit.violations).toEqual([]);
    expect(audit.maxNodesOutOfService).toBe(1);
    // Every node is back Up, and the cluster lock was released.
    const cluster = await h.gateway.call('SR01', 'get-cluster', {});
    expect(cluster.nodes.map((n) => n.state)).toEqual(['Up', 'Up', 'Up']);
    expect((await h.gateway.call('SR01', 'get-cluster-property', { name: 'CauctlRunLock' })).value).toBeNull();
  }, 20_000);

  it('asks before the Storage Replica restart; declined, it warns and leaves the level for post-install', async () => {
    const h = open(aFeatureCluster('SR02', 2, {}, { storage: { s2d: true, storageReplica: true } }));
    const result = await runFeatureUpdate(profileOf({ wuConnected: true, updateClusterFunctionalLevel: true }), h.deps());
    expect(h.confirmQuestions).toEqual([expect.stringMatching(/^Storage Replica is in use .*second restart/)]);
    expect(statusOf(result, 'storage-replica-restart')).toEqual(['Skipped']);
    expect(statusOf(result, 'functional-level')).toEqual(['Skipped']);
    expect(result.warnings).toContainEqual(expect.stringMatching(/Storage Replica is in use: restart every node a second time/));
    expect(h.gateway.named('restart-node')).toHaveLength(2);
  }, 20_000);
});

describe('resumeFeatureUpdate: the steps after the rolling run, each once (feature-update --resume)', () => {
  /** The journal an interrupted feature update left: started, its rolling run, and `steps` done after it. */
  function journalOf(steps: Array<Record<string, unknown>>): MemoryJournal {
    const journal = new MemoryJournal();
    const at = '2026-01-01T00:00:00.000Z';
    journal.append({ type: 'feature-update-started', runId: 'fu-1', clusterName: 'SR03', source: { wuConnected: false, pathToSetupMedia: 'D:\\WS2025' }, offer: FEATURE.title, buildsBefore: { NODE1: 20348, NODE2: 20348, NODE3: 20348 }, updateClusterFunctionalLevel: true, storageReplicaRestart: 'yes' }, at);
    journal.append({ type: 'feature-update-rolling', runId: 'run-0' }, at);
    for (const step of steps) journal.append({ type: 'feature-update-step', ...step }, at);
    return journal;
  }

  it('restarts only the nodes not yet restarted a second time, raises the level once, and skips the pre-checks', async () => {
    const h = open(aFeatureCluster('SR03', 3, {}, { storage: { s2d: true, storageReplica: true }, functionalLevel: 11 }));
    // The upgrade itself went through before the interruption (no journal here: a plain pass, no steps after it).
    await runFeatureUpdate(profileOf({ wuConnected: true, noStorageReplicaRestart: true }), h.deps());
    expect(Object.values(await h.builds())).toEqual([26100, 26100, 26100]);
    const upgradeRestarts = h.gateway.named('restart-node').length;
    const before = h.gateway.calls.length;

    const journal = journalOf([{ step: 'storage-replica-restart', node: 'NODE1', detail: 'NODE1 restarted and resumed; storage is healthy.' }]);
    const point = featureResumePoint(journal.records(), undefined);
    expect(point).toMatchObject({ id: 'fu-1', rollingRunId: 'run-0', restarted: ['NODE1'], functionalLevel: null, updateClusterFunctionalLevel: true });
    // The source is the one it started with; the first choices of the steps after the rolling run stand.
    const profile = resumedProfile(parseFeatureUpdateProfile({ wuConnected: true }).profile, point, { storageReplicaRestart: false });
    expect(profile).toMatchObject({ source: { wuConnected: false, pathToSetupMedia: 'D:\\WS2025' }, updateClusterFunctionalLevel: true, storageReplicaRestart: 'yes' });

    const result = await resumeFeatureUpdate(profile, h.deps({ feature: { id: 'fu-1', journal } }), point);
    expect(result.status).toBe('Succeeded');
    expect(result.steps.map((x) => `${x.step} ${x.status}`)).toEqual(['coordinator Succeeded', 'resume Succeeded', 'rolling-run Succeeded', 'storage-replica-restart Succeeded', 'functional-level Succeeded']);
    const calls = h.gateway.calls.slice(before);
    // No readiness, Test-Cluster or same-offer scan before the rolling run.
    expect(calls.filter((c) => c.name === 'test-cluster' || c.name === 'get-node-setup')).toEqual([]);
    expect(h.rollingRuns.at(-1)!.plugins[0]!.arguments).toEqual({ WuConnected: 'false', PathToSetupMedia: 'D:\\WS2025' });
    expect(h.gateway.named('restart-node').slice(upgradeRestarts).map((c) => c.node)).toEqual(['NODE2', 'NODE3']);
    expect(await h.level()).toBe(12);
    const typed = journal.records().map((r) => `${r.type}${typeof r['node'] === 'string' ? ` ${String(r['node'])}` : ''}${typeof r['step'] === 'string' ? ` ${String(r['step'])}` : ''}`);
    expect(typed.slice(3)).toEqual(['feature-update-step NODE2 storage-replica-restart', 'feature-update-step NODE3 storage-replica-restart', 'feature-update-step functional-level', 'feature-update-completed']);

    // Resumed again from a journal where everything after the rolling run is done: nothing is repeated.
    const again = featureResumePoint(journal.records(), undefined);
    const mark = h.gateway.calls.length;
    const second = await resumeFeatureUpdate(profile, h.deps({ feature: { id: 'fu-1', journal: new MemoryJournal(journal.records()) } }), again);
    expect(second.steps.map((x) => `${x.step} ${x.status}`).slice(3)).toEqual(['storage-replica-restart AlreadyDone', 'functional-level AlreadyDone']);
    expect(h.gateway.calls.slice(mark).filter((c) => c.name === 'restart-node' || (c.name === 'update-functional-level' && (c.params as { whatIf: boolean }).whatIf === false))).toEqual([]);
    h.sim.noteRunEnd();
    expect(h.sim.audit().violations).toEqual([]);
  }, 30_000);

  it('a new feature update journals itself from its first change on; one refused before that writes nothing', async () => {
    const h = open(aFeatureCluster('JRN', 2, {}, { validation: { failed: ['Network'] } }));
    const refusedJournal = new MemoryJournal();
    await refusal(runFeatureUpdate(profileOf({ wuConnected: true }), h.deps({ feature: { id: 'fu-r', journal: refusedJournal } })));
    expect(refusedJournal.records()).toEqual([]);

    const ok = open(aFeatureCluster('JRN2', 2));
    const journal = new MemoryJournal();
    const result = await runFeatureUpdate(profileOf({ wuConnected: true }), ok.deps({ feature: { id: 'fu-2', journal } }));
    expect(result.status).toBe('Succeeded');
    expect(journal.records().map((r) => r.type)).toEqual(['feature-update-started', 'feature-update-completed']);
    expect(journal.records()[0]).toMatchObject({ runId: 'fu-2', clusterName: 'JRN2', source: { wuConnected: true }, offer: FEATURE.title, buildsBefore: { NODE1: 20348, NODE2: 20348 } });
  }, 20_000);
});
