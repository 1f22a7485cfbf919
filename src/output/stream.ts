/** A text output stream (stdout or stderr), real or fake. */
export interface OutStream {
  write(text: string): void;
  readonly isTTY: boolean;
  /** Columns, when a terminal. */
  readonly columns?: number;
  /** Rows, when a terminal. */
  readonly rows?: number;
}
