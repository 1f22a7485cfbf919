// Terminal control characters never reach a terminal raw; the theme's colours do; JSON stays exact JSON.
import { cellSafe, lineSafe, terminalSafe, terminalSafeStream } from './sanitize.js';
import type { OutStream } from './stream.js';
import { humanPrinter } from './result.js';
import { createTheme } from './theme.js';
import { cutToWidth } from './wrap.js';

const ESC = '\u001b';

describe('terminalSafe', () => {
  it.each([
    ['a CSI that clears the screen', `NODE1${ESC}[2J`, 'NODE1\\u001b[2J'],
    ['a CSI that moves the cursor up and erases', `x${ESC}[1F${ESC}[K`, 'x\\u001b[1F\\u001b[K'],
    ['an OSC that sets the window title (BEL)', `${ESC}]0;pwned\u0007KB1`, '\\u001b]0;pwned\\u0007KB1'],
    ['an OSC 8 hyperlink (ST)', `${ESC}]8;;https://evil.example/${ESC}\\click${ESC}]8;;${ESC}\\`, '\\u001b]8;;https://evil.example/\\u001b\\click\\u001b]8;;\\u001b\\'],
    ['an OSC 52 clipboard write', `${ESC}]52;c;cm0gLXJmIC8=\u0007`, '\\u001b]52;c;cm0gLXJmIC8=\\u0007'],
    ['a concealing SGR', `${ESC}[8msecret${ESC}[0m`, '\\u001b[8msecret\u001b[0m'],
    ['a 256-colour SGR', `${ESC}[38;5;16mx`, '\\u001b[38;5;16mx'],
    ['a carriage return that overwrites', 'Failed\rSucceeded', 'Failed\\u000dSucceeded'],
    ['backspaces', 'Failed\b\b\b\b\b\bOK    ', 'Failed\\u0008\\u0008\\u0008\\u0008\\u0008\\u0008OK    '],
    ['NUL, vertical tab, form feed', 'a\u0000b\u000bc\u000cd', 'a\\u0000b\\u000bc\\u000cd'],
    ['DEL', 'a\u007fb', 'a\\u007fb'],
    ['a C1 CSI (8-bit)', 'a\u009b2Jb', 'a\\u009b2Jb'],
    ['a C1 OSC and ST', '\u009d0;t\u009c', '\\u009d0;t\\u009c'],
    ['a right-to-left override', 'KB\u202e1234', 'KB\\u202e1234'],
    ['bidi isolates and marks', '\u2066a\u2069\u200e\u200f\u061c', '\\u2066a\\u2069\\u200e\\u200f\\u061c'],
    ['embeddings and pop', '\u202a\u202b\u202c\u202d', '\\u202a\\u202b\\u202c\\u202d'],
    ['line and paragraph separators', 'a\u2028b\u2029c', 'a\\u2028b\\u2029c'],
  ])('escapes %s', (_name, input, expected) => {
    expect(terminalSafe(input)).toBe(expected);
  });

  it.each([
    ['plain text', 'NODE1  install done in 10m 0s'],
    ['newlines and tabs', 'a\tb\nc\n'],
    ['Windows paths and backslashes', 'C:\\Windows\\Temp\\cauctl \\u001b'],
    ['accents, CJK and emoji', 'nœud 節点 ✅ → …'],
  ])('leaves %s as it is', (_name, text) => {
    expect(terminalSafe(text)).toBe(text);
  });

  it("keeps every colour the theme emits, and wrap.ts's reset", () => {
    const theme = createTheme(true);
    const samples = [
      theme.ok('ok'),
      theme.warn('warn'),
      theme.err('err'),
      theme.dim('dim'),
      theme.bold('bold'),
      theme.warn(`nested ${theme.bold('bold')} ${theme.status('Failed')}`),
      ...['Succeeded', 'Pass', 'PartiallyFailed', 'Warning', 'Canceled', 'Failed', 'Fail', 'Error', 'Other'].map(theme.status),
      cutToWidth(theme.err('a long red line that is cut'), 10),
    ];
    expect(samples.some((s) => s.includes(ESC))).toBe(true);
    for (const sample of samples) expect(terminalSafe(sample)).toBe(sample);
  });

  it('is idempotent', () => {
    const hostile = `${ESC}]0;t\u0007\u009b\u202e\r${ESC}[31mred${ESC}[39m`;
    expect(terminalSafe(terminalSafe(hostile))).toBe(terminalSafe(hostile));
  });

  it('keeps JSON valid and its values exact', () => {
    const value = { node: `N${ESC}[2J\u009b\u202e\u007f\u2028\r`, title: 'KB\u0007', list: ['\u2066x\u2069'] };
    const safe = terminalSafe(JSON.stringify(value, null, 2));
    // eslint-disable-next-line no-control-regex -- control characters are what this test looks for
    expect(safe).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/);
    expect(JSON.parse(safe)).toEqual(value);
  });
});

describe('terminalSafeStream', () => {
  it('cleans every write, forwards the terminal size as it changes, and exposes the raw stream', () => {
    const written: string[] = [];
    let columns = 80;
    const inner: OutStream = {
      write: (text) => void written.push(text),
      isTTY: true,
      get columns() {
        return columns;
      },
      rows: 24,
    };
    const safe = terminalSafeStream(inner);
    safe.write(`x${ESC}[2Jy\n`);
    safe.raw.write(`${ESC}[1F`);
    columns = 120;
    expect(written).toEqual(['x\\u001b[2Jy\n', `${ESC}[1F`]);
    expect([safe.isTTY, safe.columns, safe.rows]).toEqual([true, 120, 24]);
  });
});

describe('lineSafe and cellSafe: a value stays on its line and in its cell', () => {
  it.each([
    ['a newline that forges a line', '2026-12 Cumulative Update\nNODE2  Succeeded', '2026-12 Cumulative Update\\nNODE2  Succeeded'],
    ['CR LF', 'a\r\nb', 'a\\u000d\\nb'],
    ['NEL, VT, FF, LS, PS', 'a\u0085b\u000bc\u000cd\u2028e\u2029f', 'a\\u0085b\\u000bc\\u000cd\\u2028e\\u2029f'],
  ])('lineSafe escapes %s', (_name, input, expected) => {
    expect(lineSafe(input)).toBe(expected);
    // eslint-disable-next-line no-control-regex -- the line breaks are what this test looks for
    expect(lineSafe(input)).not.toMatch(/[\n\r\u0085\u000b\u000c\u2028\u2029]/);
    expect(lineSafe(lineSafe(input))).toBe(lineSafe(input));
  });

  it('lineSafe keeps tabs and the theme colours; cellSafe escapes tabs too', () => {
    const theme = createTheme(true);
    expect(lineSafe(`${theme.err('Failed')}\tx`)).toBe(`${theme.err('Failed')}\tx`);
    expect(cellSafe('KB1\tforged column\nforged row')).toBe('KB1\\tforged column\\nforged row');
  });

  it("the human printer's lines and table cells carry no value's line break, piped or on a terminal", () => {
    for (const isTTY of [false, true]) {
      let written = '';
      const stdout: OutStream = { write: (t: string) => void (written += t), isTTY, columns: 120 };
      const out = humanPrinter({ format: 'human', stdout, theme: createTheme(false), width: 120 });
      out.line('Title: a\nNODE9: forged');
      out.table(['Node', 'Title'], [['NODE1', 'a\nNODE9\tforged']]);
      expect(written.split('\n').filter((l) => /^\W*NODE9/.test(l))).toEqual([]);
      expect(written).toContain('Title: a\\nNODE9: forged');
      expect(written).toContain('a\\nNODE9\\tforged');
    }
  });
});
