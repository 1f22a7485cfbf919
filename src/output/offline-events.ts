/**
 * The offline update's events (`--output ndjson`, the live view), read from its write-ahead journal as it is
 * written. core/offline-update.ts journals every step before it acts and again when it is done, so the journal
 * is the procedure's progress; the events are derived from it here instead of being told twice. A decorator of
 * the update's journal: a record is appended first (a write that fails emits nothing), then turned into events.
 * The results and the end (`node-completed`, `warning`, `run-completed`) come from the result, by `finish`.
 * Depends on core's event, journal-record and offline types and on the journal interface.
 */
import { EVENT_SCHEMA_VERSION, type EventSink, type NodePhase, type RunEventBody } from '../core/events.js';
import { JournalEntrySchema, type JournalEntryInput } from '../core/journal-records.js';
import type { OfflineResult } from '../core/offline-update.js';
import type { JournalEntry, JournalRecord, RunJournal } from '../journal/journal.js';

/** The run-level code of an offline update that stopped early, as core/offline-update.ts's result names it. */
const HALT_CODES = { interrupted: 'UserCanceled', journal: 'JournalWriteFailed', failed: 'OfflineAborted' } as const;

type PreState = Extract<JournalEntryInput, { type: 'offline-prestate' }>['preState'];

export interface OfflineRunIdentity {
  readonly runId: string;
  readonly clusterName: string;
  readonly plugins: readonly string[];
  /** Whether this continues an interrupted update (`--resume`). */
  readonly resumed: boolean;
}

/** The cluster-wide steps an interrupted offline update's journal says are done. */
export function offlineStepsDone(records: readonly JournalRecord[]): string[] {
  return records.map((r) => JournalEntrySchema.safeParse(r)).flatMap((p) => (p.success && p.data.type === 'offline-step' && p.data.phase === 'done' ? [p.data.step] : []));
}

export class OfflineEventJournal implements RunJournal {
  /** Each node's phase under way, and since when (ms). */
  private readonly phases = new Map<string, { phase: NodePhase; attempt: number; startMs: number }>();
  /** Cluster steps begun and not done, with their start (ms). */
  private readonly steps = new Map<string, number>();
  private started = false;
  /** Nodes with updates to stage and install. */
  private scanned = new Set<string>();
  /** Warnings already said as they happened: the end does not say them again. */
  private readonly said = new Set<string>();

  constructor(
    private readonly inner: RunJournal,
    private readonly sink: EventSink,
    private readonly run: OfflineRunIdentity,
  ) {}

  get path(): string | undefined {
    return this.inner.path;
  }

  records(): readonly JournalRecord[] {
    return this.inner.records();
  }

  append(entry: JournalEntry, time: string): JournalRecord {
    const record = this.inner.append(entry, time);
    const parsed = JournalEntrySchema.safeParse(entry);
    if (parsed.success) this.observe(parsed.data, Date.parse(time));
    return record;
  }

  /**
   * An interrupted update continued (`--resume`): its start is said from the journal it continues, which holds
   * its pre-state. A journal without one (the update never got past its first read) is said when the update
   * has read the cluster again, as resumed all the same.
   */
  resumedFrom(records: readonly JournalRecord[], nowMs: number): void {
    const pre = records.map((r) => JournalEntrySchema.safeParse(r)).find((p) => p.success && p.data.type === 'offline-prestate');
    if (pre?.success && pre.data.type === 'offline-prestate') this.start(pre.data.preState, nowMs);
  }

  /**
   * A warning as it happens (the update's `notice`: an install past its limit), said at `nowMs` with its own
   * code and node; `finish` leaves it out of the warnings it says at the end.
   */
  warning(warning: { readonly code: string; readonly node: string; readonly message: string }, nowMs: number): void {
    this.said.add(warning.message);
    this.emit(nowMs, { type: 'warning', code: warning.code, node: warning.node, message: warning.message });
  }

  /** The end: each node's result, the warnings not said yet, and `run-completed`, at the result's end time. */
  finish(result: OfflineResult): void {
    const ms = Date.parse(result.endTime);
    if (!this.started) return;
    // The innermost first: the storage watch ends before the restore it is part of.
    for (const step of [...this.steps.keys()].reverse()) this.stepDone(step, ms);
    for (const r of result.nodeResults) {
      this.emit(ms, { type: 'node-completed', node: r.node, status: r.status, attempts: r.attempts, numberOfSucceededUpdates: r.numberOfSucceededUpdates, numberOfFailedUpdates: r.numberOfFailedUpdates });
    }
    for (const w of result.warnings) if (!this.said.has(w)) this.emit(ms, { type: 'warning', code: 'OfflineWarning', message: w });
    this.emit(ms, { type: 'run-completed', status: result.status, errorCode: result.errorRecord?.code ?? null });
  }

  private emit(ms: number, body: RunEventBody): void {
    this.sink.emit({ schemaVersion: EVENT_SCHEMA_VERSION, time: new Date(ms).toISOString(), runId: this.run.runId, ...body });
  }

  private start(pre: PreState, ms: number): void {
    if (this.started) return;
    this.started = true;
    const nodes = pre.nodes.filter((n) => !pre.missingNodes.includes(n));
    this.emit(ms, { type: 'run-started', clusterName: this.run.clusterName, nodes, plugins: [...this.run.plugins], resumed: this.run.resumed });
    this.scanned = new Set(nodes.filter((n) => (pre.scan[n] ?? []).length > 0));
  }

  private phaseStarted(node: string, phase: NodePhase, attempt: number, ms: number): void {
    if (this.phases.get(node)?.phase === phase) return;
    this.phases.set(node, { phase, attempt, startMs: ms });
    this.emit(ms, { type: 'phase-started', node, phase, attempt });
  }

  private phaseCompleted(node: string, phase: NodePhase, ms: number, detail?: string): void {
    const current = this.phases.get(node);
    if (current?.phase !== phase) return;
    this.phases.delete(node);
    this.emit(ms, { type: 'phase-completed', node, phase, attempt: current.attempt, durationSeconds: (ms - current.startMs) / 1000, ...(detail !== undefined ? { detail } : {}) });
  }

  private stepStarted(step: string, ms: number): void {
    if (this.steps.has(step)) return;
    this.steps.set(step, ms);
    this.emit(ms, { type: 'cluster-step-started', step });
  }

  private stepDone(step: string, ms: number): void {
    const start = this.steps.get(step);
    if (start === undefined) return;
    this.steps.delete(step);
    this.emit(ms, { type: 'cluster-step-completed', step, durationSeconds: (ms - start) / 1000 });
  }

  private observe(entry: JournalEntryInput, ms: number): void {
    switch (entry.type) {
      case 'offline-prestate':
        this.start(entry.preState, ms);
        return;
      case 'offline-step':
        if (entry.phase === 'begin') {
          // The restore's first part, setting the cluster service back, journals only its end.
          if (entry.step === 'restore') this.stepStarted('restore', ms);
          this.stepStarted(entry.step === 'restore' ? 'services-automatic' : entry.step, ms);
          if (entry.step === 'stage') for (const node of this.scanned) this.phaseStarted(node, 'stage', 0, ms);
        } else {
          this.stepDone(entry.step, ms);
          // A node whose staging failed installs what it lacks; its stage is over all the same.
          if (entry.step === 'stage') for (const [node, p] of this.phases) if (p.phase === 'stage') this.phases.delete(node);
        }
        return;
      case 'offline-node':
        if (entry.event === 'staged') this.phaseCompleted(entry.node, 'stage', ms);
        else {
          const phase = this.phases.get(entry.node)?.phase ?? 'install';
          this.phases.delete(entry.node);
          this.emit(ms, { type: 'attempt-failed', node: entry.node, phase, attempt: 1, code: entry.errorRecord?.code ?? 'UnexpectedError', message: entry.errorRecord?.message ?? `${entry.node} failed.`, willRetry: false });
        }
        return;
      case 'offline-aborted':
        this.emit(ms, { type: 'run-halted', code: HALT_CODES[entry.kind ?? 'failed'], message: entry.reason });
        return;
      case 'step':
        this.nodeStep(entry, ms);
        return;
      default:
        return;
    }
  }

  private nodeStep(entry: Extract<JournalEntryInput, { type: 'step' }>, ms: number): void {
    switch (entry.step) {
      case 'task-started':
        this.phaseStarted(entry.node, 'install', entry.attempt, ms);
        return;
      case 'task-finished': {
        const failed = entry.state === 'Failed' || entry.results.some((r) => r.resultCode === 'Failed' || r.resultCode === 'Aborted');
        // A failed install is said by the node's failure, which follows.
        if (!failed) this.phaseCompleted(entry.node, 'install', ms, `${entry.results.length} update(s)`);
        return;
      }
      case 'restart-requested':
        this.phaseStarted(entry.node, 'reboot', entry.attempt, ms);
        return;
      case 'node-back':
        this.phaseCompleted(entry.node, 'reboot', ms, 'FullReboot');
        return;
      default:
        return;
    }
  }
}
