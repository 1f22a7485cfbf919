import { stripVTControlCharacters } from 'node:util';
import { DEFAULT_WIDTH, fitColumns, renderTable, terminalWidth } from './table.js';
import { createTheme } from './theme.js';

const widest = (text: string): number => Math.max(...text.split('\n').map((line) => [...stripVTControlCharacters(line)].length));

describe('terminalWidth', () => {
  it.each([
    ['the terminal says', 120, { COLUMNS: '100' }, 120],
    ['COLUMNS when there is no terminal width', undefined, { COLUMNS: '100' }, 100],
    ['80 when neither says', undefined, {}, DEFAULT_WIDTH],
    ['80 for a COLUMNS that is not a width', undefined, { COLUMNS: 'wide' }, DEFAULT_WIDTH],
    ['80 for a zero-column terminal', 0, {}, DEFAULT_WIDTH],
  ])('%s', (_name, columns, env, width) => {
    expect(terminalWidth(columns, env)).toBe(width);
  });
});

describe('fitColumns', () => {
  const need = (natural: number, word = natural) => ({ natural, word });
  it.each([
    ['natural widths that fit are kept', [need(4), need(10), need(20)], 40, [4, 10, 20]],
    ['every column gets its longest word first; the rest goes to the widest', [need(4), need(15), need(100, 12), need(60, 9)], 60, [4, 15, 22, 19]],
    ['what is left is shared equally by the columns that want more', [need(10, 2), need(50, 2), need(50, 2)], 31, [10, 11, 10]],
    ['a column a few short of one line is served first, whole', [need(8), need(26, 10), need(10, 8), need(15)], 43, [8, 10, 10, 15]],
    ['when the words do not fit, the longest are capped alike', [need(36), need(15), need(8), need(40, 30)], 40, [11, 11, 8, 10]],
  ])('%s', (_name, needs, available, widths) => {
    const fitted = fitColumns(needs, available);
    expect(fitted.reduce((s, w) => s + w, 0)).toBeLessThanOrEqual(available);
    expect(fitted).toEqual(widths);
  });
});

describe('renderTable', () => {
  const headers = ['Rule', 'Severity', 'State', 'Title', 'Detail'];
  const rows = [
    ['CAU-01', 'Error', 'Pass', 'The failover cluster is available and every node is reachable over WinRM', 'NODE1, NODE2, NODE3, NODE4 answered'],
    ['CAU-09', 'Error', 'Fail', 'The firewall rule group that allows remote shutdown is enabled on each node', `NODE2: Remote Shutdown rules disabled; ${'x'.repeat(120)}`],
  ];

  it.each([40, 80, 160])('never draws a line wider than %d columns', (width) => {
    expect(widest(renderTable(headers, rows, { tty: true, width }))).toBeLessThanOrEqual(width);
  });

  it.each([80, 160])('wraps long cells at %d columns, losing no word that fits a column', (width) => {
    const text = renderTable(headers, rows, { tty: true, width });
    const words = new Set(text.split(/[\s│]+/));
    for (const word of [...rows[0]!, rows[1]![3]!].join(' ').split(' ')) expect(words).toContain(word);
    expect(text.split('\n').length).toBeGreaterThan(2 * rows.length + 4);
  });

  it('cuts a word longer than its column with an ellipsis', () => {
    expect(renderTable(headers, rows, { tty: true, width: 80 })).toContain('…');
  });

  it('keeps a table that fits as it is', () => {
    const text = renderTable(['Node', 'Status'], [['NODE1', 'Succeeded']], { tty: true, width: 80 });
    expect(text.split('\n')[1]).toBe('│ Node  │ Status    │');
  });

  it('fits coloured cells by their visible width', () => {
    const theme = createTheme(true);
    const text = renderTable(headers, rows.map((r) => [r[0]!, r[1]!, theme.status(r[2]!), r[3]!, r[4]!]), { tty: true, width: 60 });
    expect(text).toContain('\u001b[');
    expect(widest(text)).toBeLessThanOrEqual(60);
  });

  it('writes tab-separated records off a terminal, one a line, whatever the width', () => {
    const text = renderTable(['Node', 'Detail'], [['NODE1', 'two\nlines\tand a tab']], { tty: false, width: 10 });
    expect(text).toBe('Node\tDetail\nNODE1\ttwo lines and a tab\n');
  });
});
