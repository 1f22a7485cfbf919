/**
 * Wraps a line of human output to the terminal's width at spaces, so that a long message, remedy or path reads
 * as an indented paragraph instead of running off the screen, or cuts a line that must stay one line (a live view's
 * row). Colour codes take no width. Depends on node:util.
 */
import { stripVTControlCharacters } from 'node:util';

/** Visible width: code points, colour codes left out. */
export function visibleWidth(text: string): number {
  return [...stripVTControlCharacters(text)].length;
}

const ESC = String.fromCharCode(27);
/** One colour (SGR) code at the start of a text. */
const SGR = new RegExp(`^${ESC}\\[[0-9;]*m`);

/**
 * `line` cut to at most `width` visible columns, the cut marked with `…`; colour codes take no width and a cut
 * line ends with a reset, so a colour never runs on. A line that fits is returned as it is.
 */
export function cutToWidth(line: string, width: number): string {
  if (visibleWidth(line) <= width) return line;
  let out = '';
  let used = 0;
  let coloured = false;
  let rest = line;
  while (rest.length > 0 && used < width - 1) {
    const code = SGR.exec(rest);
    if (code) {
      out += code[0];
      coloured = true;
      rest = rest.slice(code[0].length);
      continue;
    }
    const char = String.fromCodePoint(rest.codePointAt(0)!);
    out += char;
    used += 1;
    rest = rest.slice(char.length);
  }
  return `${out}${width > 0 ? '…' : ''}${coloured ? '\u001b[0m' : ''}`;
}

/** Cuts a word with no colour codes into pieces of at most `width` code points. */
function hardBreak(word: string, width: number): string[] {
  if (word !== stripVTControlCharacters(word)) return [word];
  const chars = [...word];
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i += width) pieces.push(chars.slice(i, i + width).join(''));
  return pieces;
}

/**
 * `text` (one line or several) with every line no wider than `width`: broken at spaces, continuation lines
 * indented two more than the line's own indent; a word too long for a line is cut (one with colour codes is kept
 * whole). Lines that fit are returned as they are.
 */
export function wrapText(text: string, width: number): string {
  return text
    .split('\n')
    .map((line) => {
      if (visibleWidth(line) <= width) return line;
      const indent = /^ */.exec(line)![0];
      const next = `${indent}  `.slice(0, Math.max(0, width - 8));
      const out: string[] = [];
      let current = indent;
      let currentWidth = indent.length;
      let prefix = indent;
      for (const word of line.slice(indent.length).split(/ +/).filter((w) => w !== '')) {
        for (const piece of hardBreak(word, Math.max(1, width - next.length))) {
          const room = currentWidth === prefix.length ? 0 : 1;
          if (currentWidth + room + visibleWidth(piece) > width && currentWidth > prefix.length) {
            out.push(current);
            prefix = next;
            current = next;
            currentWidth = next.length;
          }
          const sep = currentWidth === prefix.length ? '' : ' ';
          current += sep + piece;
          currentWidth += sep.length + visibleWidth(piece);
        }
      }
      out.push(current);
      return out.join('\n');
    })
    .join('\n');
}
