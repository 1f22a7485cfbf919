/**
 * The body of `cauctl get-report`, and the history reading it shares with export-report: which cluster,
 * which state directory, the stored reports, and the messages when there are none.
 */
import { parseStoredReports, selectReports, summarizeReport, type ReportQuery, type RunReport } from '../../core/report-query.js';
import { ExitCode, usageError } from '../../errors.js';
import { readClusterSummaries } from '../../core/run-history.js';
import { historyDir, loadReports, type StoredReport } from '../../journal/history.js';
import { formatDuration } from '../../output/format.js';
import { renderTable } from '../../output/table.js';
import type { Theme } from '../../output/theme.js';
import { resolveStateDir } from '../../platform/fs.js';
import type { CommandEnv } from '../command-env.js';
import { openCluster, themeFor } from '../context.js';
import type { GlobalProfile } from '../global-options.js';
import type { CliIo } from '../io.js';
import type { GetReportProfile } from './get-report.js';

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
  return { stateDir: resolveStateDir(io.env as NodeJS.ProcessEnv, io.platform), clusterName: globals.clusterName };
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
    io.stderr.write(`No run of ${history.target.clusterName} ${describeQuery(query)} (${history.reports.length} run(s) in this host's history).\n`);
    return undefined;
  }
  return selected;
}

function printSummaries(reports: readonly RunReport[], env: CommandEnv, theme: Theme): void {
  const rows = reports.map((r) => {
    const s = summarizeReport(r);
    return [s.runId, s.startTime, s.endTime, theme.status(s.status), `${s.nodesSucceeded}/${s.nodeCount}`, String(s.nodesFailed), `${s.numberOfSucceededUpdates}/${s.numberOfFailedUpdates}`, s.errorCode ?? ''];
  });
  env.io.stdout.write(renderTable(['RunId', 'Start', 'End', 'Status', 'Nodes OK', 'Nodes failed', 'Updates OK/failed', 'Error'], rows, { tty: env.io.stdout.isTTY }));
}

function printDetailed(reports: readonly RunReport[], env: CommandEnv, theme: Theme): void {
  const tty = env.io.stdout.isTTY;
  reports.forEach((r, i) => {
    const out = env.io.stdout;
    if (i > 0) out.write('\n');
    out.write(`Run ${r.runId} on ${r.clusterName}: ${theme.status(r.status)}\n`);
    out.write(`  start ${r.startTime}   end ${r.endTime}   plug-ins ${r.plugins.join(', ') || '-'}${r.maxFailedNodes !== undefined ? `   MaxFailedNodes ${r.maxFailedNodes}` : ''}${r.resumed ? '   (resumed)' : ''}\n`);
    if (r.errorRecord) out.write(`  error ${r.errorRecord.code}: ${r.errorRecord.message}\n`);
    for (const w of r.warnings) out.write(`  warning: ${w}\n`);
    out.write(
      renderTable(
        ['Node', 'Status', 'Attempts', 'Updated', 'Failed', 'Restart', 'Suspended', 'Error'],
        r.nodeResults.map((n) => [
          n.node,
          theme.status(n.status),
          String(n.attempts),
          String(n.numberOfSucceededUpdates),
          String(n.numberOfFailedUpdates),
          n.rebooted ? (n.nodeRebootResult?.bootType ?? 'yes') : 'no',
          n.nodeSuspendedDurationSeconds === null ? '' : formatDuration(n.nodeSuspendedDurationSeconds),
          n.errorRecord ? `${n.errorRecord.code}: ${n.errorRecord.message}` : '',
        ]),
        { tty },
      ),
    );
    const updates = r.nodeResults.flatMap((n) => n.installResults.map((u) => [n.node, u.kb, u.title, theme.status(u.resultCode === 'Succeeded' ? 'Succeeded' : u.resultCode === 'Failed' ? 'Failed' : u.resultCode), u.errorCode, u.rebootRequired ? 'yes' : 'no']));
    if (updates.length > 0) out.write(renderTable(['Node', 'KB', 'Title', 'Result', 'ErrorCode', 'Reboot'], updates, { tty }));
    else out.write('  no update install results\n');
  });
}

export async function runGetReportCommand(profile: GetReportProfile, globals: GlobalProfile, env: CommandEnv): Promise<number> {
  const target = await resolveHistoryTarget(globals, env.io);
  const history = await readHistory(target, env.io, profile.includeCluster ? { globals } : undefined);
  const selected = selectOrExplain(history, profile.query, env.io) ?? [];
  if (globals.output !== 'human') {
    const reports = profile.detailed ? selected : selected.map(summarizeReport);
    env.io.stdout.write(`${JSON.stringify({ schemaVersion: 1, clusterName: target.clusterName, detailed: profile.detailed, reports }, null, 2)}\n`);
    return ExitCode.ok;
  }
  if (selected.length === 0) return ExitCode.ok;
  const theme = themeFor(globals, env.io);
  if (profile.detailed) printDetailed(selected, env, theme);
  else printSummaries(selected, env, theme);
  return ExitCode.ok;
}
