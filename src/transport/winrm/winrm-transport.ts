// The `winrm` Transport: one persistent WinRS shell per node with one long-running PowerShell bootstrap; once
// warm each run() is one Send (the payload line) and Receives until its result line. Recreates the shell (and
// the connection) on a lost shell, socket or process, and repeats an operation only when its payload cannot
// have been delivered. Depends on the bootstrap helpers, the WinRM layers and the clock.
import { randomUUID } from 'node:crypto';
import { AppError } from '../../errors.js';
import { systemClock, type Clock } from '../../platform/clock.js';
import { encodePayloadLine, withNetworkCredential } from '../bootstrap.js';
import type { RunOptions, ScriptInvocation, ScriptOutcome, Transport } from '../transport.js';
import { BootstrapLoop, PayloadNotDeliveredError, outcomeUnknown } from './bootstrap-loop.js';
import { ReceiveTimeoutError, WinRmErrorCode } from './errors.js';
import { WsmanConnection, type WsmanConnectionOptions } from './http-connection.js';
import { WinRsShell } from './shell.js';
import type { SoapContext } from './soap.js';

export interface WinRmLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
}

/** Connection options the transport hands to each node's connection as they are. */
type PassedThroughOptions = Pick<
  WsmanConnectionOptions,
  'port' | 'useSsl' | 'authentication' | 'username' | 'password' | 'caFile' | 'insecureSkipTlsVerify' | 'allowUnencrypted' | 'connectTimeoutMs' | 'clock' | 'randomBytes'
>;

export interface WinRmTransportOptions extends PassedThroughOptions {
  /** How long the node may hold a Receive open, in seconds. @default 20 */
  readonly operationTimeoutSeconds?: number;
  /** @default 153600 */
  readonly maxEnvelopeSize?: number;
  /**
   * Where a node name is reached: `--node-address NODE1=10.0.0.11:5985`, for management hosts whose DNS does
   * not know the cluster's names. @default the name itself, on `port`
   */
  readonly resolveEndpoint?: (node: string) => { host: string; port?: number };
  readonly logger?: WinRmLogger;
  /** Injected for deterministic tests. @default node:crypto randomUUID */
  readonly newUuid?: () => string;
}

export interface WinRmStats {
  /** HTTP round trips, handshake legs included. */
  requests: number;
  shellsCreated: number;
  /** Bootstrap processes started (one Command each). */
  commandsStarted: number;
  handshakes: number;
}

/** How long close() waits for each shell's Delete. */
const CLOSE_TIMEOUT_MS = 5000;

interface NodeSession {
  readonly connection: WsmanConnection;
  readonly ctx: SoapContext;
  loop: BootstrapLoop | undefined;
  /** A loop (or a shell) given up on that may live on; closed before the next one starts. */
  stale: { close(signal?: AbortSignal): Promise<void> } | undefined;
  queue: Promise<unknown>;
}

/** Errors after which a new connection and shell may succeed: the shell is gone or the socket dropped. */
function isRecoverable(error: unknown): boolean {
  if (!(error instanceof AppError)) return false;
  if (error.code === WinRmErrorCode.shellNotFound) return true;
  const cause = (error.cause as { code?: unknown } | undefined)?.code;
  return error.code === WinRmErrorCode.unreachable && (cause === 'ECONNRESET' || cause === 'EPIPE' || cause === 'ECONNABORTED');
}

export class WinRmTransport implements Transport {
  readonly name = 'winrm';
  private readonly sessions = new Map<string, NodeSession>();
  private readonly clock: Clock;
  private shellsCreated = 0;
  private commandsStarted = 0;
  private readonly retired = { requests: 0, handshakes: 0 };

  constructor(private readonly options: WinRmTransportOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** Totals since this transport was created (the benchmark diffs them around an operation). */
  stats(): WinRmStats {
    let requests = this.retired.requests;
    let handshakes = this.retired.handshakes;
    for (const s of this.sessions.values()) {
      requests += s.connection.stats.requests;
      handshakes += s.connection.stats.handshakes;
    }
    return { requests, handshakes, shellsCreated: this.shellsCreated, commandsStarted: this.commandsStarted };
  }

  run(node: string, invocation: ScriptInvocation, options: RunOptions = {}): Promise<ScriptOutcome> {
    const session = this.session(node);
    // One command at a time per node: the shell and the sealed connection are used in order.
    const result = session.queue.then(() => this.runNow(node, session, invocation, options));
    session.queue = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(
      sessions.map(async (s) => {
        // Bounded: a node that stopped answering must not hold close() for a whole read timeout.
        const bound = new AbortController();
        void this.clock.sleep(CLOSE_TIMEOUT_MS, bound.signal).then(() => bound.abort(new Error('close timed out')), () => undefined);
        try {
          await s.queue;
          await s.stale?.close(bound.signal);
          await s.loop?.close(bound.signal);
        } catch {
          // Best effort: the node may be gone; the server reaps idle shells anyway.
        } finally {
          bound.abort();
          this.retire(s);
          s.connection.close();
        }
      }),
    );
  }

  private retire(s: NodeSession): void {
    this.retired.requests += s.connection.stats.requests;
    this.retired.handshakes += s.connection.stats.handshakes;
    s.connection.stats.requests = 0;
    s.connection.stats.handshakes = 0;
  }

  private session(node: string): NodeSession {
    let s = this.sessions.get(node);
    if (!s) {
      const o = this.options;
      const operationTimeoutSeconds = o.operationTimeoutSeconds ?? 20;
      const endpoint = o.resolveEndpoint?.(node) ?? { host: node };
      const port = endpoint.port ?? o.port;
      const connection = new WsmanConnection({
        host: endpoint.host,
        authentication: o.authentication,
        username: o.username,
        password: o.password,
        useSsl: o.useSsl ?? false,
        clock: this.clock,
        // The read timeout must outlast a Receive that the server holds for OperationTimeout.
        requestTimeoutMs: (operationTimeoutSeconds + 10) * 1000,
        ...(port === undefined ? {} : { port }),
        ...(o.caFile === undefined ? {} : { caFile: o.caFile }),
        ...(o.insecureSkipTlsVerify === undefined ? {} : { insecureSkipTlsVerify: o.insecureSkipTlsVerify }),
        ...(o.allowUnencrypted === undefined ? {} : { allowUnencrypted: o.allowUnencrypted }),
        ...(o.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: o.connectTimeoutMs }),
        ...(o.randomBytes === undefined ? {} : { randomBytes: o.randomBytes }),
      });
      const newUuid = o.newUuid ?? randomUUID;
      const ctx: SoapContext = {
        to: connection.endpoint,
        maxEnvelopeSize: o.maxEnvelopeSize ?? 153600,
        operationTimeoutSeconds,
        sessionId: `uuid:${newUuid().toUpperCase()}`,
        newUuid,
      };
      s = { connection, ctx, loop: undefined, stale: undefined, queue: Promise.resolve() };
      this.sessions.set(node, s);
    }
    return s;
  }

  private async runNow(node: string, s: NodeSession, invocation: ScriptInvocation, options: RunOptions): Promise<ScriptOutcome> {
    const deadlineMs = options.timeoutMs === undefined ? undefined : this.clock.now() + options.timeoutMs;
    const line = encodePayloadLine(withNetworkCredential(invocation, await this.networkCredential(invocation)));
    for (let attempt = 0; ; attempt++) {
      try {
        const loop = await this.warmLoop(node, s, options.signal);
        const outcome = await loop.run(line, {
          ...(options.signal ? { signal: options.signal } : {}),
          ...(deadlineMs === undefined ? {} : { deadlineMs, timeoutMs: options.timeoutMs }),
        });
        this.options.logger?.debug('winrm operation done', { node, operation: invocation.name, ok: outcome.ok });
        return outcome;
      } catch (caught) {
        const notDelivered = caught instanceof PayloadNotDeliveredError;
        const error = notDelivered ? caught.cause : caught;
        this.retireLoop(s, error);
        // A payload past its deadline is still running: end it now rather than at the next operation.
        if (error instanceof ReceiveTimeoutError) await this.closeStale(s, options.signal);
        if (notDelivered && attempt === 0 && isRecoverable(error) && !options.signal?.aborted) {
          // The shell or the socket was gone before the payload left (reaped, WinRM restarted, node rebooted):
          // new connection, new handshake and keys, new shell, and the payload again.
          this.options.logger?.debug('winrm recreating the shell', { node, reason: (error as AppError).code });
          continue;
        }
        throw notDelivered ? error : outcomeUnknown(error, node, invocation.name);
      }
    }
  }

  /**
   * The account and password for an operation that must reach other machines (it then runs in a fresh logon
   * on the node), or null when this transport has no password to give (Kerberos from a ticket).
   */
  private async networkCredential(invocation: ScriptInvocation): Promise<{ userName: string; password: string } | null> {
    if (invocation.networkCredential !== true) return null;
    let password: string;
    try {
      password = await this.options.password();
    } catch {
      return null;
    }
    return password === '' ? null : { userName: this.options.username, password };
  }

  /** The node's running bootstrap, started (Create + Command) when there is none or the last one ended. */
  private async warmLoop(node: string, s: NodeSession, signal?: AbortSignal): Promise<BootstrapLoop> {
    if (s.loop?.isUsable) return s.loop;
    if (s.loop) this.retireLoop(s, undefined);
    await this.closeStale(s, signal);
    const shell = new WinRsShell(s.connection, s.ctx, node, this.clock);
    try {
      await shell.open({ codepage: 65001, noProfile: true }, signal);
      this.shellsCreated++;
      this.options.logger?.debug('winrm shell created', { node, shellId: shell.shellId });
      const loop = await BootstrapLoop.start(shell, s.connection, node, this.clock, signal);
      this.commandsStarted++;
      s.loop = loop;
      return loop;
    } catch (error) {
      if (shell.shellId !== undefined) s.stale = { close: (sig) => shell.close(sig).catch(() => undefined) };
      // Nothing of this operation has been sent yet.
      throw new PayloadNotDeliveredError(error);
    }
  }

  /**
   * After a dropped socket or an abandoned payload the old shell may live on; ending it (Signal, Delete) keeps
   * it from counting toward MaxShellsPerUser. Best effort: the node may not answer.
   */
  private async closeStale(s: NodeSession, signal?: AbortSignal): Promise<void> {
    const stale = s.stale;
    s.stale = undefined;
    await stale?.close(signal).catch(() => undefined);
  }

  /** Gives up on the current loop: its shell is closed before the next one starts unless it is known gone. */
  private retireLoop(s: NodeSession, error: unknown): void {
    const old = s.loop;
    s.loop = undefined;
    if (!old) return;
    if (error instanceof AppError && error.code === WinRmErrorCode.shellNotFound) return;
    s.stale = old;
  }
}
