/**
 * The catalogue of remote operations: for each, the zod schema of its parameters and of its JSON result.
 * Each operation is one `.ps1` file in `scripts/` with the same name. The simulator implements the same
 * catalogue, so the gateway cannot tell a model from a cluster. Depends on zod only.
 */
import { z } from 'zod';
import { featureOperations } from './operations-feature.js';
import { nativeCauOperations } from './operations-native-cau.js';
import { offlineOperations } from './operations-offline.js';
import { networkCredentialParam } from './operations-credential.js';
import { roleOperations } from './operations-role.js';

export const NodeState = z.enum(['Up', 'Down', 'Paused', 'Joining', 'Unknown']);
export type NodeState = z.infer<typeof NodeState>;

export const DrainStatus = z.enum(['NotInitiated', 'InProgress', 'Completed', 'Failed']);

/** The plug-ins cauctl runs itself (CAU's built-ins). */
export const BuiltinPluginName = z.enum([
  'Microsoft.WindowsUpdatePlugin',
  'Microsoft.HotfixPlugin',
  'Microsoft.RollingUpgradePlugin',
]);
export type BuiltinPluginName = z.infer<typeof BuiltinPluginName>;

/**
 * A registered script plug-in's name (docs/plugins.md; src/plugins/manifest.ts checks it at register-plugin):
 * 2 to 4 dotted parts of letters and digits, so it is safe in file names, task names and reports.
 */
export const SCRIPT_PLUGIN_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9]{0,31}(\.[A-Za-z][A-Za-z0-9]{0,31}){1,3}$/;
export const ScriptPluginName = z.string().regex(SCRIPT_PLUGIN_NAME_PATTERN, 'expected a dotted plug-in name such as Contoso.FirmwarePlugin');

/** A plug-in a node runs: a built-in, or a registered script plug-in (whose script then travels as data). */
export const PluginName = z.union([BuiltinPluginName, ScriptPluginName]);
export type PluginName = z.infer<typeof PluginName>;

/**
 * The text of a registered script plug-in's scan.ps1 or install.ps1, sent as a parameter (data): the node
 * creates a script block from it and calls it with the plug-in's arguments splatted by name. Present exactly
 * when `plugin` is not a built-in.
 */
const pluginScript = z.string().min(1).max(1_000_000).optional();

/** `pluginScript` goes with a script plug-in, and only with one. */
function requireScriptForScriptPlugin(params: { plugin: string; pluginScript?: string | undefined }, ctx: z.RefinementCtx): void {
  const builtin = BuiltinPluginName.safeParse(params.plugin).success;
  if (builtin && params.pluginScript !== undefined) ctx.addIssue({ code: 'custom', path: ['pluginScript'], message: `${params.plugin} is a built-in plug-in: it takes no script` });
  if (!builtin && params.pluginScript === undefined) ctx.addIssue({ code: 'custom', path: ['pluginScript'], message: `${params.plugin} is a script plug-in: its script must be sent` });
}

const isoTime = z.string().min(1);

/** Plug-in arguments as they travel to a node: string values, as CAU's hashtables carry them. */
const pluginArguments = z.record(z.string(), z.string());

// ---------------------------------------------------------------------------------------------------------
// Cluster-wide operations (run on any reachable node)

export const getClusterParams = z.object({
  /**
   * Read-only callers (scan, run --what-if, test-setup, snapshot, get-run): an MSFT_CAURun that cannot be read
   * is reported in `nativeCauUnreadable` instead of failing the call. Left off (the default) by every caller
   * that changes the cluster: "no run" cannot be told from "cannot see one" (NATIVE_CAU_UNREADABLE).
   */
  reportUnreadableNativeCau: z.boolean().optional(),
});
export const getClusterResult = z.object({
  name: z.string(),
  nodes: z.array(
    z.object({
      name: z.string(),
      state: NodeState,
      drainStatus: DrainStatus,
      /** Clustered roles (groups) this node owns, by name. */
      roles: z.array(z.string()),
      /** The Site fault domain above the node (Get-ClusterFaultDomain); null or absent: none. */
      site: z.string().min(1).nullable().optional(),
    }),
  ),
  quorum: z.object({
    healthy: z.boolean(),
    /** `None`, `Disk`, `FileShare`, `Cloud`. */
    witnessType: z.string(),
    /** `Online`, `Offline`, `Failed`, `NotConfigured`. */
    witnessState: z.string(),
  }),
  functionalLevel: z.number().int(),
  s2dEnabled: z.boolean(),
  /** A native CAU run (MSFT_CAURun object) is in progress on this cluster. */
  nativeCauRunInProgress: z.boolean(),
  /**
   * Asked with `reportUnreadableNativeCau` only: why this node's MSFT_CAURun could not be read (the node, what
   * to check), so whether a native run is in progress is unknown; `nativeCauRunInProgress` is false then.
   */
  nativeCauUnreadable: z.string().nullable().optional(),
});
export type ClusterInfo = z.infer<typeof getClusterResult>;

export const StorageJob = z.object({
  name: z.string(),
  /** MSFT_StorageJob JobState name: `Running`, `Suspended`, `Completed`, ... */
  jobState: z.string(),
  bytesProcessed: z.number(),
  bytesTotal: z.number(),
  percentComplete: z.number(),
});
export type StorageJob = z.infer<typeof StorageJob>;

const healthObject = z.object({
  friendlyName: z.string(),
  healthStatus: z.string(),
  operationalStatus: z.string(),
});

export const storageHealthResult = z.object({
  s2dEnabled: z.boolean(),
  jobs: z.array(StorageJob),
  virtualDisks: z.array(healthObject.extend({ isOnline: z.boolean() })),
  pools: z.array(healthObject),
});
export type StorageHealth = z.infer<typeof storageHealthResult>;

export const getStorageHealthParams = z.object({});

/** The FaultDomainType levels, from the smallest (Storage module enumeration, values 1-5). */
export const FaultDomainAwareness = z.enum(['PhysicalDisk', 'StorageEnclosure', 'StorageScaleUnit', 'StorageChassis', 'StorageRack']);
export type FaultDomainAwareness = z.infer<typeof FaultDomainAwareness>;

/**
 * Where each server sits (Get-ClusterFaultDomain: the chassis and rack above it, null when none) and each
 * virtual disk's FaultDomainAwareness (Get-VirtualDisk; text as Windows gives it, unknown values kept).
 */
export const getFaultDomainsParams = z.object({});
export const getFaultDomainsResult = z.object({
  nodes: z.array(z.object({ name: z.string(), chassis: z.string().nullable(), rack: z.string().nullable() })),
  virtualDisks: z.array(z.object({ friendlyName: z.string(), faultDomainAwareness: z.string() })),
});
export type FaultDomainsInfo = z.infer<typeof getFaultDomainsResult>;

/** Waits on the node (long poll) until storage is healthy or `timeoutSeconds` pass; returns the last view. */
export const waitStorageHealthyParams = z.object({
  timeoutSeconds: z.number().int().min(0),
  pollSeconds: z.number().int().min(1),
});
export const waitStorageHealthyResult = storageHealthResult.extend({
  healthy: z.boolean(),
  waitedSeconds: z.number(),
});

/** Cluster private properties (`Get-ClusterParameter` on the cluster object). Used for the lock. */
export const getClusterPropertyParams = z.object({ name: z.string().min(1) });
export const getClusterPropertyResult = z.object({ value: z.string().nullable() });

/**
 * Sets (or, with `value: null`, removes) a cluster private property. With `expected` present, the write
 * happens only when the current value equals it (compare-and-set); `applied` says whether it happened.
 */
export const setClusterPropertyParams = z.object({
  name: z.string().min(1),
  value: z.string().nullable(),
  expected: z.string().nullable().optional(),
});
export const setClusterPropertyResult = z.object({ applied: z.boolean(), current: z.string().nullable() });

// ---------------------------------------------------------------------------------------------------------
// Per-node operations

export const getNodeSetupParams = z.object({});
export const getNodeSetupResult = z.object({
  node: z.string(),
  /**
   * Kernel Soft Reboot here, as restart-node would find it (CAU's SoftBootStatus words): `Enabled` (ksrcmd.exe:
   * Azure Stack HCI 21H2 and later), `NotInstalled` (Windows Server), `Bypassed` (CauBypassSoftBootOnNode).
   * Optional: replies recorded before it existed lack it.
   */
  kernelSoftReboot: z.enum(['Enabled', 'NotInstalled', 'Bypassed']).optional(),
  osCaption: z.string(),
  osBuild: z.number().int(),
  features: z.object({
    failoverClustering: z.boolean(),
    rsatClusteringPowerShell: z.boolean(),
    netFramework45: z.boolean(),
  }),
  psRemotingEnabled: z.boolean(),
  wmiRemotingEnabled: z.boolean(),
  winrmServiceAutomatic: z.boolean(),
  remoteShutdownFirewallEnabled: z.boolean(),
  /** Automatic Updates: `Disabled`, `NotifyOnly`, `DownloadOnly`, `AutoInstall`, `NotConfigured`. */
  autoUpdateMode: z.string(),
  /** `WindowsUpdate`, `MicrosoftUpdate` or `WSUS:<url>`. */
  updateSource: z.string(),
  /** `Direct` or `<proxy>` with its bypass list. */
  winHttpProxy: z.string(),
  dotNetVersion: z.string(),
  powerShellVersion: z.string(),
  clusterServiceState: z.string(),
  clusterServiceStartMode: z.string(),
  credSspServerEnabled: z.boolean(),
  registeredPlugins: z.array(z.string()),
});
export type NodeSetup = z.infer<typeof getNodeSetupResult>;

export const repairSetupParams = z.object({
  enableRemoteShutdownFirewall: z.boolean(),
  installFeatures: z.array(z.string()),
  disableCredSspServer: z.boolean(),
});
export const repairSetupResult = z.object({ applied: z.array(z.string()) });

export const UpdateInfo = z.object({
  updateId: z.string(),
  title: z.string(),
  kb: z.string(),
  rebootRequired: z.boolean(),
  /** For RollingUpgradePlugin: the feature update offered (target build name). */
  featureUpdate: z.string().optional(),
});
export type UpdateInfo = z.infer<typeof UpdateInfo>;

export const scanUpdatesParams = z
  .object({ plugin: PluginName, arguments: pluginArguments, networkCredential: networkCredentialParam, pluginScript })
  .superRefine(requireScriptForScriptPlugin);
export const scanUpdatesResult = z.object({ updates: z.array(UpdateInfo) });

/**
 * Starts the one-shot scheduled task that downloads (`Download`) or installs (`Install`) updates on the
 * node, because Windows Update refuses both from a remote logon. Progress goes to a file on the node.
 * `PreInstall` (issue 18, `run --pre-install`) installs on a node that is Up and serving, without a restart:
 * Windows Update plug-in only (refused with PRE_INSTALL_REFUSED for any other), and only updates whose
 * IUpdate.Type is Software; any other (a driver, firmware) is left for the maintenance window, reported with
 * resultCode `NotStarted`.
 */
export const startUpdateTaskParams = z.object({
  plugin: PluginName,
  arguments: pluginArguments,
  mode: z.enum(['Download', 'Install', 'PreInstall']),
  updateIds: z.array(z.string()),
  /** Unique per run, node and attempt; makes the start idempotent. */
  taskId: z.string().regex(/^[A-Za-z0-9-]{1,80}$/),
  /** A script plug-in's install.ps1, run by the same SYSTEM task (Install mode; Download has nothing to do). */
  pluginScript,
}).superRefine(requireScriptForScriptPlugin);
export const startUpdateTaskResult = z.object({ taskId: z.string(), alreadyStarted: z.boolean() });

export const UpdateInstallResult = z.object({
  updateId: z.string(),
  kb: z.string(),
  title: z.string(),
  /** `Succeeded`, `SucceededWithErrors`, `Failed`, `Aborted`, `AlreadyInstalled`, `NotApplicable`. */
  resultCode: z.string(),
  /** HRESULT or installer exit code as hex text (`0x80240022`), `0x0` on success. */
  errorCode: z.string(),
  rebootRequired: z.boolean(),
});
export type UpdateInstallResult = z.infer<typeof UpdateInstallResult>;

/** Long poll: returns when the task ends or after `timeoutSeconds`. */
export const waitUpdateTaskParams = z.object({
  taskId: z.string().regex(/^[A-Za-z0-9-]{1,80}$/),
  timeoutSeconds: z.number().int().min(0),
});
export const waitUpdateTaskResult = z.object({
  state: z.enum(['Running', 'Completed', 'Failed', 'NotFound']),
  results: z.array(UpdateInstallResult),
  rebootRequired: z.boolean(),
  message: z.string().optional(),
});
export type UpdateTaskStatus = z.infer<typeof waitUpdateTaskResult>;

export const getNodeStatusParams = z.object({});
export const getNodeStatusResult = z.object({
  node: z.string(),
  /** ISO-8601 UTC. */
  lastBootUpTime: isoTime,
  osBuild: z.number().int(),
  autoStartServicesNotRunning: z.array(z.string()),
  clusterNodeState: NodeState,
  /** Get-ClusterNode's DrainStatus for this node; `NotInitiated` when the cluster service is not running. */
  drainStatus: DrainStatus,
  /**
   * Clustered roles (groups) this node owns that are not offline, core groups left out: what a restart of
   * this node would take down. Empty when the cluster service is not running.
   */
  runningRoles: z.array(z.string()),
  rebootPending: z.boolean(),
  /**
   * The last soft restart (Kernel Soft Reboot) cauctl scheduled on this node was refused by KSR when it ran, and
   * the restart task restarted the node fully instead (its mark, cleared when the next soft restart is
   * scheduled). Optional: replies recorded before it existed lack it (read as false).
   */
  softRestartFellBack: z.boolean().optional(),
});
export type NodeStatus = z.infer<typeof getNodeStatusResult>;

/**
 * CAU's force switches that accept an install and a restart on a node that is not drained (issue 16). The
 * sim records what happens under them separately from violations; the report names the roles that went down.
 * - `ForcePauseNoDrain`: the node is paused without a drain; its roles stay on it.
 * - `ForcePauseDrainAndReboot`: the node is drained, and is installed and restarted even when the drain fails.
 */
export const UndrainedAllowance = z.enum(['ForcePauseNoDrain', 'ForcePauseDrainAndReboot']);
export type UndrainedAllowance = z.infer<typeof UndrainedAllowance>;

/**
 * Pauses the node and **starts** its drain (Suspend-ClusterNode -Drain -Wait:0), then polls DrainStatus for at
 * most `timeoutSeconds`: a short long-poll, never the whole drain. Returns where the drain stands:
 * `InProgress` means "poll again" (get-node-status or this call again), `Failed` leaves the node Paused with
 * the roles that did not move still on it, as Windows does. Called again on a Paused node, it waits on a
 * drain in progress, returns at once on a completed one, and starts a new drain after a failed one.
 * A refusal (storage degraded: CLUSTER_SPACE_DEGRADED) leaves the node as it was.
 */
export const suspendNodeParams = z.object({
  name: z.string().min(1),
  /** CAU's ForcePauseAndDrain (`Suspend-ClusterNode -ForceDrain`): roles that cannot move are stopped and moved as failed. */
  forceDrain: z.boolean(),
  /** Seconds to poll DrainStatus before returning; 0 returns right after the drain started. */
  timeoutSeconds: z.number().int().min(0).max(86_400),
  /** Set only under one of CAU's force switches (absent: the node must be drained before install or restart). */
  allowUndrained: UndrainedAllowance.optional(),
});
export const suspendNodeResult = z.object({ state: NodeState, drainStatus: DrainStatus });
export type SuspendNodeResult = z.infer<typeof suspendNodeResult>;

/** A VM on a node as Hyper-V reports it (Get-VM), for the capacity check. */
export const NodeVm = z.object({
  name: z.string(),
  /** The clustered role (group) that owns the VM; null when the VM is not clustered. */
  role: z.string().nullable(),
  /** Hyper-V's VMState name: `Running`, `Off`, `Saved`, `Paused`, ... */
  state: z.string(),
  /** Memory the VM holds now (MemoryAssigned) when running, its startup memory otherwise; MB. */
  memoryMB: z.number().int().min(0),
  /** It can live-migrate: clustered, and no device assigned to it that pins it to this host. */
  liveMigratable: z.boolean(),
  /** Why it cannot live-migrate, for the operator (absent when it can). */
  notMigratableReason: z.string().optional(),
});
export type NodeVm = z.infer<typeof NodeVm>;

/** Read-only, over the node's own session: its physical memory and its VMs. */
export const getNodeCapacityParams = z.object({});
export const getNodeCapacityResult = z.object({
  node: z.string(),
  /** Total physical memory in MB; null when unknown (a rehearsal model without memory figures). */
  memoryMB: z.number().int().min(0).nullable(),
  vms: z.array(NodeVm),
});
export type NodeCapacity = z.infer<typeof getNodeCapacityResult>;

export const FailbackMode = z.enum(['Immediate', 'Policy', 'NoFailback']);
export type FailbackMode = z.infer<typeof FailbackMode>;
export const resumeNodeParams = z.object({ name: z.string().min(1), failback: FailbackMode });
export const resumeNodeResult = z.object({ state: NodeState });

export const restartNodeParams = z.object({ soft: z.boolean(), delaySeconds: z.number().int().min(2) });
export const restartNodeResult = z.object({
  scheduled: z.boolean(),
  /** `FullReboot` or `SoftReboot` (Kernel Soft Reboot): the restart the node scheduled. */
  bootType: z.enum(['FullReboot', 'SoftReboot']),
  /**
   * CAU's SoftBootStatus words for why: `NotEnabled` (no soft restart asked), `Enabled` (KSR scheduled),
   * `NotInstalled` (the node has no KSR: restarted fully), `Bypassed` (CauBypassSoftBootOnNode: restarted
   * fully). Optional: replies recorded before it existed lack it.
   */
  softBootStatus: z.enum(['NotEnabled', 'Enabled', 'NotInstalled', 'Bypassed']).optional(),
  /**
   * The services running just before the restart was scheduled. After it, wait only for these: Automatic
   * services that were stopped on the healthy node (trigger-start, per-user templates, vendor agents) stay
   * stopped, and waiting for them fails a healthy node.
   */
  servicesBeforeRestart: z.array(z.string()),
});
export type RestartNodeResult = z.infer<typeof restartNodeResult>;

export const invokeNodeScriptParams = z.object({
  path: z.string().min(1).max(260),
  configurationName: z.string().min(1),
  networkCredential: networkCredentialParam,
});
export const invokeNodeScriptResult = z.object({ exitCode: z.number().int(), output: z.string() });

/**
 * One catalogue entry. `idempotent`: sending the call twice (after a lost reply) leaves the node as sending it
 * once would, so the gateway's retry policy may repeat it. A call that changes state relative to the current
 * one (suspend, restart, compare-and-set, Stop-Cluster) is not: its caller reads the state and decides.
 */
export interface OperationSpec {
  readonly params: z.ZodType;
  readonly result: z.ZodType;
  readonly idempotent: boolean;
  /**
   * The call only reads: it changes nothing on the cluster or its nodes (a scan, a status, a long poll on
   * state). `snapshot` and the smoke suite's default mode send nothing else. Absent: it may change something.
   */
  readonly readOnly?: true;
}

/** The catalogue: operation name → parameter and result schemas, and whether a lost reply may be repeated. */
export const operations = {
  'get-cluster': { params: getClusterParams, result: getClusterResult, idempotent: true, readOnly: true },
  'get-storage-health': { params: getStorageHealthParams, result: storageHealthResult, idempotent: true, readOnly: true },
  'get-fault-domains': { params: getFaultDomainsParams, result: getFaultDomainsResult, idempotent: true, readOnly: true },
  'wait-storage-healthy': { params: waitStorageHealthyParams, result: waitStorageHealthyResult, idempotent: true, readOnly: true },
  'get-cluster-property': { params: getClusterPropertyParams, result: getClusterPropertyResult, idempotent: true, readOnly: true },
  'set-cluster-property': { params: setClusterPropertyParams, result: setClusterPropertyResult, idempotent: false },
  'get-node-setup': { params: getNodeSetupParams, result: getNodeSetupResult, idempotent: true, readOnly: true },
  'repair-setup': { params: repairSetupParams, result: repairSetupResult, idempotent: true },
  'scan-updates': { params: scanUpdatesParams, result: scanUpdatesResult, idempotent: true, readOnly: true },
  'start-update-task': { params: startUpdateTaskParams, result: startUpdateTaskResult, idempotent: true },
  'wait-update-task': { params: waitUpdateTaskParams, result: waitUpdateTaskResult, idempotent: true, readOnly: true },
  'get-node-status': { params: getNodeStatusParams, result: getNodeStatusResult, idempotent: true, readOnly: true },
  'suspend-node': { params: suspendNodeParams, result: suspendNodeResult, idempotent: false },
  'get-node-capacity': { params: getNodeCapacityParams, result: getNodeCapacityResult, idempotent: true, readOnly: true },
  'resume-node': { params: resumeNodeParams, result: resumeNodeResult, idempotent: true },
  'restart-node': { params: restartNodeParams, result: restartNodeResult, idempotent: false },
  'invoke-node-script': { params: invokeNodeScriptParams, result: invokeNodeScriptResult, idempotent: false },
  ...offlineOperations,
  ...roleOperations,
  ...featureOperations,
  ...nativeCauOperations,
} as const satisfies Record<string, OperationSpec>;

export type OperationName = keyof typeof operations;
export type OperationParams<N extends OperationName> = z.infer<(typeof operations)[N]['params']>;
export type OperationResult<N extends OperationName> = z.infer<(typeof operations)[N]['result']>;

/**
 * Error codes a node-side script may return in `{ ok: false, error: { code } }`. The coordinator branches
 * on these; anything else is a generic operation failure.
 */
export const ScriptErrorCode = {
  /** Suspend-ClusterNode refused: ERROR_CLUSTER_SPACE_DEGRADED (storage not healthy). Retried. */
  spaceDegraded: 'CLUSTER_SPACE_DEGRADED',
  /** Drain failed: a role could not move. */
  drainFailed: 'DRAIN_FAILED',
  /** A cmdlet or feature the script needs is missing on the node. */
  missingFeature: 'MISSING_FEATURE',
  /** The node is not a member of the cluster, or the cluster service is down. */
  clusterUnavailable: 'CLUSTER_UNAVAILABLE',
  /** Unexpected PowerShell error: message and category attached. */
  scriptError: 'SCRIPT_ERROR',
  /** start-update-task in PreInstall mode for a plug-in other than Windows Update (drivers and scripts stay in the window). */
  preInstallRefused: 'PRE_INSTALL_REFUSED',
} as const;
