/**
 * The rolling run: CAU's coordinator. Preflight, lock, parallel scan and staging, then one node at a time
 * (pre-script, gate, drain, install rounds with reboots, resume, storage gate, post-script), with retries, the
 * failure budget, WarnAfter/StopAfter, graceful stop and resume from the journal.
 * Depends on interfaces only: gateway, clock, journal, event sink. Never on node:*, a transport or the CLI.
 */
import { OperationFailedError, type ClusterGateway } from '../cluster/gateway.js';
import {
  ScriptErrorCode,
  type ClusterInfo,
  type OperationName,
  type OperationParams,
  type OperationResult,
  type UpdateInfo,
  type UpdateInstallResult,
} from '../cluster/operations.js';
import { AppError, ExitCode, describeError, isTransient, refusedError, usageError } from '../errors.js';
import type { RunJournal } from '../journal/journal.js';
import type { EventSink, NodePhase, RunEventBody, RunStatus } from '../output/events.js';
import { EVENT_SCHEMA_VERSION } from '../output/events.js';
import type { Clock } from '../platform/clock.js';
import {
  ClusterLock,
  DEFAULT_LEASE_SECONDS,
  LockLostError,
  readStopRequest,
  writeStopRequest,
  type LockOwner,
  type NodeStatusNotification,
  type RunProgress,
} from './cluster-lock.js';
import {
  backoffDelayMs,
  budgetExceeded,
  defaultMaxFailedNodes,
  drainGate,
  judgeStorage,
  orderNodes,
  quorumSurvives,
  reconnectBackoff,
  runStatus,
  unknownNodeNames,
  type HaltReason,
} from './policy.js';
import { replayJournal, type JournalState, type ResumeStep } from './resume-point.js';
import type { ErrorRecord, NodeResult, PhaseRecord, PluginSpec, RunProfile, RunResult } from './types.js';

/** A stop request from this process (Ctrl-C) — checked at safe points, like stop-run's. */
export interface StopSwitch {
  readonly requested: boolean;
}

export interface CoordinatorDeps {
  readonly gateway: ClusterGateway;
  /** The run's clock: waits, timestamps, WarnAfter/StopAfter (virtual in simulation). */
  readonly clock: Clock;
  /** Real time, for lock leases. */
  readonly wallClock: Clock;
  readonly sink: EventSink;
  readonly journal: RunJournal;
  readonly owner: LockOwner;
  readonly isProcessAlive: (pid: number) => boolean;
  readonly stop: StopSwitch;
  readonly newRunId: () => string;
  readonly leaseSeconds?: number;
  /** Called once when the run stops touching nodes for good (the simulator audits invariant 4 with it). */
  readonly onHalt?: () => void;
}

export interface RollingRunOptions {
  /** Where cluster-wide operations run: the cluster name (or a node). */
  readonly entry: string;
  /** The interrupted run to continue (`--resume`), from its journal. */
  readonly resumeFrom?: { readonly records: Parameters<typeof replayJournal>[0] };
  readonly forceRecovery: boolean;
  /** `--resume` found no journal: a dead lock left by this host (crash before the first record) may be taken. */
  readonly takeOverDeadLocalLock?: boolean;
}

/** Timing constants of the coordinator, named in one place. */
export const RunTimings = {
  /** Long-poll length of one wait-update-task / wait-storage-healthy call. */
  longPollSeconds: 60,
  /** How often the reboot wait asks the node for its boot time. */
  rebootPollMs: 5_000,
  /** How long an install task may run before the attempt fails. */
  installTimeoutMs: 4 * 60 * 60_000,
  /** How long a node may stay unreachable outside a reboot before the attempt fails (invariant 7). */
  unreachableGraceMs: 15 * 60_000,
  /** Parallel scans and stagings at once. */
  scanConcurrency: 32,
  /** Install/reboot/rescan rounds per attempt (follow-up updates). */
  maxRounds: 5,
  /** Delay given to shutdown.exe so the restart call returns before the node goes down. */
  restartDelaySeconds: 5,
  /** Storage-degraded suspend retries are this far apart. */
  suspendRetryMs: 15_000,
  /** While the cluster is not ready for the next drain, check again this often. */
  gateRetryMs: 30_000,
} as const;

/** After the restart delay, how long a node may still answer with its old boot time before a resumed run
 *  concludes that the restart call never reached it. */
const RESTART_GRACE_SECONDS = 60;

/** Real milliseconds between two progress publications in the lock (a node's end is always published). */
const PROGRESS_MIN_INTERVAL_MS = 200;

export { isTransient };

/** The attempt ended; `fatal` means the run cannot go on safely (the node is out of service, storage stuck). */
type AttemptOutcome =
  | { ok: true }
  | { ok: false; fatal: boolean; error: ErrorRecord; phase: NodePhase; outOfService: boolean };

class AttemptFailure extends Error {
  constructor(
    readonly phase: NodePhase,
    readonly record: ErrorRecord,
    readonly fatal: boolean,
    readonly outOfService: boolean,
  ) {
    super(record.message);
  }
}

interface NodeWork {
  readonly name: string;
  updates: UpdateInfo[];
  attempts: number;
  results: Map<string, UpdateInstallResult>;
  reboots: number;
  bootType: 'FullReboot' | 'SoftReboot' | 'None';
  phases: PhaseRecord[];
  suspendedAt: number | null;
  suspendedMs: number;
  /** This run paused the node and has not resumed it yet. */
  pausedByRun: boolean;
  /** Restarts since the node was last suspended (its own resync debt grows with the first). */
  rebootsThisMaintenance: number;
}

export class RollingRun {
  private readonly lock: ClusterLock;
  private runId = '';
  private clusterName = '';
  private startMs = 0;
  private maxFailedNodes = 0;
  private halt: HaltReason | undefined;
  private haltNoted = false;
  private warned = false;
  private readonly warnings: string[] = [];
  private readonly notifications = new Map<string, NodeStatusNotification>();
  private readonly nodeResults: NodeResult[] = [];
  private currentNode: string | null = null;
  private currentPhase: string | null = null;
  private lastHeartbeatWallMs = 0;
  private readonly leaseSeconds: number;
  private active: NodeWork | null = null;
  private order: string[] = [];
  private heartbeatChain: Promise<void> = Promise.resolve();
  private lastProgressWallMs = 0;

  constructor(
    private readonly profile: RunProfile,
    private readonly deps: CoordinatorDeps,
    private readonly options: RollingRunOptions,
  ) {
    this.leaseSeconds = deps.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
    this.lock = new ClusterLock({
      gateway: deps.gateway,
      entryNode: options.entry,
      wallClock: deps.wallClock,
      owner: deps.owner,
      isProcessAlive: deps.isProcessAlive,
      leaseSeconds: this.leaseSeconds,
    });
  }

  /** Nodes this run has paused and not yet resumed (for the second Ctrl-C). */
  pausedNodes(): string[] {
    return this.active?.pausedByRun ? [this.active.name] : [];
  }

  private get gateway(): ClusterGateway {
    return this.deps.gateway;
  }

  private iso(ms = this.deps.clock.now()): string {
    return new Date(ms).toISOString();
  }

  private emit(body: RunEventBody): void {
    this.deps.sink.emit({ ...body, schemaVersion: EVENT_SCHEMA_VERSION, time: this.iso(), runId: this.runId } as never);
  }

  private journal(type: string, data: Record<string, unknown> = {}): void {
    this.deps.journal.append({ type, ...data }, this.iso());
  }

  private progress(): RunProgress {
    return {
      runStartTime: this.iso(this.startMs),
      currentNode: this.currentNode,
      currentPhase: this.currentPhase,
      nodeStatusNotifications: [...this.notifications.values()],
      nodeResults: this.nodeResults.map((r) => ({ node: r.node, status: r.status, attempts: r.attempts })),
    };
  }

  /**
   * Publishes a node's phase in the lock for get-run on other hosts. A node's end is always published; phase
   * changes at most every PROGRESS_MIN_INTERVAL_MS of real time, so a run at simulation speed `max` does not
   * spend its time rewriting the lock.
   */
  private async notify(node: string, status: string, phase: string | null): Promise<void> {
    this.notifications.set(node, { node, status, timestamp: this.iso() });
    this.currentNode = phase === null ? null : node;
    this.currentPhase = phase;
    const due = phase === null || this.deps.wallClock.now() - this.lastProgressWallMs >= PROGRESS_MIN_INTERVAL_MS;
    if (!due) return this.heartbeat(false);
    this.lastProgressWallMs = this.deps.wallClock.now();
    await this.heartbeat(true);
  }

  /**
   * Refreshes the lease; with `force`, also publishes progress now. Heartbeats are compare-and-set writes, so
   * they are serialized: parallel scans must not race each other into a false "lock lost".
   */
  private heartbeat(force = false): Promise<void> {
    const wallNow = this.deps.wallClock.now();
    if (!force && wallNow - this.lastHeartbeatWallMs < (this.leaseSeconds * 1000) / 4) return this.heartbeatChain;
    this.lastHeartbeatWallMs = wallNow;
    const next = this.heartbeatChain.then(() =>
      this.withReconnect(this.options.entry, 'lock heartbeat', RunTimings.unreachableGraceMs, () => this.lock.heartbeat(this.progress())),
    );
    // A failed heartbeat rejects its own callers; the chain itself goes on for the next one.
    this.heartbeatChain = next.catch(() => undefined);
    return next;
  }

  /** Retries `fn` while the node is unreachable (invariant 7), until `graceMs` of run time pass. */
  private async withReconnect<T>(node: string, what: string, graceMs: number, fn: () => Promise<T>): Promise<T> {
    const deadline = this.deps.clock.now() + graceMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if (!isTransient(error) || this.deps.clock.now() >= deadline) throw error;
        if (attempt === 1) {
          this.emit({ type: 'warning', code: 'NODE_UNREACHABLE', node, message: `${what}: ${describeError(error)}; retrying (not a failure until ${Math.round(graceMs / 60000)} min pass)` });
        }
        await this.deps.clock.sleep(backoffDelayMs(reconnectBackoff, attempt));
      }
    }
  }

  private call<N extends OperationName>(node: string, name: N, params: OperationParams<N>, graceMs = RunTimings.unreachableGraceMs): Promise<OperationResult<N>> {
    return this.withReconnect(node, name, graceMs, () => this.gateway.call(node, name, params));
  }

  private noteHalt(reason: HaltReason, code: string, message: string): void {
    if (this.halt === undefined) {
      this.halt = reason;
      this.journal('run-halted', { code, message });
      this.emit({ type: 'run-halted', code, message });
    }
    if (!this.haltNoted) {
      this.haltNoted = true;
      this.deps.onHalt?.();
    }
  }

  private checkTimeLimits(): void {
    const elapsed = this.deps.clock.now() - this.startMs;
    if (!this.warned && this.profile.warnAfterMs !== undefined && elapsed > this.profile.warnAfterMs) {
      this.warned = true;
      const message = `The run is still going after WarnAfter (${Math.round(this.profile.warnAfterMs / 60000)} min).`;
      this.warnings.push(message);
      this.emit({ type: 'warning', code: 'WarnAfterExceeded', message });
    }
    if (this.halt === undefined && this.profile.stopAfterMs !== undefined && elapsed > this.profile.stopAfterMs) {
      this.noteHalt({ kind: 'stopAfter' }, 'StopAfterExceeded', `The run exceeded StopAfter (${Math.round(this.profile.stopAfterMs / 60000)} min) and stopped at a safe point.`);
    }
  }

  private async checkStopRequests(): Promise<void> {
    if (this.halt !== undefined) return;
    if (this.deps.stop.requested) {
      this.noteHalt({ kind: 'user' }, 'UserCanceled', 'The run was canceled by the user (Ctrl-C) at a safe point.');
      return;
    }
    const request = await this.withReconnect(this.options.entry, 'stop check', RunTimings.unreachableGraceMs, () =>
      readStopRequest({ gateway: this.gateway, entryNode: this.options.entry }),
    );
    if (request !== null && request.runId === this.runId) {
      this.noteHalt({ kind: 'user' }, 'UserCanceled', `The run was canceled by ${request.requestedBy} (stop-run) at a safe point.`);
    }
  }

  // -------------------------------------------------------------------------------------------------------
  // Preflight

  private async preflight(): Promise<ClusterInfo> {
    const cluster = await this.gateway.call(this.options.entry, 'get-cluster', {});
    this.clusterName = cluster.name;
    const names = cluster.nodes.map((n) => n.name);
    const problems: string[] = [];
    if (this.profile.maxFailedNodes !== undefined && this.profile.maxFailedNodes > names.length - 1) {
      problems.push(`maxFailedNodes: must be at most nodes − 1 = ${names.length - 1} for this ${names.length}-node cluster (got ${this.profile.maxFailedNodes})`);
    }
    const unknown = unknownNodeNames(names, this.profile.nodeOrder ?? []);
    if (unknown.length > 0) problems.push(`nodeOrder: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not a node' : 'are not nodes'} of ${cluster.name} (nodes: ${names.join(', ')})`);
    if (problems.length > 0) {
      throw usageError('PROFILE_INVALID', `The run profile does not fit cluster ${cluster.name}:\n  ${problems.join('\n  ')}`);
    }
    this.maxFailedNodes = this.profile.maxFailedNodes ?? defaultMaxFailedNodes(names.length);
    if (cluster.nativeCauRunInProgress) {
      throw refusedError('NATIVE_CAU_RUN_IN_PROGRESS', `A native CAU run is in progress on ${cluster.name}; cauctl will not run beside it.`, {
        hint: 'Wait for it (Get-CauRun -WaitForCompletion) or stop it (Stop-CauRun); if it is a leftover, clear it with Invoke-CauRun -ForceRecovery -Force.',
      });
    }
    // On resume, the node the run had in hand may be down for its own restart; that is not "offline".
    const inFlight = this.options.resumeFrom ? replayJournal(this.options.resumeFrom.records).inFlight?.node : undefined;
    const offline = cluster.nodes.filter((n) => n.state !== 'Up' && n.state !== 'Paused' && n.name !== inFlight);
    if (this.profile.requireAllNodesOnline && offline.length > 0) {
      throw refusedError('NODES_OFFLINE', `RequireAllNodesOnline is set and ${offline.map((n) => `${n.name} is ${n.state}`).join(', ')}; nothing was touched.`, {
        hint: 'Bring the nodes online, or run without --require-all-nodes-online to update the nodes that are up.',
      });
    }
    if (!cluster.quorum.healthy) {
      throw refusedError('QUORUM_UNHEALTHY', `Cluster ${cluster.name} has no healthy quorum (witness ${cluster.quorum.witnessType}: ${cluster.quorum.witnessState}); nothing was touched.`, {
        hint: 'Fix quorum first: Get-ClusterQuorum, and check the witness.',
      });
    }
    return cluster;
  }

  // -------------------------------------------------------------------------------------------------------
  // Scan and stage

  private async scanNode(node: string, plugins: readonly PluginSpec[]): Promise<UpdateInfo[]> {
    const all: UpdateInfo[] = [];
    for (const spec of plugins) {
      const { updates } = await this.call(node, 'scan-updates', { plugin: spec.plugin, arguments: { ...spec.arguments } }, RunTimings.unreachableGraceMs);
      all.push(...updates.map((u) => ({ ...u, plugin: spec.plugin }) as UpdateInfo));
    }
    return all;
  }

  private async forEachBounded<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const workers = Array.from({ length: Math.min(RunTimings.scanConcurrency, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++]!;
        await fn(item);
      }
    });
    await Promise.all(workers);
  }

  private async stageNode(work: NodeWork): Promise<void> {
    const byPlugin = groupByPlugin(work.updates, this.profile.plugins);
    for (const [index, { spec, updates }] of byPlugin.entries()) {
      if (updates.length === 0 || spec.plugin === 'Microsoft.HotfixPlugin') continue;
      const taskId = `${this.runId.slice(0, 8)}-${safeId(work.name)}-stage-p${index}`;
      await this.call(work.name, 'start-update-task', {
        plugin: spec.plugin,
        arguments: { ...spec.arguments },
        mode: 'Download',
        updateIds: updates.map((u) => u.updateId),
        taskId,
      });
      const status = await this.awaitTask(work.name, taskId);
      if (status.state !== 'Completed') {
        this.emit({ type: 'warning', code: 'StageFailed', node: work.name, message: `Staging on ${work.name} ended ${status.state}${status.message ? `: ${status.message}` : ''}; the install will download instead.` });
      }
    }
  }

  // -------------------------------------------------------------------------------------------------------
  // The per-node procedure

  private async phase<T>(work: NodeWork, phase: NodePhase, fn: () => Promise<T>, detail?: (value: T) => string): Promise<T> {
    const start = this.deps.clock.now();
    this.emit({ type: 'phase-started', node: work.name, phase, attempt: work.attempts });
    await this.notify(work.name, phase, phase);
    try {
      const value = await fn();
      const end = this.deps.clock.now();
      const text = detail?.(value);
      work.phases.push({ phase, attempt: work.attempts, start: this.iso(start), end: this.iso(end), ok: true, ...(text ? { detail: text } : {}) });
      this.emit({ type: 'phase-completed', node: work.name, phase, attempt: work.attempts, durationSeconds: (end - start) / 1000, ...(text ? { detail: text } : {}) });
      return value;
    } catch (error) {
      const end = this.deps.clock.now();
      work.phases.push({ phase, attempt: work.attempts, start: this.iso(start), end: this.iso(end), ok: false, detail: describeError(error) });
      throw error;
    }
  }

  private step(work: NodeWork, step: string, data: Record<string, unknown> = {}): void {
    this.journal('step', { node: work.name, attempt: work.attempts, step, ...data });
  }

  private fail(phase: NodePhase, code: string, message: string, node: string, options: { fatal?: boolean; outOfService?: boolean } = {}): AttemptFailure {
    return new AttemptFailure(phase, { code, message, node }, options.fatal ?? false, options.outOfService ?? false);
  }

  private async runNodeScript(work: NodeWork, phase: 'pre-script' | 'post-script', path: string): Promise<void> {
    await this.phase(work, phase, async () => {
      const result = await this.call(work.name, 'invoke-node-script', { path, configurationName: this.profile.configurationName });
      if (result.exitCode !== 0) {
        const code = phase === 'pre-script' ? 'PreUpdateScriptFailed' : 'PostUpdateScriptFailed';
        throw this.fail(phase, code, `${path} exited ${result.exitCode} on ${work.name}${result.output ? `: ${result.output.trim().slice(-300)}` : ''}`, work.name);
      }
    });
  }

  /**
   * Waits until `node` may be drained: healthy storage and the cluster gate (invariant 2). The long wait is
   * for storage; then both are read again back to back, right before the suspend, so a node that went down
   * during the wait is seen.
   */
  private async awaitDrainGate(work: NodeWork): Promise<void> {
    const deadline = this.deps.clock.now() + this.profile.waitForStorageRepairTimeoutMinutes * 60_000;
    for (;;) {
      const remainingS = Math.max(0, Math.floor((deadline - this.deps.clock.now()) / 1000));
      const waited = await this.call(this.options.entry, 'wait-storage-healthy', { timeoutSeconds: Math.min(remainingS, RunTimings.longPollSeconds), pollSeconds: 5 });
      let verdict = judgeStorage(waited);
      if (verdict.healthy) {
        const cluster = await this.call(this.options.entry, 'get-cluster', {});
        const gate = drainGate({ cluster, candidate: work.name, requireAllNodesOnline: this.profile.requireAllNodesOnline });
        if (gate.ok) {
          verdict = judgeStorage(await this.call(this.options.entry, 'get-storage-health', {}));
          if (verdict.healthy) return;
        } else {
          if (this.deps.clock.now() >= deadline) {
            throw this.fail('drain', gate.code, `Not safe to drain ${work.name}: ${gate.message}`, work.name, { fatal: true });
          }
          await this.deps.clock.sleep(Math.min(RunTimings.gateRetryMs, Math.max(1000, deadline - this.deps.clock.now())));
        }
      }
      if (!verdict.healthy && this.deps.clock.now() >= deadline) {
        throw this.fail('drain', 'StorageNotHealthy', `Storage did not become healthy within ${this.profile.waitForStorageRepairTimeoutMinutes} min before draining ${work.name}: ${verdict.reason}`, work.name, { fatal: true });
      }
      await this.heartbeat();
    }
  }

  private async suspend(work: NodeWork): Promise<void> {
    await this.phase(work, 'drain', async () => {
      await this.awaitDrainGate(work);
      const deadline = this.deps.clock.now() + this.profile.suspendClusterNodeTimeoutMinutes * 60_000;
      this.step(work, 'suspend-requested');
      for (;;) {
        try {
          await this.gateway.call(this.options.entry, 'suspend-node', {
            name: work.name,
            forceDrain: this.profile.forcePauseAndDrain,
            timeoutSeconds: 30 * 60,
          });
          break;
        } catch (error) {
          if (isTransient(error)) {
            // The reply was lost: the suspend may or may not have happened. Never repeat it blindly — read
            // the node's state, and if it is not paused, pass the gate again before another try.
            const live = await this.call(work.name, 'get-node-status', {});
            if (live.clusterNodeState === 'Paused') break;
            if (this.deps.clock.now() >= deadline) throw this.fail('drain', 'SuspendTimeout', `${work.name} could not be suspended: ${describeError(error)}`, work.name);
            await this.awaitDrainGate(work);
            continue;
          }
          if (error instanceof OperationFailedError && error.scriptCode === ScriptErrorCode.spaceDegraded && this.deps.clock.now() < deadline) {
            // Storage degraded: wait for it, as CAU does for ERROR_CLUSTER_SPACE_DEGRADED; not an attempt.
            await this.awaitDrainGate(work);
            await this.heartbeat();
            continue;
          }
          if (error instanceof OperationFailedError) {
            const code = error.scriptCode === ScriptErrorCode.drainFailed ? 'DrainFailed' : error.scriptCode === ScriptErrorCode.spaceDegraded ? 'SuspendTimeout' : 'SuspendFailed';
            throw this.fail('drain', code, error.message, work.name);
          }
          throw error;
        }
      }
      work.pausedByRun = true;
      work.suspendedAt = this.deps.clock.now();
      work.rebootsThisMaintenance = 0;
      this.step(work, 'suspended');
    });
  }

  private async awaitTask(node: string, taskId: string): Promise<OperationResult<'wait-update-task'>> {
    const deadline = this.deps.clock.now() + RunTimings.installTimeoutMs;
    for (;;) {
      const status = await this.call(node, 'wait-update-task', { taskId, timeoutSeconds: RunTimings.longPollSeconds }, RunTimings.installTimeoutMs);
      if (status.state !== 'Running') return status;
      if (this.deps.clock.now() >= deadline) return { ...status, state: 'Failed', message: `the task ran longer than ${RunTimings.installTimeoutMs / 3600000} h` };
      await this.heartbeat();
    }
  }

  /** Installs one plug-in's updates through the node's one-shot task; returns its results. */
  private async installPlugin(work: NodeWork, round: number, pluginIndex: number, spec: PluginSpec, updates: UpdateInfo[], resumeTaskId?: string): Promise<OperationResult<'wait-update-task'>> {
    const taskId = resumeTaskId ?? `${this.runId.slice(0, 8)}-${safeId(work.name)}-a${work.attempts}-r${round}-p${pluginIndex}`;
    if (resumeTaskId === undefined) {
      this.step(work, 'task-started', { round, taskId, pluginIndex });
      await this.call(work.name, 'start-update-task', {
        plugin: spec.plugin,
        arguments: { ...spec.arguments },
        mode: 'Install',
        updateIds: updates.map((u) => u.updateId),
        taskId,
      });
    }
    let status = await this.awaitTask(work.name, taskId);
    if (status.state === 'NotFound' && resumeTaskId !== undefined) {
      // The task never started before the crash: nothing was installed by it.
      status = { state: 'Completed', results: [], rebootRequired: false };
    }
    this.step(work, 'task-finished', { round, taskId, results: status.results, state: status.state });
    for (const r of status.results) work.results.set(r.updateId, r);
    return status;
  }

  /**
   * Before a paused node restarts: no other node may be down (with S2D a second missing node costs data
   * redundancy; without S2D a down node is tolerated while quorum survives), and storage must be healthy —
   * except for this node's own resync debt once it has already restarted in this maintenance window (it comes
   * back stale and resyncs only after resume; SBE packages need up to three restarts in a row).
   */
  private async awaitRestartGate(work: NodeWork): Promise<void> {
    const deadline = this.deps.clock.now() + this.profile.waitForStorageRepairTimeoutMinutes * 60_000;
    for (;;) {
      const cluster = await this.call(this.options.entry, 'get-cluster', {});
      const down = cluster.nodes.filter((n) => n.name !== work.name && (n.state === 'Down' || n.state === 'Unknown'));
      const clusterOk = down.length === 0 || (!cluster.s2dEnabled && !this.profile.requireAllNodesOnline && quorumSurvives(cluster, work.name));
      const storage = work.rebootsThisMaintenance > 0 ? { healthy: true as const } : judgeStorage(await this.call(this.options.entry, 'get-storage-health', {}));
      if (clusterOk && storage.healthy) return;
      if (this.deps.clock.now() >= deadline) {
        const why = !clusterOk ? `${down.map((n) => n.name).join(', ')} went down and restarting ${work.name} too would risk quorum or storage redundancy` : `storage is not healthy: ${(storage as { reason: string }).reason}`;
        throw this.fail('reboot', !clusterOk ? 'QuorumAtRisk' : 'StorageNotHealthy', `Not safe to restart ${work.name}: ${why}.`, work.name);
      }
      await this.deps.clock.sleep(Math.min(RunTimings.gateRetryMs, Math.max(1000, deadline - this.deps.clock.now())));
      await this.heartbeat();
    }
  }

  private async restart(work: NodeWork, round: number, source: 'round' | 'failure', options: { waitAfter?: boolean } = {}): Promise<void> {
    await this.awaitRestartGate(work);
    await this.phase(work, 'reboot', async () => {
      const before = await this.call(work.name, 'get-node-status', {});
      this.step(work, 'restart-requested', { round, bootBefore: before.lastBootUpTime, source });
      try {
        const result = await this.gateway.call(work.name, 'restart-node', { soft: this.profile.attemptSoftReboot, delaySeconds: RunTimings.restartDelaySeconds });
        work.bootType = result.bootType;
      } catch (error) {
        // Not retried: the restart may have been accepted before the connection dropped. The wait below
        // tells, by the boot time.
        if (!isTransient(error)) throw error;
        work.bootType = this.profile.attemptSoftReboot ? 'SoftReboot' : 'FullReboot';
      }
    }, () => `${work.bootType}`);
    if (options.waitAfter !== false) await this.awaitReboot(work, round, (await this.lastBootBefore(work))!, source);
  }

  /**
   * Resuming at a journaled restart: the crash may have come between the journal record and the restart call.
   * A node that still answers with the old boot time well after the restart delay never got the call, so it
   * is made again; a node that is away or has a new boot time is restarting or back.
   */
  private async ensureRestartIssued(work: NodeWork, round: number, bootBefore: string, source: 'round' | 'failure'): Promise<void> {
    const stillUp = async (): Promise<boolean> => {
      try {
        return (await this.gateway.call(work.name, 'get-node-status', {})).lastBootUpTime === bootBefore;
      } catch (error) {
        if (isTransient(error)) return false;
        throw error;
      }
    };
    if (!(await stillUp())) return;
    await this.deps.clock.sleep((RunTimings.restartDelaySeconds + RESTART_GRACE_SECONDS) * 1000);
    if (!(await stillUp())) return;
    await this.restart(work, round, source, { waitAfter: false });
  }

  private async lastBootBefore(work: NodeWork): Promise<string | undefined> {
    const records = this.deps.journal.records();
    for (let i = records.length - 1; i >= 0; i--) {
      const r = records[i]!;
      if (r.type === 'step' && r.node === work.name && r.step === 'restart-requested') return String(r.bootBefore);
    }
    return undefined;
  }

  /** Boot time changed, auto-start services running, cluster node state back: within RebootTimeoutMinutes. */
  private async awaitReboot(work: NodeWork, round: number, bootBefore: string, source: 'round' | 'failure'): Promise<void> {
    await this.phase(work, 'wait-node', async () => {
      const deadline = this.deps.clock.now() + this.profile.rebootTimeoutMinutes * 60_000;
      let last: string;
      for (;;) {
        try {
          const status = await this.gateway.call(work.name, 'get-node-status', {});
          const back = status.lastBootUpTime !== bootBefore;
          const servicesUp = status.autoStartServicesNotRunning.length === 0;
          const clusterBack = status.clusterNodeState === 'Paused' || status.clusterNodeState === 'Up';
          if (back && servicesUp && clusterBack) break;
          last = !back
            ? 'the node has not restarted yet'
            : !servicesUp
              ? `auto-start services not running: ${status.autoStartServicesNotRunning.join(', ')}`
              : `cluster node state is ${status.clusterNodeState}`;
        } catch (error) {
          if (!isTransient(error)) throw error;
          last = describeError(error);
        }
        if (this.deps.clock.now() >= deadline) {
          throw this.fail('wait-node', 'RebootTimeout', `${work.name} did not come back within RebootTimeoutMinutes (${this.profile.rebootTimeoutMinutes} min): ${last}`, work.name, { fatal: true, outOfService: true });
        }
        await this.deps.clock.sleep(Math.min(RunTimings.rebootPollMs, Math.max(0, deadline - this.deps.clock.now())));
        await this.heartbeat();
      }
      work.reboots += 1;
      work.rebootsThisMaintenance += 1;
      this.step(work, 'node-back', { round, source });
    });
  }

  private async rescan(work: NodeWork, phase: NodePhase): Promise<UpdateInfo[]> {
    return this.phase(work, phase, () => this.scanNode(work.name, this.profile.plugins), (u) => `${u.length} update(s)`);
  }

  private async resumeNode(work: NodeWork): Promise<void> {
    await this.phase(work, 'resume', async () => {
      this.step(work, 'resume-requested');
      const status = await this.call(work.name, 'get-node-status', {});
      if (status.clusterNodeState === 'Paused') {
        await this.call(this.options.entry, 'resume-node', { name: work.name, failback: this.profile.failbackMode });
      }
      work.pausedByRun = false;
      if (work.suspendedAt !== null) {
        work.suspendedMs += this.deps.clock.now() - work.suspendedAt;
      }
      this.step(work, 'resumed');
    });
  }

  private async awaitStorage(work: NodeWork): Promise<void> {
    await this.phase(work, 'resync', async () => {
      const deadline = this.deps.clock.now() + this.profile.waitForStorageRepairTimeoutMinutes * 60_000;
      for (;;) {
        const remainingS = Math.max(0, Math.ceil((deadline - this.deps.clock.now()) / 1000));
        const storage = await this.call(this.options.entry, 'wait-storage-healthy', { timeoutSeconds: Math.min(remainingS, RunTimings.longPollSeconds), pollSeconds: 5 });
        const verdict = judgeStorage(storage);
        if (verdict.healthy) return;
        if (this.deps.clock.now() >= deadline) {
          throw this.fail('resync', 'StorageRepairTimeout', `Storage did not heal within WaitForStorageRepairTimeoutMinutes (${this.profile.waitForStorageRepairTimeoutMinutes} min) after ${work.name} resumed: ${verdict.reason}. No further node was drained.`, work.name, { fatal: true });
        }
        await this.heartbeat();
      }
    });
  }

  /** One attempt of the whole per-node process, from `at` (a fresh attempt starts at 'start'). */
  private async attempt(work: NodeWork, at: ResumeStep): Promise<AttemptOutcome> {
    try {
      let step = at;
      if (step.step === 'start') {
        if (this.profile.preUpdateScript) await this.runNodeScript(work, 'pre-script', this.profile.preUpdateScript);
        this.step(work, 'pre-script-done');
        step = { step: 'suspend' };
      }
      if (step.step === 'suspend') {
        const live = await this.call(work.name, 'get-node-status', {});
        if (live.clusterNodeState === 'Paused') {
          work.pausedByRun = true;
          work.suspendedAt ??= this.deps.clock.now();
          this.step(work, 'suspended');
        } else {
          await this.suspend(work);
        }
        step = { step: 'install', round: 1 };
      }
      if (step.step === 'await-reboot') {
        work.pausedByRun = true;
        await this.ensureRestartIssued(work, step.round, step.bootBefore, step.rebootSource);
        await this.awaitReboot(work, step.round, step.bootBefore, step.rebootSource);
        step = step.rebootSource === 'failure' ? { step: 'resume' } : { step: 'install', round: step.round + 1 };
      }
      if (step.step === 'install' || step.step === 'await-task') {
        work.pausedByRun = true;
        const failure = await this.installRounds(work, step);
        if (failure !== undefined) throw failure;
        step = { step: 'resume' };
      }
      if (step.step === 'resume') {
        await this.resumeNode(work);
        step = { step: 'after-resume' };
      }
      await this.awaitStorage(work);
      if (this.profile.postUpdateScript) await this.runNodeScript(work, 'post-script', this.profile.postUpdateScript);
      return { ok: true };
    } catch (error) {
      if (error instanceof LockLostError) throw error;
      const failure =
        error instanceof AttemptFailure
          ? error
          : isTransient(error)
            ? this.fail(this.currentPhaseOf(), 'NodeUnreachable', `${work.name} stayed unreachable: ${describeError(error)}`, work.name, { fatal: work.pausedByRun, outOfService: work.pausedByRun })
            : this.fail(this.currentPhaseOf(), error instanceof AppError ? error.code : 'UnexpectedError', describeError(error), work.name);
      if (!failure.fatal && work.pausedByRun) {
        const cleaned = await this.leaveMaintenance(work);
        if (!cleaned.ok) return cleaned;
      }
      return { ok: false, fatal: failure.fatal, error: failure.record, phase: failure.phase, outOfService: failure.outOfService };
    }
  }

  private currentPhaseOf(): NodePhase {
    const phase = this.currentPhase;
    return (phase ?? 'install') as NodePhase;
  }

  /** After a failed attempt: bring the node back into service safely before retrying or moving on. */
  private async leaveMaintenance(work: NodeWork): Promise<AttemptOutcome> {
    try {
      await this.resumeNode(work);
      await this.awaitStorage(work);
      return { ok: true };
    } catch (error) {
      const record = error instanceof AttemptFailure ? error.record : { code: 'ResumeFailed', message: `${work.name} could not be resumed: ${describeError(error)}`, node: work.name };
      return { ok: false, fatal: true, error: record, phase: 'resume', outOfService: work.pausedByRun };
    }
  }

  /** Install rounds: install, restart if needed, rescan for follow-ups; until nothing is left. */
  private async installRounds(work: NodeWork, at: { step: 'install'; round: number } | { step: 'await-task'; round: number; taskId: string; pluginIndex: number }): Promise<AttemptFailure | undefined> {
    let round = at.round;
    let resumeTask: { taskId: string; pluginIndex: number } | undefined = at.step === 'await-task' ? { taskId: at.taskId, pluginIndex: at.pluginIndex } : undefined;
    // A fresh first attempt installs what the preflight scan found; anything else rescans first.
    let updates: UpdateInfo[] | undefined = at.step === 'install' && round === 1 && work.attempts === 1 && resumeTask === undefined ? work.updates : undefined;
    for (; round <= RunTimings.maxRounds; round++) {
      if (updates === undefined && resumeTask === undefined) {
        updates = await this.rescan(work, 'rescan');
      }
      const pending = updates ?? [];
      if (pending.length === 0 && resumeTask === undefined) return undefined;
      let failed: UpdateInstallResult[] = [];
      let rebootRequired = false;
      await this.phase(work, 'install', async () => {
        const groups = groupByPlugin(pending, this.profile.plugins);
        for (const [index, { spec, updates: forPlugin }] of groups.entries()) {
          if (resumeTask !== undefined && index < resumeTask.pluginIndex) continue;
          const resuming = resumeTask !== undefined && index === resumeTask.pluginIndex ? resumeTask.taskId : undefined;
          if (forPlugin.length === 0 && resuming === undefined) continue;
          const status = await this.installPlugin(work, round, index, spec, forPlugin, resuming);
          resumeTask = undefined;
          const pluginFailures = status.results.filter(isFailedResult);
          if (status.state === 'Failed' && pluginFailures.length === 0) {
            pluginFailures.push(...forPlugin.map((u) => ({ updateId: u.updateId, kb: u.kb, title: u.title, resultCode: 'Failed', errorCode: '0x80004005', rebootRequired: false })));
            for (const r of pluginFailures) work.results.set(r.updateId, r);
          }
          failed = failed.concat(pluginFailures);
          const needsReboot = status.rebootRequired || status.results.some((r) => r.rebootRequired && !isFailedResult(r));
          if (this.profile.separateReboots && needsReboot && index < groups.length - 1) {
            await this.restart(work, round, 'round');
          } else if (needsReboot) {
            rebootRequired = true;
          }
          if (pluginFailures.length > 0 && this.profile.stopOnPluginFailure) break;
        }
      }, () => `${pending.length} update(s)`);
      if (failed.length > 0) {
        // The phase ran to its end, but the installs failed: the timeline shows it as a failed phase.
        const index = work.phases.map((p) => p.phase).lastIndexOf('install');
        if (index >= 0) work.phases[index] = { ...work.phases[index]!, ok: false, detail: `${failed.length} of ${pending.length} update(s) failed: ${failed.map((f) => `${f.kb || f.title} ${f.errorCode}`).join(', ')}` };
      }
      if (rebootRequired) await this.restart(work, round, failed.length > 0 ? 'failure' : 'round');
      if (failed.length > 0) {
        return this.fail('install', 'InstallFailed', `${failed.length} update(s) failed on ${work.name}: ${failed.map((f) => `${f.kb || f.title} (${f.errorCode})`).join(', ')}`, work.name);
      }
      updates = undefined;
    }
    this.emit({ type: 'warning', code: 'TooManyRounds', node: work.name, message: `${work.name} still offers updates after ${RunTimings.maxRounds} install rounds; moving on.` });
    return undefined;
  }

  private nodeResult(work: NodeWork, status: RunStatus, error: ErrorRecord | null): NodeResult {
    const results = [...work.results.values()];
    const succeeded = results.filter((r) => !isFailedResult(r) && r.resultCode !== 'NotApplicable' && r.resultCode !== 'AlreadyInstalled').length;
    const failed = results.filter(isFailedResult).length;
    return {
      node: work.name,
      status,
      attempts: work.attempts,
      numberOfSucceededUpdates: succeeded,
      numberOfFailedUpdates: failed,
      installResults: results,
      rebooted: work.reboots > 0,
      nodeRebootResult: { bootType: work.reboots > 0 ? work.bootType : 'None', reboots: work.reboots },
      errorRecord: error,
      nodeSuspendedTimestamp: work.phases.find((p) => p.phase === 'drain' && p.ok)?.end ?? null,
      nodeSuspendedDurationSeconds: work.suspendedMs > 0 ? Math.round(work.suspendedMs / 1000) : null,
      phases: work.phases,
    };
  }

  private async finishNode(result: NodeResult): Promise<void> {
    this.nodeResults.push(result);
    this.journal('node-completed', { node: result.node, result });
    this.emit({
      type: 'node-completed',
      node: result.node,
      status: result.status,
      attempts: result.attempts,
      numberOfSucceededUpdates: result.numberOfSucceededUpdates,
      numberOfFailedUpdates: result.numberOfFailedUpdates,
    });
    await this.notify(result.node, result.status, null);
  }

  /** Runs attempts for one node until it succeeds, exhausts its retries, or the run cannot go on. */
  private async processNode(work: NodeWork, resume?: { attempt: number; at: ResumeStep }): Promise<{ result: NodeResult; fatal?: ErrorRecord }> {
    const maxAttempts = 1 + this.profile.maxRetriesPerNode;
    let at: ResumeStep = resume?.at ?? { step: 'start' };
    let attempt = resume?.attempt ?? 1;
    this.active = work;
    for (; attempt <= maxAttempts; attempt++) {
      work.attempts = attempt;
      if (resume === undefined || attempt !== resume.attempt) {
        this.journal('attempt-started', { node: work.name, attempt });
        at = { step: 'start' };
      }
      const outcome = await this.attempt(work, at);
      if (outcome.ok) return { result: this.nodeResult(work, 'Succeeded', null) };
      const willRetry = !outcome.fatal && attempt < maxAttempts && this.halt === undefined;
      this.emit({ type: 'attempt-failed', node: work.name, phase: outcome.phase, attempt, code: outcome.error.code, message: outcome.error.message, willRetry });
      if (outcome.fatal) {
        const status: RunStatus = outcome.error.code === 'StorageRepairTimeout' && work.results.size > 0 ? 'PartiallyFailed' : 'Failed';
        return { result: this.nodeResult(work, status, outcome.error), fatal: outcome.error };
      }
      if (!willRetry) {
        const anySucceeded = [...work.results.values()].some((r) => !isFailedResult(r));
        return { result: this.nodeResult(work, anySucceeded ? 'PartiallyFailed' : 'Failed', outcome.error) };
      }
      await this.checkStopRequests();
      if (this.halt !== undefined) {
        return { result: this.nodeResult(work, 'Failed', outcome.error) };
      }
    }
    throw new Error('unreachable: attempt loop ended without a result');
  }

  private newWork(name: string, updates: UpdateInfo[]): NodeWork {
    return { name, updates, attempts: 0, results: new Map(), reboots: 0, bootType: 'None', phases: [], suspendedAt: null, suspendedMs: 0, pausedByRun: false, rebootsThisMaintenance: 0 };
  }

  // -------------------------------------------------------------------------------------------------------
  // The run

  async execute(): Promise<RunResult> {
    const replay: JournalState | undefined = this.options.resumeFrom ? replayJournal(this.options.resumeFrom.records) : undefined;
    const cluster = await this.preflight();
    this.runId = replay?.runId ?? this.deps.newRunId();
    this.startMs = replay ? Date.parse(replay.started.time) : this.deps.clock.now();
    await this.lock.acquire(this.runId, this.progress(), {
      ...(replay ? { takeOverRunId: replay.runId } : {}),
      forceRecovery: this.options.forceRecovery,
      takeOverDeadLocal: this.options.takeOverDeadLocalLock === true,
    });
    this.lastHeartbeatWallMs = this.deps.wallClock.now();
    // Checked under the lock, so a live run elsewhere is reported as "locked", not as its paused node.
    const paused = cluster.nodes.filter((n) => n.state === 'Paused');
    if (paused.length > 0 && replay === undefined) {
      await this.lock.release();
      throw refusedError('NODE_ALREADY_PAUSED', `${paused.map((n) => n.name).join(', ')} ${paused.length === 1 ? 'is' : 'are'} already paused; a rolling run takes one node out of service at a time. Nothing was touched.`, {
        hint: `Resume it first with cauctl run --resume-node ${paused[0]!.name}, or continue an interrupted cauctl run with cauctl run --resume.`,
      });
    }
    let fatal: ErrorRecord | undefined;
    try {
      if (replay === undefined) await writeStopRequest({ gateway: this.gateway, entryNode: this.options.entry }, null);
      // On resume, "down at start" is what the journal recorded: a node down now may be our own reboot.
      const downAtStart = new Set(replay ? [] : cluster.nodes.filter((n) => n.state === 'Down' || n.state === 'Unknown').map((n) => n.name));
      let order: string[];
      const scanned = new Map<string, UpdateInfo[]>();
      const scanFailures = new Map<string, string>();
      if (replay) {
        order = (replay.started.order as string[] | undefined) ?? orderNodes(cluster.nodes, this.profile.nodeOrder);
        this.order = order;
        for (const node of (replay.started.downAtStart as string[] | undefined) ?? []) downAtStart.add(node);
        for (const result of replay.completed.values()) this.nodeResults.push(result);
        if (replay.halted) this.halt = { kind: 'unsafe', code: 'Halted', message: 'halted before the interruption' };
      } else {
        order = orderNodes(cluster.nodes, this.profile.nodeOrder);
        this.order = order;
        this.journal('run-started', {
          runId: this.runId,
          clusterName: cluster.name,
          order,
          maxFailedNodes: this.maxFailedNodes,
          plugins: this.profile.plugins.map((p) => p.plugin),
          downAtStart: [...downAtStart],
        });
      }
      this.emit({ type: 'run-started', clusterName: cluster.name, nodes: order, plugins: this.profile.plugins.map((p) => p.plugin), resumed: replay !== undefined });
      this.emit({ type: 'preflight', check: 'cluster', ok: true, detail: `${cluster.nodes.length} nodes, quorum healthy, MaxFailedNodes ${this.maxFailedNodes}` });

      const scanRecord = replay?.scan;
      if (scanRecord) {
        for (const [node, updates] of Object.entries(scanRecord.scan)) scanned.set(node, updates);
        for (const [node, reason] of Object.entries(scanRecord.scanFailures)) scanFailures.set(node, reason);
      } else {
        const reachable = order.filter((n) => !downAtStart.has(n) && !this.nodeResults.some((r) => r.node === n));
        if (this.profile.enableFirewallRules) {
          await this.forEachBounded(reachable, async (node) => {
            await this.call(node, 'repair-setup', { enableRemoteShutdownFirewall: true, installFeatures: [], disableCredSspServer: false });
          });
        }
        await this.forEachBounded(reachable, async (node) => {
          const work = this.newWork(node, []);
          try {
            const updates = await this.phase(work, 'scan', () => this.scanNode(node, this.profile.plugins), (u) => `${u.length} update(s)`);
            scanned.set(node, updates);
          } catch (error) {
            scanFailures.set(node, describeError(error));
          }
        });
        this.journal('scan-completed', { scan: Object.fromEntries(scanned), scanFailures: Object.fromEntries(scanFailures) });
        await this.forEachBounded([...scanned.keys()].filter((n) => scanned.get(n)!.length > 0), async (node) => {
          const work = this.newWork(node, scanned.get(node)!);
          try {
            await this.phase(work, 'stage', () => this.stageNode(work));
          } catch (error) {
            this.emit({ type: 'warning', code: 'StageFailed', node, message: `Staging on ${node} failed: ${describeError(error)}; the install will download instead.` });
          }
        });
      }

      const done = new Set(this.nodeResults.map((r) => r.node));
      for (const node of order) {
        if (done.has(node)) continue;
        if (this.halt === undefined) {
          this.checkTimeLimits();
          await this.checkStopRequests();
        }
        const resumeHere = replay?.inFlight?.node === node ? replay.inFlight : undefined;
        if (this.halt !== undefined && resumeHere === undefined) {
          await this.finishNode(this.canceledResult(node));
          continue;
        }
        const failedSoFar = () => this.nodeResults.filter((r) => r.status === 'Failed' || r.status === 'PartiallyFailed').length;
        if (downAtStart.has(node) || scanFailures.has(node)) {
          const reason = downAtStart.has(node) ? `${node} was not online when the run started` : `the scan of ${node} failed: ${scanFailures.get(node)}`;
          const work = this.newWork(node, []);
          await this.finishNode(this.nodeResult(work, 'Failed', { code: downAtStart.has(node) ? 'NodeOffline' : 'ScanFailed', message: reason, node }));
        } else {
          const updates = scanned.get(node) ?? [];
          const work = this.newWork(node, updates);
          if (resumeHere) {
            for (const r of resumeHere.installResults) work.results.set(r.updateId, r);
            work.reboots = resumeHere.reboots;
            // The journal does not say how many of those fell in this maintenance window; assume all did
            // when the node was restarted after its suspend, which only relaxes the node's own resync debt.
            work.rebootsThisMaintenance = resumeHere.reboots;
            work.suspendedAt = resumeHere.suspendedAt === null ? null : Date.parse(resumeHere.suspendedAt);
          }
          if (updates.length === 0 && resumeHere === undefined) {
            work.attempts = 1;
            await this.finishNode(this.nodeResult(work, 'Succeeded', null));
          } else {
            const outcome = await this.processNode(work, resumeHere ? { attempt: resumeHere.attempt, at: resumeHere.at } : undefined);
            await this.finishNode(outcome.result);
            if (outcome.fatal) {
              fatal = outcome.fatal;
              this.noteHalt({ kind: 'unsafe', code: outcome.fatal.code, message: outcome.fatal.message }, outcome.fatal.code, outcome.fatal.message);
            }
          }
        }
        if (this.halt === undefined && budgetExceeded(failedSoFar(), this.maxFailedNodes)) {
          fatal = { code: 'MaxFailedNodesExceeded', message: `${failedSoFar()} node(s) failed, more than MaxFailedNodes (${this.maxFailedNodes}); the run stopped and touched no further node.` };
          this.noteHalt({ kind: 'budget' }, fatal.code, fatal.message);
        }
      }
    } catch (error) {
      if (error instanceof LockLostError || isTransient(error)) {
        // The lock was taken from us, or the cluster stayed unreachable past every grace period: stop
        // touching anything, and report what happened to each node.
        const code = error instanceof LockLostError ? error.code : 'ClusterUnreachable';
        fatal = { code, message: describeError(error) };
        this.noteHalt({ kind: 'unsafe', code, message: fatal.message }, code, fatal.message);
        for (const node of this.order) {
          if (!this.nodeResults.some((r) => r.node === node)) this.nodeResults.push(this.active?.name === node ? this.nodeResult(this.active, 'Failed', { ...fatal, node }) : this.canceledResult(node));
        }
      } else {
        throw error;
      }
    } finally {
      if (this.lock.held) {
        try {
          await this.lock.release();
        } catch (error) {
          this.warnings.push(`The cluster lock could not be released: ${describeError(error)}. It expires with its lease.`);
        }
      }
    }
    return this.finish(fatal);
  }

  private canceledResult(node: string): NodeResult {
    return this.nodeResult(this.newWork(node, []), 'Canceled', null);
  }

  private finish(fatal: ErrorRecord | undefined): RunResult {
    const status = runStatus(this.nodeResults, this.halt);
    let errorRecord: ErrorRecord | null = fatal ?? null;
    if (errorRecord === null && this.halt?.kind === 'user') errorRecord = { code: 'UserCanceled', message: 'The run was canceled at a safe point; the remaining nodes were not touched.' };
    if (errorRecord === null && this.halt?.kind === 'stopAfter') errorRecord = { code: 'StopAfterExceeded', message: 'The run exceeded StopAfter and stopped at a safe point.' };
    if (errorRecord === null && status === 'PartiallyFailed') {
      const failed = this.nodeResults.filter((r) => r.status !== 'Succeeded').map((r) => r.node);
      errorRecord = { code: 'NodesFailed', message: `${failed.join(', ')} did not update; within MaxFailedNodes (${this.maxFailedNodes}).` };
    }
    const result: RunResult = {
      schemaVersion: 1,
      runId: this.runId,
      clusterName: this.clusterName,
      status,
      startTime: this.iso(this.startMs),
      endTime: this.iso(),
      errorRecord,
      plugins: this.profile.plugins.map((p) => p.plugin),
      maxFailedNodes: this.maxFailedNodes,
      nodeResults: this.nodeResults,
      warnings: this.warnings,
      resumed: this.options.resumeFrom !== undefined,
    };
    this.journal('run-completed', { status, errorRecord });
    this.emit({ type: 'run-completed', status, errorCode: errorRecord?.code ?? null });
    return result;
  }
}

function isFailedResult(r: UpdateInstallResult): boolean {
  return r.resultCode === 'Failed' || r.resultCode === 'Aborted';
}

function safeId(node: string): string {
  return node.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 30);
}

/** Updates grouped by plug-in, in CauPluginName order (install is always sequential per plug-in). */
function groupByPlugin(updates: readonly UpdateInfo[], plugins: readonly PluginSpec[]): Array<{ spec: PluginSpec; updates: UpdateInfo[] }> {
  return plugins.map((spec) => ({
    spec,
    updates: updates.filter((u) => ((u as UpdateInfo & { plugin?: string }).plugin ?? plugins[0]!.plugin) === spec.plugin),
  }));
}

/** Exit code of a finished run (DESIGN.md): 0 done, 3 failed or stopped, 6 partially failed. */
export function exitCodeForRun(result: RunResult): number {
  switch (result.status) {
    case 'Succeeded':
      return ExitCode.ok;
    case 'PartiallyFailed':
      return ExitCode.partiallyFailed;
    default:
      return ExitCode.runFailed;
  }
}
