/**
 * Run history queries (Get-CauReport): reading stored run documents leniently, the summary of a run, the
 * --last / --start-date / --end-date / --run-id filters. Pure: no I/O, no Date.now, no node:*. Formatting the
 * reports for people is output/'s (format.ts, report-html.ts, report-csv.ts). Depends on zod and src/errors.ts.
 */
import { z } from 'zod';
import { usageError } from '../errors.js';

const PhaseEntry = z.object({
  phase: z.string(),
  attempt: z.number().int(),
  start: z.string(),
  end: z.string(),
  ok: z.boolean(),
  detail: z.string().optional(),
});

const InstallEntry = z.object({
  updateId: z.string(),
  kb: z.string().default(''),
  title: z.string().default(''),
  resultCode: z.string(),
  errorCode: z.string().default(''),
  rebootRequired: z.boolean().default(false),
});

const ErrorEntry = z.object({ code: z.string(), message: z.string(), node: z.string().optional() });

const NodeEntry = z.object({
  node: z.string(),
  status: z.string(),
  attempts: z.number().int().default(0),
  numberOfSucceededUpdates: z.number().int().default(0),
  numberOfFailedUpdates: z.number().int().default(0),
  installResults: z.array(InstallEntry).default([]),
  rebooted: z.boolean().default(false),
  nodeRebootResult: z.object({ bootType: z.string(), reboots: z.number().int() }).optional(),
  errorRecord: ErrorEntry.nullable().default(null),
  nodeSuspendedTimestamp: z.string().nullable().default(null),
  nodeSuspendedDurationSeconds: z.number().nullable().default(null),
  phases: z.array(PhaseEntry).default([]),
});

/**
 * A stored run document as reports read it. Lenient on purpose: history files outlive versions of cauctl,
 * so missing optional fields take defaults and unknown fields are kept rather than rejected.
 */
export const StoredRunReport = z.looseObject({
  schemaVersion: z.number().optional(),
  runId: z.string(),
  clusterName: z.string(),
  status: z.string(),
  startTime: z.string(),
  endTime: z.string(),
  errorRecord: ErrorEntry.nullable().default(null),
  plugins: z.array(z.string()).default([]),
  maxFailedNodes: z.number().int().optional(),
  nodeResults: z.array(NodeEntry).default([]),
  warnings: z.array(z.string()).default([]),
  resumed: z.boolean().default(false),
  simulation: z.object({ virtualSeconds: z.number(), maxNodesOutOfService: z.number(), violations: z.array(z.string()) }).optional(),
});
export type RunReport = z.infer<typeof StoredRunReport>;
export type NodeReport = RunReport['nodeResults'][number];
export type PhaseReport = NodeReport['phases'][number];
export type InstallReport = NodeReport['installResults'][number];

/** Parses stored documents; the ones that are not run reports are named in `skipped` (by index). */
export function parseStoredReports(documents: readonly unknown[]): { reports: RunReport[]; invalid: number[] } {
  const reports: RunReport[] = [];
  const invalid: number[] = [];
  documents.forEach((doc, i) => {
    const parsed = StoredRunReport.safeParse(doc);
    if (parsed.success && Number.isFinite(Date.parse(parsed.data.startTime))) reports.push(parsed.data);
    else invalid.push(i);
  });
  reports.sort((a, b) => Date.parse(a.startTime) - Date.parse(b.startTime));
  return { reports, invalid };
}

/** One line of Get-CauReport's default output (CauReportSummary). */
export interface ReportSummary {
  readonly runId: string;
  readonly clusterName: string;
  readonly startTime: string;
  readonly endTime: string;
  readonly status: string;
  readonly nodeCount: number;
  readonly nodesSucceeded: number;
  /** Failed plus PartiallyFailed nodes. */
  readonly nodesFailed: number;
  readonly nodesCanceled: number;
  readonly numberOfSucceededUpdates: number;
  readonly numberOfFailedUpdates: number;
  readonly errorCode: string | null;
}

export function summarizeReport(report: RunReport): ReportSummary {
  const count = (pred: (n: NodeReport) => boolean): number => report.nodeResults.filter(pred).length;
  return {
    runId: report.runId,
    clusterName: report.clusterName,
    startTime: report.startTime,
    endTime: report.endTime,
    status: report.status,
    nodeCount: report.nodeResults.length,
    nodesSucceeded: count((n) => n.status === 'Succeeded'),
    nodesFailed: count((n) => n.status === 'Failed' || n.status === 'PartiallyFailed'),
    nodesCanceled: count((n) => n.status === 'Canceled'),
    numberOfSucceededUpdates: report.nodeResults.reduce((s, n) => s + n.numberOfSucceededUpdates, 0),
    numberOfFailedUpdates: report.nodeResults.reduce((s, n) => s + n.numberOfFailedUpdates, 0),
    errorCode: report.errorRecord?.code ?? null,
  };
}

/** Which runs to show. Dates are inclusive bounds on the run's start, in ms since the epoch. */
export interface ReportQuery {
  readonly last: boolean;
  readonly startMs?: number;
  readonly endMs?: number;
  /** A run id or a unique prefix of one (case-insensitive). */
  readonly runId?: string;
}

export interface RawReportQuery {
  readonly last?: boolean;
  readonly startDate?: string;
  readonly endDate?: string;
  readonly runId?: string;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const DAY_MS = 86_400_000;

/**
 * Parses `--start-date` / `--end-date`: `YYYY-MM-DD` or an ISO-8601 date-time, UTC unless it carries an offset.
 * A date alone covers the whole day, so `--end-date 2024-10-08` includes runs started that evening.
 */
export function parseReportDate(text: string, bound: 'start' | 'end', flag: string): number {
  const trimmed = text.trim();
  if (DATE_ONLY.test(trimmed)) {
    const ms = Date.parse(`${trimmed}T00:00:00Z`);
    if (Number.isFinite(ms) && new Date(ms).toISOString().startsWith(trimmed)) return bound === 'start' ? ms : ms + DAY_MS - 1;
  } else if (DATE_TIME.test(trimmed)) {
    const normalized = trimmed.replace(' ', 'T');
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(normalized);
    const ms = Date.parse(hasZone ? normalized : `${normalized}Z`);
    if (Number.isFinite(ms)) return ms;
  }
  throw usageError('USAGE_DATE', `${flag} must be a date (2024-10-08) or an ISO-8601 date and time (2024-10-08T14:30:00Z); got ${JSON.stringify(text)}.`, {
    hint: 'Dates without an offset are UTC; a date alone covers the whole day.',
  });
}

export function parseReportQuery(raw: RawReportQuery): ReportQuery {
  const last = raw.last === true;
  const dated = raw.startDate !== undefined || raw.endDate !== undefined;
  if (last && dated) throw usageError('USAGE_CONFLICT', '--last and --start-date/--end-date conflict: choose one.');
  if (last && raw.runId !== undefined) throw usageError('USAGE_CONFLICT', '--last and --run-id conflict: choose one.');
  if (raw.runId !== undefined && dated) throw usageError('USAGE_CONFLICT', '--run-id and --start-date/--end-date conflict: choose one.');
  if (raw.runId !== undefined && !/^[A-Za-z0-9-]{1,64}$/.test(raw.runId)) {
    throw usageError('USAGE_RUN_ID', `--run-id must be a run id or the start of one (letters, digits, dashes); got ${JSON.stringify(raw.runId)}.`);
  }
  const startMs = raw.startDate === undefined ? undefined : parseReportDate(raw.startDate, 'start', '--start-date');
  const endMs = raw.endDate === undefined ? undefined : parseReportDate(raw.endDate, 'end', '--end-date');
  if (startMs !== undefined && endMs !== undefined && startMs > endMs) {
    throw usageError('USAGE_DATE', `--start-date ${raw.startDate} is after --end-date ${raw.endDate}.`);
  }
  return {
    last,
    ...(startMs !== undefined ? { startMs } : {}),
    ...(endMs !== undefined ? { endMs } : {}),
    ...(raw.runId !== undefined ? { runId: raw.runId } : {}),
  };
}

/**
 * The reports a query selects, oldest first. An unknown or ambiguous `runId` is a usage error naming the
 * candidates, since a script that asked for one run must not silently get none or several.
 */
export function selectReports(reports: readonly RunReport[], query: ReportQuery): RunReport[] {
  const sorted = [...reports].sort((a, b) => Date.parse(a.startTime) - Date.parse(b.startTime));
  if (query.runId !== undefined) {
    const wanted = query.runId.toLowerCase();
    const exact = sorted.filter((r) => r.runId.toLowerCase() === wanted);
    const matches = exact.length > 0 ? exact : sorted.filter((r) => r.runId.toLowerCase().startsWith(wanted));
    if (matches.length === 0) {
      throw usageError('REPORT_NOT_FOUND', `No report of run ${query.runId} in this host's history.`, {
        hint: 'List the runs with: cauctl get-report',
      });
    }
    if (new Set(matches.map((r) => r.runId)).size > 1) {
      throw usageError('REPORT_AMBIGUOUS', `--run-id ${query.runId} matches ${matches.length} runs: ${matches.map((r) => r.runId).join(', ')}.`, {
        hint: 'Give more characters of the run id.',
      });
    }
    return matches;
  }
  if (query.last) return sorted.slice(-1);
  return sorted.filter((r) => {
    const start = Date.parse(r.startTime);
    return (query.startMs === undefined || start >= query.startMs) && (query.endMs === undefined || start <= query.endMs);
  });
}

/** Phases that undo or finish a node's attempt, run after a failure as well as after a success. */
const CLEANUP_PHASES = new Set(['resume', 'resync', 'post-script']);

/**
 * Which recorded phases failed, one flag per entry of `node.phases`. A phase recorded with `ok: false` failed.
 * An attempt can also fail without a phase throwing (an install task that ran but whose updates failed):
 * every attempt of a Failed or PartiallyFailed node, and every attempt but the last of the others, failed,
 * so in such an attempt with no failed phase the last phase that did work (not resume, resync, post-script)
 * is the one that failed.
 */
export function phaseFailures(node: NodeReport): boolean[] {
  const flags = node.phases.map((p) => !p.ok);
  const lastAttempt = Math.max(node.attempts, ...node.phases.map((p) => p.attempt));
  const nodeFailed = node.status === 'Failed' || node.status === 'PartiallyFailed';
  const attempts = [...new Set(node.phases.map((p) => p.attempt))];
  for (const attempt of attempts) {
    const attemptFailed = nodeFailed || attempt < lastAttempt;
    if (!attemptFailed) continue;
    const indexes = node.phases.map((p, i) => (p.attempt === attempt ? i : -1)).filter((i) => i >= 0);
    if (indexes.some((i) => flags[i])) continue;
    const work = indexes.filter((i) => !CLEANUP_PHASES.has(node.phases[i]!.phase));
    const culprit = work[work.length - 1];
    if (culprit !== undefined) flags[culprit] = true;
  }
  return flags;
}
