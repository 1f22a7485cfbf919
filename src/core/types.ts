/**
 * The data core works on: the run profile it is given and the results it returns. Plain, readonly,
 * JSON-serializable. Depends on the operation catalogue's types only.
 */
import type { FailbackMode, PluginName, UpdateInfo, UpdateInstallResult } from '../cluster/operations.js';
import type { NodePhase, RunStatus } from './events.js';

export interface PluginSpec {
  readonly plugin: PluginName;
  /** Plug-in arguments as CAU's hashtables carry them: strings. */
  readonly arguments: Readonly<Record<string, string>>;
}

/** A validated, normalized `run` profile (mirrors Invoke-CauRun). Durations in milliseconds. */
export interface RunProfile {
  readonly plugins: readonly PluginSpec[];
  /** undefined: one third of the nodes, rounded down (resolved at preflight when the nodes are known). */
  readonly maxFailedNodes?: number;
  /** @default 3 (total attempts = 1 + this) */
  readonly maxRetriesPerNode: number;
  readonly nodeOrder?: readonly string[];
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
  /** Kernel Soft Reboot for this run. */
  readonly attemptSoftReboot: boolean;
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
