/**
 * Wraps a line of human output to the terminal's width at spaces, so that a long message, remedy or path reads
 * as an indented paragraph instead of running off the screen. Colour codes take no width. Depends on node:util.
 */
import { stripVTControlCharacters } from 'node:util';

/** Visible width: code points, colour codes left out. */
function visible(text: string): number {
  return [...stripVTControlCharacters(text)].length;
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
      if (visible(line) <= width) return line;
      const indent = /^ */.exec(line)![0];
      const next = `${indent}  `.slice(0, Math.max(0, width - 8));
      const out: string[] = [];
      let current = indent;
      let currentWidth = indent.length;
      let prefix = indent;
      for (const word of line.slice(indent.length).split(/ +/).filter((w) => w !== '')) {
        for (const piece of hardBreak(word, Math.max(1, width - next.length))) {
          const room = currentWidth === prefix.length ? 0 : 1;
          if (currentWidth + room + visible(piece) > width && currentWidth > prefix.length) {
            out.push(current);
            prefix = next;
            current = next;
            currentWidth = next.length;
          }
          const sep = currentWidth === prefix.length ? '' : ' ';
          current += sep + piece;
          currentWidth += sep.length + visible(piece);
        }
      }
      out.push(current);
      return out.join('\n');
    })
    .join('\n');
}
