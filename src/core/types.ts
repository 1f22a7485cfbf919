/**
 * The data core works on: the run profile it is given and the results it returns. Plain, readonly,
 * JSON-serializable. Depends on the operation catalogue's types only.
 */
import type { FailbackMode, PluginName, UndrainedAllowance, UpdateInfo, UpdateInstallResult } from '../cluster/operations.js';
import type { NodePhase, RunStatus } from './events.js';

/** CAU's RebootType values (Invoke-CauRun -RebootMode, 2022+). */
export const REBOOT_MODES = ['ClusProp', 'FullReboot', 'SoftReboot', 'PluginCustomReboot', 'OrchestratorDefault'] as const;
export type RebootMode = (typeof REBOOT_MODES)[number];

/**
 * What each RebootMode value does in cauctl. CAU documents the values, not their meaning (UNCONFIRMED in
 * cau-surface.md), so only SoftReboot asks for a Kernel Soft Reboot; every other value takes the safe
 * reading, a full restart, unless --attempt-soft-reboot asks for a soft one.
 */
export const REBOOT_MODE_MEANING: Readonly<Record<RebootMode, string>> = {
  FullReboot: 'a full restart (firmware included), even with --attempt-soft-reboot',
  SoftReboot: 'a Kernel Soft Reboot where the node supports it (a node that cannot falls back to a full restart)',
  OrchestratorDefault: "cauctl's default: a full restart, or a soft one with --attempt-soft-reboot",
  ClusProp: "UNCONFIRMED (presumably the cluster's CauEnableSoftReboot property); cauctl does not read it and takes the safe reading, as OrchestratorDefault",
  PluginCustomReboot: "UNCONFIRMED (presumably the plug-in restarts the node itself); cauctl's plug-ins never restart a node, so cauctl restarts it, as OrchestratorDefault",
};

export interface PluginSpec {
  readonly plugin: PluginName;
  /** Plug-in arguments as CAU's hashtables carry them: strings. */
  readonly arguments: Readonly<Record<string, string>>;
  /** A registered script plug-in (docs/plugins.md): its scripts, sent to the nodes as data. Absent: a built-in. */
  readonly script?: ScriptPluginSource;
}

/** A registered script plug-in's node-side scripts, as registered (the copy in the state directory). */
export interface ScriptPluginSource {
  readonly version: string;
  /** scan.ps1: run on each node over WinRM; returns `@{ updates = @(...) }`. */
  readonly scan: string;
  /** install.ps1: run in the node's SYSTEM update task; returns `@{ results = @(...); rebootRequired = ... }`. */
  readonly install: string;
  /** The manifest's installTimeoutMinutes: how long the run waits for install.ps1. */
  readonly installTimeoutMinutes: number;
}

/** A validated, normalized `run` profile (mirrors Invoke-CauRun). Durations in milliseconds. */
export interface RunProfile {
  readonly plugins: readonly PluginSpec[];
  /** undefined: one third of the nodes, rounded down (resolved at preflight when the nodes are known). */
  readonly maxFailedNodes?: number;
  /** @default 3 (total attempts = 1 + this) */
  readonly maxRetriesPerNode: number;
  readonly nodeOrder?: readonly string[];
  /** SiteAwareUpdatingOrder: every site, in update order; each site's nodes all go before the next's. */
  readonly siteAwareUpdatingOrder?: readonly string[];
  readonly preUpdateScript?: string;
  readonly postUpdateScript?: string;
  /** @default 'Microsoft.PowerShell' */
  readonly configurationName: string;
  readonly requireAllNodesOnline: boolean;
  readonly warnAfterMs?: number;
  readonly stopAfterMs?: number;
  /** @default 15 */
  readonly rebootTimeoutMinutes: number;
  readonly separateReboots: boolean;
  readonly enableFirewallRules: boolean;
  /** @default 'Immediate' */
  readonly failbackMode: FailbackMode;
  readonly runPluginsSerially: boolean;
  readonly stopOnPluginFailure: boolean;
  /** How long suspend keeps retrying while storage is degraded. @default 30 */
  readonly suspendClusterNodeTimeoutMinutes: number;
  /** How long to wait for storage repair after a node resumes, and before a drain. @default 60 */
  readonly waitForStorageRepairTimeoutMinutes: number;
  readonly forcePauseAndDrain: boolean;
  /**
   * CAU's ForcePauseNoDrain or ForcePauseDrainAndReboot: the one exception to invariant 8. NoDrain pauses
   * without moving roles; DrainAndReboot drains and, when the drain fails, keeps the node paused and updates
   * and restarts it anyway. Either accepts the downtime of the roles that stay. Absent: never.
   */
  readonly undrainedSwitch?: UndrainedAllowance;
  /** Kernel Soft Reboot for this run (set by --attempt-soft-reboot or --reboot-mode SoftReboot). */
  readonly attemptSoftReboot: boolean;
  /** CAU's RebootMode as given (the restart it means is already in attemptSoftReboot); absent: not given. */
  readonly rebootMode?: RebootMode;
  /** SuspendRetriesPerNode: suspends tried per attempt before the attempt fails. @default 1 */
  readonly suspendRetriesPerNode?: number;
  /**
   * SkipUpdateChecks (its meaning is UNCONFIRMED; cauctl's reading): no rescan in maintenance mode after a
   * node's install round, so each node installs what the run's scan found, once. @default false
   */
  readonly skipUpdateChecks?: boolean;
  /**
   * `--pre-install` (issue 18): a canary node goes through the whole cycle; if it succeeds, the other nodes'
   * Software updates of the Windows Update plug-in are installed while they serve (no restart), and each node's
   * window holds the drain, the restart, a rescan, the resume and the resync. @default false
   */
  readonly preInstall?: boolean;
  /** Pre-installs at once (`--pre-install-concurrency`); absent: every node at once. */
  readonly preInstallConcurrency?: number;
  /**
   * `--max-concurrent-nodes` (issue 18): nodes in maintenance at once where capacity, quorum, MaxFailedNodes and
   * the storage fault domains allow (groups.ts). @default 1
   */
  readonly maxConcurrentNodes?: number;
}

/** What a force switch accepted on one node: the switch and the roles (VMs) that went down with it. */
export interface ForcedDowntime {
  readonly switch: 'ForcePauseNoDrain' | 'ForcePauseAndDrain' | 'ForcePauseDrainAndReboot';
  readonly rolesDown: readonly string[];
}

export interface ErrorRecord {
  readonly code: string;
  readonly message: string;
  readonly node?: string;
}

export interface PhaseRecord {
  readonly phase: NodePhase;
  readonly attempt: number;
  /** ISO-8601 UTC. */
  readonly start: string;
  readonly end: string;
  readonly ok: boolean;
  readonly detail?: string;
}

export interface NodeResult {
  readonly node: string;
  readonly status: RunStatus;
  readonly attempts: number;
  readonly numberOfSucceededUpdates: number;
  readonly numberOfFailedUpdates: number;
  readonly installResults: readonly UpdateInstallResult[];
  readonly rebooted: boolean;
  readonly nodeRebootResult: { readonly bootType: 'FullReboot' | 'SoftReboot' | 'None'; readonly reboots: number };
  /** A force switch let roles go down on this node (invariant 8's exception): which switch, which roles. */
  readonly forced?: ForcedDowntime;
  readonly errorRecord: ErrorRecord | null;
  readonly nodeSuspendedTimestamp: string | null;
  readonly nodeSuspendedDurationSeconds: number | null;
  /** Per-phase timeline, for reports. */
  readonly phases: readonly PhaseRecord[];
}

export interface RunResult {
  readonly schemaVersion: 1;
  readonly runId: string;
  readonly clusterName: string;
  readonly status: RunStatus;
  readonly startTime: string;
  readonly endTime: string;
  readonly errorRecord: ErrorRecord | null;
  readonly plugins: readonly string[];
  readonly maxFailedNodes: number;
  readonly nodeResults: readonly NodeResult[];
  readonly warnings: readonly string[];
  readonly resumed: boolean;
}

export type ScanEntry = UpdateInfo & { readonly nodeName: string; readonly plugin: string };
