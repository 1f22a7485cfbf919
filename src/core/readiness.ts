/**
 * Test-CauSetup: the 19 CAU Best Practices Analyzer rules (cau-surface.md §4) plus cauctl's own (clustering
 * features, quorum, storage, CredSSP). Gathering is I/O through the gateway; judging is pure, so every rule
 * has table tests. Depends on the gateway, the catalogue's types and policy.
 */
import { OperationFailedError, type Gateway } from '../cluster/gateway.js';
import { NETWORK_CREDENTIAL_OPERATIONS } from '../cluster/operations-credential.js';
import type { ClusterInfo, NodeCapacity, NodeSetup, StorageHealth } from '../cluster/operations.js';
import { AppError, describeError } from '../errors.js';
import { capacityInputFrom, checkEachNode } from './capacity.js';
import { judgeStorage } from './policy.js';
import { readCapacityReports } from './preflight.js';

export type Severity = 'Error' | 'Warning' | 'Info';
export type RuleState = 'Pass' | 'Fail' | 'NotApplicable';

export interface NodeFinding {
  readonly node: string;
  readonly state: RuleState;
  readonly detail: string;
}

export interface RuleResult {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly state: RuleState;
  readonly detail: string;
  readonly nodes: readonly NodeFinding[];
  /** The exact PowerShell that fixes it (run on each failing node unless it says otherwise). */
  readonly remedy: string;
  /** cauctl can apply the remedy itself with `test-setup --fix`. */
  readonly fixable: boolean;
}

/** The self-updating configuration, when a CAU clustered role exists. */
export interface CauRoleFacts {
  readonly present: boolean;
  readonly enabled: boolean;
  readonly plugins: readonly string[];
  readonly possibleOwners: readonly string[];
  readonly preUpdateScript: string | null;
  readonly postUpdateScript: string | null;
  readonly warnAfterMs: number | null;
  readonly stopAfterMs: number | null;
  readonly optionProblems: readonly string[];
}

export interface SetupFacts {
  readonly cluster: ClusterInfo | null;
  readonly clusterError: string | null;
  /** The script error code of that failure, when the entry node answered with one (CONSTRAINED_LANGUAGE). */
  readonly clusterErrorCode?: string;
  readonly nodes: ReadonlyArray<{ readonly node: string; readonly setup: NodeSetup | null; readonly error: string | null; readonly errorCode?: string }>;
  readonly storage: StorageHealth | null;
  readonly role: CauRoleFacts | null;
  /** get-node-capacity of each online node that answered; absent when not gathered. */
  readonly capacity?: readonly NodeCapacity[];
}

export const REMOTE_SHUTDOWN_GROUP = '@firewallapi.dll,-36751';
export const REQUIRED_FEATURES = ['Failover-Clustering', 'RSAT-Clustering-PowerShell'] as const;
/** Windows Server 2016 is the oldest build CAU's current module supports here. */
export const MIN_SUPPORTED_BUILD = 14393;

export async function gatherSetupFacts(gateway: Gateway, entry: string, roleProbe?: () => Promise<CauRoleFacts | null>): Promise<SetupFacts> {
  let cluster: ClusterInfo | null = null;
  let clusterError: string | null = null;
  let clusterErrorCode: string | undefined;
  try {
    // Read-only: an MSFT_CAURun that cannot be read is reported (cluster.nativeCauUnreadable), not "unreachable".
    cluster = await gateway.call(entry, 'get-cluster', { reportUnreadableNativeCau: true });
  } catch (error) {
    clusterError = describeError(error);
    if (error instanceof OperationFailedError) clusterErrorCode = error.scriptCode;
  }
  const names = cluster?.nodes.map((n) => n.name) ?? [];
  const nodes = await Promise.all(
    names.map(async (node) => {
      try {
        return { node, setup: await gateway.call(node, 'get-node-setup', {}), error: null };
      } catch (error) {
        const errorCode = error instanceof OperationFailedError ? error.scriptCode : undefined;
        return { node, setup: null, error: error instanceof AppError ? error.message : describeError(error), ...(errorCode === undefined ? {} : { errorCode }) };
      }
    }),
  );
  let storage: StorageHealth | null = null;
  if (cluster !== null) {
    try {
      storage = await gateway.call(entry, 'get-storage-health', {});
    } catch {
      storage = null;
    }
  }
  const role = cluster !== null && roleProbe ? await roleProbe() : null;
  const capacity = cluster !== null ? (await readCapacityReports(gateway, cluster)).capacity : undefined;
  return { cluster, clusterError, nodes, storage, role, ...(clusterErrorCode === undefined ? {} : { clusterErrorCode }), ...(capacity ? { capacity } : {}) };
}

type NodeCheck = (setup: NodeSetup) => { ok: boolean; detail: string };

function perNode(facts: SetupFacts, check: NodeCheck): NodeFinding[] {
  return facts.nodes.map(({ node, setup, error }) => {
    if (setup === null) return { node, state: 'Fail', detail: `not reachable: ${error ?? 'unknown error'}` };
    const { ok, detail } = check(setup);
    return { node, state: ok ? 'Pass' : 'Fail', detail };
  });
}

function rule(
  id: string,
  title: string,
  severity: Severity,
  nodes: NodeFinding[],
  remedy: string,
  options: { fixable?: boolean; detail?: string; state?: RuleState } = {},
): RuleResult {
  const failing = nodes.filter((n) => n.state === 'Fail');
  const state = options.state ?? (failing.length > 0 ? 'Fail' : 'Pass');
  const detail =
    options.detail ?? (state === 'Pass' ? 'all nodes pass' : state === 'Fail' ? `failing on ${failing.map((n) => n.node).join(', ')}` : 'not applicable');
  return { id, title, severity, state, detail, nodes, remedy, fixable: options.fixable ?? false };
}

function versionAtLeast(text: string, major: number, minor: number): boolean {
  const m = /^(\d+)(?:\.(\d+))?/.exec(text.trim());
  if (m === null) return false;
  const a = Number(m[1]);
  const b = Number(m[2] ?? 0);
  return a > major || (a === major && b >= minor);
}

function roleRule(facts: SetupFacts, id: string, title: string, severity: Severity, remedy: string, judge: (role: CauRoleFacts) => { ok: boolean; detail: string }): RuleResult {
  if (facts.role === null || !facts.role.present) {
    return rule(id, title, severity, [], remedy, { state: 'NotApplicable', detail: 'no CAU clustered role is configured (self-updating mode off); remote runs from cauctl do not need it' });
  }
  const { ok, detail } = judge(facts.role);
  return rule(id, title, severity, [], remedy, { state: ok ? 'Pass' : 'Fail', detail });
}

/** Judges the facts: every rule, in the documented order, then cauctl's own. */
export function evaluateSetup(facts: SetupFacts): RuleResult[] {
  const results = judgeRules(facts);
  // Remedies name the real cluster, so they can be pasted as they are.
  const name = facts.cluster?.name;
  return name === undefined ? results : results.map((r) => ({ ...r, remedy: r.remedy.replaceAll('<cluster>', name) }));
}

function judgeRules(facts: SetupFacts): RuleResult[] {
  const c = facts.cluster;
  const results: RuleResult[] = [];
  const reachability = facts.nodes.map(({ node, setup, error }): NodeFinding => (setup ? { node, state: 'Pass', detail: 'reachable' } : { node, state: 'Fail', detail: `not reachable: ${error}` }));
  const down = c?.nodes.filter((n) => n.state === 'Down' || n.state === 'Unknown') ?? [];
  results.push(
    rule('CAU-01', 'The failover cluster is available', 'Error', [...reachability, ...down.map((n): NodeFinding => ({ node: n.name, state: 'Fail', detail: `cluster node state ${n.state}` }))], 'Resolve the cluster name in DNS, bring every node online, and make sure Test-Cluster passes', {
      ...(c === null ? { state: 'Fail' as const, detail: `the cluster could not be reached: ${facts.clusterError}` } : {}),
    }),
  );
  if (c === null) return facts.clusterErrorCode === 'CONSTRAINED_LANGUAGE' ? [...results, scriptsRules(facts)[0]!] : results;

  results.push(rule('CAU-02', 'The nodes are enabled for remote management via WMI', 'Error', perNode(facts, (s) => ({ ok: s.wmiRemotingEnabled && s.winrmServiceAutomatic, detail: s.wmiRemotingEnabled ? (s.winrmServiceAutomatic ? 'WMI over WinRM enabled' : 'WinRM service is not Automatic') : 'WMI remoting disabled' })), 'Set-Service -Name WinRM -StartupType Automatic; Set-WSManQuickConfig -Force'));
  results.push(rule('CAU-03', 'PowerShell remoting is enabled on each node', 'Warning', perNode(facts, (s) => ({ ok: s.psRemotingEnabled, detail: s.psRemotingEnabled ? 'enabled' : 'disabled' })), 'Enable-PSRemoting -Force'));
  results.push(rule('CAU-04', 'The nodes run a supported cluster OS', 'Error', perNode(facts, (s) => ({ ok: s.osBuild >= MIN_SUPPORTED_BUILD, detail: `${s.osCaption} (build ${s.osBuild})` })), 'Upgrade the node to Windows Server 2016 or later (or Azure Stack HCI / Azure Local)'));
  results.push(rule('CAU-05', 'The required .NET Framework and PowerShell are installed', 'Warning', perNode(facts, (s) => ({ ok: versionAtLeast(s.dotNetVersion, 4, 5) && versionAtLeast(s.powerShellVersion, 5, 1), detail: `.NET ${s.dotNetVersion}, PowerShell ${s.powerShellVersion}` })), 'Install-WindowsFeature -Name NET-Framework-45-Core'));
  results.push(rule('CAU-06', 'The Cluster service is running on all nodes', 'Error', perNode(facts, (s) => ({ ok: s.clusterServiceState === 'Running' && (s.clusterServiceStartMode === 'Automatic' || s.clusterServiceStartMode === 'Auto'), detail: `ClusSvc ${s.clusterServiceState}, start mode ${s.clusterServiceStartMode}` })), 'Set-Service -Name ClusSvc -StartupType Automatic; Start-Service -Name ClusSvc'));
  results.push(rule('CAU-07', 'Automatic Updates is not configured to install automatically on any node', 'Warning', perNode(facts, (s) => ({ ok: s.autoUpdateMode !== 'AutoInstall', detail: `Automatic Updates: ${s.autoUpdateMode}` })), "Set-ItemProperty -Path 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU' -Name AUOptions -Value 2   # notify only (or 3: download and notify)"));

  const sources = new Map<string, string[]>();
  for (const { node, setup } of facts.nodes) if (setup) sources.set(setup.updateSource, [...(sources.get(setup.updateSource) ?? []), node]);
  const majority = [...sources.entries()].sort((a, b) => b[1].length - a[1].length)[0]?.[0];
  results.push(rule('CAU-08', 'All nodes use the same update source', 'Warning', perNode(facts, (s) => ({ ok: sources.size <= 1 || s.updateSource === majority, detail: `update source ${s.updateSource}` })), 'Point every node at the same WSUS server, Windows Update or Microsoft Update (the same Group Policy for all nodes)'));
  results.push(rule('CAU-09', 'The firewall rule group that allows remote shutdown is enabled on each node', 'Error', perNode(facts, (s) => ({ ok: s.remoteShutdownFirewallEnabled, detail: s.remoteShutdownFirewallEnabled ? 'Remote Shutdown rules enabled' : 'Remote Shutdown rules disabled' })), `Set-NetFirewallRule -Group '${REMOTE_SHUTDOWN_GROUP}' -Profile Domain -Enabled True`, { fixable: true }));

  const proxies = new Set(facts.nodes.flatMap(({ setup }) => (setup ? [setup.winHttpProxy] : [])));
  const usesProxy = [...proxies].some((p) => p !== 'Direct');
  results.push(
    usesProxy
      ? rule('CAU-10', 'The WinHTTP proxy is set to a local proxy on every node', 'Warning', perNode(facts, (s) => ({ ok: s.winHttpProxy !== 'Direct' && proxies.size === 1 && s.winHttpProxy.includes('<local>'), detail: `WinHTTP proxy: ${s.winHttpProxy}` })), 'netsh winhttp set proxy <proxy-fqdn>:<port> "<local>"')
      : rule('CAU-10', 'The WinHTTP proxy is set to a local proxy on every node', 'Info', perNode(facts, (s) => ({ ok: true, detail: `WinHTTP proxy: ${s.winHttpProxy}` })), 'netsh winhttp set proxy <proxy-fqdn>:<port> "<local>"', { state: 'NotApplicable', detail: 'no node uses a WinHTTP proxy' }),
  );

  results.push(roleRule(facts, 'CAU-11', 'The CAU clustered role is installed', 'Warning', 'Add-CauClusterRole -ClusterName <cluster> -DaysOfWeek Tuesday -WeeksOfMonth 3 -Force   # or: cauctl add-role', () => ({ ok: true, detail: 'installed' })));
  results.push(roleRule(facts, 'CAU-12', 'The CAU clustered role is enabled', 'Warning', 'Enable-CauClusterRole -ClusterName <cluster> -Force', (r) => ({ ok: r.enabled, detail: r.enabled ? 'enabled' : 'disabled' })));
  results.push(
    facts.role?.present
      ? rule('CAU-13', 'The configured plug-ins are registered on all nodes', 'Warning', perNode(facts, (s) => {
          const missing = facts.role!.plugins.filter((p) => !s.registeredPlugins.includes(p));
          return { ok: missing.length === 0, detail: missing.length === 0 ? 'all configured plug-ins registered' : `missing ${missing.join(', ')}` };
        }), 'Register-CauPlugin -Path <plug-in DLL>   # on every node')
      : roleRule(facts, 'CAU-13', 'The configured plug-ins are registered on all nodes', 'Warning', 'Register-CauPlugin -Path <plug-in DLL>', () => ({ ok: true, detail: '' })),
  );
  const pluginSets = new Set(facts.nodes.flatMap(({ setup }) => (setup ? [[...setup.registeredPlugins].sort().join(',')] : [])));
  results.push(
    facts.role?.present
      ? rule('CAU-14', 'All nodes have the same set of plug-ins registered', 'Warning', perNode(facts, (s) => ({ ok: pluginSets.size <= 1, detail: `registered: ${s.registeredPlugins.join(', ') || 'none'}` })), 'Register-CauPlugin / Unregister-CauPlugin until every node lists the same plug-ins')
      : roleRule(facts, 'CAU-14', 'All nodes have the same set of plug-ins registered', 'Warning', 'Register-CauPlugin', () => ({ ok: true, detail: '' })),
  );
  results.push(roleRule(facts, 'CAU-15', 'The configured updating run options are valid', 'Warning', 'Set-CauClusterRole -ClusterName <cluster> <corrected options> -Force', (r) => ({ ok: r.optionProblems.length === 0, detail: r.optionProblems.length === 0 ? 'valid' : r.optionProblems.join('; ') })));
  results.push(roleRule(facts, 'CAU-16', 'At least two nodes are possible owners of the CAU role', 'Warning', "Get-ClusterGroup -Name <CAU role group> | Set-ClusterOwnerNode -Owners (Get-ClusterNode).Name", (r) => ({ ok: r.possibleOwners.length >= 2, detail: `possible owners: ${r.possibleOwners.join(', ') || 'none'}` })));
  results.push(roleRule(facts, 'CAU-17', 'All nodes can access the pre- and post-update scripts', 'Warning', 'Put the scripts on a share every possible owner can read (Everyone: Read)', (r) => ({ ok: true, detail: r.preUpdateScript || r.postUpdateScript ? `scripts: ${[r.preUpdateScript, r.postUpdateScript].filter(Boolean).join(', ')}` : 'no scripts configured' })));
  results.push(roleRule(facts, 'CAU-18', 'All nodes use identical pre- and post-update scripts', 'Warning', 'Serve one copy of each script from a share', (r) => ({ ok: true, detail: r.preUpdateScript || r.postUpdateScript ? 'one shared copy configured' : 'no scripts configured' })));
  results.push(roleRule(facts, 'CAU-19', 'WarnAfter is less than StopAfter', 'Warning', 'Set-CauClusterRole -ClusterName <cluster> -WarnAfter <shorter> -StopAfter <longer> -Force', (r) => ({ ok: r.warnAfterMs === null || r.stopAfterMs === null || r.warnAfterMs < r.stopAfterMs, detail: `WarnAfter ${r.warnAfterMs ?? 'unset'} ms, StopAfter ${r.stopAfterMs ?? 'unset'} ms` })));

  results.push(rule('CAUCTL-01', 'Failover-Clustering and RSAT-Clustering-PowerShell are installed on every node', 'Error', perNode(facts, (s) => {
    const missing = [s.features.failoverClustering ? null : 'Failover-Clustering', s.features.rsatClusteringPowerShell ? null : 'RSAT-Clustering-PowerShell'].filter((x): x is string => x !== null);
    return { ok: missing.length === 0, detail: missing.length === 0 ? 'both installed' : `missing ${missing.join(', ')}` };
  }), 'Install-WindowsFeature -Name Failover-Clustering, RSAT-Clustering-PowerShell', { fixable: true }));
  const witnessOk = c.quorum.witnessType === 'None' || c.quorum.witnessState === 'Online';
  results.push(rule('CAUCTL-02', 'Quorum and witness are healthy', 'Error', [], 'Get-ClusterQuorum; Set-ClusterQuorum -CloudWitness ... (or fix the witness resource)', {
    state: c.quorum.healthy && witnessOk ? 'Pass' : 'Fail',
    detail: `quorum ${c.quorum.healthy ? 'healthy' : 'NOT healthy'}, witness ${c.quorum.witnessType}: ${c.quorum.witnessState}`,
  }));
  const storage = facts.storage;
  const verdict = storage ? judgeStorage(storage) : null;
  results.push(rule('CAUCTL-03', 'Storage is healthy (no repair job running, every virtual disk and pool Healthy)', 'Error', [], 'Get-StorageJob; Get-VirtualDisk; wait for repairs to finish before updating', {
    state: storage === null ? 'Fail' : !storage.s2dEnabled && storage.virtualDisks.length === 0 ? 'NotApplicable' : verdict?.healthy ? 'Pass' : 'Fail',
    detail: storage === null ? 'storage health could not be read' : !storage.s2dEnabled && storage.virtualDisks.length === 0 ? 'no Storage Spaces Direct' : verdict!.healthy ? 'healthy' : (verdict as { reason: string }).reason,
  }));
  results.push(...scriptsRules(facts));
  results.push(rule('CAUCTL-04', 'The CredSSP server role is off on every node', 'Warning', perNode(facts, (s) => ({ ok: !s.credSspServerEnabled, detail: s.credSspServerEnabled ? 'CredSSP server role enabled (delegates credentials; cauctl never needs it)' : 'off' })), 'Disable-WSManCredSSP -Role Server', { fixable: true }));
  results.push(capacityRule(facts, c));
  return results;
}

/**
 * CAUCTL-05, the run's capacity preflight as a rule: each Up node can be drained, its running VMs fitting on
 * the nodes that stay in service (core/capacity.ts). A node that is not Up is not drained: not applicable.
 */
function capacityRule(facts: SetupFacts, cluster: ClusterInfo): RuleResult {
  const title = 'Each node can be drained: the other nodes can host its running VMs (memory, live migration)';
  const remedy =
    'Free memory on the other nodes (stop or move VMs), add memory or a node, or make the VMs live-migratable; to accept the downtime instead, CAU pauses without draining with Invoke-CauRun -ForcePauseNoDrain';
  if (facts.capacity === undefined) return rule('CAUCTL-05', title, 'Error', [], remedy, { state: 'NotApplicable', detail: 'the nodes\' capacity was not read' });
  const up = cluster.nodes.filter((n) => n.state === 'Up').map((n) => n.name);
  const verdicts = new Map(checkEachNode(capacityInputFrom(cluster, facts.capacity), up).map((v) => [v.node, v.verdict]));
  const nodes = cluster.nodes.map((n): NodeFinding => {
    const v = verdicts.get(n.name);
    if (v === undefined) return { node: n.name, state: 'NotApplicable', detail: `not drained: cluster node state ${n.state}` };
    return v.ok ? { node: n.name, state: 'Pass', detail: v.summary } : { node: n.name, state: 'Fail', detail: `${v.code}: ${v.message}` };
  });
  const placementOnly = [...verdicts.values()].some((v) => v.basis === 'placement');
  return rule('CAUCTL-05', title, 'Error', nodes, remedy, {
    ...(nodes.some((n) => n.state === 'Fail') || !placementOnly ? {} : { detail: 'all nodes pass (memory unknown: judged on placement only)' }),
  });
}

/** Which safe remedies `--fix` would apply on which node. */
export function planFixes(results: readonly RuleResult[]): Map<string, { enableRemoteShutdownFirewall: boolean; installFeatures: string[]; disableCredSspServer: boolean }> {
  const plan = new Map<string, { enableRemoteShutdownFirewall: boolean; installFeatures: string[]; disableCredSspServer: boolean }>();
  const entry = (node: string) => {
    let e = plan.get(node);
    if (!e) {
      e = { enableRemoteShutdownFirewall: false, installFeatures: [], disableCredSspServer: false };
      plan.set(node, e);
    }
    return e;
  };
  for (const r of results) {
    if (!r.fixable || r.state !== 'Fail') continue;
    for (const n of r.nodes) {
      if (n.state !== 'Fail' || n.detail.startsWith('not reachable')) continue;
      if (r.id === 'CAU-09') entry(n.node).enableRemoteShutdownFirewall = true;
      if (r.id === 'CAUCTL-04') entry(n.node).disableCredSspServer = true;
      if (r.id === 'CAUCTL-01') {
        for (const f of REQUIRED_FEATURES) if (n.detail.includes(f)) entry(n.node).installFeatures.push(f);
      }
    }
  }
  return plan;
}

export function hasErrors(results: readonly RuleResult[]): boolean {
  return results.some((r) => r.state === 'Fail' && r.severity === 'Error');
}

/**
 * Issue 13's rules: Application Control (a node where cauctl's scripts cannot run at all) and the steps that
 * need network credentials on the nodes (the second hop).
 */
function scriptsRules(facts: SetupFacts): RuleResult[] {
  const clm = 'unsigned scripts run in ConstrainedLanguage mode (Application Control / WDAC)';
  const constrained = facts.nodes.map(({ node, errorCode }): NodeFinding =>
    errorCode === 'CONSTRAINED_LANGUAGE' ? { node, state: 'Fail', detail: clm } : { node, state: 'Pass', detail: 'FullLanguage' },
  );
  if (facts.cluster === null && facts.clusterErrorCode === 'CONSTRAINED_LANGUAGE') constrained.push({ node: '(the node answering for the cluster)', state: 'Fail', detail: clm });
  const steps = Object.values(NETWORK_CREDENTIAL_OPERATIONS).join('; ');
  return [
    rule('CAUCTL-12', "PowerShell runs cauctl's scripts in FullLanguage mode on every node", 'Error', constrained, 'Sign the cauctl scripts and allow the signer with a supplemental Application Control policy on every node (docs/windows-requirements.md, "Application Control"); cauctl refuses to run until then'),
    rule('CAUCTL-11', 'Steps that must reach other machines from a node run with network credentials', 'Info', [], 'Give cauctl your password (--password-file, or CAUCTL_PASSWORD with --username): these steps then run as a one-off scheduled task under your account (it needs "Log on as a batch job", which Administrators have). Or configure Kerberos constrained delegation from the nodes.', {
      state: 'Pass',
      detail: `these steps need network credentials on the node: ${steps}; without cauctl holding your password they fail with NETWORK_CREDENTIAL_REQUIRED unless Kerberos constrained delegation is set up`,
    }),
  ];
}

