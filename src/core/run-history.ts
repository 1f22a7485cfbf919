/**
 * Run summaries the cluster itself carries: when a run ends, the coordinator appends a compact summary of it to
 * a cluster private property, so get-report on any host can list runs coordinated elsewhere (issue 8). The
 * property keeps the newest few runs; full detail stays in the coordinating host's history.
 * Depends on the gateway only.
 */
import type { ClusterGateway } from '../cluster/gateway.js';
import type { LockOwner } from './cluster-lock.js';
import type { RunResult } from './types.js';

export const CLUSTER_HISTORY_PROPERTY = 'CauctlRunHistory';
/** Runs kept in the property (a cluster private property is no place for megabytes). */
export const CLUSTER_HISTORY_LIMIT = 10;

export interface ClusterRunSummary {
  readonly runId: string;
  readonly clusterName: string;
  readonly status: string;
  readonly startTime: string;
  readonly endTime: string;
  readonly errorRecord: { readonly code: string; readonly message: string } | null;
  readonly plugins: readonly string[];
  readonly maxFailedNodes: number;
  readonly coordinator: string;
  /** Marks a summary read from the cluster, not a full report from a history file. */
  readonly source: 'cluster';
  readonly nodeResults: ReadonlyArray<{
    readonly node: string;
    readonly status: string;
    readonly attempts: number;
    readonly numberOfSucceededUpdates: number;
    readonly numberOfFailedUpdates: number;
    readonly rebooted: boolean;
    readonly errorRecord: { readonly code: string; readonly message: string } | null;
  }>;
}

export function summarizeForCluster(result: RunResult, owner: LockOwner): ClusterRunSummary {
  return {
    runId: result.runId,
    clusterName: result.clusterName,
    status: result.status,
    startTime: result.startTime,
    endTime: result.endTime,
    errorRecord: result.errorRecord === null ? null : { code: result.errorRecord.code, message: result.errorRecord.message.slice(0, 300) },
    plugins: result.plugins,
    maxFailedNodes: result.maxFailedNodes,
    coordinator: `${owner.user}@${owner.host}`,
    source: 'cluster',
    nodeResults: result.nodeResults.map((n) => ({
      node: n.node,
      status: n.status,
      attempts: n.attempts,
      numberOfSucceededUpdates: n.numberOfSucceededUpdates,
      numberOfFailedUpdates: n.numberOfFailedUpdates,
      rebooted: n.rebooted,
      errorRecord: n.errorRecord === null ? null : { code: n.errorRecord.code, message: n.errorRecord.message.slice(0, 200) },
    })),
  };
}

function parseList(value: string | null): ClusterRunSummary[] {
  if (value === null || value === '') return [];
  try {
    const parsed = JSON.parse(value) as unknown;
    return Array.isArray(parsed) ? (parsed.filter((x) => x && typeof x === 'object' && typeof (x as { runId?: unknown }).runId === 'string') as ClusterRunSummary[]) : [];
  } catch {
    return [];
  }
}

export async function readClusterSummaries(gateway: ClusterGateway, entry: string): Promise<ClusterRunSummary[]> {
  const { value } = await gateway.call(entry, 'get-cluster-property', { name: CLUSTER_HISTORY_PROPERTY });
  return parseList(value);
}

/** Appends (or replaces, by run id) a summary; compare-and-set, retried when another writer got in between. */
export async function publishClusterSummary(gateway: ClusterGateway, entry: string, summary: ClusterRunSummary): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const { value } = await gateway.call(entry, 'get-cluster-property', { name: CLUSTER_HISTORY_PROPERTY });
    const list = parseList(value).filter((s) => s.runId !== summary.runId);
    list.push(summary);
    list.sort((a, b) => a.startTime.localeCompare(b.startTime));
    const next = JSON.stringify(list.slice(-CLUSTER_HISTORY_LIMIT));
    const result = await gateway.call(entry, 'set-cluster-property', { name: CLUSTER_HISTORY_PROPERTY, value: next, expected: value });
    if (result.applied || result.current === next) return;
  }
  throw new Error(`the ${CLUSTER_HISTORY_PROPERTY} property kept changing under concurrent writers`);
}
