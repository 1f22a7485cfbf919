/**
 * The rolling run, CAU's coordinator, as a driver: preflight, lock, parallel scan and staging, then one node at
 * a time through the shared node steps (src/core/node-steps), with retries, the failure budget,
 * WarnAfter/StopAfter, graceful stop, resume from the journal, and a safe halt when the journal cannot be
 * written. Its decisions are pure functions (policy.ts, node-decisions.ts); this file carries them out.
 * Depends on interfaces only: gateway, clock, journal, event sink. Never on node:*, a transport or the CLI.
 */
import type { Gateway } from '../cluster/gateway.js';
import type { ClusterInfo, UndrainedAllowance, UpdateInfo, UpdateInstallResult } from '../cluster/operations.js';
import { RetryingGateway, describeRetry } from '../cluster/retrying-gateway.js';
import { AppError, ExitCode, describeError, isTransient, refusedError } from '../errors.js';
import { JournalWriteError, type RunJournal } from '../journal/journal.js';
import { mapBounded } from './bounded.js';
import type { EventSink, NodePhase, RunEventBody, RunStatus } from './events.js';
import { EVENT_SCHEMA_VERSION } from './events.js';
import type { Clock } from '../platform/clock.js';
import {
  ClusterLock,
  DEFAULT_LEASE_SECONDS,
  LockLostError,
  readStopRequest,
  writeStopRequest,
  type LockOwner,
} from './cluster-lock.js';
import type { ErrorCode } from './error-codes.js';
import { JournalWriter, type NodeStepRecord } from './journal-records.js';
import { replayJournal, type InFlightNode, type JournalState, type ResumeStep } from './journal-replay.js';
import { classifyFailure, startAttempt, transition, type AttemptCommand, type AttemptEvent, type AttemptOutcome } from './node-attempt.js';
import { afterAttempt, atSuspendOnResume, isFailedResult, type NodeWindow } from './node-decisions.js';
import {
  StepFailure,
  awaitBoot,
  awaitHealthyStorage,
  awaitRestartGate,
  capacityGate,
  capacityShortfall,
  DEFAULT_SUSPEND_TRIES,
  RETRYABLE_SUSPEND_FAILURES,
  ensureRestartIssued,
  gateAndSuspend,
  installViaTask,
  requestRestart,
  resumeNode,
  resumeWhenBack,
  scanNode,
  type RebootSource,
  type StepContext,
  type SuspendOptions,
  type SuspendOutcome,
} from './node-steps/index.js';
import { budgetExceeded, runStatus, type HaltReason } from './policy.js';
import { runPreflight } from './preflight.js';
import type { RunScan } from './plan.js';
import { clusterlessPreflight, serversToResume } from './clusterless.js';
import { readGroupCapacity, readGroupStorage } from './group-facts.js';
import { nextGroup } from './groups.js';
import { afterCanary, preInstallable, preInstallOutcome, PRE_INSTALL_PLUGIN } from './pre-install.js';
import type { ScannedUpdate } from './node-steps/scan.js';
import { RunPresence } from './run-progress.js';
import type { ErrorRecord, ForcedDowntime, NodeResult, PhaseRecord, PluginSpec, RunProfile, RunResult } from './types.js';

/** A stop request from this process (Ctrl-C) — checked at safe points, like stop-run's. */
export interface StopSwitch {
  readonly requested: boolean;
}

export interface CoordinatorDeps {
  /** The plain gateway (the run wraps it in its retrying one). A clusterless run's answers its lock calls locally. */
  readonly gateway: Gateway;
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
  /** The finish predicted now (run clock, ms), from the plan the caller has; published in the lock for get-run. */
  readonly predictedEnd?: () => number | undefined;
  /**
   * Called once with what the run's own scan found, right after it is journaled and before staging: a caller
   * with no plan at the start predicts the finish from it (no extra operation on any node). Must not throw.
   */
  readonly onScanCompleted?: (scan: RunScan) => void;
}

export interface RollingRunOptions {
  /** Where cluster-wide operations run: the cluster name (or a node). */
  readonly entry: string;
  /** The interrupted run to continue (`--resume`), from its journal (and the file it came from, for errors). */
  readonly resumeFrom?: { readonly records: Parameters<typeof replayJournal>[0]; readonly path?: string };
  readonly forceRecovery: boolean;
  /** `--resume` found no journal: a dead lock left by this host (crash before the first record) may be taken. */
  readonly takeOverDeadLocalLock?: boolean;
  /**
   * A clusterless run (clusterless.ts): these standalone servers, one at a time in this order, with no drain,
   * resume, storage wait, cluster gate or cluster-wide call; `entry` then names the run's local state (its lock).
   */
  readonly clusterless?: { readonly servers: readonly string[] };
}

/** Timing constants of the driver, named in one place (the node steps' own are in node-steps/context.ts). */
export const RunTimings = {
  /** Parallel scans and stagings at once. */
  scanConcurrency: 32,
  /** Install/reboot/rescan rounds per attempt (follow-up updates). */
  maxRounds: 5,
} as const;

export { isTransient };

/** What the scan found: each node's updates, and the nodes whose scan failed. */
interface ScanOutcome {
  readonly scanned: Map<string, UpdateInfo[]>;
  readonly scanFailures: Map<string, string>;
}

/** A node ready for its window: its work, and where a resumed run stands. */
interface Prepared {
  readonly work: NodeWork;
  readonly resume?: { attempt: number; at: ResumeStep };
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
  /** This run sent the node's suspend (or found it paused by its journal) and has not resumed it yet. */
  pausedByRun: boolean;
  /**
   * The node entered this run's window (its suspend was sent, or it was found paused by the journal) and its
   * storage has not been awaited since: a failed attempt waits for its resync even once it is resumed.
   */
  windowOpen: boolean;
  /** Restarts since the node was last suspended (its own resync debt grows with the first). */
  rebootsThisMaintenance: number;
  /** This maintenance window paused the node undrained under a force switch (invariant 8's exception). */
  allowUndrained: UndrainedAllowance | undefined;
  /** What a force switch let go down on this node, for its result. */
  forced: ForcedDowntime | undefined;
  /** The phase in progress (several nodes may be in flight at once). */
  phase: NodePhase | null;
  /** The other nodes of its group (--max-concurrent-nodes): they may be out of service with it. */
  groupMates: readonly string[];
  /** The group's first drains: every member drained (or out of the attempt) before any installs or restarts. */
  barrier: DrainBarrier | undefined;
  /** --pre-install installed on the node while it served: its window restarts, then rescans. */
  preInstalled: { readonly rebootRequired: boolean } | undefined;
  /** --pre-install failed on the node: its first attempt, failed; the window is the next attempt. */
  preInstallError: ErrorRecord | undefined;
}

/**
 * The first drains of a group meet here: a member that is drained waits until every other member is drained
 * too (or its attempt ended before), so that no member restarts while another is still to be suspended (S2D
 * refuses a suspend while a server is away) and no VM is moved onto a member about to leave.
 */
class DrainBarrier {
  private readonly waiting: Set<string>;
  private readonly opened: Promise<void>;
  private open!: () => void;

  constructor(members: readonly string[]) {
    this.waiting = new Set(members);
    this.opened = new Promise<void>((resolve) => {
      this.open = resolve;
    });
    if (this.waiting.size === 0) this.open();
  }

  /** The member is drained: wait for the others. */
  arrive(member: string): Promise<void> {
    this.leave(member);
    return this.opened;
  }

  /** The member will not drain in this pass (its attempt ended, or it finished). */
  leave(member: string): void {
    this.waiting.delete(member);
    if (this.waiting.size === 0) this.open();
  }
}

/** What the driver knows about the run as a whole; node work lives in NodeWork. */
interface RunState {
  runId: string;
  clusterName: string;
  startMs: number;
  maxFailedNodes: number;
  order: string[];
  halt: HaltReason | undefined;
  haltNoted: boolean;
  warned: boolean;
  readonly warnings: string[];
  readonly nodeResults: NodeResult[];
  /** The nodes in flight (one at a time, or a group with --max-concurrent-nodes). */
  readonly active: Map<string, NodeWork>;
}

export class RollingRun {
  private readonly lock: ClusterLock;
  private readonly leaseSeconds: number;
  private readonly gateway: RetryingGateway;
  private readonly journal: JournalWriter;
  private readonly steps: StepContext;
  private readonly run: RunState = { runId: '', clusterName: '', startMs: 0, maxFailedNodes: 0, order: [], halt: undefined, haltNoted: false, warned: false, warnings: [], nodeResults: [], active: new Map() };
  /** Nodes pre-installed (--pre-install), with their first attempt's record, until their window. */
  private readonly preInstalled = new Map<string, NodeWork>();
  /** Members of a group still in flight: a halt then stops touching only once they are back (see haltTouching). */
  private groupInFlight = 0;
  /** What a safe halt could not undo (said in the error, with the lock kept). */
  private pendingAfterHalt: string[] = [];
  private readonly presence: RunPresence;
  /** A clusterless run's servers that did not answer its preflight, with why (said in their results). */
  private readonly notAnswering = new Map<string, string>();

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
    this.gateway = new RetryingGateway(
      deps.gateway,
      deps.clock,
      {},
      (notice) =>
        this.emit({
          type: 'warning',
          code: 'NodeNotReachableRetrying',
          node: notice.node,
          message: describeRetry(notice),
        }),
      // A node may stay unreachable longer than the lock's lease: the lease is kept alive while it is retried.
      () => this.presence.heartbeat(),
    );
    this.journal = new JournalWriter(deps.journal, () => deps.clock.now());
    this.presence = new RunPresence({ lock: this.lock, clock: deps.clock, wallClock: deps.wallClock, leaseSeconds: this.leaseSeconds, run: () => this.run, ...(deps.predictedEnd ? { predictedEnd: deps.predictedEnd } : {}) });
    this.steps = {
      gateway: this.gateway,
      clock: deps.clock,
      journal: this.journal,
      entry: options.entry,
      heartbeat: () => this.presence.heartbeat(),
      notice: ({ code, node, message }) => {
        this.run.warnings.push(message);
        this.emit({ type: 'warning', code, node, message });
      },
    };
  }

  /** A clusterless run (standalone servers): see RollingRunOptions.clusterless. */
  private get clusterless(): boolean {
    return this.options.clusterless !== undefined;
  }

  /** Nodes this run has paused and not yet resumed (for the second Ctrl-C and the safe halt). */
  pausedNodes(): string[] {
    return [...this.run.active.values()].filter((w) => w.pausedByRun).map((w) => w.name);
  }

  private iso(ms = this.deps.clock.now()): string {
    return new Date(ms).toISOString();
  }

  private emit(body: RunEventBody): void {
    this.deps.sink.emit({ ...body, schemaVersion: EVENT_SCHEMA_VERSION, time: this.iso(), runId: this.run.runId } as never);
  }

  private noteHalt(reason: HaltReason, code: string, message: string): void {
    if (this.run.halt === undefined) {
      this.run.halt = reason;
      this.journal.write({ type: 'run-halted', code, message });
      this.emit({ type: 'run-halted', code, message });
    }
    this.haltTouching();
  }

  /** From here on no node is touched (told to the simulator's audit once). */
  private haltTouching(): void {
    // The other members of a group in flight finish their window (the group was judged safe to be away
    // together); from their end on, nothing more is touched.
    if (this.groupInFlight > 0) return;
    if (!this.run.haltNoted) {
      this.run.haltNoted = true;
      this.deps.onHalt?.();
    }
  }

  private checkTimeLimits(): void {
    const elapsed = this.deps.clock.now() - this.run.startMs;
    if (!this.run.warned && this.profile.warnAfterMs !== undefined && elapsed > this.profile.warnAfterMs) {
      this.run.warned = true;
      const message = `The run is still going after WarnAfter (${Math.round(this.profile.warnAfterMs / 60000)} min).`;
      this.run.warnings.push(message);
      this.emit({ type: 'warning', code: 'WarnAfterExceeded', message });
    }
    if (this.run.halt === undefined && this.profile.stopAfterMs !== undefined && elapsed > this.profile.stopAfterMs) {
      this.noteHalt({ kind: 'stopAfter' }, 'StopAfterExceeded', `The run exceeded StopAfter (${Math.round(this.profile.stopAfterMs / 60000)} min) and stopped at a safe point.`);
    }
  }

  private async checkStopRequests(): Promise<void> {
    if (this.run.halt !== undefined) return;
    if (this.deps.stop.requested) {
      this.noteHalt({ kind: 'user' }, 'UserCanceled', 'The run was canceled by the user (Ctrl-C) at a safe point.');
      return;
    }
    const request = await this.presence.withClusterReconnect(() => readStopRequest({ gateway: this.deps.gateway, entryNode: this.options.entry }));
    if (request !== null && request.runId === this.run.runId) {
      this.noteHalt({ kind: 'user' }, 'UserCanceled', `The run was canceled by ${request.requestedBy} (stop-run) at a safe point.`);
    }
  }

  // -------------------------------------------------------------------------------------------------------
  // Preflight

  /** Everything that must hold before anything is touched (preflight.ts: the same as --what-if's). */
  private async preflight(replay: JournalState | undefined): Promise<ClusterInfo> {
    const read = this.options.clusterless !== undefined
      ? await clusterlessPreflight(this.deps.gateway, replay ? serversToResume(replay.started.order, this.options.clusterless.servers) : this.options.clusterless.servers, this.profile, this.options.entry)
      : await runPreflight(this.deps.gateway, {
      entry: this.options.entry,
      profile: this.profile,
      ...(replay?.inFlight ? { inFlightNode: replay.inFlight.node } : {}),
    });
    const { cluster, target } = read;
    if ('unanswered' in read) for (const [server, why] of read.unanswered) this.notAnswering.set(server, why);
    this.run.clusterName = cluster.name;
    this.run.maxFailedNodes = target.maxFailedNodes;
    this.run.order = [...target.order];
    return cluster;
  }

  // -------------------------------------------------------------------------------------------------------
  // Scan and stage

  /** `fn` on each item, RunTimings.scanConcurrency at once; after a failure no further item starts (bounded.ts). */
  private async forEachBounded<T>(items: readonly T[], fn: (item: T) => Promise<void>, limit: number = RunTimings.scanConcurrency): Promise<void> {
    await mapBounded(items, limit, fn);
  }

  private taskId(node: string, suffix: string): string {
    return `${this.run.runId.slice(0, 8)}-${safeId(node)}-${suffix}`;
  }

  /** Downloads every node's updates before any drain, so downloads stay off the critical path. */
  private async stageNode(work: NodeWork): Promise<void> {
    for (const [index, { spec, updates }] of groupByPlugin(work.updates, this.profile.plugins).entries()) {
      if (updates.length === 0 || spec.plugin === 'Microsoft.HotfixPlugin') continue;
      const task = { spec, mode: 'Download' as const, updateIds: updates.map((u) => u.updateId), taskId: this.taskId(work.name, `stage-p${index}`), round: 0, pluginIndex: index };
      const status = await installViaTask(this.steps, work.name, task, { attempt: 0, resume: false, requireDrained: false, journaled: false });
      if (status.state !== 'Completed') {
        this.emit({ type: 'warning', code: 'StageFailed', node: work.name, message: `Staging on ${work.name} ended ${status.state}${status.message ? `: ${status.message}` : ''}; the install will download instead.` });
      }
    }
  }

  private async scanAndStage(order: readonly string[], downAtStart: ReadonlySet<string>): Promise<{ scanned: Map<string, UpdateInfo[]>; scanFailures: Map<string, string> }> {
    const scanned = new Map<string, UpdateInfo[]>();
    const scanFailures = new Map<string, string>();
    const reachable = order.filter((n) => !downAtStart.has(n) && !this.run.nodeResults.some((r) => r.node === n));
    if (this.profile.enableFirewallRules) {
      await this.forEachBounded(reachable, async (node) => {
        await this.gateway.call(node, 'repair-setup', { enableRemoteShutdownFirewall: true, installFeatures: [], disableCredSspServer: false });
      });
    }
    await this.forEachBounded(reachable, async (node) => {
      try {
        scanned.set(node, await this.phase(this.newWork(node, []), 'scan', () => scanNode(this.gateway, node, this.profile.plugins), (u) => `${u.length} update(s)`));
      } catch (error) {
        if (error instanceof JournalWriteError || error instanceof LockLostError) throw error;
        scanFailures.set(node, describeError(error));
      }
    });
    this.journal.write({ type: 'scan-completed', scan: Object.fromEntries(scanned), scanFailures: Object.fromEntries(scanFailures) });
    this.deps.onScanCompleted?.({ target: { clusterName: this.run.clusterName, order, maxFailedNodes: this.run.maxFailedNodes }, down: downAtStart, updates: scanned, scanFailures });
    await this.forEachBounded([...scanned.keys()].filter((n) => scanned.get(n)!.length > 0), async (node) => {
      const work = this.newWork(node, scanned.get(node)!);
      try {
        await this.phase(work, 'stage', () => this.stageNode(work));
      } catch (error) {
        if (error instanceof JournalWriteError || error instanceof LockLostError) throw error;
        this.emit({ type: 'warning', code: 'StageFailed', node, message: `Staging on ${node} failed: ${describeError(error)}; the install will download instead.` });
      }
    });
    return { scanned, scanFailures };
  }

  // -------------------------------------------------------------------------------------------------------
  // The per-node procedure

  private async phase<T>(work: NodeWork, phase: NodePhase, fn: () => Promise<T>, detail?: (value: T) => string): Promise<T> {
    const start = this.deps.clock.now();
    work.phase = phase;
    this.emit({ type: 'phase-started', node: work.name, phase, attempt: work.attempts });
    await this.presence.notify(work.name, phase, phase);
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

  private step(work: NodeWork, record: NodeStepRecord): void {
    this.journal.step(work.name, work.attempts, record);
  }

  private async runNodeScript(work: NodeWork, phase: 'pre-script' | 'post-script', path: string): Promise<void> {
    await this.phase(work, phase, async () => {
      const result = await this.gateway.call(work.name, 'invoke-node-script', { path, configurationName: this.profile.configurationName });
      if (result.exitCode !== 0) {
        const code = phase === 'pre-script' ? 'PreUpdateScriptFailed' : 'PostUpdateScriptFailed';
        throw new StepFailure(code, phase, work.name, `${path} exited ${result.exitCode} on ${work.name}${result.output ? `: ${result.output.trim().slice(-300)}` : ''}`);
      }
    });
  }

  /** Records what a force switch accepted on a node: in its result, in the run's warnings, as an event. */
  private noteForced(work: NodeWork, forced: ForcedDowntime, why: string): void {
    const rolesDown = [...new Set([...(work.forced?.rolesDown ?? []), ...forced.rolesDown])];
    work.forced = { switch: forced.switch, rolesDown };
    const message = `${forced.switch}: ${why}`;
    this.run.warnings.push(message);
    this.emit({ type: 'warning', code: forced.switch, node: work.name, message });
  }

  private markPaused(work: NodeWork): void {
    work.pausedByRun = true;
    work.windowOpen = true;
    work.suspendedAt ??= this.deps.clock.now();
    work.rebootsThisMaintenance = 0;
  }

  /** A resumed run finds the node in its window (paused by the journal's suspend): it is the run's again. */
  private claim(work: NodeWork): void {
    work.pausedByRun = true;
    work.windowOpen = true;
  }

  private markResumed(work: NodeWork): void {
    work.pausedByRun = false;
    if (work.suspendedAt !== null) work.suspendedMs += this.deps.clock.now() - work.suspendedAt;
    work.suspendedAt = null;
  }

  /**
   * Takes the node out of service. A node found paused (a resumed run whose suspend was sent) is kept only
   * when it is really drained; a paused node with a failed or unfinished drain is resumed and drained again.
   */
  private async drain(work: NodeWork): Promise<void> {
    await this.phase(work, 'drain', async () => {
      const live = await this.gateway.call(work.name, 'get-node-status', {});
      const decision = atSuspendOnResume(live);
      if (decision === 'keep') {
        this.markPaused(work);
        this.step(work, { step: 'suspended' });
        return;
      }
      if (decision === 'resume-then-drain') {
        this.claim(work);
        await resumeNode(this.steps, work.name, work.attempts, 'NoFailback');
        this.markResumed(work);
      }
      // Under a force switch a capacity shortfall is accepted downtime, named, not a refusal; ForcePauseNoDrain
      // moves nothing, so there is nothing to place.
      const forcedSwitch = this.profile.undrainedSwitch ?? (this.profile.forcePauseAndDrain ? 'ForcePauseAndDrain' : undefined);
      let shortfall: string[] = [];
      const capacity = this.profile.undrainedSwitch === 'ForcePauseNoDrain'
        ? undefined
        : (cluster: ClusterInfo, node: string) =>
            capacityGate(this.steps, cluster, node, forcedSwitch === undefined ? undefined : (vms) => { shortfall = vms; });
      const outcome = await this.suspendWithRetries(work, {
        attempt: work.attempts,
        requireAllNodesOnline: this.profile.requireAllNodesOnline,
        storageTimeoutMinutes: this.profile.waitForStorageRepairTimeoutMinutes,
        ...(capacity !== undefined ? { capacity } : {}),
        drainTimeoutMinutes: this.profile.suspendClusterNodeTimeoutMinutes,
        rebootTimeoutMinutes: this.profile.rebootTimeoutMinutes,
        forceDrain: this.profile.forcePauseAndDrain,
        ...(work.groupMates.length > 0 ? { groupMates: work.groupMates } : {}),
        ...(this.profile.undrainedSwitch !== undefined ? { allowUndrained: this.profile.undrainedSwitch } : {}),
        onSuspendSent: () => this.markPaused(work),
        onResumed: () => this.markResumed(work),
      });
      if (!outcome.drained) {
        work.allowUndrained = outcome.allowedBy;
        const roles = outcome.runningRoles.length > 0 ? outcome.runningRoles.join(', ') : 'no running role';
        const how = outcome.allowedBy === 'ForcePauseNoDrain' ? 'paused without a drain' : 'its drain failed; it stays paused';
        this.noteForced(work, { switch: outcome.allowedBy, rolesDown: outcome.runningRoles }, `${work.name} ${how} and is updated and restarted with ${roles} on it (down during its restart).`);
      } else if (this.profile.forcePauseAndDrain && shortfall.length > 0) {
        this.noteForced(work, { switch: 'ForcePauseAndDrain', rolesDown: shortfall }, `the forced drain of ${work.name} stopped ${shortfall.join(', ')} (no node could take them live) and moved them as failed roles.`);
      }
    });
  }

  /**
   * SuspendRetriesPerNode: a suspend whose drain failed (the node resumed again, NoFailback) is sent again, up
   * to that many suspends in this attempt, before the attempt fails. These are not MaxRetriesPerNode's retries.
   */
  private async suspendWithRetries(work: NodeWork, options: SuspendOptions): Promise<SuspendOutcome> {
    const tries = this.profile.suspendRetriesPerNode ?? DEFAULT_SUSPEND_TRIES;
    for (let attempt = 1; ; attempt++) {
      try {
        return await gateAndSuspend(this.steps, work.name, options);
      } catch (error) {
        if (!(error instanceof StepFailure) || !RETRYABLE_SUSPEND_FAILURES.has(error.code) || attempt >= tries) throw error;
        this.emit({ type: 'warning', code: 'SuspendRetry', node: work.name, message: `Suspend ${attempt} of ${tries} (SuspendRetriesPerNode) failed: ${error.message} Trying again.` });
      }
    }
  }

  /** Restarts a paused node: the restart gate, then the journaled restart, then the wait for it. */
  private async restart(work: NodeWork, round: number, source: RebootSource): Promise<void> {
    // A standalone server's restart takes nothing else down: there is no cluster gate to wait at.
    if (!this.clusterless) {
      await awaitRestartGate(this.steps, work.name, {
        requireAllNodesOnline: this.profile.requireAllNodesOnline,
        storageTimeoutMinutes: this.profile.waitForStorageRepairTimeoutMinutes,
        ownResyncDebt: work.rebootsThisMaintenance > 0,
        ...(work.groupMates.length > 0 ? { groupMates: work.groupMates } : {}),
      });
    }
    const options = this.restartOptions(work, round, source);
    const sent = await this.phase(work, 'reboot', () => requestRestart(this.steps, work.name, options), (r) => r.bootType);
    work.bootType = sent.bootType;
    if (options.soft && sent.bootType === 'FullReboot' && (sent.softBootStatus === 'NotInstalled' || sent.softBootStatus === 'Bypassed')) {
      // A soft restart was asked for; the node restarts fully. Said, so a longer restart is not a surprise.
      const why = sent.softBootStatus === 'NotInstalled' ? 'it has no Kernel Soft Reboot (ksrcmd.exe: Azure Stack HCI 21H2 and later)' : 'it opts out (CauBypassSoftBootOnNode)';
      const message = `${work.name} restarts fully instead of softly: ${why}.`;
      this.run.warnings.push(message);
      this.emit({ type: 'warning', code: 'SoftRebootFallback', node: work.name, message });
    }
    await this.awaitReboot(work, round, source, sent.bootBefore);
  }

  /** The restart kind the run asks for, as requestRestart assumes it when the node's reply is lost. */
  private requestedBootType(): 'FullReboot' | 'SoftReboot' {
    return this.profile.attemptSoftReboot ? 'SoftReboot' : 'FullReboot';
  }

  private restartOptions(work: NodeWork, round: number, source: RebootSource) {
    return {
      attempt: work.attempts,
      round,
      source,
      soft: this.profile.attemptSoftReboot,
      rebootTimeoutMinutes: this.profile.rebootTimeoutMinutes,
      // A standalone server has no cluster node state to come back to, and is never drained.
      clusterRunning: !this.clusterless,
      gate: null,
      ...(work.allowUndrained !== undefined ? { allowUndrained: work.allowUndrained } : {}),
    };
  }

  private async awaitReboot(work: NodeWork, round: number, source: RebootSource, bootBefore: string): Promise<void> {
    const back = await this.phase(work, 'wait-node', () => awaitBoot(this.steps, work.name, { ...this.restartOptions(work, round, source), bootBefore }));
    if (work.bootType === 'SoftReboot' && back.softRestartFellBack) {
      // Scheduled soft, done fully: KSR refused when the restart ran. Reported as the restart the node did.
      work.bootType = 'FullReboot';
      const message = `${work.name} restarted fully instead of softly: Kernel Soft Reboot refused when the restart ran (ksrcmd.exe /Self failed), so the restart task restarted it fully. Its System event log just before ${back.bootTime} says why.`;
      this.run.warnings.push(message);
      this.emit({ type: 'warning', code: 'SoftRebootFallback', node: work.name, message });
    }
    work.reboots += 1;
    work.rebootsThisMaintenance += 1;
  }

  private async resume(work: NodeWork): Promise<void> {
    await this.phase(work, 'resume', async () => {
      await resumeWhenBack(this.steps, work.name, work.attempts, this.profile.failbackMode, this.profile.rebootTimeoutMinutes);
      this.markResumed(work);
      work.allowUndrained = undefined;
    });
  }

  private async awaitStorage(work: NodeWork): Promise<void> {
    await this.phase(work, 'resync', async () => {
      const verdict = await awaitHealthyStorage(this.steps, this.profile.waitForStorageRepairTimeoutMinutes, (progress) => this.emit({ type: 'storage-progress', node: work.name, ...progress }));
      if (verdict.healthy) work.windowOpen = false;
      else {
        throw new StepFailure('StorageRepairTimeout', 'resync', work.name, `Storage did not heal within WaitForStorageRepairTimeoutMinutes (${this.profile.waitForStorageRepairTimeoutMinutes} min) after ${work.name} resumed: ${verdict.reason}. No further node was drained.`);
      }
    });
  }

  /**
   * One attempt of the whole per-node process, from `at` (a fresh attempt starts at 'start'): the pure state
   * machine (node-attempt.ts) says what to do next; this carries each command out and feeds its reply back.
   */
  private async attempt(work: NodeWork, at: ResumeStep): Promise<AttemptOutcome> {
    const policy = { preUpdateScript: this.profile.preUpdateScript !== undefined, postUpdateScript: this.profile.postUpdateScript !== undefined, ...(this.clusterless ? { clusterless: true } : {}) };
    let { state, commands } = startAttempt(at, policy, work.name);
    while (state.at !== 'done') {
      const event = await this.carryOut(work, commands[0]!);
      const onFailurePath = state.at === 'cleanup-resume' || state.at === 'cleanup-storage';
      ({ state, commands } = transition(state, event, policy, work.name));
      // The failure path begins: written ahead, so that an attempt interrupted on it still ends failed.
      if (!onFailurePath && (state.at === 'cleanup-resume' || state.at === 'cleanup-storage')) {
        this.step(work, { step: 'attempt-failed', error: state.failure.error, phase: state.failure.phase, fatal: state.fatal, awaitStorage: state.awaitStorage });
      }
    }
    return state.outcome;
  }

  /** Runs one command; its reply is an event. Only a lost lock or an unwritable journal escape (the run stops). */
  private async carryOut(work: NodeWork, command: AttemptCommand): Promise<AttemptEvent> {
    try {
      await this.perform(work, command);
      return { type: 'done', window: windowOf(work) };
    } catch (error) {
      // A member of a group that did not get drained in this pass lets the others go on.
      work.barrier?.leave(work.name);
      if (error instanceof LockLostError || error instanceof JournalWriteError) throw error;
      return { type: 'failed', failure: classifyFailure(error, work.phase ?? this.presence.currentPhase ?? 'install', work.name), window: windowOf(work) };
    }
  }

  private async perform(work: NodeWork, command: AttemptCommand): Promise<void> {
    switch (command.type) {
      case 'pre-script':
        if (command.run) await this.runNodeScript(work, 'pre-script', this.profile.preUpdateScript!);
        this.step(work, { step: 'pre-script-done' });
        return;
      case 'drain':
        await this.drain(work);
        // The first drains of a group meet here before any member installs or restarts.
        await work.barrier?.arrive(work.name);
        return;
      case 'resume-no-failback':
        // Interrupted after a failed drain: the node is resumed (again, if it was); its window was open, so the
        // failure path still waits for its storage.
        work.windowOpen = true;
        await resumeNode(this.steps, work.name, work.attempts, 'NoFailback');
        this.markResumed(work);
        return;
      case 'finish-restart': {
        if (!this.clusterless) this.claim(work);
        const options = { ...this.restartOptions(work, command.round, command.source), bootBefore: command.bootBefore };
        const sentAgain = await ensureRestartIssued(this.steps, work.name, options);
        if (sentAgain !== undefined) work.bootType = sentAgain;
        return this.awaitReboot(work, command.round, command.source, command.bootBefore);
      }
      case 'install-rounds': {
        // A standalone server is never paused: there is nothing the failure path would have to undo.
        if (!this.clusterless) this.claim(work);
        // --pre-install (and a resumed run, which does not know what a pre-install did): see afterPreInstall.
        const fresh = command.from.step === 'install' && command.from.round === 1;
        const from = fresh && (this.profile.preInstall === true || this.options.resumeFrom !== undefined) ? await this.afterPreInstall(work) : command.from;
        return this.installRounds(work, from);
      }
      case 'resume':
        return this.resume(work);
      case 'await-storage':
        return this.awaitStorage(work);
      case 'post-script':
        return this.runNodeScript(work, 'post-script', this.profile.postUpdateScript!);
    }
  }

  /**
   * The window of a node under --pre-install, once drained: what was pre-installed waits only for the restart
   * (a node with a restart pending gets it first, which also covers a resumed run that does not remember the
   * pre-install), then the rescan installs what is left (drivers, follow-ups, other plug-ins). A node that was
   * not pre-installed (the canary, a failed pre-install, the serial fallback) goes through its install rounds.
   * In a resumed run the scan of the journal may be stale (a pre-install ran before the interruption), so the
   * window rescans first instead of installing that list again.
   */
  private async afterPreInstall(work: NodeWork): Promise<{ step: 'install'; round: number }> {
    const pre = work.preInstalled;
    work.preInstalled = undefined;
    const pending = pre?.rebootRequired === true || (await this.gateway.call(work.name, 'get-node-status', {})).rebootPending;
    if (pending) {
      await this.restart(work, 1, 'round');
      return { step: 'install', round: 2 };
    }
    return pre !== undefined || this.options.resumeFrom !== undefined ? { step: 'install', round: 2 } : { step: 'install', round: 1 };
  }

  /** Install rounds: install, restart if needed, rescan for follow-ups; until nothing is left. */
  private async installRounds(work: NodeWork, at: { step: 'install'; round: number } | { step: 'await-task'; round: number; taskId: string; pluginIndex: number }): Promise<void> {
    let resumeTask = at.step === 'await-task' ? { taskId: at.taskId, pluginIndex: at.pluginIndex } : undefined;
    // A fresh first attempt installs what the preflight scan found; anything else rescans first.
    let updates: UpdateInfo[] | undefined = at.step === 'install' && at.round === 1 && work.attempts === 1 ? work.updates : undefined;
    for (let round = at.round; round <= RunTimings.maxRounds; round++) {
      if (updates === undefined && resumeTask === undefined) {
        updates = await this.phase(work, 'rescan', () => scanNode(this.gateway, work.name, this.profile.plugins), (u) => `${u.length} update(s)`);
      }
      const pending = updates ?? [];
      if (pending.length === 0 && resumeTask === undefined) return;
      const round_ = await this.installRound(work, round, pending, resumeTask);
      resumeTask = undefined;
      if (round_.rebootRequired) await this.restart(work, round, round_.failed.length > 0 ? 'failure' : 'round');
      if (round_.failed.length > 0) {
        const why = round_.taskFailures.length > 0 ? `; ${round_.taskFailures.join('; ')}` : '';
        throw new StepFailure('InstallFailed', 'install', work.name, `${round_.failed.length} update(s) failed on ${work.name}: ${round_.failed.map((f) => `${f.kb || f.title} (${f.errorCode})`).join(', ')}${why}`);
      }
      // SkipUpdateChecks: no rescan for follow-ups; what the scan found is installed once (run.ts --help).
      if (this.profile.skipUpdateChecks === true) return;
      updates = undefined;
    }
    this.emit({ type: 'warning', code: 'TooManyRounds', node: work.name, message: `${work.name} still offers updates after ${RunTimings.maxRounds} install rounds; moving on.` });
  }

  /** One install round: each plug-in's task in turn (a separate restart between them when asked for). */
  private async installRound(work: NodeWork, round: number, pending: readonly UpdateInfo[], resumeTask: { taskId: string; pluginIndex: number } | undefined): Promise<{ failed: UpdateInstallResult[]; rebootRequired: boolean; taskFailures: string[] }> {
    let failed: UpdateInstallResult[] = [];
    let rebootRequired = false;
    /** Why a task failed with no result of its own per update (stopped, timed out, its worker gone). */
    const taskFailures: string[] = [];
    await this.phase(work, 'install', async () => {
      const groups = groupByPlugin(pending, this.profile.plugins);
      for (const [index, { spec, updates: forPlugin }] of groups.entries()) {
        if (resumeTask !== undefined && index < resumeTask.pluginIndex) continue;
        const resuming = resumeTask !== undefined && index === resumeTask.pluginIndex;
        if (forPlugin.length === 0 && !resuming) continue;
        const taskId = resuming ? resumeTask!.taskId : this.taskId(work.name, `a${work.attempts}-r${round}-p${index}`);
        const status = await installViaTask(this.steps, work.name, { spec, mode: 'Install', updateIds: forPlugin.map((u) => u.updateId), taskId, round, pluginIndex: index }, { attempt: work.attempts, resume: resuming, requireDrained: !this.clusterless, journaled: true, ...(work.allowUndrained !== undefined ? { allowUndrained: work.allowUndrained } : {}) });
        for (const r of status.results) work.results.set(r.updateId, r);
        const pluginFailures = status.results.filter(isFailedResult);
        if (status.state === 'Failed' && pluginFailures.length === 0) {
          taskFailures.push(`the update task cauctl-${taskId} ended Failed${status.message ? `: ${status.message}` : ''}`);
          pluginFailures.push(...forPlugin.map((u) => ({ updateId: u.updateId, kb: u.kb, title: u.title, resultCode: 'Failed', errorCode: '0x80004005', rebootRequired: false })));
          for (const r of pluginFailures) work.results.set(r.updateId, r);
        }
        failed = failed.concat(pluginFailures);
        const needsReboot = status.rebootRequired || status.results.some((r) => r.rebootRequired && !isFailedResult(r));
        if (this.profile.separateReboots && needsReboot && index < groups.length - 1) await this.restart(work, round, 'round');
        else if (needsReboot) rebootRequired = true;
        if (pluginFailures.length > 0 && this.profile.stopOnPluginFailure) break;
      }
      // A phase whose installs failed still ends (the restart that follows may be needed): its note says so.
      return failed.length;
    }, (failedCount) => `${pending.length} update(s)${failedCount > 0 ? `, ${failedCount} failed` : ''}`);
    if (failed.length > 0) {
      // The phase ran to its end, but the installs failed: the timeline shows it as a failed phase.
      const index = work.phases.map((p) => p.phase).lastIndexOf('install');
      if (index >= 0) work.phases[index] = { ...work.phases[index]!, ok: false, detail: `${failed.length} of ${pending.length} update(s) failed: ${failed.map((f) => `${f.kb || f.title} ${f.errorCode}`).join(', ')}` };
    }
    return { failed, rebootRequired, taskFailures };
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
      ...(work.forced !== undefined ? { forced: work.forced } : {}),
      errorRecord: error,
      nodeSuspendedTimestamp: work.phases.find((p) => p.phase === 'drain' && p.ok)?.end ?? null,
      nodeSuspendedDurationSeconds: work.suspendedMs > 0 ? Math.round(work.suspendedMs / 1000) : null,
      phases: work.phases,
    };
  }

  private async finishNode(result: NodeResult): Promise<void> {
    this.run.nodeResults.push(result);
    this.journal.write({ type: 'node-completed', node: result.node, result: { ...result, installResults: [...result.installResults], phases: [...result.phases] } });
    this.emit({
      type: 'node-completed',
      node: result.node,
      status: result.status,
      attempts: result.attempts,
      numberOfSucceededUpdates: result.numberOfSucceededUpdates,
      numberOfFailedUpdates: result.numberOfFailedUpdates,
    });
    await this.presence.notify(result.node, result.status, null);
  }

  /** Runs attempts for one node until it succeeds, exhausts its retries, or the run cannot go on. */
  private async processNode(work: NodeWork, resume?: { attempt: number; at: ResumeStep }): Promise<{ result: NodeResult; fatal?: ErrorRecord }> {
    const maxAttempts = 1 + this.profile.maxRetriesPerNode;
    let at: ResumeStep = resume?.at ?? { step: 'start' };
    // A failed pre-install was the node's first attempt (already reported); its window is the next one.
    let attempt = resume?.attempt ?? (work.preInstallError !== undefined ? 2 : 1);
    this.run.active.set(work.name, work);
    if (resume === undefined && work.preInstallError !== undefined && attempt > maxAttempts) {
      return { result: this.nodeResult(work, 'Failed', work.preInstallError) };
    }
    for (;;) {
      work.attempts = attempt;
      if (resume === undefined || attempt !== resume.attempt) {
        this.journal.write({ type: 'attempt-started', node: work.name, attempt });
        at = { step: 'start' };
      }
      const outcome = await this.attempt(work, at);
      const state = { attempt, maxAttempts, halted: this.run.halt !== undefined, installResults: [...work.results.values()] };
      const decision = afterAttempt(state, outcome.ok ? { kind: 'succeeded' } : { kind: 'failed', code: outcome.error.code as ErrorCode, fatal: outcome.fatal, ...(outcome.final === true ? { final: true } : {}) });
      if (!outcome.ok) {
        this.emit({ type: 'attempt-failed', node: work.name, phase: outcome.phase, attempt, code: outcome.error.code, message: outcome.error.message, willRetry: decision.next === 'retry' });
      }
      if (decision.next === 'done') {
        const error = outcome.ok ? null : outcome.error;
        return { result: this.nodeResult(work, decision.status, error), ...(decision.fatal && error ? { fatal: error } : {}) };
      }
      await this.checkStopRequests();
      if (this.run.halt !== undefined) return { result: this.nodeResult(work, 'Failed', outcome.ok ? null : outcome.error) };
      attempt = decision.attempt;
    }
  }

  private newWork(name: string, updates: UpdateInfo[]): NodeWork {
    return { name, updates, attempts: 0, results: new Map(), reboots: 0, bootType: 'None', phases: [], suspendedAt: null, suspendedMs: 0, pausedByRun: false, windowOpen: false, rebootsThisMaintenance: 0, allowUndrained: undefined, forced: undefined, phase: null, groupMates: [], barrier: undefined, preInstalled: undefined, preInstallError: undefined };
  }

  // -------------------------------------------------------------------------------------------------------
  // The run

  /** Preflight, the lock, and the run's first journal record (or the resumed run's state). */
  private async start(replay: JournalState | undefined): Promise<{ cluster: ClusterInfo; downAtStart: Set<string> }> {
    const cluster = await this.preflight(replay);
    this.run.runId = replay?.runId ?? this.deps.newRunId();
    this.run.startMs = replay ? Date.parse(replay.started.time) : this.deps.clock.now();
    await this.lock.acquire(this.run.runId, this.presence.snapshot(), {
      ...(replay ? { takeOverRunId: replay.runId } : {}),
      forceRecovery: this.options.forceRecovery,
      takeOverDeadLocal: this.options.takeOverDeadLocalLock === true,
    });
    this.presence.leaseTaken();
    // Checked under the lock, so a live run elsewhere is reported as "locked", not as its paused node.
    const paused = cluster.nodes.filter((n) => n.state === 'Paused');
    if (paused.length > 0 && replay === undefined) {
      await this.lock.release();
      throw refusedError('NODE_ALREADY_PAUSED', `${paused.map((n) => n.name).join(', ')} ${paused.length === 1 ? 'is' : 'are'} already paused; a rolling run takes one node out of service at a time. Nothing was touched.`, {
        hint: `Resume it first with cauctl run --resume-node ${paused[0]!.name}, or continue an interrupted cauctl run with cauctl run --resume.`,
      });
    }
    // On resume, "down at start" is what the journal recorded: a node down now may be our own reboot.
    const downAtStart = new Set(replay ? replay.started.downAtStart : cluster.nodes.filter((n) => n.state === 'Down' || n.state === 'Unknown').map((n) => n.name));
    return { cluster, downAtStart };
  }

  private announce(cluster: ClusterInfo, replay: JournalState | undefined, downAtStart: ReadonlySet<string>): void {
    if (replay) {
      this.run.order = replay.started.order;
      for (const result of replay.completed.values()) this.run.nodeResults.push(result);
      if (replay.halted) this.run.halt = { kind: 'unsafe', code: 'Halted', message: 'halted before the interruption' };
    } else {
      this.journal.write({
        type: 'run-started',
        runId: this.run.runId,
        clusterName: cluster.name,
        order: this.run.order,
        maxFailedNodes: this.run.maxFailedNodes,
        plugins: this.profile.plugins.map((p) => p.plugin),
        downAtStart: [...downAtStart],
      });
    }
    this.emit({ type: 'run-started', clusterName: cluster.name, nodes: this.run.order, plugins: this.profile.plugins.map((p) => p.plugin), resumed: replay !== undefined });
    const detail = this.clusterless
      ? `${cluster.nodes.length} standalone server(s), in no cluster: no drain, no storage gate; MaxFailedNodes ${this.run.maxFailedNodes}`
      : `${cluster.nodes.length} nodes, quorum healthy, MaxFailedNodes ${this.run.maxFailedNodes}`;
    this.emit({ type: 'preflight', check: 'cluster', ok: true, detail });
  }

  /**
   * Before the first node is touched, names the roles a force switch may take down: under ForcePauseNoDrain
   * every running role stays on its node; under the others, the VMs the capacity check finds no room for.
   */
  private async announceForcedDowntime(cluster: ClusterInfo, downAtStart: ReadonlySet<string>): Promise<void> {
    const forcedSwitch = this.profile.undrainedSwitch ?? (this.profile.forcePauseAndDrain ? 'ForcePauseAndDrain' : undefined);
    if (forcedSwitch === undefined) return;
    const nodes = this.run.order.filter((n) => !downAtStart.has(n));
    const perNode: string[] = [];
    if (forcedSwitch === 'ForcePauseNoDrain') {
      for (const node of nodes) {
        const roles = (await this.gateway.call(node, 'get-node-status', {})).runningRoles;
        if (roles.length > 0) perNode.push(`${node}: ${roles.join(', ')}`);
      }
    } else {
      for (const node of nodes) {
        const verdict = await capacityShortfall(this.steps, cluster, node);
        if (verdict.length > 0) perNode.push(`${node}: ${verdict.join(', ')}`);
      }
    }
    const what = forcedSwitch === 'ForcePauseNoDrain'
      ? 'nodes are paused without a drain; these roles stay on their node and go down while it restarts'
      : forcedSwitch === 'ForcePauseAndDrain'
        ? 'drains are forced; these VMs cannot move live and will be stopped and moved as failed roles'
        : 'a node whose drain fails is restarted anyway; these VMs cannot move live, so their node\'s drain will fail and they go down while it restarts';
    const message = `${forcedSwitch}: ${what}: ${perNode.length > 0 ? perNode.join('; ') : 'none expected now'}.`;
    this.run.warnings.push(message);
    this.emit({ type: 'warning', code: forcedSwitch, message });
  }

  private failedSoFar(): number {
    return this.run.nodeResults.filter((r) => r.status === 'Failed' || r.status === 'PartiallyFailed').length;
  }

  /** One node of the order: skipped, canceled, failed up front, or processed. Returns a fatal error record. */
  private async visitNode(node: string, replay: JournalState | undefined, scan: ScanOutcome, downAtStart: ReadonlySet<string>): Promise<ErrorRecord | undefined> {
    const prepared = await this.prepareNode(node, replay, scan, downAtStart);
    return prepared === undefined ? undefined : this.runPrepared(prepared);
  }

  /**
   * A node's turn, up to its window: finished at once when the run halted, the node was offline or its scan
   * failed, or it has nothing to install; otherwise its work (and where a resumed run stands) for processNode.
   */
  private async prepareNode(node: string, replay: JournalState | undefined, scan: ScanOutcome, downAtStart: ReadonlySet<string>): Promise<Prepared | undefined> {
    if (this.run.halt === undefined) {
      this.checkTimeLimits();
      await this.checkStopRequests();
    }
    const resumeHere = flightOf(replay, node);
    if (this.run.halt !== undefined && resumeHere === undefined) {
      const pre = this.preInstalled.get(node);
      if (pre !== undefined && pre.preInstallError === undefined) {
        // Installed while it served, but never restarted: the updates take effect at its next restart.
        const message = `${node} was pre-installed and not restarted: its updates take effect at its next restart (or in the next run's window).`;
        this.run.warnings.push(message);
        this.emit({ type: 'warning', code: 'PreInstalledNotRestarted', node, message });
      }
      await this.finishNode(pre !== undefined ? this.nodeResult(pre, 'Canceled', null) : this.canceledResult(node));
      return undefined;
    }
    if (downAtStart.has(node) || scan.scanFailures.has(node)) {
      const error: ErrorRecord = downAtStart.has(node)
        ? { code: 'NodeOffline', message: this.notAnswering.has(node) ? `${node} did not answer when the run started (${this.notAnswering.get(node)}); check that it is on and that WinRM answers on it` : `${node} was not online when the run started`, node }
        : { code: 'ScanFailed', message: `the scan of ${node} failed: ${scan.scanFailures.get(node)}`, node };
      await this.finishNode(this.nodeResult(this.newWork(node, []), 'Failed', error));
      return undefined;
    }
    const work = this.preInstalled.get(node) ?? this.newWork(node, scan.scanned.get(node) ?? []);
    if (resumeHere) {
      for (const r of resumeHere.installResults) work.results.set(r.updateId, r);
      work.reboots = resumeHere.reboots;
      // The last restart's kind as journaled; a journal without it (older, or a reply lost) reports the kind asked for.
      if (resumeHere.reboots > 0 || resumeHere.at.step === 'await-reboot') work.bootType = resumeHere.bootType ?? this.requestedBootType();
      // The journal does not say how many of those fell in this maintenance window; assume all did when the
      // node was restarted after its suspend, which only relaxes the node's own resync debt.
      work.rebootsThisMaintenance = resumeHere.reboots;
      work.suspendedAt = resumeHere.suspendedAt === null ? null : Date.parse(resumeHere.suspendedAt);
    }
    if (work.updates.length === 0 && resumeHere === undefined) {
      work.attempts = 1;
      await this.finishNode(this.nodeResult(work, 'Succeeded', null));
      return undefined;
    }
    return { work, ...(resumeHere ? { resume: { attempt: resumeHere.attempt, at: resumeHere.at } } : {}) };
  }

  /** The node's attempts, then its result; a fatal outcome halts the run. */
  private async runPrepared({ work, resume }: Prepared): Promise<ErrorRecord | undefined> {
    const outcome = await this.processNode(work, resume);
    this.run.active.delete(work.name);
    await this.finishNode(outcome.result);
    if (outcome.fatal) this.noteHalt({ kind: 'unsafe', code: outcome.fatal.code, message: outcome.fatal.message }, outcome.fatal.code, outcome.fatal.message);
    return outcome.fatal;
  }

  /** Whether the node will get a window (not finished at once by prepareNode). */
  private needsWindow(node: string, replay: JournalState | undefined, scan: ScanOutcome, downAtStart: ReadonlySet<string>): boolean {
    if (flightOf(replay, node) !== undefined) return true;
    return !downAtStart.has(node) && !scan.scanFailures.has(node) && (scan.scanned.get(node)?.length ?? 0) > 0;
  }

  /** The budget check after a node or a group: past MaxFailedNodes the run halts and touches no further node. */
  private checkBudget(): ErrorRecord | undefined {
    if (this.run.halt !== undefined || !budgetExceeded(this.failedSoFar(), this.run.maxFailedNodes)) return undefined;
    const fatal = { code: 'MaxFailedNodesExceeded', message: `${this.failedSoFar()} node(s) failed, more than MaxFailedNodes (${this.run.maxFailedNodes}); the run stopped and touched no further node.` };
    this.noteHalt({ kind: 'budget' }, fatal.code, fatal.message);
    return fatal;
  }

  /**
   * The nodes left, in order: one at a time, or (--max-concurrent-nodes) in groups that groups.ts allows on the
   * cluster of the moment; with --pre-install, the canary first, then the pre-install of the others.
   */
  private async visitAll(nodes: readonly string[], replay: JournalState | undefined, scan: ScanOutcome, downAtStart: ReadonlySet<string>): Promise<ErrorRecord | undefined> {
    let fatal: ErrorRecord | undefined;
    let left = [...nodes];
    let canaryPending = this.profile.preInstall === true && replay === undefined;
    const k = this.profile.maxConcurrentNodes ?? 1;
    // A group was in flight when the run was interrupted: its members, out of service together under the group
    // rules, finish their windows together first.
    const flights = replay === undefined ? [] : [replay.inFlight, ...replay.alsoInFlight].flatMap((f) => (f !== null && left.includes(f.node) ? [f.node] : []));
    if (flights.length > 1) {
      fatal = (await this.visitGroup(flights, replay, scan, downAtStart)) ?? fatal;
      left = left.filter((n) => !flights.includes(n));
      fatal = this.checkBudget() ?? fatal;
    }
    while (left.length > 0) {
      const node = left[0]!;
      const windowed = this.needsWindow(node, replay, scan, downAtStart);
      if (k <= 1 || !windowed || canaryPending || this.run.halt !== undefined || flightOf(replay, node) !== undefined) {
        fatal = (await this.visitNode(node, replay, scan, downAtStart)) ?? fatal;
        left = left.slice(1);
        fatal = this.checkBudget() ?? fatal;
        if (canaryPending && windowed) {
          canaryPending = false;
          await this.afterCanary(node, left.filter((n) => this.needsWindow(n, replay, scan, downAtStart)), scan);
        }
        continue;
      }
      const group = await this.nextGroupOf(left.filter((n) => this.needsWindow(n, replay, scan, downAtStart) && flightOf(replay, n) === undefined), k);
      if (group.length <= 1) {
        fatal = (await this.visitNode(node, replay, scan, downAtStart)) ?? fatal;
        left = left.slice(1);
      } else {
        fatal = (await this.visitGroup(group, replay, scan, downAtStart)) ?? fatal;
        left = left.filter((n) => !group.includes(n));
      }
      fatal = this.checkBudget() ?? fatal;
    }
    return fatal;
  }

  /** The next group from `candidates` (in order; the first leads), judged on the cluster as it is now. */
  private async nextGroupOf(candidates: readonly string[], k: number): Promise<readonly string[]> {
    const cluster = await this.gateway.call(this.options.entry, 'get-cluster', {});
    const decision = nextGroup({
      maxConcurrentNodes: k,
      candidates,
      cluster,
      // ForcePauseNoDrain moves nothing: there is nothing to place.
      ...(this.profile.undrainedSwitch === 'ForcePauseNoDrain' ? {} : { capacity: await readGroupCapacity(this.gateway, cluster) }),
      requireAllNodesOnline: this.profile.requireAllNodesOnline,
      failuresLeft: this.run.maxFailedNodes - this.failedSoFar(),
      storage: await readGroupStorage(this.gateway, this.options.entry, cluster),
    });
    return decision.nodes;
  }

  /**
   * A group side by side: each member goes through its own attempts; the first drains meet at a barrier; a
   * member that finishes early resumes on its own; the group ends when every member has its result.
   */
  private async visitGroup(group: readonly string[], replay: JournalState | undefined, scan: ScanOutcome, downAtStart: ReadonlySet<string>): Promise<ErrorRecord | undefined> {
    const prepared: Prepared[] = [];
    for (const node of group) {
      const p = await this.prepareNode(node, replay, scan, downAtStart);
      if (p !== undefined) prepared.push(p);
    }
    const barrier = new DrainBarrier(prepared.map((p) => p.work.name));
    for (const p of prepared) {
      p.work.groupMates = prepared.map((q) => q.work.name).filter((n) => n !== p.work.name);
      p.work.barrier = barrier;
    }
    this.groupInFlight += 1;
    let fatals: (ErrorRecord | undefined)[];
    try {
      fatals = await Promise.all(prepared.map((p) => this.runPrepared(p).finally(() => barrier.leave(p.work.name))));
    } finally {
      this.groupInFlight -= 1;
      for (const p of prepared) {
        p.work.groupMates = [];
        p.work.barrier = undefined;
      }
      if (this.run.halt !== undefined) this.haltTouching();
    }
    return fatals.find((f) => f !== undefined);
  }

  /** --pre-install: after the canary's result, pre-install the others, or fall back to the serial run. */
  private async afterCanary(canary: string, others: readonly string[], scan: ScanOutcome): Promise<void> {
    const result = this.run.nodeResults.find((r) => r.node === canary);
    const decision = afterCanary(canary, result?.status ?? 'Failed', this.run.halt !== undefined);
    if (decision.next === 'serial') {
      const message = `--pre-install: ${decision.reason}.`;
      this.run.warnings.push(message);
      this.emit({ type: 'warning', code: 'PreInstallFallback', message });
      return;
    }
    const spec = this.profile.plugins.find((p) => p.plugin === PRE_INSTALL_PLUGIN);
    if (spec === undefined) return;
    const targets = others.filter((n) => preInstallable((scan.scanned.get(n) ?? []) as ScannedUpdate[]).length > 0);
    await this.forEachBounded(targets, (node) => this.preInstall(node, spec, (scan.scanned.get(node) ?? []) as ScannedUpdate[]), this.profile.preInstallConcurrency ?? Math.max(1, targets.length));
  }

  /** One node's pre-install, while it serves: its first attempt when it fails (retried in its window). */
  private async preInstall(node: string, spec: PluginSpec, updates: readonly ScannedUpdate[]): Promise<void> {
    if (this.run.halt !== undefined) return;
    const work = this.newWork(node, [...updates]);
    work.attempts = 1;
    this.preInstalled.set(node, work);
    const ids = preInstallable(updates).map((u) => u.updateId);
    const pluginIndex = this.profile.plugins.indexOf(spec);
    let error: ErrorRecord;
    try {
      const status = await this.phase(work, 'pre-install', () => installViaTask(this.steps, node, { spec, mode: 'PreInstall', updateIds: ids, taskId: this.taskId(node, 'pre'), round: 0, pluginIndex }, { attempt: 1, resume: false, requireDrained: false, journaled: false }), (st) => `${st.results.filter((r) => r.resultCode === 'Succeeded').length} of ${ids.length} update(s) installed`);
      const outcome = preInstallOutcome(node, status, ids);
      if (outcome.ok) {
        for (const r of outcome.installed) work.results.set(r.updateId, r);
        work.preInstalled = { rebootRequired: outcome.rebootRequired };
        return;
      }
      for (const r of outcome.failed) work.results.set(r.updateId, r);
      const index = work.phases.map((p) => p.phase).lastIndexOf('pre-install');
      if (index >= 0) work.phases[index] = { ...work.phases[index]!, ok: false, detail: outcome.message };
      error = { code: 'InstallFailed', message: outcome.message, node };
    } catch (e) {
      if (e instanceof JournalWriteError || e instanceof LockLostError) throw e;
      error = { code: isTransient(e) ? 'NodeNotReachable' : 'InstallFailed', message: `The pre-install on ${node} failed: ${describeError(e)}. Its maintenance window installs again.`, node };
    }
    work.preInstallError = error;
    this.emit({ type: 'attempt-failed', node, phase: 'pre-install', attempt: 1, code: error.code, message: error.message, willRetry: this.profile.maxRetriesPerNode > 0 });
  }

  async execute(): Promise<RunResult> {
    const replay: JournalState | undefined = this.options.resumeFrom ? replayJournal(this.options.resumeFrom.records, this.options.resumeFrom.path) : undefined;
    const { cluster, downAtStart } = await this.start(replay);
    let fatal: ErrorRecord | undefined;
    let keepLock = false;
    try {
      if (replay === undefined) await writeStopRequest({ gateway: this.deps.gateway, entryNode: this.options.entry }, null);
      this.announce(cluster, replay, downAtStart);
      if (replay === undefined) await this.announceForcedDowntime(cluster, downAtStart);
      const scan = replay?.scan
        ? { scanned: new Map(Object.entries(replay.scan.scan)), scanFailures: new Map(Object.entries(replay.scan.scanFailures)) }
        : await this.scanAndStage(this.run.order, downAtStart);
      const done = new Set(this.run.nodeResults.map((r) => r.node));
      fatal = await this.visitAll(this.run.order.filter((n) => !done.has(n)), replay, scan, downAtStart);
    } catch (error) {
      if (error instanceof JournalWriteError) {
        keepLock = await this.safeHalt(error);
        throw keepLock ? this.haltLeftover(error) : error;
      }
      if (!(error instanceof LockLostError) && !isTransient(error)) throw error;
      // The lock was taken from us, or the cluster stayed unreachable past every grace period: stop touching
      // anything, and report what happened to each node.
      const code = error instanceof LockLostError ? 'LockLost' : 'ClusterNotReachable';
      fatal = { code, message: describeError(error) };
      this.noteHalt({ kind: 'unsafe', code, message: fatal.message }, code, fatal.message);
      for (const node of this.run.order) {
        if (!this.run.nodeResults.some((r) => r.node === node)) this.run.nodeResults.push(this.run.active.has(node) ? this.nodeResult(this.run.active.get(node)!, 'Failed', { ...fatal, node }) : this.canceledResult(node));
      }
    } finally {
      if (this.lock.held && !keepLock) {
        try {
          // What the release could not restore (the self-updating role it held off) is said in the warnings.
          this.run.warnings.push(...(await this.lock.release()));
        } catch (error) {
          this.run.warnings.push(`The cluster lock could not be released: ${describeError(error)}. It expires with its lease.`);
        }
      }
    }
    return this.finish(fatal);
  }

  /**
   * The journal cannot be written: the run can no longer keep its write-ahead promise, so it stops touching
   * nodes and resumes the node it paused, without journaling (that is what failed). Returns whether something
   * is left that the lock must keep other runs away from.
   */
  private async safeHalt(error: JournalWriteError): Promise<boolean> {
    this.haltTouching();
    this.emit({ type: 'run-halted', code: 'JournalWriteFailed', message: error.message });
    this.pendingAfterHalt = [];
    for (const node of this.pausedNodes()) {
      try {
        const status = await this.gateway.call(node, 'get-node-status', {});
        if (status.clusterNodeState === 'Paused') await this.gateway.call(this.options.entry, 'resume-node', { name: node, failback: this.profile.failbackMode });
        const work = this.run.active.get(node);
        if (work !== undefined) this.markResumed(work);
      } catch (resumeError) {
        this.pendingAfterHalt.push(`${node} is still paused by this run (it could not be resumed: ${describeError(resumeError)})`);
      }
    }
    return this.pendingAfterHalt.length > 0;
  }

  private haltLeftover(error: JournalWriteError): AppError {
    const nodes = this.pausedNodes();
    return new AppError('JOURNAL_WRITE_FAILED', ExitCode.runFailed, `${error.message} ${this.pendingAfterHalt.join('; ')}. The cluster lock on ${this.options.entry} is kept so that no other run drains a second node.`, {
      cause: error,
      hint: `Resume ${nodes.join(', ')} (cauctl run --resume-node ${nodes[0] ?? '<node>'}, or Resume-ClusterNode -Name ${nodes[0] ?? '<node>'} -Failback ${this.profile.failbackMode}), fix the state directory, then release the lock with: cauctl run --force-recovery`,
    });
  }

  private canceledResult(node: string): NodeResult {
    return this.nodeResult(this.newWork(node, []), 'Canceled', null);
  }

  private finish(fatal: ErrorRecord | undefined): RunResult {
    const status = runStatus(this.run.nodeResults, this.run.halt);
    let errorRecord: ErrorRecord | null = fatal ?? null;
    if (errorRecord === null && this.run.halt?.kind === 'user') errorRecord = { code: 'UserCanceled', message: 'The run was canceled at a safe point; the remaining nodes were not touched.' };
    if (errorRecord === null && this.run.halt?.kind === 'stopAfter') errorRecord = { code: 'StopAfterExceeded', message: 'The run exceeded StopAfter and stopped at a safe point.' };
    if (errorRecord === null && status === 'PartiallyFailed') {
      const failed = this.run.nodeResults.filter((r) => r.status !== 'Succeeded').map((r) => r.node);
      errorRecord = { code: 'NodesFailed', message: `${failed.join(', ')} did not update; within MaxFailedNodes (${this.run.maxFailedNodes}).` };
    }
    const result: RunResult = {
      schemaVersion: 1,
      runId: this.run.runId,
      clusterName: this.run.clusterName,
      status,
      startTime: this.iso(this.run.startMs),
      endTime: this.iso(),
      errorRecord,
      plugins: this.profile.plugins.map((p) => p.plugin),
      maxFailedNodes: this.run.maxFailedNodes,
      nodeResults: this.run.nodeResults,
      warnings: this.run.warnings,
      resumed: this.options.resumeFrom !== undefined,
    };
    this.journal.write({ type: 'run-completed', status, errorRecord });
    this.emit({ type: 'run-completed', status, errorCode: errorRecord?.code ?? null });
    return result;
  }
}

/** Where the interrupted run left `node`, if its attempt was in flight (alone, or in a group). */
function flightOf(replay: JournalState | undefined, node: string): InFlightNode | undefined {
  if (replay === undefined) return undefined;
  return [replay.inFlight, ...replay.alsoInFlight].find((f): f is InFlightNode => f !== null && f.node === node);
}

/** The node's standing, as the attempt's state machine reads it after each command. */
function windowOf(work: NodeWork): NodeWindow {
  return { pausedByRun: work.pausedByRun, windowOpen: work.windowOpen };
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
