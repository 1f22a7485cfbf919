/**
 * How the simulated cluster moves roles: the drain of a paused node (Suspend-ClusterNode -Drain) and the
 * failover of a node that goes down. Placement is the cluster's own, written here from how Windows behaves,
 * never from cauctl's capacity check (src/core): a running VM goes to the Up, unpaused node with the most free
 * memory that can hold it; a VM that cannot live-migrate, or fits nowhere, stays, and the drain fails with the
 * node left Paused. Without memory figures, placement goes by availability only (the node with fewest roles).
 * Depends on the model's types, the audit and the model itself (type only).
 */
import type { ClusterModel } from './cluster-model.js';
import { vmVersionFor, type SimVmState } from './feature-state.js';
import type { SimNodeState, SimRoleState } from './model-state.js';

/** The facts of the VM behind a role; a role the model has no VM entry for is a running VM. */
export interface RoleVm {
  running: boolean;
  memoryMB: number | undefined;
  liveMigratable: boolean;
}

export function roleVm(model: ClusterModel, role: string): RoleVm {
  const vm: SimVmState | undefined = model.state.feature?.vms[role];
  return {
    running: vm === undefined || vm.state === 'Running',
    memoryMB: vm?.memoryMB,
    liveMigratable: vm?.liveMigratable !== false,
  };
}

/** Roles this node owns that are not offline: what its restart would take down. */
export function runningRolesOf(model: ClusterModel, node: string): string[] {
  return model.state.roles.filter((r) => r.owner === node && roleVm(model, r.name).running).map((r) => r.name);
}

/** Invariant 8's "drained": Paused, DrainStatus Completed and no running clustered role. */
export function isDrained(model: ClusterModel, node: SimNodeState): boolean {
  return node.clusterState === 'Paused' && node.drainStatus === 'Completed' && runningRolesOf(model, node.name).length === 0;
}

/**
 * Memory left on `node` after the running VMs it owns; undefined when the node's memory is unknown. A VM
 * without a memory figure counts as 0 MB, which is what get-node-capacity reports for it.
 */
export function freeMemoryMB(model: ClusterModel, node: SimNodeState): number | undefined {
  if (node.memoryMB === undefined) return undefined;
  let used = 0;
  for (const role of model.state.roles) {
    if (role.owner !== node.name) continue;
    const vm = roleVm(model, role.name);
    if (vm.running) used += vm.memoryMB ?? 0;
  }
  return node.memoryMB - used;
}

/** Nodes that can take a role now: Up (a Paused or Down node accepts none) and powered on. */
function candidateNodes(model: ClusterModel, from: string): SimNodeState[] {
  return model.state.nodes.filter((n) => n.name !== from && n.clusterState === 'Up' && n.power === 'on');
}

/**
 * Where the cluster would start or move `role`: among `candidates`, the ones whose free memory holds the VM
 * (unknown memory counts as room), the most free memory first, then the fewest roles. Undefined: nowhere.
 */
function placeOn(model: ClusterModel, role: SimRoleState, candidates: readonly SimNodeState[]): SimNodeState | undefined {
  const vm = roleVm(model, role.name);
  const need = vm.running ? vm.memoryMB : 0;
  // One pass over the roles for every candidate's load (as freeMemoryMB and countRoles count it).
  const load = new Map<string, { used: number; roles: number }>();
  for (const r of model.state.roles) {
    let entry = load.get(r.owner);
    if (entry === undefined) load.set(r.owner, (entry = { used: 0, roles: 0 }));
    entry.roles += 1;
    const rvm = roleVm(model, r.name);
    if (rvm.running) entry.used += rvm.memoryMB ?? 0;
  }
  const scored = candidates
    .map((n) => {
      const entry = load.get(n.name);
      return { node: n, free: n.memoryMB === undefined ? undefined : n.memoryMB - (entry?.used ?? 0), roles: entry?.roles ?? 0 };
    })
    .filter((c) => c.free === undefined || need === undefined || c.free >= need);
  scored.sort((a, b) => (b.free ?? Number.POSITIVE_INFINITY) - (a.free ?? Number.POSITIVE_INFINITY) || a.roles - b.roles);
  return scored[0]?.node;
}

export interface Unmoved {
  role: string;
  reason: string;
}

/**
 * Moves the roles a drain moves. A running VM moves by live migration, so one that cannot live-migrate stays;
 * one that fits nowhere stays. With `forced` (-ForceDrain) such a VM is stopped and moved as failed (it goes
 * Off): the drain completes, with downtime. Returns the roles left on the node and the VMs the force stopped.
 */
export function drainRoles(model: ClusterModel, node: SimNodeState, forced: boolean): { unmoved: Unmoved[]; stopped: string[] } {
  const unmoved: Unmoved[] = [];
  const stopped: string[] = [];
  const fault = node.faults.drainFailsLeft > 0;
  if (fault) {
    node.faults.drainFailsLeft -= 1;
    model.touch(node);
  }
  const roles = model.state.roles.filter((r) => r.owner === node.name);
  const candidates = candidateNodes(model, node.name);
  roles.forEach((role, i) => {
    const vm = roleVm(model, role.name);
    let reason: string | undefined;
    if (fault && i === 0) reason = `the live migration of ${role.name} failed`;
    else if (candidates.length === 0) reason = 'no other node is Up and unpaused';
    else if (vm.running && !vm.liveMigratable) reason = `${role.name} cannot live-migrate`;
    const target = reason === undefined ? placeOn(model, role, candidates) : undefined;
    if (reason === undefined && target === undefined) reason = `no node has ${vm.memoryMB ?? '?'} MB of free memory for ${role.name}`;
    if (target !== undefined) {
      role.owner = target.name;
      model.touchRole(role);
      return;
    }
    if (forced && candidates.length > 0) {
      // -ForceDrain: what cannot move live is taken offline and moved as failed.
      if (vm.running) {
        const vmState = model.state.feature?.vms[role.name];
        if (vmState) vmState.state = 'Off';
        else setVmOff(model, role.name);
        model.markFeature();
        stopped.push(role.name);
      }
      role.owner = [...candidates].sort((a, b) => countRoles(model, a) - countRoles(model, b))[0]!.name;
      model.touchRole(role);
      return;
    }
    unmoved.push({ role: role.name, reason: reason! });
  });
  // A node with nothing to move still fails under the fault (the cluster's own resources would not move).
  if (fault && roles.length === 0) unmoved.push({ role: 'Cluster Group', reason: 'the drain failed' });
  return { unmoved, stopped };
}

function countRoles(model: ClusterModel, node: SimNodeState): number {
  return model.state.roles.filter((r) => r.owner === node.name).length;
}

function setVmOff(model: ClusterModel, role: string): void {
  const feature = model.state.feature;
  if (!feature) return;
  feature.vms[role] = { state: 'Off', configurationVersion: vmVersionFor(feature.clusterBuild) };
}

/**
 * Failover of roles whose node went down (or starts Down): a running VM restarts elsewhere (downtime) on the
 * node with the most free memory that holds it; one that fits nowhere stays with its node, down until the
 * node is back. Offline roles need no memory and go where the same order puts them. Returns, per running VM, where it went
 * (undefined: nowhere).
 */
export function failOver(model: ClusterModel, from: string, roles: readonly SimRoleState[]): { role: string; to: string | undefined }[] {
  const candidates = candidateNodes(model, from);
  const moved: { role: string; to: string | undefined }[] = [];
  for (const role of roles) {
    const running = roleVm(model, role.name).running;
    const target = placeOn(model, role, candidates);
    if (target !== undefined) {
      role.owner = target.name;
      model.touchRole(role);
    }
    if (running) moved.push({ role: role.name, to: target?.name });
  }
  return moved;
}

/** Starts a drain of `node` (already Paused); it ends with a drainEnd event, or never under drainHangs. */
export function startDrain(model: ClusterModel, node: SimNodeState, forced: boolean): void {
  const seq = (node.drain?.seq ?? 0) + 1;
  node.drain = { seq, forced };
  node.drainStatus = 'InProgress';
  model.touch(node);
  if ((node.faults.drainHangsLeft ?? 0) > 0) {
    // A live migration that never finishes: DrainStatus stays InProgress until a resume stops the drain.
    node.faults.drainHangsLeft! -= 1;
    return;
  }
  const roles = model.state.roles.filter((r) => r.owner === node.name).length;
  model.schedule({ at: model.now + model.state.timing.drainSecondsPerRole * roles * 1000, kind: 'drainEnd', node: node.name, drainSeq: seq });
}

/** The drain's end: roles placed, DrainStatus Completed or Failed; the node stays Paused either way. */
export function finishDrain(model: ClusterModel, node: SimNodeState, drainSeq: number): void {
  if (node.drain?.seq !== drainSeq || node.drainStatus !== 'InProgress' || node.clusterState !== 'Paused') return;
  model.touch(node);
  const forced = node.drain.forced;
  delete node.drain;
  const { unmoved, stopped } = drainRoles(model, node, forced);
  for (const role of stopped) {
    model.audit.allowed(model.now, `${role} was running on ${node.name} and was stopped to complete a forced drain (ForcePauseAndDrain): it went down.`);
  }
  node.drainStatus = unmoved.length > 0 ? 'Failed' : 'Completed';
  if (unmoved.length > 0) node.lastDrainFailure = unmoved.map((u) => `${u.role} (${u.reason})`).join(', ');
  else delete node.lastDrainFailure;
}

/** Resume-ClusterNode during a drain stops it; the roles already moved stay where they went. */
export function stopDrain(model: ClusterModel, node: SimNodeState): void {
  delete node.drain;
  model.touch(node);
}
