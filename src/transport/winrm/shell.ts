// One WinRS cmd shell on a node (MS-WSMV 3.1.4): Create; Command, Send, Receive and Signal(terminate) as
// separate steps (for a command whose stdin stays open) or together (execute: one command run to Done);
// Delete on close. Turns SOAP faults into AppErrors and TimedOut into another poll.
// Depends on the connection, the SOAP layer, errors and the injected clock.
import type { Clock } from '../../platform/clock.js';
import type { WsmanConnection } from './http-connection.js';
import { AppError } from '../../errors.js';
import {
  ReceiveTimeoutError,
  RequestTimeoutError,
  WinRmErrorCode,
  badRequestError,
  faultToError,
  isMaybeDeliveredSendFault,
  isTimedOutFault,
  protocolError,
  serviceUnavailableError,
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
  type WsmanFault,
  type WsmanResponse,
} from './soap.js';

/** How far a Send got, for a caller that must decide whether its payload can have been delivered. */
export interface SendProgress {
  /** The last chunk (the one with the line break that makes the bootstrap run the payload) has left. */
  finalSendStarted: boolean;
  /** A chunk was answered TimedOut, 1460 or 170: its data may be in the pipe. Names the fault. */
  maybeDelivered?: string;
}

/** How many times one Receive is tried again on a new connection after the old one dropped. */
export const RECEIVE_RECONNECTS = 3;

/** A dropped or half-open connection: the shell lives on, a new connection can go on with it. */
export function isDroppedConnection(error: unknown): boolean {
  if (error instanceof RequestTimeoutError) return true;
  if (!(error instanceof AppError) || error.code !== WinRmErrorCode.unreachable) return false;
  const cause = (error.cause as { code?: unknown } | undefined)?.code;
  return cause === 'ECONNRESET' || cause === 'EPIPE' || cause === 'ECONNABORTED' || cause === 'UND_ERR_SOCKET';
}

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
  /** Receives tried again on a new connection. */
  reconnects = 0;

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
   * A Send answered TimedOut, 1460 or 170 may have left its data in the pipe (ansible#79016): it is never
   * sent again; the next chunk follows and `progress.maybeDelivered` names the fault. `progress` also tells a
   * caller whose Send failed whether the last chunk had left yet.
   */
  async send(commandId: string, data: Buffer, end: boolean, signal?: AbortSignal, progress: SendProgress = { finalSendStarted: false }): Promise<void> {
    const requests = sendRequests(this.ctx, this.requireId(), commandId, data, end);
    for (const [i, send] of requests.entries()) {
      if (i === requests.length - 1) progress.finalSendStarted = true;
      const reply = await this.call(send, 'Send', signal, isMaybeDeliveredSendFault);
      if (reply !== TIMED_OUT && reply.fault) progress.maybeDelivered ??= faultName(reply.fault);
    }
  }

  /**
   * One Receive: the output so far, or undefined when the server held it for OperationTimeout (poll again).
   * A shell is not tied to one TCP connection: when the connection drops (HTTP.sys closes idle keep-alive
   * connections after about 120 s), the next try authenticates on a new one and goes on with the same command.
   */
  async receive(commandId: string, signal?: AbortSignal): Promise<ReceiveChunk | undefined> {
    let reply: WsmanResponse | typeof TIMED_OUT;
    for (let attempt = 0; ; attempt++) {
      try {
        reply = await this.call(receiveRequest(this.ctx, this.requireId(), commandId), 'Receive', signal);
        break;
      } catch (error) {
        if (attempt >= RECEIVE_RECONNECTS || !isDroppedConnection(error) || signal?.aborted) throw error;
        this.reconnects++;
      }
    }
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

  /**
   * One request. TimedOut comes back as TIMED_OUT; a fault that `tolerate` accepts comes back as the parsed
   * reply (its `fault` set); any other fault, and HTTP statuses other than 200 and 500, are thrown.
   */
  private async call(
    request: SoapRequest,
    operation: string,
    signal?: AbortSignal,
    tolerate?: (fault: WsmanFault) => boolean,
  ): Promise<WsmanResponse | typeof TIMED_OUT> {
    const reply = await this.connection.post(request.xml, operation, signal);
    if (reply.status === 503 || reply.status === 404) {
      // HTTP.sys answers for a WinRM service that is stopping or starting: the request never reached WinRM.
      this.connection.reset();
      throw serviceUnavailableError(this.node, operation, reply.status);
    }
    if (reply.status === 400) {
      this.connection.reset();
      throw badRequestError(this.node, operation);
    }
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
      if (tolerate?.(parsed.fault)) return parsed;
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

function faultName(fault: WsmanFault): string {
  return fault.code === undefined ? fault.subcode ?? 'a fault' : `fault ${fault.code}${fault.subcode ? ` (${fault.subcode})` : ''}`;
}
