// The persistent bootstrap on one node: one WinRS shell running one powershell.exe whose stdin stays open;
// each operation is one Send of the payload line plus Receives until its result line has arrived. Knows
// whether a failed operation's payload can have been delivered. Depends on the shell, the bootstrap helpers,
// errors and the clock; not on the Transport that decides what to do about a failure.
import { StringDecoder } from 'node:string_decoder';
import { AppError } from '../../errors.js';
import type { Clock } from '../../platform/clock.js';
import { bootstrapCommandLine, parseBootstrapOutput, takeBootstrapResult } from '../bootstrap.js';
import type { ScriptOutcome } from '../transport.js';
import { ReceiveTimeoutError, WinRmErrorCode, isFaultError } from './errors.js';
import type { WsmanConnection } from './http-connection.js';
import type { WinRsShell } from './shell.js';

/** A failure before the payload's last byte can have reached the node: repeating the operation is safe. */
export class PayloadNotDeliveredError extends Error {
  override readonly name = 'PayloadNotDeliveredError';
  constructor(override readonly cause: unknown) {
    super(`the payload was not delivered: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

export interface LoopRunOptions {
  readonly signal?: AbortSignal;
  /** Clock time (ms) after which no further Receive is issued. */
  readonly deadlineMs?: number;
  readonly timeoutMs?: number;
}

export class BootstrapLoop {
  private stdout = '';
  private readonly decoder = new StringDecoder('utf8');
  private broken = false;
  private ended = false;

  private constructor(
    readonly shell: WinRsShell,
    readonly commandId: string,
    private readonly connection: WsmanConnection,
    private readonly node: string,
    private readonly clock: Clock,
  ) {}

  /** Starts the bootstrap in an open shell (one Command; the process then waits for payload lines). */
  static async start(shell: WinRsShell, connection: WsmanConnection, node: string, clock: Clock, signal?: AbortSignal): Promise<BootstrapLoop> {
    const { command, args } = bootstrapCommandLine('powershell.exe');
    const commandId = await shell.start(command, args, signal);
    return new BootstrapLoop(shell, commandId, connection, node, clock);
  }

  /** False once the process has ended or an operation left the stream in an unknown place. */
  get isUsable(): boolean {
    return !this.broken && !this.ended;
  }

  /**
   * Runs one payload line. Throws PayloadNotDeliveredError when the node cannot have received the whole line
   * (a refused Send, or one that never left); any other failure leaves the loop unusable and the outcome
   * unknown.
   */
  async run(line: Buffer, options: LoopRunOptions = {}): Promise<ScriptOutcome> {
    if (!this.isUsable) throw new Error('the bootstrap loop is no longer usable');
    const { signal } = options;
    const progress = { finalSendStarted: false };
    try {
      await this.shell.send(this.commandId, line, false, signal, progress);
    } catch (error) {
      this.broken = true;
      // Only the last chunk carries the line break that makes the bootstrap run the payload.
      const delivered = progress.finalSendStarted && !isFaultError(error) && this.connection.lastPostMayHaveArrived;
      if (!delivered) throw new PayloadNotDeliveredError(error);
      throw error;
    }

    let stderr = '';
    try {
      for (;;) {
        if (options.deadlineMs !== undefined && this.clock.now() >= options.deadlineMs) {
          throw new ReceiveTimeoutError(this.node, options.timeoutMs ?? 0);
        }
        const chunk = await this.shell.receive(this.commandId, signal);
        if (chunk === undefined) continue; // the server held the Receive for OperationTimeout: poll again
        this.stdout += this.decoder.write(chunk.stdout);
        stderr += chunk.stderr.toString('utf8');
        if (chunk.done) this.ended = true;
        const taken = takeBootstrapResult(this.stdout);
        if (taken) {
          this.stdout = taken.rest;
          return parseBootstrapOutput(taken.result, stderr, chunk.done ? chunk.exitCode ?? null : null);
        }
        // The process ended without this payload's result: what it printed explains why.
        if (chunk.done) return parseBootstrapOutput(this.stdout + this.decoder.end(), stderr, chunk.exitCode ?? null);
      }
    } catch (error) {
      this.broken = true;
      throw error;
    }
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
  if (error.code === 'SCRIPT_PROTOCOL_ERROR' || error instanceof ReceiveTimeoutError) return error;
  return new AppError(error.code, error.exitCode, `${error.message} (whether ${operation} ran on ${node} is unknown)`, {
    cause: error,
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    details: { ...(error.details ?? {}), outcomeUnknown: true },
    transient: error.transient,
  });
}
