/**
 * Terminal control characters out of everything cauctl prints (issue 14 §8). A node name, an update title, a
 * fixture value or an error message from a node can carry ESC sequences (CSI: move the cursor, erase lines;
 * OSC: set the window title, write the clipboard, plant a hyperlink), C0 and C1 controls (a carriage return
 * that overwrites "Failed" with "Succeeded") and bidi overrides (text that reads in another order than it
 * is). None of them may reach a terminal as a control.
 *
 * Each such character is written as its JSON escape, `\u001b`, `\u202e`: visible to the person reading, and
 * exact JSON inside a JSON string, so one filter serves human and JSON output alike (JSON.stringify already
 * escapes C0; DEL, C1 and the bidi controls it leaves raw). Newline and tab stay, as the tool's own layout;
 * inside a value they are escaped where a value meets a line (lineSafe, cellSafe). The colour codes of our own
 * theme (theme.ts) stay too: an SGR sequence passes only when every one of its parameters is in
 * THEME_SGR_CODES, so a value can at most colour text, never hide it, move the cursor or talk to the terminal.
 * Depends on nothing.
 */
import type { OutStream } from './stream.js';

/**
 * SGR parameters that theme.ts and wrap.ts emit (chalk at level 1): reset, bold, dim, normal intensity, and the
 * foreground colours red, green, yellow, default. Not 8 (concealed), not 7 (reverse), not backgrounds: nothing
 * that could hide text. A unit test fails when the theme starts using a code outside this list.
 */
export const THEME_SGR_CODES: ReadonlySet<string> = new Set(['', '0', '1', '2', '22', '31', '32', '33', '39']);

// An SGR sequence (kept when it is the theme's), or one character that must not reach a terminal raw:
// C0 but tab and newline, DEL, C1, the Arabic letter mark, LRM/RLM, the line and paragraph separators, the
// bidi embeddings and overrides (LRE..RLO) and isolates (LRI..PDI).
const UNSAFE = new RegExp(
  // eslint-disable-next-line no-control-regex -- matching control characters is this module's purpose
  '\\u001b\\[([0-9;]*)m|[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]',
  'g',
);

function jsonEscape(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * `text` with every terminal control written as its JSON escape (`\u001b[2J`), the theme's colours and
 * newlines and tabs kept. Idempotent: safe text comes back unchanged.
 */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (match: string, sgr: string | undefined) => {
    if (sgr === undefined) return jsonEscape(match);
    if (sgr.split(';').every((code) => THEME_SGR_CODES.has(code))) return match;
    return `${jsonEscape(match[0]!)}${match.slice(1)}`;
  });
}

/**
 * A value that must stay on its line: `text` made terminal-safe, and its newlines written as `\n`. The other
 * line breaks (CR, VT, FF, NEL, U+2028, U+2029) are escaped by terminalSafe already. For the places where the
 * tool's own layout and a value meet on one line (a printed line, an event line, a progress line, a live-view
 * line): a value from a node or a fixture with a newline (a hostile update title) cannot forge a line there.
 */
export function lineSafe(text: string): string {
  return terminalSafe(text).replace(/\n/g, '\\n');
}

/** A table cell: on its line (lineSafe), and its tabs written as `\t`, so that it cannot forge a column either. */
export function cellSafe(text: string): string {
  return lineSafe(text).replace(/\t/g, '\\t');
}

/** Whether `text` would reach a terminal unchanged (no control but newline, tab and the theme's colours). */
export function isTerminalSafe(text: string): boolean {
  return terminalSafe(text) === text;
}

/**
 * A stream whose every write is made terminal-safe: the process's stdout and stderr, so that no command can
 * print a control character by forgetting to clean a value. `raw` is the stream beneath, for the one writer
 * that draws with cursor controls of its own (the live view's block), which makes its text safe itself.
 */
export function terminalSafeStream(stream: OutStream): OutStream & { readonly raw: OutStream } {
  return {
    write: (text: string) => stream.write(terminalSafe(text)),
    raw: stream,
    get isTTY() {
      return stream.isTTY;
    },
    get columns() {
      return stream.columns;
    },
    get rows() {
      return stream.rows;
    },
  };
}
