/**
 * Run history: the result of every run, saved beside the journals in the state directory, one JSON file per
 * run. get-report and export-report read it. Depends on platform/fs only.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, ExitCode } from '../errors.js';
import { encodePathSegment, writeFileAtomic } from '../platform/fs.js';

export function historyDir(stateDir: string, clusterName: string): string {
  return join(stateDir, 'history', encodePathSegment(clusterName.toUpperCase()));
}

export interface StoredReport {
  readonly runId: string;
  readonly clusterName: string;
  readonly startTime: string;
  readonly [key: string]: unknown;
}

/**
 * A run's report could not be saved in the history (a full disk, a folder that is not one, no permission).
 * Like a journal write, it is a safe halt with exit 3, never "internal error".
 */
export class HistoryWriteError extends AppError {
  constructor(readonly path: string, cause: unknown) {
    const why = (cause as NodeJS.ErrnoException | null)?.code ?? (cause instanceof Error ? cause.message : String(cause));
    super('HISTORY_WRITE_FAILED', ExitCode.runFailed, `The run's report could not be saved in the history at ${path} (${why}).`, {
      cause,
      hint: 'Free space or fix the state directory (CAUCTL_STATE_DIR); the run itself is in its journal and on the cluster (cauctl get-report --include-cluster).',
    });
  }
}

/** Saves a run's report; throws HistoryWriteError when it cannot be made durable. */
export function saveReport(stateDir: string, report: StoredReport): string {
  const path = join(historyDir(stateDir, report.clusterName), `${encodePathSegment(report.startTime.replace(/[:.]/g, ''))}-${encodePathSegment(report.runId)}.json`);
  try {
    writeFileAtomic(path, `${JSON.stringify(report, null, 2)}\n`, { durable: true });
  } catch (error) {
    throw new HistoryWriteError(path, error);
  }
  return path;
}

export interface LoadedHistory {
  reports: StoredReport[];
  /** Files that are not reports, by name. */
  skipped: string[];
  /** The history folder exists but cannot be listed (not a folder, no permission): why. */
  unreadable?: string;
}

/** Every stored report of a cluster, oldest first. Unreadable files are skipped and named in `skipped`. */
export function loadReports(stateDir: string, clusterName: string): LoadedHistory {
  const dir = historyDir(stateDir, clusterName);
  if (!existsSync(dir)) return { reports: [], skipped: [] };
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch (error) {
    return { reports: [], skipped: [], unreadable: (error as NodeJS.ErrnoException).code ?? String(error) };
  }
  const reports: StoredReport[] = [];
  const skipped: string[] = [];
  for (const file of files.filter((f) => f.endsWith('.json')).sort()) {
    try {
      const parsed = JSON.parse(readFileSync(join(dir, file), 'utf8')) as StoredReport;
      if (typeof parsed.runId === 'string' && typeof parsed.startTime === 'string') reports.push(parsed);
      else skipped.push(file);
    } catch {
      skipped.push(file);
    }
  }
  reports.sort((a, b) => a.startTime.localeCompare(b.startTime));
  return { reports, skipped };
}
