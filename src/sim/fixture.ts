/**
 * The rehearsal-model fixture format (DESIGN.md, "Rehearsal model"): a zod schema with strict objects so
 * typos are caught, realistic defaults, and a loader whose errors list every problem by its path in the file.
 * Depends on zod, errors, plugins/hotfix-rules and node:fs/node:url only.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { AppError, ExitCode } from '../errors.js';
import { ExitCodeValue, HotfixExitRules } from './hotfix-rules.js';
import { roleRunOptions, roleScheduleParams } from '../cluster/operations-role.js';

/** The built-in model: a 4-node Storage Spaces Direct cluster named HCI01. */
export const BUILTIN_FIXTURE_PATH: string = fileURLToPath(
  new URL('../../fixtures/clusters/hci01-4node-s2d.json', import.meta.url),
);

const seconds = z.number().min(0);
const hexCode = z.string().regex(/^0x[0-9a-fA-F]{1,8}$/, 'expected an HRESULT as hex text, such as 0x80240022');
const nodeName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,14}$/, 'expected a NetBIOS name (1-15 letters, digits, hyphens)');

/** Virtual durations, in seconds. Defaults are typical of a physical server on a fast network. */
export const SimTiming = z
  .strictObject({
    scanSeconds: seconds.default(30),
    downloadSeconds: seconds.default(300),
    drainSecondsPerRole: seconds.default(15),
    installSeconds: seconds.default(600),
    rebootSeconds: seconds.default(300),
    servicesStartSeconds: seconds.default(60),
    resyncSeconds: seconds.default(600),
    // Offline update only; optional so that existing fixtures keep their hash (defaults: OFFLINE_STEP_SECONDS).
    stopClusterSeconds: seconds.optional(),
    startClusterSeconds: seconds.optional(),
    diskStateSeconds: seconds.optional(),
  })
  .prefault({});
export type SimTiming = z.infer<typeof SimTiming>;

export const UPDATE_PLUGINS = ['Microsoft.WindowsUpdatePlugin', 'Microsoft.HotfixPlugin'] as const;

export interface FixtureUpdate {
  id: string;
  kb: string;
  title: string;
  rebootRequired: boolean;
  type: 'Software' | 'Driver';
  recommended: boolean;
  hidden: boolean;
  plugin: (typeof UPDATE_PLUGINS)[number];
  folder?: string | undefined;
  ruleFolder?: string | undefined;
  exitCode?: ExitCodeValue | undefined;
  followUps: FixtureUpdate[];
}

// The getter makes the schema recursive: follow-ups are updates too, with follow-ups of their own.
export const FixtureUpdate: z.ZodType<FixtureUpdate, unknown> = z.strictObject({
  id: z.string().min(1),
  kb: z.string().min(1),
  title: z.string().min(1),
  rebootRequired: z.boolean().default(true),
  type: z.enum(['Software', 'Driver']).default('Software'),
  recommended: z.boolean().default(false),
  hidden: z.boolean().default(false),
  plugin: z.enum(UPDATE_PLUGINS).default('Microsoft.WindowsUpdatePlugin'),
  /** HotfixPlugin only: `CAUHotfix_All` or the node's own name. */
  folder: z.string().min(1).optional(),
  /**
   * HotfixPlugin only: the FolderRules folder the file sits in below `folder` (`CAUHotfix_All\\FolderRule1\\fw.exe`),
   * installed by that `<Folder>` rule (fixture `hotfixFolderRules`); absent: an extension rule file.
   */
  ruleFolder: z.string().min(1).optional(),
  /** HotfixPlugin only: the installer's exit code (default 0). */
  exitCode: ExitCodeValue.optional(),
  get followUps() {
    return z.array(FixtureUpdate).default([]);
  },
}) as unknown as z.ZodType<FixtureUpdate, unknown>;

export const CONNECTION_LOSS_PHASES = ['scan', 'stage', 'drain', 'install', 'reboot', 'resume', 'resync'] as const;
export type ConnectionLossPhase = (typeof CONNECTION_LOSS_PHASES)[number];

export const FixtureFault = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('installFails'), times: z.number().int().min(1), errorCode: hexCode }),
  z.strictObject({ kind: z.literal('drainFails'), times: z.number().int().min(1) }),
  z.strictObject({ kind: z.literal('drainHangs'), times: z.number().int().min(1).optional() }),
  z.strictObject({ kind: z.literal('rebootHangs') }),
  z.strictObject({ kind: z.literal('slowReboot'), seconds: z.number().positive() }),
  z.strictObject({ kind: z.literal('connectionLoss'), phase: z.enum(CONNECTION_LOSS_PHASES), seconds: z.number().positive() }),
  z.strictObject({ kind: z.literal('storageRepairStuck') }),
  z.strictObject({ kind: z.literal('nodeCrash'), atSeconds: seconds, seconds: z.number().positive().optional() }),
  // An Automatic service stopped on a healthy node (trigger-start, per-user template, vendor agent): stopped
  // before a restart and after it, as on Windows.
  z.strictObject({ kind: z.literal('serviceStaysStopped'), service: z.string().min(1).max(256) }),
  // The first `times` tasks that must download something fail the download with errorCode (nothing installed).
  z.strictObject({ kind: z.literal('downloadFails'), times: z.number().int().min(1), errorCode: hexCode }),
  // Every install on the node runs this much longer (a Windows Update install that takes hours). A task that
  // would run past the Task Scheduler's 12-hour limit is stopped there, as on Windows.
  z.strictObject({ kind: z.literal('slowInstall'), seconds: z.number().positive() }),
]);
export type FixtureFault = z.infer<typeof FixtureFault>;

/** The facts `get-node-setup` reports; defaults describe a node that passes every setup rule. */
export const NodeSetupFacts = z
  .strictObject({
    osCaption: z.string().default('Microsoft Windows Server 2022 Datacenter'),
    features: z
      .strictObject({
        failoverClustering: z.boolean().default(true),
        rsatClusteringPowerShell: z.boolean().default(true),
        netFramework45: z.boolean().default(true),
      })
      .prefault({}),
    psRemotingEnabled: z.boolean().default(true),
    wmiRemotingEnabled: z.boolean().default(true),
    winrmServiceAutomatic: z.boolean().default(true),
    remoteShutdownFirewallEnabled: z.boolean().default(true),
    autoUpdateMode: z.enum(['Disabled', 'NotifyOnly', 'DownloadOnly', 'AutoInstall', 'NotConfigured']).default('NotifyOnly'),
    updateSource: z.string().regex(/^(WindowsUpdate|MicrosoftUpdate|WSUS:.+)$/, 'expected WindowsUpdate, MicrosoftUpdate or WSUS:<url>').default('WindowsUpdate'),
    winHttpProxy: z.string().default('Direct'),
    dotNetVersion: z.string().default('4.8.04161'),
    powerShellVersion: z.string().default('5.1.20348.2652'),
    clusterServiceState: z.enum(['Running', 'Stopped', 'StartPending', 'StopPending']).default('Running'),
    clusterServiceStartMode: z.enum(['Auto', 'Manual', 'Disabled']).default('Auto'),
    credSspServerEnabled: z.boolean().default(false),
    /**
     * The language mode unsigned scripts get. `ConstrainedLanguage` models Application Control (WDAC, on by
     * default on Azure Local 23H2+): nothing of cauctl's runs there, and every operation fails with
     * CONSTRAINED_LANGUAGE, as the bootstrap's probe answers on Windows.
     */
    languageMode: z.enum(['FullLanguage', 'ConstrainedLanguage']).default('FullLanguage'),
    /** A restart is already pending from an earlier installation: the update worker refuses to install. */
    rebootPending: z.boolean().default(false),
    registeredPlugins: z
      .array(z.string())
      .default(['Microsoft.WindowsUpdatePlugin', 'Microsoft.HotfixPlugin', 'Microsoft.RollingUpgradePlugin']),
  })
  .prefault({});
export type NodeSetupFacts = z.infer<typeof NodeSetupFacts>;

/**
 * Storage fault-domain levels, as Windows names them (the FaultDomainType enumeration of New-VirtualDisk's
 * -FaultDomainAwareness and Get-StorageFaultDomain), from the smallest to the largest: 1 PhysicalDisk,
 * 2 StorageEnclosure, 3 StorageScaleUnit (a server), 4 StorageChassis, 5 StorageRack. S2D's default is
 * StorageScaleUnit; chassis and rack awareness need every server placed in a chassis or rack (Set-ClusterFaultDomain).
 */
export const FAULT_DOMAIN_LEVELS = ['PhysicalDisk', 'StorageEnclosure', 'StorageScaleUnit', 'StorageChassis', 'StorageRack'] as const;
export type FaultDomainLevel = (typeof FAULT_DOMAIN_LEVELS)[number];

/** Where a server sits (Get-ClusterFaultDomain): the chassis and rack it belongs to, by name. */
export const FixtureFaultDomain = z.strictObject({
  chassis: z.string().min(1).max(64).optional(),
  rack: z.string().min(1).max(64).optional(),
});

/**
 * A hardware vendor's firmware tool on a node, driven by a registered script plug-in (docs/plugins.md; the
 * example is examples/plugins/contoso-firmware): what the tool's inventory reports per component, and what its
 * `apply` exits with. Vendor tools document 0 applied, 3010 applied with a restart needed, 2 already at that
 * version, anything else failed.
 */
export const FixtureVendorFirmware = z.strictObject({
  /** The registered plug-in that drives the tool (its manifest name). */
  plugin: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,31}(\.[A-Za-z][A-Za-z0-9]{0,31}){1,3}$/, 'expected a dotted plug-in name such as Contoso.FirmwarePlugin').default('Contoso.FirmwarePlugin'),
  components: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected letters, digits, dot, dash or underscore'),
        name: z.string().min(1).max(100),
        installedVersion: z.string().regex(/^[A-Za-z0-9._-]{1,32}$/),
        /** The version in the vendor repository; equal to installedVersion: nothing to apply. */
        availableVersion: z.string().regex(/^[A-Za-z0-9._-]{1,32}$/),
        /** What `apply` exits with when it works. @default 3010 (applied; the firmware takes effect at the restart) */
        exitCode: z.number().int().default(3010),
        /** Fault: the first `times` applies of this component fail with `exitCode`. */
        fails: z.strictObject({ times: z.number().int().min(1), exitCode: z.number().int().refine((c) => c !== 0 && c !== 2 && c !== 3010, 'a failure exits with anything but 0, 2 or 3010') }).optional(),
      }),
    )
    .default([]),
});
export type FixtureVendorFirmware = z.infer<typeof FixtureVendorFirmware>;

export const FixtureNode = z.strictObject({
  name: nodeName,
  state: z.enum(['Up', 'Down', 'Paused']).default('Up'),
  roles: z.array(z.string().min(1)).default([]),
  updates: z.array(FixtureUpdate).default([]),
  faults: z.array(FixtureFault).default([]),
  /** OS build number (20348 = Windows Server 2022). */
  osBuild: z.number().int().positive().default(20348),
  /** The feature update RollingUpgradePlugin offers this node. */
  featureUpdate: z
    .strictObject({
      title: z.string().min(1),
      targetBuild: z.number().int().positive(),
      kb: z.string().min(1),
      /** Update id; default `feature-<targetBuild>`. */
      id: z.string().min(1).optional(),
      /** Install duration; default 3 × timing.installSeconds (an OS upgrade is slower than a CU). */
      installSeconds: seconds.optional(),
    })
    .optional(),
  setup: NodeSetupFacts,
  /** Total physical memory in MB; absent: unknown (the drain then places roles without judging memory). */
  memoryMB: z.number().int().positive().optional(),
  /** `false`: WinRM never answers (firewall, service off), though the cluster sees the node. */
  reachable: z.boolean().default(true),
  /** The chassis and rack of this server; absent: none defined (every server its own fault domain). */
  faultDomain: FixtureFaultDomain.optional(),
  /** The Site fault domain the node sits in (Get-ClusterFaultDomain -Type Site); absent: none. */
  site: z.string().min(1).max(64).optional(),
  /**
   * The CAU WMI provider (root/Microsoft/Windows/ClusterUpdate, where MSFT_CAURun lives) as this node's own
   * session sees it: `Present` (default); `Absent`, the CAU feature not installed (invalid namespace: no native
   * run can exist there); `AccessDenied`, the namespace refuses the session (whether a run is in progress is
   * unknown, and a reader must say so).
   */
  nativeCauProvider: z.enum(['Present', 'Absent', 'AccessDenied']).optional(),
  /**
   * Kernel Soft Reboot on this node, in CAU's SoftBootStatus words (cau-surface.md section 10): `Enabled`, the
   * node has KSR (Azure Stack HCI 21H2 and later: ksrcmd.exe); `NotInstalled` (default: Windows Server has no
   * KSR, the Azure Stack HCI docs' FAQ); `Bypassed`, the node opts out (CauBypassSoftBootOnNode = True). A soft
   * restart asked of a node without `Enabled` restarts fully and says FullReboot, as restart-node.ps1 does.
   * `Refused`: the node has KSR (it says Enabled, and a soft restart is scheduled), but ksrcmd.exe refuses when
   * the restart runs, so the restart task restarts the node fully instead and leaves a mark that it did (read
   * back by get-node-status as `softRestartFellBack`).
   */
  kernelSoftReboot: z.enum(['Enabled', 'NotInstalled', 'Bypassed', 'Refused']).optional(),
  /** A vendor firmware tool a registered script plug-in drives; absent: no such tool on the node. */
  vendorFirmware: FixtureVendorFirmware.optional(),
});
export type FixtureNode = z.infer<typeof FixtureNode>;

/**
 * A CAU clustered role in a fixture (self-updating mode). Absent fields default to a role CAU would create:
 * enabled, a generated group name, the third Tuesday at 03:00, no run options.
 */
export const FixtureCauRole = z.strictObject({
  groupName: z.string().min(1).optional(),
  virtualComputerObjectName: z.string().min(1).max(15).optional(),
  enabled: z.boolean().default(true),
  schedule: roleScheduleParams.default({ kind: 'MonthlyDayOfWeek', startDate: '2024-01-01T03:00', daysOfWeek: 0x04, weeksOfMonth: [3] }),
  options: roleRunOptions.default({}),
  /** Nodes that may own the role's group; default every node. */
  possibleOwners: z.array(z.string().min(1)).optional(),
  /**
   * The role's schedule comes due at `atSeconds` of virtual time (from the model's creation): if its group is
   * Online then, a self-updating Updating Run starts and holds the cluster (an MSFT_CAURun object on the node
   * hosting the role) for `seconds`; if Offline (disabled), nothing starts.
   */
  selfUpdatingRun: z.strictObject({ atSeconds: seconds, seconds: z.number().positive().default(3600) }).optional(),
});
export type FixtureCauRole = z.infer<typeof FixtureCauRole>;

export const ClusterFixture = z
  .strictObject({
    name: nodeName,
    description: z.string().optional(),
    timing: SimTiming,
    storage: z
      .strictObject({
        s2d: z.boolean().default(false),
        poolName: z.string().min(1).optional(),
        virtualDisks: z.array(z.string().min(1)).optional(),
        /** Bytes a repair job resyncs after a node's outage. Default 64 GiB. */
        resyncBytes: z.number().int().positive().default(64 * 1024 ** 3),
        /** Get-StoragePool's Version text; default: the version of the lowest node build at creation. */
        poolVersion: z.string().min(1).optional(),
        /** Storage Replica is installed and replicating (a feature update then needs a second restart). */
        storageReplica: z.boolean().optional(),
        /**
         * Every virtual disk's FaultDomainAwareness (Get-VirtualDisk); absent: StorageScaleUnit, S2D's default.
         * StorageChassis or StorageRack needs every node's `faultDomain.chassis` or `.rack`.
         */
        faultDomainAwareness: z.enum(FAULT_DOMAIN_LEVELS).optional(),
      })
      .prefault({}),
    quorum: z
      .strictObject({
        witnessType: z.enum(['None', 'Disk', 'FileShare', 'Cloud']).default('None'),
        witnessState: z.enum(['Online', 'Offline', 'Failed', 'NotConfigured']).default('NotConfigured'),
      })
      .prefault({}),
    functionalLevel: z.number().int().min(0).default(11),
    nativeCauRunInProgress: z.boolean().default(false),
    /**
     * Whether cauctl holds the admin's password (as with --username and a password). Without it, operations
     * that reach other machines (Test-Cluster, the role cmdlets, pre/post scripts) are denied, as from a WinRM
     * session with no network credentials. Default true.
     */
    passwordHeld: z.boolean().default(true),
    /** The CAU clustered role, configured from the start (absent: no role, as on a fresh cluster). */
    cauRole: FixtureCauRole.optional(),
    /** The cluster's IANA time zone, which the role's schedule is read in. Absent: UTC. */
    timeZone: z.string().min(1).optional(),
    /** HotfixPlugin exit conditions; default: 0 ok, 3010 reboot, 0x00240006 already, 0x80240017 n/a. */
    hotfixRules: HotfixExitRules.optional(),
    /**
     * The configuration's `<FolderRules>`: each `<Folder name>` with its exit conditions (and `alwaysReboot`).
     * A hotfix in a `ruleFolder` without a rule here is outside CAU's structure: never offered, never run.
     */
    hotfixFolderRules: z.record(z.string().min(1), HotfixExitRules).optional(),
    /** Pre/post-update scripts by path: what `invoke-node-script` returns. Unlisted paths exit 0. */
    scripts: z.record(z.string(), z.strictObject({ exitCode: z.number().int(), output: z.string().default('') })).default({}),
    /** Clustered roles that are VMs, by role name: state and configuration version. Unlisted roles are Running VMs at the version of the lowest node build. */
    vms: z
      .record(
        z.string(),
        z.strictObject({
          state: z.enum(['Running', 'Off']).optional(),
          configurationVersion: z.string().min(1).optional(),
          /** Memory the VM holds when running, MB; absent: unknown. */
          memoryMB: z.number().int().positive().optional(),
          /** false: the VM cannot live-migrate (a device assigned to it, a local disk); default true. */
          liveMigratable: z.boolean().optional(),
        }),
      )
      .optional(),
    /** Test-Cluster outcome: categories that end with warnings or failures (all others pass). */
    validation: z.strictObject({ warning: z.array(z.string().min(1)).default([]), failed: z.array(z.string().min(1)).default([]) }).optional(),
    /**
     * The servers are standalone, in no cluster (`clusterless-run`): none has the Failover Clustering feature,
     * so there is no cluster service, no roles, no shared storage, and every cluster cmdlet fails on them.
     * Absent: a cluster.
     */
    standalone: z.boolean().optional(),
    nodes: z.array(FixtureNode).min(1).max(64),
  })
  .superRefine((fx, ctx) => {
    const issue = (path: (string | number)[], message: string): void => {
      ctx.addIssue({ code: 'custom', path, message });
    };
    if (fx.standalone === true) checkStandalone(fx, issue);
    const nodeNames = new Map<string, number>();
    const roleOwners = new Map<string, string>();
    fx.nodes.forEach((node, n) => {
      const key = node.name.toUpperCase();
      if (nodeNames.has(key)) issue(['nodes', n, 'name'], `duplicate node name ${node.name} (also nodes[${nodeNames.get(key)}])`);
      nodeNames.set(key, n);
      node.roles.forEach((role, r) => {
        const other = roleOwners.get(role.toLowerCase());
        if (other !== undefined) issue(['nodes', n, 'roles', r], `role ${role} is already owned by ${other}`);
        roleOwners.set(role.toLowerCase(), node.name);
      });
      const ids = new Set<string>();
      const checkUpdates = (list: FixtureUpdate[], path: (string | number)[]): void => {
        list.forEach((u, i) => {
          const at = [...path, i];
          if (ids.has(u.id.toLowerCase())) issue([...at, 'id'], `duplicate update id ${u.id} on ${node.name}`);
          ids.add(u.id.toLowerCase());
          if (u.plugin === 'Microsoft.HotfixPlugin') {
            if (u.folder === undefined) issue([...at, 'folder'], `a hotfix needs a folder: 'CAUHotfix_All' or '${node.name}'`);
            else if (u.folder !== 'CAUHotfix_All' && u.folder.toUpperCase() !== key) {
              issue([...at, 'folder'], `a hotfix for ${node.name} lives in 'CAUHotfix_All' or '${node.name}', not '${u.folder}'`);
            }
          } else {
            if (u.folder !== undefined) issue([...at, 'folder'], 'folder applies to Microsoft.HotfixPlugin updates only');
            if (u.exitCode !== undefined) issue([...at, 'exitCode'], 'exitCode applies to Microsoft.HotfixPlugin updates only');
            if (u.ruleFolder !== undefined) issue([...at, 'ruleFolder'], 'ruleFolder applies to Microsoft.HotfixPlugin updates only');
          }
          checkUpdates(u.followUps, [...at, 'followUps']);
        });
      };
      checkUpdates(node.updates, ['nodes', n, 'updates']);
      const seenKinds = new Map<string, number>();
      node.faults.forEach((f, i) => {
        const kindKey = f.kind === 'connectionLoss' ? `connectionLoss:${f.phase}` : f.kind === 'nodeCrash' ? `nodeCrash:${i}` : f.kind;
        const first = seenKinds.get(kindKey);
        if (first !== undefined) issue(['nodes', n, 'faults', i], `duplicate ${kindKey} fault (also faults[${first}])`);
        seenKinds.set(kindKey, i);
      });
      const hangs = node.faults.findIndex((f) => f.kind === 'rebootHangs');
      const slow = node.faults.findIndex((f) => f.kind === 'slowReboot');
      if (hangs >= 0 && slow >= 0) issue(['nodes', n, 'faults', slow], 'slowReboot contradicts rebootHangs on the same node');
      if (node.setup.clusterServiceState !== 'Running' && node.state !== 'Down') {
        issue(['nodes', n, 'state'], `a node whose cluster service is ${node.setup.clusterServiceState} is Down, not ${node.state}`);
      }
      if (node.featureUpdate && node.featureUpdate.targetBuild <= node.osBuild) {
        issue(['nodes', n, 'featureUpdate', 'targetBuild'], `must be above the node's osBuild ${node.osBuild}`);
      }
    });
    checkMemory(fx, issue);
    const { witnessType, witnessState } = fx.quorum;
    if ((witnessType === 'None') !== (witnessState === 'NotConfigured')) {
      issue(['quorum', 'witnessState'], `witnessState ${witnessState} does not fit witnessType ${witnessType}`);
    }
    if (!fx.storage.s2d && (fx.storage.poolName !== undefined || fx.storage.virtualDisks !== undefined || fx.storage.faultDomainAwareness !== undefined)) {
      issue(['storage', 's2d'], 'poolName, virtualDisks and faultDomainAwareness describe Storage Spaces Direct: set s2d to true');
    }
    checkFaultDomains(fx, issue);
  })
  .transform((fx) => (fx.standalone === true ? { ...fx, nodes: fx.nodes.map(standaloneServer) } : fx));
export type ClusterFixture = z.infer<typeof ClusterFixture>;

/**
 * A server of a standalone model as Windows has it: without the Failover Clustering feature there is no
 * cluster service (Get-ClusterNode fails, the node-side status reads Unknown), and a restart never starts one.
 */
function standaloneServer(node: FixtureNode): FixtureNode {
  return {
    ...node,
    state: 'Down',
    setup: { ...node.setup, features: { ...node.setup.features, failoverClustering: false }, clusterServiceState: 'Stopped', clusterServiceStartMode: 'Disabled' },
  };
}

/** What a cluster has and a set of standalone servers cannot: named by field, so a model that mixes them is caught. */
interface StandaloneFacts {
  readonly storage: { readonly s2d: boolean };
  readonly quorum: { readonly witnessType: string };
  readonly cauRole?: unknown;
  readonly vms?: unknown;
  readonly nativeCauRunInProgress: boolean;
  readonly nodes: readonly FixtureNode[];
}

function checkStandalone(fx: StandaloneFacts, issue: (path: (string | number)[], message: string) => void): void {
  const why = 'a standalone server is in no cluster';
  if (fx.storage.s2d) issue(['storage', 's2d'], `${why}: no Storage Spaces Direct`);
  if (fx.quorum.witnessType !== 'None') issue(['quorum', 'witnessType'], `${why}: no quorum witness`);
  if (fx.cauRole !== undefined) issue(['cauRole'], `${why}: no CAU clustered role`);
  if (fx.vms !== undefined) issue(['vms'], `${why}: no clustered VM roles`);
  if (fx.nativeCauRunInProgress) issue(['nativeCauRunInProgress'], `${why}: no native CAU run`);
  fx.nodes.forEach((node, n) => {
    if (node.state !== 'Up') issue(['nodes', n, 'state'], `${why}: it has no cluster node state (leave state out; an unreachable server is "reachable": false)`);
    if (node.roles.length > 0) issue(['nodes', n, 'roles'], `${why}: it owns no clustered roles`);
    if (node.site !== undefined) issue(['nodes', n, 'site'], `${why}: it has no cluster fault domain`);
    if (node.faultDomain !== undefined) issue(['nodes', n, 'faultDomain'], `${why}: it has no cluster fault domain`);
  });
}

type FixtureInput = Pick<z.infer<typeof ClusterFixture>, 'nodes' | 'vms'>;

/**
 * Chassis or rack awareness is only possible when S2D knows where every server is: a virtual disk cannot be
 * created at StorageRack with a server outside any rack. A chassis belongs to one rack.
 */
function checkFaultDomains(fx: Pick<z.infer<typeof ClusterFixture>, 'nodes' | 'storage'>, issue: (path: (string | number)[], message: string) => void): void {
  const level = fx.storage.faultDomainAwareness;
  const field = level === 'StorageRack' ? 'rack' : level === 'StorageChassis' ? 'chassis' : undefined;
  const rackOfChassis = new Map<string, string>();
  fx.nodes.forEach((node, n) => {
    if (field !== undefined && node.faultDomain?.[field] === undefined) {
      issue(['nodes', n, 'faultDomain', field], `missing: storage.faultDomainAwareness is ${level}, so every node needs its ${field}`);
    }
    const { chassis, rack } = node.faultDomain ?? {};
    if (chassis !== undefined && rack !== undefined) {
      const known = rackOfChassis.get(chassis.toUpperCase());
      if (known !== undefined && known.toUpperCase() !== rack.toUpperCase()) issue(['nodes', n, 'faultDomain', 'rack'], `chassis ${chassis} is in rack ${known} on another node, not ${rack}`);
      rackOfChassis.set(chassis.toUpperCase(), rack);
    }
  });
}

/**
 * Memory figures are all or nothing: a node without `memoryMB` beside nodes with it would make placement
 * depend on a guess. VM figures need node figures, every `vms` entry must name a role, and the running VMs a
 * node starts with must fit in its memory (no cluster gets there).
 */
function checkMemory(fx: FixtureInput, issue: (path: (string | number)[], message: string) => void): void {
  const withMemory = fx.nodes.filter((n) => n.memoryMB !== undefined).map((n) => n.name);
  if (withMemory.length > 0) {
    fx.nodes.forEach((node, n) => {
      if (node.memoryMB === undefined) issue(['nodes', n, 'memoryMB'], `missing: ${withMemory.join(', ')} give memoryMB, so every node must (or none)`);
    });
  }
  const owner = new Map(fx.nodes.flatMap((node) => node.roles.map((role) => [role, node.name] as const)));
  for (const [role, vm] of Object.entries(fx.vms ?? {})) {
    if (!owner.has(role)) issue(['vms', role], `no node owns a role named ${role}: list it in some node's roles`);
    if (vm.memoryMB !== undefined && withMemory.length === 0) issue(['vms', role, 'memoryMB'], 'VM memory needs node memory: give every node a memoryMB');
  }
  fx.nodes.forEach((node, n) => {
    if (node.memoryMB === undefined || node.state === 'Down') return;
    const running = node.roles.filter((role) => (fx.vms?.[role]?.state ?? 'Running') === 'Running');
    const used = running.reduce((sum, role) => sum + (fx.vms?.[role]?.memoryMB ?? 0), 0);
    if (used > node.memoryMB) {
      issue(['nodes', n, 'memoryMB'], `${node.memoryMB} MB cannot hold the running VMs it owns (${running.join(', ')}: ${used} MB)`);
    }
  });
}

/** `nodes[1].faults[0].times` from zod's path array. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out || '(root)';
}

/** Validates parsed JSON as a fixture; `source` names the file in the error. */
export function parseFixture(raw: unknown, source: string): ClusterFixture {
  const parsed = ClusterFixture.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${formatIssuePath(i.path)}: ${i.message}`);
  throw new AppError('FIXTURE_INVALID', ExitCode.usage, `The cluster model ${source} is invalid:\n  ${problems.join('\n  ')}`, {
    hint: 'Fix the listed fields; the format is described in fixtures/clusters/README.md.',
    details: { file: source, problems },
  });
}

/** Reads and validates a fixture file. Throws FIXTURE_NOT_FOUND or FIXTURE_INVALID (exit 2). */
export function loadFixture(path: string): ClusterFixture {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new AppError('FIXTURE_NOT_FOUND', ExitCode.usage, `The cluster model ${path} could not be read: ${(cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (cause as NodeJS.ErrnoException).code === 'EISDIR' ? 'it is a folder' : (cause as Error).message}.`, {
      cause,
      hint: 'Check the path given to --simulate, or use --simulate alone for the built-in model.',
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new AppError('FIXTURE_INVALID', ExitCode.usage, `The cluster model ${path} is not valid JSON: ${(cause as Error).message}`, {
      cause,
      details: { file: path, problems: [`(root): ${(cause as Error).message}`] },
    });
  }
  return parseFixture(raw, path);
}
