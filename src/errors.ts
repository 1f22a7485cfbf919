/**
 * The one error type that crosses layers. Every error a user can meet carries a stable `code`, the exit code
 * of DESIGN.md, and a hint saying what to try. Depends on nothing.
 */

/** Exit codes, as listed in `--help` and DESIGN.md ("Output contract"). */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  runFailed: 3,
  connection: 4,
  refused: 5,
  partiallyFailed: 6,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface AppErrorOptions {
  hint?: string;
  cause?: unknown;
  /** Machine-readable extra detail, safe to print (never secrets). */
  details?: Record<string, unknown>;
  /**
   * The layer that raised the error says whether trying the same call again later can succeed (the node is
   * restarting, a connection dropped). An authentication refusal or a bad reply is never transient.
   * @default false
   */
  transient?: boolean;
}

export class AppError extends Error {
  readonly code: string;
  readonly exitCode: ExitCodeValue;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  readonly transient: boolean;

  constructor(code: string, exitCode: ExitCodeValue, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.exitCode = exitCode;
    this.hint = options.hint;
    this.details = options.details;
    this.transient = options.transient ?? false;
  }
}

/** A usage or profile error: bad flags, bad values, bad files. Exit 2. */
export function usageError(code: string, message: string, options: AppErrorOptions = {}): AppError {
  return new AppError(code, ExitCode.usage, message, options);
}

/** Refused before anything was touched: readiness, lock held, nodes offline. Exit 5. */
export function refusedError(code: string, message: string, options: AppErrorOptions = {}): AppError {
  return new AppError(code, ExitCode.refused, message, options);
}

/** A node could not be reached or refused the credentials. Exit 4. */
export function connectionError(code: string, message: string, options: AppErrorOptions = {}): AppError {
  return new AppError(code, ExitCode.connection, message, options);
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/**
 * Whether a failure may go away if the same call is made again later: decided by the layer that raised it
 * (the transport classifies its own errors), never by matching message text.
 */
export function isTransient(value: unknown): boolean {
  return value instanceof AppError && value.transient;
}

/** Text of any thrown value, for messages. */
export function describeError(value: unknown): string {
  if (value instanceof Error) return value.message;
  return String(value);
}
