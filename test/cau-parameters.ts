/**
 * Each CAU cmdlet's parameters, taken from the CAU reference (cau-surface.md §2 and §3, Windows Server 2025
 * help), and what cauctl offers for each: an option of the command (the parameter in kebab case, unless
 * `renamed` says why not), a global option, or a documented reason why there is none. `pending` marks a
 * parameter cauctl does not offer yet, with where that is tracked; test/cau-parameters.test.ts fails as soon
 * as such an option appears, so the entry is then moved to `option`.
 *
 * Add-CauClusterRole and Set-CauClusterRole (roleTable), Export-CauReport, Save-CauDebugTrace and the plug-in
 * registry (Get-, Register-, Unregister-CauPlugin, cau-surface.md §6) follow.
 */

export type ParameterMapping =
  | { readonly option: string; readonly renamed?: string }
  | { readonly global: string; readonly renamed?: string }
  | { readonly reason: string }
  | { readonly pending: string };

export interface CmdletTable {
  readonly cmdlet: string;
  /** The cauctl command, as typed after `cauctl`. */
  readonly command: string;
  readonly parameters: Readonly<Record<string, ParameterMapping>>;
}

const CREDENTIAL: ParameterMapping = {
  global: '--username',
  renamed: 'a PSCredential cannot be typed on a command line: --username names the account, and the password comes from CAUCTL_PASSWORD, --password-file or a prompt, never from argv',
};

export const CAU_PARAMETER_TABLES: readonly CmdletTable[] = [
  {
    cmdlet: 'Invoke-CauRun',
    command: 'run',
    parameters: {
      ClusterName: { global: '--cluster-name' },
      Credential: CREDENTIAL,
      CauPluginName: { option: '--cau-plugin-name' },
      CauPluginArguments: { option: '--cau-plugin-arguments' },
      MaxFailedNodes: { option: '--max-failed-nodes' },
      MaxRetriesPerNode: { option: '--max-retries-per-node' },
      NodeOrder: { option: '--node-order' },
      PreUpdateScript: { option: '--pre-update-script' },
      PostUpdateScript: { option: '--post-update-script' },
      ConfigurationName: { option: '--configuration-name' },
      RequireAllNodesOnline: { option: '--require-all-nodes-online' },
      WarnAfter: { option: '--warn-after' },
      StopAfter: { option: '--stop-after' },
      RebootTimeoutMinutes: { option: '--reboot-timeout-minutes' },
      SeparateReboots: { option: '--separate-reboots' },
      RunPluginsSerially: { option: '--run-plugins-serially' },
      StopOnPluginFailure: { option: '--stop-on-plugin-failure' },
      EnableFirewallRules: { option: '--enable-firewall-rules' },
      FailbackMode: { option: '--failback-mode' },
      SuspendClusterNodeTimeoutMinutes: { option: '--suspend-cluster-node-timeout-minutes' },
      SuspendRetriesPerNode: { option: '--suspend-retries-per-node' },
      WaitForStorageRepairTimeoutMinutes: { option: '--wait-for-storage-repair-timeout-minutes' },
      ForcePauseNoDrain: { option: '--force-pause-no-drain' },
      ForcePauseAndDrain: { option: '--force-pause-and-drain' },
      ForcePauseDrainAndReboot: { option: '--force-pause-drain-and-reboot' },
      SkipUpdateChecks: { option: '--skip-update-checks' },
      ForceSelfUpdate: {
        reason: "CAU updates its .NET plug-ins installed on the coordinator before the run; cauctl's plug-ins ship inside cauctl and run on the nodes, so there is nothing to update apart from cauctl itself (npm update)",
      },
      SiteAwareUpdatingOrder: { option: '--site-aware-updating-order' },
      OsRollingUpgrade: {
        reason: 'OS (feature) upgrades are their own command, cauctl feature-update, with its readiness and same-offer checks and the post-install steps; run installs quality updates only',
      },
      AttemptSoftReboot: { option: '--attempt-soft-reboot' },
      RebootMode: { option: '--reboot-mode' },
      Force: { option: '--force' },
      WhatIf: { option: '--what-if' },
      Confirm: { reason: 'cauctl asks for confirmation on a terminal unless --force is given (Confirm:$false); off a terminal it requires --force' },
      ForceRecovery: { option: '--force-recovery' },
      Recover: { option: '--recover' },
      ClearCorruptReports: { option: '--clear-corrupt-reports' },
      SuspendNode: { option: '--suspend-node' },
      ResumeNode: { option: '--resume-node' },
    },
  },
  {
    // cau-surface.md §6 (Windows Server 2025 help) lists these; how the servers are named is UNCONFIRMED there.
    cmdlet: 'Invoke-ClusterlessCauRun',
    command: 'clusterless-run',
    parameters: {
      ComputerName: { option: '--computer-name', renamed: 'the reference does not say how the target servers are given (UNCONFIRMED); cauctl takes them as --computer-name A,B,C, the name PowerShell cmdlets use for remote computers' },
      Credential: CREDENTIAL,
      CauPluginName: { option: '--cau-plugin-name' },
      CauPluginArguments: { option: '--cau-plugin-arguments' },
      MaxRetries: { option: '--max-retries' },
      PreUpdateScript: { option: '--pre-update-script' },
      PostUpdateScript: { option: '--post-update-script' },
      ConfigurationName: { option: '--configuration-name' },
      RebootTimeoutMinutes: { option: '--reboot-timeout-minutes' },
      RunPluginsSerially: { option: '--run-plugins-serially' },
      StopOnPluginFailure: { option: '--stop-on-plugin-failure' },
      EnableFirewallRules: { option: '--enable-firewall-rules' },
      RebootMode: { option: '--reboot-mode' },
      OsRollingUpgrade: {
        reason: "OS (feature) upgrades are cauctl feature-update's, built on a cluster's readiness, same-offer and post-install steps; a clusterless run installs quality updates only, as cauctl run does",
      },
      ForceRecovery: { option: '--force-recovery' },
      Recover: { option: '--recover' },
      Force: { option: '--force' },
    },
  },
  // Get-ClusterlessCauRun: cau-surface.md names the cmdlet and none of its parameters, so there is no row to
  // check; cauctl get-clusterless-run mirrors get-run (--wait-for-start, --wait-for-completion).
  { cmdlet: 'Get-ClusterlessCauRun', command: 'get-clusterless-run', parameters: {} },
  {
    cmdlet: 'Invoke-CauScan',
    command: 'scan',
    parameters: {
      ClusterName: { global: '--cluster-name' },
      Credential: CREDENTIAL,
      CauPluginName: { option: '--cau-plugin-name' },
      CauPluginArguments: { option: '--cau-plugin-arguments' },
      RunPluginsSerially: { option: '--run-plugins-serially' },
      StopOnPluginFailure: { option: '--stop-on-plugin-failure' },
      OsRollingUpgrade: {
        reason: 'scanning for an OS (feature) upgrade is scan --cau-plugin-name Microsoft.RollingUpgradePlugin, which also flags nodes offered different feature updates; cauctl feature-update does the upgrade',
      },
      AttemptSoftReboot: { option: '--attempt-soft-reboot' },
      RebootMode: { option: '--reboot-mode' },
    },
  },
  ...(['add', 'set'] as const).map((verb) => roleTable(verb)),
  {
    cmdlet: 'Export-CauReport',
    command: 'export-report',
    parameters: {
      ClusterName: { global: '--cluster-name' },
      InputReport: {
        reason: "there is no pipeline of CauReport objects on a command line: the reports are chosen from the history with get-report's filters (--last, --start-date, --end-date, --run-id, --include-cluster)",
      },
      Format: { option: '--format' },
      Path: { option: '--path' },
      PassThru: { option: '--pass-thru' },
      Force: { option: '--force' },
      TimeZone: { option: '--time-zone' },
      WhatIf: { option: '--what-if' },
      Confirm: { reason: 'export-report never asks: an existing file is refused (exit 2) unless --force is given' },
    },
  },
  {
    cmdlet: 'Save-CauDebugTrace',
    command: 'save-debug-trace',
    parameters: {
      ClusterName: { global: '--cluster-name' },
      FilePath: { option: '--path', renamed: "CAU's alias of FilePath is Path, the name export-report uses too" },
      Credential: { reason: "the trace is built from this host's state (journals, run profiles, history) and needs no connection to the cluster, so no account" },
      RunId: { option: '--run-id' },
      Force: { option: '--force' },
      FeatureUpdateLogs: { pending: "not offered yet: Windows setup logs live on the nodes and need a node-side collection operation; issue 16 §3" },
    },
  },
  {
    cmdlet: 'Get-CauPlugin',
    command: 'get-plugin',
    parameters: { Name: { option: '--name' } },
  },
  {
    cmdlet: 'Register-CauPlugin',
    command: 'register-plugin',
    parameters: {
      Path: { option: '--path' },
      WhatIf: { reason: "register-plugin changes nothing on a cluster: it checks the folder and copies it into this host's state directory, and a failed check registers nothing" },
      Confirm: { reason: 'register-plugin never asks: registering the same name again replaces it and says which version it replaced' },
    },
  },
  {
    cmdlet: 'Unregister-CauPlugin',
    command: 'unregister-plugin',
    parameters: { Name: { option: '--name' } },
  },
];

/** Add-CauClusterRole and Set-CauClusterRole (cau-surface.md §5): the schedule, the role's own, and the run options. */
function roleTable(verb: 'add' | 'set'): CmdletTable {
  return {
    cmdlet: verb === 'add' ? 'Add-CauClusterRole' : 'Set-CauClusterRole',
    command: `${verb}-role`,
    parameters: {
      ClusterName: { global: '--cluster-name' },
      Credential: CREDENTIAL,
      ...(verb === 'add'
        ? { VirtualComputerObjectName: { option: '--virtual-computer-object-name' }, GroupName: { option: '--group-name' } }
        : {
            UpdateNow: { option: '--update-now' },
            UseDefault: { option: '--use-default' },
          }),
      StartDate: { option: '--start-date' },
      DaysOfWeek: { option: '--days-of-week' },
      WeeksOfMonth: { option: '--weeks-of-month' },
      IntervalWeeks: { option: '--interval-weeks' },
      RunOnce: { option: '--run-once' },
      CauPluginName: { option: '--cau-plugin-name' },
      CauPluginArguments: { option: '--cau-plugin-arguments' },
      MaxFailedNodes: { option: '--max-failed-nodes' },
      MaxRetriesPerNode: { option: '--max-retries-per-node' },
      NodeOrder: { option: '--node-order' },
      PreUpdateScript: { option: '--pre-update-script' },
      PostUpdateScript: { option: '--post-update-script' },
      ConfigurationName: { option: '--configuration-name' },
      RequireAllNodesOnline: { option: '--require-all-nodes-online' },
      WarnAfter: { option: '--warn-after' },
      StopAfter: { option: '--stop-after' },
      RebootTimeoutMinutes: { option: '--reboot-timeout-minutes' },
      SeparateReboots: { option: '--separate-reboots' },
      RunPluginsSerially: { option: '--run-plugins-serially' },
      StopOnPluginFailure: { option: '--stop-on-plugin-failure' },
      EnableFirewallRules: { option: '--enable-firewall-rules' },
      FailbackMode: { option: '--failback-mode' },
      SuspendClusterNodeTimeoutMinutes: { option: '--suspend-cluster-node-timeout-minutes' },
      SuspendRetriesPerNode: { option: '--suspend-retries-per-node' },
      WaitForStorageRepairTimeoutMinutes: { option: '--wait-for-storage-repair-timeout-minutes' },
      ForcePauseNoDrain: { option: '--force-pause-no-drain' },
      ForcePauseAndDrain: { option: '--force-pause-and-drain' },
      ForcePauseDrainAndReboot: { option: '--force-pause-drain-and-reboot' },
      SkipUpdateChecks: { option: '--skip-update-checks' },
      SiteAwareUpdatingOrder: { option: '--site-aware-updating-order' },
      OsRollingUpgrade: {
        reason: 'OS (feature) upgrades are their own command, cauctl feature-update, run from a management host; the self-updating role runs quality updates only',
      },
      AttemptSoftReboot: { option: '--attempt-soft-reboot' },
      RebootMode: { option: '--reboot-mode' },
      Force: { option: '--force' },
      WhatIf: { option: '--what-if' },
      Confirm: { reason: 'add-role and set-role never ask (the schedule is always sent whole, so there is nothing to confirm); --what-if shows the call first' },
    },
  };
}

/** `RebootTimeoutMinutes` → `--reboot-timeout-minutes`: CAU's parameter name in kebab case. */
export function kebabOption(parameter: string): string {
  return `--${parameter.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}`;
}
