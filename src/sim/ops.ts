/**
 * The operation catalogue implemented against the model: one handler per operation name, taking virtual
 * time through the clock as the real node-side script would. Depends on the model, the catalogue's types
 * and the plug-in helpers; never on a transport.
 */
import type {
  OperationName,
  OperationParams,
  OperationResult,
} from '../cluster/operations.js';
import { ScriptErrorCode } from '../cluster/operations.js';
import { isAppError } from '../errors.js';
import { DEFAULT_WUA_QUERY, evaluateWuaQuery, parseWuaQuery, type WuaQuery } from './wua-query.js';
import { roleOpHandlers } from './ops-role.js';
import { offlineOpHandlers } from './ops-offline.js';
import { featureOpHandlers } from './ops-feature.js';
import { auditSuspendDuringNativeRun, nativeCauOpHandlers, readNativeRunOrWhy } from './native-cau.js';
import { hotfixRulesFor } from './hotfix-folders.js';
import { requireNetworkLogon } from './network-logon.js';
import { scanScriptPlugin, scriptPluginTaskSeconds } from './ops-plugin.js';
import type { SimNodeState, SimTaskState } from './model-state.js';
import { isDrained, roleVm, runningRolesOf, startDrain, stopDrain } from './drain.js';
import { OpFailure, requireCluster, sleepSeconds, type OpContext } from './op-context.js';
import { quorumSurvivesOneMore, s2dMaintenanceBreaches, type PoolFacts, type WitnessVote } from './oracles.js';

export { OpFailure, type OpContext };

type Handler<N extends OperationName> = (ctx: OpContext, params: OperationParams<N>) => Promise<OperationResult<N>>;
export type OpHandlers = { [N in OperationName]: Handler<N> };

/** Seconds one suspend-node refusal costs (the cmdlet's own health check). */
const REFUSAL_SECONDS = 1;
const RESUME_SECONDS = 1;
const SCRIPT_SECONDS = 1;
/** The shortest step of suspend-node's poll, so that a drain ending "now" is still seen to end. */
const DRAIN_POLL_MIN_SECONDS = 1;

/**
 * Invariant 8, as observed: an install or restart of a node that is not drained (Paused, DrainStatus
 * Completed, no running role), unless a force switch accepted it. An offline update stops the whole cluster
 * on purpose; its own audit (auditOffline) judges the end state instead.
 */
function auditUndrained(ctx: OpContext, action: string): void {
  const m = ctx.model;
  const n = ctx.node;
  if (m.state.clusterStopped === true || standalone(n) || isDrained(m, n)) return;
  const running = runningRolesOf(m, n.name);
  const why = [
    n.clusterState !== 'Paused' ? `it was ${n.clusterState}, not Paused` : undefined,
    n.clusterState === 'Paused' && n.drainStatus !== 'Completed' ? `its DrainStatus was ${n.drainStatus}` : undefined,
    running.length > 0 ? `it still ran ${running.join(', ')}` : undefined,
  ].filter((x): x is string => x !== undefined);
  const sentence = `${n.name} was ${action} while it was not drained: ${why.join('; ')}.`;
  if (n.undrainedAllowedBy !== undefined && n.clusterState === 'Paused') m.audit.allowed(m.now, `${sentence} Accepted by ${n.undrainedAllowedBy}.`);
  else m.audit.violation(m.now, sentence);
}

/**
 * A standalone server (a fixture with `standalone: true`): no Failover Clustering feature, so no cluster service
 * and no cluster to take out of. It has nothing to drain, and its restart puts no quorum or storage at risk.
 */
function standalone(n: SimNodeState): boolean {
  return !n.setup.features.failoverClustering && n.clusterState === 'Down';
}

/** The witness's vote as the cluster counts it. */
function witnessVote(m: OpContext['model']): WitnessVote {
  return m.witnessVote();
}

/** Whether two servers share a storage fault domain of the disks' awareness (chassis or rack). */
function sameFaultDomain(m: OpContext['model'], a: string, b: string): boolean {
  if (a.toUpperCase() === b.toUpperCase()) return true;
  const domains = m.faultDomains();
  return domains !== undefined && domains[a.toUpperCase()] === domains[b.toUpperCase()];
}

/** The pool as S2D's maintenance rules read it, from the model's raw state (not its derived health view). */
function poolFacts(m: OpContext['model'], node: string, exemptOwnDebt: boolean): PoolFacts {
  return {
    node,
    inMaintenance: m.state.nodes.filter((n) => n.clusterState !== 'Up' || n.power !== 'on' || n.storageStale).map((n) => n.name),
    unfinishedJobs: m.state.jobs.filter((j) => j.state !== 'Completed').map((j) => ({ node: j.node, state: j.state })),
    detachedDisks: [...(m.state.offlineVirtualDisks ?? [])],
    exemptOwnDebt,
    ...(m.faultDomains() !== undefined ? { faultDomains: m.faultDomains()! } : {}),
  };
}

function targetNode(ctx: OpContext, name: string): SimNodeState {
  const node = ctx.model.node(name);
  if (!node) throw new OpFailure(ScriptErrorCode.scriptError, `The cluster node '${name}' was not found.`);
  return node;
}

function updateFacts(u: SimNodeState['updates'][number]): Parameters<typeof evaluateWuaQuery>[1] {
  return {
    updateId: u.id,
    type: u.type,
    isInstalled: u.installed,
    isHidden: u.hidden,
    // Everything the simulated service offers is assigned; "recommended" is filtered by its own argument.
    isAssigned: true,
    rebootRequired: u.rebootRequired,
  };
}

function argTrue(args: Readonly<Record<string, string>>, name: string): boolean {
  const entry = Object.entries(args).find(([k]) => k.toLowerCase() === name.toLowerCase());
  return entry !== undefined && entry[1].trim().toLowerCase() === 'true';
}

function argValue(args: Readonly<Record<string, string>>, name: string): string | undefined {
  return Object.entries(args).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
}

/** Each criteria text parsed once per process (a run sends the same few texts to every node); a parse is never changed. */
const parsedQueries = new Map<string, WuaQuery>();

/** Checks plug-in arguments before any time passes, as the plug-in would on load. */
function checkPluginArguments(plugin: string, args: Readonly<Record<string, string>>): (() => ReturnType<typeof parseWuaQuery>) | undefined {
  if (plugin === 'Microsoft.HotfixPlugin' && !argValue(args, 'HotfixRootFolderPath')) {
    throw new OpFailure(ScriptErrorCode.scriptError, 'Microsoft.HotfixPlugin needs the HotfixRootFolderPath argument.');
  }
  if (plugin === 'Microsoft.RollingUpgradePlugin' && !argTrue(args, 'WuConnected') && !argValue(args, 'PathToSetupMedia')) {
    throw new OpFailure(ScriptErrorCode.scriptError, "Microsoft.RollingUpgradePlugin needs WuConnected='true' or PathToSetupMedia.");
  }
  if (plugin === 'Microsoft.WindowsUpdatePlugin') {
    const text = argValue(args, 'QueryString') ?? DEFAULT_WUA_QUERY;
    try {
      const query = parsedQueries.get(text) ?? parseWuaQuery(text);
      parsedQueries.set(text, query);
      return () => query;
    } catch (e) {
      throw new OpFailure(ScriptErrorCode.scriptError, isAppError(e) ? e.message : String(e));
    }
  }
  return undefined;
}

function applicableUpdates(
  ctx: OpContext,
  plugin: string,
  args: Readonly<Record<string, string>>,
  query: (() => ReturnType<typeof parseWuaQuery>) | undefined,
): OperationResult<'scan-updates'>['updates'] {
  const node = ctx.node;
  const visible = node.updates.filter((u) => {
    if (u.parentId === undefined) return true;
    return node.updates.find((p) => p.id === u.parentId)?.installed === true;
  });
  if (plugin === 'Microsoft.RollingUpgradePlugin') {
    const fu = node.featureUpdate;
    if (!fu || node.osBuild >= fu.targetBuild || node.pendingOsBuild !== undefined) return [];
    return [{ updateId: fu.id, title: fu.title, kb: fu.kb, rebootRequired: true, featureUpdate: fu.title }];
  }
  if (plugin === 'Microsoft.HotfixPlugin') {
    return visible
      .filter((u) => u.plugin === plugin && !u.installed && !u.notApplicable)
      .filter((u) => u.folder === 'CAUHotfix_All' || u.folder?.toUpperCase() === node.name.toUpperCase())
      // A file in a folder no FolderRules rule names is outside CAU's structure.
      .filter((u) => hotfixRulesFor(ctx.model.state, u) !== null)
      .map((u) => ({ updateId: u.id, title: u.title, kb: u.kb, rebootRequired: u.rebootRequired }));
  }
  const recommended = argTrue(args, 'IncludeRecommendedUpdates');
  const q = query!();
  return visible
    .filter((u) => u.plugin === 'Microsoft.WindowsUpdatePlugin')
    .filter((u) => recommended || !u.recommended)
    .filter((u) => evaluateWuaQuery(q, updateFacts(u)))
    .map((u) => ({ updateId: u.id, title: u.title, kb: u.kb, rebootRequired: u.rebootRequired }));
}

/** A new update task of start-update-task, running for `seconds`. */
function newTask(ctx: OpContext, p: OperationParams<'start-update-task'>, seconds: number, extra: Pick<SimTaskState, 'preInstall' | 'scriptPlugin'>): SimTaskState {
  const m = ctx.model;
  return {
    taskId: p.taskId,
    node: ctx.node.name,
    mode: p.mode === 'Download' ? 'Download' : 'Install',
    ...extra,
    plugin: p.plugin,
    updateIds: [...p.updateIds],
    startedAt: m.now,
    endsAt: m.now + seconds * 1000,
    state: 'Running',
    results: [],
    rebootRequired: false,
  };
}

/** The Task Scheduler's execution time limit of cauctl's update tasks (Start-CauctlTask in cauctl-helpers.ps1). */
const TASK_EXECUTION_LIMIT_SECONDS = 12 * 3600;

/**
 * An update task on `node` still installing when the run resumes or restarts it: on Windows the install goes on
 * in its SYSTEM task, on a node that serves again (a driver or firmware install can reset a device under load)
 * or that restarts in the middle of it. A pre-install runs on a serving node by design: only a restart counts.
 */
function auditInstallUnderWay(m: OpContext['model'], node: SimNodeState, action: 'resumed' | 'restarted'): void {
  const task = m.state.tasks.find((t) => t.node === node.name && t.state === 'Running' && t.mode === 'Install' && (action === 'restarted' || t.preInstall !== true));
  if (task === undefined) return;
  m.audit.violation(m.now, `${node.name} was ${action} while its update task ${task.taskId} was still installing (started ${Math.round((m.now - task.startedAt) / 1000)} s before).`);
}

/** Starts the task: it ends (finishTask) when its time has passed, or at the Task Scheduler's limit. */
function queueTask(ctx: OpContext, task: SimTaskState): void {
  if (task.endsAt - task.startedAt > TASK_EXECUTION_LIMIT_SECONDS * 1000) {
    task.endsAt = task.startedAt + TASK_EXECUTION_LIMIT_SECONDS * 1000;
    task.stoppedAtLimit = true;
  }
  ctx.model.state.tasks.push(task);
  ctx.model.schedule({ at: task.endsAt, kind: 'taskEnd', taskId: task.taskId });
  ctx.model.advance();
}

function taskStatus(task: SimTaskState | undefined): OperationResult<'wait-update-task'> {
  if (!task) return { state: 'NotFound', results: [], rebootRequired: false, message: 'No such update task on this node.' };
  return {
    state: task.state,
    results: task.results.map((r) => ({ ...r })),
    rebootRequired: task.rebootRequired,
    ...(task.message !== undefined ? { message: task.message } : {}),
  };
}

const FEATURE_NAMES: Record<string, 'failoverClustering' | 'rsatClusteringPowerShell' | 'netFramework45'> = {
  'failover-clustering': 'failoverClustering',
  'rsat-clustering-powershell': 'rsatClusteringPowerShell',
  'net-framework-45-core': 'netFramework45',
  'net-framework-45-features': 'netFramework45',
};

export const opHandlers: OpHandlers = {
  'get-cluster': async (ctx, p) => {
    requireCluster(ctx);
    const m = ctx.model;
    const native = readNativeRunOrWhy(m, ctx.node.name, p.reportUnreadableNativeCau === true);
    return {
      name: m.state.name,
      nodes: m.state.nodes.map((n) => ({ name: n.name, state: n.clusterState, drainStatus: n.drainStatus, roles: m.rolesOwnedBy(n.name), site: n.site ?? null })),
      quorum: { healthy: m.quorumHealthy(), witnessType: m.state.quorum.witnessType, witnessState: m.state.quorum.witnessState },
      functionalLevel: m.state.functionalLevel,
      s2dEnabled: m.state.s2d,
      // get-cluster.ps1 reads this node's MSFT_CAURun only (local CIM): a run held on another node is not seen here;
      // an unreadable one fails the call (NATIVE_CAU_UNREADABLE), as in get-native-cau, unless a read-only caller
      // asked for it to be reported (nativeCauUnreadable).
      nativeCauRunInProgress: native.orchestratorGuid !== null,
      nativeCauUnreadable: native.unreadable,
    };
  },

  'get-storage-health': async (ctx) => {
    requireCluster(ctx);
    return ctx.model.storageView();
  },

  'get-fault-domains': async (ctx) => {
    requireCluster(ctx);
    const m = ctx.model;
    return {
      nodes: m.state.nodes.map((n) => ({ name: n.name, chassis: n.faultDomain?.chassis ?? null, rack: n.faultDomain?.rack ?? null })),
      // Without S2D there are no virtual disks of the cluster's pool.
      virtualDisks: m.state.s2d ? m.state.virtualDisks.map((friendlyName) => ({ friendlyName, faultDomainAwareness: m.state.faultDomainAwareness ?? 'StorageScaleUnit' })) : [],
    };
  },

  'wait-storage-healthy': async (ctx, p) => {
    requireCluster(ctx);
    const m = ctx.model;
    const started = m.now;
    const deadline = started + p.timeoutSeconds * 1000;
    const pollMs = p.pollSeconds * 1000;
    // The script polls every pollSeconds, until the deadline. Health changes only when an event is applied or
    // an operation writes the model, so a poll in between sees what the one before it saw: the wait sleeps to
    // the first poll at or after the next event, and a write by another operation wakes it for the first poll
    // at or after that write. The answers, and the virtual times they come at, are the polling's.
    const pollAtOrAfter = (at: number): number => Math.min(deadline, started + Math.max(0, Math.ceil((at - started) / pollMs)) * pollMs);
    let polled = started - 1;
    let next = started;
    const stop = m.onChange(() => ctx.wake());
    try {
      for (;;) {
        // Woken early by a write: the first poll at or after it (never a second one at the same instant).
        if (m.now < next) next = pollAtOrAfter(Math.max(m.now, polled + 1));
        if (m.now >= next) {
          // A poll: health judged from the model; the view is built once, for the answer.
          const healthy = m.storageHealthy();
          if (healthy || m.now >= deadline) return { ...m.storageView(), healthy, waitedSeconds: (m.now - started) / 1000 };
          polled = m.now;
          next = pollAtOrAfter(Math.max(m.now + 1, m.nextEventAt() ?? deadline));
        }
        await ctx.sleep(next - m.now);
        m.advance();
      }
    } finally {
      stop();
    }
  },

  'get-cluster-property': async (ctx, p) => {
    requireCluster(ctx);
    return { value: ctx.properties.get(p.name) };
  },

  'set-cluster-property': async (ctx, p) => {
    requireCluster(ctx);
    return ctx.properties.set(p.name, p.value, p.expected);
  },

  'get-node-setup': async (ctx) => {
    const n = ctx.node;
    return {
      node: n.name,
      osCaption: n.setup.osCaption,
      osBuild: n.osBuild,
      features: { ...n.setup.features },
      psRemotingEnabled: n.setup.psRemotingEnabled,
      wmiRemotingEnabled: n.setup.wmiRemotingEnabled,
      winrmServiceAutomatic: n.setup.winrmServiceAutomatic,
      remoteShutdownFirewallEnabled: n.setup.remoteShutdownFirewallEnabled,
      autoUpdateMode: n.setup.autoUpdateMode,
      updateSource: n.setup.updateSource,
      winHttpProxy: n.setup.winHttpProxy,
      dotNetVersion: n.setup.dotNetVersion,
      powerShellVersion: n.setup.powerShellVersion,
      clusterServiceState: n.setup.clusterServiceState,
      clusterServiceStartMode: n.setup.clusterServiceStartMode,
      credSspServerEnabled: n.setup.credSspServerEnabled,
      registeredPlugins: [...n.setup.registeredPlugins],
      // As restart-node finds it (fixture kernelSoftReboot; absent: Windows Server, no KSR). A node whose KSR
      // refuses at restart time has it, as far as anything read before the restart can tell.
      kernelSoftReboot: n.kernelSoftReboot === 'Refused' ? 'Enabled' : (n.kernelSoftReboot ?? 'NotInstalled'),
    };
  },

  'repair-setup': async (ctx, p) => {
    const n = ctx.node;
    const applied: string[] = [];
    if (p.enableRemoteShutdownFirewall && !n.setup.remoteShutdownFirewallEnabled) {
      n.setup.remoteShutdownFirewallEnabled = true;
      applied.push('Enabled the Remote Shutdown firewall rule group');
    }
    for (const feature of p.installFeatures) {
      const key = FEATURE_NAMES[feature.toLowerCase()];
      if (!key) throw new OpFailure(ScriptErrorCode.missingFeature, `Windows feature '${feature}' is not known on ${n.name}.`);
      if (!n.setup.features[key]) {
        n.setup.features[key] = true;
        applied.push(`Installed ${feature}`);
      }
    }
    if (p.disableCredSspServer && n.setup.credSspServerEnabled) {
      n.setup.credSspServerEnabled = false;
      applied.push('Disabled the CredSSP server role');
    }
    if (applied.length > 0) ctx.model.touch(n);
    return { applied };
  },

  'scan-updates': async (ctx, p) => {
    if (p.pluginScript !== undefined) return scanScriptPlugin(ctx, p);
    const query = checkPluginArguments(p.plugin, p.arguments);
    await sleepSeconds(ctx, ctx.model.state.timing.scanSeconds);
    return { updates: applicableUpdates(ctx, p.plugin, p.arguments, query) };
  },

  'start-update-task': async (ctx, p) => {
    const m = ctx.model;
    const existing = m.state.tasks.find((t) => t.node === ctx.node.name && t.taskId === p.taskId);
    if (existing) return { taskId: p.taskId, alreadyStarted: true };
    checkPluginArguments(p.plugin, p.arguments);
    const preInstall = p.mode === 'PreInstall';
    if (preInstall) {
      // As start-update-task.ps1: only Windows Update installs on a serving node; hotfixes, setup media and
      // their device resets wait for the maintenance window. Nothing is started.
      if (p.plugin !== 'Microsoft.WindowsUpdatePlugin') {
        throw new OpFailure(ScriptErrorCode.preInstallRefused, `${p.plugin} cannot pre-install on ${ctx.node.name}: only Microsoft.WindowsUpdatePlugin installs while the node serves; the rest waits for its maintenance window.`);
      }
      m.audit.touched(m.now, ctx.node.name, 'given an update pre-install');
    }
    const softwareOnly = preInstall
      ? p.updateIds.filter((id) => ctx.node.updates.find((u) => u.id.toLowerCase() === id.toLowerCase())?.type !== 'Driver')
      : p.updateIds;
    if (p.mode === 'Install' || preInstall) {
      if (!preInstall) {
        m.audit.touched(m.now, ctx.node.name, 'given an update install');
        auditUndrained(ctx, 'given an update install');
      }
      // "Updates no node twice": an install of something already installed means the coordinator lost track.
      for (const id of softwareOnly) {
        const update = ctx.node.updates.find((u) => u.id.toLowerCase() === id.toLowerCase());
        if (update?.installed) m.audit.violation(m.now, `${ctx.node.name} was given ${update.kb || update.id} to install again after it was installed.`);
      }
    }
    if (p.pluginScript !== undefined) {
      queueTask(ctx, newTask(ctx, p, scriptPluginTaskSeconds(ctx, p), { scriptPlugin: true }));
      return { taskId: p.taskId, alreadyStarted: false };
    }
    const node = ctx.node;
    const t = m.state.timing;
    const isFeature = (id: string): boolean => node.featureUpdate?.id === id;
    const needsDownload = softwareOnly.some((id) => !isFeature(id) && !node.updates.find((u) => u.id.toLowerCase() === id.toLowerCase())?.staged);
    let seconds: number;
    if (softwareOnly.length === 0) seconds = 0;
    else if (p.mode === 'Download') seconds = t.downloadSeconds;
    else {
      const install = p.updateIds.some(isFeature) ? Math.max(node.featureUpdate!.installSeconds, t.installSeconds) : t.installSeconds;
      seconds = install + (needsDownload ? t.downloadSeconds : 0) + (node.faults.slowInstallSeconds ?? 0);
    }
    const task = newTask(ctx, p, seconds, preInstall ? { preInstall: true } : {});
    if (needsDownload && p.updateIds.length > 0 && (node.faults.downloadFailsLeft ?? 0) > 0) {
      node.faults.downloadFailsLeft = (node.faults.downloadFailsLeft ?? 0) - 1;
      m.touch(node);
      task.downloadFailWith = node.faults.downloadErrorCode ?? '0x80240022';
    } else if (p.mode !== 'Download' && softwareOnly.length > 0 && node.faults.installFailsLeft > 0) {
      node.faults.installFailsLeft -= 1;
      m.touch(node);
      task.failWith = node.faults.installErrorCode;
    }
    queueTask(ctx, task);
    return { taskId: p.taskId, alreadyStarted: false };
  },

  'wait-update-task': async (ctx, p) => {
    const m = ctx.model;
    const find = (): SimTaskState | undefined => m.state.tasks.find((t) => t.node === ctx.node.name && t.taskId === p.taskId);
    const task = find();
    if (task?.state === 'Running') {
      const remaining = Math.max(0, (task.endsAt - m.now) / 1000);
      await sleepSeconds(ctx, Math.min(p.timeoutSeconds, remaining));
    }
    return taskStatus(find());
  },

  'get-node-status': async (ctx) => {
    const n = ctx.node;
    // Get-ClusterNode fails on a node whose cluster service is down: no drain status, no roles seen.
    const inCluster = n.clusterState !== 'Down' && ctx.model.state.clusterStopped !== true;
    return {
      node: n.name,
      lastBootUpTime: new Date(n.lastBootMs).toISOString(),
      osBuild: n.osBuild,
      autoStartServicesNotRunning: ctx.model.autoStartServicesNotRunning(n),
      // get-node-status.ps1: without the Failover Clustering feature there is no ClusSvc service to read: Unknown.
      clusterNodeState: standalone(n) ? 'Unknown' : n.clusterState,
      drainStatus: inCluster ? n.drainStatus : 'NotInitiated',
      runningRoles: inCluster ? runningRolesOf(ctx.model, n.name) : [],
      rebootPending: n.rebootPending || n.pendingOsBuild !== undefined,
      // The restart task's mark (get-node-status.ps1 reads its file): absent, no soft restart fell back.
      softRestartFellBack: n.softRestartFellBack === true,
    };
  },

  'get-node-capacity': async (ctx) => {
    const m = ctx.model;
    const n = ctx.node;
    // Get-VM lists the VMs this host runs, clustered or not; their owner groups are the roles this node owns.
    const vms = m.state.roles
      .filter((r) => r.owner === n.name)
      .map((r) => {
        const vm = roleVm(m, r.name);
        return {
          name: r.name,
          role: r.name,
          state: vm.running ? 'Running' : 'Off',
          memoryMB: vm.memoryMB ?? 0,
          liveMigratable: vm.liveMigratable,
          ...(vm.liveMigratable ? {} : { notMigratableReason: 'the rehearsal model marks it as not live-migratable (liveMigratable: false)' }),
        };
      });
    // Without memory figures in the model nothing here is known about memory: say so, rather than 0 MB.
    const memoryKnown = n.memoryMB !== undefined;
    return { node: n.name, memoryMB: memoryKnown ? n.memoryMB! : null, vms };
  },

  'suspend-node': async (ctx, p) => {
    requireCluster(ctx);
    const m = ctx.model;
    const target = targetNode(ctx, p.name);
    m.audit.touched(m.now, target.name, 'suspended');
    auditSuspendDuringNativeRun(m, target.name);
    if (target.clusterState === 'Down') throw new OpFailure(ScriptErrorCode.scriptError, `The cluster node ${target.name} is Down and cannot be paused.`);
    const startsDrain = !(target.clusterState === 'Paused' && (target.drainStatus === 'InProgress' || target.drainStatus === 'Completed'));
    if (startsDrain) {
      // Invariant 2, as observed: judged on the call that pauses or drains, whatever the cluster then does.
      const others = m.state.nodes.filter((n) => n !== target);
      // On S2D a second server in maintenance is allowed only within the first one's fault domain (chassis or
      // rack awareness); without S2D several may be paused, within quorum (below) and capacity (the drain).
      const paused = others.filter((n) => n.clusterState === 'Paused' && m.state.s2d && !sameFaultDomain(m, n.name, target.name)).map((n) => n.name);
      const down = others.filter((n) => n.clusterState === 'Down').map((n) => n.name);
      m.audit.drainStarted(m.now, target.name, (name) => m.node(name)?.storageStale === true, (a, b) => sameFaultDomain(m, a, b));
      if (paused.length > 0) m.audit.violation(m.now, `${target.name} was suspended while ${paused.join(', ')} ${paused.length > 1 ? 'were' : 'was'} Paused${m.faultDomains() !== undefined ? ' in another storage fault domain' : ''}.`);
      if (down.length > 0 && !quorumSurvivesOneMore(m.state.nodes.length, witnessVote(m), down.length)) {
        m.audit.violation(m.now, `${target.name} was suspended while ${down.join(', ')} ${down.length > 1 ? 'were' : 'was'} Down and quorum would not survive its loss.`);
      }
      const storageBreaches = m.state.s2d ? s2dMaintenanceBreaches(poolFacts(m, target.name, false)) : [];
      if (storageBreaches.length > 0) m.audit.violation(m.now, `${target.name} was suspended while storage was not healthy: ${storageBreaches.join('; ')}.`);
      if (!m.storageHealthy()) {
        await sleepSeconds(ctx, REFUSAL_SECONDS);
        throw new OpFailure(
          ScriptErrorCode.spaceDegraded,
          `Suspend-ClusterNode ${target.name}: ERROR_CLUSTER_SPACE_DEGRADED (0x139A): a storage space is degraded or repairing.`,
        );
      }
      // Suspend-ClusterNode pauses first, then drains: from here the node is out of service, whatever follows.
      target.clusterState = 'Paused';
      target.pausedByRun = true;
      if (p.allowUndrained !== undefined) target.undrainedAllowedBy = p.allowUndrained;
      m.touch(target);
      m.changed();
      if (p.allowUndrained === 'ForcePauseNoDrain') {
        target.drainStatus = 'NotInitiated';
        await sleepSeconds(ctx, 0);
        return { state: target.clusterState, drainStatus: target.drainStatus };
      }
      startDrain(m, target, p.forceDrain);
    }
    // The long poll: at most timeoutSeconds, returning as soon as the drain ends.
    const deadline = m.now + p.timeoutSeconds * 1000;
    await sleepSeconds(ctx, 0);
    while (target.drainStatus === 'InProgress' && target.clusterState === 'Paused' && m.now < deadline) {
      const next = m.nextEventAt();
      const until = next === undefined ? deadline : Math.min(deadline, Math.max(next, m.now));
      await sleepSeconds(ctx, Math.max((until - m.now) / 1000, DRAIN_POLL_MIN_SECONDS));
    }
    return { state: target.clusterState, drainStatus: target.drainStatus };
  },

  'resume-node': async (ctx, p) => {
    requireCluster(ctx);
    const m = ctx.model;
    const target = targetNode(ctx, p.name);
    if (target.clusterState === 'Down') {
      throw new OpFailure(ScriptErrorCode.scriptError, `The cluster node ${target.name} is Down and cannot be resumed.`);
    }
    if (target.clusterState === 'Paused') {
      auditInstallUnderWay(m, target, 'resumed');
      // On S2D a node that restarted while paused owes a resync, which starts now: the next drain waits for it.
      if (m.state.s2d && target.storageStale) m.audit.resumedWithResync(m.now, target.name);
      // A resume during a drain stops it; what already moved stays where it went.
      stopDrain(m, target);
      target.clusterState = 'Up';
      target.drainStatus = 'NotInitiated';
      target.pausedByRun = false;
      delete target.undrainedAllowedBy;
      if (p.failback === 'Immediate') {
        for (const role of m.state.roles) {
          if (role.home !== target.name) continue;
          role.owner = target.name;
          m.touchRole(role);
        }
      }
      m.touch(target);
      m.changed();
      m.startRepairIfDue(target);
    }
    await sleepSeconds(ctx, RESUME_SECONDS);
    return { state: target.clusterState };
  },

  'restart-node': async (ctx, p) => {
    const m = ctx.model;
    m.audit.touched(m.now, ctx.node.name, 'restarted');
    auditUndrained(ctx, 'restarted');
    auditInstallUnderWay(m, ctx.node, 'restarted');
    const servicesBeforeRestart = m.runningServices(ctx.node);
    // Kernel Soft Reboot only where the node has it and does not opt out; otherwise a full restart, said so.
    const ksr = ctx.node.kernelSoftReboot;
    const softBootStatus = !p.soft ? 'NotEnabled' : ksr === 'Enabled' || ksr === 'Refused' ? 'Enabled' : (ksr ?? 'NotInstalled');
    const soft = softBootStatus === 'Enabled';
    // Scheduling a soft restart clears the restart task's mark of an earlier one that fell back.
    if (soft && ctx.node.softRestartFellBack !== undefined) {
      delete ctx.node.softRestartFellBack;
      m.touch(ctx.node);
    }
    const scheduled = (): OperationResult<'restart-node'> => {
      m.schedule({ at: m.now + p.delaySeconds * 1000, kind: 'restartDown', node: ctx.node.name, soft, ...(soft && ksr === 'Refused' ? { softRefused: true } : {}) });
      return { scheduled: true, bootType: soft ? 'SoftReboot' : 'FullReboot', softBootStatus, servicesBeforeRestart };
    };
    if (standalone(ctx.node)) return scheduled();
    const othersDown = m.state.nodes.filter((n) => n !== ctx.node && (n.clusterState === 'Down' || n.power !== 'on')).map((n) => n.name);
    m.audit.restarted(m.now, {
      ...(m.faultDomains() !== undefined ? { downInSameFaultDomain: othersDown.filter((n) => sameFaultDomain(m, n, ctx.node.name)) } : {}),
      node: ctx.node.name,
      clusterStopped: m.state.clusterStopped === true,
      s2d: m.state.s2d,
      othersDown: m.state.nodes.filter((n) => n !== ctx.node && (n.clusterState === 'Down' || n.power !== 'on')).map((n) => n.name),
      quorumSurvivesRestart: quorumSurvivesOneMore(
        m.state.nodes.length,
        witnessVote(m),
        m.state.nodes.filter((n) => n !== ctx.node && (n.clusterState === 'Down' || n.power !== 'on')).length,
      ),
      storageBreaches: s2dMaintenanceBreaches(poolFacts(m, ctx.node.name, true)),
    });
    return scheduled();
  },

  'invoke-node-script': async (ctx, p) => {
    requireNetworkLogon(ctx, p.networkCredential, `The pre/post-update script ${p.path}`);
    await sleepSeconds(ctx, SCRIPT_SECONDS);
    const script = ctx.model.state.scripts[p.path];
    return script ?? { exitCode: 0, output: `${p.path} ran on ${ctx.node.name} (simulated).` };
  },
  ...offlineOpHandlers,
  ...roleOpHandlers,
  ...featureOpHandlers,
  ...nativeCauOpHandlers,
};
