/**
 * The one catalogue of error-record codes (`errorRecord.code` of a run, of a node, of an `attempt-failed`
 * event), with CAU's names where CAU has one, and the one mapping from an outcome to the exit code.
 * Documented in docs/error-codes.md; a test keeps the two in step. Depends on nothing but errors.ts.
 */
import { ExitCode, type ExitCodeValue } from '../errors.js';

/** What each code means, and whether it stops the whole run. */
interface CodeInfo {
  readonly summary: string;
  /** `run`: the run's errorRecord; `node`: a node's (or an attempt's) errorRecord; `warning`: a warning event. */
  readonly scope: 'run' | 'node' | 'warning';
}

export const ErrorCodes = {
  // Run level
  MaxFailedNodesExceeded: { scope: 'run', summary: 'More nodes failed than MaxFailedNodes allows; no further node was touched.' },
  NodesFailed: { scope: 'run', summary: 'Some nodes failed, within MaxFailedNodes (PartiallyFailed).' },
  UserCanceled: { scope: 'run', summary: 'Ctrl-C or stop-run stopped the run at a safe point.' },
  StopAfterExceeded: { scope: 'run', summary: 'The run went past StopAfter and stopped at a safe point.' },
  ClusterNotReachable: { scope: 'run', summary: 'The cluster stayed unreachable past every grace period; the run stopped touching nodes.' },
  LockLost: { scope: 'run', summary: 'Another coordinator took the cluster lock; this run stopped touching nodes.' },
  JournalWriteFailed: { scope: 'run', summary: 'The run journal could not be made durable; the run stopped at a safe point (exit 3).' },
  RestoreIncomplete: { scope: 'run', summary: 'offline-update: the cluster could not be fully restored.' },
  OfflineAborted: { scope: 'run', summary: 'offline-update: the update work stopped early (a failure); the cluster was restored.' },
  MixedBuilds: { scope: 'run', summary: 'feature-update: not every node runs the new build, so the functional level was not raised.' },
  FunctionalLevelNotFeasible: { scope: 'run', summary: 'feature-update: Update-ClusterFunctionalLevel -WhatIf refused the raise.' },
  PostInstallStepFailed: { scope: 'run', summary: 'post-install: one or more finishing steps failed; the others stay done, and a second run finishes what is left.' },
  // Node level
  NodeOffline: { scope: 'node', summary: 'The node was not online when the run started.' },
  AccessDenied: { scope: 'node', summary: 'The node refused the connection or the credentials; never taken for an unreachable node.' },
  NodeNotReachable: { scope: 'node', summary: 'The node stayed unreachable past its timeout (CAU: NodeNotReachable).' },
  ScanFailed: { scope: 'node', summary: 'The scan of the node failed.' },
  PreUpdateScriptFailed: { scope: 'node', summary: 'The PreUpdateScript exited non-zero.' },
  PostUpdateScriptFailed: { scope: 'node', summary: 'The PostUpdateScript exited non-zero.' },
  DrainFailed: { scope: 'node', summary: 'The drain failed or did not complete within SuspendClusterNodeTimeoutMinutes; the node was resumed (NoFailback).' },
  SuspendFailed: { scope: 'node', summary: 'Suspend-ClusterNode was refused for a reason other than the drain.' },
  NodeNotDrained: { scope: 'node', summary: 'Before an install or restart the node was not Paused with DrainStatus Completed and no running role (invariant 8).' },
  NoNodeForRoles: { scope: 'node', summary: "No other node can host the node's roles (a single-node cluster, or every other node down or paused)." },
  InsufficientMemory: { scope: 'node', summary: "The nodes that stay in service lack the free memory for the node's running VMs." },
  VmNotLiveMigratable: { scope: 'node', summary: 'A running VM on the node cannot live-migrate, so a drain would take it down.' },
  NativeCauRunInProgress: { scope: 'node', summary: 'A native CAU Updating Run (an MSFT_CAURun object on a node) is in progress: two coordinators must never update the cluster at once.' },
  SelfUpdatingNotHeld: { scope: 'node', summary: "The CAU clustered role's self-updating could not be held off (its group taken Offline) for the run." },
  OtherNodePaused: { scope: 'node', summary: 'Another node is paused: draining this one would take a second node out of service.' },
  NodesOffline: { scope: 'node', summary: 'RequireAllNodesOnline is set and another node is not Up.' },
  QuorumAtRisk: { scope: 'node', summary: 'Taking the node down while another is down would lose quorum or storage redundancy.' },
  StorageNotHealthy: { scope: 'node', summary: 'Storage did not become healthy before a drain or restart (or at the end of offline-update).' },
  StorageRepairTimeout: { scope: 'node', summary: 'Storage did not heal within WaitForStorageRepairTimeoutMinutes after the node resumed.' },
  InstallFailed: { scope: 'node', summary: 'One or more updates failed to install, or the install task failed or ran past its deadline.' },
  RebootTimeout: { scope: 'node', summary: 'The node did not come back within RebootTimeoutMinutes after its restart.' },
  ResumeFailed: { scope: 'node', summary: 'The node could not be resumed.' },
  UnexpectedError: { scope: 'node', summary: 'A failure cauctl has no code for; the message says what failed.' },
  // Warnings (warning events)
  NodeNotReachableRetrying: { scope: 'warning', summary: 'A call to a node failed transiently; cauctl retries until the node is really unreachable.' },
  WarnAfterExceeded: { scope: 'warning', summary: 'The run is still going after WarnAfter.' },
  StageFailed: { scope: 'warning', summary: 'Downloading ahead of the drain failed; the install downloads instead.' },
  InstallOverdue: { scope: 'warning', summary: 'An install ran past its time limit: the run waits for it to end (the Task Scheduler ends it at 12 hours), the node kept out of service (a rolling run), the cluster kept stopped (offline-update), or the server not restarted (standalone servers). Said once, as it happens.' },
  SoftRebootFallback: { scope: 'warning', summary: 'A soft restart (Kernel Soft Reboot) was asked for, but the node has none, opts out (CauBypassSoftBootOnNode) or KSR refused when the restart ran: it restarted fully (nodeRebootResult says FullReboot).' },
  TooManyRounds: { scope: 'warning', summary: 'The node still offers updates after the bound on install rounds.' },
  OfflineWarning: { scope: 'warning', summary: 'offline-update: something to know at its end that did not fail it (a staging that failed, a node left Disabled, storage slow to heal); the message says what.' },
  PreInstallFallback: { scope: 'warning', summary: 'run --pre-install: the canary did not succeed, so nothing was pre-installed and the run went on one node at a time.' },
  PreInstalledNotRestarted: { scope: 'warning', summary: 'run --pre-install: the run stopped before this pre-installed node\'s window; its updates take effect at its next restart.' },
} as const satisfies Record<string, CodeInfo>;

export type ErrorCode = keyof typeof ErrorCodes;

/** The code itself, typed: `code('DrainFailed')` fails to compile for a code the catalogue lacks. */
export function code<C extends ErrorCode>(name: C): C {
  return name;
}

/** A finished flow's outcome, as every command reports it. */
export interface Outcome {
  readonly status: 'Succeeded' | 'PartiallyFailed' | 'Failed' | 'Canceled';
}

/**
 * The exit code of a finished run, offline update, feature update or post-install (DESIGN.md): 0 done,
 * 6 finished with failed nodes within the budget, 3 failed or stopped.
 */
export function exitCodeFor(outcome: Outcome): ExitCodeValue {
  switch (outcome.status) {
    case 'Succeeded':
      return ExitCode.ok;
    case 'PartiallyFailed':
      return ExitCode.partiallyFailed;
    case 'Failed':
    case 'Canceled':
      return ExitCode.runFailed;
  }
}
