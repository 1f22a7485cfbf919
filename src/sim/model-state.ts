/**
 * The simulated cluster's persistent state: plain JSON data, created from a fixture and saved between CLI
 * invocations. No behaviour here beyond construction. Depends on the fixture types only.
 */
import type { HotfixExitRules } from './hotfix-rules.js';
import type { ExitCodeValue } from './hotfix-rules.js';
import type { ClusterFixture, ConnectionLossPhase, FaultDomainLevel, FixtureUpdate, NodeSetupFacts, SimTiming } from './fixture.js';
import type { FixtureCauRole } from './fixture.js';
import { createFeatureState, type SimFeatureState } from './feature-state.js';

export const MODEL_STATE_VERSION = 1;

/** The CAU clustered role as the model keeps it: the fixture's shape, with the names filled in when created. */
export type SimCauRole = FixtureCauRole;

export interface SimUpdateState {
  id: string;
  kb: string;
  title: string;
  rebootRequired: boolean;
  type: 'Software' | 'Driver';
  recommended: boolean;
  hidden: boolean;
  plugin: 'Microsoft.WindowsUpdatePlugin' | 'Microsoft.HotfixPlugin';
  folder?: string;
  /** A FolderRules folder below `folder` (see fixture.ts). */
  ruleFolder?: string;
  exitCode?: ExitCodeValue;
  /** A follow-up is applicable only once its parent is installed. */
  parentId?: string;
  installed: boolean;
  /** Downloaded by a Download task, so an Install skips the download time. */
  staged: boolean;
  /** A hotfix the installer found not applicable: no longer offered. */
  notApplicable: boolean;
}

export interface SimNodeFaults {
  installFailsLeft: number;
  installErrorCode: string;
  drainFailsLeft: number;
  /** drainHangs: drains left that stay InProgress until a resume stops them (absent in older saved states: 0). */
  drainHangsLeft?: number;
  rebootHangs: boolean;
  slowRebootSeconds?: number;
  connectionLoss: { phase: ConnectionLossPhase; seconds: number; used: boolean }[];
  storageRepairStuck: boolean;
  /** Automatic services that stay stopped (fault serviceStaysStopped); absent in older saved state. */
  stoppedServices?: string[];
  /** Fault downloadFails; absent in older saved state. */
  downloadFailsLeft?: number;
  downloadErrorCode?: string;
  /** Fault slowInstall: seconds added to every install; absent: none. */
  slowInstallSeconds?: number;
}

export interface SimNodeState {
  name: string;
  /** The cluster's view (Get-ClusterNode). */
  clusterState: 'Up' | 'Down' | 'Paused';
  drainStatus: 'NotInitiated' | 'InProgress' | 'Completed' | 'Failed';
  /** The machine: `on`; `off` while shut down, rebooting or crashed; `hung` never to return. */
  power: 'on' | 'off' | 'hung';
  /** The node was paused when it went down, so it comes back Paused (a reboot keeps the pause). */
  pausedWhenDown: boolean;
  /** WinRM reachable at all (fixture `reachable`). */
  reachable: boolean;
  /** Virtual ms until which a connection loss keeps WinRM away. */
  unreachableUntil: number;
  lastBootMs: number;
  /** Auto-start services are still starting until this virtual time. */
  servicesReadyAt: number;
  osBuild: number;
  /** Build the node boots into after a feature update's restart. */
  pendingOsBuild?: number;
  rebootPending: boolean;
  /** Windows Update needs a restart before it installs more (fixture setup.rebootPending); cleared at boot. */
  rebootBeforeInstall?: boolean;
  setup: NodeSetupFacts;
  updates: SimUpdateState[];
  featureUpdate?: { id: string; title: string; kb: string; targetBuild: number; installSeconds: number };
  faults: SimNodeFaults;
  /** Total physical memory, MB (fixture `memoryMB`); absent: unknown, placement then ignores memory. */
  memoryMB?: number;
  /** The Site fault domain above the node (fixture `site`); absent: none. */
  site?: string;
  /** Fixture `nativeCauProvider` when not Present: the CAU WMI provider is missing or refuses this node's session. */
  nativeCauProvider?: 'Absent' | 'AccessDenied';
  /** Fixture `kernelSoftReboot`; absent: NotInstalled. */
  kernelSoftReboot?: 'Enabled' | 'Bypassed' | 'Refused';
  /** The restart task's mark: the last soft restart scheduled here was refused by KSR and restarted fully instead. */
  softRestartFellBack?: boolean;
  /** The drain in progress: its number (a resume or a new drain makes an older drainEnd stale). */
  drain?: { seq: number; forced: boolean };
  /** Why the last drain failed (the roles left and their reasons), for messages. */
  lastDrainFailure?: string;
  /** The run paused this node under a CAU force switch that accepts an install and restart undrained. */
  undrainedAllowedBy?: 'ForcePauseNoDrain' | 'ForcePauseDrainAndReboot';
  /** Audit: the run paused this node (suspend-node) and has not resumed it. */
  pausedByRun: boolean;
  /** Audit: down because of a restart-node, not yet back. */
  downByRestart: boolean;
  /** S2D: this node missed writes while away and needs a repair job once it is back and resumed. */
  storageStale: boolean;
  /** Get-ClusterFaultDomain: the chassis and rack of this server (fixture `faultDomain`); absent: none. */
  faultDomain?: { chassis?: string; rack?: string };
  /** A vendor firmware tool a script plug-in drives (fixture `vendorFirmware`, ops-plugin.ts); absent: none. */
  vendorFirmware?: SimVendorFirmware;
}

/** The vendor tool's state on one node: its components as its inventory reports them. */
export interface SimVendorFirmware {
  plugin: string;
  components: Array<{ id: string; name: string; installedVersion: string; availableVersion: string; exitCode: number; failsLeft: number; failExitCode: number }>;
}

export interface SimRoleState {
  name: string;
  /** The node it belongs on (its preferred owner), for failback. */
  home: string;
  owner: string;
}

export interface SimTaskState {
  taskId: string;
  node: string;
  mode: 'Download' | 'Install';
  /** Install on a serving node (mode PreInstall): Software updates only, the others left NotStarted. Absent: false. */
  preInstall?: boolean;
  plugin: string;
  updateIds: string[];
  startedAt: number;
  endsAt: number;
  state: 'Running' | 'Completed' | 'Failed';
  /** installFails: this task ends Failed with this code. */
  failWith?: string;
  /** It would have run past the Task Scheduler's execution time limit, which stops it at endsAt. */
  stoppedAtLimit?: true;
  /** Fault downloadFails: the download fails with this code; nothing is installed. */
  downloadFailWith?: string;
  /** A registered script plug-in's task (ops-plugin.ts ends it); absent: a built-in's. */
  scriptPlugin?: true;
  results: {
    updateId: string;
    kb: string;
    title: string;
    resultCode: string;
    errorCode: string;
    rebootRequired: boolean;
  }[];
  rebootRequired: boolean;
  message?: string;
}

export interface SimJobState {
  id: number;
  node: string;
  startedAt: number;
  endsAt: number;
  /** storageRepairStuck: the job suspends at this time and never moves again. */
  stallsAt?: number;
  state: 'Running' | 'Suspended' | 'Completed';
  bytesTotal: number;
}

export type SimEvent =
  /** `softRefused`: the soft restart scheduled is refused by KSR when it runs; the node restarts fully. */
  | { at: number; seq: number; kind: 'restartDown'; node: string; soft: boolean; softRefused?: boolean }
  | { at: number; seq: number; kind: 'boot'; node: string }
  | { at: number; seq: number; kind: 'taskEnd'; taskId: string }
  | { at: number; seq: number; kind: 'crash'; node: string; seconds?: number }
  | { at: number; seq: number; kind: 'jobEnd'; jobId: number }
  | { at: number; seq: number; kind: 'jobStall'; jobId: number }
  | { at: number; seq: number; kind: 'drainEnd'; node: string; drainSeq: number }
  /** The CAU role's schedule comes due (fixture cauRole.selfUpdatingRun); see native-cau.ts. */
  | { at: number; seq: number; kind: 'selfUpdatingTrigger' }
  | { at: number; seq: number; kind: 'nativeRunEnd'; orchestratorGuid: string };

export interface OpLogEntry {
  at: number;
  node: string;
  op: string;
  outcome: string;
}

export interface ModelState {
  version: number;
  name: string;
  /** Hash of the fixture the state was created from, to notice an edited fixture. */
  fixtureHash: string;
  /**
   * Bumped by every save: a process that holds the model in memory reloads it before its next operation when
   * another process saved since (add-role during a run). Absent in older saved states: 0.
   */
  storeGeneration?: number;
  createdAt: number;
  virtualNow: number;
  timing: SimTiming;
  s2d: boolean;
  poolName: string;
  virtualDisks: string[];
  /** Every virtual disk's FaultDomainAwareness; absent: StorageScaleUnit (S2D's default). */
  faultDomainAwareness?: FaultDomainLevel;
  resyncBytes: number;
  quorum: { witnessType: string; witnessState: string };
  functionalLevel: number;
  nativeCauRunInProgress: boolean;
  /** The fixture's passwordHeld; absent in state saved before it existed (then true). */
  passwordHeld?: boolean;
  /** The CAU clustered role; absent (or null once removed) when the cluster has none. */
  cauRole?: SimCauRole | null;
  /** A self-updating Updating Run in progress: its MSFT_CAURun object lives on `node`. Absent or null: none. */
  nativeCauRun?: { orchestratorGuid: string; node: string; startedAt: number } | null;
  /** The cluster's IANA time zone (fixture `timeZone`); absent: UTC. */
  timeZone?: string;
  hotfixRules?: HotfixExitRules;
  /** The FolderRules of the hotfix configuration, by folder name. */
  hotfixFolderRules?: Record<string, HotfixExitRules>;
  scripts: Record<string, { exitCode: number; output: string }>;
  nodes: SimNodeState[];
  roles: SimRoleState[];
  tasks: SimTaskState[];
  jobs: SimJobState[];
  events: SimEvent[];
  nextSeq: number;
  nextJobId: number;
  opCounts: Record<string, number>;
  /** The most recent operations, newest last (bounded). */
  recentOps: OpLogEntry[];
  /** Feature-update facts (pool version, VMs, Storage Replica, Test-Cluster); absent in older saved states. */
  feature?: SimFeatureState;
  /** Stop-Cluster ran and no Start-Cluster since (offline update). Absent = false. */
  clusterStopped?: boolean;
  /** Virtual disks whose cluster resource was taken offline (offline update). Absent = none. */
  offlineVirtualDisks?: string[];
}

function flattenUpdates(list: FixtureUpdate[], parentId: string | undefined, out: SimUpdateState[]): void {
  for (const u of list) {
    out.push({
      id: u.id,
      kb: u.kb,
      title: u.title,
      rebootRequired: u.rebootRequired,
      type: u.type,
      recommended: u.recommended,
      hidden: u.hidden,
      plugin: u.plugin,
      ...(u.folder !== undefined ? { folder: u.folder } : {}),
      ...(u.ruleFolder !== undefined ? { ruleFolder: u.ruleFolder } : {}),
      ...(u.exitCode !== undefined ? { exitCode: u.exitCode } : {}),
      ...(parentId !== undefined ? { parentId } : {}),
      installed: false,
      staged: false,
      notApplicable: false,
    });
    flattenUpdates(u.followUps, u.id, out);
  }
}

function downloadFault(faults: ClusterFixture['nodes'][number]['faults']): { downloadFailsLeft?: number; downloadErrorCode?: string } {
  const f = faults.find((x) => x.kind === 'downloadFails');
  return f?.kind === 'downloadFails' ? { downloadFailsLeft: f.times, downloadErrorCode: f.errorCode } : {};
}

/** A fresh model from a validated fixture, starting at virtual time `nowMs`. */
export function createModelState(fx: ClusterFixture, fixtureHash: string, nowMs: number): ModelState {
  const events: SimEvent[] = [];
  let seq = 0;
  const nodes = fx.nodes.map((n): SimNodeState => {
    const updates: SimUpdateState[] = [];
    flattenUpdates(n.updates, undefined, updates);
    const installFails = n.faults.find((f) => f.kind === 'installFails');
    const drainFails = n.faults.find((f) => f.kind === 'drainFails');
    const drainHangs = n.faults.find((f) => f.kind === 'drainHangs');
    const slow = n.faults.find((f) => f.kind === 'slowReboot');
    const slowInstall = n.faults.find((f) => f.kind === 'slowInstall');
    for (const f of n.faults) {
      if (f.kind === 'nodeCrash') {
        events.push({
          at: nowMs + f.atSeconds * 1000,
          seq: seq++,
          kind: 'crash',
          node: n.name,
          ...(f.seconds !== undefined ? { seconds: f.seconds } : {}),
        });
      }
    }
    const isDown = n.state === 'Down';
    return {
      name: n.name,
      clusterState: n.state,
      drainStatus: n.state === 'Paused' ? 'Completed' : 'NotInitiated',
      ...(n.memoryMB !== undefined ? { memoryMB: n.memoryMB } : {}),
      ...(n.site !== undefined ? { site: n.site } : {}),
      // A Down node whose cluster service is merely stopped is still a running machine.
      power: isDown && n.setup.clusterServiceState === 'Running' ? 'off' : 'on',
      pausedWhenDown: false,
      reachable: n.reachable,
      unreachableUntil: 0,
      lastBootMs: nowMs - 3 * 86_400_000,
      servicesReadyAt: 0,
      osBuild: n.osBuild,
      rebootPending: n.setup.rebootPending,
      rebootBeforeInstall: n.setup.rebootPending,
      setup: structuredClone(n.setup),
      updates,
      ...(n.featureUpdate
        ? {
            featureUpdate: {
              id: n.featureUpdate.id ?? `feature-${n.featureUpdate.targetBuild}`,
              title: n.featureUpdate.title,
              kb: n.featureUpdate.kb,
              targetBuild: n.featureUpdate.targetBuild,
              installSeconds: n.featureUpdate.installSeconds ?? 3 * fx.timing.installSeconds,
            },
          }
        : {}),
      faults: {
        installFailsLeft: installFails?.times ?? 0,
        installErrorCode: installFails?.errorCode ?? '0x0',
        drainFailsLeft: drainFails?.times ?? 0,
        // Without `times` every drain hangs; a JSON-safe "forever".
        drainHangsLeft: drainHangs === undefined ? 0 : (drainHangs.times ?? Number.MAX_SAFE_INTEGER),
        rebootHangs: n.faults.some((f) => f.kind === 'rebootHangs'),
        ...(slow ? { slowRebootSeconds: slow.seconds } : {}),
        ...(slowInstall ? { slowInstallSeconds: slowInstall.seconds } : {}),
        connectionLoss: n.faults.flatMap((f) =>
          f.kind === 'connectionLoss' ? [{ phase: f.phase, seconds: f.seconds, used: false }] : [],
        ),
        storageRepairStuck: n.faults.some((f) => f.kind === 'storageRepairStuck'),
        stoppedServices: n.faults.flatMap((f) => (f.kind === 'serviceStaysStopped' ? [f.service] : [])),
        ...downloadFault(n.faults),
      },
      pausedByRun: false,
      downByRestart: false,
      // A node that is down in the fixture has missed writes already.
      storageStale: fx.storage.s2d && isDown,
      ...(n.faultDomain !== undefined ? { faultDomain: { ...n.faultDomain } } : {}),
      ...(n.nativeCauProvider !== undefined && n.nativeCauProvider !== 'Present' ? { nativeCauProvider: n.nativeCauProvider } : {}),
      ...(n.kernelSoftReboot !== undefined && n.kernelSoftReboot !== 'NotInstalled' ? { kernelSoftReboot: n.kernelSoftReboot } : {}),
      ...(n.vendorFirmware !== undefined
        ? { vendorFirmware: { plugin: n.vendorFirmware.plugin, components: n.vendorFirmware.components.map((c) => ({ id: c.id, name: c.name, installedVersion: c.installedVersion, availableVersion: c.availableVersion, exitCode: c.exitCode, failsLeft: c.fails?.times ?? 0, failExitCode: c.fails?.exitCode ?? 0 })) } }
        : {}),
    };
  });
  if (fx.cauRole?.selfUpdatingRun !== undefined) {
    events.push({ at: nowMs + fx.cauRole.selfUpdatingRun.atSeconds * 1000, seq: seq++, kind: 'selfUpdatingTrigger' });
    events.sort((a, b) => a.at - b.at || a.seq - b.seq);
  }
  return {
    version: MODEL_STATE_VERSION,
    name: fx.name,
    fixtureHash,
    createdAt: nowMs,
    virtualNow: nowMs,
    timing: fx.timing,
    s2d: fx.storage.s2d,
    poolName: fx.storage.poolName ?? `S2D on ${fx.name}`,
    virtualDisks: fx.storage.s2d ? (fx.storage.virtualDisks ?? ['Volume01', 'Volume02']) : [],
    ...(fx.storage.faultDomainAwareness !== undefined ? { faultDomainAwareness: fx.storage.faultDomainAwareness } : {}),
    resyncBytes: fx.storage.resyncBytes,
    quorum: { ...fx.quorum },
    functionalLevel: fx.functionalLevel,
    nativeCauRunInProgress: fx.nativeCauRunInProgress,
    passwordHeld: fx.passwordHeld,
    ...(fx.cauRole !== undefined ? { cauRole: structuredClone(fx.cauRole) } : {}),
    ...(fx.timeZone !== undefined ? { timeZone: fx.timeZone } : {}),
    ...(fx.hotfixRules !== undefined ? { hotfixRules: fx.hotfixRules } : {}),
    ...(fx.hotfixFolderRules !== undefined ? { hotfixFolderRules: fx.hotfixFolderRules } : {}),
    scripts: fx.scripts,
    nodes,
    roles: fx.nodes.flatMap((n) => n.roles.map((r) => ({ name: r, home: n.name, owner: n.name }))),
    tasks: [],
    jobs: [],
    events,
    nextSeq: seq,
    nextJobId: 1,
    opCounts: {},
    recentOps: [],
    feature: createFeatureState(fx),
  };
}
