// A small in-process WS-Man server for tests: plays the server side of NTLM with our NtlmAcceptor (or Basic),
// seals replies, and runs a scripted fake process per WinRS command that answers each stdin line (as the
// persistent bootstrap does) and exits at end of input. Test support only; not an independent
// peer (the gss-ntlmssp based server in test/wsman-server/ is). Depends on node:http(s) and the WinRM layers.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { NtlmAcceptor } from '../ntlm/acceptor.js';
import { channelBindingsHash } from '../ntlm/channel-bindings.js';
import type { NtlmSession } from '../ntlm/session.js';
import { READY_MARKER, RESULT_MARKER, bootstrapStdinLine } from '../../bootstrap.js';
import { decodeEncryptedBody, encodeEncryptedBody, encryptedContentType, isEncryptedContentType } from '../multipart.js';
import { Action, Ns, parseRequest, sendPayload, type WsmanRequest } from '../soap.js';

export interface FakeProcessResult {
  stdout: Buffer | string;
  stderr?: Buffer | string;
  exitCode: number;
  /** The process exits after this output (the command is Done) instead of reading the next line. */
  exits?: boolean;
}

export interface FakeWsmanServerOptions {
  /** `user` or `DOMAIN\user` → password. */
  readonly users: Readonly<Record<string, string>>;
  /** @default 'ntlm' */
  readonly auth?: 'ntlm' | 'basic';
  /** Serve HTTPS with this key and certificate (PEM); NTLM then requires channel bindings. */
  readonly tls?: { key: string | Buffer; cert: string | Buffer };
  /** The fake process behind a WinRS command: called with each stdin line (without its line break). */
  readonly run: (command: string, args: string[], line: Buffer) => FakeProcessResult;
  /** Answer this many Receives with w:TimedOut before the output of each line. @default 0 */
  readonly timeoutsPerLine?: number;
  /** Return a line's stdout over two Receives, as Windows may. @default true */
  readonly splitOutput?: boolean;
  /** The working set each result reports, in MB. @default 100 */
  readonly memoryMB?: number;
}

export interface LoggedRequest {
  readonly action: string;
  readonly encrypted: boolean;
  readonly socketId: number;
}

export interface FakeWsmanServer {
  readonly port: number;
  readonly log: LoggedRequest[];
  readonly shells: Map<string, Map<string, FakeCommand>>;
  /** Forgets every shell, as a reboot or a WinRM restart does. */
  forgetShells(): void;
  /** Destroys every open client socket. */
  dropConnections(): void;
  /** Forgets every NTLM context without closing sockets: the next sealed request gets HTTP 401. */
  revokeSessions(): void;
  /** Requests received, answered or not. */
  received(): number;
  /** Stops answering requests (of one action only, when given) until released. */
  hang(on: boolean, action?: string): void;
  /** Lines the fake processes have run, across all commands. */
  linesRun(): number;
  close(): Promise<void>;
}

interface FakeCommand {
  command: string;
  args: string[];
  /** Stdin received after the last complete line. */
  partial: Buffer;
  /** Lines run so far. */
  lines: number;
  timeoutsLeft: number;
  /** Output not yet received, in Receive-sized batches. */
  pending: Array<Array<{ stream: string; data: Buffer }>>;
  exited: boolean;
  exitCode: number;
  /** The stub has read the bootstrap line. */
  started?: boolean;
}

interface SocketState {
  id: number;
  acceptor?: NtlmAcceptor;
  session?: NtlmSession;
}

const env = (header: string, body: string): string =>
  `<s:Envelope xml:lang="en-US" xmlns:s="${Ns.s}" xmlns:a="${Ns.a}" xmlns:x="${Ns.x}" xmlns:w="${Ns.w}" xmlns:rsp="${Ns.rsp}">` +
  `<s:Header>${header}</s:Header><s:Body>${body}</s:Body></s:Envelope>`;

function fault(relatesTo: string, code: number, subcode: string, text: string): string {
  return env(
    `<a:Action>http://schemas.dmtf.org/wbem/wsman/1/wsman/fault</a:Action><a:RelatesTo>${relatesTo}</a:RelatesTo>`,
    `<s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>w:${subcode}</s:Value></s:Subcode></s:Code>` +
      `<s:Reason><s:Text xml:lang="en-US">${text} </s:Text></s:Reason><s:Detail>` +
      `<f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="${code}" Machine="fake">` +
      `<f:Message>${text} </f:Message></f:WSManFault></s:Detail></s:Fault>`,
  );
}

export async function startFakeWsmanServer(options: FakeWsmanServerOptions): Promise<FakeWsmanServer> {
  const log: LoggedRequest[] = [];
  const bootstrapText = bootstrapStdinLine().toString('ascii').trimEnd();
  const shells = new Map<string, Map<string, FakeCommand>>();
  const sockets = new Map<Socket, SocketState>();
  let nextSocketId = 0;
  let hanging: boolean | string = false;
  let linesRun = 0;
  let receivedCount = 0;
  const auth = options.auth ?? 'ntlm';
  const lookupPassword = (user: string, domain: string): string | undefined =>
    options.users[domain === '' ? user : `${domain}\\${user}`];

  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      receivedCount++;
      if (hanging === true) return;
      const state = sockets.get(req.socket)!;
      const body = Buffer.concat(chunks);
      const authz = req.headers.authorization ?? '';
      const challengeAgain = (): void => {
        res.writeHead(401, { 'WWW-Authenticate': auth === 'ntlm' ? 'Negotiate' : 'Basic realm="WSMAN"', 'Content-Length': 0 });
        res.end();
      };

      if (auth === 'basic') {
        const m = /^Basic (.+)$/.exec(authz);
        const [user, ...rest] = m ? Buffer.from(m[1]!, 'base64').toString('utf8').split(':') : [];
        if (!user || options.users[user] !== rest.join(':')) return challengeAgain();
        return respond(state, req, res, body, false);
      }

      const m = /^Negotiate (.+)$/.exec(authz);
      if (m) {
        const token = Buffer.from(m[1]!, 'base64');
        const type = token.length >= 12 ? token.readUInt32LE(8) : 0;
        if (type === 1) {
          state.acceptor = new NtlmAcceptor({
            lookupPassword,
            ...(options.tls ? { expectedChannelBindingsHash: channelBindingsHash(pemToDer(options.tls.cert)) } : {}),
          });
          state.session = undefined;
          const challenge = state.acceptor.challenge(token);
          res.writeHead(401, { 'WWW-Authenticate': `Negotiate ${challenge.toString('base64')}`, 'Content-Length': 0 });
          return res.end();
        }
        try {
          if (!state.acceptor) throw new Error('no context');
          state.session = state.acceptor.accept(token).session;
        } catch {
          state.acceptor = undefined;
          return challengeAgain();
        }
        if (body.length === 0) {
          res.writeHead(200, { 'Content-Length': 0 });
          return res.end();
        }
      }
      if (!state.session) return challengeAgain();
      const encrypted = isEncryptedContentType(req.headers['content-type']);
      if (!options.tls && !encrypted) {
        // AllowUnencrypted=false: a plaintext body on HTTP is refused.
        res.writeHead(401, { 'WWW-Authenticate': 'Negotiate', 'Content-Length': 0 });
        return res.end();
      }
      return respond(state, req, res, encrypted ? decodeEncryptedBody(body, state.session) : body, encrypted);
    });
  };

  function respond(state: SocketState, _req: http.IncomingMessage, res: http.ServerResponse, plain: Buffer, encrypted: boolean): void {
    const request = parseRequest(plain.toString('utf8'));
    if (typeof hanging === 'string' && (request.action ?? '').endsWith(`/${hanging}`)) return;
    log.push({ action: (request.action ?? '').split('/').pop()!, encrypted, socketId: state.id });
    const [status, xml] = dispatch(request);
    const out = Buffer.from(xml, 'utf8');
    if (encrypted && state.session) {
      const sealed = encodeEncryptedBody(out, state.session);
      res.writeHead(status, { 'Content-Type': encryptedContentType(), 'Content-Length': sealed.length });
      res.end(sealed);
    } else {
      res.writeHead(status, { 'Content-Type': 'application/soap+xml;charset=UTF-8', 'Content-Length': out.length });
      res.end(out);
    }
  }

  function dispatch(r: WsmanRequest): [number, string] {
    const rel = r.messageId ?? '';
    const head = (action: string): string =>
      `<a:Action>${action}Response</a:Action><a:MessageID>uuid:${randomUUID()}</a:MessageID><a:RelatesTo>${rel}</a:RelatesTo>`;
    if (r.action === Action.create) {
      const id = randomUUID().toUpperCase();
      shells.set(id, new Map());
      return [200, env(head(Action.create), `<x:ResourceCreated><w:ReferenceParameters><w:SelectorSet><w:Selector Name="ShellId">${id}</w:Selector></w:SelectorSet></w:ReferenceParameters></x:ResourceCreated>`)];
    }
    const shell = shells.get(r.selectors['ShellId'] ?? '');
    if (!shell) return [500, fault(rel, 2150858843, 'InvalidSelectors', 'The request for the Windows Remote Shell with ShellId failed because the shell was not found on the server.')];
    const body = JSON.stringify(r.body);
    const commandIdOf = (): string => /"@_CommandId":"([^"]+)"/.exec(body)?.[1] ?? '';
    switch (r.action) {
      case Action.delete:
        shells.delete(r.selectors['ShellId']!);
        return [200, env(head(Action.delete), '')];
      case Action.command: {
        const id = randomUUID().toUpperCase();
        const line = r.body['CommandLine'] as { Command?: unknown; Arguments?: unknown[] } | undefined;
        const command = String(line?.Command ?? '');
        const args = (line?.Arguments ?? []).map((a) => (typeof a === 'object' && a !== null ? String((a as Record<string, unknown>)['#text'] ?? '') : String(a)));
        shell.set(id, { command, args, partial: Buffer.alloc(0), lines: 0, timeoutsLeft: 0, pending: [], exited: false, exitCode: 0 });
        return [200, env(head(Action.command), `<rsp:CommandResponse><rsp:CommandId>${id}</rsp:CommandId></rsp:CommandResponse>`)];
      }
      case Action.send: {
        const p = sendPayload(r);
        const cmd = shell.get(p.commandId ?? '');
        if (!cmd || cmd.exited) return [500, fault(rel, 87, 'InvalidParameter', 'The parameter is incorrect.')];
        feed(cmd, p.data, p.end);
        return [200, env(head(Action.send), '<rsp:SendResponse/>')];
      }
      case Action.receive: {
        const commandId = commandIdOf();
        const cmd = shell.get(commandId);
        if (!cmd) return [500, fault(rel, 2150858843, 'InvalidSelectors', 'The Windows Remote Shell received a request to perform an operation on a command identifier that does not exist.')];
        if (cmd.timeoutsLeft > 0 || (cmd.pending.length === 0 && !cmd.exited)) {
          cmd.timeoutsLeft = Math.max(0, cmd.timeoutsLeft - 1);
          return [500, fault(rel, 2150858793, 'TimedOut', 'The WS-Management service cannot complete the operation within the time specified in OperationTimeout.')];
        }
        const batch = cmd.pending.shift() ?? [];
        const done = cmd.exited && cmd.pending.length === 0;
        const streams = batch.map((b) => stream(b.stream, commandId, b.data, done)).join('');
        const state = done
          ? `<rsp:CommandState CommandId="${commandId}" State="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done"><rsp:ExitCode>${cmd.exitCode}</rsp:ExitCode></rsp:CommandState>`
          : `<rsp:CommandState CommandId="${commandId}" State="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Running"/>`;
        return [200, env(head(Action.receive), `<rsp:ReceiveResponse>${streams}${state}</rsp:ReceiveResponse>`)];
      }
      case Action.signal: {
        shell.delete(commandIdOf());
        return [200, env(head(Action.signal), '<rsp:SignalResponse/>')];
      }
      default:
        return [500, fault(rel, 2150858771, 'ActionNotSupported', 'The action is not supported by the service.')];
    }
  }

  /** The fake process reads stdin: each complete line is run at once; end of input runs the rest and exits. */
  function feed(cmd: FakeCommand, data: Buffer, end: boolean): void {
    let buffered = Buffer.concat([cmd.partial, data]);
    for (let nl = buffered.indexOf(0x0a); nl >= 0 && !cmd.exited; nl = buffered.indexOf(0x0a)) {
      runLine(cmd, buffered.subarray(0, nl).toString('utf8').replace(/\r$/, ''));
      buffered = buffered.subarray(nl + 1);
    }
    cmd.partial = buffered;
    if (end && !cmd.exited) {
      if (buffered.length > 0) runLine(cmd, buffered.toString('utf8'));
      cmd.partial = Buffer.alloc(0);
      cmd.exited = true;
    }
  }

  function runLine(cmd: FakeCommand, line: string): void {
    if (line.trim() === '') return;
    if (cmd.lines === 0 && !cmd.started && line === bootstrapText) {
      // The stub read the bootstrap from the first line: it says READY, as the real one does.
      cmd.started = true;
      cmd.pending.push([{ stream: 'stdout', data: Buffer.from(`${READY_MARKER}\r\n`) }]);
      return;
    }
    const result = options.run(cmd.command, cmd.args, Buffer.from(line, 'utf8'));
    // The real bootstrap copies the payload's sequence number into each result's meta.
    const seq = /^\{"seq":(\d+),/.exec(line)?.[1];
    if (seq !== undefined) {
      const meta = `"meta":{"seq":${seq},"memoryMB":${options.memoryMB ?? 100},"warnings":[]},`;
      result.stdout = result.stdout.toString().replace(/<<<CAUCTL-RESULT>>>\{(?!"meta")/g, `${RESULT_MARKER}{${meta}`);
    }
    cmd.lines++;
    linesRun++;
    cmd.timeoutsLeft += options.timeoutsPerLine ?? 0;
    const stdout = Buffer.from(result.stdout);
    const stderr = { stream: 'stderr', data: Buffer.from(result.stderr ?? '') };
    if (options.splitOutput === false) {
      cmd.pending.push([{ stream: 'stdout', data: stdout }, stderr]);
    } else {
      const half = Math.floor(stdout.length / 2);
      cmd.pending.push([{ stream: 'stdout', data: stdout.subarray(0, half) }], [{ stream: 'stdout', data: stdout.subarray(half) }, stderr]);
    }
    cmd.exitCode = result.exitCode;
    if (result.exits) cmd.exited = true;
  }

  const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler) : http.createServer(handler);
  server.keepAliveTimeout = 60_000;
  server.on(options.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    sockets.set(socket, { id: nextSocketId++ });
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    log,
    shells,
    forgetShells: () => shells.clear(),
    revokeSessions: () => {
      for (const st of sockets.values()) st.session = undefined;
    },
    received: () => receivedCount,
    dropConnections: () => {
      for (const s of sockets.keys()) s.destroy();
    },
    hang: (on, action) => {
      hanging = on ? action ?? true : false;
    },
    linesRun: () => linesRun,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets.keys()) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function stream(name: string, commandId: string, data: Buffer, end = false): string {
  return `<rsp:Stream Name="${name}" CommandId="${commandId}"${end ? ' End="true"' : ''}>${data.toString('base64')}</rsp:Stream>`;
}

function pemToDer(pem: string | Buffer): Buffer {
  const text = pem.toString();
  const b64 = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(text)?.[1] ?? '';
  return Buffer.from(b64.replace(/\s+/g, ''), 'base64');
}
