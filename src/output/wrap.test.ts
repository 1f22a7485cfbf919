import { stripVTControlCharacters } from 'node:util';
import { createTheme } from './theme.js';
import { cutToWidth, wrapText } from './wrap.js';

const widest = (text: string): number => Math.max(...text.split('\n').map((line) => [...stripVTControlCharacters(line)].length));

describe('wrapText', () => {
  it('leaves a line that fits alone, spaces included', () => {
    expect(wrapText('  a   b', 80)).toBe('  a   b');
  });

  it('breaks at spaces with a hanging indent', () => {
    expect(wrapText('  remedy: Set-NetFirewallRule -Group Remote Shutdown -Enabled True', 30)).toBe(
      '  remedy: Set-NetFirewallRule\n    -Group Remote Shutdown\n    -Enabled True',
    );
  });

  it('cuts a word longer than the line', () => {
    expect(wrapText(`x ${'y'.repeat(25)}`, 10)).toBe('x yyyyyyyy\n  yyyyyyyy\n  yyyyyyyy\n  y');
  });

  it.each([20, 40, 80])('keeps every line of a long message within %d columns, and every word', (width) => {
    const theme = createTheme(true);
    const text = `  ${theme.err('Error')}: ${'the node did not come back within fifteen minutes of its restart; '.repeat(4)}`;
    const wrapped = wrapText(text, width);
    expect(widest(wrapped)).toBeLessThanOrEqual(width);
    expect(stripVTControlCharacters(wrapped).split(/\s+/).join(' ').trim()).toBe(stripVTControlCharacters(text).split(/\s+/).join(' ').trim());
  });

  it('wraps each line of a multi-line text on its own', () => {
    expect(wrapText('short\nthis one is long enough', 12)).toBe('short\nthis one is\n  long\n  enough');
  });
});

describe('cutToWidth', () => {
  it('cuts a line to the width with an ellipsis, colour codes taking no width, and resets a colour it cut', () => {
    expect(cutToWidth('abcdef', 6)).toBe('abcdef');
    expect(cutToWidth('abcdefgh', 6)).toBe('abcde…');
    const red = '\u001b[31mabcdefgh\u001b[39m';
    expect(cutToWidth(red, 20)).toBe(red);
    expect(cutToWidth(red, 4)).toBe('\u001b[31mabc…\u001b[0m');
  });
});
