/**
 * Get-CauRun's view of the run in progress: from the local journal on the coordinating host, otherwise from
 * the progress summary that the cluster lock carries. Depends on the gateway, the lock protocol and the
 * journal reader's record type only.
 */
import type { ClusterGateway } from '../cluster/gateway.js';
import type { JournalRecord } from '../journal/journal.js';
import { lockLiveness, readLock, readStopRequest, type LockOwner, type NodeStatusNotification } from './cluster-lock.js';
import { parseJournalRecords, type NodeStepRecord } from './journal-records.js';
import type { NodeResult } from './types.js';

export interface RunView {
  readonly runState: 'RunInProgress' | 'RunNotInProgress' | 'RunFailed';
  readonly runId: string | null;
  readonly runStartTime: string | null;
  readonly currentOrchestrator: string | null;
  readonly currentNode: string | null;
  readonly currentPhase: string | null;
  readonly nodeStatusNotifications: readonly NodeStatusNotification[];
  readonly nodeResults: ReadonlyArray<{ readonly node: string; readonly status: string; readonly attempts: number }>;
  readonly stopRequested: boolean;
  readonly source: 'journal' | 'cluster-lock' | 'none';
  /** For a lock whose coordinator is gone (RunFailed): why it is judged dead. */
  readonly detail: string | null;
  /** The finish the run predicts (ISO, the run's clock), from its lock; null when it published none. */
  readonly predictedEndTime: string | null;
}

/** The phase a node is in once a step record is written (what get-run shows). */
const stepPhase: Record<NodeStepRecord['step'], string> = {
  'pre-script-done': 'drain',
  'suspend-requested': 'drain',
  'drain-failed': 'resume',
  suspended: 'install',
  'suspended-undrained': 'install',
  'task-started': 'install',
  'task-finished': 'install',
  'restart-requested': 'reboot',
  'restart-issued': 'reboot',
  'node-back': 'rescan',
  'attempt-failed': 'resume',
  'resume-requested': 'resume',
  resumed: 'resync',
};

/** Node phases and results as the journal records them (typed records: journal-records.ts). */
export function viewFromJournal(records: readonly JournalRecord[], path?: string): Pick<RunView, 'nodeStatusNotifications' | 'nodeResults' | 'currentNode' | 'currentPhase'> {
  const notes = new Map<string, NodeStatusNotification>();
  const results: NodeResult[] = [];
  let currentNode: string | null = null;
  let currentPhase: string | null = null;
  for (const r of parseJournalRecords(records, path)) {
    if (r.type === 'attempt-started') {
      notes.set(r.node, { node: r.node, status: 'pre-script', timestamp: r.time });
      currentNode = r.node;
      currentPhase = 'pre-script';
    } else if (r.type === 'step') {
      const phase = stepPhase[r.step];
      notes.set(r.node, { node: r.node, status: phase, timestamp: r.time });
      currentNode = r.node;
      currentPhase = phase;
    } else if (r.type === 'node-completed') {
      results.push(r.result);
      notes.set(r.node, { node: r.node, status: r.result.status, timestamp: r.time });
      if (currentNode === r.node) {
        currentNode = null;
        currentPhase = null;
      }
    }
  }
  return { nodeStatusNotifications: [...notes.values()], nodeResults: results, currentNode, currentPhase };
}

export interface ReadRunOptions {
  readonly gateway: ClusterGateway;
  readonly entry: string;
  readonly owner: LockOwner;
  readonly isProcessAlive: (pid: number) => boolean;
  readonly nowWallMs: number;
  /** The local journal of a run, when this host has it. */
  readonly localJournal: (runId: string) => readonly JournalRecord[] | undefined;
}

export async function readRunView(options: ReadRunOptions): Promise<RunView> {
  const { lock, raw } = await readLock({ gateway: options.gateway, entryNode: options.entry });
  if (raw === null || lock === null) {
    return { runState: 'RunNotInProgress', runId: null, runStartTime: null, currentOrchestrator: null, currentNode: null, currentPhase: null, nodeStatusNotifications: [], nodeResults: [], stopRequested: false, source: 'none', detail: raw === null ? null : 'the lock property holds an unreadable value', predictedEndTime: null };
  }
  const stop = await readStopRequest({ gateway: options.gateway, entryNode: options.entry });
  const liveness = lockLiveness(lock, options.nowWallMs, { owner: options.owner, isProcessAlive: options.isProcessAlive });
  const base = {
    runState: liveness.live ? ('RunInProgress' as const) : ('RunFailed' as const),
    runId: lock.runId,
    runStartTime: lock.progress.runStartTime,
    currentOrchestrator: `${lock.owner.host} (pid ${lock.owner.pid}, ${lock.owner.user})`,
    stopRequested: stop !== null && stop.runId === lock.runId,
    predictedEndTime: lock.progress.predictedEndTime ?? null,
    detail: liveness.live ? null : `the coordinator is gone: ${liveness.why}; continue with cauctl run --resume on ${lock.owner.host}, or clear with cauctl run --force-recovery`,
  };
  const journal = lock.owner.host === options.owner.host ? options.localJournal(lock.runId) : undefined;
  if (journal !== undefined) return { ...base, ...viewFromJournal(journal, `the journal of run ${lock.runId}`), source: 'journal' };
  return {
    ...base,
    currentNode: lock.progress.currentNode,
    currentPhase: lock.progress.currentPhase,
    nodeStatusNotifications: lock.progress.nodeStatusNotifications,
    nodeResults: lock.progress.nodeResults,
    source: 'cluster-lock',
  };
}
