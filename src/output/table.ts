/**
 * Tables for human output: cli-table3 boxes on a terminal, fitted to its width (long cells wrap at word
 * boundaries; a word longer than its column is cut with an ellipsis), and tab-separated rows off it, one record a
 * line (easy to cut/awk), as gh does. cli-table3 is loaded only when a terminal needs it.
 */
import { createRequire } from 'node:module';
import { stripVTControlCharacters } from 'node:util';

export interface TableOptions {
  readonly tty: boolean;
  /** The terminal's width in columns; no line of a boxed table is wider. @default 80 */
  readonly width?: number;
}

/** Columns assumed when neither the terminal nor COLUMNS says. */
export const DEFAULT_WIDTH = 80;
/** The narrowest a column is made (its text; padding aside), so that a squeezed column still says something. */
const MIN_COLUMN = 4;
/** One space each side of a cell's text. */
const PADDING = 2;

/**
 * The width to fit tables to: the terminal's columns, else the COLUMNS variable (what shells export, and what a
 * user sets to ask for a width), else 80.
 */
export function terminalWidth(columns: number | undefined, env: Readonly<Record<string, string | undefined>>): number {
  if (columns !== undefined && Number.isInteger(columns) && columns > 0) return columns;
  const fromEnv = Number(env.COLUMNS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_WIDTH;
}

/**
 * Display width of a text. Counts code points with colour codes removed: right for the text these tables hold; a
 * wide (CJK) character counted as one only makes its column wrap a little late, and cli-table3 still cuts every
 * line to the column widths it is given, so the table never gets wider than them.
 */
function textWidth(text: string): number {
  return [...stripVTControlCharacters(text)].length;
}

/** A column's needs: its widest line (`natural`) and its longest word (`word`), which wrapping cannot split. */
export interface ColumnNeed {
  readonly natural: number;
  readonly word: number;
}

function needOf(cells: readonly string[]): ColumnNeed {
  const lines = cells.flatMap((c) => c.split('\n'));
  const natural = Math.max(0, ...lines.map(textWidth));
  const word = Math.max(0, ...lines.flatMap((l) => l.split(/\s+/)).map(textWidth));
  return { natural, word: Math.min(word, natural) };
}

/** A cell this close to its column's width is worth a few columns to keep it on one line (a duration, a count). */
const SMALL_GAP = 4;

/**
 * Gives `extra` columns to those below their target: first whole to the columns a few columns short (smallest
 * gap first), then equally to the others (water-filling), so that no wide column is starved.
 */
function share(widths: number[], targets: readonly number[], extra: number): number[] {
  let left = extra;
  const gap = (i: number): number => targets[i]! - widths[i]!;
  const small = widths.map((_, i) => i).filter((i) => gap(i) > 0 && gap(i) <= SMALL_GAP).sort((a, b) => gap(a) - gap(b) || a - b);
  for (const i of small) {
    if (gap(i) > left) break;
    left -= gap(i);
    widths[i] = targets[i]!;
  }
  let open = widths.map((_, i) => i).filter((i) => gap(i) > 0);
  while (left > 0 && open.length > 0) {
    const each = Math.max(1, Math.floor(left / open.length));
    for (const i of open) {
      const give = Math.min(each, gap(i), left);
      widths[i]! += give;
      left -= give;
      if (left === 0) break;
    }
    open = open.filter((i) => gap(i) > 0);
  }
  return widths;
}

/**
 * Text widths for columns within `available` columns of text. The natural widths when they fit. Otherwise every
 * column first gets its longest word, so that cells wrap between words rather than being cut, and the rest goes
 * to the columns closest to fitting on one line. When even the longest words do not fit, the columns with the
 * longest words are narrowed to a common cap (their words are cut with an ellipsis), none below MIN_COLUMN.
 */
export function fitColumns(needs: readonly ColumnNeed[], available: number): number[] {
  const natural = needs.map((n) => n.natural);
  if (natural.reduce((s, w) => s + w, 0) <= available) return natural;
  const words = needs.map((n) => n.word);
  const wordTotal = words.reduce((s, w) => s + w, 0);
  if (wordTotal <= available) return share([...words], natural, available - wordTotal);
  let cap = Math.max(...words);
  while (cap > MIN_COLUMN && words.reduce((s, w) => s + Math.min(w, cap), 0) > available) cap -= 1;
  const capped = words.map((w) => Math.min(w, cap));
  return share(capped, words, Math.max(0, available - capped.reduce((s, w) => s + w, 0)));
}

/** How a table is drawn: a box when each column gets its longest word that way; else open columns, 2 apart. */
interface Layout {
  readonly boxed: boolean;
  readonly widths: number[];
}

function layoutFor(needs: readonly ColumnNeed[], width: number): Layout {
  // A box costs each column its padding and the border on its left, plus one border on the right.
  const boxedRoom = width - 1 - needs.length * (PADDING + 1);
  if (needs.reduce((s, n) => s + n.word, 0) <= boxedRoom) return { boxed: true, widths: fitColumns(needs, boxedRoom) };
  return { boxed: false, widths: fitColumns(needs, width - GUTTER * (needs.length - 1)) };
}

/** Between open columns. */
const GUTTER = 2;

const OPEN_CHARS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '',
  middle: ' '.repeat(GUTTER),
};

export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, options: TableOptions): string {
  if (!options.tty) {
    return [headers.join('\t'), ...rows.map((r) => r.map((c) => c.replace(/[\t\n]/g, ' ')).join('\t'))].join('\n') + '\n';
  }
  const needs = headers.map((h, i) => needOf([h, ...rows.map((r) => r[i] ?? '')]));
  const layout = layoutFor(needs, options.width ?? DEFAULT_WIDTH);
  const require = createRequire(import.meta.url);
  type Table = { push(r: string[]): void; toString(): string };
  const Table = require('cli-table3') as new (o: Record<string, unknown>) => Table;
  const table = layout.boxed
    ? new Table({ head: [...headers], colWidths: layout.widths.map((w) => w + PADDING), wordWrap: true, style: { head: [], border: [] } })
    : new Table({ head: [...headers], colWidths: layout.widths, wordWrap: true, chars: OPEN_CHARS, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 } });
  for (const row of rows) table.push([...row]);
  const text = table.toString();
  // Open columns leave the last column's padding as trailing spaces.
  return `${layout.boxed ? text : text.split('\n').map((line) => line.trimEnd()).join('\n')}\n`;
}
