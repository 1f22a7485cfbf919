/**
 * Export-CauReport -Format Csv: one row per node per update (a node without updates, or a run without nodes,
 * gets one row), a header row, RFC 4180 quoting, CRLF line ends. Pure text rendering; depends on
 * core/report-query and platform/zone only.
 */
import type { RunReport } from '../core/report-query.js';
import { isoInTimeZone } from '../platform/zone.js';

export const CSV_COLUMNS = [
  'RunId',
  'ClusterName',
  'RunStatus',
  'RunStartTime',
  'RunEndTime',
  'RunErrorCode',
  'NodeName',
  'NodeStatus',
  'Attempts',
  'NumberOfSucceededUpdates',
  'NumberOfFailedUpdates',
  'Rebooted',
  'BootType',
  'NodeSuspendedTimestamp',
  'NodeSuspendedDurationSeconds',
  'NodeErrorCode',
  'NodeErrorMessage',
  'UpdateId',
  'KB',
  'UpdateTitle',
  'UpdateResultCode',
  'UpdateErrorCode',
  'UpdateRebootRequired',
] as const;

/**
 * Spreadsheets run a cell that starts with one of these as a formula. Update titles and error messages come
 * from the nodes, so such a cell is prefixed with an apostrophe (the OWASP advice against CSV injection).
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export interface CsvReportOptions {
  /** IANA zone for the timestamps. @default 'UTC' */
  readonly timeZone?: string;
}

export function renderCsvReport(reports: readonly RunReport[], options: CsvReportOptions = {}): string {
  const zone = options.timeZone ?? 'UTC';
  const time = (iso: string | null): string => (iso === null ? '' : isoInTimeZone(iso, zone));
  const lines: string[] = [CSV_COLUMNS.join(',')];
  for (const run of reports) {
    const runCells = [run.runId, run.clusterName, run.status, time(run.startTime), time(run.endTime), run.errorRecord?.code ?? null];
    // A run refused before any node (no node results) still gets its one row, so no run disappears.
    if (run.nodeResults.length === 0) lines.push([...runCells, ...Array<null>(CSV_COLUMNS.length - runCells.length).fill(null)].map(csvCell).join(','));
    for (const node of run.nodeResults) {
      const nodeCells = [
        node.node,
        node.status,
        node.attempts,
        node.numberOfSucceededUpdates,
        node.numberOfFailedUpdates,
        node.rebooted,
        node.nodeRebootResult?.bootType ?? null,
        time(node.nodeSuspendedTimestamp),
        node.nodeSuspendedDurationSeconds,
        node.errorRecord?.code ?? null,
        node.errorRecord?.message ?? null,
      ];
      const updates = node.installResults.length > 0 ? node.installResults : [null];
      for (const u of updates) {
        const updateCells = u === null ? [null, null, null, null, null, null] : [u.updateId, u.kb, u.title, u.resultCode, u.errorCode, u.rebootRequired];
        lines.push([...runCells, ...nodeCells, ...updateCells].map(csvCell).join(','));
      }
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}
