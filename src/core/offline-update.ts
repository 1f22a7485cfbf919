/**
 * The offline (all-at-once) update (cau-surface.md §11 "Offline"): record the pre-state, take the virtual
 * disks offline, stop the cluster, disable the cluster service, install and restart every node in parallel,
 * then always restore: service Automatic, Start-Cluster, quorum, the same disks online, storage watched.
 * Each step is journaled before it acts; a resume replays the journal and re-reads the cluster.
 * Depends on the gateway interface, the clock and journal interfaces; never on node:*, a transport or output.
 */
import { OperationFailedError, type ClusterGateway } from '../cluster/gateway.js';
import { OFFLINE_STEP_SECONDS, type ClusterDisk, type ServiceStartMode } from '../cluster/operations-offline.js';
import type { ClusterInfo } from '../cluster/operations.js';
import { RetryingGateway } from '../cluster/retrying-gateway.js';
import { describeError, isTransient, refusedError } from '../errors.js';
import { JournalWriteError, type JournalRecord, type RunJournal } from '../journal/journal.js';
import type { ErrorCode } from './error-codes.js';
import { JournalWriter, type JournalEntryInput, type OfflineStep } from './journal-records.js';
import { emptyProgress, replayOfflineJournal, type MutableProgress } from './journal-replay.js';
import { StepFailure, awaitBoot, awaitHealthyStorage, ensureRestartIssued, installViaTask, requestRestart, scanNode, type ScannedUpdate, type StepContext } from './node-steps/index.js';
import type { NodePhase, RunStatus } from './events.js';
import type { Clock } from '../platform/clock.js';
import type { PhaseTiming } from './plan.js';
import type { ErrorRecord, NodeResult, PhaseRecord, PluginSpec } from './types.js';

/** A validated `offline-update` profile. Durations in minutes, as `run`'s. */
export interface OfflineProfile {
  readonly plugins: readonly PluginSpec[];
  /** Time for a node's restart and its auto-start services. @default 15 */
  readonly rebootTimeoutMinutes: number;
  /** Time for quorum and a Healthy pool after Start-Cluster, and again for Healthy storage at the end. @default 30 */
  readonly storageTimeoutMinutes: number;
  /** Go on without the nodes that cannot be reached (they are not updated). */
  readonly allowMissingNodes: boolean;
}

/** Polling intervals and bounds, in one place. */
export const OFFLINE_POLICY = {
  nodePollSeconds: 15,
  taskPollSeconds: 60,
  clusterPollSeconds: 10,
  /** Scan-install rounds per node before the restart (follow-up updates appear after their parent). */
  maxInstallRounds: 3,
  /** Delay of the restart command, so its reply gets back before the node goes down. */
  restartDelaySeconds: 5,
  /** How long the restore path keeps trying to reach a node that did not fail its reboot. */
  restoreReachSeconds: 300,
} as const;

export interface OfflineDeps {
  readonly gateway: Pick<ClusterGateway, 'call'>;
  /** The run's clock (virtual in simulation). */
  readonly clock: Clock;
  readonly journal: RunJournal;
  /** Set by Ctrl-C: stop the update work and restore. */
  readonly stop: { requested: boolean };
  /** Progress lines for the operator (stderr); never parsed. */
  readonly progress?: (line: string) => void;
  /**
   * Told a warning as it happens (an install past its limit, still waited for); it is in the result's
   * `warnings` as well.
   */
  readonly notice?: (warning: { readonly code: ErrorCode; readonly node: string; readonly message: string }) => void;
}

export interface OfflineOptions {
  /** The cluster name: where cluster-wide operations go while the cluster runs. */
  readonly entry: string;
  readonly runId: string;
  /** The journal of an interrupted offline update of this cluster, to continue. */
  readonly resumeFrom?: readonly JournalRecord[];
  /** Where that journal came from, for errors that name it. */
  readonly resumePath?: string;
}

/** What the procedure restores: read before anything is touched. */
export interface OfflinePreState {
  /** Disk resources that were Online. */
  readonly onlineDisks: readonly ClusterDisk[];
  /** Each reachable node's cluster service start mode. */
  readonly services: Readonly<Record<string, ServiceStartMode>>;
  /** Nodes that could not be reached (only with allowMissingNodes); never touched. */
  readonly missingNodes: readonly string[];
  /** Every node of the cluster, in the cluster's order. */
  readonly nodes: readonly string[];
  /** The preflight scan: updates per reachable node, each with the plug-in that offered it. */
  readonly scan: Readonly<Record<string, readonly ScannedUpdate[]>>;
}

export type { ScannedUpdate };

export interface OfflineNodeResult extends NodeResult {
  /** ISO-8601 boot time after the restart, or null when it did not restart or did not come back. */
  readonly bootTime: string | null;
  /** Seconds from the restart request until the node was back with its services running. */
  readonly rebootSeconds: number | null;
}

export interface OfflineResult {
  readonly schemaVersion: 1;
  readonly mode: 'offline';
  readonly runId: string;
  readonly clusterName: string;
  readonly status: RunStatus;
  readonly startTime: string;
  readonly endTime: string;
  readonly errorRecord: ErrorRecord | null;
  readonly plugins: readonly string[];
  readonly nodeResults: readonly OfflineNodeResult[];
  readonly warnings: readonly string[];
  readonly resumed: boolean;
  readonly preState: OfflinePreState | null;
  /** Cluster stopped → cluster started and the disks online again; null when the cluster was never stopped. */
  readonly downtime: { readonly start: string; readonly end: string | null; readonly seconds: number | null } | null;
  readonly restore: {
    /** Why the update work ended early (an interrupt, an exception), or null when it ran to its end. */
    readonly abortedBecause: string | null;
    readonly complete: boolean;
    readonly problems: readonly string[];
  };
}

// ---------------------------------------------------------------------------------------------------------
// Prediction (pure)

export interface OfflineTiming extends PhaseTiming {
  readonly stopClusterSeconds: number;
  readonly startClusterSeconds: number;
  readonly diskStateSeconds: number;
}

/** Fills the cluster-step timings from OFFLINE_STEP_SECONDS where the given timing has none. */
export function offlineTiming(base: PhaseTiming & { stopClusterSeconds?: number | undefined; startClusterSeconds?: number | undefined; diskStateSeconds?: number | undefined }): OfflineTiming {
  return {
    ...base,
    stopClusterSeconds: base.stopClusterSeconds ?? OFFLINE_STEP_SECONDS.stopCluster,
    startClusterSeconds: base.startClusterSeconds ?? OFFLINE_STEP_SECONDS.startCluster,
    diskStateSeconds: base.diskStateSeconds ?? OFFLINE_STEP_SECONDS.diskState,
  };
}

export interface DowntimePrediction {
  readonly seconds: number;
  readonly slowestNode: string | null;
  /** Seconds per part, in order: stop, the slowest node (install, rescan, restart, services), start. */
  readonly parts: Readonly<Record<'stopCluster' | 'slowestNode' | 'startCluster' | 'disksOnline', number>>;
}

/**
 * The expected downtime (cluster stopped → cluster started and disks online): Stop-Cluster, then the slowest
 * node's install of its staged updates, one rescan, its restart and services, then Start-Cluster and the
 * disks. Nodes without updates are not restarted and cost nothing.
 */
export function predictOfflineDowntime(timing: OfflineTiming, updatesPerNode: Readonly<Record<string, number>>): DowntimePrediction {
  let slowest: string | null = null;
  let slowestSeconds = 0;
  for (const [node, count] of Object.entries(updatesPerNode)) {
    if (count === 0) continue;
    const seconds = timing.installSeconds + timing.scanSeconds + timing.rebootSeconds + timing.servicesStartSeconds;
    if (seconds > slowestSeconds) {
      slowest = node;
      slowestSeconds = seconds;
    }
  }
  const parts = { stopCluster: timing.stopClusterSeconds, slowestNode: slowestSeconds, startCluster: timing.startClusterSeconds, disksOnline: timing.diskStateSeconds };
  return { seconds: parts.stopCluster + parts.slowestNode + parts.startCluster + parts.disksOnline, slowestNode: slowest, parts };
}

/**
 * The cluster an offline update starts from (get-cluster), read before anything is touched: refused (exit 5)
 * when it does not answer as a running cluster, or a native CAU run is in progress or cannot be read. The command reads it
 * for its downtime prediction too, so that the prediction counts the cluster's own nodes.
 */
export async function readOfflineCluster(gateway: Pick<ClusterGateway, 'call'>, entry: string): Promise<ClusterInfo> {
  let cluster: ClusterInfo;
  try {
    cluster = await gateway.call(entry, 'get-cluster', { reportUnreadableNativeCau: true });
  } catch (error) {
    throw refusedError('OFFLINE_CLUSTER_NOT_RUNNING', `Cluster ${entry} does not answer as a running cluster: ${describeError(error)}`, {
      hint: 'If an offline update was interrupted, continue it with: cauctl offline-update --resume',
    });
  }
  if (typeof cluster.nativeCauUnreadable === 'string') {
    throw refusedError('NATIVE_CAU_UNREADABLE', `${cluster.nativeCauUnreadable.replace(/\s*$/, '')} The offline update will not stop ${cluster.name} beside a native CAU run it cannot see; nothing was touched.`, {
      hint: 'Once that node lets the account read MSFT_CAURun (local Administrators, or access to the CIM namespace root/Microsoft/Windows/ClusterUpdate), start it again.',
    });
  }
  if (cluster.nativeCauRunInProgress) {
    throw refusedError('OFFLINE_CAU_RUN_IN_PROGRESS', `A native CAU run is in progress on ${cluster.name}; nothing was touched.`, {
      hint: 'Let it finish (watch it with Get-CauRun on the cluster), then start the offline update again.',
    });
  }
  return cluster;
}

/** The offline update's own journal record kinds (the node steps add their `step` records). */
export const OFFLINE_JOURNAL_TYPES = {
  started: 'offline-started',
  preState: 'offline-prestate',
  step: 'offline-step',
  node: 'offline-node',
  aborted: 'offline-aborted',
  completed: 'offline-completed',
} as const;

export { replayOfflineJournal };

// ---------------------------------------------------------------------------------------------------------
// The procedure

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function errorOf(code: ErrorCode, message: string, node?: string): ErrorRecord {
  return { code, message, ...(node !== undefined ? { node } : {}) };
}

/** A failure a node-side script reported, as opposed to a connection that is away (which a wait retries). */
function isScriptFailure(error: unknown): boolean {
  return error instanceof OperationFailedError;
}

class Interrupted extends Error {
  constructor() {
    super('interrupted');
  }
}

export class OfflineUpdate {
  private readonly progress: Map<string, MutableProgress> = new Map();
  private readonly phases: Map<string, PhaseRecord[]> = new Map();
  private readonly warnings: string[] = [];
  private readonly restoreProblems: string[] = [];
  /** Nodes whose update work ended normally (installed and, if needed, restarted and back). */
  private readonly complete = new Set<string>();
  private abortedBecause: string | null = null;
  private downtimeStart: string | null = null;
  private downtimeEnd: string | null = null;
  private readonly begun: Set<OfflineStep>;
  private readonly done: Set<OfflineStep>;
  private readonly startTime: string;
  private preState: OfflinePreState | null;
  /** Set when storage was not Healthy at the end: the run is PartiallyFailed (decided on this, not on text). */
  private storageNotHealthy: string | null = null;
  /** The journal could not be written: the update work stopped, the restore runs unjournaled. */
  private journalBroken: JournalWriteError | null = null;
  /** Why the update work ended early, as a value (the reason text is for people). */
  private abortedKind: 'interrupted' | 'failed' | 'journal' | undefined;
  private readonly writer: JournalWriter;
  /** The node steps while the update work runs: a Ctrl-C stops a task wait between two polls. */
  private readonly taskSteps: StepContext;
  /** The node steps for restarts: a restarting node is waited for even after a Ctrl-C (its service is set back). */
  private readonly bootSteps: StepContext;

  constructor(
    private readonly profile: OfflineProfile,
    private readonly deps: OfflineDeps,
    private readonly options: OfflineOptions,
  ) {
    this.writer = new JournalWriter(deps.journal, () => deps.clock.now());
    const gateway = new RetryingGateway(deps.gateway, deps.clock);
    const base = { gateway, clock: deps.clock, journal: this.writer, entry: options.entry };
    this.taskSteps = {
      ...base,
      heartbeat: async () => this.checkStop(),
      notice: (warning) => {
        this.warnings.push(warning.message);
        deps.notice?.(warning);
      },
    };
    this.bootSteps = { ...base, heartbeat: async () => undefined };
    const replay = options.resumeFrom ? replayOfflineJournal(options.resumeFrom, options.resumePath) : undefined;
    this.begun = new Set(replay?.begun ?? []);
    this.done = new Set(replay?.done ?? []);
    this.preState = replay?.preState ?? null;
    this.abortedBecause = replay?.abortedBecause ?? null;
    this.abortedKind = replay?.abortedKind;
    this.downtimeStart = replay?.downtimeStart ?? null;
    this.startTime = replay?.startTime ?? iso(deps.clock.now());
    for (const [node, p] of replay?.nodes ?? []) {
      this.progress.set(node, { staged: p.staged, tasks: p.tasks.map((t) => ({ ...t })), results: [...p.results], restart: p.restart, back: p.back, failed: p.failed });
    }
  }

  private get resumed(): boolean {
    return this.options.resumeFrom !== undefined;
  }

  private now(): string {
    return iso(this.deps.clock.now());
  }

  private journal(entry: JournalEntryInput): void {
    this.writer.write(entry);
  }

  /** The restore path writes on even after the journal broke: restoring comes first, its records are a bonus. */
  private journalIfWritable(entry: JournalEntryInput): void {
    if (this.journalBroken !== null) return;
    try {
      this.journal(entry);
    } catch (error) {
      if (!(error instanceof JournalWriteError)) throw error;
      this.journalBroken = error;
      this.warnings.push(`${error.message} The restore went on without its journal.`);
    }
  }

  private say(line: string): void {
    this.deps.progress?.(line);
  }

  private node(name: string): MutableProgress {
    let p = this.progress.get(name);
    if (p === undefined) {
      p = emptyProgress();
      this.progress.set(name, p);
    }
    return p;
  }

  private failNode(node: string, error: ErrorRecord): void {
    const p = this.node(node);
    if (p.failed !== null) return;
    p.failed = error;
    this.journal({ type: 'offline-node', node, event: 'failed', errorRecord: error });
    this.say(`${node}: failed: ${error.message}`);
  }

  private phase(node: string, phase: NodePhase, startMs: number, ok: boolean, detail?: string): void {
    const list = this.phases.get(node) ?? [];
    list.push({ phase, attempt: 1, start: iso(startMs), end: this.now(), ok, ...(detail !== undefined ? { detail } : {}) });
    this.phases.set(node, list);
  }

  /** Runs a step once: journaled `begin` before it acts and `done` after; a step done before a resume is skipped. */
  private async step(step: OfflineStep, act: () => Promise<void>): Promise<void> {
    if (this.done.has(step)) return;
    this.journal({ type: 'offline-step', step, phase: 'begin' });
    this.begun.add(step);
    if (step === 'stop-cluster') this.downtimeStart ??= this.now();
    await act();
    this.journal({ type: 'offline-step', step, phase: 'done' });
    this.done.add(step);
  }

  private checkStop(): void {
    if (this.deps.stop.requested) throw new Interrupted();
  }

  async execute(): Promise<OfflineResult> {
    const g = this.deps.gateway;
    const entry = this.options.entry;
    if (!this.resumed) {
      this.journal({ type: 'offline-started', runId: this.options.runId, clusterName: entry, plugins: this.profile.plugins.map((p) => p.plugin) });
    }
    // Nothing touched yet: a refusal here is a refusal (exit 5), not a failure to restore.
    if (this.preState === null) {
      let pre: OfflinePreState;
      try {
        pre = await this.readPreState();
      } catch (error) {
        // Refused before anything was touched: this journal has nothing to resume.
        this.journal({ type: 'offline-completed', status: 'Refused', error: describeError(error) });
        throw error;
      }
      this.journal({ type: 'offline-prestate', preState: { ...pre, onlineDisks: [...pre.onlineDisks], missingNodes: [...pre.missingNodes], nodes: [...pre.nodes], scan: Object.fromEntries(Object.entries(pre.scan).map(([n, u]) => [n, [...u]])) } });
      this.preState = pre;
    }
    const pre = this.preState;
    const targets = pre.nodes.filter((n) => !pre.missingNodes.includes(n));
    try {
      if (!this.done.has('update') && this.abortedBecause === null) {
        this.checkStop();
        await this.step('stage', () => this.stage(targets));
        this.checkStop();
        await this.step('disks-offline', async () => {
          if (this.begun.has('stop-cluster') || pre.onlineDisks.length === 0) return;
          this.say(`Taking ${pre.onlineDisks.length} virtual disk(s) offline`);
          await g.call(entry, 'set-cluster-disks', { names: pre.onlineDisks.map((d) => d.name), state: 'Offline', timeoutSeconds: 600 });
        });
        await this.step('stop-cluster', async () => {
          this.say(`Stopping cluster ${entry}`);
          // stop-cluster stops the cluster service of the node it runs on (no second hop): every node in turn.
          await this.onEveryNode(targets, (node) => g.call(node, 'stop-cluster', { timeoutSeconds: 600 }));
        });
        await this.step('services-disabled', async () => {
          await Promise.all(targets.map((node) => g.call(node, 'set-cluster-service', { startMode: 'Disabled' })));
        });
        await this.step('update', async () => {
          this.say(`Installing on ${targets.join(', ')} in parallel`);
          await Promise.all(targets.map((node) => this.updateNode(node)));
          this.checkStop();
        });
      }
    } catch (error) {
      // The journal cannot be written: the restore below runs all the same (it is the safe point), unjournaled.
      if (error instanceof JournalWriteError) this.journalBroken = error;
      this.abortedKind ??= error instanceof Interrupted ? 'interrupted' : error instanceof JournalWriteError ? 'journal' : 'failed';
      const reason = error instanceof Interrupted ? 'Interrupted (Ctrl-C): the update work was stopped.' : `The procedure failed: ${describeError(error)}`;
      if (this.abortedBecause === null) {
        this.abortedBecause = reason;
        if (this.journalBroken === null) this.journal({ type: 'offline-aborted', reason, kind: this.abortedKind });
      }
      this.say(`${reason} Restoring the cluster.`);
    }
    if (this.begun.has('disks-offline') || this.begun.has('stop-cluster')) await this.restore(targets);
    return this.finish();
  }

  /** Reads what must be restored, and refuses (exit 5) when a node is unreachable and that is not allowed. */
  private async readPreState(): Promise<OfflinePreState> {
    const g = this.deps.gateway;
    const entry = this.options.entry;
    const cluster = await readOfflineCluster(g, entry);
    const nodes = cluster.nodes.map((n) => n.name);
    const services: Record<string, ServiceStartMode> = {};
    const missing: string[] = [];
    await Promise.all(
      nodes.map(async (node) => {
        try {
          services[node] = (await g.call(node, 'get-cluster-service', {})).startMode;
        } catch (error) {
          // Does not answer: missing. A refused password is not "missing": it is thrown (exit 4).
          if (!isTransient(error)) throw error;
          missing.push(node);
        }
      }),
    );
    missing.sort((a, b) => nodes.indexOf(a) - nodes.indexOf(b));
    if (missing.length > 0 && !this.profile.allowMissingNodes) {
      throw refusedError('OFFLINE_NODES_UNREACHABLE', `${missing.join(', ')} cannot be reached; nothing was touched.`, {
        hint: 'Bring the node(s) back, or add --allow-missing-nodes to update the others and leave these alone.',
        details: { nodes: missing },
      });
    }
    const disks = (await g.call(entry, 'get-cluster-disks', {})).disks;
    const scan: Record<string, ScannedUpdate[]> = {};
    const reachable = nodes.filter((n) => !missing.includes(n));
    await Promise.all(reachable.map(async (node) => (scan[node] = await this.scanNode(node))));
    return { onlineDisks: disks.filter((d) => d.state === 'Online'), services, missingNodes: missing, nodes, scan };
  }

  private scanNode(node: string): Promise<ScannedUpdate[]> {
    return scanNode(this.taskSteps.gateway, node, this.profile.plugins);
  }

  /** Downloads on every node before the cluster stops, so downloads stay out of the downtime. */
  private async stage(targets: readonly string[]): Promise<void> {
    const pre = this.preState!;
    await Promise.all(
      targets.map(async (node) => {
        if (this.node(node).staged || (pre.scan[node] ?? []).length === 0) return;
        const started = this.deps.clock.now();
        try {
          for (const [index, plugin] of this.profile.plugins.entries()) {
            const ids = (pre.scan[node] ?? []).filter((u) => u.plugin === plugin.plugin).map((u) => u.updateId);
            if (ids.length === 0) continue;
            const task = { spec: plugin, mode: 'Download' as const, updateIds: ids, taskId: this.taskId(node, `s${index}`), round: 0, pluginIndex: index };
            await installViaTask(this.taskSteps, node, task, { attempt: 1, resume: false, requireDrained: false, journaled: false });
          }
          this.journal({ type: 'offline-node', node, event: 'staged' });
          this.node(node).staged = true;
          this.phase(node, 'stage', started, true);
        } catch (error) {
          // A failed download is not fatal: the install downloads what is missing, inside the window.
          this.warnings.push(`${node}: staging failed (${describeError(error)}); the install will download.`);
          this.phase(node, 'stage', started, false, describeError(error));
        }
      }),
    );
  }

  private taskId(node: string, suffix: string): string {
    return `${this.options.runId}-${node}-${suffix}`.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 80);
  }

  /** Install (scan-install rounds), restart, wait: one node, inside the downtime. Failures are values. */
  private async updateNode(node: string): Promise<void> {
    const p = this.node(node);
    if (p.failed !== null || p.back !== null) return;
    try {
      if (p.restart === null) {
        let needsRestart = p.results.some((r) => r.rebootRequired);
        const attempted = new Set(p.results.map((r) => r.updateId.toLowerCase()));
        for (let round = 1; round <= OFFLINE_POLICY.maxInstallRounds; round++) {
          this.checkStop();
          const pending = p.tasks.filter((t) => !t.finished);
          let started = this.deps.clock.now();
          if (pending.length === 0 && p.tasks.some((t) => t.round >= round)) continue;
          if (pending.length === 0) {
            const updates = round === 1 && p.tasks.length === 0 ? [...(this.preState!.scan[node] ?? [])] : await this.rescan(node);
            const fresh = updates.filter((u) => !attempted.has(u.updateId.toLowerCase()));
            if (fresh.length === 0) break;
            started = this.deps.clock.now();
            for (const [index, plugin] of this.profile.plugins.entries()) {
              const ids = fresh.filter((u) => u.plugin === plugin.plugin).map((u) => u.updateId);
              if (ids.length === 0) continue;
              p.tasks.push({ taskId: this.taskId(node, `r${round}p${index}`), round, pluginIndex: index, finished: false, updateIds: ids });
            }
          }
          for (const task of p.tasks.filter((t) => !t.finished)) {
            // A task journaled before a crash is only waited for; a new one is started (journaled first).
            const spec = this.profile.plugins[task.pluginIndex]!;
            const status = await installViaTask(this.taskSteps, node, { spec, mode: 'Install', updateIds: task.updateIds ?? [], taskId: task.taskId, round: task.round, pluginIndex: task.pluginIndex }, { attempt: 1, resume: task.updateIds === undefined, requireDrained: false, journaled: true, clusterStopped: true });
            task.finished = true;
            p.results.push(...status.results);
            for (const r of status.results) attempted.add(r.updateId.toLowerCase());
            needsRestart ||= status.rebootRequired || status.results.some((r) => r.rebootRequired);
            const failed = status.results.filter((r) => r.resultCode === 'Failed' || r.resultCode === 'Aborted');
            if (status.state === 'Failed' || failed.length > 0) {
              const code = failed[0]?.errorCode ?? 'unknown';
              this.phase(node, 'install', started, false, status.message);
              this.failNode(node, errorOf('InstallFailed', `${node}: ${failed.length} update(s) failed to install (${code})${status.message ? `: ${status.message}` : ''}`, node));
              return;
            }
          }
          this.phase(node, 'install', started, true);
        }
        if (!needsRestart) {
          this.complete.add(node);
          return;
        }
        this.checkStop();
        this.say(`${node}: restarting`);
        const sent = await requestRestart(this.bootSteps, node, this.restartOptions());
        p.restart = { bootBefore: sent.bootBefore, requestedAt: this.now() };
      } else if (this.resumed) {
        await ensureRestartIssued(this.bootSteps, node, { ...this.restartOptions(), bootBefore: p.restart.bootBefore });
      }
      await this.awaitBoot(node, p.restart);
    } catch (error) {
      // An interrupt leaves the node as it is; the restore path takes over once every node has returned.
      if (error instanceof Interrupted) return;
      if (error instanceof JournalWriteError) throw error;
      const code: ErrorCode = error instanceof StepFailure ? error.code : isTransient(error) ? 'NodeNotReachable' : 'UnexpectedError';
      this.failNode(node, errorOf(code, `${node}: ${describeError(error)}`, node));
    }
  }

  /** The offline restart: full, no gate (the cluster is stopped), no drain to check, no cluster state to wait for. */
  private restartOptions() {
    return { attempt: 1, round: 1, source: 'round' as const, soft: false, rebootTimeoutMinutes: this.profile.rebootTimeoutMinutes, clusterRunning: false, gate: null };
  }

  private async rescan(node: string): Promise<ScannedUpdate[]> {
    const started = this.deps.clock.now();
    const updates = await this.scanNode(node);
    this.phase(node, 'rescan', started, true);
    return updates;
  }

  private async awaitBoot(node: string, restart: { bootBefore: string; requestedAt: string }): Promise<void> {
    const p = this.node(node);
    const requested = Date.parse(restart.requestedAt);
    try {
      const back = await awaitBoot(this.bootSteps, node, { ...this.restartOptions(), bootBefore: restart.bootBefore });
      const rebootSeconds = Math.round((this.deps.clock.now() - requested) / 1000);
      p.back = { bootTime: back.bootTime, rebootSeconds };
      this.complete.add(node);
      this.phase(node, 'reboot', requested, true);
      this.say(`${node}: back after ${rebootSeconds} s`);
    } catch (error) {
      if (!(error instanceof StepFailure) || error.code !== 'RebootTimeout') throw error;
      this.phase(node, 'reboot', requested, false, 'timeout');
      this.failNode(node, errorOf('RebootTimeout', `${node} did not come back within ${this.profile.rebootTimeoutMinutes} minute(s) of its restart.`, node));
    }
  }

  /**
   * Runs a per-node call on every target node at once; resolves with the answer of the last node that
   * answered when at least one did, and throws the first error when none did.
   */
  private async onEveryNode<T>(targets: readonly string[], call: (node: string) => Promise<T>): Promise<T> {
    const settled = await Promise.allSettled(targets.map((node) => call(node)));
    const answered = settled.filter((r): r is PromiseFulfilledResult<Awaited<T>> => r.status === 'fulfilled');
    if (answered.length > 0) return answered[answered.length - 1]!.value;
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    throw failed?.reason ?? new Error('no node to run on');
  }

  /** The restore path: always run once the cluster may have been touched; every problem is kept, nothing thrown. */
  private async restore(targets: readonly string[]): Promise<void> {
    const pre = this.preState!;
    if (!this.begun.has('restore')) {
      this.journalIfWritable({ type: 'offline-step', step: 'restore', phase: 'begin', abortedBecause: this.abortedBecause });
      this.begun.add('restore');
    }
    const automatic = await this.servicesBack(targets);
    this.say('Starting the cluster');
    if (!(await this.startCluster(targets.filter((n) => automatic.includes(n))))) return;
    const missing = pre.missingNodes.length > 0 || targets.some((n) => this.node(n).failed?.code === 'RebootTimeout');
    await this.waitQuorumAndPool(missing);
    if (!(await this.disksOnline())) return;
    this.downtimeEnd = this.now();
    this.say('Cluster started and disks online; watching storage');
    await this.watchStorage();
  }

  /** Each node's cluster service back to its start mode; returns the nodes whose service is set. */
  private async servicesBack(targets: readonly string[]): Promise<string[]> {
    const pre = this.preState!;
    const automatic: string[] = [];
    await Promise.all(
      targets.map(async (node) => {
        const failedReboot = this.node(node).failed?.code === 'RebootTimeout';
        const deadline = this.deps.clock.now() + (failedReboot ? 0 : OFFLINE_POLICY.restoreReachSeconds * 1000);
        for (;;) {
          try {
            await this.deps.gateway.call(node, 'set-cluster-service', { startMode: pre.services[node] === 'Disabled' ? 'Disabled' : 'Automatic' });
            automatic.push(node);
            return;
          } catch (error) {
            if (!isTransient(error)) {
              this.restoreProblems.push(`${node}: the cluster service could not be set back to Automatic (${describeError(error)}).`);
              return;
            }
            if (this.deps.clock.now() >= deadline) {
              // Not reachable: it cannot join now anyway. Its service stays Disabled until someone sets it.
              this.warnings.push(`${node} is not reachable; its cluster service is still Disabled. Once it is back, run: Set-Service ClusSvc -StartupType Automatic; Start-Service ClusSvc`);
              return;
            }
            await this.deps.clock.sleep(OFFLINE_POLICY.nodePollSeconds * 1000);
          }
        }
      }),
    );
    this.journalIfWritable({ type: 'offline-step', step: 'services-automatic', phase: 'done', nodes: automatic });
    return automatic;
  }

  /** Start-Cluster on the nodes whose service is back; false (and a restore problem) when it fails. */
  private async startCluster(starters: readonly string[]): Promise<boolean> {
    this.journalIfWritable({ type: 'offline-step', step: 'start-cluster', phase: 'begin' });
    try {
      // start-cluster starts the cluster service of the node it runs on and waits for quorum: all at once.
      const r = await this.onEveryNode(starters, (node) => this.deps.gateway.call(node, 'start-cluster', { timeoutSeconds: 600 }));
      this.journalIfWritable({ type: 'offline-step', step: 'start-cluster', phase: 'done', nodesUp: r.nodesUp, quorum: r.quorum });
      return true;
    } catch (error) {
      this.restoreProblems.push(`Start-Cluster failed on every node tried (${describeError(error)}).`);
      return false;
    }
  }

  /** The disks that were online before, online again; false (and a restore problem) when that fails. */
  private async disksOnline(): Promise<boolean> {
    const pre = this.preState!;
    if (pre.onlineDisks.length === 0) return true;
    this.journalIfWritable({ type: 'offline-step', step: 'disks-online', phase: 'begin' });
    try {
      const r = await this.retryCluster(() => this.deps.gateway.call(this.options.entry, 'set-cluster-disks', { names: pre.onlineDisks.map((d) => d.name), state: 'Online', timeoutSeconds: 600 }));
      const stillOffline = pre.onlineDisks.filter((d) => r.disks.find((x) => x.name === d.name)?.state !== 'Online');
      for (const d of stillOffline) this.restoreProblems.push(`Virtual disk ${d.virtualDisk} (${d.name}) did not come online.`);
      this.journalIfWritable({ type: 'offline-step', step: 'disks-online', phase: 'done' });
      return true;
    } catch (error) {
      this.restoreProblems.push(`The virtual disks could not be brought online (${describeError(error)}).`);
      return false;
    }
  }

  /** The shared storage wait, once the cluster is back: unhealthy at its end makes the run PartiallyFailed. */
  private async watchStorage(): Promise<void> {
    this.journalIfWritable({ type: 'offline-step', step: 'watch', phase: 'begin' });
    try {
      const health = await this.retryCluster(() => awaitHealthyStorage(this.bootSteps, this.profile.storageTimeoutMinutes));
      if (!health.healthy) {
        this.storageNotHealthy = `Storage was not Healthy within ${this.profile.storageTimeoutMinutes} minute(s): ${health.reason}.`;
        this.warnings.push(this.storageNotHealthy);
      }
    } catch (error) {
      this.warnings.push(`Storage health could not be watched: ${describeError(error)}.`);
    }
  }

  /** Cluster-wide calls right after Start-Cluster: the cluster name may take a moment to answer. */
  private async retryCluster<T>(call: () => Promise<T>): Promise<T> {
    const deadline = this.deps.clock.now() + OFFLINE_POLICY.restoreReachSeconds * 1000;
    for (;;) {
      try {
        return await call();
      } catch (error) {
        if (this.deps.clock.now() >= deadline || (isScriptFailure(error) && (error as OperationFailedError).scriptCode !== 'CLUSTER_UNAVAILABLE')) throw error;
        await this.deps.clock.sleep(OFFLINE_POLICY.clusterPollSeconds * 1000);
      }
    }
  }

  /**
   * Quorum, then a Healthy pool. With a node known to be missing the pool stays Degraded, which is enough
   * to bring the disks online; waiting longer would only extend the downtime.
   */
  private async waitQuorumAndPool(nodeMissing: boolean): Promise<void> {
    const g = this.deps.gateway;
    const entry = this.options.entry;
    const deadline = this.deps.clock.now() + this.profile.storageTimeoutMinutes * 60_000;
    let last: string;
    for (;;) {
      try {
        const cluster = await g.call(entry, 'get-cluster', {});
        if (!cluster.quorum.healthy) last = 'no quorum';
        else {
          const storage = await g.call(entry, 'get-storage-health', {});
          const pools = storage.pools;
          if (pools.every((p) => p.healthStatus === 'Healthy') || (nodeMissing && pools.every((p) => p.healthStatus !== 'Unhealthy'))) return;
          last = `pool ${pools.map((p) => `${p.friendlyName} ${p.healthStatus}/${p.operationalStatus}`).join(', ')}`;
        }
      } catch (error) {
        last = describeError(error);
      }
      if (this.deps.clock.now() >= deadline) {
        this.warnings.push(`Quorum and a Healthy pool were not reached within ${this.profile.storageTimeoutMinutes} minute(s) (${last}); bringing the disks online anyway.`);
        return;
      }
      await this.deps.clock.sleep(OFFLINE_POLICY.clusterPollSeconds * 1000);
    }
  }

  private nodeResult(node: string): OfflineNodeResult {
    const p = this.node(node);
    const missing = this.preState?.missingNodes.includes(node) === true;
    const failedUpdates = p.results.filter((r) => r.resultCode === 'Failed' || r.resultCode === 'Aborted').length;
    const succeeded = p.results.filter((r) => r.resultCode === 'Succeeded' || r.resultCode === 'SucceededWithErrors').length;
    const error = missing ? errorOf('NodeNotReachable', `${node} could not be reached and was not updated.`, node) : p.failed;
    const canceled = error === null && this.abortedBecause !== null && !this.complete.has(node) && p.back === null;
    const status: RunStatus = error !== null ? 'Failed' : canceled ? 'Canceled' : 'Succeeded';
    return {
      node,
      status,
      attempts: 1,
      numberOfSucceededUpdates: succeeded,
      numberOfFailedUpdates: failedUpdates,
      installResults: p.results,
      rebooted: p.back !== null,
      nodeRebootResult: { bootType: p.back !== null ? 'FullReboot' : 'None', reboots: p.back !== null ? 1 : 0 },
      errorRecord: error,
      nodeSuspendedTimestamp: null,
      nodeSuspendedDurationSeconds: null,
      phases: this.phases.get(node) ?? [],
      bootTime: p.back?.bootTime ?? null,
      rebootSeconds: p.back?.rebootSeconds ?? null,
    };
  }

  private finish(): OfflineResult {
    const pre = this.preState;
    const nodeResults = (pre?.nodes ?? []).map((n) => this.nodeResult(n));
    const touched = this.begun.has('disks-offline') || this.begun.has('stop-cluster');
    const complete = !touched || this.restoreProblems.length === 0;
    const failed = nodeResults.filter((r) => r.status === 'Failed');
    let status: RunStatus;
    let errorRecord: ErrorRecord | null = null;
    if (!complete) {
      status = 'Failed';
      errorRecord = errorOf('RestoreIncomplete', `The cluster was not fully restored: ${this.restoreProblems.join(' ')}`);
    } else if (this.abortedBecause !== null) {
      status = 'Canceled';
      errorRecord = errorOf(this.abortedKind === 'interrupted' ? 'UserCanceled' : this.abortedKind === 'journal' ? 'JournalWriteFailed' : 'OfflineAborted', `${this.abortedBecause} The cluster was restored.`);
    } else if (failed.length > 0) {
      status = failed.length === nodeResults.length ? 'Failed' : 'PartiallyFailed';
      errorRecord = errorOf('NodesFailed', failed.map((r) => r.errorRecord?.message ?? r.node).join('; '));
    } else if (this.storageNotHealthy !== null) {
      status = 'PartiallyFailed';
      errorRecord = errorOf('StorageNotHealthy', this.storageNotHealthy);
    } else {
      status = 'Succeeded';
    }
    const downtime =
      this.downtimeStart === null
        ? null
        : {
            start: this.downtimeStart,
            end: this.downtimeEnd,
            seconds: this.downtimeEnd === null ? null : Math.round((Date.parse(this.downtimeEnd) - Date.parse(this.downtimeStart)) / 100) / 10,
          };
    const result: OfflineResult = {
      schemaVersion: 1,
      mode: 'offline',
      runId: this.options.runId,
      clusterName: this.options.entry,
      status,
      startTime: this.startTime,
      endTime: this.now(),
      errorRecord,
      plugins: this.profile.plugins.map((p) => p.plugin),
      nodeResults,
      warnings: [...this.warnings],
      resumed: this.resumed,
      preState: pre,
      downtime,
      restore: { abortedBecause: this.abortedBecause, complete, problems: [...this.restoreProblems] },
    };
    this.journalIfWritable({ type: 'offline-completed', status, errorRecord });
    return result;
  }
}

