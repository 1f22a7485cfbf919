/**
 * The body of `cauctl get-report`, and the history reading it shares with export-report: which cluster,
 * which state directory, the stored reports, and the messages when there are none.
 */
import { parseStoredReports, selectReports, summarizeReport, type ReportQuery, type RunReport } from '../../../core/report-query.js';
import { ExitCode, usageError } from '../../../errors.js';
import { readClusterSummaries } from '../../../core/run-history.js';
import { historyDir, loadReports, type StoredReport } from '../../../journal/history.js';
import { formatDuration, formatTime, plural } from '../../../output/format.js';
import { okAndFailed, printNodeResults } from '../../../output/node-results.js';
import { writeResult, type HumanPrinter } from '../../../output/result.js';
import { hostTimeZone } from '../../../platform/zone.js';
import type { CommandEnv } from '../../command-env.js';
import { openCluster, privateStateDir, resultEnvFor } from '../../context.js';
import type { GlobalProfile } from '../../global-options.js';
import type { CliIo } from '../../io.js';
import type { GetReportProfile } from './index.js';

export interface HistoryTarget {
  readonly stateDir: string;
  readonly clusterName: string;
}

/**
 * The cluster whose history to read. Reading history needs no connection, so a real cluster is named with
 * --cluster-name; a simulated one is opened read-only, just to learn its name.
 */
export async function resolveHistoryTarget(globals: GlobalProfile, io: CliIo): Promise<HistoryTarget> {
  if (globals.simulate !== undefined) {
    const ctx = await openCluster(globals, io, { readOnly: true });
    try {
      return { stateDir: ctx.stateDir, clusterName: ctx.entry };
    } finally {
      await ctx.close();
    }
  }
  if (globals.clusterName === undefined) {
    throw usageError('USAGE_CLUSTER_NAME', 'Name the cluster whose reports to read with --cluster-name, or use --simulate for the simulated cluster.', {
      hint: 'cauctl get-report --cluster-name HCI01',
    });
  }
  return { stateDir: privateStateDir(io), clusterName: globals.clusterName };
}

export interface History {
  readonly target: HistoryTarget;
  readonly dir: string;
  /** Oldest first. */
  readonly reports: RunReport[];
  /** Why the history folder could not be listed, or how many of its files could not be read. */
  readonly unreadable?: string;
}

/**
 * Loads the cluster's stored reports; unreadable files are named on stderr and skipped. With `fromCluster`,
 * the run summaries the cluster carries are added for runs this host has no report of (coordinated elsewhere).
 */
export async function readHistory(target: HistoryTarget, io: CliIo, fromCluster?: { globals: GlobalProfile }): Promise<History> {
  const dir = historyDir(target.stateDir, target.clusterName);
  const loaded = loadReports(target.stateDir, target.clusterName);
  if (fromCluster !== undefined) {
    const ctx = await openCluster(fromCluster.globals, io, { readOnly: true });
    try {
      const known = new Set(loaded.reports.map((r) => r.runId));
      for (const summary of await readClusterSummaries(ctx.gateway, ctx.entry)) {
        if (!known.has(summary.runId)) loaded.reports.push(summary as unknown as StoredReport);
      }
    } finally {
      await ctx.close();
    }
  }
  const parsed = parseStoredReports(loaded.reports);
  const skipped = [...loaded.skipped, ...parsed.invalid.map((i) => String(loaded.reports[i]?.runId ?? i))];
  for (const name of skipped) io.stderr.write(`cauctl: warning: skipped an unreadable report in the history (${name}).\n`);
  const unreadable = loaded.unreadable ?? (skipped.length > 0 ? `${skipped.length} unreadable file(s)` : undefined);
  return { target, dir, reports: parsed.reports, ...(unreadable !== undefined ? { unreadable } : {}) };
}

export function noHistoryMessage(history: History): string {
  if (history.unreadable !== undefined) {
    return (
      `No history of ${history.target.clusterName} could be read: ${history.dir} (${history.unreadable}).\n` +
      'Fix that folder (it must be a folder you can read, in the state directory CAUCTL_STATE_DIR); the cluster carries a summary of its last runs: add --include-cluster to list them.\n'
    );
  }
  return (
    `No reports of ${history.target.clusterName} in this host's history (${history.dir}).\n` +
    'Runs coordinated from another host are saved in that host\'s history; the cluster carries a summary of its last runs: add --include-cluster to list them.\n'
  );
}

function describeQuery(query: ReportQuery): string {
  const iso = (ms: number): string => new Date(ms).toISOString();
  if (query.runId !== undefined) return `with run id ${query.runId}`;
  if (query.startMs !== undefined && query.endMs !== undefined) return `started between ${iso(query.startMs)} and ${iso(query.endMs)}`;
  if (query.startMs !== undefined) return `started on or after ${iso(query.startMs)}`;
  if (query.endMs !== undefined) return `started on or before ${iso(query.endMs)}`;
  return 'selected';
}

/** The selected reports, or undefined after writing why there are none (history empty, or nothing matched). */
export function selectOrExplain(history: History, query: ReportQuery, io: CliIo): RunReport[] | undefined {
  if (history.reports.length === 0) {
    io.stderr.write(noHistoryMessage(history));
    return undefined;
  }
  const selected = selectReports(history.reports, query);
  if (selected.length === 0) {
    io.stderr.write(`No run of ${history.target.clusterName} ${describeQuery(query)} (${plural(history.reports.length, 'run')} in this host's history).\n`);
    return undefined;
  }
  return selected;
}

/** On a terminal the first 8 characters of a run id, which --run-id accepts; whole in a record off it. */
function shownRunId(runId: string, out: HumanPrinter): string {
  return out.isTty ? runId.slice(0, 8) : runId;
}

function durationOf(start: string, end: string): string {
  const seconds = (Date.parse(end) - Date.parse(start)) / 1000;
  return Number.isFinite(seconds) ? formatDuration(seconds) : '';
}

/** get-report's default view: one row per run. */
export function printSummaries(reports: readonly RunReport[], out: HumanPrinter, zone: string): void {
  const rows = reports.map((r) => {
    const s = summarizeReport(r);
    return [shownRunId(s.runId, out), formatTime(s.startTime, zone), durationOf(s.startTime, s.endTime), out.theme.status(s.status), `${s.nodesSucceeded} of ${s.nodeCount} ok`, okAndFailed(s.numberOfSucceededUpdates, s.numberOfFailedUpdates), s.errorCode ?? ''];
  });
  out.table(['RunId', 'Start', 'Duration', 'Status', 'Nodes', 'Updates', 'Error'], rows);
}

/** get-report --detailed: each run with its node and update results. */
export function printDetailed(reports: readonly RunReport[], out: HumanPrinter, zone: string): void {
  const { theme } = out;
  reports.forEach((r, i) => {
    if (i > 0) out.line();
    out.line(`Run ${r.runId} on ${r.clusterName}: ${theme.status(r.status)}`);
    out.line(`  started ${formatTime(r.startTime, zone)}, took ${durationOf(r.startTime, r.endTime)}`);
    out.line(`  plug-ins ${r.plugins.join(', ') || '-'}${r.maxFailedNodes !== undefined ? `   MaxFailedNodes ${r.maxFailedNodes}` : ''}${r.resumed ? '   (resumed)' : ''}`);
    if (r.errorRecord) out.line(`  error ${r.errorRecord.code}: ${r.errorRecord.message}`);
    for (const w of r.warnings) out.line(`  warning: ${w}`);
    printNodeResults(out, r.nodeResults);
    const updates = r.nodeResults.flatMap((n) => n.installResults.map((u) => [n.node, u.kb, u.title, theme.status(u.resultCode), u.errorCode, u.rebootRequired ? 'yes' : 'no']));
    if (updates.length > 0) out.table(['Node', 'KB', 'Title', 'Result', 'ErrorCode', 'Reboot'], updates);
    else out.line('  no update install results');
  });
}

export async function runGetReportCommand(profile: GetReportProfile, globals: GlobalProfile, env: CommandEnv): Promise<number> {
  const target = await resolveHistoryTarget(globals, env.io);
  const history = await readHistory(target, env.io, profile.includeCluster ? { globals } : undefined);
  const selected = selectOrExplain(history, profile.query, env.io) ?? [];
  const reports = profile.detailed ? selected : selected.map(summarizeReport);
  const zone = hostTimeZone();
  writeResult(resultEnvFor(globals, env.io), { schemaVersion: 1, clusterName: target.clusterName, detailed: profile.detailed, reports }, (out) => {
    if (selected.length === 0) return;
    if (profile.detailed) printDetailed(selected, out, zone);
    else printSummaries(selected, out, zone);
  });
  return ExitCode.ok;
}
