import { aNodeResult, aPhase, aRawReport, aReport } from '../../test/report/builders.js';
import { AppError } from '../errors.js';
import {
  parseReportDate,
  parseReportQuery,
  parseStoredReports,
  phaseFailures,
  selectReports,
  StoredRunReport,
  summarizeReport,
} from './report-query.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? `${error.code}/${error.exitCode}` : `not an AppError: ${String(error)}`;
  }
  return undefined;
}

const history = [
  aReport({ runId: 'aaaa1111-0000-4000-8000-000000000001', startTime: '2024-09-30T23:59:59.000Z', status: 'Succeeded' }),
  aReport({ runId: 'aaaa2222-0000-4000-8000-000000000002', startTime: '2024-10-01T00:00:00.000Z', status: 'PartiallyFailed' }),
  aReport({ runId: 'bbbb3333-0000-4000-8000-000000000003', startTime: '2024-10-15T12:00:00.000Z', status: 'Failed' }),
  aReport({ runId: 'cccc4444-0000-4000-8000-000000000004', startTime: '2024-10-31T23:00:00.000Z', status: 'Succeeded' }),
  aReport({ runId: 'dddd5555-0000-4000-8000-000000000005', startTime: '2024-11-01T00:00:00.000Z', status: 'Canceled' }),
];
// Given out of order on purpose: selection sorts by start time.
const shuffled = [history[3]!, history[0]!, history[4]!, history[2]!, history[1]!];
const ids = (reports: readonly { runId: string }[]): string[] => reports.map((r) => r.runId.slice(0, 8));

describe('parseReportDate', () => {
  it.each([
    ['a date, as a start', '2024-10-08', 'start', '2024-10-08T00:00:00.000Z'],
    ['a date, as an end, covers the whole day', '2024-10-08', 'end', '2024-10-08T23:59:59.999Z'],
    ['UTC date-time', '2024-10-08T14:30:00Z', 'start', '2024-10-08T14:30:00.000Z'],
    ['no offset means UTC', '2024-10-08T14:30', 'end', '2024-10-08T14:30:00.000Z'],
    ['space separator', '2024-10-08 14:30:05', 'start', '2024-10-08T14:30:05.000Z'],
    ['with an offset', '2024-10-08T14:30:00+02:00', 'start', '2024-10-08T12:30:00.000Z'],
  ] as const)('%s', (_name, text, bound, expected) => {
    expect(new Date(parseReportDate(text, bound, '--start-date')).toISOString()).toBe(expected);
  });

  it.each(['yesterday', '2024-13-01', '2024-02-30', '08/10/2024', '', '2024-10-08T25:00'])('rejects %j as a usage error', (text) => {
    expect(codeOf(() => parseReportDate(text, 'start', '--start-date'))).toBe('USAGE_DATE/2');
  });
});

describe('parseReportQuery', () => {
  it.each([
    ['--last and --start-date', { last: true, startDate: '2024-10-01' }, 'USAGE_CONFLICT/2'],
    ['--last and --run-id', { last: true, runId: 'abc' }, 'USAGE_CONFLICT/2'],
    ['--run-id and --end-date', { runId: 'abc', endDate: '2024-10-01' }, 'USAGE_CONFLICT/2'],
    ['start after end', { startDate: '2024-10-02', endDate: '2024-10-01' }, 'USAGE_DATE/2'],
    ['a run id that is not one', { runId: '../etc/passwd' }, 'USAGE_RUN_ID/2'],
  ])('%s is refused', (_name, raw, code) => {
    expect(codeOf(() => parseReportQuery(raw))).toBe(code);
  });

  it('builds a readonly query', () => {
    expect(parseReportQuery({ startDate: '2024-10-01', endDate: '2024-10-31' })).toEqual({
      last: false,
      startMs: Date.parse('2024-10-01T00:00:00Z'),
      endMs: Date.parse('2024-10-31T23:59:59.999Z'),
    });
    expect(parseReportQuery({})).toEqual({ last: false });
    expect(parseReportQuery({ last: true })).toEqual({ last: true });
  });
});

describe('selectReports', () => {
  it.each([
    ['everything, oldest first', {}, ['aaaa1111', 'aaaa2222', 'bbbb3333', 'cccc4444', 'dddd5555']],
    ['--last', { last: true }, ['dddd5555']],
    ['October (inclusive bounds)', { startDate: '2024-10-01', endDate: '2024-10-31' }, ['aaaa2222', 'bbbb3333', 'cccc4444']],
    ['from a date on', { startDate: '2024-10-15T12:00:00Z' }, ['bbbb3333', 'cccc4444', 'dddd5555']],
    ['up to a date', { endDate: '2024-10-01' }, ['aaaa1111', 'aaaa2222']],
    ['a range with nothing in it', { startDate: '2024-12-01' }, []],
    ['an exact run id, any case', { runId: 'BBBB3333-0000-4000-8000-000000000003' }, ['bbbb3333']],
    ['a unique prefix', { runId: 'cccc' }, ['cccc4444']],
  ])('%s', (_name, raw, expected) => {
    expect(ids(selectReports(shuffled, parseReportQuery(raw)))).toEqual(expected);
  });

  it('refuses an ambiguous prefix, naming the candidates', () => {
    const error = (() => {
      try {
        selectReports(history, parseReportQuery({ runId: 'aaaa' }));
      } catch (e) {
        return e as AppError;
      }
      return undefined;
    })();
    expect(error?.code).toBe('REPORT_AMBIGUOUS');
    expect(error?.message).toContain('aaaa1111-0000-4000-8000-000000000001');
    expect(error?.message).toContain('aaaa2222-0000-4000-8000-000000000002');
  });

  it('refuses an unknown run id', () => {
    expect(codeOf(() => selectReports(history, parseReportQuery({ runId: 'ffff' })))).toBe('REPORT_NOT_FOUND/2');
  });

  it('returns nothing for --last on an empty history', () => {
    expect(selectReports([], { last: true })).toEqual([]);
  });
});

describe('stored reports', () => {
  it('accepts an old, thinner document with defaults and keeps unknown fields', () => {
    const parsed = StoredRunReport.parse({ runId: 'r1', clusterName: 'C', status: 'Succeeded', startTime: '2024-10-08T00:00:00Z', endTime: '2024-10-08T01:00:00Z', nodeResults: [{ node: 'N1', status: 'Succeeded' }], journalPath: '/x' });
    expect(parsed.nodeResults[0]).toMatchObject({ attempts: 0, installResults: [], phases: [], errorRecord: null });
    expect(parsed.journalPath).toBe('/x');
  });

  it('skips documents that are not run reports, and sorts the rest by start time', () => {
    const { reports, invalid } = parseStoredReports([aRawReport({ runId: 'late', startTime: '2024-10-09T00:00:00Z' }), { runId: 'x' }, aRawReport({ runId: 'bad-time', startTime: 'soon' }), aRawReport({ runId: 'early' })]);
    expect(reports.map((r) => r.runId)).toEqual(['early', 'late']);
    expect(invalid).toEqual([1, 2]);
  });

  it('summarizes a run: node counts, update counts, error code', () => {
    const report = aReport({
      status: 'PartiallyFailed',
      errorRecord: { code: 'NodesFailed', message: 'NODE2 did not update' },
      nodeResults: [aNodeResult('NODE1'), aNodeResult('NODE2', { status: 'Failed', numberOfSucceededUpdates: 0, numberOfFailedUpdates: 2 }), aNodeResult('NODE3', { status: 'PartiallyFailed', numberOfFailedUpdates: 1 }), aNodeResult('NODE4', { status: 'Canceled', numberOfSucceededUpdates: 0 })],
    });
    expect(summarizeReport(report)).toEqual({
      runId: report.runId,
      clusterName: 'HCI01',
      startTime: report.startTime,
      endTime: report.endTime,
      status: 'PartiallyFailed',
      nodeCount: 4,
      nodesSucceeded: 1,
      nodesFailed: 2,
      nodesCanceled: 1,
      numberOfSucceededUpdates: 2,
      numberOfFailedUpdates: 3,
      errorCode: 'NodesFailed',
    });
  });
});

describe('phaseFailures', () => {
  const attempt = (n: number, extra: Record<string, unknown> = {}): Record<string, unknown>[] => [
    aPhase({ phase: 'drain', attempt: n }),
    aPhase({ phase: 'install', attempt: n, ...extra }),
    aPhase({ phase: 'resume', attempt: n }),
    aPhase({ phase: 'resync', attempt: n }),
  ];
  const flagsOf = (overrides: Record<string, unknown>): string => {
    const node = aReport({ nodeResults: [aNodeResult('N', overrides)] }).nodeResults[0]!;
    return phaseFailures(node).map((f, i) => (f ? `${node.phases[i]!.phase}#${node.phases[i]!.attempt}` : '')).filter(Boolean).join(' ');
  };

  it.each([
    ['a clean success', { status: 'Succeeded', attempts: 1, phases: attempt(1) }, ''],
    ['a phase that threw is failed', { status: 'Succeeded', attempts: 2, phases: [...attempt(1, { ok: false }), ...attempt(2)] }, 'install#1'],
    ['retried install failures: every attempt but the last, at its install', { status: 'Succeeded', attempts: 3, phases: [...attempt(1), ...attempt(2), ...attempt(3)] }, 'install#1 install#2'],
    ['a failed node: every attempt, not the cleanup after it', { status: 'Failed', attempts: 2, phases: [...attempt(1), ...attempt(2)] }, 'install#1 install#2'],
    ['a drain that failed and was recorded so', { status: 'Failed', attempts: 1, phases: [aPhase({ phase: 'drain', ok: false })] }, 'drain#1'],
    ['a failed node without phases', { status: 'Failed', attempts: 0, phases: [] }, ''],
  ])('%s', (_name, overrides, expected) => {
    expect(flagsOf(overrides)).toBe(expected);
  });
});
