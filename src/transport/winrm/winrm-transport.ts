// The `winrm` Transport, in two execution modes (`--winrm-mode`, see node-process.ts): `per-operation` (the
// default: one long-lived shell per node, one powershell.exe per operation) and `persistent` (one
// powershell.exe per node serving every operation). Recreates the shell (and the connection) on a lost shell,
// socket or process, and sends an operation again only when its payload provably never left. Cleans up its
// shells on close(). Depends on the bootstrap helpers, the WinRM layers and the clock.
import { randomUUID } from 'node:crypto';
import { AppError } from '../../errors.js';
import { systemClock, type Clock } from '../../platform/clock.js';
import { encodeSequencedPayloadLine, withNetworkCredential } from '../bootstrap.js';
import type { RunOptions, ScriptInvocation, ScriptOutcome, Transport } from '../transport.js';
import { ReceiveTimeoutError, WinRmErrorCode, isNetworkError } from './errors.js';
import { WsmanConnection, type WsmanConnectionOptions } from './http-connection.js';
import {
  DEFAULT_RECYCLE_LIMITS,
  PayloadNotDeliveredError,
  PersistentBootstrap,
  outcomeUnknown,
  runPerOperation,
  wasRefused,
  type ProcessResult,
  type RecycleLimits,
} from './node-process.js';
import { WinRsShell } from './shell.js';
import type { SoapContext } from './soap.js';

/** How operations reach PowerShell on a node; see node-process.ts. */
export type WinRmMode = 'per-operation' | 'persistent';

/** @default per-operation, until a real Windows host has passed the smoke suite in persistent mode. */
export const DEFAULT_WINRM_MODE: WinRmMode = 'per-operation';
/** Shells ask the node to reap them after this long idle, so a crashed cauctl leaves nothing for hours. */
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 30 * 60;

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
  /** @default 'per-operation' */
  readonly mode?: WinRmMode;
  /** `rsp:IdleTimeOut` requested at shell creation, in seconds. @default 1800 (30 minutes) */
  readonly idleTimeoutSeconds?: number;
  /** Persistent mode: when a process is replaced by a fresh one. @default 200 payloads or 512 MB */
  readonly recycle?: Partial<RecycleLimits>;
}

export interface WinRmStats {
  /** HTTP round trips, handshake legs included. */
  requests: number;
  shellsCreated: number;
  /** Bootstrap processes started (one Command each). */
  commandsStarted: number;
  handshakes: number;
  /** Persistent processes replaced after their share of payloads or memory. */
  recycled: number;
  /** Receives tried again on a new connection after the old one dropped. */
  reconnects: number;
}

/** How long close() waits for each shell's Delete. */
const CLOSE_TIMEOUT_MS = 5000;

interface NodeSession {
  readonly connection: WsmanConnection;
  readonly ctx: SoapContext;
  /** Per-operation mode: the node's shell. */
  shell: WinRsShell | undefined;
  /** Persistent mode: the running bootstrap. */
  loop: PersistentBootstrap | undefined;
  /** The last payload's sequence number on this node. */
  seq: number;
  /** A loop (or a shell) given up on that may live on; closed before the next one starts. */
  stale: { close(signal?: AbortSignal): Promise<void> } | undefined;
  queue: Promise<unknown>;
}

/**
 * Failures of an undelivered payload after which a new connection and shell may succeed: the shell is gone,
 * the socket dropped or was refused before the payload left, or the Send faulted (a process that has exited
 * answers "the pipe is being closed"). Never an authentication refusal or a quota.
 */
function isRecoverable(error: unknown): boolean {
  if (!(error instanceof AppError)) return false;
  if (error.code === WinRmErrorCode.shellNotFound) return true;
  if (error.code === WinRmErrorCode.authRefused || error.code === WinRmErrorCode.quotaExceeded) return false;
  if (error.code === WinRmErrorCode.unreachable) return isNetworkError(error.cause);
  // A 400 (encryption out of step) is over once the connection is new; a fault on Send means the process
  // behind the command is gone. (A 503 lasts while WinRM restarts: that is for the caller to wait out.)
  if (error.code === WinRmErrorCode.badRequest) return true;
  return wasRefused(error) && error.details?.['operation'] === 'Send' && error.code !== WinRmErrorCode.serviceUnavailable;
}

export class WinRmTransport implements Transport {
  readonly name = 'winrm';
  private readonly sessions = new Map<string, NodeSession>();
  private readonly clock: Clock;
  private shellsCreated = 0;
  private commandsStarted = 0;
  private recycled = 0;
  private reconnects = 0;
  private readonly mode: WinRmMode;
  private readonly recycle: RecycleLimits;
  private readonly retired = { requests: 0, handshakes: 0 };

  constructor(private readonly options: WinRmTransportOptions) {
    this.clock = options.clock ?? systemClock;
    this.mode = options.mode ?? DEFAULT_WINRM_MODE;
    this.recycle = { ...DEFAULT_RECYCLE_LIMITS, ...options.recycle };
  }

  /** Totals since this transport was created (the benchmark diffs them around an operation). */
  stats(): WinRmStats {
    let requests = this.retired.requests;
    let handshakes = this.retired.handshakes;
    for (const s of this.sessions.values()) {
      requests += s.connection.stats.requests;
      handshakes += s.connection.stats.handshakes;
    }
    let reconnects = this.reconnects;
    for (const s of this.sessions.values()) reconnects += (s.shell?.reconnects ?? 0) + (s.loop?.shell.reconnects ?? 0);
    return { requests, handshakes, shellsCreated: this.shellsCreated, commandsStarted: this.commandsStarted, recycled: this.recycled, reconnects };
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
          await s.shell?.close(bound.signal);
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
      const maxEnvelopeSize = o.maxEnvelopeSize ?? 153600;
      const connection = new WsmanConnection({
        host: endpoint.host,
        ...(endpoint.host.toUpperCase() === node.toUpperCase() ? {} : { serverName: node }),
        maxEnvelopeSize,
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
        maxEnvelopeSize,
        operationTimeoutSeconds,
        sessionId: `uuid:${newUuid().toUpperCase()}`,
        newUuid,
      };
      s = { connection, ctx, shell: undefined, loop: undefined, seq: 0, stale: undefined, queue: Promise.resolve() };
      this.sessions.set(node, s);
    }
    return s;
  }

  private async runNow(node: string, s: NodeSession, invocation: ScriptInvocation, options: RunOptions): Promise<ScriptOutcome> {
    // Without a deadline the result is waited for as long as the command lives: node-side long polls (a drain,
    // storage repair) take their own timeoutSeconds, up to hours.
    const deadlineMs = options.timeoutMs === undefined ? undefined : this.clock.now() + options.timeoutMs;
    const seq = ++s.seq;
    // The same id and number travel again if the payload is re-sent: it names one operation, not one Send.
    const sent = withNetworkCredential(invocation, await this.networkCredential(invocation));
    const line = encodeSequencedPayloadLine(sent, seq, (this.options.newUuid ?? randomUUID)());
    const runOptions: RunPayloadOptions = {
      operation: invocation.name,
      ...(deadlineMs === undefined ? {} : { deadlineMs, timeoutMs: options.timeoutMs }),
      ...(options.signal ? { signal: options.signal } : {}),
    };
    for (let attempt = 0; ; attempt++) {
      try {
        const result = this.mode === 'persistent' ? await this.runPersistent(node, s, line, seq, runOptions) : await this.runPerOperation(node, s, line, seq, runOptions);
        this.options.logger?.debug('winrm operation done', { node, operation: invocation.name, ok: result.outcome.ok, mode: this.mode });
        return result.outcome;
      } catch (caught) {
        const notDelivered = caught instanceof PayloadNotDeliveredError;
        const error = notDelivered ? caught.cause : caught;
        this.retireShell(s, error);
        // A payload past its deadline is still running: end it now rather than at the next operation.
        if (error instanceof ReceiveTimeoutError) await this.closeStale(s, options.signal);
        if (notDelivered && attempt === 0 && isRecoverable(error) && !options.signal?.aborted) {
          // The shell, the process or the socket was gone before the payload left (reaped, WinRM restarted,
          // node rebooted, process killed): new connection if needed, new shell, and the payload again.
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

  private async runPerOperation(node: string, s: NodeSession, line: Buffer, seq: number, options: RunPayloadOptions): Promise<ProcessResult> {
    const shell = await this.warmShell(node, s, options.signal);
    this.commandsStarted++;
    return runPerOperation(shell, s.connection, node, this.clock, line, seq, options);
  }

  private async runPersistent(node: string, s: NodeSession, line: Buffer, seq: number, options: RunPayloadOptions): Promise<ProcessResult> {
    const loop = await this.warmLoop(node, s, options);
    const result = await loop.run(line, seq, options);
    if (loop.shouldRecycle(this.recycle)) {
      // Its share is served (payloads, or memory under MaxMemoryPerShellMB): the next payload gets a fresh
      // process in the same shell.
      s.loop = undefined;
      this.recycled++;
      this.reconnects += loop.shell.reconnects;
      loop.shell.reconnects = 0;
      s.shell = loop.shell;
      await loop.stop(options.signal).catch(() => undefined);
    }
    return result;
  }

  /** The node's shell, created (with IdleTimeOut) when there is none. Nothing of the payload has left yet. */
  private async warmShell(node: string, s: NodeSession, signal?: AbortSignal): Promise<WinRsShell> {
    if (s.shell?.shellId !== undefined) return s.shell;
    await this.closeStale(s, signal);
    const shell = new WinRsShell(s.connection, s.ctx, node, this.clock);
    try {
      await shell.open({ codepage: 65001, noProfile: true, idleTimeoutSeconds: this.options.idleTimeoutSeconds ?? DEFAULT_IDLE_TIMEOUT_SECONDS }, signal);
    } catch (error) {
      throw new PayloadNotDeliveredError(error);
    }
    this.shellsCreated++;
    this.options.logger?.debug('winrm shell created', { node, shellId: shell.shellId });
    s.shell = shell;
    return shell;
  }

  /** The node's running bootstrap, started (Command, bootstrap line, READY) when there is none. */
  private async warmLoop(node: string, s: NodeSession, options: RunPayloadOptions): Promise<PersistentBootstrap> {
    if (s.loop?.isUsable) return s.loop;
    if (s.loop?.ended) {
      // The process exited cleanly between payloads: its shell stays, a new process starts in it.
      const ended = s.loop;
      s.loop = undefined;
      s.shell = ended.shell;
      await ended.stop(options.signal).catch(() => undefined);
    } else if (s.loop) this.retireShell(s, undefined);
    const shell = await this.warmShell(node, s, options.signal);
    try {
      const loop = await PersistentBootstrap.start(shell, s.connection, node, this.clock, { ...options, operation: 'starting the bootstrap' });
      this.commandsStarted++;
      s.loop = loop;
      return loop;
    } catch (error) {
      // Nothing of this operation has been sent yet.
      throw new PayloadNotDeliveredError(error instanceof PayloadNotDeliveredError ? error.cause : error);
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

  /** Gives up on the current shell and process: closed before the next one starts unless known gone. */
  private retireShell(s: NodeSession, error: unknown): void {
    const loop = s.loop;
    const shell = loop?.shell ?? s.shell;
    s.loop = undefined;
    s.shell = undefined;
    if (!shell) return;
    this.reconnects += shell.reconnects;
    shell.reconnects = 0;
    if (error instanceof AppError && error.code === WinRmErrorCode.shellNotFound) return;
    s.stale = loop ?? { close: (signal) => shell.close(signal).catch(() => undefined) };
  }
}

type RunPayloadOptions = { readonly operation: string; readonly deadlineMs?: number; readonly timeoutMs?: number; readonly signal?: AbortSignal };
