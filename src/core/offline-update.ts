/**
 * The offline (all-at-once) update (cau-surface.md §11 "Offline"): record the pre-state, take the virtual
 * disks offline, stop the cluster, disable the cluster service, install and restart every node in parallel,
 * then always restore: service Automatic, Start-Cluster, quorum, the same disks online, storage watched.
 * Each step is journaled before it acts; a resume replays the journal and re-reads the cluster.
 * Depends on the gateway interface, the clock and journal interfaces; never on node:*, a transport or output.
 */
import { OperationFailedError, type ClusterGateway } from '../cluster/gateway.js';
import type { PluginName, UpdateInfo, UpdateInstallResult } from '../cluster/operations.js';
import { OFFLINE_STEP_SECONDS, type ClusterDisk, type ServiceStartMode } from '../cluster/operations-offline.js';
import { ExitCode, describeError, isAppError, refusedError } from '../errors.js';
import type { JournalRecord, RunJournal } from '../journal/journal.js';
import type { NodePhase, RunStatus } from '../output/events.js';
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
}

export interface OfflineOptions {
  /** The cluster name: where cluster-wide operations go while the cluster runs. */
  readonly entry: string;
  readonly runId: string;
  /** The journal of an interrupted offline update of this cluster, to continue. */
  readonly resumeFrom?: readonly JournalRecord[];
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

export type ScannedUpdate = UpdateInfo & { readonly plugin: PluginName };

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

// ---------------------------------------------------------------------------------------------------------
// Journal replay (pure)

/** Where one node stands, from the journal. */
export interface NodeProgress {
  readonly staged: boolean;
  /** Install tasks started, in order, with the round and plug-in each belongs to. */
  readonly tasks: readonly { taskId: string; round: number; pluginIndex: number; finished: boolean }[];
  readonly results: readonly UpdateInstallResult[];
  readonly restart: { bootBefore: string; requestedAt: string } | null;
  readonly back: { bootTime: string; rebootSeconds: number } | null;
  readonly failed: ErrorRecord | null;
}

export interface OfflineJournalState {
  readonly runId: string;
  readonly startTime: string;
  readonly preState: OfflinePreState | null;
  /** Steps whose `begin` was journaled (the step may or may not have acted). */
  readonly begun: ReadonlySet<OfflineStep>;
  readonly done: ReadonlySet<OfflineStep>;
  readonly nodes: ReadonlyMap<string, NodeProgress>;
  readonly abortedBecause: string | null;
  readonly downtimeStart: string | null;
  readonly completed: boolean;
}

export type OfflineStep = 'stage' | 'disks-offline' | 'stop-cluster' | 'services-disabled' | 'update' | 'restore' | 'services-automatic' | 'start-cluster' | 'quorum' | 'disks-online' | 'watch';

export const OFFLINE_JOURNAL_TYPES = {
  started: 'offline-started',
  preState: 'offline-prestate',
  step: 'offline-step',
  node: 'offline-node',
  aborted: 'offline-aborted',
  completed: 'offline-completed',
} as const;

type MutableProgress = { staged: boolean; tasks: { taskId: string; round: number; pluginIndex: number; finished: boolean }[]; results: UpdateInstallResult[]; restart: NodeProgress['restart']; back: NodeProgress['back']; failed: ErrorRecord | null };

export function replayOfflineJournal(records: readonly JournalRecord[]): OfflineJournalState {
  const started = records.find((r) => r.type === OFFLINE_JOURNAL_TYPES.started);
  if (started === undefined) throw new Error('offline journal has no offline-started record');
  const begun = new Set<OfflineStep>();
  const done = new Set<OfflineStep>();
  const nodes = new Map<string, MutableProgress>();
  let preState: OfflinePreState | null = null;
  let abortedBecause: string | null = null;
  let downtimeStart: string | null = null;
  let completed = false;
  const progress = (node: string): MutableProgress => {
    let p = nodes.get(node);
    if (p === undefined) {
      p = { staged: false, tasks: [], results: [], restart: null, back: null, failed: null };
      nodes.set(node, p);
    }
    return p;
  };
  for (const r of records) {
    switch (r.type) {
      case OFFLINE_JOURNAL_TYPES.preState:
        preState = r.preState as OfflinePreState;
        break;
      case OFFLINE_JOURNAL_TYPES.step: {
        const step = r.step as OfflineStep;
        if (r.phase === 'begin') begun.add(step);
        else done.add(step);
        if (step === 'stop-cluster' && r.phase === 'begin' && downtimeStart === null) downtimeStart = r.time;
        break;
      }
      case OFFLINE_JOURNAL_TYPES.node: {
        const p = progress(String(r.node));
        switch (r.event) {
          case 'staged':
            p.staged = true;
            break;
          case 'task-starting':
            p.tasks.push({ taskId: String(r.taskId), round: Number(r.round), pluginIndex: Number(r.pluginIndex), finished: false });
            break;
          case 'task-finished': {
            const t = p.tasks.find((x) => x.taskId === r.taskId);
            if (t) t.finished = true;
            p.results.push(...((r.results ?? []) as UpdateInstallResult[]));
            break;
          }
          case 'restart-requested':
            p.restart = { bootBefore: String(r.bootBefore), requestedAt: r.time };
            break;
          case 'back':
            p.back = { bootTime: String(r.bootTime), rebootSeconds: Number(r.rebootSeconds) };
            break;
          case 'failed':
            p.failed = r.errorRecord as ErrorRecord;
            break;
          default:
            break;
        }
        break;
      }
      case OFFLINE_JOURNAL_TYPES.aborted:
        abortedBecause ??= String(r.reason);
        break;
      case OFFLINE_JOURNAL_TYPES.completed:
        completed = true;
        break;
      default:
        break;
    }
  }
  return { runId: String(started.runId), startTime: started.time, preState, begun, done, nodes, abortedBecause, downtimeStart, completed };
}

// ---------------------------------------------------------------------------------------------------------
// The procedure

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function errorOf(code: string, message: string, node?: string): ErrorRecord {
  return { code, message, ...(node !== undefined ? { node } : {}) };
}

/** A failure a node-side script reported, as opposed to a connection that is away (which a wait retries). */
function isScriptFailure(error: unknown): boolean {
  return error instanceof OperationFailedError;
}

/** The node does not answer (connection refused, timed out): a wait retries this, a preflight counts it missing. */
function isUnreachable(error: unknown): boolean {
  return isAppError(error) && error.exitCode === ExitCode.connection;
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

  constructor(
    private readonly profile: OfflineProfile,
    private readonly deps: OfflineDeps,
    private readonly options: OfflineOptions,
  ) {
    const replay = options.resumeFrom ? replayOfflineJournal(options.resumeFrom) : undefined;
    this.begun = new Set(replay?.begun ?? []);
    this.done = new Set(replay?.done ?? []);
    this.preState = replay?.preState ?? null;
    this.abortedBecause = replay?.abortedBecause ?? null;
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

  private journal(type: string, fields: Record<string, unknown>): void {
    this.deps.journal.append({ type, ...fields }, this.now());
  }

  private say(line: string): void {
    this.deps.progress?.(line);
  }

  private node(name: string): MutableProgress {
    let p = this.progress.get(name);
    if (p === undefined) {
      p = { staged: false, tasks: [], results: [], restart: null, back: null, failed: null };
      this.progress.set(name, p);
    }
    return p;
  }

  private nodeEvent(node: string, event: string, fields: Record<string, unknown> = {}): void {
    this.journal(OFFLINE_JOURNAL_TYPES.node, { node, event, ...fields });
  }

  private failNode(node: string, error: ErrorRecord): void {
    const p = this.node(node);
    if (p.failed !== null) return;
    p.failed = error;
    this.nodeEvent(node, 'failed', { errorRecord: error });
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
    this.journal(OFFLINE_JOURNAL_TYPES.step, { step, phase: 'begin' });
    this.begun.add(step);
    if (step === 'stop-cluster') this.downtimeStart ??= this.now();
    await act();
    this.journal(OFFLINE_JOURNAL_TYPES.step, { step, phase: 'done' });
    this.done.add(step);
  }

  private checkStop(): void {
    if (this.deps.stop.requested) throw new Interrupted();
  }

  async execute(): Promise<OfflineResult> {
    const g = this.deps.gateway;
    const entry = this.options.entry;
    if (!this.resumed) {
      this.journal(OFFLINE_JOURNAL_TYPES.started, { runId: this.options.runId, clusterName: entry, plugins: this.profile.plugins.map((p) => p.plugin) });
    }
    // Nothing touched yet: a refusal here is a refusal (exit 5), not a failure to restore.
    if (this.preState === null) {
      let pre: OfflinePreState;
      try {
        pre = await this.readPreState();
      } catch (error) {
        // Refused before anything was touched: this journal has nothing to resume.
        this.journal(OFFLINE_JOURNAL_TYPES.completed, { status: 'Refused', error: describeError(error) });
        throw error;
      }
      this.journal(OFFLINE_JOURNAL_TYPES.preState, { preState: pre });
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
      const reason = error instanceof Interrupted ? 'Interrupted (Ctrl-C): the update work was stopped.' : `The procedure failed: ${describeError(error)}`;
      if (this.abortedBecause === null) {
        this.abortedBecause = reason;
        this.journal(OFFLINE_JOURNAL_TYPES.aborted, { reason });
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
    let cluster;
    try {
      cluster = await g.call(entry, 'get-cluster', {});
    } catch (error) {
      throw refusedError('OFFLINE_CLUSTER_NOT_RUNNING', `Cluster ${entry} does not answer as a running cluster: ${describeError(error)}`, {
        hint: 'If an offline update was interrupted, continue it with: cauctl offline-update --resume',
      });
    }
    if (cluster.nativeCauRunInProgress) {
      throw refusedError('OFFLINE_CAU_RUN_IN_PROGRESS', `A native CAU run is in progress on ${cluster.name}; nothing was touched.`);
    }
    const nodes = cluster.nodes.map((n) => n.name);
    const services: Record<string, ServiceStartMode> = {};
    const missing: string[] = [];
    await Promise.all(
      nodes.map(async (node) => {
        try {
          services[node] = (await g.call(node, 'get-cluster-service', {})).startMode;
        } catch (error) {
          if (!isUnreachable(error)) throw error;
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

  private async scanNode(node: string): Promise<ScannedUpdate[]> {
    const all: ScannedUpdate[] = [];
    for (const plugin of this.profile.plugins) {
      const found = await this.deps.gateway.call(node, 'scan-updates', { plugin: plugin.plugin, arguments: { ...plugin.arguments } });
      all.push(...found.updates.map((u) => ({ ...u, plugin: plugin.plugin })));
    }
    return all;
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
            const taskId = this.taskId(node, `s${index}`);
            await this.deps.gateway.call(node, 'start-update-task', { plugin: plugin.plugin, arguments: { ...plugin.arguments }, mode: 'Download', updateIds: ids, taskId });
            await this.waitTask(node, taskId);
          }
          this.nodeEvent(node, 'staged');
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

  private async waitTask(node: string, taskId: string): Promise<{ state: string; results: UpdateInstallResult[]; rebootRequired: boolean; message?: string | undefined }> {
    for (;;) {
      let status;
      try {
        status = await this.deps.gateway.call(node, 'wait-update-task', { taskId, timeoutSeconds: OFFLINE_POLICY.taskPollSeconds });
      } catch (error) {
        if (isScriptFailure(error)) throw error;
        // The node is away for a moment: the task goes on there; ask again.
        await this.deps.clock.sleep(OFFLINE_POLICY.nodePollSeconds * 1000);
        continue;
      }
      if (status.state !== 'Running') return status;
      this.checkStop();
    }
  }

  /** Install (scan-install rounds), restart, wait: one node, inside the downtime. Failures are values. */
  private async updateNode(node: string): Promise<void> {
    const p = this.node(node);
    if (p.failed !== null || p.back !== null) return;
    const g = this.deps.gateway;
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
              const taskId = this.taskId(node, `r${round}p${index}`);
              this.nodeEvent(node, 'task-starting', { taskId, round, pluginIndex: index });
              p.tasks.push({ taskId, round, pluginIndex: index, finished: false });
              await g.call(node, 'start-update-task', { plugin: plugin.plugin, arguments: { ...plugin.arguments }, mode: 'Install', updateIds: ids, taskId });
            }
          }
          for (const task of p.tasks.filter((t) => !t.finished)) {
            const status = await this.waitTask(node, task.taskId);
            task.finished = true;
            this.nodeEvent(node, 'task-finished', { taskId: task.taskId, state: status.state, results: status.results });
            p.results.push(...status.results);
            for (const r of status.results) attempted.add(r.updateId.toLowerCase());
            needsRestart ||= status.rebootRequired || status.results.some((r) => r.rebootRequired);
            const failed = status.results.filter((r) => r.resultCode === 'Failed' || r.resultCode === 'Aborted');
            if (status.state === 'Failed' || failed.length > 0) {
              const code = failed[0]?.errorCode ?? 'unknown';
              this.phase(node, 'install', started, false, status.message);
              this.failNode(node, errorOf('INSTALL_FAILED', `${node}: ${failed.length} update(s) failed to install (${code})${status.message ? `: ${status.message}` : ''}`, node));
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
        const status = await g.call(node, 'get-node-status', {});
        this.nodeEvent(node, 'restart-requested', { bootBefore: status.lastBootUpTime });
        p.restart = { bootBefore: status.lastBootUpTime, requestedAt: this.now() };
        this.say(`${node}: restarting`);
        await g.call(node, 'restart-node', { soft: false, delaySeconds: OFFLINE_POLICY.restartDelaySeconds });
      } else if (this.resumed) {
        await this.resendRestartIfLost(node, p.restart.bootBefore);
      }
      await this.awaitBoot(node, p.restart);
    } catch (error) {
      // An interrupt leaves the node as it is; the restore path takes over once every node has returned.
      if (error instanceof Interrupted) return;
      this.failNode(node, errorOf('NODE_UPDATE_FAILED', `${node}: ${describeError(error)}`, node));
    }
  }

  private async rescan(node: string): Promise<ScannedUpdate[]> {
    const started = this.deps.clock.now();
    const updates = await this.scanNode(node);
    this.phase(node, 'rescan', started, true);
    return updates;
  }

  /** After a crash between the journal and the restart request: the node still has its old boot time. */
  private async resendRestartIfLost(node: string, bootBefore: string): Promise<void> {
    try {
      const status = await this.deps.gateway.call(node, 'get-node-status', {});
      if (status.lastBootUpTime === bootBefore && status.rebootPending) {
        // A restart already scheduled makes this one a no-op; a lost one is sent now.
        await this.deps.gateway.call(node, 'restart-node', { soft: false, delaySeconds: OFFLINE_POLICY.restartDelaySeconds });
      }
    } catch (error) {
      if (isScriptFailure(error)) throw error;
      // Unreachable: it is restarting.
    }
  }

  private async awaitBoot(node: string, restart: { bootBefore: string; requestedAt: string }): Promise<void> {
    const p = this.node(node);
    const requested = Date.parse(restart.requestedAt);
    const deadline = requested + this.profile.rebootTimeoutMinutes * 60_000;
    for (;;) {
      try {
        const status = await this.deps.gateway.call(node, 'get-node-status', {});
        if (status.lastBootUpTime !== restart.bootBefore && status.autoStartServicesNotRunning.length === 0) {
          const rebootSeconds = Math.round((this.deps.clock.now() - requested) / 1000);
          this.nodeEvent(node, 'back', { bootTime: status.lastBootUpTime, rebootSeconds });
          p.back = { bootTime: status.lastBootUpTime, rebootSeconds };
          this.complete.add(node);
          this.phase(node, 'reboot', requested, true);
          this.say(`${node}: back after ${rebootSeconds} s`);
          return;
        }
      } catch (error) {
        if (isScriptFailure(error)) throw error;
      }
      if (this.deps.clock.now() >= deadline) {
        this.phase(node, 'reboot', requested, false, 'timeout');
        this.failNode(node, errorOf('NODE_REBOOT_TIMEOUT', `${node} did not come back within ${this.profile.rebootTimeoutMinutes} minute(s) of its restart.`, node));
        return;
      }
      // On an interrupt, a restarting node is still waited for: its cluster service must be set back.
      await this.deps.clock.sleep(OFFLINE_POLICY.nodePollSeconds * 1000);
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
    const g = this.deps.gateway;
    const entry = this.options.entry;
    const pre = this.preState!;
    if (!this.begun.has('restore')) {
      this.journal(OFFLINE_JOURNAL_TYPES.step, { step: 'restore', phase: 'begin', abortedBecause: this.abortedBecause });
      this.begun.add('restore');
    }
    const automatic: string[] = [];
    await Promise.all(
      targets.map(async (node) => {
        const failedReboot = this.node(node).failed?.code === 'NODE_REBOOT_TIMEOUT';
        const deadline = this.deps.clock.now() + (failedReboot ? 0 : OFFLINE_POLICY.restoreReachSeconds * 1000);
        for (;;) {
          try {
            await g.call(node, 'set-cluster-service', { startMode: pre.services[node] === 'Disabled' ? 'Disabled' : 'Automatic' });
            automatic.push(node);
            return;
          } catch (error) {
            if (isScriptFailure(error)) {
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
    this.journal(OFFLINE_JOURNAL_TYPES.step, { step: 'services-automatic', phase: 'done', nodes: automatic });
    this.say('Starting the cluster');
    const starters = targets.filter((n) => automatic.includes(n));
    let started = false;
    this.journal(OFFLINE_JOURNAL_TYPES.step, { step: 'start-cluster', phase: 'begin' });
    try {
      // start-cluster starts the cluster service of the node it runs on and waits for quorum: all at once.
      const r = await this.onEveryNode(starters, (node) => g.call(node, 'start-cluster', { timeoutSeconds: 600 }));
      started = true;
      this.journal(OFFLINE_JOURNAL_TYPES.step, { step: 'start-cluster', phase: 'done', nodesUp: r.nodesUp, quorum: r.quorum });
    } catch (error) {
      this.restoreProblems.push(`Start-Cluster failed on every node tried (${describeError(error)}).`);
    }
    if (!started) return;
    const missing = pre.missingNodes.length > 0 || targets.some((n) => this.node(n).failed?.code === 'NODE_REBOOT_TIMEOUT');
    await this.waitQuorumAndPool(missing);
    if (pre.onlineDisks.length > 0) {
      this.journal(OFFLINE_JOURNAL_TYPES.step, { step: 'disks-online', phase: 'begin' });
      try {
        const r = await this.retryCluster(() => g.call(entry, 'set-cluster-disks', { names: pre.onlineDisks.map((d) => d.name), state: 'Online', timeoutSeconds: 600 }));
        const stillOffline = pre.onlineDisks.filter((d) => r.disks.find((x) => x.name === d.name)?.state !== 'Online');
        for (const d of stillOffline) this.restoreProblems.push(`Virtual disk ${d.virtualDisk} (${d.name}) did not come online.`);
        this.journal(OFFLINE_JOURNAL_TYPES.step, { step: 'disks-online', phase: 'done' });
      } catch (error) {
        this.restoreProblems.push(`The virtual disks could not be brought online (${describeError(error)}).`);
        return;
      }
    }
    this.downtimeEnd = this.now();
    this.say('Cluster started and disks online; watching storage');
    this.journal(OFFLINE_JOURNAL_TYPES.step, { step: 'watch', phase: 'begin' });
    try {
      const health = await this.retryCluster(() => g.call(entry, 'wait-storage-healthy', { timeoutSeconds: this.profile.storageTimeoutMinutes * 60, pollSeconds: OFFLINE_POLICY.clusterPollSeconds }));
      if (!health.healthy) {
        const bad = [...health.virtualDisks, ...health.pools].filter((o) => o.healthStatus !== 'Healthy').map((o) => `${o.friendlyName} ${o.healthStatus}/${o.operationalStatus}`);
        this.warnings.push(`Storage was not Healthy within ${this.profile.storageTimeoutMinutes} minute(s): ${bad.join(', ')}.`);
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
    const error = missing ? errorOf('NODE_UNREACHABLE', `${node} could not be reached and was not updated.`, node) : p.failed;
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
      errorRecord = errorOf('RESTORE_INCOMPLETE', `The cluster was not fully restored: ${this.restoreProblems.join(' ')}`);
    } else if (this.abortedBecause !== null) {
      status = 'Canceled';
      errorRecord = errorOf(this.abortedBecause.startsWith('Interrupted') ? 'Canceled' : 'OFFLINE_ABORTED', `${this.abortedBecause} The cluster was restored.`);
    } else if (failed.length > 0) {
      status = failed.length === nodeResults.length ? 'Failed' : 'PartiallyFailed';
      errorRecord = errorOf('NODES_FAILED', failed.map((r) => r.errorRecord?.message ?? r.node).join('; '));
    } else if (this.warnings.some((w) => w.startsWith('Storage was not Healthy'))) {
      status = 'PartiallyFailed';
      errorRecord = errorOf('STORAGE_NOT_HEALTHY', this.warnings.find((w) => w.startsWith('Storage was not Healthy'))!);
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
    this.journal(OFFLINE_JOURNAL_TYPES.completed, { status, errorRecord });
    return result;
  }
}

/** Exit code per DESIGN.md: 0 done, 6 some nodes failed but the cluster is back, 3 failed or stopped. */
export function exitCodeForOffline(result: OfflineResult): number {
  if (result.status === 'Succeeded') return 0;
  if (result.status === 'PartiallyFailed') return 6;
  return 3;
}
