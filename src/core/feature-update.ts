/**
 * The feature-update flow (RollingUpgradePlugin, cau-surface.md §8): readiness, optional remoting preparation,
 * Test-Cluster, the same-offer scan, the coordinator-outside-the-cluster check, build probing, the rolling
 * run, the Storage Replica second restart and the optional functional-level raise. Depends on the gateway,
 * core modules and interfaces only; the rolling run and the questions to the operator are injected.
 * With a journal of its own (deps.feature), an interrupted feature update is continued by resumeFeatureUpdate:
 * no pre-checks (a half-upgraded cluster runs mixed builds, as expected), the rolling run it left continued
 * from that run's journal, and each step after the rolling run done once.
 */
import { OperationFailedError, type ClusterGateway } from '../cluster/gateway.js';
import { NetworkCredentialErrorCode } from '../cluster/operations-credential.js';
import type { TestClusterSummary } from '../cluster/operations-feature.js';
import type { ClusterInfo } from '../cluster/operations.js';
import { refusedError } from '../errors.js';
import type { JournalRecord, RunJournal } from '../journal/journal.js';
import type { RunStatus } from './events.js';
import { JournalWriter, parseJournalRecords, type RecordOf } from './journal-records.js';
import { refusingUnreadableNativeCau } from './native-cau-unreadable.js';
import { evaluateSetup, gatherSetupFacts, type RuleResult } from './readiness.js';
import { checkFeatureOffers, explainMixedOffers, scanCluster, type FeatureOfferCheck } from './scan.js';
import { restartNodesRolling, type SingleNodeDeps, type SingleNodeOptions } from './single-node.js';
import type { ErrorRecord, NodeResult, PluginSpec, RunProfile, RunResult } from './types.js';

/** The lowest OS build that knows a cmdlet or parameter cauctl may send. Below it, it is never sent. */
export const BUILD_CAPABILITIES = {
  /** Test-Cluster's "Storage Spaces Direct" category (Windows Server 2016). */
  storageSpacesDirectValidation: 14393,
  /** Update-ClusterFunctionalLevel (Windows Server 2016). */
  updateClusterFunctionalLevel: 14393,
  /** Kernel Soft Reboot (Azure Stack HCI 21H2 / Windows Server 2022 builds). */
  kernelSoftReboot: 20348,
} as const;
export type BuildCapability = keyof typeof BUILD_CAPABILITIES;

export function buildSupports(build: number, capability: BuildCapability): boolean {
  return build >= BUILD_CAPABILITIES[capability];
}

/** Test-Cluster categories to run, limited to those every node's build knows. */
export function validationCategories(lowestBuild: number, s2d: boolean): string[] {
  const list = ['Inventory', 'Network', 'System Configuration'];
  if (s2d && buildSupports(lowestBuild, 'storageSpacesDirectValidation')) list.push('Storage Spaces Direct');
  return list;
}

/** The readiness rules that matter for a remote feature update: reachability, remoting, OS, cluster service, restarts, features, quorum, storage. */
export const FEATURE_READINESS_RULES = ['CAU-01', 'CAU-02', 'CAU-03', 'CAU-04', 'CAU-06', 'CAU-09', 'CAUCTL-01', 'CAUCTL-02', 'CAUCTL-03'] as const;

export function featureReadiness(all: readonly RuleResult[]): RuleResult[] {
  return all.filter((r) => (FEATURE_READINESS_RULES as readonly string[]).includes(r.id));
}

/** The coordinator must not be a node of the cluster it upgrades: its own restart would end the run. */
export function coordinatorIsMember(host: string | null, nodes: readonly string[]): boolean {
  if (host === null) return false;
  const short = host.split('.')[0]!.toUpperCase();
  return nodes.some((n) => n.toUpperCase() === short);
}

export type StepStatus = 'Succeeded' | 'AlreadyDone' | 'Skipped' | 'WouldRun' | 'Failed';

export interface StepRecord {
  readonly step: string;
  readonly status: StepStatus;
  readonly detail: string;
}

/** RollingUpgradePlugin arguments: from Windows Update, or from setup media on every node. */
export interface FeatureSource {
  readonly wuConnected: boolean;
  /** Extracted ISO contents, the same path on every node (required when wuConnected is false). */
  readonly pathToSetupMedia?: string;
}

export interface FeatureUpdateProfile {
  readonly source: FeatureSource;
  /** Run Set-WSManQuickConfig, Enable-PSRemoting and the firewall group on every node first. */
  readonly prepare: boolean;
  /** Raise the functional level at the end, when every node runs the new build. */
  readonly updateClusterFunctionalLevel: boolean;
  /** The Storage Replica second restart: ask the operator, do it, or leave it to them. */
  readonly storageReplicaRestart: 'ask' | 'yes' | 'no';
  /** The rolling run's profile (its plug-in list is replaced by the RollingUpgradePlugin). */
  readonly run: RunProfile;
  readonly restart: SingleNodeOptions;
}

/** What the rolling part is told: the run a resumed feature update left, and where to say the run's id. */
export interface RollingStart {
  /**
   * The last rolling run of the feature update being resumed: the callee continues it from its journal when it
   * did not end, and starts a new one (same plug-in) when it ended (a stop at a safe point, a failed node).
   */
  readonly previousRunId?: string;
  /** Told the rolling run's id before it touches anything, so that the feature update's journal names it. */
  readonly onRunId: (runId: string) => void;
}

/** The feature update's own journal: its id and the journal its records go to. */
export interface FeatureJournal {
  readonly id: string;
  readonly journal: RunJournal;
}

/** The record types of a feature update's journal (core/journal-records.ts), for the lists of journals. */
export const FEATURE_JOURNAL_TYPES = { started: 'feature-update-started', completed: 'feature-update-completed' } as const;

export interface FeatureUpdateDeps extends SingleNodeDeps {
  /** This host's name, or null when it cannot be a member (simulation). */
  readonly coordinatorHost: string | null;
  readonly rolling: (profile: RunProfile, start?: RollingStart) => Promise<RunResult>;
  /** Where the feature update journals itself (absent: it is not resumable, as in unit tests of one pass). */
  readonly feature?: FeatureJournal;
  /** A yes/no question to the operator (only asked when the profile says 'ask'). */
  readonly confirm: (question: string) => Promise<boolean>;
  readonly progress: (line: string) => void;
}

export interface FeatureUpdateResult {
  readonly schemaVersion: 1;
  readonly runId: string | null;
  readonly clusterName: string;
  readonly status: RunStatus;
  readonly errorRecord: ErrorRecord | null;
  readonly nodeResults: readonly NodeResult[];
  readonly steps: readonly StepRecord[];
  readonly featureUpdate: string | null;
  readonly buildsBefore: Readonly<Record<string, number>>;
  readonly buildsAfter: Readonly<Record<string, number>>;
  readonly readiness: readonly RuleResult[];
  readonly validation: TestClusterSummary | null;
  readonly functionalLevel: number;
  readonly warnings: readonly string[];
}

export function rollingUpgradePlugin(source: FeatureSource): PluginSpec {
  return {
    plugin: 'Microsoft.RollingUpgradePlugin',
    arguments: source.wuConnected ? { WuConnected: 'true' } : { WuConnected: 'false', PathToSetupMedia: source.pathToSetupMedia ?? '' },
  };
}

/**
 * Sets apart the nodes a previous, partial run already upgraded. Windows Update offers nothing to a node that
 * runs the new build, so after a run that failed on one node the others show "no feature update offered";
 * that is progress, not the mixed-patch-level problem. A node offered nothing counts as upgraded when its
 * build is above that of every node still offered an update; a node offered nothing on an old build stays a
 * mixed offer. The builds are probed again after the run, so a wrong guess can never raise the level.
 */
export function setApartUpgraded(offers: FeatureOfferCheck, builds: Readonly<Record<string, number>>): { offers: FeatureOfferCheck; upgraded: string[] } {
  const offered = offers.groups.filter((g) => g.offer !== '(none)');
  if (offered.length === 0) return { offers, upgraded: [] };
  const highestOffered = Math.max(...offered.flatMap((g) => g.nodes.map((n) => builds[n] ?? Number.POSITIVE_INFINITY)));
  const upgraded = offers.groups.filter((g) => g.offer === '(none)').flatMap((g) => g.nodes.filter((n) => (builds[n] ?? 0) > highestOffered));
  if (upgraded.length === 0) return { offers, upgraded };
  const groups = offers.groups.map((g) => ({ offer: g.offer, nodes: g.nodes.filter((n) => !upgraded.includes(n)) })).filter((g) => g.nodes.length > 0);
  return { offers: { consistent: groups.length <= 1, groups }, upgraded };
}

export async function probeBuilds(gateway: ClusterGateway, nodes: readonly string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const node of nodes) out[node] = (await gateway.call(node, 'get-node-status', {})).osBuild;
  return out;
}

export function describeValidation(v: TestClusterSummary): string {
  return `${v.passed.length} passed, ${v.warning.length} warning (${v.warning.join(', ') || 'none'}), ${v.failed.length} failed (${v.failed.join(', ') || 'none'})`;
}

/** What the flow has said so far: its steps (told to the operator as they happen) and its warnings. */
interface Narrative {
  readonly steps: StepRecord[];
  readonly warnings: string[];
  step(s: StepRecord): void;
}

function narrative(deps: Pick<FeatureUpdateDeps, 'progress'>): Narrative {
  const steps: StepRecord[] = [];
  return {
    steps,
    warnings: [],
    step: (s) => {
      steps.push(s);
      deps.progress(`${s.step}: ${s.status} — ${s.detail}`);
    },
  };
}

/** The cluster, read from a coordinator that is not one of its nodes (its own upgrade restart would end the run). */
async function readClusterAsOutsider(deps: FeatureUpdateDeps, say: Narrative, resuming: boolean): Promise<ClusterInfo> {
  const cluster = await refusingUnreadableNativeCau(
    () => deps.gateway.call(deps.entry, 'get-cluster', {}),
    `The feature update will not ${resuming ? 'go on upgrading' : 'upgrade'} ${deps.entry}`,
    resuming ? 'continue it with: cauctl feature-update --resume' : 'start the feature update again',
  );
  if (coordinatorIsMember(deps.coordinatorHost, cluster.nodes.map((n) => n.name))) {
    throw refusedError('COORDINATOR_IS_MEMBER', `This host (${deps.coordinatorHost}) is a node of ${cluster.name}; its own upgrade restart would end the run. Nothing was touched.`, {
      hint: 'Run cauctl from a machine outside the cluster (a management host or admin PC).',
    });
  }
  say.step({ step: 'coordinator', status: 'Succeeded', detail: deps.coordinatorHost === null ? 'simulation: the coordinator is not a member' : `${deps.coordinatorHost} is not a node of ${cluster.name}` });
  return cluster;
}

/** Everything that must hold before the upgrade touches a node: a coordinator outside the cluster, readiness, Test-Cluster. */
async function checkBeforeUpgrade(profile: FeatureUpdateProfile, deps: FeatureUpdateDeps, say: Narrative): Promise<{ cluster: ClusterInfo; readiness: RuleResult[]; validation: TestClusterSummary; buildsBefore: Record<string, number>; lowest: number }> {
  const g = deps.gateway;
  const cluster = await readClusterAsOutsider(deps, say, false);
  const names = cluster.nodes.map((n) => n.name);
  if (profile.prepare) await prepareRemoting(deps, cluster, say);
  const readiness = featureReadiness(evaluateSetup(await gatherSetupFacts(g, deps.entry)));
  const failing = readiness.filter((r) => r.state === 'Fail' && r.severity === 'Error');
  if (failing.length > 0) {
    throw refusedError('READINESS_FAILED', `The cluster is not ready for a feature update; nothing was touched:\n  ${failing.map((r) => `${r.id} ${r.title}: ${r.detail}`).join('\n  ')}`, {
      hint: `See cauctl test-setup for remedies${failing.some((r) => r.id === 'CAU-09' || r.id === 'CAU-02') ? '; --prepare sets up WinRM, remoting and the Remote Shutdown rules' : ''}.`,
      details: { rules: failing.map((r) => r.id) },
    });
  }
  for (const r of readiness.filter((x) => x.state === 'Fail')) say.warnings.push(`${r.id} ${r.title}: ${r.detail}`);
  say.step({ step: 'readiness', status: 'Succeeded', detail: `${readiness.filter((r) => r.state === 'Pass').length} of ${readiness.length} rules pass` });

  // Build probing: what each node runs decides which parameters may be sent.
  const buildsBefore = await probeBuilds(g, names);
  const lowest = Math.min(...Object.values(buildsBefore));
  const validation = await g.call(deps.entry, 'test-cluster', { include: validationCategories(lowest, cluster.s2dEnabled) }).catch((error: unknown) => {
    throw credentialRefusal(error);
  });
  if (validation.failed.length > 0) {
    throw refusedError('VALIDATION_FAILED', `Test-Cluster failed (${describeValidation(validation)}); nothing was touched:\n  ${validation.messages.join('\n  ')}`, {
      hint: validation.reportPath ? `Read the report at ${validation.reportPath} on the node, fix the failures, and run again.` : 'Fix the failures Test-Cluster reports and run again.',
    });
  }
  for (const m of validation.messages) say.warnings.push(`Test-Cluster: ${m}`);
  say.step({ step: 'validation', status: 'Succeeded', detail: describeValidation(validation) });
  return { cluster, readiness, validation, buildsBefore, lowest };
}

/**
 * Test-Cluster that could not get network credentials (the second hop) is a refusal before anything was
 * touched (exit 5), with the remedy; any other failure is passed on as it is.
 */
function credentialRefusal(error: unknown): unknown {
  if (!(error instanceof OperationFailedError)) return error;
  if (error.scriptCode === NetworkCredentialErrorCode.required) {
    return refusedError(NetworkCredentialErrorCode.required, `${error.message} Nothing was touched.`, {
      hint: 'Give cauctl your password (--username with --password-file or CAUCTL_PASSWORD): Test-Cluster then runs on the node as a one-off scheduled task under your account, which has network credentials (docs/windows-requirements.md, the credentialed logon). Or configure Kerberos constrained delegation from the nodes to each other.',
    });
  }
  if (error.scriptCode === NetworkCredentialErrorCode.logonFailed || error.scriptCode === NetworkCredentialErrorCode.logonTimeout) {
    return refusedError(error.scriptCode, `${error.message} Nothing was touched.`, {
      hint: 'The scheduled task that runs Test-Cluster under your account did not run: check the password, and that the account has "Log on as a batch job" on the node (docs/windows-requirements.md, the credentialed logon).',
    });
  }
  return error;
}

async function prepareRemoting(deps: FeatureUpdateDeps, cluster: ClusterInfo, say: Narrative): Promise<void> {
  const applied: string[] = [];
  for (const node of cluster.nodes.filter((n) => n.state === 'Up' || n.state === 'Paused')) {
    const r = await deps.gateway.call(node.name, 'prepare-remoting', {});
    if (r.applied.length > 0) applied.push(`${node.name}: ${r.applied.join(', ')}`);
  }
  say.step({ step: 'prepare', status: applied.length > 0 ? 'Succeeded' : 'AlreadyDone', detail: applied.length > 0 ? applied.join('; ') : 'WinRM, PowerShell remoting and the Remote Shutdown rules were already set on every node' });
}

/** The same-offer scan: every node still to upgrade is offered the same feature update, or the flow refuses. */
async function sameOffer(deps: FeatureUpdateDeps, plugin: PluginSpec, buildsBefore: Readonly<Record<string, number>>, say: Narrative): Promise<string> {
  const scan = await scanCluster(deps.gateway, deps.entry, { plugins: [plugin], runPluginsSerially: false, stopOnPluginFailure: false });
  const notScanned = scan.nodes.filter((n) => n.status !== 'Scanned');
  if (notScanned.length > 0) {
    throw refusedError('SCAN_INCOMPLETE', `Not every node could be scanned, so the same-offer check cannot pass: ${notScanned.map((n) => `${n.node} (${n.error?.message ?? n.status})`).join('; ')}. Nothing was touched.`);
  }
  const { offers, upgraded } = setApartUpgraded(checkFeatureOffers(scan), buildsBefore);
  if (!offers.consistent) {
    throw refusedError('MIXED_FEATURE_OFFERS', explainMixedOffers(offers), { details: { groups: offers.groups } });
  }
  const offer = offers.groups[0]?.offer ?? '(none)';
  if (offer === '(none)') say.step({ step: 'scan', status: 'AlreadyDone', detail: 'no node is offered a feature update' });
  else say.step({ step: 'scan', status: 'Succeeded', detail: upgraded.length > 0 ? `${offers.groups[0]!.nodes.join(', ')} offered ${offer}; ${upgraded.join(', ')} already upgraded (build ${upgraded.map((n) => buildsBefore[n]).join(', ')})` : `every node is offered ${offer}` });
  return offer;
}

/** Storage Replica: every node needs a second restart before the finishing steps; returns whether it is present. */
async function storageReplicaPass(profile: FeatureUpdateProfile, deps: FeatureUpdateDeps, all: readonly string[], say: Narrative, book: Book): Promise<boolean> {
  const replica = await deps.gateway.call(deps.entry, 'get-storage-replica', {});
  if (!replica.present) return false;
  // After an interruption, the nodes already restarted a second time are not restarted again.
  const names = all.filter((n) => !book.done.restarted.includes(n.toUpperCase()));
  if (names.length === 0) {
    say.step({ step: 'storage-replica-restart', status: 'AlreadyDone', detail: `every node was restarted a second time before the interruption (${all.join(', ')})` });
    return true;
  }
  const question = `Storage Replica is in use (${replica.groups.join(', ')}): every node needs a second restart before post-install. Restart them now, one at a time? [y/N] `;
  const go = profile.storageReplicaRestart === 'yes' || (profile.storageReplicaRestart === 'ask' && (await deps.confirm(question)));
  if (go) {
    const { outcomes, warnings } = await restartNodesRolling(deps, names, profile.restart, (o) => {
      book.write({ type: 'feature-update-step', step: 'storage-replica-restart', node: o.node, detail: o.detail });
      deps.progress(`storage-replica-restart: ${o.detail}`);
    });
    say.warnings.push(...warnings);
    const before = all.length - names.length;
    say.step({ step: 'storage-replica-restart', status: 'Succeeded', detail: `${outcomes.length} node(s) restarted a second time, one at a time${before > 0 ? ` (${before} before the interruption)` : ''}` });
  } else {
    say.warnings.push('Storage Replica is in use: restart every node a second time before post-install (cauctl feature-update --storage-replica-restart, or one node at a time by hand).');
    say.step({ step: 'storage-replica-restart', status: 'Skipped', detail: 'every node still needs a second restart before post-install' });
  }
  return true;
}

/** The functional level, raised only when asked, when every node runs the new build, and after the SR pass. */
async function raiseFunctionalLevel(deps: FeatureUpdateDeps, uniform: boolean, buildsAfter: Readonly<Record<string, number>>, replicaPresent: boolean, say: Narrative, book: Book): Promise<ErrorRecord | 'raised' | 'skipped'> {
  if (book.done.functionalLevel !== null) {
    say.step({ step: 'functional-level', status: 'AlreadyDone', detail: `raised before the interruption: ${book.done.functionalLevel}` });
    return 'raised';
  }
  if (!uniform) {
    say.step({ step: 'functional-level', status: 'Failed', detail: `the nodes do not all run the new build (${Object.entries(buildsAfter).map(([n, b]) => `${n} ${b}`).join(', ')}); the level was not raised` });
    return { code: 'MixedBuilds', message: 'Not every node runs the new build; the functional level was not raised.' };
  }
  if (replicaPresent && !say.steps.some((s) => s.step === 'storage-replica-restart' && s.status === 'Succeeded')) {
    say.step({ step: 'functional-level', status: 'Skipped', detail: 'waits for the Storage Replica second restart; raise it with cauctl post-install' });
    return 'skipped';
  }
  const check = await deps.gateway.call(deps.entry, 'update-functional-level', { whatIf: true });
  if (!check.feasible) {
    say.step({ step: 'functional-level', status: 'Failed', detail: check.message });
    return { code: 'FunctionalLevelNotFeasible', message: check.message };
  }
  const raised = await deps.gateway.call(deps.entry, 'update-functional-level', { whatIf: false });
  book.write({ type: 'feature-update-step', step: 'functional-level', detail: raised.message });
  say.step({ step: 'functional-level', status: raised.updated ? 'Succeeded' : 'AlreadyDone', detail: raised.message });
  return 'raised';
}

/** What the steps after the pre-checks need, whether the feature update starts now or is resumed. */
interface Upgrade {
  readonly cluster: ClusterInfo;
  readonly offer: string;
  readonly buildsBefore: Readonly<Record<string, number>>;
  readonly readiness: readonly RuleResult[];
  readonly validation: TestClusterSummary | null;
}

/** The feature update's journal as the flow writes it, and what it says was done before an interruption. */
interface Book {
  readonly done: { readonly restarted: readonly string[]; readonly functionalLevel: string | null };
  write(entry: Parameters<JournalWriter['write']>[0]): void;
}

function bookOf(deps: FeatureUpdateDeps, done: Book['done'] = { restarted: [], functionalLevel: null }): Book {
  const writer = deps.feature === undefined ? undefined : new JournalWriter(deps.feature.journal, () => deps.clock.now());
  return { done, write: (entry) => writer?.write(entry) };
}

/** The rolling run, then the Storage Replica pass and the functional level: shared by a new and a resumed feature update. */
async function upgradeAndFinish(profile: FeatureUpdateProfile, deps: FeatureUpdateDeps, say: Narrative, up: Upgrade, book: Book, previousRunId?: string): Promise<FeatureUpdateResult> {
  const { cluster, offer, buildsBefore } = up;
  const names = cluster.nodes.map((n) => n.name);
  const lowest = Math.min(...Object.values(buildsBefore));
  const base = { schemaVersion: 1 as const, clusterName: cluster.name, readiness: up.readiness, validation: up.validation, buildsBefore, warnings: say.warnings };
  // The rolling run. A feature update is never a soft reboot: the OS itself changes.
  const start: RollingStart = {
    ...(previousRunId !== undefined ? { previousRunId } : {}),
    onRunId: (runId) => {
      if (runId !== previousRunId) book.write({ type: 'feature-update-rolling', runId });
    },
  };
  const run = await deps.rolling({ ...profile.run, plugins: [rollingUpgradePlugin(profile.source)], attemptSoftReboot: false }, start);
  say.step({ step: 'rolling-run', status: run.status === 'Succeeded' ? 'Succeeded' : 'Failed', detail: `run ${run.runId}: ${run.status}${run.errorRecord ? ` (${run.errorRecord.code})` : ''}` });
  const buildsAfter = await probeBuilds(deps.gateway, names);
  const finish = (status: RunStatus, errorRecord: ErrorRecord | null, functionalLevel = cluster.functionalLevel): FeatureUpdateResult => {
    // A rolling run that did not succeed leaves the feature update open: --resume continues it.
    if (run.status === 'Succeeded') book.write({ type: 'feature-update-completed', status, errorRecord });
    return { ...base, runId: run.runId, status, errorRecord, nodeResults: run.nodeResults, steps: say.steps, featureUpdate: offer, buildsAfter, functionalLevel };
  };
  if (run.status !== 'Succeeded') return finish(run.status, run.errorRecord);

  const newBuilds = new Set(Object.values(buildsAfter));
  const uniform = newBuilds.size === 1 && [...newBuilds][0]! > lowest;
  const replicaPresent = await storageReplicaPass(profile, deps, names, say, book);
  if (!profile.updateClusterFunctionalLevel) {
    say.step({ step: 'functional-level', status: 'Skipped', detail: 'not asked; raise it with cauctl post-install once you are sure (it cannot be undone)' });
    return finish('Succeeded', null);
  }
  const level = await raiseFunctionalLevel(deps, uniform, buildsAfter, replicaPresent, say, book);
  if (level === 'skipped') return finish('Succeeded', null);
  if (level !== 'raised') return finish('Failed', level);
  return finish('Succeeded', null, (await deps.gateway.call(deps.entry, 'get-cluster', {})).functionalLevel);
}

export async function runFeatureUpdate(profile: FeatureUpdateProfile, deps: FeatureUpdateDeps): Promise<FeatureUpdateResult> {
  const say = narrative(deps);
  const { cluster, readiness, validation, buildsBefore } = await checkBeforeUpgrade(profile, deps, say);
  const offer = await sameOffer(deps, rollingUpgradePlugin(profile.source), buildsBefore, say);
  if (offer === '(none)') {
    const base = { schemaVersion: 1 as const, clusterName: cluster.name, readiness, validation, buildsBefore, warnings: say.warnings };
    return { ...base, runId: null, status: 'Succeeded', errorRecord: null, nodeResults: [], steps: say.steps, featureUpdate: null, buildsAfter: buildsBefore, functionalLevel: cluster.functionalLevel };
  }
  // From here on the cluster is touched: the journal that --resume reads starts now.
  const book = bookOf(deps);
  book.write({
    type: 'feature-update-started',
    runId: deps.feature?.id ?? '',
    clusterName: cluster.name,
    source: profile.source,
    offer,
    buildsBefore,
    updateClusterFunctionalLevel: profile.updateClusterFunctionalLevel,
    storageReplicaRestart: profile.storageReplicaRestart,
  });
  return upgradeAndFinish(profile, deps, say, { cluster, offer, buildsBefore, readiness, validation }, book);
}

/** What an interrupted feature update's journal says: how it started, its last rolling run, the steps done after it. */
export interface FeatureResumePoint {
  readonly id: string;
  readonly startedAt: string;
  readonly source: FeatureSource;
  readonly offer: string;
  readonly buildsBefore: Readonly<Record<string, number>>;
  readonly updateClusterFunctionalLevel: boolean;
  readonly storageReplicaRestart: FeatureUpdateProfile['storageReplicaRestart'];
  /** The last rolling run it started; null when it stopped before the first one. */
  readonly rollingRunId: string | null;
  /** Nodes restarted a second time for Storage Replica (upper case). */
  readonly restarted: readonly string[];
  /** The functional level's raise, when done (its message). */
  readonly functionalLevel: string | null;
}

/** Reads a feature update's journal (records checked against their schemas; a damaged one names file and line). */
export function featureResumePoint(records: readonly JournalRecord[], path: string | undefined): FeatureResumePoint {
  const typed = parseJournalRecords(records, path);
  const started = typed.find((r): r is RecordOf<'feature-update-started'> => r.type === 'feature-update-started');
  if (started === undefined) throw new Error(`${path ?? 'the journal'} is not a feature update's journal`);
  const rolling = typed.filter((r): r is RecordOf<'feature-update-rolling'> => r.type === 'feature-update-rolling');
  const steps = typed.filter((r): r is RecordOf<'feature-update-step'> => r.type === 'feature-update-step');
  return {
    id: started.runId,
    startedAt: started.time,
    source: started.source.wuConnected ? { wuConnected: true } : { wuConnected: false, pathToSetupMedia: started.source.pathToSetupMedia ?? '' },
    offer: started.offer,
    buildsBefore: started.buildsBefore,
    updateClusterFunctionalLevel: started.updateClusterFunctionalLevel,
    storageReplicaRestart: started.storageReplicaRestart,
    rollingRunId: rolling.at(-1)?.runId ?? null,
    restarted: steps.filter((r) => r.step === 'storage-replica-restart' && r.node !== undefined).map((r) => r.node!.toUpperCase()),
    functionalLevel: steps.find((r) => r.step === 'functional-level')?.detail ?? null,
  };
}

/**
 * The profile a resumed feature update goes on with: the source it started with (the same plug-in arguments
 * for the nodes still to upgrade), the rolling-run options given now (as `run --resume` takes them), and the
 * steps after the rolling run as first asked unless given now.
 */
export function resumedProfile(now: Omit<FeatureUpdateProfile, 'source'>, point: FeatureResumePoint, given: { readonly storageReplicaRestart: boolean }): FeatureUpdateProfile {
  return {
    ...now,
    source: point.source,
    updateClusterFunctionalLevel: now.updateClusterFunctionalLevel || point.updateClusterFunctionalLevel,
    storageReplicaRestart: given.storageReplicaRestart ? now.storageReplicaRestart : point.storageReplicaRestart,
  };
}

/**
 * Continues an interrupted feature update (`feature-update --resume`). Readiness, Test-Cluster and the
 * same-offer scan are not repeated: mid-upgrade the nodes run different builds, which those checks report,
 * and the cluster was checked before it was touched. The coordinator check is repeated (this may be another
 * host). Then the rolling part (its interrupted run continued from its journal) and the steps after it, each
 * once.
 */
export async function resumeFeatureUpdate(profile: FeatureUpdateProfile, deps: FeatureUpdateDeps, point: FeatureResumePoint): Promise<FeatureUpdateResult> {
  const say = narrative(deps);
  const cluster = await readClusterAsOutsider(deps, say, true);
  say.step({
    step: 'resume',
    status: 'Succeeded',
    detail: `feature update ${point.id} to ${point.offer} goes on${point.rollingRunId !== null ? ` after its rolling run ${point.rollingRunId}` : ''}; readiness, Test-Cluster and the same-offer scan were done before it touched the cluster and are not repeated (mid-upgrade the nodes run different builds)`,
  });
  const book = bookOf(deps, { restarted: point.restarted, functionalLevel: point.functionalLevel });
  return upgradeAndFinish(profile, deps, say, { cluster, offer: point.offer, buildsBefore: point.buildsBefore, readiness: [], validation: null }, book, point.rollingRunId ?? undefined);
}
