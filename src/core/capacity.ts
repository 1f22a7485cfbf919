/**
 * Capacity (DESIGN.md invariant 9): can the nodes that stay in service host every running VM of the node(s)
 * about to leave? Pure: the caller reads the cluster (get-cluster) and each node's memory and VMs
 * (get-node-capacity) and passes them in; nothing here does I/O. Depends on the catalogue's types only.
 *
 * The rules:
 * - Hosts are the nodes that are Up, not paused and not leaving. A Paused or Down node receives nothing.
 * - A host's free memory is its memory minus the memory of the running VMs it runs now and of the VMs it is
 *   given here. A VM is running unless it is Off or Saved (a paused VM still holds its memory).
 * - Running clustered VMs of the leaving nodes are placed in the order the nodes report them, each on the host
 *   with the most free memory (then the fewest roles). That is how the failover cluster places a drain's VMs:
 *   it does not bin-pack, so a check that did would pass drains that then fail half-way. A VM that fits
 *   nowhere is `unplaced`.
 * - A running VM that cannot live-migrate (`liveMigratable: false`, or not a clustered role at all, which a
 *   drain never moves) would go down with the drain or the restart: it is named in `notMigratable` and the
 *   check fails.
 * - Every other clustered role (VMs that are off, roles that are not VMs) needs no memory, only a host.
 * - Unknown memory (`memoryMB: null`, a model or node that does not say) is not a shortfall: such a host
 *   takes any VM and such a VM fits any host. The verdict says when it was judged on placement only.
 *
 * Several nodes may leave at once (`leaving` has k names): their VMs compete for the same hosts.
 *
 * Verdict codes (for the run's error record): `NoNodeForRoles` (nothing can host the roles at all: a
 * single-node cluster, or every other node down or paused), `InsufficientMemory` (some running VM fits on no
 * host), `VmNotLiveMigratable` (a running VM would go down). When several apply, the first in this list.
 */
import type { ClusterInfo, NodeCapacity, NodeState } from '../cluster/operations.js';

/** One node as the capacity check sees it. */
export interface CapacityNode {
  readonly name: string;
  readonly state: NodeState;
  /** Physical memory in MB; null when unknown. */
  readonly memoryMB: number | null;
  /** Clustered roles (groups) this node owns, by name (get-cluster's `roles`). */
  readonly roles: readonly string[];
}

/** One VM on a node (get-node-capacity's `vms`, with the node that runs it). */
export interface CapacityVm {
  readonly name: string;
  /** The clustered role (group) the VM belongs to; null for a VM that is not clustered. */
  readonly role: string | null;
  /** The node that runs (owns) it now. */
  readonly node: string;
  /** Hyper-V state: `Running`, `Off`, `Saved`, `Paused`, … */
  readonly state: string;
  /** Assigned memory in MB; null when unknown. */
  readonly memoryMB: number | null;
  readonly liveMigratable: boolean;
  /** Why it cannot live-migrate, as the node says (e.g. a device assigned to it). */
  readonly notMigratableReason?: string;
}

export interface CapacityInput {
  readonly nodes: readonly CapacityNode[];
  readonly vms: readonly CapacityVm[];
  /** The node(s) about to be drained, together. */
  readonly leaving: readonly string[];
}

export type CapacityCode = 'NoNodeForRoles' | 'InsufficientMemory' | 'VmNotLiveMigratable';

/** Where each moving VM would go. */
export interface CapacityMove {
  readonly vm: string;
  readonly from: string;
  readonly to: string;
  readonly memoryMB: number | null;
}

export type CapacityVerdict =
  | {
      readonly ok: true;
      /** `memory` when every memory figure involved was known; `placement` when some was not. */
      readonly basis: 'memory' | 'placement';
      readonly moves: readonly CapacityMove[];
      /** One line for the operator: what moves where, or that nothing has to move. */
      readonly summary: string;
    }
  | {
      readonly ok: false;
      readonly code: CapacityCode;
      /** What fails, on which node, and what to try. */
      readonly message: string;
      /** Running VMs (and, without any host, every role) that would find no node. */
      readonly unplaced: readonly string[];
      /** Running VMs that would go down because they cannot live-migrate. */
      readonly notMigratable: readonly string[];
      readonly basis: 'memory' | 'placement';
    };

/**
 * CAU's switch that pauses a node without draining it, accepting that its roles go down. Named in refusals
 * as CAU's, so the message stays true whether or not cauctl offers it yet.
 */
export const DOWNTIME_SWITCH = 'ForcePauseNoDrain';

const NOT_RUNNING = new Set(['off', 'saved', 'offcritical', 'savedcritical']);

/** Off and Saved VMs hold no memory; every other state (Running, Paused, Starting, …) does. */
export function isRunningVm(vm: Pick<CapacityVm, 'state'>): boolean {
  return !NOT_RUNNING.has(vm.state.toLowerCase());
}

/** Builds the input from get-cluster and each node's get-node-capacity report (a node without one: unknown). */
export function capacityInputFrom(cluster: Pick<ClusterInfo, 'nodes'>, reports: readonly NodeCapacity[], leaving: readonly string[] = []): CapacityInput {
  const byNode = new Map(reports.map((r) => [r.node.toUpperCase(), r]));
  return {
    nodes: cluster.nodes.map((n) => ({ name: n.name, state: n.state, memoryMB: byNode.get(n.name.toUpperCase())?.memoryMB ?? null, roles: n.roles })),
    vms: cluster.nodes.flatMap((n) => (byNode.get(n.name.toUpperCase())?.vms ?? []).map((vm) => ({ ...vm, node: n.name }))),
    leaving,
  };
}

function mb(value: number | null): string {
  return value === null ? 'memory unknown' : `${value} MB`;
}

interface Host {
  readonly name: string;
  readonly memoryMB: number | null;
  /** Free memory in MB; Infinity when the host's memory is unknown. */
  free: number;
  roles: number;
}

/** Memory (MB) that the running VMs hold now, by node name upper-cased; unknown memory counts 0. */
function memoryInUse(vms: readonly CapacityVm[]): Map<string, number> {
  const used = new Map<string, number>();
  for (const vm of vms) {
    if (!isRunningVm(vm)) continue;
    const key = vm.node.toUpperCase();
    used.set(key, (used.get(key) ?? 0) + (vm.memoryMB ?? 0));
  }
  return used;
}

/** Checks whether the `leaving` nodes can be drained without a running VM going down. */
export function checkCapacity(input: CapacityInput): CapacityVerdict {
  // Names compare case-insensitively, keyed once: the check stays linear in nodes and VMs (it runs before
  // every drain, on every node's report).
  const wanted = new Set(input.leaving.map((l) => l.toUpperCase()));
  const leaving = input.nodes.filter((n) => wanted.has(n.name.toUpperCase()));
  const leavingNames = leaving.map((n) => n.name);
  const leavingKeys = new Set(leavingNames.map((l) => l.toUpperCase()));
  const isLeaving = (node: string): boolean => leavingKeys.has(node.toUpperCase());
  const usedByNode = memoryInUse(input.vms);
  const hosts: Host[] = input.nodes
    .filter((n) => n.state === 'Up' && !isLeaving(n.name))
    .map((n) => {
      const used = usedByNode.get(n.name.toUpperCase()) ?? 0;
      return { name: n.name, memoryMB: n.memoryMB, free: n.memoryMB === null ? Infinity : n.memoryMB - used, roles: n.roles.length };
    });
  const leavingVms = input.vms.filter((vm) => isLeaving(vm.node));
  const running = leavingVms.filter(isRunningVm);
  const notMigratable = running.filter((vm) => vm.role === null || !vm.liveMigratable);
  const toPlace = running.filter((vm) => vm.role !== null && vm.liveMigratable);
  const vmRoles = new Set(leavingVms.flatMap((vm) => (vm.role === null ? [] : [vm.role.toUpperCase()])));
  const otherRoles = leaving.flatMap((n) => n.roles.filter((r) => !vmRoles.has(r.toUpperCase())));
  const offVms = leavingVms.filter((vm) => !isRunningVm(vm) && vm.role !== null);
  const basis = [...hosts.map((h) => h.memoryMB), ...toPlace.map((vm) => vm.memoryMB)].some((m) => m === null) ? 'placement' : 'memory';
  const names = leavingNames.join(', ');
  const needsHost = toPlace.length + notMigratable.length + otherRoles.length + offVms.length > 0;

  if (hosts.length === 0 && needsHost) {
    const stranded = [...running.map((vm) => vm.name), ...offVms.map((vm) => vm.name), ...otherRoles];
    const others = input.nodes.filter((n) => !isLeaving(n.name));
    const why =
      others.length === 0
        ? `${names} ${leavingNames.length === 1 ? 'is the only node' : 'are all the nodes'} of the cluster`
        : `no other node is Up and not paused (${others.map((n) => `${n.name} ${n.state}`).join(', ')})`;
    return {
      ok: false,
      code: 'NoNodeForRoles',
      message:
        `The roles of ${names} have nowhere to go: ${why}. A drain would fail, or ${stranded.join(', ')} would go down ` +
        `(${running.length > 0 ? `running VMs: ${running.map((vm) => vm.name).join(', ')}` : 'no running VM'}). ` +
        `Bring another node into service first, or plan the downtime: CAU's switch that pauses a node without draining ` +
        `it, accepting that its roles go down, is ${DOWNTIME_SWITCH}.`,
      unplaced: stranded,
      notMigratable: notMigratable.map((vm) => vm.name),
      basis,
    };
  }

  const moves: CapacityMove[] = [];
  const unplaced: CapacityVm[] = [];
  for (const vm of toPlace) {
    const need = vm.memoryMB ?? 0;
    const best = hosts.filter((h) => h.free >= need).sort((a, b) => b.free - a.free || a.roles - b.roles || a.name.localeCompare(b.name))[0];
    if (best === undefined) {
      unplaced.push(vm);
      continue;
    }
    best.free -= need;
    best.roles += 1;
    moves.push({ vm: vm.name, from: vm.node, to: best.name, memoryMB: vm.memoryMB });
  }

  if (unplaced.length === 0 && notMigratable.length === 0) {
    const what =
      moves.length === 0
        ? `no running VM on ${names} has to move`
        : moves.map((m) => (basis === 'memory' ? `${m.vm} (${mb(m.memoryMB)}) → ${m.to}` : `${m.vm} → ${m.to}`)).join(', ');
    const free = hosts.filter((h) => h.memoryMB !== null).map((h) => `${h.name} ${h.free} MB`);
    return {
      ok: true,
      basis,
      moves,
      summary: `${what}${free.length > 0 ? `; free after: ${free.join(', ')}` : ''}${basis === 'placement' ? ' (memory unknown: judged on placement only)' : ''}`,
    };
  }

  const problems: string[] = [];
  if (unplaced.length > 0) {
    const freeNow = hosts.map((h) => `${h.name} ${h.free} MB free`).join(', ');
    problems.push(`${unplaced.map((vm) => `${vm.name} (${mb(vm.memoryMB)})`).join(', ')} ${unplaced.length === 1 ? 'does' : 'do'} not fit on the nodes that stay in service (after the other moves: ${freeNow})`);
  }
  if (notMigratable.length > 0) {
    problems.push(
      `${notMigratable.map((vm) => `${vm.name} (${vm.role === null ? 'not a clustered role' : (vm.notMigratableReason ?? 'not live-migratable')})`).join(', ')} cannot live-migrate and would go down`,
    );
  }
  const tries = [
    ...(unplaced.length > 0 ? ['free memory on the other nodes (stop or shrink VMs there), add memory or a node'] : []),
    ...(notMigratable.length > 0 ? ['make the VMs live-migratable (or shut them down in a planned window)'] : []),
  ];
  return {
    ok: false,
    code: unplaced.length > 0 ? 'InsufficientMemory' : 'VmNotLiveMigratable',
    message: `Draining ${names} would take running VMs down: ${problems.join('; ')}. Try: ${tries.join('; ')}. To accept the downtime instead, CAU's switch is ${DOWNTIME_SWITCH}.`,
    unplaced: unplaced.map((vm) => vm.name),
    notMigratable: notMigratable.map((vm) => vm.name),
    basis,
  };
}

/** The check for each node of a rolling run, each leaving alone (one node out of service at a time). */
export function checkEachNode(input: Omit<CapacityInput, 'leaving'>, nodes: readonly string[]): Array<{ readonly node: string; readonly verdict: CapacityVerdict }> {
  return nodes.map((node) => ({ node, verdict: checkCapacity({ ...input, leaving: [node] }) }));
}
