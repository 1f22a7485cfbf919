/**
 * Where an interrupted run picks up, worked out from its journal alone (pure). The coordinator then checks
 * each step against the real cluster before acting, so a journal that lags reality by one step is safe.
 */
import type { UpdateInfo, UpdateInstallResult } from '../cluster/operations.js';
import type { JournalRecord } from '../journal/journal.js';
import type { NodeResult } from './types.js';

/** The step a node's attempt resumes at. */
export type ResumeStep =
  | { step: 'start' }
  | { step: 'suspend' }
  | { step: 'install'; round: number }
  | { step: 'await-task'; round: number; taskId: string; pluginIndex: number }
  | { step: 'await-reboot'; round: number; bootBefore: string; rebootSource: 'round' | 'failure' }
  | { step: 'resume' }
  | { step: 'after-resume' };

export interface InFlightNode {
  readonly node: string;
  readonly attempt: number;
  readonly at: ResumeStep;
  readonly suspendedAt: string | null;
  /** Install results recorded so far for this node, every attempt. */
  readonly installResults: readonly UpdateInstallResult[];
  readonly reboots: number;
}

export interface JournalState {
  readonly runId: string;
  readonly started: JournalRecord;
  readonly completed: ReadonlyMap<string, NodeResult>;
  readonly inFlight: InFlightNode | null;
  readonly halted: boolean;
  /** The preflight scan, once it was recorded; absent when the run stopped before it finished. */
  readonly scan: { scan: Record<string, UpdateInfo[]>; scanFailures: Record<string, string> } | undefined;
}

/** Replays a run's journal into what is done, and where the node in flight stands. */
export function replayJournal(records: readonly JournalRecord[]): JournalState {
  const started = records.find((r) => r.type === 'run-started');
  if (started === undefined) throw new Error('journal has no run-started record');
  const completed = new Map<string, NodeResult>();
  type Mutable = { node: string; attempt: number; at: ResumeStep; suspendedAt: string | null; results: UpdateInstallResult[]; reboots: number };
  let inFlight = null as Mutable | null;
  const resultsByNode = new Map<string, UpdateInstallResult[]>();
  const rebootsByNode = new Map<string, number>();
  let halted = false;
  let scan: JournalState['scan'];

  for (const r of records) {
    const node = typeof r.node === 'string' ? r.node : undefined;
    switch (r.type) {
      case 'node-completed':
        completed.set(String(r.node), r.result as NodeResult);
        if (inFlight?.node === r.node) inFlight = null;
        break;
      case 'scan-completed':
        scan = { scan: (r.scan ?? {}) as Record<string, UpdateInfo[]>, scanFailures: (r.scanFailures ?? {}) as Record<string, string> };
        break;
      case 'run-halted':
        halted = true;
        break;
      case 'attempt-started':
        inFlight = {
          node: node!,
          attempt: Number(r.attempt),
          at: { step: 'start' },
          suspendedAt: inFlight !== null && inFlight.node === node ? inFlight.suspendedAt : null,
          results: resultsByNode.get(node!) ?? [],
          reboots: rebootsByNode.get(node!) ?? 0,
        };
        resultsByNode.set(node!, inFlight.results);
        break;
      case 'step':
        if (inFlight === null || inFlight.node !== node) break;
        inFlight.at = stepAfter(r, inFlight.at);
        if (r.step === 'suspended') inFlight.suspendedAt = r.time;
        if (r.step === 'resumed') inFlight.suspendedAt = inFlight.suspendedAt ?? null;
        if (r.step === 'task-finished' && Array.isArray(r.results)) inFlight.results.push(...(r.results as UpdateInstallResult[]));
        if (r.step === 'node-back') {
          inFlight.reboots += 1;
          rebootsByNode.set(node!, inFlight.reboots);
        }
        break;
      default:
        break;
    }
  }
  return {
    runId: String(started.runId),
    started,
    completed,
    inFlight: inFlight === null
      ? null
      : { node: inFlight.node, attempt: inFlight.attempt, at: inFlight.at, suspendedAt: inFlight.suspendedAt, installResults: inFlight.results, reboots: inFlight.reboots },
    halted,
    scan,
  };
}

function stepAfter(r: JournalRecord, previous: ResumeStep): ResumeStep {
  const round = Number(r.round ?? ('round' in previous ? previous.round : 1));
  switch (r.step) {
    case 'pre-script-done':
      return { step: 'suspend' };
    case 'suspend-requested':
      return { step: 'suspend' };
    case 'suspended':
      return { step: 'install', round: 1 };
    case 'task-started':
      return { step: 'await-task', round, taskId: String(r.taskId), pluginIndex: Number(r.pluginIndex ?? 0) };
    case 'task-finished':
      // The rest of the round (other plug-ins, the reboot) is decided again from a fresh scan.
      return { step: 'install', round };
    case 'restart-requested':
      return { step: 'await-reboot', round, bootBefore: String(r.bootBefore), rebootSource: r.source === 'failure' ? 'failure' : 'round' };
    case 'node-back':
      return r.source === 'failure' ? { step: 'resume' } : { step: 'install', round: round + 1 };
    case 'resume-requested':
      return { step: 'resume' };
    case 'resumed':
      return { step: 'after-resume' };
    default:
      return previous;
  }
}
