/**
 * Issue 8 acceptance: get-report's filters on a history of several runs, and export-report's files, through
 * the built CLI. The history holds three real simulated runs (a success, a partial failure, a success) and
 * two older stored reports written beside them, so date ranges have something to select.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveReport } from '../../src/journal/history.js';
import { aCluster, parseJson, sandbox, type ExecResult, type Sandbox } from '../support/cli.js';
import { csvRecords, parseCsv } from './builders.js';

interface Summary {
  runId: string;
  startTime: string;
  status: string;
  nodeCount: number;
  nodesSucceeded: number;
  nodesFailed: number;
}
interface DetailedRun {
  runId: string;
  status: string;
  nodeResults: Array<{ node: string; status: string; installResults: Array<{ kb: string; resultCode: string }> }>;
}
interface ReportDoc<T> {
  schemaVersion: number;
  clusterName: string;
  detailed: boolean;
  reports: T[];
}

let box: Sandbox;
let fixture: string;
const real: Array<{ runId: string; status: string }> = [];
const OLD = ['2024-10-01T08:00:00.000Z', '2024-10-20T08:00:00.000Z'];

function expectClean(result: ExecResult, code = 0): void {
  if (result.code !== code) throw new Error(`exit ${result.code}, expected ${code}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`);
}

beforeAll(() => {
  box = sandbox();
  const runs: Array<[Record<string, unknown>, string[], number]> = [
    [aCluster('HIST', [1, 2, 1]), [], 0],
    [aCluster('HIST', [1, 2, 1], { NODE2: { faults: [{ kind: 'installFails', times: 99, errorCode: '0x80240022' }] } }), ['--max-failed-nodes', '1', '--max-retries-per-node', '1'], 6],
    [aCluster('HIST', [1, 2, 1]), [], 0],
  ];
  runs.forEach(([cluster, args, code], i) => {
    fixture = box.fixture(cluster, `hist-${i}.json`);
    const result = box.run(['run', '--simulate', fixture, '--sim-reset', '--force', '--json', ...args]);
    expectClean(result, code);
    const doc = parseJson<{ runId: string; status: string }>(result);
    real.push({ runId: doc.runId, status: doc.status });
  });
  // Two older runs, stored as `run` stores them: copies of the first with earlier times and new ids.
  const first = JSON.parse(readFileSync(join(box.stateDir, 'history', 'HIST', readHistoryFile(box, real[0]!.runId)), 'utf8')) as Record<string, unknown>;
  OLD.forEach((startTime, i) => {
    saveReport(box.stateDir, { ...first, clusterName: 'HIST', runId: `0000000${i}-old0-4000-8000-000000000000`, startTime, endTime: startTime.replace('T08', 'T09'), status: i === 0 ? 'Failed' : 'Succeeded' });
  });
});
afterAll(() => box.cleanup());

function readHistoryFile(b: Sandbox, runId: string): string {
  const name = readdirSync(join(b.stateDir, 'history', 'HIST')).find((f) => f.includes(runId));
  if (!name) throw new Error(`no history file for ${runId}`);
  return name;
}

const summaries = (...args: string[]): { result: ExecResult; doc: ReportDoc<Summary> } => {
  const result = box.run(['get-report', '--cluster-name', 'HIST', '--json', ...args]);
  return { result, doc: parseJson<ReportDoc<Summary>>(result) };
};

describe('get-report', () => {
  it('lists every run, oldest first, with status and node counts (JSON)', () => {
    const { result, doc } = summaries();
    expectClean(result);
    expect(result.stderr).toBe('');
    expect(doc).toMatchObject({ schemaVersion: 1, clusterName: 'HIST', detailed: false });
    expect(doc.reports.map((r) => r.runId)).toEqual(['00000000-old0-4000-8000-000000000000', '00000001-old0-4000-8000-000000000000', ...real.map((r) => r.runId)]);
    expect(doc.reports.map((r) => r.status)).toEqual(['Failed', 'Succeeded', 'Succeeded', 'PartiallyFailed', 'Succeeded']);
    expect(doc.reports[3]).toMatchObject({ nodeCount: 3, nodesSucceeded: 2, nodesFailed: 1 });
    expect(doc.reports[2]).toMatchObject({ nodeCount: 3, nodesSucceeded: 3, nodesFailed: 0 });
  });

  it('prints a tab-separated table off a terminal, one line per run', () => {
    const result = box.run(['get-report', '--simulate', fixture]);
    expectClean(result);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('RunId\tStart\tDuration\tStatus\tNodes\tUpdates\tError');
    expect(lines).toHaveLength(1 + 5);
    // Times are local with their zone (`2026-12-03 09:56:42 +00:00`), one field each.
    expect(lines[4]).toMatch(new RegExp(`^${real[1]!.runId}\\t\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d [+-]\\d\\d:\\d\\d\\t(\\d+h )?(\\d+m )?\\d+s\\tPartiallyFailed\\t2 of 3 ok\\t`));
    expect(result.stderr).toBe('');
  });

  it.each([
    ['--last', ['--last'], () => [real[2]!.runId]],
    ['a date range (inclusive, whole days)', ['--start-date', '2024-10-01', '--end-date', '2024-10-20'], () => ['00000000-old0-4000-8000-000000000000', '00000001-old0-4000-8000-000000000000']],
    ['a start date with a time', ['--start-date', '2024-10-01T08:00:01Z'], () => ['00000001-old0-4000-8000-000000000000', ...real.map((r) => r.runId)]],
    ['an end date only', ['--end-date', '2024-10-19'], () => ['00000000-old0-4000-8000-000000000000']],
    ['a run id prefix', ['--run-id', 'RUNID1'], () => [real[1]!.runId]],
  ])('filters: %s', (_name, args, expected) => {
    const resolved = args.map((a) => (a === 'RUNID1' ? real[1]!.runId.slice(0, 8) : a));
    const { result, doc } = summaries(...resolved);
    expectClean(result);
    expect(doc.reports.map((r) => r.runId)).toEqual(expected());
  });

  it('--detailed gives every node and update result of a run', () => {
    const result = box.run(['get-report', '--cluster-name', 'hist', '--run-id', real[1]!.runId, '--detailed', '--json']);
    expectClean(result);
    const doc = parseJson<ReportDoc<DetailedRun>>(result);
    expect(doc.detailed).toBe(true);
    const [run] = doc.reports;
    expect(run!.status).toBe('PartiallyFailed');
    const node2 = run!.nodeResults.find((n) => n.node === 'NODE2')!;
    expect(node2.status).toBe('Failed');
    expect(node2.installResults.every((u) => u.resultCode === 'Failed')).toBe(true);
    const human = box.run(['get-report', '--cluster-name', 'HIST', '--run-id', real[1]!.runId, '--detailed']);
    expectClean(human);
    expect(human.stdout).toContain(`Run ${real[1]!.runId} on HIST: PartiallyFailed`);
    expect(human.stdout).toMatch(/NODE2\tFailed\t2\t0 ok, 1 failed\tno\t/);
    expect(human.stdout).toContain('InstallFailed');
  });

  it('says clearly when nothing matches, and exits 0', () => {
    const result = box.run(['get-report', '--cluster-name', 'HIST', '--start-date', '2030-01-01']);
    expectClean(result);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^No run of HIST started on or after 2030-01-01T00:00:00.000Z \(5 runs in this host's history\)\.\n$/);
  });

  it('explains an empty history, and where runs from other hosts are', () => {
    const result = box.run(['get-report', '--cluster-name', 'OTHER']);
    expectClean(result);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("No reports of OTHER in this host's history");
    expect(result.stderr).toContain("Runs coordinated from another host are saved in that host's history; the cluster carries a summary of its last runs: add --include-cluster to list them.");
    const json = box.run(['get-report', '--cluster-name', 'OTHER', '--json']);
    expectClean(json);
    expect(parseJson<ReportDoc<Summary>>(json).reports).toEqual([]);
  });

  it.each([
    ['an unknown run id', ['--cluster-name', 'HIST', '--run-id', 'ffffffff'], /No report of run ffffffff in this host's history/],
    ['--last with a date', ['--cluster-name', 'HIST', '--last', '--start-date', '2024-10-01'], /--last and --start-date\/--end-date conflict/],
    ['a bad date', ['--cluster-name', 'HIST', '--start-date', 'last tuesday'], /--start-date must be a date/],
    ['no cluster named', [], /Name the cluster whose reports to read with --cluster-name, or use --simulate/],
  ])('refuses %s with exit 2', (_name, args, message) => {
    const result = box.run(['get-report', ...args]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });

  it('mentions runs from other hosts in its help', () => {
    const result = box.run(['get-report', '--help']);
    expectClean(result);
    expect(result.stdout).toContain('the cluster\nitself carries a summary of its last 10 runs');
  });
});

describe('export-report', () => {
  it('writes a CSV that reads back to the same counts as the history', () => {
    const path = join(box.dir, 'all.csv');
    const result = box.run(['export-report', '--cluster-name', 'HIST', '--format', 'csv', '--path', path]);
    expectClean(result);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`Wrote the CSV report of 5 runs of HIST to ${path}.\n`);
    const detailed = parseJson<ReportDoc<DetailedRun>>(box.run(['get-report', '--cluster-name', 'HIST', '--detailed', '--json'])).reports;
    const records = csvRecords(readFileSync(path, 'utf8'));
    const expectedRows = detailed.reduce((sum, r) => sum + r.nodeResults.reduce((s, n) => s + Math.max(1, n.installResults.length), 0), 0);
    expect(records).toHaveLength(expectedRows);
    for (const run of detailed) {
      const rows = records.filter((r) => r.RunId === run.runId);
      expect(new Set(rows.map((r) => r.NodeName)).size).toBe(run.nodeResults.length);
      expect(rows.every((r) => r.RunStatus === run.status)).toBe(true);
      for (const node of run.nodeResults) {
        const nodeRows = rows.filter((r) => r.NodeName === node.node);
        expect(nodeRows.every((r) => r.NodeStatus === node.status)).toBe(true);
        expect(nodeRows.filter((r) => r.UpdateResultCode === 'Failed')).toHaveLength(node.installResults.filter((u) => u.resultCode === 'Failed').length);
        expect(nodeRows.filter((r) => r.KB !== '').map((r) => r.KB)).toEqual(node.installResults.map((u) => u.kb));
      }
    }
  });

  it('refuses to overwrite a file without --force (exit 2), and overwrites with it', () => {
    const path = join(box.dir, 'keep.csv');
    writeFileSync(path, 'precious\n');
    const refused = box.run(['export-report', '--cluster-name', 'HIST', '--last', '--format', 'csv', '--path', path]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(`${path} already exists; nothing was written.`);
    expect(refused.stderr).toContain('try: Add --force to overwrite it');
    expect(readFileSync(path, 'utf8')).toBe('precious\n');
    const forced = box.run(['export-report', '--cluster-name', 'HIST', '--last', '--format', 'csv', '--path', path, '--force', '--json']);
    expectClean(forced);
    expect(parseJson<{ runIds: string[]; format: string }>(forced)).toMatchObject({ runIds: [real[2]!.runId], format: 'csv' });
    expect(parseCsv(readFileSync(path, 'utf8'))).toHaveLength(1 + 3);
  });

  it('writes timestamps in the --time-zone given', () => {
    const path = join(box.dir, 'kolkata.csv');
    expectClean(box.run(['export-report', '--cluster-name', 'HIST', '--run-id', '00000000', '--format', 'csv', '--path', path, '--time-zone', 'Asia/Kolkata']));
    const [row] = csvRecords(readFileSync(path, 'utf8'));
    expect(row!.RunStartTime).toBe('2024-10-01T13:30:00+05:30');
    const bad = box.run(['export-report', '--cluster-name', 'HIST', '--format', 'csv', '--path', join(box.dir, 'never.csv'), '--time-zone', 'Atlantis/Capital']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--time-zone "Atlantis/Capital" is not a known time zone: neither an IANA name nor a Windows zone name.');
    expect(existsSync(join(box.dir, 'never.csv'))).toBe(false);
  });

  it('writes an HTML report of one run', () => {
    const path = join(box.dir, 'run.html');
    expectClean(box.run(['export-report', '--simulate', fixture, '--run-id', real[1]!.runId, '--format', 'html', '--path', path]));
    const html = readFileSync(path, 'utf8');
    expect(html).toContain(`data-run-id="${real[1]!.runId}"`);
    expect((html.match(/<g class="timeline-row"/g) ?? []).length).toBe(3);
    expect(html).toContain('<g class="timeline-row" data-node="NODE2" data-status="Failed">');
  });

  it('writes nothing and exits 2 when there is no report', () => {
    const path = join(box.dir, 'none.html');
    const result = box.run(['export-report', '--cluster-name', 'OTHER', '--format', 'html', '--path', path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("No reports of OTHER in this host's history");
    expect(result.stderr).toContain('No report to export for OTHER; nothing was written.');
    expect(existsSync(path)).toBe(false);
  });

  it('needs --format and --path', () => {
    const result = box.run(['export-report', '--cluster-name', 'HIST', '--path', join(box.dir, 'x.csv')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("required option '--format <format>' not specified");
  });
});
