// One authenticated HTTP(S) connection to a node's WS-Man endpoint: a single keep-alive socket per security
// context, NTLM (raw tokens in `Negotiate`, RFC 4559) with MS-WSMV message encryption on HTTP, Basic or NTLM
// with channel bindings on HTTPS, Kerberos (SPNEGO in `Negotiate`) on HTTPS only. No transparent retries.
// Depends on node:http(s), the NTLM and Kerberos layers and errors.
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate, type TLSSocket } from 'node:tls';
import { readFile } from 'node:fs/promises';
import { AppError, ExitCode } from '../../errors.js';
import { systemClock, type Clock } from '../../platform/clock.js';
import { channelBindingsHash } from './ntlm/channel-bindings.js';
import { NtlmClient, NtlmNegotiationError, splitUsername } from './ntlm/client.js';
import type { NtlmSession } from './ntlm/session.js';
import { KerberosContext, kerberosOverHttpError, type KerberosModuleLoader, type KerberosScheme } from './kerberos.js';
import { decodeEncryptedBody, encodeEncryptedBody, encryptedContentType, isEncryptedContentType } from './multipart.js';
import {
  ConnectTimeoutError,
  RequestTimeoutError,
  WinRmErrorCode,
  authRefusedError,
  isNetworkError,
  protocolError,
  serviceUnavailableError,
  unreachableError,
} from './errors.js';

export type WinRmAuthentication = 'Negotiate' | 'Ntlm' | 'Basic' | 'Kerberos';

export interface WsmanConnectionOptions {
  /** Host name or address of the node. */
  readonly host: string;
  /**
   * The node's name when `host` is an address (`--node-address NAME=IP`): the TLS certificate must name it
   * (SNI and identity check), and NTLM names it as the target SPN. @default host
   */
  readonly serverName?: string;
  /** @default 5986 with useSsl, otherwise 5985 */
  readonly port?: number;
  /** @default false */
  readonly useSsl?: boolean;
  readonly authentication: WinRmAuthentication;
  /**
   * `DOMAIN\user`, `user@domain` or a local `user`. With Kerberos, `user@REALM` or empty (the default principal
   * of the caller's ticket cache).
   */
  readonly username: string;
  /** Read only while authenticating; never stored or logged. */
  readonly password: () => Promise<string> | string;
  /** PEM bundle of CAs to trust for HTTPS. */
  readonly caFile?: string;
  /** Do not verify the node's certificate (test labs only). @default false */
  readonly insecureSkipTlsVerify?: boolean;
  /** Allow Basic over plain HTTP, which sends the password readable on the wire. @default false */
  readonly allowUnencrypted?: boolean;
  /** @default 10000 */
  readonly connectTimeoutMs?: number;
  /**
   * The MaxEnvelopeSize the client asks for, in bytes: a reply body may be at most twice this plus the
   * multipart framing (the node clamps its replies to it; base64 and sealing stay within the factor).
   * @default 153600
   */
  readonly maxEnvelopeSize?: number;
  /** Read timeout for one HTTP exchange; must exceed OperationTimeout. @default 30000 */
  readonly requestTimeoutMs?: number;
  readonly clock?: Clock;
  /** Randomness for NTLM (client challenge, session key). @default node:crypto randomBytes */
  readonly randomBytes?: (size: number) => Buffer;
  /** Loads the optional `kerberos` package (tests pass a fake). @default import('kerberos') */
  readonly loadKerberos?: KerberosModuleLoader;
}

export interface HttpReply {
  readonly status: number;
  /** The (decrypted) SOAP text, empty for an empty body. */
  readonly body: string;
}

export interface ConnectionStats {
  /** HTTP round trips, handshake legs included. */
  requests: number;
  /** Authentication handshakes (one per security context). */
  handshakes: number;
}

interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
  socket: Socket;
}

/** Raised when a request would leave the authenticated socket: the security context is lost. */
const CONTEXT_LOST = 'ECONNRESET';

/**
 * A WS-Man endpoint connection. Requests are serialised: the NTLM sealing state demands that messages are
 * sealed and sent in the same order, and a context belongs to one TCP connection.
 */
export class WsmanConnection {
  readonly endpoint: string;
  readonly stats: ConnectionStats = { requests: 0, handshakes: 0 };
  private readonly options: WsmanConnectionOptions;
  private readonly useSsl: boolean;
  private readonly clock: Clock;
  private agent: http.Agent | undefined;
  private socket: Socket | undefined;
  private session: NtlmSession | undefined;
  private authenticated = false;
  /** With Kerberos: who the current context authenticated, for messages. */
  private kerberosPrincipal: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private bodyMayHaveArrived = false;

  constructor(options: WsmanConnectionOptions) {
    this.options = options;
    this.useSsl = options.useSsl ?? false;
    this.clock = options.clock ?? systemClock;
    const port = options.port ?? (this.useSsl ? 5986 : 5985);
    const host = options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host;
    this.endpoint = `${this.useSsl ? 'https' : 'http'}://${host}:${port}/wsman`;
  }

  /** Whether bodies are sealed with NTLM (HTTP with Negotiate/NTLM). */
  get encrypts(): boolean {
    return !this.useSsl && this.options.authentication !== 'Basic';
  }

  /** POSTs one SOAP envelope, authenticating first when needed; returns the status and the plaintext body. */
  post(xml: string, operation: string, signal?: AbortSignal): Promise<HttpReply> {
    const run = this.queue.then(() => this.postNow(xml, operation, signal));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Whether the last post's envelope may have reached the node: false when it failed before its body left on
   * a connected socket (refused connection, failed handshake, connect timeout, abort before sending). Callers
   * use it to tell a request that is safe to repeat from one whose effect is unknown.
   */
  get lastPostMayHaveArrived(): boolean {
    return this.bodyMayHaveArrived;
  }

  /** Drops the socket and the security context; the next post starts a new connection and handshake. */
  reset(): void {
    this.agent?.destroy();
    this.agent = undefined;
    this.socket = undefined;
    this.session = undefined;
    this.authenticated = false;
    this.kerberosPrincipal = undefined;
  }

  close(): void {
    this.reset();
  }

  private async postNow(xml: string, operation: string, signal?: AbortSignal): Promise<HttpReply> {
    this.bodyMayHaveArrived = false;
    signal?.throwIfAborted();
    const auth = this.options.authentication;
    if (auth === 'Kerberos' && !this.useSsl) throw kerberosOverHttpError(this.options.host);
    if (auth === 'Basic') return this.postBasic(xml, operation, signal);
    if (!this.authenticated) await (auth === 'Kerberos' ? this.kerberosHandshake(operation, signal) : this.handshake(operation, signal));

    const plain = Buffer.from(xml, 'utf8');
    const session = this.session;
    const headers: http.OutgoingHttpHeaders = {};
    let body: Buffer = plain;
    if (this.encrypts && session) {
      body = encodeEncryptedBody(plain, session);
      headers['Content-Type'] = encryptedContentType();
    } else {
      headers['Content-Type'] = 'application/soap+xml;charset=UTF-8';
    }
    const reply = await this.exchange(body, headers, operation, signal, this.socket, this.markSent);
    if (reply.status === 401) {
      const kerberosPrincipal = this.kerberosPrincipal;
      this.reset();
      throw kerberosPrincipal === undefined
        ? authRefusedError(this.options.host, this.options.username, 'HTTP 401 after authentication')
        : authRefusedError(this.options.host, kerberosPrincipal, 'HTTP 401 after Kerberos authentication', { hint: KERBEROS_REFUSED_HINT });
    }
    if (reply.status === 400 || reply.status === 404 || reply.status === 503) {
      // HTTP.sys answers these itself (no WinRM behind it, or a body WinRM could not read), unsealed; the
      // context is out of step or gone: start over on a new connection.
      this.reset();
      return { status: reply.status, body: '' };
    }
    return { status: reply.status, body: this.readBody(reply, session) };
  }

  private readBody(reply: RawReply, session: NtlmSession | undefined): string {
    if (reply.body.length === 0) return '';
    if (isEncryptedContentType(reply.headers['content-type'])) {
      if (!session) throw protocolError(this.options.host, 'an encrypted reply on an unencrypted session');
      try {
        return decodeEncryptedBody(reply.body, session).toString('utf8');
      } catch (error) {
        // The RC4 streams are now out of step; nothing more can be read on this context.
        this.reset();
        throw protocolError(this.options.host, `cannot decrypt the reply: ${(error as Error).message}`, error);
      }
    }
    if (this.encrypts) {
      this.reset();
      throw protocolError(this.options.host, `HTTP ${reply.status} with an unencrypted body on an encrypted session`);
    }
    return reply.body.toString('utf8');
  }

  private async postBasic(xml: string, operation: string, signal?: AbortSignal): Promise<HttpReply> {
    if (!this.useSsl && !this.options.allowUnencrypted) {
      throw new AppError(WinRmErrorCode.insecure, ExitCode.usage, `Basic authentication over HTTP would send the password of ${this.options.username} in clear text to ${this.options.host}`, {
        hint: 'Use HTTPS (--use-ssl), or Negotiate, which encrypts every message over HTTP.',
      });
    }
    const password = await this.options.password();
    const headers = {
      'Content-Type': 'application/soap+xml;charset=UTF-8',
      Authorization: `Basic ${Buffer.from(`${this.options.username}:${password}`, 'utf8').toString('base64')}`,
    };
    const reply = await this.exchange(Buffer.from(xml, 'utf8'), headers, operation, signal, undefined, this.markSent);
    if (reply.status === 401) throw authRefusedError(this.options.host, this.options.username, 'Basic authentication refused');
    return { status: reply.status, body: reply.body.toString('utf8') };
  }

  /** NTLM in three legs on one socket: NEGOTIATE, CHALLENGE, then AUTHENTICATE with an empty body. */
  private async handshake(operation: string, signal?: AbortSignal): Promise<void> {
    this.reset();
    this.stats.handshakes++;
    const client = new NtlmClient({
      ...(this.options.randomBytes ? { randomBytes: this.options.randomBytes } : {}),
      now: () => this.clock.now(),
      requireSealing: !this.useSsl,
      targetSpn: `HTTP/${this.options.serverName ?? this.options.host}`,
    });
    const leg1 = await this.exchange(Buffer.alloc(0), { Authorization: `Negotiate ${client.negotiateMessage.toString('base64')}` }, `${operation} (authentication)`, signal);
    const challenge = negotiateToken(leg1.rawHeaders);
    if (leg1.status === 503 || leg1.status === 404) {
      this.reset();
      throw serviceUnavailableError(this.options.host, `${operation} (authentication)`, leg1.status);
    }
    if (leg1.status !== 401 || !challenge) {
      this.reset();
      throw leg1.status === 401
        ? authRefusedError(this.options.host, this.options.username, 'the node does not offer Negotiate (NTLM) authentication')
        : protocolError(this.options.host, `HTTP ${leg1.status} to an NTLM NEGOTIATE`);
    }
    const socket = leg1.socket;
    let cbt: Buffer | undefined;
    if (this.useSsl) {
      const cert = (socket as TLSSocket).getPeerCertificate?.();
      try {
        if (cert?.raw) cbt = channelBindingsHash(Buffer.from(cert.raw));
      } catch (error) {
        this.reset();
        throw protocolError(this.options.host, `cannot read the TLS certificate for channel bindings: ${(error as Error).message}`, error);
      }
    }
    const { user, domain } = splitUsername(this.options.username);
    let result;
    try {
      // The password lives only for this call.
      result = client.authenticate(challenge, { user, domain, password: await this.options.password() }, cbt);
    } catch (error) {
      this.reset();
      if (error instanceof NtlmNegotiationError) {
        throw new AppError(WinRmErrorCode.authRefused, ExitCode.connection, `NTLM negotiation with ${this.options.host} failed: ${error.message}`, { cause: error });
      }
      throw protocolError(this.options.host, `bad NTLM CHALLENGE: ${(error as Error).message}`, error);
    }
    const leg3 = await this.exchange(Buffer.alloc(0), { Authorization: `Negotiate ${result.token.toString('base64')}` }, `${operation} (authentication)`, signal, socket);
    if (leg3.status === 401) {
      this.reset();
      throw authRefusedError(this.options.host, this.options.username, 'the user name or password is wrong, or the account may not use WinRM');
    }
    if (leg3.status < 200 || leg3.status >= 300) {
      this.reset();
      throw protocolError(this.options.host, `HTTP ${leg3.status} to the NTLM AUTHENTICATE`);
    }
    this.socket = socket;
    this.session = result.session;
    this.authenticated = true;
    // A context is bound to its socket: once that closes, the next post must authenticate again.
    socket.once('close', () => {
      if (this.socket === socket) {
        this.socket = undefined;
        this.session = undefined;
        this.authenticated = false;
      }
    });
  }

  /**
   * Kerberos over HTTPS: the context's tokens ride in `Authorization` on empty POSTs until the node answers
   * 2xx, whose `WWW-Authenticate` token (mutual authentication) must then complete the context. SPNEGO in
   * `Negotiate` first; a raw Kerberos token in the `Kerberos` scheme only when the node offers that and not
   * Negotiate. TLS protects the bodies, so nothing is wrapped and the password is never read.
   */
  private async kerberosHandshake(operation: string, signal?: AbortSignal): Promise<void> {
    this.reset();
    this.stats.handshakes++;
    const host = this.options.host;
    const leg = `${operation} (authentication)`;
    const empty = Buffer.alloc(0);
    const start = async (scheme: KerberosScheme): Promise<{ context: KerberosContext; token: Buffer }> => {
      // The SPN names the node, also when it is reached by address (--node-address NAME=IP).
      const context = await KerberosContext.create({ host: this.options.serverName ?? host, username: this.options.username, scheme }, this.options.loadKerberos);
      const token = await context.step();
      signal?.throwIfAborted();
      if (!token) throw protocolError(host, 'the Kerberos library produced no initial token');
      return { context, token };
    };
    try {
      let { context, token } = await start('Negotiate');
      let reply = await this.exchange(empty, { Authorization: `${context.scheme} ${token.toString('base64')}` }, leg, signal);
      if (reply.status === 401 && !authChallenge(reply.rawHeaders, 'Negotiate').offered && authChallenge(reply.rawHeaders, 'Kerberos').offered) {
        ({ context, token } = await start('Kerberos'));
        reply = await this.exchange(empty, { Authorization: `${context.scheme} ${token.toString('base64')}` }, leg, signal);
      }
      // Later legs of one context must stay on the connection the node keeps its half of the context for.
      const socket = reply.socket;
      for (let legs = 1; reply.status === 401; legs++) {
        const challenge = authChallenge(reply.rawHeaders, context.scheme).token;
        if (!challenge || legs >= MAX_KERBEROS_LEGS) {
          // A node that enforces channel binding (Extended Protection, CbtHardeningLevel Strict) answers a
          // Kerberos token without bindings exactly so: a 401 with no token. Say so, and what works instead.
          throw authRefusedError(host, context.principalLabel, `the node refused the Kerberos ticket for ${context.service}`, {
            hint: `${KERBEROS_CHANNEL_BINDING_HINT} Otherwise: ${KERBEROS_REFUSED_HINT}`,
            details: { node: host, service: context.service, channelBindingsSent: false },
          });
        }
        const next = await context.step(challenge);
        signal?.throwIfAborted();
        if (!next) throw protocolError(host, 'HTTP 401 with a Kerberos token that needs no answer');
        reply = await this.exchange(empty, { Authorization: `${context.scheme} ${next.toString('base64')}` }, leg, signal, socket);
      }
      if (reply.status < 200 || reply.status >= 300) throw protocolError(host, `HTTP ${reply.status} to a Kerberos token`);
      const final = authChallenge(reply.rawHeaders, context.scheme).token;
      if (final && !context.complete) await context.step(final);
      if (!context.complete) {
        throw new AppError(WinRmErrorCode.authRefused, ExitCode.connection, `${host} accepted the Kerberos ticket but did not prove its own identity (no final mutual-authentication token); cauctl stops here.`, {
          hint: 'Something between cauctl and WinRM (a proxy or load balancer) may be answering for the node; connect to the node directly.',
          details: { node: host, service: context.service },
        });
      }
      this.socket = socket;
      this.kerberosPrincipal = context.principalLabel;
      this.authenticated = true;
      // As with NTLM, the node binds the authentication to this connection: once it closes, authenticate again.
      socket.once('close', () => {
        if (this.socket === socket) {
          this.socket = undefined;
          this.authenticated = false;
          this.kerberosPrincipal = undefined;
        }
      });
    } catch (error) {
      this.reset();
      throw error;
    }
  }

  private async ensureAgent(): Promise<http.Agent> {
    if (this.agent) return this.agent;
    const common = { keepAlive: true, maxSockets: 1, maxFreeSockets: 1, scheduling: 'lifo' as const };
    if (!this.useSsl) {
      this.agent = new http.Agent(common);
    } else {
      const ca = this.options.caFile ? await readFile(this.options.caFile) : undefined;
      this.agent = new https.Agent({ ...common, ...(ca ? { ca } : {}), rejectUnauthorized: !this.options.insecureSkipTlsVerify });
    }
    return this.agent;
  }

  private readonly markSent = (): void => {
    this.bodyMayHaveArrived = true;
  };

  /**
   * One HTTP round trip with connect and read timeouts; `mustUse` pins it to the authenticated socket;
   * `onConnected` runs once the request has a connected socket to be written to.
   */
  private async exchange(
    body: Buffer,
    headers: http.OutgoingHttpHeaders,
    operation: string,
    signal: AbortSignal | undefined,
    mustUse?: Socket,
    onConnected?: () => void,
  ): Promise<RawReply> {
    const agent = await this.ensureAgent();
    const url = new URL(this.endpoint);
    const connectTimeoutMs = this.options.connectTimeoutMs ?? 10_000;
    const requestTimeoutMs = this.options.requestTimeoutMs ?? 30_000;
    const maxBodyBytes = maxReplyBytes(this.options.maxEnvelopeSize ?? 153_600);
    this.stats.requests++;
    const timers = new AbortController();
    const lib = this.useSsl ? https : http;
    try {
      return await new Promise<RawReply>((resolve, reject) => {
        const req = lib.request({
          agent,
          ...this.tlsIdentity(),
          method: 'POST',
          hostname: url.hostname.replace(/^\[|\]$/g, ''),
          port: url.port,
          path: url.pathname,
          headers: { ...headers, 'Content-Length': body.length, 'Accept-Encoding': 'identity' },
        });
        const fail = (error: unknown): void => {
          req.destroy();
          reject(error);
        };
        const onAbort = (): void => fail(signal!.reason instanceof Error ? signal!.reason : new Error('aborted'));
        if (signal) {
          if (signal.aborted) return onAbort();
          signal.addEventListener('abort', onAbort, { once: true });
          timers.signal.addEventListener('abort', () => signal.removeEventListener('abort', onAbort), { once: true });
        }
        this.clock.sleep(requestTimeoutMs, timers.signal).then(
          () => fail(new RequestTimeoutError(this.options.host, operation, requestTimeoutMs)),
          () => undefined,
        );
        let used: Socket | undefined;
        req.on('socket', (socket: Socket) => {
          used = socket;
          if (mustUse && socket !== mustUse) {
            fail(Object.assign(new Error('the authenticated connection was closed'), { code: CONTEXT_LOST }));
            return;
          }
          // A kept-alive socket that the node has already closed takes nothing in: the request never arrives.
          if (!socket.connecting) {
            if (!socket.destroyed && !socket.readableEnded) onConnected?.();
          } else {
            const connected = new AbortController();
            timers.signal.addEventListener('abort', () => connected.abort(), { once: true });
            socket.once(this.useSsl ? 'secureConnect' : 'connect', () => {
              connected.abort();
              onConnected?.();
            });
            this.clock.sleep(connectTimeoutMs, connected.signal).then(
              () => fail(new ConnectTimeoutError(this.options.host, connectTimeoutMs)),
              () => undefined,
            );
          }
        });
        req.on('error', (error) => reject(this.mapNetworkError(error)));
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > maxBodyBytes) {
              fail(replyTooLargeError(this.options.host, operation, maxBodyBytes));
              return;
            }
            chunks.push(c);
          });
          res.on('error', (error) => reject(this.mapNetworkError(error)));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks), socket: used ?? res.socket }),
          );
        });
        req.end(body);
      });
    } catch (error) {
      // Any failure mid-exchange (timeout, abort, socket error) leaves the sealing state unknown: start over.
      this.reset();
      throw error;
    } finally {
      timers.abort();
    }
  }

  /**
   * Over HTTPS, the certificate is checked against the node's name, also when it is reached by address
   * (`--node-address NAME=IP`): SNI carries the name, and the identity check compares with it, not the IP.
   */
  private tlsIdentity(): { servername?: string; checkServerIdentity?: (host: string, cert: PeerCertificate) => Error | undefined } {
    if (!this.useSsl) return {};
    const name = this.options.serverName ?? this.options.host;
    return {
      ...(isIP(name) === 0 ? { servername: name } : {}),
      checkServerIdentity: (_host, cert) => checkServerIdentity(name, cert),
    };
  }

  private mapNetworkError(error: unknown): unknown {
    if (error instanceof AppError) return error;
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
      const name = this.options.serverName ?? this.options.host;
      return new AppError(WinRmErrorCode.tls, ExitCode.connection, `The TLS certificate at ${this.endpoint} does not name ${name} (${code})`, {
        hint: `The WinRM HTTPS certificate must carry ${name} in its subject alternative names; with --node-address NAME=IP, NAME is the name checked.`,
        cause: error,
        details: { node: name, endpoint: this.endpoint },
      });
    }
    if (typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL/.test(code)) {
      return new AppError(WinRmErrorCode.tls, ExitCode.connection, `The TLS certificate of ${this.options.host} was not accepted (${code})`, {
        hint: 'Pass --ca-file with the CA that issued the WinRM HTTPS certificate (or, in a lab only, --insecure-skip-tls-verify).',
        cause: error,
      });
    }
    if (isNetworkError(error)) return unreachableError(this.options.host, this.endpoint, error);
    return error;
  }
}

/** Room for the multipart/encrypted framing around a sealed body (boundaries, headers, signature). */
const FRAMING_BYTES = 4096;

/** The largest reply body accepted: twice the negotiated MaxEnvelopeSize plus framing. */
export function maxReplyBytes(maxEnvelopeSize: number): number {
  return 2 * maxEnvelopeSize + FRAMING_BYTES;
}

function replyTooLargeError(node: string, operation: string, limit: number): AppError {
  return new AppError(WinRmErrorCode.replyTooLarge, ExitCode.connection, `The reply of ${node} to ${operation} is larger than ${limit} bytes (twice MaxEnvelopeSize plus framing); cauctl stopped reading it`, {
    hint: 'Something other than WinRM may answer on this port, or the node ignores MaxEnvelopeSize; check the endpoint (--node-address, --port).',
    details: { node, operation, limitBytes: limit },
  });
}

/** The token of a `WWW-Authenticate: Negotiate <token>` header; Node joins repeated headers, so read raw ones. */
export function negotiateToken(rawHeaders: readonly string[]): Buffer | undefined {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() !== 'www-authenticate') continue;
    for (const part of rawHeaders[i + 1]!.split(',')) {
      const m = /^\s*Negotiate\s+([A-Za-z0-9+/=]+)\s*$/i.exec(part);
      if (m) return Buffer.from(m[1]!, 'base64');
    }
  }
  return undefined;
}

/**
 * Whether a `WWW-Authenticate` header offers `scheme` (case-insensitively), and the token that came with it.
 * Node joins repeated headers, so read raw ones.
 */
export function authChallenge(rawHeaders: readonly string[], scheme: string): { offered: boolean; token?: Buffer } {
  let offered = false;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() !== 'www-authenticate') continue;
    for (const part of rawHeaders[i + 1]!.split(',')) {
      const m = /^\s*([^\s=]+)(?:\s+(.*?))?\s*$/.exec(part);
      if (!m || m[1]!.toLowerCase() !== scheme.toLowerCase()) continue;
      offered = true;
      if (m[2] && /^[A-Za-z0-9+/]+={0,2}$/.test(m[2])) return { offered, token: Buffer.from(m[2], 'base64') };
    }
  }
  return { offered };
}

/** Handshake legs one Kerberos context may take; SPNEGO with Kerberos needs one, a retried mechanism two. */
const MAX_KERBEROS_LEGS = 4;

const KERBEROS_REFUSED_HINT =
  'Check the ticket (klist; kinit user@REALM), that the node is named by the DNS name its SPN HTTP/<fqdn> uses, that the account is an administrator of the node, and that WinRM allows Kerberos (winrm get winrm/config/service/auth).';

/** cauctl's Kerberos sends no channel bindings (the `kerberos` addon takes none); NTLM over HTTPS does. */
const KERBEROS_CHANNEL_BINDING_HINT =
  'If WinRM on the node enforces channel binding (winrm get winrm/config/service: CbtHardeningLevel Strict), this refusal is why: cauctl sends no channel bindings with Kerberos. Use NTLM over HTTPS instead (--authentication Negotiate --use-ssl with a DOMAIN\\user), which sends them.'
