// The node-side PowerShell behind a WinRS command, in the two execution modes (`--winrm-mode`):
// - per-operation: one powershell.exe per operation in the node's long-lived shell; stdin carries the
//   bootstrap line and the payload line, then End; the command is signalled when its result is in.
// - persistent: one powershell.exe whose stdin stays open; it says READY, then each operation is one Send of a
//   numbered payload line and Receives until the result with that number; the process is recycled after a
//   number of payloads or above a memory threshold that each result reports.
// Both apply the Send outcome model: a Send answered TimedOut, 1460 or 170 may have delivered its data, so the
// command's output is received (never the payload sent again) until the operation's deadline; a payload is
// reported as not delivered (and may be sent again on a new shell) only when its last chunk provably never
// reached the process. Depends on the shell, the bootstrap helpers, errors and the clock; not on the
// Transport that decides what to do about a failure.
import { AppError, ExitCode } from '../../errors.js';
import type { Clock } from '../../platform/clock.js';
import { bootstrapStdinLine, stubCommandLine, type BootstrapMeta } from '../bootstrap.js';
import type { ScriptOutcome } from '../transport.js';
import {
  ReceiveTimeoutError,
  WinRmErrorCode,
  isFaultError,
  maybeDeliveredError,
  processEndedError,
} from './errors.js';
import type { WsmanConnection } from './http-connection.js';
import { ProcessOutput } from './process-output.js';
import type { SendProgress, WinRsShell } from './shell.js';

/** A failure before the payload's last byte can have reached the node: repeating the operation is safe. */
export class PayloadNotDeliveredError extends Error {
  override readonly name = 'PayloadNotDeliveredError';
  constructor(override readonly cause: unknown) {
    super(`the payload was not delivered: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

export interface ProcessRunOptions {
  readonly signal?: AbortSignal;
  /** Clock time (ms) after which no further Receive is issued. */
  readonly deadlineMs?: number;
  readonly timeoutMs?: number;
  /** The operation's name, for messages. */
  readonly operation: string;
}

/** The node answered the request without acting on it: a SOAP fault, HTTP 503/404 (WinRM not there), 400. */
export function wasRefused(error: unknown): boolean {
  if (isFaultError(error)) return true;
  return error instanceof AppError && (error.code === WinRmErrorCode.serviceUnavailable || error.code === WinRmErrorCode.badRequest);
}

/**
 * Sends `data` and says what a failure means: PayloadNotDeliveredError when the last chunk (whose line break
 * makes the bootstrap run the payload) was refused or never left; the error itself when it may have arrived.
 */
async function sendPayload(
  shell: WinRsShell,
  connection: WsmanConnection,
  commandId: string,
  data: Buffer,
  end: boolean,
  signal: AbortSignal | undefined,
): Promise<SendProgress> {
  const progress: SendProgress = { finalSendStarted: false };
  try {
    await shell.send(commandId, data, end, signal, progress);
  } catch (error) {
    const mayHaveArrived = progress.finalSendStarted && !wasRefused(error) && connection.lastPostMayHaveArrived;
    if (!mayHaveArrived) throw new PayloadNotDeliveredError(error);
    throw error;
  }
  return progress;
}

/**
 * Receives until `take` finds what it waits for, or the process ends, or the deadline passes. After a
 * maybe-delivered Send the deadline error says so.
 */
async function receiveFor<T>(
  shell: WinRsShell,
  commandId: string,
  out: ProcessOutput,
  take: () => T | undefined,
  node: string,
  clock: Clock,
  options: ProcessRunOptions,
  maybeDelivered: string | undefined,
): Promise<T | undefined> {
  for (;;) {
    const found = take();
    if (found !== undefined) return found;
    if (out.done) return undefined;
    if (options.deadlineMs !== undefined && clock.now() >= options.deadlineMs) {
      if (maybeDelivered !== undefined) throw maybeDeliveredError(node, options.operation, maybeDelivered);
      throw new ReceiveTimeoutError(node, options.timeoutMs ?? 0);
    }
    const chunk = await shell.receive(commandId, options.signal);
    if (chunk !== undefined) out.push(chunk, options.operation);
  }
}

export interface ProcessResult {
  readonly outcome: ScriptOutcome;
  readonly meta: BootstrapMeta | undefined;
}

/**
 * Per-operation mode: starts the stub, writes the bootstrap and the payload and closes stdin, receives the
 * result, and signals the command. Throws PayloadNotDeliveredError when nothing of the payload can have run.
 */
export async function runPerOperation(
  shell: WinRsShell,
  connection: WsmanConnection,
  node: string,
  clock: Clock,
  line: Buffer,
  seq: number,
  options: ProcessRunOptions,
): Promise<ProcessResult> {
  const { command, args } = stubCommandLine('powershell.exe');
  let commandId: string;
  try {
    commandId = await shell.start(command, args, options.signal);
  } catch (error) {
    throw new PayloadNotDeliveredError(error);
  }
  try {
    const progress = await sendPayload(shell, connection, commandId, Buffer.concat([bootstrapStdinLine(), line]), true, options.signal);
    const out = new ProcessOutput(node);
    const result = await receiveFor(shell, commandId, out, () => out.takeResult(seq), node, clock, options, progress.maybeDelivered);
    if (result === undefined) throw processEndedError(node, options.operation, out.exitCode, out.stderrSummary());
    // Frees the command on the node (a Receive of Done alone leaks it toward the quotas).
    await shell.terminate(commandId, options.signal).catch(() => undefined);
    return result;
  } catch (error) {
    // A process given up on (deadline, abort) is ended now. Not after a network failure, where the Signal
    // would only wait for a node that is not there; the shell's Delete (or the node's reboot) ends it.
    const cause = error instanceof PayloadNotDeliveredError ? error.cause : error;
    if (!isDroppedOrUnreachable(cause)) await shell.terminate(commandId).catch(() => undefined);
    throw error;
  }
}

function isDroppedOrUnreachable(error: unknown): boolean {
  return error instanceof AppError && (error.code === WinRmErrorCode.unreachable || error.code === WinRmErrorCode.connectTimeout || error.code === WinRmErrorCode.requestTimeout);
}

/** When a persistent process is replaced by a fresh one. */
export interface RecycleLimits {
  /** @default 200 payloads */
  readonly maxPayloads: number;
  /** Working set reported by the last result, in MB. @default 512 (MaxMemoryPerShellMB is 1024) */
  readonly maxMemoryMB: number;
}

export const DEFAULT_RECYCLE_LIMITS: RecycleLimits = { maxPayloads: 200, maxMemoryMB: 512 };

/** Persistent mode: one bootstrap process with stdin kept open, one payload line per operation. */
export class PersistentBootstrap {
  private readonly out: ProcessOutput;
  private broken = false;
  private payloads = 0;
  private memoryMB = 0;

  private constructor(
    readonly shell: WinRsShell,
    readonly commandId: string,
    private readonly connection: WsmanConnection,
    private readonly node: string,
    private readonly clock: Clock,
  ) {
    this.out = new ProcessOutput(node);
  }

  /**
   * Starts the stub, writes the bootstrap line, and waits for READY, so that no payload is written to a
   * process that is still starting (the Send that then blocks is what times out right after a reboot).
   */
  static async start(shell: WinRsShell, connection: WsmanConnection, node: string, clock: Clock, options: ProcessRunOptions): Promise<PersistentBootstrap> {
    const { command, args } = stubCommandLine('powershell.exe');
    const commandId = await shell.start(command, args, options.signal);
    const loop = new PersistentBootstrap(shell, commandId, connection, node, clock);
    try {
      const progress = await sendPayload(shell, connection, commandId, bootstrapStdinLine(), false, options.signal);
      const ready = await receiveFor(shell, commandId, loop.out, () => (loop.out.takeReady() ? true : undefined), node, clock, options, progress.maybeDelivered);
      if (!ready) {
        // A coded refusal before the loop (CONSTRAINED_LANGUAGE) says more than "ended without a result".
        const refusal = loop.out.takeResult(-1)?.outcome;
        if (refusal && !refusal.ok) {
          throw new AppError(refusal.error.code, ExitCode.connection, `PowerShell on ${node} refused to start the bootstrap: ${refusal.error.message}`, {
            hint: 'Application Control (WDAC) keeps unsigned scripts in ConstrainedLanguage mode: sign the scripts and allow the signer in a supplemental policy.',
            details: { node, code: refusal.error.code },
          });
        }
        throw processEndedError(node, 'starting the bootstrap', loop.out.exitCode, loop.out.stderrSummary());
      }
    } catch (error) {
      loop.broken = true;
      await shell.terminate(commandId).catch(() => undefined);
      throw error;
    }
    return loop;
  }

  /** False once the process has ended or an operation left the stream in an unknown place. */
  get isUsable(): boolean {
    return !this.broken && !this.out.done;
  }

  /** The process has exited (its command is Done); the shell is still there for a new one. */
  get ended(): boolean {
    return this.out.done;
  }

  /** Whether this process has served its share: a fresh one starts for the next payload. */
  shouldRecycle(limits: RecycleLimits): boolean {
    return this.payloads >= limits.maxPayloads || this.memoryMB >= limits.maxMemoryMB;
  }

  /**
   * Runs one numbered payload line. Throws PayloadNotDeliveredError when the node cannot have received the
   * whole line (a refused Send, or one that never left); any other failure leaves the process unusable and
   * the outcome unknown.
   */
  async run(line: Buffer, seq: number, options: ProcessRunOptions): Promise<ProcessResult> {
    if (!this.isUsable) throw new Error('the bootstrap process is no longer usable');
    try {
      const progress = await sendPayload(this.shell, this.connection, this.commandId, line, false, options.signal);
      const result = await receiveFor(this.shell, this.commandId, this.out, () => this.out.takeResult(seq), this.node, this.clock, options, progress.maybeDelivered);
      if (result === undefined) throw processEndedError(this.node, options.operation, this.out.exitCode, this.out.stderrSummary());
      this.payloads++;
      this.memoryMB = result.meta?.memoryMB ?? 0;
      return result;
    } catch (error) {
      this.broken = true;
      throw error;
    }
  }

  /** Signal(terminate): the process ends; the shell stays for the next one. */
  async stop(signal?: AbortSignal): Promise<void> {
    this.broken = true;
    await this.shell.terminate(this.commandId, signal);
  }

  /** Signal(terminate) and Delete, best effort; no Delete once the Signal has found the shell gone. */
  async close(signal?: AbortSignal): Promise<void> {
    this.broken = true;
    try {
      await this.shell.terminate(this.commandId, signal);
    } catch (error) {
      if (error instanceof AppError && error.code === WinRmErrorCode.shellNotFound) return;
    }
    await this.shell.close(signal).catch(() => undefined);
  }
}

/** The error an operation whose payload may have run reports: its cause's code, and says the outcome is unknown. */
export function outcomeUnknown(error: unknown, node: string, operation: string): unknown {
  if (!(error instanceof AppError)) return error;
  if (error.code === 'SCRIPT_PROTOCOL_ERROR' || error instanceof ReceiveTimeoutError || error.details?.['outcomeUnknown'] === true) return error;
  return new AppError(error.code, error.exitCode, `${error.message} (whether ${operation} ran on ${node} is unknown)`, {
    cause: error,
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    details: { ...(error.details ?? {}), outcomeUnknown: true },
    transient: error.transient,
  });
}
