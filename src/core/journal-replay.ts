/**
 * Replaying a journal, for every flow, from typed records only (src/core/journal-records.ts): where an
 * interrupted rolling run picks up, and where an interrupted offline update stands. Pure. The flows then check
 * each step against the real cluster before acting, so a journal that lags reality by one step is safe.
 */
import type { UpdateInfo, UpdateInstallResult } from '../cluster/operations.js';
import type { JournalRecord } from '../journal/journal.js';
import { parseJournalRecords, type OfflineStep, type RecordOf, type TypedRecord } from './journal-records.js';
import type { OfflinePreState } from './offline-update.js';
import type { ErrorRecord, NodeResult } from './types.js';

/** The step a node's attempt resumes at. */
export type ResumeStep =
  | { step: 'start' }
  | { step: 'suspend' }
  /** The drain failed before the interruption: resume the node (NoFailback), and the attempt has failed. */
  | { step: 'drain-failed'; reason: string }
  | { step: 'install'; round: number }
  | { step: 'await-task'; round: number; taskId: string; pluginIndex: number }
  | { step: 'await-reboot'; round: number; bootBefore: string; rebootSource: 'round' | 'failure' }
  | { step: 'resume' }
  | { step: 'after-resume' }
  /**
   * The attempt had failed (its `attempt-failed` record) and was on its failure path: bring the node back
   * (`resumed`: its resume was done) and end failed with `error`.
   */
  | { step: 'failure-path'; error: ErrorRecord; phase: string; fatal: boolean; awaitStorage: boolean; resumed: boolean };

export interface InFlightNode {
  readonly node: string;
  readonly attempt: number;
  readonly at: ResumeStep;
  readonly suspendedAt: string | null;
  /** Install results recorded so far for this node, every attempt. */
  readonly installResults: readonly UpdateInstallResult[];
  readonly reboots: number;
  /**
   * The kind of the node's last restart, as the node answered it (`restart-issued`), made FullReboot when the
   * node said after it that a soft restart fell back (`node-back`); absent when no restart of it was issued
   * (or the journal predates the field).
   */
  readonly bootType?: 'FullReboot' | 'SoftReboot';
}

export interface JournalState {
  readonly runId: string;
  readonly started: RecordOf<'run-started'>;
  readonly completed: ReadonlyMap<string, NodeResult>;
  readonly inFlight: InFlightNode | null;
  /**
   * Other nodes whose attempt had started and not completed: the members of a group in flight with `inFlight`
   * (run --max-concurrent-nodes). Always empty for a run that took one node at a time.
   */
  readonly alsoInFlight: readonly InFlightNode[];
  readonly halted: boolean;
  /** The preflight scan, once it was recorded; absent when the run stopped before it finished. */
  readonly scan: { scan: Record<string, UpdateInfo[]>; scanFailures: Record<string, string> } | undefined;
}

function typed(records: readonly JournalRecord[], path: string | undefined): TypedRecord[] {
  return parseJournalRecords(records, path);
}

/** Replays a rolling run's journal into what is done, and where the node in flight stands. */
export function replayJournal(records: readonly JournalRecord[], path?: string): JournalState {
  const list = typed(records, path);
  const started = list.find((r): r is RecordOf<'run-started'> => r.type === 'run-started');
  if (started === undefined) throw new Error(`journal ${path ?? '(in memory)'} has no run-started record`);
  const completed = new Map<string, NodeResult>();
  type Mutable = { node: string; attempt: number; at: ResumeStep; suspendedAt: string | null; results: UpdateInstallResult[]; reboots: number; bootType?: 'FullReboot' | 'SoftReboot' };
  // Every node in flight, by name; `inFlight` is the one whose attempt started last.
  const flights = new Map<string, Mutable>();
  let inFlight = null as Mutable | null;
  const resultsByNode = new Map<string, UpdateInstallResult[]>();
  const rebootsByNode = new Map<string, number>();
  const bootTypeByNode = new Map<string, 'FullReboot' | 'SoftReboot'>();
  let halted = false;
  let scan: JournalState['scan'];

  for (const r of list) {
    switch (r.type) {
      case 'node-completed':
        completed.set(r.node, r.result);
        flights.delete(r.node);
        if (inFlight?.node === r.node) inFlight = null;
        break;
      case 'scan-completed':
        scan = { scan: r.scan, scanFailures: r.scanFailures };
        break;
      case 'run-halted':
        halted = true;
        break;
      case 'attempt-started': {
        const before = flights.get(r.node);
        inFlight = {
          node: r.node,
          attempt: r.attempt,
          at: { step: 'start' },
          suspendedAt: before !== undefined ? before.suspendedAt : null,
          results: resultsByNode.get(r.node) ?? [],
          reboots: rebootsByNode.get(r.node) ?? 0,
          ...(bootTypeByNode.has(r.node) ? { bootType: bootTypeByNode.get(r.node)! } : {}),
        };
        flights.set(r.node, inFlight);
        resultsByNode.set(r.node, inFlight.results);
        break;
      }
      case 'step': {
        const flight = flights.get(r.node);
        if (flight === undefined) break;
        flight.at = stepAfter(r, flight.at);
        if (r.step === 'suspended' || r.step === 'suspended-undrained') flight.suspendedAt = r.time;
        if (r.step === 'task-finished') flight.results.push(...r.results);
        if (r.step === 'node-back') {
          flight.reboots += 1;
          rebootsByNode.set(r.node, flight.reboots);
        }
        const bootType = r.step === 'restart-issued' ? r.bootType : r.step === 'node-back' && r.softRestartFellBack === true ? 'FullReboot' : undefined;
        if (bootType !== undefined) {
          flight.bootType = bootType;
          bootTypeByNode.set(r.node, bootType);
        }
        break;
      }
      default:
        break;
    }
  }
  return {
    runId: started.runId,
    started,
    completed,
    inFlight: inFlight === null ? null : frozen(inFlight),
    alsoInFlight: [...flights.values()].filter((f) => f !== inFlight).map(frozen),
    halted,
    scan,
  };
}

function frozen(f: { node: string; attempt: number; at: ResumeStep; suspendedAt: string | null; results: UpdateInstallResult[]; reboots: number; bootType?: 'FullReboot' | 'SoftReboot' }): InFlightNode {
  return { node: f.node, attempt: f.attempt, at: f.at, suspendedAt: f.suspendedAt, installResults: f.results, reboots: f.reboots, ...(f.bootType !== undefined ? { bootType: f.bootType } : {}) };
}

/** Where a node's attempt stands after one of its step records (pure). */
export function stepAfter(r: RecordOf<'step'>, previous: ResumeStep): ResumeStep {
  const round = 'round' in r ? r.round : 'round' in previous ? previous.round : 1;
  switch (r.step) {
    case 'pre-script-done':
    case 'suspend-requested':
      return { step: 'suspend' };
    case 'drain-failed':
      // The drain failed: the node is resumed and the attempt has failed, whatever happened after the crash.
      return { step: 'drain-failed', reason: r.reason };
    case 'suspended':
    case 'suspended-undrained':
      return { step: 'install', round: 1 };
    case 'task-started':
      return { step: 'await-task', round, taskId: r.taskId, pluginIndex: r.pluginIndex };
    case 'task-finished':
      // The rest of the round (other plug-ins, the reboot) is decided again from a fresh scan.
      return { step: 'install', round };
    case 'restart-requested':
      return { step: 'await-reboot', round, bootBefore: r.bootBefore, rebootSource: r.source };
    case 'restart-issued':
      return previous;
    case 'node-back':
      // Back from the restart that followed failed installs: the attempt has failed (finish-restart says so).
      if (r.source === 'failure') return previous.step === 'await-reboot' ? previous : { step: 'await-reboot', round, bootBefore: '', rebootSource: 'failure' };
      return { step: 'install', round: round + 1 };
    case 'attempt-failed':
      return { step: 'failure-path', error: r.error, phase: r.phase, fatal: r.fatal, awaitStorage: r.awaitStorage, resumed: false };
    case 'resume-requested':
      // After a failed drain, or on a failed attempt's failure path, the resume does not make the attempt a success.
      return previous.step === 'drain-failed' || previous.step === 'failure-path' ? previous : { step: 'resume' };
    case 'resumed':
      if (previous.step === 'failure-path') return { ...previous, resumed: true };
      return previous.step === 'drain-failed' ? previous : { step: 'after-resume' };
  }
}

// ---------------------------------------------------------------------------------------------------------
// The offline update

/** Where one node stands in an offline update, from the journal. */
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
  /** Why it was aborted, when the journal says (older journals do not). */
  readonly abortedKind: 'interrupted' | 'failed' | 'journal' | undefined;
  readonly downtimeStart: string | null;
  readonly completed: boolean;
}

export type MutableProgress = { staged: boolean; tasks: { taskId: string; round: number; pluginIndex: number; finished: boolean; /** Set until the task is started: its updates. */ updateIds?: string[] }[]; results: UpdateInstallResult[]; restart: NodeProgress['restart']; back: NodeProgress['back']; failed: ErrorRecord | null };

export function emptyProgress(): MutableProgress {
  return { staged: false, tasks: [], results: [], restart: null, back: null, failed: null };
}

/** Replays an offline update's journal: its own records, and the node steps' records it shares with `run`. */
export function replayOfflineJournal(records: readonly JournalRecord[], path?: string): OfflineJournalState {
  const list = typed(records, path);
  const started = list.find((r): r is RecordOf<'offline-started'> => r.type === 'offline-started');
  if (started === undefined) throw new Error(`offline journal ${path ?? '(in memory)'} has no offline-started record`);
  const begun = new Set<OfflineStep>();
  const done = new Set<OfflineStep>();
  const nodes = new Map<string, MutableProgress>();
  let preState: OfflinePreState | null = null;
  let abortedBecause: string | null = null;
  let abortedKind: OfflineJournalState['abortedKind'];
  let downtimeStart: string | null = null;
  let completed = false;
  const progress = (node: string): MutableProgress => {
    let p = nodes.get(node);
    if (p === undefined) {
      p = emptyProgress();
      nodes.set(node, p);
    }
    return p;
  };
  for (const r of list) {
    switch (r.type) {
      case 'offline-prestate':
        preState = r.preState;
        break;
      case 'offline-step':
        if (r.phase === 'begin') begun.add(r.step);
        else done.add(r.step);
        if (r.step === 'stop-cluster' && r.phase === 'begin' && downtimeStart === null) downtimeStart = r.time;
        break;
      case 'offline-node':
        if (r.event === 'staged') progress(r.node).staged = true;
        else progress(r.node).failed = r.errorRecord ?? { code: 'UnexpectedError', message: `${r.node} failed`, node: r.node };
        break;
      case 'step': {
        const p = progress(r.node);
        if (r.step === 'task-started') p.tasks.push({ taskId: r.taskId, round: r.round, pluginIndex: r.pluginIndex, finished: false });
        if (r.step === 'task-finished') {
          const t = p.tasks.find((x) => x.taskId === r.taskId);
          if (t) t.finished = true;
          p.results.push(...r.results);
        }
        if (r.step === 'restart-requested') p.restart = { bootBefore: r.bootBefore, requestedAt: r.time };
        if (r.step === 'node-back') p.back = { bootTime: r.bootTime ?? r.time, rebootSeconds: r.rebootSeconds ?? 0 };
        break;
      }
      case 'offline-aborted':
        abortedBecause ??= r.reason;
        abortedKind ??= r.kind;
        break;
      case 'offline-completed':
        completed = true;
        break;
      default:
        break;
    }
  }
  return { runId: started.runId, startTime: started.time, preState, begun, done, nodes, abortedBecause, abortedKind, downtimeStart, completed };
}
