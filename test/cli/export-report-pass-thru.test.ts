/**
 * Issue 16 §1: export-report --pass-thru (Export-CauReport -PassThru) writes the file and also the exported
 * reports to stdout: the same objects as get-report --detailed --json, or its human view.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { aCluster, parseJson, sandbox, type Sandbox } from '../support/cli.js';

let box: Sandbox;
let model: string;
beforeEach(() => {
  box = sandbox();
  model = box.fixture(aCluster('PASS01', [0, 1]));
});
afterEach(() => box.cleanup());

const sim = (...args: string[]): ReturnType<Sandbox['run']> => box.run([...args, '--simulate', model]);

describe('export-report --pass-thru', () => {
  it('with --json: the reports exported, as get-report --detailed --json gives them, beside the file', () => {
    expect(sim('run', '--force').code).toBe(0);
    const runId = parseJson<{ runId: string }>(sim('run', '--force', '--json')).runId;
    const path = join(box.dir, 'last.html');
    const exported = sim('export-report', '--last', '--format', 'html', '--path', path, '--pass-thru', '--json');
    expect(exported.code).toBe(0);
    const doc = parseJson<{ runIds: string[]; path: string; reports: Array<Record<string, unknown>> }>(exported);
    expect(doc.runIds).toEqual([runId]);
    expect(existsSync(path)).toBe(true);
    expect(readFileSync(path, 'utf8')).toContain(runId);
    const detailed = parseJson<{ reports: Array<Record<string, unknown>> }>(sim('get-report', '--last', '--detailed', '--json'));
    expect(doc.reports).toEqual(detailed.reports);
    expect(doc.reports[0]).toMatchObject({ runId, status: 'Succeeded', nodeResults: [expect.objectContaining({ node: 'NODE1' }), expect.objectContaining({ node: 'NODE2' })] });

    // Without it, the result names the file only.
    const plain = parseJson<Record<string, unknown>>(sim('export-report', '--last', '--format', 'csv', '--path', join(box.dir, 'last.csv'), '--json'));
    expect(plain).not.toHaveProperty('reports');
  });

  it('in human form: the detailed view on stdout (in the export\'s zone), the confirmation on stderr; without it stdout stays empty', () => {
    const runId = parseJson<{ runId: string }>(sim('run', '--force', '--json')).runId;
    const shown = sim('export-report', '--format', 'csv', '--path', join(box.dir, 'all.csv'), '--pass-thru', '--time-zone', 'Tokyo Standard Time');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`Run ${runId} on PASS01: Succeeded`);
    expect(shown.stdout).toMatch(/started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+09:00/);
    expect(shown.stdout).toMatch(/NODE1[\s\S]*NODE2/);
    expect(shown.stderr).toContain('Wrote the CSV report of 1 run of PASS01');
    const quiet = sim('export-report', '--format', 'csv', '--path', join(box.dir, 'quiet.csv'));
    expect(quiet).toMatchObject({ code: 0, stdout: '' });
  });

  it('--help lists --pass-thru with an example', () => {
    const help = box.run(['export-report', '--help']);
    expect(help.stdout).toContain('--pass-thru');
    expect(help.stdout).toMatch(/\$ cauctl export-report .*--pass-thru/);
  });
});

describe('export-report --what-if', () => {
  it('says what would be written (runs, bytes, replacing or not) and writes nothing; an existing file without --force is still exit 2', () => {
    const runId = parseJson<{ runId: string }>(sim('run', '--force', '--json')).runId;
    const path = join(box.dir, 'what-if.html');
    const whatIf = sim('export-report', '--last', '--format', 'html', '--path', path, '--what-if', '--json');
    expect(whatIf.code).toBe(0);
    const doc = parseJson<{ whatIf: boolean; runIds: string[]; bytes: number; replaces: boolean }>(whatIf);
    expect(doc).toMatchObject({ whatIf: true, runIds: [runId], replaces: false });
    expect(doc.bytes).toBeGreaterThan(1000);
    expect(existsSync(path)).toBe(false);
    const human = sim('export-report', '--last', '--format', 'csv', '--path', path, '--what-if');
    expect(human.stdout).toMatch(/^What if: export-report would write the CSV report of 1 run of PASS01 \(\d+ bytes\) to .*what-if\.html\. Nothing was written\.$/m);
    expect(existsSync(path)).toBe(false);
    // The real export, then what-if over it: exit 2 without --force, "replacing" with it, the file untouched.
    expect(sim('export-report', '--last', '--format', 'html', '--path', path).code).toBe(0);
    const before = readFileSync(path, 'utf8');
    expect(sim('export-report', '--last', '--format', 'csv', '--path', path, '--what-if').code).toBe(2);
    expect(parseJson<{ replaces: boolean }>(sim('export-report', '--last', '--format', 'csv', '--path', path, '--what-if', '--force', '--json')).replaces).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(before);
  });
});
