import { aNodeResult, anInstall, aReport, csvRecords, parseCsv } from '../../test/report/builders.js';
import { CSV_COLUMNS, csvCell, renderCsvReport } from './report-csv.js';

describe('csvCell (RFC 4180)', () => {
  it.each([
    ['plain', 'NODE1', 'NODE1'],
    ['a comma', 'a, b', '"a, b"'],
    ['a quote', 'say "hi"', '"say ""hi"""'],
    ['a line break', 'line1\r\nline2', '"line1\r\nline2"'],
    ['a formula is defused', '=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['a leading @', '@SUM(A1)', "'@SUM(A1)"],
    ['a leading minus in text', '-1+1', "'-1+1"],
    ['a number stays a number', -5, '-5'],
    ['a boolean', true, 'true'],
    ['null is empty', null, ''],
  ])('%s', (_name, value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });
});

describe('renderCsvReport', () => {
  const report = aReport({
    nodeResults: [
      aNodeResult('NODE1', { installResults: [anInstall({ title: 'Update, with "quotes"\nand a new line' }), anInstall({ updateId: 'u-2', kb: 'KB2', resultCode: 'Failed', errorCode: '0x80240022' })] }),
      aNodeResult('NODE2', { installResults: [], numberOfSucceededUpdates: 0, status: 'Canceled' }),
      aNodeResult('NODE3'),
    ],
  });

  it('has a header row and one row per node per update; a node without updates gets one row', () => {
    const text = renderCsvReport([report]);
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows.slice(1).every((r) => r.length === CSV_COLUMNS.length)).toBe(true);
    const records = csvRecords(text);
    expect(records.map((r) => `${r.NodeName}:${r.KB}`)).toEqual(['NODE1:KB5044281', 'NODE1:KB2', 'NODE2:', 'NODE3:KB5044281']);
    expect(records[0]!.UpdateTitle).toBe('Update, with "quotes"\nand a new line');
    expect(records[1]).toMatchObject({ UpdateResultCode: 'Failed', UpdateErrorCode: '0x80240022', NodeStatus: 'Succeeded', RunId: report.runId });
    expect(records[2]).toMatchObject({ NodeStatus: 'Canceled', UpdateId: '', UpdateTitle: '' });
  });

  it('gives a run without node results one row, so it is not lost', () => {
    const records = csvRecords(renderCsvReport([aReport({ runId: 'refused', status: 'Failed', nodeResults: [] }), report]));
    expect(records[0]).toMatchObject({ RunId: 'refused', RunStatus: 'Failed', NodeName: '' });
    expect(records).toHaveLength(5);
  });

  it('writes timestamps in the chosen zone, with their offset', () => {
    const [row] = csvRecords(renderCsvReport([report], { timeZone: 'Asia/Kolkata' }));
    expect(row!.RunStartTime).toBe('2024-10-08T15:28:00+05:30');
    expect(row!.NodeSuspendedTimestamp).toBe('2024-10-08T15:30:00+05:30');
    const [utc] = csvRecords(renderCsvReport([report]));
    expect(utc!.RunStartTime).toBe('2024-10-08T09:58:00+00:00');
  });
});
