// One WinRS cmd shell on a node (MS-WSMV 3.1.4): Create, then per command Command + Send + Receive until Done +
// Signal(terminate); Delete on close. Turns SOAP faults into AppErrors and TimedOut into another poll.
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

  /** Runs one command with `stdin` as its whole input and collects its output until it is Done. */
  async execute(command: string, args: readonly string[], stdin: Buffer, options: ExecuteOptions = {}): Promise<CommandResult> {
    const shellId = this.requireId();
    const { signal } = options;
    const started = await this.call(commandRequest(this.ctx, shellId, command, args), 'Command', signal);
    if (started === TIMED_OUT || !started.commandId) throw protocolError(this.node, 'CommandResponse without a CommandId');
    const commandId = started.commandId;

    for (const send of sendRequests(this.ctx, shellId, commandId, stdin, true)) {
      if ((await this.call(send, 'Send', signal)) === TIMED_OUT) throw protocolError(this.node, 'Send timed out');
    }

    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let exitCode: number | undefined;
    for (;;) {
      if (options.deadlineMs !== undefined && this.clock.now() >= options.deadlineMs) {
        await this.terminate(commandId, signal).catch(() => undefined);
        throw new ReceiveTimeoutError(this.node, options.timeoutMs ?? 0);
      }
      const reply = await this.call(receiveRequest(this.ctx, shellId, commandId), 'Receive', signal);
      if (reply === TIMED_OUT) continue; // the server held the Receive for OperationTimeout: poll again
      if (reply.streams['stdout']) stdout.push(reply.streams['stdout']);
      if (reply.streams['stderr']) stderr.push(reply.streams['stderr']);
      if (reply.commandState?.done) {
        exitCode = reply.commandState.exitCode;
        break;
      }
    }
    // MS-WSMV: a final Signal(terminate) frees the command; Receive alone leaks it toward the quotas.
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

  private async terminate(commandId: string, signal?: AbortSignal): Promise<void> {
    await this.call(signalRequest(this.ctx, this.requireId(), commandId), 'Signal', signal);
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
