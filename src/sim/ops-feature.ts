/**
 * The feature-update operations against the model: remoting preparation, Test-Cluster, the functional level,
 * storage pool versions, VM state and configuration versions, live migration and Storage Replica, taking
 * virtual time as the cmdlets would. Spread into `opHandlers`. Depends on the model and the catalogue's
 * types; never on a transport.
 */
import type { OperationParams, OperationResult } from '../cluster/operations.js';
import { ScriptErrorCode } from '../cluster/operations.js';
import type { featureOperations } from '../cluster/operations-feature.js';
import type { ClusterModel } from './cluster-model.js';
import { poolVersionFor, vmVersionFor, type SimFeatureState, type SimVmState } from './feature-state.js';
import { requireNetworkLogon } from './network-logon.js';
import { OpFailure, sleepSeconds, requireCluster, type OpContext } from './op-context.js';

type FeatureOp = keyof typeof featureOperations;
type Handler<N extends FeatureOp> = (ctx: OpContext, params: OperationParams<N>) => Promise<OperationResult<N>>;

/** Virtual seconds per Test-Cluster category (validation is slow: minutes for a whole cluster). */
const VALIDATION_SECONDS_PER_CATEGORY = 20;
const QUICK_SECONDS = 1;
const VM_STATE_SECONDS = 30;
const POOL_UPDATE_SECONDS = 5;

/** The feature facts, created for a state saved before they existed (from the state alone). */
function feature(m: ClusterModel): SimFeatureState {
  if (m.state.feature === undefined) {
    const clusterBuild = Math.min(...m.state.nodes.map((n) => n.osBuild));
    const vms: Record<string, SimVmState> = {};
    for (const r of m.state.roles) vms[r.name] = { state: 'Running', configurationVersion: vmVersionFor(clusterBuild) };
    m.state.feature = { clusterBuild, poolVersion: poolVersionFor(clusterBuild), storageReplica: false, validation: { warning: [], failed: [] }, vms };
    m.markFeature();
    m.dirty = true;
  }
  return m.state.feature;
}

function vmOf(m: ClusterModel, role: string): SimVmState {
  const f = feature(m);
  let vm = f.vms[role];
  if (vm === undefined) {
    vm = { state: 'Running', configurationVersion: vmVersionFor(f.clusterBuild) };
    f.vms[role] = vm;
  }
  return vm;
}

/** The role of a VM hosted on this node, as Get-VM -Name on that host would find it. */
function hostedVm(ctx: OpContext, name: string): { role: { name: string; owner: string }; vm: SimVmState } {
  const role = ctx.model.state.roles.find((r) => r.name.toLowerCase() === name.toLowerCase() && r.owner === ctx.node.name);
  if (!role) throw new OpFailure(ScriptErrorCode.scriptError, `Hyper-V was unable to find a virtual machine with name "${name}" on ${ctx.node.name}.`);
  return { role, vm: vmOf(ctx.model, role.name) };
}

/** Every node Up (none Paused or Down) and on one build, with no upgrade waiting for a restart. */
function levelFeasibility(m: ClusterModel): { feasible: boolean; build: number; message: string } {
  const notUp = m.state.nodes.filter((n) => n.clusterState !== 'Up');
  if (notUp.length > 0) return { feasible: false, build: 0, message: `${notUp.map((n) => `${n.name} is ${n.clusterState}`).join(', ')}; every node must be Up.` };
  const pending = m.state.nodes.filter((n) => n.pendingOsBuild !== undefined);
  if (pending.length > 0) return { feasible: false, build: 0, message: `${pending.map((n) => n.name).join(', ')} must restart to finish the upgrade.` };
  const builds = new Set(m.state.nodes.map((n) => n.osBuild));
  if (builds.size > 1) return { feasible: false, build: 0, message: `the nodes run different builds (${[...builds].sort().join(', ')}); upgrade every node first.` };
  return { feasible: true, build: [...builds][0]!, message: 'every node is Up and on the same build' };
}

const handlers: { [N in FeatureOp]: Handler<N> } = {
  'prepare-remoting': async (ctx) => {
    const s = ctx.node.setup;
    const applied: string[] = [];
    if (!s.winrmServiceAutomatic || !s.wmiRemotingEnabled) {
      s.winrmServiceAutomatic = true;
      s.wmiRemotingEnabled = true;
      applied.push('Set-WSManQuickConfig');
    }
    if (!s.psRemotingEnabled) {
      s.psRemotingEnabled = true;
      applied.push('Enable-PSRemoting');
    }
    if (!s.remoteShutdownFirewallEnabled) {
      s.remoteShutdownFirewallEnabled = true;
      applied.push('Enabled the Remote Shutdown firewall rule group');
    }
    if (applied.length > 0) ctx.model.touch(ctx.node);
    await sleepSeconds(ctx, QUICK_SECONDS);
    return { node: ctx.node.name, applied };
  },

  'test-cluster': async (ctx, p) => {
    requireCluster(ctx);
    requireNetworkLogon(ctx, p.networkCredential, 'Test-Cluster');
    const m = ctx.model;
    const f = feature(m);
    await sleepSeconds(ctx, VALIDATION_SECONDS_PER_CATEGORY * p.include.length);
    const passed: string[] = [];
    const warning: string[] = [];
    const failed: string[] = [];
    const messages: string[] = [];
    const builds = new Set(m.state.nodes.map((n) => n.osBuild));
    const down = m.state.nodes.filter((n) => n.clusterState === 'Down');
    for (const category of p.include) {
      const key = category.toLowerCase();
      if (f.validation.failed.some((c) => c.toLowerCase() === key)) {
        failed.push(category);
        messages.push(`${category}: failed (modelled outcome).`);
      } else if (key === 'inventory' && down.length > 0) {
        failed.push(category);
        messages.push(`${category}: ${down.map((n) => n.name).join(', ')} could not be reached.`);
      } else if (f.validation.warning.some((c) => c.toLowerCase() === key)) {
        warning.push(category);
        messages.push(`${category}: warnings (modelled outcome).`);
      } else if (key === 'system configuration' && builds.size > 1) {
        warning.push(category);
        messages.push(`${category}: the nodes run different operating system builds (${[...builds].sort().join(', ')}).`);
      } else {
        passed.push(category);
      }
    }
    return { passed, warning, failed, messages, reportPath: `C:\\Windows\\Cluster\\Reports\\Validation Report ${new Date(m.now).toISOString().slice(0, 10)}.htm` };
  },

  'update-functional-level': async (ctx, p) => {
    requireCluster(ctx);
    const m = ctx.model;
    const f = feature(m);
    const verdict = levelFeasibility(m);
    await sleepSeconds(ctx, QUICK_SECONDS);
    if (!verdict.feasible) {
      return { functionalLevel: m.state.functionalLevel, feasible: false, updated: false, pending: null, message: verdict.message };
    }
    const pending = verdict.build > f.clusterBuild;
    if (p.whatIf || !pending) {
      return { functionalLevel: m.state.functionalLevel, feasible: true, updated: false, pending, message: pending ? 'The functional level can be raised.' : 'The functional level is already current.' };
    }
    m.state.functionalLevel += 1;
    f.clusterBuild = verdict.build;
    m.dirty = true;
    return { functionalLevel: m.state.functionalLevel, feasible: true, updated: true, pending: false, message: `Raised the functional level to ${m.state.functionalLevel}.` };
  },

  'get-storage-pools': async (ctx) => {
    requireCluster(ctx);
    const m = ctx.model;
    const f = feature(m);
    await sleepSeconds(ctx, QUICK_SECONDS);
    if (!m.state.s2d) return { pools: [] };
    const health = m.storageView().pools[0]?.healthStatus ?? 'Healthy';
    return { pools: [{ friendlyName: m.state.poolName, version: f.poolVersion, healthStatus: health, upgradeAvailable: f.poolVersion !== poolVersionFor(f.clusterBuild) }] };
  },

  'update-storage-pool': async (ctx, p) => {
    requireCluster(ctx);
    const m = ctx.model;
    const f = feature(m);
    if (!m.state.s2d || p.friendlyName.toLowerCase() !== m.state.poolName.toLowerCase()) {
      throw new OpFailure(ScriptErrorCode.scriptError, `No storage pool named '${p.friendlyName}' was found.`);
    }
    await sleepSeconds(ctx, POOL_UPDATE_SECONDS);
    const before = f.poolVersion;
    // The pool follows the functional level: until it is raised, the pool stays at the old version.
    f.poolVersion = poolVersionFor(f.clusterBuild);
    if (f.poolVersion !== before) m.dirty = true;
    return { friendlyName: m.state.poolName, versionBefore: before, versionAfter: f.poolVersion, updated: f.poolVersion !== before };
  },

  'get-vms': async (ctx) => {
    const m = ctx.model;
    await sleepSeconds(ctx, QUICK_SECONDS);
    const vms = m.state.roles
      .filter((r) => r.owner === ctx.node.name)
      .map((r) => {
        const vm = vmOf(m, r.name);
        return { name: r.name, state: vm.state, configurationVersion: vm.configurationVersion };
      });
    return { node: ctx.node.name, defaultVersion: vmVersionFor(ctx.node.osBuild), vms };
  },

  'set-vm-state': async (ctx, p) => {
    const { role, vm } = hostedVm(ctx, p.name);
    if (vm.state === p.state) return { name: role.name, state: vm.state, changed: false };
    await sleepSeconds(ctx, VM_STATE_SECONDS);
    vm.state = p.state;
    ctx.model.dirty = true;
    return { name: role.name, state: vm.state, changed: true };
  },

  'update-vm-version': async (ctx, p) => {
    const { role, vm } = hostedVm(ctx, p.name);
    if (vm.state !== 'Off') {
      throw new OpFailure('VM_RUNNING', `Update-VMVersion: the virtual machine ${role.name} must be turned off first (it is ${vm.state}).`);
    }
    await sleepSeconds(ctx, QUICK_SECONDS);
    const before = vm.configurationVersion;
    vm.configurationVersion = vmVersionFor(ctx.node.osBuild);
    if (vm.configurationVersion !== before) ctx.model.dirty = true;
    return { name: role.name, versionBefore: before, versionAfter: vm.configurationVersion, updated: vm.configurationVersion !== before };
  },

  'move-vm': async (ctx, p) => {
    requireCluster(ctx);
    const m = ctx.model;
    const role = m.state.roles.find((r) => r.name.toLowerCase() === p.name.toLowerCase());
    if (!role) throw new OpFailure(ScriptErrorCode.scriptError, `The clustered role '${p.name}' was not found.`);
    const target = m.node(p.node);
    if (!target || target.clusterState !== 'Up') {
      throw new OpFailure('MIGRATION_FAILED', `Live migration of ${role.name} to ${p.node} failed: the node is ${target ? target.clusterState : 'not a member'}.`);
    }
    if (vmOf(m, role.name).state !== 'Running') throw new OpFailure('MIGRATION_FAILED', `Live migration of ${role.name} failed: the virtual machine is not running.`);
    await sleepSeconds(ctx, m.state.timing.drainSecondsPerRole);
    if (role.owner !== target.name) {
      role.owner = target.name;
      m.touchRole(role);
    }
    return { name: role.name, ownerNode: role.owner, state: 'Online' };
  },

  'get-storage-replica': async (ctx) => {
    requireCluster(ctx);
    const f = feature(ctx.model);
    await sleepSeconds(ctx, QUICK_SECONDS);
    return { present: f.storageReplica, groups: f.storageReplica ? ctx.model.state.virtualDisks.map((d) => `rg-${d}`) : [] };
  },
};

/**
 * The feature operations as `opHandlers` takes them. Each may write the feature facts (VMs, pool, level),
 * across its own waits: they are marked written at its start and at its end, so that any save in between or
 * after compares them (see ClusterModel.written).
 */
export const featureOpHandlers = Object.fromEntries(
  Object.entries(handlers).map(([name, handler]) => [
    name,
    async (ctx: OpContext, params: never): Promise<unknown> => {
      ctx.model.markFeature();
      try {
        return await (handler as (c: OpContext, p: never) => Promise<unknown>)(ctx, params);
      } finally {
        ctx.model.markFeature();
      }
    },
  ]),
) as typeof handlers;
