/**
 * Run history: the result of every run, saved beside the journals in the state directory, one JSON file per
 * run. get-report and export-report read it. Depends on platform/fs only.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../platform/fs.js';

function safeSegment(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

export function historyDir(stateDir: string, clusterName: string): string {
  return join(stateDir, 'history', safeSegment(clusterName.toUpperCase()));
}

export interface StoredReport {
  readonly runId: string;
  readonly clusterName: string;
  readonly startTime: string;
  readonly [key: string]: unknown;
}

export function saveReport(stateDir: string, report: StoredReport): string {
  const path = join(historyDir(stateDir, report.clusterName), `${safeSegment(report.startTime.replace(/[:.]/g, ''))}-${safeSegment(report.runId)}.json`);
  writeFileAtomic(path, `${JSON.stringify(report, null, 2)}\n`, { durable: true });
  return path;
}

/** Every stored report of a cluster, oldest first. Unreadable files are skipped and named in `skipped`. */
export function loadReports(stateDir: string, clusterName: string): { reports: StoredReport[]; skipped: string[] } {
  const dir = historyDir(stateDir, clusterName);
  if (!existsSync(dir)) return { reports: [], skipped: [] };
  const reports: StoredReport[] = [];
  const skipped: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
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
