/**
 * Issue 15 (tables that fit): the built CLI under a real pseudo-terminal of 80 columns (util-linux `script`, with
 * `stty cols 80`), as an admin sees it. No line of test-setup, scan, get-report --detailed, get-role or get-run
 * is wider than the terminal, and what matters is still on screen. Also checks that the width follows the
 * terminal (160 columns gives wider tables) and that off a terminal the output stays tab-separated records.
 * get-run's screen is also compared with a golden file (test/cli/golden/), volatile fields normalized first;
 * UPDATE_GOLDEN=1 rewrites it after a deliberate change of the output. (get-report's rendering has its golden
 * files in get-report-render.test.ts, from fixed reports; test-setup's rules belong to another helper's area
 * and change as rules are added, so its screen is checked for width and content only.)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { BIN, ROOT, aCluster, sandbox, type Sandbox } from '../support/cli.js';

let box: Sandbox;
beforeAll(() => {
  box = sandbox();
});
afterAll(() => box.cleanup());

const quote = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`;

/** Runs cauctl in a pseudo-terminal `columns` wide and returns what the terminal showed, colour codes removed. */
function onTerminal(columns: number, args: readonly string[]): { code: number | null; screen: string } {
  const command = `stty cols ${columns} rows 30; exec ${quote(process.execPath)} ${quote(BIN)} ${args.map(quote).join(' ')}`;
  const result = spawnSync('script', ['-qec', command, '/dev/null'], {
    cwd: ROOT,
    // Colour on, as in a real terminal: its codes must take no width.
    env: { ...process.env, CAUCTL_STATE_DIR: box.stateDir, NO_COLOR: undefined, COLUMNS: undefined, CAUCTL_PASSWORD: undefined, TZ: 'UTC' },
    input: '',
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.error) throw new Error(`script (util-linux) could not run cauctl in a pseudo-terminal: ${result.error.message}`);
  return { code: result.status, screen: stripVTControlCharacters(result.stdout).replace(/\r/g, '') };
}

/**
 * The screen with what changes from run to run replaced by placeholders of the same width (so that the tables
 * keep their shape): dates, times of day, run ids (whole, or the 8 characters a table shows).
 */
function normalized(screen: string): string {
  return screen
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx')
    .replace(/^(\S*\s*)[0-9a-f]{8}(?= )/gm, '$1xxxxxxxx')
    .replace(/\d{4}-\d\d-\d\d/g, 'YYYY-MM-DD')
    .replace(/\d\d:\d\d:\d\d/g, 'hh:mm:ss');
}

const GOLDEN = join(ROOT, 'test', 'cli', 'golden');

function expectGolden(name: string, screen: string): void {
  const path = join(GOLDEN, `${name}.txt`);
  const text = normalized(screen);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) {
    if (process.env.CI !== undefined && process.env.UPDATE_GOLDEN !== '1') throw new Error(`golden file ${name}.txt is missing`);
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(path, text);
  }
  expect(text).toBe(readFileSync(path, 'utf8'));
}

function widest(screen: string): { width: number; line: string } {
  return screen.split('\n').reduce((best, line) => ([...line].length > best.width ? { width: [...line].length, line } : best), { width: 0, line: '' });
}

// A model with long texts: failed installs (error messages in the report), and setup problems with remedies.
const fixture = (): string =>
  box.fixture(
    aCluster('WIDTH01', [1, 2, 2], {
      NODE2: {
        updates: [
          { id: 'u-2', kb: 'KB5031364', title: '2023-10 Cumulative Update for Microsoft server operating system version 23H2 for x64-based Systems (KB5031364)', rebootRequired: true },
          { id: 'u-3', kb: 'KB5031987', title: '2023-10 Servicing Stack Update for Microsoft server operating system version 23H2 for x64-based Systems', rebootRequired: false },
        ],
        faults: [{ kind: 'installFails', times: 9, errorCode: '0x80240022' }],
      },
    }),
    'width01.json',
  );

describe('at 80 columns under a pseudo-terminal', () => {
  let model: string;
  beforeAll(() => {
    model = fixture();
    // A run first, so that get-report has something to show; its failure is part of the point (long errors).
    expect(box.run(['run', '--simulate', model, '--sim-reset', '--force', '--max-retries-per-node', '0', '--json']).code).toBe(6);
    expect(box.run(['add-role', '--simulate', model, '--days-of-week', 'Tuesday,Thursday', '--weeks-of-month', '2', '--start-date', '2024-01-09T03:00', '--max-retries-per-node', '2']).code).toBe(0);
  }, 120_000);

  it.each<[string, string[], string[], string | undefined]>([
    ['test-setup (with failing rules and their remedies)', ['test-setup', '--simulate', 'fixtures/clusters/setup-problems.json', '--sim-reset'], ['CAU-09', 'remedy'], undefined],
    ['scan', ['scan', '--simulate', '--sim-reset'], ['NODE1', 'NODE4', 'KB'], undefined],
    ['get-report --detailed', ['get-report', '--simulate', 'MODEL', '--detailed'], ['NODE1', 'NODE2', 'NODE3', 'InstallFailed', 'KB5031364'], undefined],
    ['get-report', ['get-report', '--simulate', 'MODEL'], ['PartiallyFailed'], undefined],
    ['get-role', ['get-role', '--simulate', 'MODEL'], ['DaysOfWeek', 'Tuesday', 'Next 5 runs:'], undefined],
  ])('%s: no line wider than 80', (_name, args, shown, golden) => {
    const { code, screen } = onTerminal(80, args.map((a) => (a === 'MODEL' ? model : a)));
    expect(code === 0 || code === 5).toBe(true);
    const { width, line } = widest(screen);
    expect(width <= 80 ? 'fits' : `${width} columns: ${line}`).toBe('fits');
    for (const text of shown) expect(screen).toContain(text);
    if (golden !== undefined) expectGolden(golden, screen);
  });

  it('get-run: a run in progress from another host, every node listed, none wider than 80', () => {
    const now = new Date().toISOString();
    const lock = {
      version: 1,
      runId: '0f5c2d1e-4b7a-4c59-9d0e-3a2b1c4d5e6f',
      owner: { host: 'mgmt-host-with-a-rather-long-name.corp.contoso.com', user: 'CONTOSO\\svc-cluster-updating', pid: 4242 },
      acquiredAt: now,
      heartbeatAt: now,
      leaseSeconds: 300,
      progress: {
        runStartTime: now,
        currentNode: 'NODE2',
        currentPhase: 'install',
        nodeStatusNotifications: [
          { node: 'NODE1', status: 'Succeeded', timestamp: now },
          { node: 'NODE2', status: 'install', timestamp: now },
        ],
        nodeResults: [{ node: 'NODE1', status: 'Succeeded', attempts: 1 }],
        predictedEndTime: new Date(Date.parse(now) + 5_400_000).toISOString(),
      },
    };
    const dir = `${box.stateDir}/sim/WIDTH01/properties`;
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/CauctlRunLock.json`, JSON.stringify({ value: JSON.stringify(lock) }));
    const { code, screen } = onTerminal(80, ['get-run', '--simulate', model]);
    expect(code).toBe(0);
    expect(widest(screen).width).toBeLessThanOrEqual(80);
    expect(screen).toContain('RunInProgress');
    expect(screen).toMatch(/NODE1\s*│\s*Succeeded/);
    expect(screen).toMatch(/NODE2\s*│\s*install/);
    expect(screen).toMatch(/NODE3\s*│\s*Waiting/);
    expect(screen).toContain('1 of 3 nodes done');
    expect(screen).toMatch(/predicted finish: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    expectGolden('get-run-80', screen);
  });

  it('follows the terminal: at 160 columns the tables are wider, still within it', () => {
    const narrow = widest(onTerminal(80, ['get-report', '--simulate', model, '--detailed']).screen).width;
    const wide = widest(onTerminal(160, ['get-report', '--simulate', model, '--detailed']).screen).width;
    expect(wide).toBeGreaterThan(narrow);
    expect(wide).toBeLessThanOrEqual(160);
  });

  it('off a terminal, a table is tab-separated records, one a line, however long', () => {
    const result = box.run(['get-report', '--simulate', model, '--detailed'], { env: { COLUMNS: '80' } });
    const updates = result.stdout.split('\n').filter((line) => line.startsWith('NODE2\tKB5031364\t'));
    expect(updates).toHaveLength(1);
    expect(updates[0]!.split('\t')[2]).toBe('2023-10 Cumulative Update for Microsoft server operating system version 23H2 for x64-based Systems (KB5031364)');
  });
});
