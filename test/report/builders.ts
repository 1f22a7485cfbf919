/**
 * Small override-taking builders of stored run reports (the documents `run` saves), and an RFC 4180 CSV
 * reader used to read exported files back. Test support only.
 */
import type { RunReport } from '../../src/core/report-query.js';
import { StoredRunReport } from '../../src/core/report-query.js';

type Raw = Record<string, unknown>;

export function aPhase(overrides: Raw = {}): Raw {
  return { phase: 'install', attempt: 1, start: '2024-10-08T10:00:00.000Z', end: '2024-10-08T10:10:00.000Z', ok: true, ...overrides };
}

export function anInstall(overrides: Raw = {}): Raw {
  return { updateId: 'u-1', kb: 'KB5044281', title: '2024-10 Cumulative Update', resultCode: 'Succeeded', errorCode: '0x0', rebootRequired: true, ...overrides };
}

export function aNodeResult(node: string, overrides: Raw = {}): Raw {
  return {
    node,
    status: 'Succeeded',
    attempts: 1,
    numberOfSucceededUpdates: 1,
    numberOfFailedUpdates: 0,
    installResults: [anInstall()],
    rebooted: true,
    nodeRebootResult: { bootType: 'FullReboot', reboots: 1 },
    errorRecord: null,
    nodeSuspendedTimestamp: '2024-10-08T10:00:00.000Z',
    nodeSuspendedDurationSeconds: 1200,
    phases: [
      aPhase({ phase: 'drain', start: '2024-10-08T09:59:00.000Z', end: '2024-10-08T10:00:00.000Z' }),
      aPhase(),
      aPhase({ phase: 'reboot', start: '2024-10-08T10:10:00.000Z', end: '2024-10-08T10:10:00.000Z' }),
      aPhase({ phase: 'wait-node', start: '2024-10-08T10:10:00.000Z', end: '2024-10-08T10:16:00.000Z' }),
      aPhase({ phase: 'resume', start: '2024-10-08T10:16:00.000Z', end: '2024-10-08T10:16:01.000Z' }),
      aPhase({ phase: 'resync', start: '2024-10-08T10:16:01.000Z', end: '2024-10-08T10:26:01.000Z' }),
    ],
    ...overrides,
  };
}

export function aRawReport(overrides: Raw = {}): Raw {
  return {
    schemaVersion: 1,
    runId: '11111111-1111-4111-8111-111111111111',
    clusterName: 'HCI01',
    status: 'Succeeded',
    startTime: '2024-10-08T09:58:00.000Z',
    endTime: '2024-10-08T10:30:00.000Z',
    errorRecord: null,
    plugins: ['Microsoft.WindowsUpdatePlugin'],
    maxFailedNodes: 1,
    nodeResults: [aNodeResult('NODE1'), aNodeResult('NODE2', { installResults: [anInstall(), anInstall({ updateId: 'u-2', kb: 'KB890830', title: 'MSRT' })], numberOfSucceededUpdates: 2 })],
    warnings: [],
    resumed: false,
    ...overrides,
  };
}

export function aReport(overrides: Raw = {}): RunReport {
  return StoredRunReport.parse(aRawReport(overrides));
}

/** Reads RFC 4180 CSV: quoted fields with "" escapes, commas and line breaks inside quotes, CRLF or LF rows. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      // the \n ends the row
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += c;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** CSV rows as objects keyed by the header row. */
export function csvRecords(text: string): Array<Record<string, string>> {
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}
