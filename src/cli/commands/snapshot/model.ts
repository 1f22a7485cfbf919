/**
 * What `snapshot` reads of a cluster, and the rehearsal model (the fixture format, DESIGN.md) it makes of it:
 * nodes and their states, clustered roles and owners, node and VM memory and live migration, quorum and
 * witness, S2D (pool, virtual disks, fault domains), functional level and OS builds, the updates each node is offered now,
 * the setup facts test-setup reads, and the CAU role with its schedule. Reads only: every call goes through a
 * ReadOnlyGateway. Depends on the gateway interface, the catalogue's types and core's role parsing.
 */
import { clusterUnavailableRefusal } from '../../../core/cluster-unavailable.js';
import type { Gateway } from '../../../cluster/gateway.js';
import type { ClusterInfo, NodeCapacity, NodeSetup, NodeStatus } from '../../../cluster/operations.js';
import { parseRoleParameters, scheduleParams, ianaZoneOf } from '../../../core/cau-role.js';
import { scanNode } from '../../../core/node-steps/scan.js';
import type { PhaseTiming } from '../../../core/plan.js';
import type { PluginSpec } from '../../../core/types.js';
import { describeError, isAppError } from '../../../errors.js';

/** A fixture as plain JSON (validated by the fixture schema before it is written). */
export type ModelJson = Record<string, unknown>;

/** A model's update: what a node is offered now, with the follow-ups the source model declares (rehearsal only). */
export interface ModelUpdate {
  readonly id: string;
  readonly kb: string;
  readonly title: string;
  readonly rebootRequired: boolean;
  readonly plugin?: string;
  readonly folder?: string;
  readonly followUps?: readonly ModelUpdate[];
}

export interface SnapshotInput {
  readonly gateway: Gateway;
  readonly entry: string;
  readonly plugins: readonly PluginSpec[];
  /** The model's timings and where they came from (said in its description); `roles(node)` counts a node's roles now. */
  readonly timingFor: (roles: (node: string) => number) => { readonly timing: PhaseTiming; readonly note: string };
  /** Follow-ups a rehearsal model declares for an update (a real cluster shows them only once the parent is installed). */
  readonly followUpsOf?: (node: string, updateId: string) => readonly ModelUpdate[];
  /** The host's clock, for the description. */
  readonly now: () => number;
}

export interface SnapshotResult {
  readonly model: ModelJson;
  /** What could not be read, per node or part: said on stderr and in the description. */
  readonly gaps: readonly string[];
}

interface NodeReads {
  setup?: NodeSetup;
  status?: NodeStatus;
  capacity?: NodeCapacity;
  vmVersions?: ReadonlyMap<string, string>;
  updates?: ModelUpdate[];
  /** No read reached the node (WinRM does not answer). */
  unreachable: boolean;
  constrainedLanguage: boolean;
}

const AUTO_UPDATE_MODES = ['Disabled', 'NotifyOnly', 'DownloadOnly', 'AutoInstall', 'NotConfigured'];
const SERVICE_STATES = ['Running', 'Stopped', 'StartPending', 'StopPending'];
const START_MODES = ['Auto', 'Manual', 'Disabled'];
/** The fault domain levels a model knows (Get-VirtualDisk's FaultDomainAwareness). */
const FAULT_DOMAIN_LEVELS = ['PhysicalDisk', 'StorageEnclosure', 'StorageScaleUnit', 'StorageChassis', 'StorageRack'];

async function attempt<T>(gaps: string[], what: string, read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    gaps.push(`${what}: ${describeError(error).replace(/\.$/, '')}`);
    return undefined;
  }
}

function isUnreachable(error: unknown): boolean {
  return isAppError(error) && (error.code === 'TRANSPORT_UNREACHABLE' || error.code === 'TRANSPORT_TIMEOUT' || error.transient);
}

async function readNode(input: SnapshotInput, node: string, online: boolean, gaps: string[]): Promise<NodeReads> {
  const reads: NodeReads = { unreachable: false, constrainedLanguage: false };
  if (!online) return reads;
  const g = input.gateway;
  try {
    // One try: a node that does not answer is a fact of the model (reachable: false), not a reason to wait.
    reads.status = await g.call(node, 'get-node-status', {}, { retry: false });
  } catch (error) {
    if (isAppError(error) && error.code === 'CONSTRAINED_LANGUAGE') reads.constrainedLanguage = true;
    else if (isUnreachable(error)) {
      reads.unreachable = true;
      gaps.push(`${node} does not answer (${describeError(error).replace(/\.$/, '')}): modelled as unreachable`);
      return reads;
    } else gaps.push(`${node} status: ${describeError(error).replace(/\.$/, '')}`);
  }
  if (reads.constrainedLanguage) return reads;
  reads.setup = await attempt(gaps, `${node} setup`, () => g.call(node, 'get-node-setup', {}));
  reads.capacity = await attempt(gaps, `${node} memory and VMs`, () => g.call(node, 'get-node-capacity', {}));
  const vms = await attempt(gaps, `${node} VM configuration versions`, () => g.call(node, 'get-vms', {}));
  if (vms) reads.vmVersions = new Map(vms.vms.map((vm) => [vm.name, vm.configurationVersion]));
  const scanned = await attempt(gaps, `${node} scan`, () => scanNode(g, node, input.plugins));
  if (scanned) {
    reads.updates = scanned
      .filter((u) => u.plugin !== 'Microsoft.RollingUpgradePlugin')
      .map((u) => {
        const followUps = input.followUpsOf?.(node, u.updateId) ?? [];
        return {
          id: u.updateId,
          kb: u.kb,
          title: u.title,
          rebootRequired: u.rebootRequired,
          ...(u.plugin === 'Microsoft.HotfixPlugin' ? { plugin: u.plugin, folder: node } : {}),
          ...(followUps.length > 0 ? { followUps } : {}),
        };
      });
  }
  return reads;
}

function setupFacts(setup: NodeSetup | undefined, status: NodeStatus | undefined, constrained: boolean): Record<string, unknown> {
  const facts: Record<string, unknown> = {};
  if (setup !== undefined) {
    Object.assign(facts, {
      osCaption: setup.osCaption,
      features: { ...setup.features },
      psRemotingEnabled: setup.psRemotingEnabled,
      wmiRemotingEnabled: setup.wmiRemotingEnabled,
      winrmServiceAutomatic: setup.winrmServiceAutomatic,
      remoteShutdownFirewallEnabled: setup.remoteShutdownFirewallEnabled,
      ...(AUTO_UPDATE_MODES.includes(setup.autoUpdateMode) ? { autoUpdateMode: setup.autoUpdateMode } : {}),
      ...(/^(WindowsUpdate|MicrosoftUpdate|WSUS:.+)$/.test(setup.updateSource) ? { updateSource: setup.updateSource } : {}),
      winHttpProxy: setup.winHttpProxy,
      dotNetVersion: setup.dotNetVersion,
      powerShellVersion: setup.powerShellVersion,
      ...(SERVICE_STATES.includes(setup.clusterServiceState) ? { clusterServiceState: setup.clusterServiceState } : {}),
      ...(START_MODES.includes(setup.clusterServiceStartMode) ? { clusterServiceStartMode: setup.clusterServiceStartMode } : {}),
      credSspServerEnabled: setup.credSspServerEnabled,
      registeredPlugins: [...setup.registeredPlugins],
    });
  }
  if (status?.rebootPending === true) facts['rebootPending'] = true;
  if (constrained) facts['languageMode'] = 'ConstrainedLanguage';
  return facts;
}

function nodeState(state: ClusterInfo['nodes'][number]['state']): 'Up' | 'Down' | 'Paused' {
  if (state === 'Paused') return 'Paused';
  return state === 'Up' || state === 'Joining' ? 'Up' : 'Down';
}

/** Reads the cluster and returns its model. Throws only when the cluster itself cannot be read. */
export async function snapshotCluster(input: SnapshotInput): Promise<SnapshotResult> {
  const g = input.gateway;
  const gaps: string[] = [];
  // Read-only: an MSFT_CAURun that cannot be read is a gap of the snapshot, not a failure of it.
  let cluster: ClusterInfo;
  try {
    cluster = await g.call(input.entry, 'get-cluster', { reportUnreadableNativeCau: true });
  } catch (error) {
    throw clusterUnavailableRefusal(input.entry, error) ?? error;
  }
  if (typeof cluster.nativeCauUnreadable === 'string') gaps.push(`native CAU state unknown: ${cluster.nativeCauUnreadable}`);
  const { timing, note: timingNote } = input.timingFor((node) => cluster.nodes.find((n) => n.name.toUpperCase() === node.toUpperCase())?.roles.length ?? 0);
  const storage = await attempt(gaps, 'storage health', () => g.call(input.entry, 'get-storage-health', {}));
  const pools = cluster.s2dEnabled ? await attempt(gaps, 'storage pools', () => g.call(input.entry, 'get-storage-pools', {})) : undefined;
  const replica = await attempt(gaps, 'Storage Replica', () => g.call(input.entry, 'get-storage-replica', {}));
  const role = await attempt(gaps, 'CAU role', () => g.call(input.entry, 'get-cau-role', {}));
  const domains = await attempt(gaps, 'fault domains', () => g.call(input.entry, 'get-fault-domains', {}));
  const reads = await Promise.all(cluster.nodes.map((n) => readNode(input, n.name, n.state !== 'Down' && n.state !== 'Unknown', gaps)));

  // Memory is all or nothing in a model: one node without a figure drops them all (placement would be a guess).
  const memoryKnown = cluster.nodes.every((n, i) => n.state === 'Down' || reads[i]!.capacity?.memoryMB != null) && reads.some((r) => r.capacity?.memoryMB != null);
  const everyRole = new Set(cluster.nodes.flatMap((n) => n.roles));
  const vms: Record<string, Record<string, unknown>> = {};
  reads.forEach((r) => {
    for (const vm of r.capacity?.vms ?? []) {
      if (vm.role === null || !everyRole.has(vm.role)) continue;
      const version = r.vmVersions?.get(vm.name);
      vms[vm.role] = {
        ...(vm.state === 'Running' || vm.state === 'Off' ? { state: vm.state } : {}),
        ...(version ? { configurationVersion: version } : {}),
        ...(memoryKnown && vm.memoryMB > 0 ? { memoryMB: vm.memoryMB } : {}),
        ...(vm.liveMigratable ? {} : { liveMigratable: false }),
      };
    }
  });

  const nodes = cluster.nodes.map((n, i) => {
    const r = reads[i]!;
    const osBuild = r.setup?.osBuild ?? r.status?.osBuild;
    const setup = setupFacts(r.setup, r.status, r.constrainedLanguage);
    const domain = domains?.nodes.find((d) => d.name.toUpperCase() === n.name.toUpperCase());
    const faultDomain = { ...(domain?.chassis ? { chassis: domain.chassis } : {}), ...(domain?.rack ? { rack: domain.rack } : {}) };
    return {
      name: n.name,
      state: nodeState(n.state),
      roles: [...n.roles],
      updates: r.updates ?? [],
      ...(osBuild !== undefined ? { osBuild } : {}),
      ...(Object.keys(setup).length > 0 ? { setup } : {}),
      ...(memoryKnown && r.capacity?.memoryMB != null ? { memoryMB: r.capacity.memoryMB } : {}),
      ...(r.unreachable ? { reachable: false } : {}),
      ...(Object.keys(faultDomain).length > 0 ? { faultDomain } : {}),
    };
  });

  const s2d = storage?.s2dEnabled ?? cluster.s2dEnabled;
  const poolVersion = pools?.pools[0]?.version;
  const awareness = domains?.virtualDisks[0]?.faultDomainAwareness;
  let cauRole: Record<string, unknown> | undefined;
  if (role?.role) {
    const parsed = parseRoleParameters(role.role.parameters);
    cauRole = {
      groupName: role.role.groupName,
      enabled: parsed.enabled,
      ...(parsed.schedule ? { schedule: scheduleParams(parsed.schedule) } : {}),
      options: parsed.options,
      possibleOwners: [...role.role.possibleOwners],
    };
    if (parsed.problems.length > 0) gaps.push(`CAU role: ${parsed.problems.join('; ')}`);
  }
  const zone = role ? ianaZoneOf(role.timeZoneId, role.ianaTimeZone) : undefined;
  const description = [
    `Snapshot of cluster ${cluster.name}, taken ${new Date(input.now()).toISOString()} by cauctl snapshot (read-only).`,
    `Timings: ${timingNote}.`,
    'Not observable, so not modelled: faults, follow-up updates of a real cluster, sites, pre/post scripts, Test-Cluster results.',
    ...(gaps.length > 0 ? [`Not read: ${gaps.join('; ')}.`] : []),
  ].join(' ');
  const model: ModelJson = {
    name: cluster.name,
    description,
    timing: { ...timing },
    storage: {
      s2d,
      ...(s2d && (storage?.pools.length ?? 0) > 0 ? { poolName: storage!.pools[0]!.friendlyName } : {}),
      ...(s2d && storage && storage.virtualDisks.length > 0 ? { virtualDisks: storage.virtualDisks.map((d) => d.friendlyName) } : {}),
      ...(s2d && poolVersion ? { poolVersion } : {}),
      ...(replica?.present ? { storageReplica: true } : {}),
      ...(s2d && awareness !== undefined && FAULT_DOMAIN_LEVELS.includes(awareness) ? { faultDomainAwareness: awareness } : {}),
    },
    quorum: { witnessType: cluster.quorum.witnessType, witnessState: cluster.quorum.witnessState },
    functionalLevel: cluster.functionalLevel,
    nativeCauRunInProgress: cluster.nativeCauRunInProgress,
    ...(cauRole ? { cauRole } : {}),
    ...(zone ? { timeZone: zone } : {}),
    ...(Object.keys(vms).length > 0 ? { vms } : {}),
    nodes,
  };
  return { model, gaps };
}
