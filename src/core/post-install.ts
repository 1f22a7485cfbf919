/**
 * The finishing steps after a feature update (cau-surface.md §11): the functional level (feasibility first,
 * irreversible), Update-StoragePool on every non-primordial pool, optional VM configuration versions and a
 * live-migration check, then Test-Cluster. Each step is shown, a step already done is reported as such, so a
 * second run does nothing; `whatIf` only reads. Depends on the gateway and core modules only; the
 * confirmation is injected.
 */
import type { ClusterGateway } from '../cluster/gateway.js';
import type { TestClusterSummary } from '../cluster/operations-feature.js';
import type { ClusterInfo, OperationResult } from '../cluster/operations.js';
import { describeError, refusedError } from '../errors.js';
import type { RunStatus } from './events.js';
import { refusingUnreadableNativeCau } from './native-cau-unreadable.js';
import { describeValidation, probeBuilds, validationCategories, type StepRecord } from './feature-update.js';
import type { ErrorRecord } from './types.js';

export interface PostInstallProfile {
  readonly whatIf: boolean;
  /** VMs whose configuration version to update: names, or every VM. Absent: the step is skipped. */
  readonly updateVmVersion?: 'all' | readonly string[];
  /** Stop running VMs for their update (and start them again); otherwise only stopped VMs are updated. */
  readonly stopVms: boolean;
  readonly testLiveMigration: boolean;
}

export interface PostInstallDeps {
  readonly gateway: ClusterGateway;
  readonly entry: string;
  /**
   * Asks for the irreversible steps (listed in `summary`); false refuses them. The CLI grants it with
   * --force or the cluster's name typed back on a TTY.
   */
  readonly confirmIrreversible: (clusterName: string, summary: readonly string[]) => Promise<boolean>;
  readonly progress: (line: string) => void;
}

export interface VmReport {
  readonly vm: string;
  readonly node: string;
  readonly status: StepRecord['status'];
  readonly versionBefore: string;
  readonly versionAfter: string;
  readonly detail: string;
}

export interface PostInstallNodeResult {
  readonly node: string;
  readonly status: RunStatus;
  readonly osBuild: number;
  readonly vms: readonly VmReport[];
}

export interface PostInstallResult {
  readonly schemaVersion: 1;
  readonly clusterName: string;
  readonly whatIf: boolean;
  readonly status: RunStatus;
  readonly errorRecord: ErrorRecord | null;
  readonly steps: readonly StepRecord[];
  readonly nodeResults: readonly PostInstallNodeResult[];
  readonly functionalLevel: number;
  readonly pools: ReadonlyArray<{ readonly friendlyName: string; readonly version: string }>;
  readonly validation: TestClusterSummary | null;
}

async function updateVms(g: ClusterGateway, nodes: readonly string[], profile: PostInstallProfile, step: (s: StepRecord) => void): Promise<VmReport[]> {
  const reports: VmReport[] = [];
  const wanted = profile.updateVmVersion === 'all' ? null : new Set((profile.updateVmVersion ?? []).map((n) => n.toLowerCase()));
  const seen = new Set<string>();
  for (const node of nodes) {
    const host = await g.call(node, 'get-vms', {});
    for (const vm of host.vms) {
      if (wanted !== null && !wanted.has(vm.name.toLowerCase())) continue;
      seen.add(vm.name.toLowerCase());
      const base = { vm: vm.name, node, versionBefore: vm.configurationVersion };
      if (vm.configurationVersion === host.defaultVersion) {
        reports.push({ ...base, status: 'AlreadyDone', versionAfter: vm.configurationVersion, detail: `already at ${host.defaultVersion}` });
        continue;
      }
      const running = vm.state !== 'Off';
      if (running && (!profile.stopVms || vm.state !== 'Running')) {
        reports.push({ ...base, status: 'Skipped', versionAfter: vm.configurationVersion, detail: `${vm.state}; only stopped VMs are updated unless --stop-vms is given` });
        continue;
      }
      if (profile.whatIf) {
        reports.push({ ...base, status: 'WouldRun', versionAfter: host.defaultVersion, detail: running ? `would stop, update to ${host.defaultVersion} and start again` : `would update to ${host.defaultVersion}` });
        continue;
      }
      let stopped = false;
      try {
        if (running) {
          await g.call(node, 'set-vm-state', { name: vm.name, state: 'Off' });
          stopped = true;
        }
        const updated = await g.call(node, 'update-vm-version', { name: vm.name });
        if (stopped) await g.call(node, 'set-vm-state', { name: vm.name, state: 'Running' });
        stopped = false;
        reports.push({ ...base, status: updated.updated ? 'Succeeded' : 'AlreadyDone', versionAfter: updated.versionAfter, detail: running ? 'stopped, updated and started again' : 'updated (it stays off)' });
      } catch (error) {
        // A VM we stopped must not stay off because its update failed: its workload comes first.
        let restart = '';
        if (stopped) {
          try {
            await g.call(node, 'set-vm-state', { name: vm.name, state: 'Running' });
            restart = '; it was started again';
          } catch (startError) {
            restart = `; it is still off, and starting it failed: ${describeError(startError)}`;
          }
        }
        reports.push({ ...base, status: 'Failed', versionAfter: vm.configurationVersion, detail: `${describeError(error)}${restart}` });
      }
    }
  }
  if (wanted !== null) {
    for (const name of profile.updateVmVersion as readonly string[]) {
      if (!seen.has(name.toLowerCase())) reports.push({ vm: name, node: '', status: 'Failed', versionBefore: '', versionAfter: '', detail: 'no Up node hosts a VM of that name' });
    }
  }
  const count = (s: StepRecord['status']): number => reports.filter((r) => r.status === s).length;
  const failed = count('Failed');
  step({
    step: 'vm-version',
    status: failed > 0 ? 'Failed' : count('Succeeded') > 0 ? 'Succeeded' : count('WouldRun') > 0 ? 'WouldRun' : reports.length > 0 && count('AlreadyDone') === reports.length ? 'AlreadyDone' : 'Skipped',
    detail: `${count('Succeeded')} updated, ${count('AlreadyDone')} already current, ${count('Skipped')} skipped, ${count('WouldRun')} would be updated, ${failed} failed`,
  });
  return reports;
}

async function testLiveMigration(g: ClusterGateway, entry: string, upNodes: readonly string[], whatIf: boolean, step: (s: StepRecord) => void): Promise<void> {
  for (const node of upNodes) {
    const vm = (await g.call(node, 'get-vms', {})).vms.find((v) => v.state === 'Running');
    const target = upNodes.find((n) => n !== node);
    if (vm === undefined || target === undefined) continue;
    if (whatIf) {
      step({ step: 'live-migration', status: 'WouldRun', detail: `would move ${vm.name} from ${node} to ${target} and back` });
      return;
    }
    try {
      const there = await g.call(entry, 'move-vm', { name: vm.name, node: target });
      const back = await g.call(entry, 'move-vm', { name: vm.name, node });
      step({ step: 'live-migration', status: 'Succeeded', detail: `${vm.name} moved ${node} → ${there.ownerNode} → ${back.ownerNode} while running` });
    } catch (error) {
      step({ step: 'live-migration', status: 'Failed', detail: describeError(error) });
    }
    return;
  }
  step({ step: 'live-migration', status: 'Skipped', detail: 'no running VM and second Up node to move it to' });
}

/** Step 1: every node Up and on one build, then the cmdlet's own test; refuses (exit 5) before touching. */
async function checkFeasible(deps: PostInstallDeps, cluster: ClusterInfo, names: readonly string[]): Promise<{ builds: Record<string, number>; build: number; levelDue: boolean }> {
  const down = cluster.nodes.filter((n) => n.state !== 'Up');
  const builds = down.length === 0 ? await probeBuilds(deps.gateway, names) : {};
  const distinct = new Set(Object.values(builds));
  if (down.length > 0 || distinct.size !== 1) {
    const why = down.length > 0 ? `${down.map((n) => `${n.name} is ${n.state}`).join(', ')}` : `the nodes run different builds (${Object.entries(builds).map(([n, b]) => `${n} ${b}`).join(', ')})`;
    throw refusedError('FUNCTIONAL_LEVEL_NOT_FEASIBLE', `The finishing steps need every node Up and on the same new build, but ${why}. Nothing was touched.`, {
      hint: 'Finish the feature update first (cauctl feature-update), and resume paused nodes (cauctl run --resume-node <name>).',
    });
  }
  const feasibility = await deps.gateway.call(deps.entry, 'update-functional-level', { whatIf: true });
  if (!feasibility.feasible) {
    throw refusedError('FUNCTIONAL_LEVEL_NOT_FEASIBLE', `Update-ClusterFunctionalLevel -WhatIf refused: ${feasibility.message} Nothing was touched.`);
  }
  return { builds, build: [...distinct][0]!, levelDue: feasibility.pending !== false };
}

type Pool = OperationResult<'get-storage-pools'>['pools'][number];

/**
 * Step 2: the functional level, then the pools (a pool follows the level). A failed step is a Failed record,
 * not an exception: the steps already done stay in the result, and a second run finishes what is left.
 * Returns the pools as they are after it.
 */
async function raiseLevelAndPools(deps: PostInstallDeps, cluster: ClusterInfo, levelDue: boolean, pools: Pool[], due: Pool[], step: (s: StepRecord) => void): Promise<Pool[]> {
  const g = deps.gateway;
  let levelFailed = false;
  let poolsDue = due;
  if (levelDue) {
    try {
      const raised = await g.call(deps.entry, 'update-functional-level', { whatIf: false });
      step({ step: 'functional-level', status: raised.updated ? 'Succeeded' : 'AlreadyDone', detail: raised.message });
      pools = (await g.call(deps.entry, 'get-storage-pools', {})).pools;
      poolsDue = pools.filter((p) => p.upgradeAvailable !== false);
    } catch (error) {
      levelFailed = true;
      step({ step: 'functional-level', status: 'Failed', detail: describeError(error) });
    }
  } else {
    step({ step: 'functional-level', status: 'AlreadyDone', detail: `already current (${cluster.functionalLevel})` });
  }
  for (const p of pools) {
    if (!poolsDue.includes(p)) {
      step({ step: 'storage-pool', status: 'AlreadyDone', detail: `${p.friendlyName} already at ${p.version}` });
    } else if (levelFailed) {
      step({ step: 'storage-pool', status: 'Skipped', detail: `${p.friendlyName} waits for the functional level` });
    } else {
      try {
        const r = await g.call(deps.entry, 'update-storage-pool', { friendlyName: p.friendlyName });
        step({ step: 'storage-pool', status: r.updated ? 'Succeeded' : 'AlreadyDone', detail: r.updated ? `${r.friendlyName}: ${r.versionBefore} → ${r.versionAfter}` : `${r.friendlyName} already at ${r.versionAfter}` });
      } catch (error) {
        step({ step: 'storage-pool', status: 'Failed', detail: `${p.friendlyName}: ${describeError(error)}` });
      }
    }
  }
  return pools;
}

export async function runPostInstall(profile: PostInstallProfile, deps: PostInstallDeps): Promise<PostInstallResult> {
  const g = deps.gateway;
  const steps: StepRecord[] = [];
  const step = (s: StepRecord): void => {
    steps.push(s);
    deps.progress(`${s.step}: ${s.status} — ${s.detail}`);
  };
  let cluster = await refusingUnreadableNativeCau(() => g.call(deps.entry, 'get-cluster', {}), `post-install will not change ${deps.entry}`, 'run post-install again');
  const names = cluster.nodes.map((n) => n.name);
  const { builds, build, levelDue } = await checkFeasible(deps, cluster, names);
  let pools = (await g.call(deps.entry, 'get-storage-pools', {})).pools;
  // A pool follows the functional level: once the level is raised, every pool may have a newer version.
  const poolsDue = levelDue ? pools : pools.filter((p) => p.upgradeAvailable !== false);
  const irreversible = [
    ...(levelDue ? [`Update-ClusterFunctionalLevel on ${cluster.name} (now ${cluster.functionalLevel})`] : []),
    ...poolsDue.map((p) => `Update-StoragePool on ${p.friendlyName} (now ${p.version})`),
  ];
  if (profile.whatIf) {
    step({ step: 'functional-level', status: levelDue ? 'WouldRun' : 'AlreadyDone', detail: levelDue ? `would raise the functional level (now ${cluster.functionalLevel}); it cannot be undone` : `already current (${cluster.functionalLevel})` });
    for (const p of pools) step({ step: 'storage-pool', status: poolsDue.includes(p) ? 'WouldRun' : 'AlreadyDone', detail: poolsDue.includes(p) ? `would run Update-StoragePool on ${p.friendlyName} (now ${p.version})${levelDue ? ', after the functional level' : ''}` : `${p.friendlyName} already at ${p.version}` });
  } else if (irreversible.length > 0 && !(await deps.confirmIrreversible(cluster.name, irreversible))) {
    throw refusedError('NOT_CONFIRMED', `The irreversible steps were not confirmed; nothing was touched.`);
  } else {
    pools = await raiseLevelAndPools(deps, cluster, levelDue, pools, poolsDue, step);
  }
  if (pools.length === 0) step({ step: 'storage-pool', status: 'Skipped', detail: 'no non-primordial storage pool' });

  // 3. VM configuration versions, optional.
  const vmReports = profile.updateVmVersion !== undefined ? await updateVms(g, names, profile, step) : [];
  if (profile.updateVmVersion === undefined) step({ step: 'vm-version', status: 'Skipped', detail: 'not asked (--update-vm-version <names|all>)' });

  // 4. Live migration, optional.
  if (profile.testLiveMigration) await testLiveMigration(g, deps.entry, names, profile.whatIf, step);

  // 5. Test-Cluster.
  let validation: TestClusterSummary | null = null;
  if (profile.whatIf) {
    step({ step: 'validation', status: 'WouldRun', detail: 'would run Test-Cluster and summarise it' });
  } else {
    validation = await g.call(deps.entry, 'test-cluster', { include: validationCategories(build, cluster.s2dEnabled) });
    step({ step: 'validation', status: validation.failed.length > 0 ? 'Failed' : 'Succeeded', detail: describeValidation(validation) });
  }

  cluster = await g.call(deps.entry, 'get-cluster', {});
  const finalPools = profile.whatIf ? pools : (await g.call(deps.entry, 'get-storage-pools', {})).pools;
  const failedSteps = steps.filter((s) => s.status === 'Failed');
  const nodeResults: PostInstallNodeResult[] = names.map((node) => {
    const vms = vmReports.filter((r) => r.node === node);
    return { node, status: vms.some((v) => v.status === 'Failed') ? 'Failed' : 'Succeeded', osBuild: builds[node] ?? build, vms };
  });
  return {
    schemaVersion: 1,
    clusterName: cluster.name,
    whatIf: profile.whatIf,
    status: failedSteps.length === 0 ? 'Succeeded' : failedSteps.length === steps.length ? 'Failed' : 'PartiallyFailed',
    errorRecord: failedSteps.length === 0 ? null : { code: 'PostInstallStepFailed', message: failedSteps.map((s) => `${s.step}: ${s.detail}`).join('; ') },
    steps,
    nodeResults,
    functionalLevel: cluster.functionalLevel,
    pools: finalPools.map((p) => ({ friendlyName: p.friendlyName, version: p.version })),
    validation,
  };
}
