/**
 * Issue 16 §1: every time-zone option takes Windows zone names (`W. Europe Standard Time`) as well as IANA
 * ones, mapped by CLDR's windowsZones table; an unknown one is exit 2 naming the option, with nothing touched.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { aCluster, parseJson, sandbox, type Sandbox } from '../support/cli.js';

let box: Sandbox;
let model: string;
beforeEach(() => {
  box = sandbox();
  model = box.fixture(aCluster('ZONES01', [0, 1], {}, { timeZone: 'Europe/Berlin' }));
});
afterEach(() => box.cleanup());

const sim = (...args: string[]): ReturnType<Sandbox['run']> => box.run([...args, '--simulate', model]);

describe('Windows zone names', () => {
  it('export-report --time-zone: a Windows name gives the same file as its IANA zone; an unknown one is exit 2 naming --time-zone', () => {
    expect(sim('run', '--force').code).toBe(0);
    const windowsCsv = join(box.dir, 'windows.csv');
    const ianaCsv = join(box.dir, 'iana.csv');
    const windows = sim('export-report', '--format', 'csv', '--path', windowsCsv, '--time-zone', 'Tokyo Standard Time', '--json');
    expect(windows.code).toBe(0);
    expect(parseJson<{ timeZone: string }>(windows).timeZone).toBe('Asia/Tokyo');
    expect(sim('export-report', '--format', 'csv', '--path', ianaCsv, '--time-zone', 'Asia/Tokyo').code).toBe(0);
    const csv = readFileSync(windowsCsv, 'utf8');
    expect(csv).toMatch(/\+09:00/);
    expect(csv).toBe(readFileSync(ianaCsv, 'utf8'));

    const unknownCsv = join(box.dir, 'mars.csv');
    const unknown = sim('export-report', '--format', 'csv', '--path', unknownCsv, '--time-zone', 'Mars Standard Time');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--time-zone "Mars Standard Time" is not a known time zone: neither an IANA name nor a Windows zone name.');
    expect(unknown.stderr).toContain('try: Use an IANA name such as UTC');
    expect(existsSync(unknownCsv)).toBe(false);
  });

  it('get-role and add-role --time-zone take Windows names; an unknown one is exit 2 and adds nothing', () => {
    const refused = sim('add-role', '--days-of-week', 'Tuesday', '--weeks-of-month', '2', '--start-date', '2030-01-08T03:00', '--time-zone', 'Atlantis Standard Time');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--time-zone "Atlantis Standard Time" is not a known time zone');
    expect(sim('get-role').code).toBe(5);

    const added = sim('add-role', '--days-of-week', 'Tuesday', '--weeks-of-month', '2', '--start-date', '2030-01-08T03:00', '--time-zone', 'tokyo standard time', '--json');
    expect(added.code).toBe(0);
    expect(parseJson<{ timeZone: string; nextRuns: Array<{ local: string }> }>(added)).toMatchObject({ timeZone: 'Asia/Tokyo', nextRuns: expect.arrayContaining([{ local: '2030-01-08T03:00+09:00', utc: '2030-01-07T18:00:00.000Z' }]) });

    const shown = sim('get-role', '--json', '--time-zone', 'Pacific Standard Time');
    expect(shown.code).toBe(0);
    const role = parseJson<{ timeZone: string; nextRuns: Array<{ local: string }> }>(shown);
    expect(role.timeZone).toBe('America/Los_Angeles');
    for (const run of role.nextRuns) expect(run.local).toMatch(/-0[78]:00$/);
    const bad = sim('get-role', '--time-zone', 'Mars Standard Time');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--time-zone "Mars Standard Time"');
  });
});
