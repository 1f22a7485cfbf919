/**
 * Issue 14 §8: terminal control characters in values that come from a node or a fixture (update titles and
 * KBs, role, pool and disk names, error text, a path) never reach a terminal as controls. A hostile fixture
 * carries an OSC window title, a CSI clear screen, a C1 CSI, a right-to-left override, a carriage return and
 * an OSC 8 hyperlink. Human output, piped and on a pseudo-terminal, shows each of them escaped (`\u001b]0;...`);
 * JSON keeps the exact values (JSON-escaped) and stays valid.
 */
import { spawnSync } from 'node:child_process';
import { BIN, ROOT, aCluster, anUpdate, parseJson, sandbox, type ExecResult, type Sandbox } from '../support/cli.js';

const ESC = '\u001b';
const TAIL = `${ESC}]0;pwned\u0007${ESC}[2J\u009b31m\u202eevil\r${ESC}]8;;https://x.invalid/${ESC}\\`;
/** How TAIL reads once made safe. */
const SHOWN = '\\u001b]0;pwned\\u0007\\u001b[2J\\u009b31m\\u202eevil\\u000d\\u001b]8;;https://x.invalid/\\u001b\\';
const hostile = (text: string): string => `${text}${TAIL}`;
/** Any control a terminal would act on, but newline and tab (with NO_COLOR there is no colour code either). */
// eslint-disable-next-line no-control-regex -- control characters are what this test looks for
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const quote = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`;

let box: Sandbox;
let model: string;
const kb = hostile('KB5000');
const title = hostile('2026-12 Cumulative Update');
beforeAll(() => {
  box = sandbox();
  model = box.fixture(
    aCluster(
      'HOSTILE',
      [1, 1],
      {
        NODE1: { roles: [hostile('VM1')], updates: [anUpdate({ kb, title })], faults: [{ kind: 'installFails', times: 1, errorCode: '0x80240022' }] },
        NODE2: { roles: [hostile('VM2')], updates: [anUpdate({ kb, title })] },
      },
      { storage: { s2d: true, poolName: hostile('Pool'), virtualDisks: [hostile('VD1')] } },
    ),
  );
});
afterAll(() => box.cleanup());

function expectSafe(result: ExecResult): void {
  const at = (text: string): string => JSON.stringify(text.slice(Math.max(0, text.search(UNSAFE) - 40), text.search(UNSAFE) + 40));
  if (UNSAFE.test(result.stdout)) throw new Error(`a raw control reached stdout: ${at(result.stdout)}`);
  if (UNSAFE.test(result.stderr)) throw new Error(`a raw control reached stderr: ${at(result.stderr)}`);
}

describe('hostile values in human output, piped', () => {
  it.each([
    ['scan', ['scan'], 0],
    ['run (an install failure names the hostile KB)', ['run', '--force'], 0],
    ['get-report --last --detailed', ['get-report', '--last', '--detailed'], 0],
  ])('%s shows them escaped', (_name, args, code) => {
    const result = box.run([...args, '--simulate', model]);
    expect(result.code).toBe(code);
    expectSafe(result);
    expect(`${result.stdout}${result.stderr}`).toContain(SHOWN);
  }, 120_000);

  it('an error that names a hostile path escapes it too (exit 2)', () => {
    const result = box.run(['scan', '--simulate', `missing${ESC}[2J\u202e.json`]);
    expect(result.code).toBe(2);
    expectSafe(result);
    expect(result.stderr).toContain('missing\\u001b[2J\\u202e.json');
  });
});

describe('hostile values in JSON', () => {
  it('scan --json and run --json keep the exact values, as valid JSON with no raw control', () => {
    for (const args of [['scan'], ['run', '--force']]) {
      const result = box.run([...args, '--simulate', model, '--sim-reset', '--json']);
      expect(result.code).toBe(0);
      expectSafe(result);
      expect(JSON.stringify(parseJson(result))).toContain(JSON.stringify(title).slice(1, -1));
    }
    const scan = parseJson(box.run(['scan', '--simulate', model, '--sim-reset', '--json']));
    const values: string[] = [];
    JSON.stringify(scan, (_key, value: unknown) => {
      if (typeof value === 'string') values.push(value);
      return value;
    });
    expect(values).toContain(title);
    expect(values).toContain(kb);
  }, 120_000);
});

describe('hostile values on a terminal (pseudo-terminal, colour on, live view)', () => {
  /** Runs cauctl in a pseudo-terminal 100 columns wide; returns the raw bytes the terminal received. */
  function onTerminal(args: readonly string[]): { code: number | null; raw: string } {
    const command = `stty cols 100 rows 30; exec ${quote(process.execPath)} ${quote(BIN)} ${args.map(quote).join(' ')}`;
    const result = spawnSync('script', ['-qec', command, '/dev/null'], {
      cwd: ROOT,
      env: { ...process.env, CAUCTL_STATE_DIR: box.stateDir, NO_COLOR: undefined, COLUMNS: undefined, CAUCTL_PASSWORD: undefined, TZ: 'UTC' },
      input: '',
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (result.error) throw new Error(`script (util-linux) could not run cauctl in a pseudo-terminal: ${result.error.message}`);
    return { code: result.status, raw: result.stdout };
  }

  it.each([
    ['scan (boxed tables)', ['scan', '--sim-reset', '--simulate']],
    // At a finite speed (about 2 s of real time): at full speed the view may draw only its first and last frames,
    // and the event that names the hostile update (the install failure) has scrolled out of the last one.
    ['run (the live view and its recent events)', ['run', '--sim-reset', '--force', '--sim-speed', '2000', '--simulate']],
  ])('%s: no hostile sequence reaches the terminal, the escaped text does', (_name, args) => {
    const { code, raw } = onTerminal([...args, model]);
    expect(code).toBe(0);
    // Our own codes are colours and cursor moves; none of the fixture's sequences arrive raw.
    expect(raw).not.toContain(`${ESC}]`);
    expect(raw).not.toContain(`${ESC}[2J`);
    expect(raw).not.toMatch(/[\u0080-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(raw).not.toContain('evil\r');
    // (the live view cuts its lines to the width: the start of the escaped text is what shows)
    expect(raw).toContain('\\u001b]0;pwned');
  }, 180_000);
});

describe('line breaks inside values (a newline, CR LF, U+2028) never forge a line', () => {
  /** What a hostile model puts after a value: a line that looks like cauctl's own. */
  const FORGED = '\nFORGED  NODE2  Succeeded\r\nFORGED cauctl: warning\u2028FORGED';
  let lines: Sandbox;
  let breaking: string;
  const breakTitle = `2026-12 Cumulative Update${FORGED}`;
  beforeAll(() => {
    lines = sandbox();
    breaking = lines.fixture(
      aCluster('LINES', [1, 1], {
        NODE1: { roles: [`VM1${FORGED}`], updates: [anUpdate({ kb: `KB7${FORGED}`, title: breakTitle })], faults: [{ kind: 'installFails', times: 1, errorCode: '0x80240022' }] },
        NODE2: { updates: [anUpdate({ title: breakTitle })] },
      }),
    );
  });
  afterAll(() => lines.cleanup());

  it.each([
    ['scan', ['scan'], 0],
    ['run (the install failure names the KB)', ['run', '--force'], 0],
    ['get-report --last --detailed', ['get-report', '--last', '--detailed'], 0],
  ])('%s: no line of its output starts with the forged text; the value shows its breaks escaped', (_name, args, code) => {
    const result = lines.run([...args, '--simulate', breaking]);
    expect(result.code).toBe(code);
    const all = `${result.stdout}${result.stderr}`;
    expect(all.split('\n').filter((line) => /^\W*FORGED/.test(line))).toEqual([]);
    expect(all).toContain('\\nFORGED  NODE2  Succeeded\\u000d\\nFORGED cauctl: warning\\u2028FORGED');
  }, 120_000);

  it('JSON keeps the exact value', () => {
    const scan = parseJson<Array<{ updateTitle: string }>>(lines.run(['scan', '--simulate', breaking, '--sim-reset', '--json']));
    expect(scan.map((e) => e.updateTitle)).toContain(breakTitle);
  });
});
