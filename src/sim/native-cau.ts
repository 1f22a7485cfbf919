/**
 * Native Cluster-Aware Updating in the model: a self-updating clustered role whose schedule starts an Updating
 * Run (its coordinator keeps an MSFT_CAURun object on the node hosting the role while it runs) unless the role's
 * group is Offline at that moment, as after Disable-CauClusterRole; a leftover run from the fixture
 * (`nativeCauRunInProgress`: an MSFT_CAURun on every node); and the two operations cauctl uses to see and hold
 * them (get-native-cau, hold-cau-role), which need no network credentials on Windows (cluster API and local CIM).
 * The audit flags a suspend by the run while a native run is in progress, and a native run cut short by taking
 * its role offline. Written from CAU's documentation (MSFT_CAURun, Disable-CauClusterRole), never from src/core.
 */
import type { OperationParams, OperationResult } from '../cluster/operations.js';
import { NativeCauErrorCode } from '../cluster/operations-native-cau.js';
import type { ClusterModel } from './cluster-model.js';
import type { SimCauRole } from './model-state.js';
import { OpFailure, requireCluster, sleepSeconds, type OpContext } from './op-context.js';

/** The orchestrator id a simulated self-updating run uses (repeatable rehearsals). */
export const SIM_ORCHESTRATOR_GUID = '0c4a11ed-5e1f-4a75-8000-00000000ca0e';
/** The leftover's id (fixture `nativeCauRunInProgress`). */
const LEFTOVER_ORCHESTRATOR_GUID = '0c4a11ed-1eff-4000-8000-0000000001ef';
/** Stop-/Start-ClusterGroup of the CAU group (a network name and the CAU resource) takes a few seconds. */
const GROUP_CHANGE_SECONDS = 3;

type NativeOp = 'get-native-cau' | 'hold-cau-role';
type Handler<N extends NativeOp> = (ctx: OpContext, params: OperationParams<N>) => Promise<OperationResult<N>>;

function role(model: ClusterModel): SimCauRole | undefined {
  return model.state.cauRole ?? undefined;
}

/** The same generated name ops-role.ts gives a role without one (CAU adds a random suffix; a stable one here). */
function groupNameOf(model: ClusterModel, r: SimCauRole): string {
  return r.groupName ?? `CAU${model.state.name}`.slice(0, 11) + 'x7k';
}

/** The node hosting the role's group: the first possible owner that is Up (CAU's coordinator runs there). */
function ownerOf(model: ClusterModel, r: SimCauRole): string {
  const owners = r.possibleOwners ?? model.state.nodes.map((n) => n.name);
  const up = owners.map((o) => model.node(o)).find((n) => n !== undefined && n.clusterState === 'Up');
  return up?.name ?? owners[0] ?? model.state.nodes[0]!.name;
}

/** The orchestrator whose MSFT_CAURun object `node` holds, or null. */
export function nativeRunOn(model: ClusterModel, node: string): string | null {
  if (model.state.nativeCauRunInProgress) return LEFTOVER_ORCHESTRATOR_GUID;
  const run = model.state.nativeCauRun;
  return run !== undefined && run !== null && run.node.toUpperCase() === node.toUpperCase() ? run.orchestratorGuid : null;
}

/**
 * What reading this node's MSFT_CAURun (local CIM) gives: the orchestrator of the run it holds, or null, and
 * whether the CAU provider answered. Without the provider (no CAU feature) the namespace is invalid and no run
 * can be there; a provider that refuses the session (access denied) fails the read: "no run" cannot be told
 * from "cannot see one".
 */
export function readNativeRun(model: ClusterModel, node: string): { orchestratorGuid: string | null; providerPresent: boolean } {
  const provider = model.node(node)?.nativeCauProvider;
  if (provider === 'Absent') return { orchestratorGuid: null, providerPresent: false };
  if (provider === 'AccessDenied') {
    throw new OpFailure(
      NativeCauErrorCode.unreadable,
      `Could not read MSFT_CAURun on ${node}, so whether a native CAU Updating Run is in progress is unknown: Access denied. Run cauctl as a member of the local Administrators group of ${node}, or check that the CIM namespace root/Microsoft/Windows/ClusterUpdate grants it access.`,
    );
  }
  return { orchestratorGuid: nativeRunOn(model, node), providerPresent: true };
}

/** readNativeRun, or, when `report` is set (get-cluster's reportUnreadableNativeCau), an unreadable provider's why. */
export function readNativeRunOrWhy(model: ClusterModel, node: string, report: boolean): { orchestratorGuid: string | null; unreadable: string | null } {
  try {
    return { orchestratorGuid: readNativeRun(model, node).orchestratorGuid, unreadable: null };
  } catch (error) {
    if (!report || !(error instanceof OpFailure) || error.code !== NativeCauErrorCode.unreadable) throw error;
    return { orchestratorGuid: null, unreadable: error.message };
  }
}

/** Whether any native Updating Run holds the cluster now. */
export function nativeRunInProgress(model: ClusterModel): boolean {
  return model.state.nativeCauRunInProgress || (model.state.nativeCauRun !== undefined && model.state.nativeCauRun !== null);
}

/**
 * The role's schedule comes due: an Online role starts an Updating Run that holds the cluster for `seconds`;
 * an Offline (disabled) role starts nothing, and the occasion is gone.
 */
export function selfUpdatingTrigger(model: ClusterModel, at: number): void {
  const r = role(model);
  const plan = r?.selfUpdatingRun;
  if (r === undefined || plan === undefined) return;
  const group = groupNameOf(model, r);
  if (!r.enabled) {
    model.logOp(group, 'native-cau-run', 'not started: the CAU role is Offline');
    return;
  }
  startNativeRun(model, r, at, plan.seconds);
}

/** The role's coordinator starts an Updating Run now (its schedule, or Set-CauClusterRole -UpdateNow); none while one holds the cluster. */
export function startNativeRun(model: ClusterModel, r: SimCauRole, at: number, seconds: number): boolean {
  if (nativeRunInProgress(model)) return false;
  const node = ownerOf(model, r);
  model.state.nativeCauRun = { orchestratorGuid: SIM_ORCHESTRATOR_GUID, node, startedAt: at };
  model.logOp(node, 'native-cau-run', 'started');
  model.schedule({ at: at + seconds * 1000, kind: 'nativeRunEnd', orchestratorGuid: SIM_ORCHESTRATOR_GUID });
  return true;
}

/** The native run's coordinator finishes and deletes its MSFT_CAURun object. */
export function nativeRunEnd(model: ClusterModel, orchestratorGuid: string): void {
  const run = model.state.nativeCauRun;
  if (run === undefined || run === null || run.orchestratorGuid !== orchestratorGuid) return;
  model.state.nativeCauRun = null;
  model.logOp(run.node, 'native-cau-run', 'ended');
}

/** Called by suspend-node: cauctl must never drain a node while a native coordinator may drain another. */
export function auditSuspendDuringNativeRun(model: ClusterModel, node: string): void {
  if (nativeRunInProgress(model)) {
    model.audit.violation(model.now, `${node} was suspended by the run while a native CAU Updating Run was in progress (MSFT_CAURun present): two coordinators updated the cluster at once.`);
  }
}

export const nativeCauOpHandlers: { [N in NativeOp]: Handler<N> } = {
  'get-native-cau': async (ctx) => {
    requireCluster(ctx);
    await sleepSeconds(ctx, 0);
    const m = ctx.model;
    const r = role(m);
    const { orchestratorGuid, providerPresent } = readNativeRun(m, ctx.node.name);
    return {
      node: ctx.node.name,
      runInProgress: orchestratorGuid !== null,
      orchestratorGuid,
      providerPresent,
      role: r === undefined ? null : { groupName: groupNameOf(m, r), state: r.enabled ? 'Online' : 'Offline', ownerNode: ownerOf(m, r) },
    };
  },

  'hold-cau-role': async (ctx, p) => {
    requireCluster(ctx);
    const m = ctx.model;
    const r = role(m);
    if (r === undefined || groupNameOf(m, r) !== p.groupName) {
      throw new OpFailure(NativeCauErrorCode.roleNotFound, `The cluster group '${p.groupName}' no longer holds the Cluster-Aware Updating clustered role.`);
    }
    const online = p.state === 'Online';
    if (r.enabled !== online) {
      await sleepSeconds(ctx, GROUP_CHANGE_SECONDS);
      if (!online && m.state.nativeCauRun) {
        m.audit.violation(m.now, `The CAU role was taken offline while its Updating Run was in progress on ${m.state.nativeCauRun.node}: the native run was cut short.`);
        m.state.nativeCauRun = null;
      }
      r.enabled = online;
      m.dirty = true;
      m.logOp(ctx.node.name, 'hold-cau-role', p.state);
    }
    return { groupName: p.groupName, state: r.enabled ? 'Online' : 'Offline', ownerNode: ownerOf(m, r) };
  },
};
