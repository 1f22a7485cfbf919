/** A text output stream (stdout or stderr), real or fake. */
export interface OutStream {
  write(text: string): void;
  readonly isTTY: boolean;
  /** Columns, when a terminal. */
  readonly columns?: number;
  /** Rows, when a terminal. */
  readonly rows?: number;
  /**
   * The stream beneath a terminal-safe wrapper (sanitize.ts), for a view that draws with cursor controls of its
   * own and makes its text safe itself. Absent on a plain stream.
   */
  readonly raw?: OutStream;
}
