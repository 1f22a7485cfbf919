/**
 * The CAU clustered role against the model: present or absent, enabled or disabled, its schedule and run
 * options, answering with the Name/Value pairs Get-CauClusterRole gives. Spread into `opHandlers`.
 * Depends on the model, the catalogue's types and the simulator's own reading of the role's pairs
 * (role-parameters.ts); never on a transport, never on src/core.
 */
import type { OperationParams, OperationResult } from '../cluster/operations.js';
import { RoleErrorCode, type RoleRunOptions } from '../cluster/operations-role.js';
import type { SimCauRole } from './model-state.js';
import { startNativeRun } from './native-cau.js';
import { requireNetworkLogon } from './network-logon.js';
import { cauRoleParameters } from './role-parameters.js';
import { OpFailure, sleepSeconds, requireCluster, type OpContext } from './op-context.js';

type RoleOp = 'get-cau-role' | 'add-cau-role' | 'set-cau-role' | 'change-cau-role' | 'update-cau-role-now';
type Handler<N extends RoleOp> = (ctx: OpContext, params: OperationParams<N>) => Promise<OperationResult<N>>;

/** Creating the role's group, network name and resource takes the cluster a little while. */
const ADD_SECONDS = 20;
const CHANGE_SECONDS = 2;
/** How long a self-updating run started by -UpdateNow holds the cluster when the fixture gives no figure. */
const UPDATE_NOW_RUN_SECONDS = 3600;

/** Simulated clusters answer in their fixture's zone; a real node reports a Windows id (see get-cau-role.ps1). */
const DEFAULT_TIME_ZONE = 'UTC';

/** CAU's own wording when there is no role (cau-surface.md §5). */
function notFound(): OpFailure {
  return new OpFailure(RoleErrorCode.notFound, 'The current cluster is not configured with a Cluster-Aware Updating clustered role.');
}

function currentRole(ctx: OpContext): SimCauRole | undefined {
  return ctx.model.state.cauRole ?? undefined;
}

/** CAU names the group after the cluster with a random suffix; a stable suffix keeps rehearsals repeatable. */
function generatedName(clusterName: string): string {
  return `CAU${clusterName}`.slice(0, 11) + 'x7k';
}

function groupNameOf(ctx: OpContext, role: SimCauRole): string {
  return role.groupName ?? generatedName(ctx.model.state.name);
}

function view(ctx: OpContext, role: SimCauRole): OperationResult<'add-cau-role'> {
  return { groupName: groupNameOf(ctx, role), status: role.enabled ? 'Online' : 'Offline' };
}

function save(ctx: OpContext, role: SimCauRole | null): void {
  ctx.model.state.cauRole = role;
  ctx.model.dirty = true;
}

/** Set-CauClusterRole changes the options it is given and keeps the others. */
function mergeOptions(current: RoleRunOptions, change: RoleRunOptions): RoleRunOptions {
  return { ...current, ...structuredClone(change) };
}

export const roleOpHandlers: { [N in RoleOp]: Handler<N> } = {
  'get-cau-role': async (ctx) => {
    requireCluster(ctx);
    const role = currentRole(ctx);
    const zone = ctx.model.state.timeZone ?? DEFAULT_TIME_ZONE;
    return {
      timeZoneId: zone,
      ianaTimeZone: zone,
      role:
        role === undefined
          ? null
          : {
              groupName: groupNameOf(ctx, role),
              possibleOwners: role.possibleOwners ?? ctx.model.state.nodes.map((n) => n.name),
              parameters: cauRoleParameters({ groupName: groupNameOf(ctx, role), enabled: role.enabled, schedule: role.schedule, options: role.options }),
            },
    };
  },

  'add-cau-role': async (ctx, p) => {
    requireCluster(ctx);
    requireNetworkLogon(ctx, p.networkCredential, 'Add-CauClusterRole');
    const existing = currentRole(ctx);
    if (existing !== undefined) {
      throw new OpFailure(RoleErrorCode.exists, `The cluster already has a Cluster-Aware Updating clustered role (${groupNameOf(ctx, existing)}).`);
    }
    await sleepSeconds(ctx, ADD_SECONDS);
    const role: SimCauRole = {
      ...(p.groupName !== undefined ? { groupName: p.groupName } : {}),
      ...(p.virtualComputerObjectName !== undefined ? { virtualComputerObjectName: p.virtualComputerObjectName } : {}),
      enabled: true,
      schedule: structuredClone(p.schedule),
      options: structuredClone(p.options),
    };
    save(ctx, role);
    return view(ctx, role);
  },

  'set-cau-role': async (ctx, p) => {
    requireCluster(ctx);
    requireNetworkLogon(ctx, p.networkCredential, 'Set-CauClusterRole');
    const role = currentRole(ctx);
    if (role === undefined) throw notFound();
    await sleepSeconds(ctx, CHANGE_SECONDS);
    // -UseDefault: the options not given return to CAU's defaults, so only the given ones stay on the role.
    const options = p.useDefault === true ? structuredClone(p.options) : mergeOptions(role.options, p.options);
    const next: SimCauRole = { ...role, schedule: structuredClone(p.schedule), options };
    save(ctx, next);
    return view(ctx, next);
  },

  'update-cau-role-now': async (ctx, p) => {
    requireCluster(ctx);
    requireNetworkLogon(ctx, p.networkCredential, 'Set-CauClusterRole -UpdateNow');
    const role = currentRole(ctx);
    if (role === undefined) throw notFound();
    await sleepSeconds(ctx, CHANGE_SECONDS);
    // As when its schedule comes due: an Offline (disabled) role starts nothing, nor does one while a run holds
    // the cluster; the caller sees which with get-native-cau. The role's configuration is not touched.
    if (role.enabled) startNativeRun(ctx.model, role, ctx.model.now, role.selfUpdatingRun?.seconds ?? UPDATE_NOW_RUN_SECONDS);
    else ctx.model.logOp(ctx.node.name, 'native-cau-run', 'not started: the CAU role is Offline');
    ctx.model.dirty = true;
    return view(ctx, role);
  },

  'change-cau-role': async (ctx, p) => {
    requireCluster(ctx);
    requireNetworkLogon(ctx, p.networkCredential, `${p.action}-CauClusterRole`);
    const role = currentRole(ctx);
    if (role === undefined) throw notFound();
    await sleepSeconds(ctx, CHANGE_SECONDS);
    const groupName = groupNameOf(ctx, role);
    if (p.action === 'Remove') {
      save(ctx, null);
      return { groupName, status: 'Removed', removed: true };
    }
    const next = { ...role, enabled: p.action === 'Enable' };
    save(ctx, next);
    return { ...view(ctx, next), removed: false };
  },
};
