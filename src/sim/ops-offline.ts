/**
 * The offline-update operations against the model: the cluster service's start mode, the virtual disk
 * resources, and the cluster service stopped or started node by node (each over its own session: no
 * Stop-/Start-Cluster reaching the other nodes), taking virtual time as Windows would. Spread into
 * `opHandlers`. Depends on the model and the catalogue's types; never on a transport.
 */
import type { OperationParams, OperationResult } from '../cluster/operations.js';
import { ScriptErrorCode } from '../cluster/operations.js';
import { OFFLINE_STEP_SECONDS, type ClusterDisk, type ServiceStartMode } from '../cluster/operations-offline.js';
import type { ClusterModel } from './cluster-model.js';
import type { SimNodeState } from './model-state.js';
import { OpFailure, sleepSeconds, type OpContext } from './op-context.js';

type OfflineOp = 'get-cluster-service' | 'set-cluster-service' | 'get-cluster-disks' | 'set-cluster-disks' | 'stop-cluster' | 'start-cluster';
type Handler<N extends OfflineOp> = (ctx: OpContext, params: OperationParams<N>) => Promise<OperationResult<N>>;

/** Set-Service and Get-Service answer at once; a second of overhead keeps virtual time moving. */
const SERVICE_SECONDS = 1;

/** The resource name a virtual disk gets when S2D adds it to the cluster. */
export function diskResourceName(virtualDisk: string): string {
  return `Cluster Virtual Disk (${virtualDisk})`;
}

function startModeOf(node: SimNodeState): ServiceStartMode {
  const mode = node.setup.clusterServiceStartMode;
  return mode === 'Auto' ? 'Automatic' : mode;
}

function serviceView(node: SimNodeState): OperationResult<'get-cluster-service'> {
  return { node: node.name, startMode: startModeOf(node), status: node.setup.clusterServiceState };
}

function disksView(m: ClusterModel): ClusterDisk[] {
  const offline = new Set(m.state.offlineVirtualDisks ?? []);
  return m.state.virtualDisks.map((vd) => ({ name: diskResourceName(vd), virtualDisk: vd, state: offline.has(vd) ? 'Offline' : 'Online', isSharedVolume: true }));
}

/** How often a starting node looks whether the cluster has formed. */
const QUORUM_POLL_SECONDS = 5;

/** Whether the nodes whose cluster service runs (plus an online witness) hold a majority of the votes. */
function serviceQuorum(m: ClusterModel): boolean {
  const witness = m.state.quorum.witnessType !== 'None';
  const total = m.state.nodes.length + (witness ? 1 : 0);
  const running = m.state.nodes.filter((n) => n.power === 'on' && n.setup.clusterServiceState === 'Running').length;
  return (running + (witness && m.state.quorum.witnessState === 'Online' ? 1 : 0)) * 2 > total;
}

function leaveCluster(m: ClusterModel, node: SimNodeState): void {
  if (node.clusterState === 'Down') return;
  m.touch(node);
  node.pausedWhenDown = node.clusterState === 'Paused';
  node.clusterState = 'Down';
}

function joinCluster(m: ClusterModel, node: SimNodeState): void {
  if (node.power !== 'on' || node.setup.clusterServiceState !== 'Running' || node.clusterState !== 'Down') return;
  m.touch(node);
  node.clusterState = node.pausedWhenDown ? 'Paused' : 'Up';
  node.pausedWhenDown = false;
}

function requireRunningCluster(ctx: OpContext): void {
  if (ctx.model.state.clusterStopped === true || ctx.node.clusterState === 'Down') {
    throw new OpFailure(ScriptErrorCode.clusterUnavailable, `The cluster service is not running on ${ctx.node.name}.`);
  }
}

export const offlineOpHandlers: { [N in OfflineOp]: Handler<N> } = {
  'get-cluster-service': async (ctx) => serviceView(ctx.node),

  'set-cluster-service': async (ctx, p) => {
    ctx.node.setup.clusterServiceStartMode = p.startMode === 'Automatic' ? 'Auto' : 'Disabled';
    ctx.model.touch(ctx.node);
    await sleepSeconds(ctx, SERVICE_SECONDS);
    return serviceView(ctx.node);
  },

  'get-cluster-disks': async (ctx) => {
    requireRunningCluster(ctx);
    return { disks: disksView(ctx.model) };
  },

  'set-cluster-disks': async (ctx, p) => {
    requireRunningCluster(ctx);
    const m = ctx.model;
    const byName = new Map(m.state.virtualDisks.map((vd) => [diskResourceName(vd).toUpperCase(), vd]));
    const targets = p.names.map((name) => {
      const vd = byName.get(name.toUpperCase());
      if (vd === undefined) throw new OpFailure(ScriptErrorCode.scriptError, `The cluster resource '${name}' was not found.`);
      return vd;
    });
    await sleepSeconds(ctx, m.state.timing.diskStateSeconds ?? OFFLINE_STEP_SECONDS.diskState);
    const offline = new Set(m.state.offlineVirtualDisks ?? []);
    for (const vd of targets) {
      if (p.state === 'Offline') offline.add(vd);
      else offline.delete(vd);
    }
    m.state.offlineVirtualDisks = m.state.virtualDisks.filter((vd) => offline.has(vd));
    m.dirty = true;
    return { disks: disksView(m) };
  },

  // Per node, as the scripts do: ClusSvc stopped on this node only; the cluster stops once too few remain.
  'stop-cluster': async (ctx) => {
    const m = ctx.model;
    const node = ctx.node;
    if (node.setup.clusterServiceState !== 'Running') return { stopped: true, alreadyStopped: true };
    await sleepSeconds(ctx, m.state.timing.stopClusterSeconds ?? OFFLINE_STEP_SECONDS.stopCluster);
    leaveCluster(m, node);
    node.setup.clusterServiceState = 'Stopped';
    m.touch(node);
    if (m.state.clusterStopped !== true && !serviceQuorum(m)) {
      // Quorum lost: the nodes whose service still runs leave the cluster and wait to form it again.
      m.state.clusterStopped = true;
      for (const other of m.state.nodes) leaveCluster(m, other);
    }
    m.dirty = true;
    m.changed();
    return { stopped: true, alreadyStopped: false };
  },

  // Per node: ClusSvc started on this node only; the cluster forms once enough services run, then waits for it.
  'start-cluster': async (ctx, p) => {
    const m = ctx.model;
    const node = ctx.node;
    if (node.setup.clusterServiceStartMode === 'Disabled') {
      throw new OpFailure(ScriptErrorCode.scriptError, `The cluster service on ${node.name} is disabled; set it to Automatic before starting it.`);
    }
    const alreadyRunning = node.setup.clusterServiceState === 'Running';
    if (!alreadyRunning) {
      await sleepSeconds(ctx, SERVICE_SECONDS);
      node.setup.clusterServiceState = 'Running';
      m.touch(node);
    }
    const deadline = m.now + p.timeoutSeconds * 1000;
    while (m.state.clusterStopped === true && !serviceQuorum(m)) {
      if (m.now >= deadline) return { alreadyRunning, quorum: false, nodesUp: [] };
      await sleepSeconds(ctx, QUORUM_POLL_SECONDS);
    }
    if (m.state.clusterStopped === true) {
      // This node's service completes the quorum: the cluster forms with every node whose service runs.
      await sleepSeconds(ctx, m.state.timing.startClusterSeconds ?? OFFLINE_STEP_SECONDS.startCluster);
      if (m.state.clusterStopped === true) {
        m.state.clusterStopped = false;
        for (const other of m.state.nodes) joinCluster(m, other);
        for (const other of m.state.nodes) m.startRepairIfDue(other);
      }
    } else if (node.clusterState === 'Down') {
      joinCluster(m, node);
      m.startRepairIfDue(node);
    }
    m.dirty = true;
    m.changed();
    return { alreadyRunning, quorum: m.quorumHealthy(), nodesUp: m.state.nodes.filter((n) => n.clusterState !== 'Down').map((n) => n.name) };
  },
};
