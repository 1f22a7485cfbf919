/**
 * How every command writes its result, in every output mode, in the manner of gh's exporter: `--json` writes one
 * document, `--output ndjson` one record a line, and human output goes through a printer that knows the terminal
 * (tables fitted to its width, colour only on a terminal). Commands build the document and say how a person reads
 * it; they never branch on the mode or call JSON.stringify themselves. Depends on output/ only.
 */
import type { OutStream } from './stream.js';
import { cellSafe, lineSafe } from './sanitize.js';
import { renderTable, terminalWidth } from './table.js';
import { createTheme, type Theme } from './theme.js';
import { wrapText } from './wrap.js';

export type OutputFormat = 'human' | 'json' | 'ndjson';

/** Where a result goes and how; built once per command from the global options and the process's streams. */
export interface ResultEnv {
  readonly format: OutputFormat;
  readonly stdout: OutStream;
  /** Colours for stdout: on only when stdout is a terminal and colour is wanted. */
  readonly theme: Theme;
  /** Columns a boxed table may take. */
  readonly width: number;
}

export function createResultEnv(options: {
  readonly format: OutputFormat;
  readonly color: boolean;
  readonly stdout: OutStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}): ResultEnv {
  return {
    format: options.format,
    stdout: options.stdout,
    theme: createTheme(options.color && options.stdout.isTTY),
    width: terminalWidth(options.stdout.columns, options.env),
  };
}

/** What a command's human rendering writes with. */
export interface HumanPrinter {
  readonly theme: Theme;
  /** Whether stdout is a terminal: a person reading, not a pipe (where a record keeps every field whole). */
  readonly isTty: boolean;
  /** One line of text (or an empty line); wrapped to the width on a terminal. */
  line(text?: string): void;
  /** A table: boxed and fitted on a terminal, tab-separated off it. */
  table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): void;
}

export function humanPrinter(env: ResultEnv): HumanPrinter {
  return {
    theme: env.theme,
    isTty: env.stdout.isTTY,
    // On a terminal a long line wraps as a paragraph; off it, a line stays one record.
    // Values are made terminal-safe before wrapping and layout, so an escaped control still fits the width; a
    // line is one line, so a newline inside it (a value's) is shown escaped, never as a line of its own.
    line: (text = '') => {
      const safe = lineSafe(text);
      env.stdout.write(`${env.stdout.isTTY ? wrapText(safe, env.width) : safe}\n`);
    },
    table: (headers, rows) =>
      env.stdout.write(renderTable(headers.map(cellSafe), rows.map((row) => row.map(cellSafe)), { tty: env.stdout.isTTY, width: env.width })),
  };
}

export interface WriteResultOptions {
  /**
   * What `--output ndjson` writes, one JSON value a line: the records a stream consumer wants (one per rule, per
   * update...). Default: the document itself, on one line. `[]` when the command streamed its events already.
   */
  readonly records?: readonly unknown[];
}

/** Writes a command's result on stdout in the chosen mode. */
export function writeResult(env: ResultEnv, document: unknown, human: (out: HumanPrinter) => void, options: WriteResultOptions = {}): void {
  switch (env.format) {
    case 'json':
      env.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
      return;
    case 'ndjson':
      for (const record of options.records ?? [document]) env.stdout.write(`${JSON.stringify(record)}\n`);
      return;
    case 'human':
      human(humanPrinter(env));
  }
}
