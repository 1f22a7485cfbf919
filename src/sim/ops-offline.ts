/**
 * The offline-update operations against the model: the cluster service's start mode, the virtual disk
 * resources, Stop-Cluster and Start-Cluster, taking virtual time as the cmdlets would. Spread into
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

function requireRunningCluster(ctx: OpContext): void {
  if (ctx.model.state.clusterStopped === true || ctx.node.clusterState === 'Down') {
    throw new OpFailure(ScriptErrorCode.clusterUnavailable, `The cluster service is not running on ${ctx.node.name}.`);
  }
}

export const offlineOpHandlers: { [N in OfflineOp]: Handler<N> } = {
  'get-cluster-service': async (ctx) => serviceView(ctx.node),

  'set-cluster-service': async (ctx, p) => {
    ctx.node.setup.clusterServiceStartMode = p.startMode === 'Automatic' ? 'Auto' : 'Disabled';
    ctx.model.dirty = true;
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

  'stop-cluster': async (ctx) => {
    const m = ctx.model;
    if (m.state.clusterStopped === true) return { stopped: true, alreadyStopped: true };
    requireRunningCluster(ctx);
    await sleepSeconds(ctx, m.state.timing.stopClusterSeconds ?? OFFLINE_STEP_SECONDS.stopCluster);
    m.state.clusterStopped = true;
    for (const node of m.state.nodes) {
      node.pausedWhenDown = node.clusterState === 'Paused';
      node.clusterState = 'Down';
      if (node.setup.clusterServiceState === 'Running') node.setup.clusterServiceState = 'Stopped';
    }
    m.dirty = true;
    return { stopped: true, alreadyStopped: false };
  },

  'start-cluster': async (ctx) => {
    const m = ctx.model;
    const nodesUp = (): string[] => m.state.nodes.filter((n) => n.clusterState !== 'Down').map((n) => n.name);
    if (m.state.clusterStopped !== true && ctx.node.clusterState !== 'Down') {
      return { alreadyRunning: true, quorum: m.quorumHealthy(), nodesUp: nodesUp() };
    }
    if (ctx.node.setup.clusterServiceStartMode === 'Disabled') {
      throw new OpFailure(ScriptErrorCode.scriptError, `Start-Cluster on ${ctx.node.name}: the cluster service is disabled on this node.`);
    }
    await sleepSeconds(ctx, m.state.timing.startClusterSeconds ?? OFFLINE_STEP_SECONDS.startCluster);
    m.state.clusterStopped = false;
    // Only running machines whose service may start join; the others join when they boot (see 'boot').
    for (const node of m.state.nodes) {
      if (node.power !== 'on' || node.setup.clusterServiceStartMode === 'Disabled') continue;
      node.clusterState = node.pausedWhenDown ? 'Paused' : 'Up';
      node.pausedWhenDown = false;
      node.setup.clusterServiceState = 'Running';
    }
    m.dirty = true;
    m.changed();
    for (const node of m.state.nodes) m.startRepairIfDue(node);
    return { alreadyRunning: false, quorum: m.quorumHealthy(), nodesUp: nodesUp() };
  },
};
