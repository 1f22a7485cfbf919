// One WinRS cmd shell on a node (MS-WSMV 3.1.4): Create; Command, Send, Receive and Signal(terminate) as
// separate steps (for a command whose stdin stays open) or together (execute: one command run to Done);
// Delete on close. Turns SOAP faults into AppErrors and TimedOut into another poll.
// Depends on the connection, the SOAP layer, errors and the injected clock.
import type { Clock } from '../../platform/clock.js';
import type { WsmanConnection } from './http-connection.js';
import {
  ReceiveTimeoutError,
  faultToError,
  isTimedOutFault,
  protocolError,
} from './errors.js';
import {
  SoapParseError,
  commandRequest,
  createShellRequest,
  deleteShellRequest,
  parseResponse,
  receiveRequest,
  sendRequests,
  signalRequest,
  type CreateShellOptions,
  type SoapContext,
  type SoapRequest,
  type WsmanResponse,
} from './soap.js';

export interface CommandResult {
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  /** Undefined only if the server reported Done without an exit code. */
  readonly exitCode: number | undefined;
}

export interface ExecuteOptions {
  readonly signal?: AbortSignal;
  /** Clock time (ms) after which no further Receive is issued. */
  readonly deadlineMs?: number;
  readonly timeoutMs?: number;
}

/** What one Receive brought back. */
export interface ReceiveChunk {
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  /** The command has ended (CommandState Done): no further output will come. */
  readonly done: boolean;
  readonly exitCode: number | undefined;
}

const TIMED_OUT = Symbol('timed-out');

export class WinRsShell {
  private id: string | undefined;

  constructor(
    private readonly connection: WsmanConnection,
    private readonly ctx: SoapContext,
    private readonly node: string,
    private readonly clock: Clock,
  ) {}

  get shellId(): string | undefined {
    return this.id;
  }

  async open(options: CreateShellOptions = {}, signal?: AbortSignal): Promise<string> {
    const reply = await this.call(createShellRequest(this.ctx, options), 'Create', signal);
    if (reply === TIMED_OUT || !reply.shellId) throw protocolError(this.node, 'CreateResponse without a ShellId');
    this.id = reply.shellId;
    return reply.shellId;
  }

  /** Starts `command args...` and returns its CommandId; its stdin stays open until a Send with `end`. */
  async start(command: string, args: readonly string[], signal?: AbortSignal): Promise<string> {
    const started = await this.call(commandRequest(this.ctx, this.requireId(), command, args), 'Command', signal);
    if (started === TIMED_OUT || !started.commandId) throw protocolError(this.node, 'CommandResponse without a CommandId');
    return started.commandId;
  }

  /**
   * Writes `data` to the command's stdin, in as many Sends as MaxEnvelopeSize needs; `end` closes stdin.
   * `progress.finalSendStarted` tells a caller whose Send failed whether the last chunk had left yet.
   */
  async send(commandId: string, data: Buffer, end: boolean, signal?: AbortSignal, progress?: { finalSendStarted: boolean }): Promise<void> {
    const requests = sendRequests(this.ctx, this.requireId(), commandId, data, end);
    for (const [i, send] of requests.entries()) {
      if (progress && i === requests.length - 1) progress.finalSendStarted = true;
      if ((await this.call(send, 'Send', signal)) === TIMED_OUT) throw protocolError(this.node, 'Send timed out');
    }
  }

  /** One Receive: the output so far, or undefined when the server held it for OperationTimeout (poll again). */
  async receive(commandId: string, signal?: AbortSignal): Promise<ReceiveChunk | undefined> {
    const reply = await this.call(receiveRequest(this.ctx, this.requireId(), commandId), 'Receive', signal);
    if (reply === TIMED_OUT) return undefined;
    return {
      stdout: reply.streams['stdout'] ?? Buffer.alloc(0),
      stderr: reply.streams['stderr'] ?? Buffer.alloc(0),
      done: reply.commandState?.done ?? false,
      exitCode: reply.commandState?.exitCode,
    };
  }

  /** Signal(terminate): ends the command and frees it (a Receive of Done alone leaks it toward the quotas). */
  async terminate(commandId: string, signal?: AbortSignal): Promise<void> {
    await this.call(signalRequest(this.ctx, this.requireId(), commandId), 'Signal', signal);
  }

  /** Runs one command with `stdin` as its whole input and collects its output until it is Done. */
  async execute(command: string, args: readonly string[], stdin: Buffer, options: ExecuteOptions = {}): Promise<CommandResult> {
    const { signal } = options;
    const commandId = await this.start(command, args, signal);
    await this.send(commandId, stdin, true, signal);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let exitCode: number | undefined;
    for (;;) {
      if (options.deadlineMs !== undefined && this.clock.now() >= options.deadlineMs) {
        await this.terminate(commandId, signal).catch(() => undefined);
        throw new ReceiveTimeoutError(this.node, options.timeoutMs ?? 0);
      }
      const chunk = await this.receive(commandId, signal);
      if (chunk === undefined) continue; // the server held the Receive for OperationTimeout: poll again
      stdout.push(chunk.stdout);
      stderr.push(chunk.stderr);
      if (chunk.done) {
        exitCode = chunk.exitCode;
        break;
      }
    }
    await this.terminate(commandId, signal);
    return { stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr), exitCode };
  }

  /** Deletes the shell on the node. */
  async close(signal?: AbortSignal): Promise<void> {
    if (this.id === undefined) return;
    const id = this.id;
    this.id = undefined;
    await this.call(deleteShellRequest(this.ctx, id), 'Delete', signal);
  }

  private requireId(): string {
    if (this.id === undefined) throw new Error('shell not open');
    return this.id;
  }

  private async call(request: SoapRequest, operation: string, signal?: AbortSignal): Promise<WsmanResponse | typeof TIMED_OUT> {
    const reply = await this.connection.post(request.xml, operation, signal);
    if (reply.status !== 200 && reply.status !== 500) {
      throw protocolError(this.node, `HTTP ${reply.status} to ${operation}`);
    }
    let parsed: WsmanResponse;
    try {
      parsed = parseResponse(reply.body);
    } catch (error) {
      if (error instanceof SoapParseError) throw protocolError(this.node, `${operation}: ${error.message}`, error);
      throw error;
    }
    if (parsed.fault) {
      if (isTimedOutFault(parsed.fault)) return TIMED_OUT;
      throw faultToError(parsed.fault, { node: this.node, operation });
    }
    if (reply.status !== 200) throw protocolError(this.node, `HTTP ${reply.status} without a SOAP fault to ${operation}`);
    if (parsed.relatesTo !== undefined && parsed.relatesTo.toUpperCase() !== request.messageId.toUpperCase()) {
      throw protocolError(this.node, `${operation} response relates to ${parsed.relatesTo}, not ${request.messageId}`);
    }
    return parsed;
  }
}
