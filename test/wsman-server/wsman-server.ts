// A WS-Man (WinRS cmd shell) test server in front of the simulator: one loopback listener per simulated node
// plus one for the cluster name. Basic auth, and NTLM with MS-WSMV message encryption whose acceptor is
// gss-ntlmssp (ntlm-sidecar.py). Runs the fixed bootstrap by dispatching the stdin payload to the simulator,
// after checking that the script is byte for byte a catalogue script. Models TimedOut, shell-not-found after a
// reboot and connection resets while a node is away. Records every decrypted request. Test support only:
// depends on node:http, the simulator, the bootstrap helpers and the WinRM framing/SOAP parsers.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../src/errors.js';
import { openSimulator, type Simulator } from '../../src/sim/index.js';
import { ClusterModel } from '../../src/sim/cluster-model.js';
import type { SimNodeState } from '../../src/sim/model-state.js';
import { END_MARKER, RESULT_MARKER, minifiedBootstrap } from '../../src/transport/bootstrap.js';
import { TransportErrorCode, type ScriptOutcome } from '../../src/transport/transport.js';
import { encodeEncryptedBody, encryptedContentType, isEncryptedContentType, parseEncryptedParts } from '../../src/transport/winrm/multipart.js';
import { Action, Ns, parseRequest, sendPayload, type WsmanRequest } from '../../src/transport/winrm/soap.js';
import { NtlmSidecar } from './ntlm-sidecar.js';

export type ServerAuth = 'basic' | 'ntlm';

export interface WsmanTestServerOptions {
  /** The server's own state directory: the server owns the simulated model. */
  readonly stateDir: string;
  /** @default the built-in 4-node model */
  readonly fixturePath?: string;
  /** Virtual seconds per real second of the server's simulator, or 'max'. @default 'max' */
  readonly speed?: number | 'max';
  /** `user` or `DOMAIN\user` → password, for Basic and for the NTLM acceptor. */
  readonly users: Readonly<Record<string, string>>;
  /** Schemes offered. @default ['basic', 'ntlm'] */
  readonly auth?: readonly ServerAuth[];
  /**
   * The longest a Receive is held while its command runs before w:TimedOut (Windows holds it for the
   * request's OperationTimeout; tests want it shorter). @default 1000
   */
  readonly receiveHoldMs?: number;
  /** Where the catalogue scripts are. @default src/cluster/scripts of this checkout */
  readonly scriptsDir?: string;
  readonly python?: string;
}

/** One request as the server understood it, after decryption. */
export interface RequestRecord {
  readonly endpoint: string;
  readonly socketId: number;
  readonly auth: ServerAuth;
  readonly encrypted: boolean;
  /** Local name of the action: Create, Command, Send, Receive, Signal, Delete. */
  readonly action: string;
  readonly shellId: string | undefined;
  readonly xml: string;
}

/** One operation the server ran on the simulator (or refused). */
export interface InvocationRecord {
  readonly endpoint: string;
  /** `bootstrap`: the payload came over stdin; `encoded-script`: a script on the command line (pywinrm run_ps). */
  readonly via: 'bootstrap' | 'encoded-script';
  /** The catalogue name the script text matched, or undefined when it matched none. */
  readonly name: string | undefined;
  readonly script: string;
  readonly params: Record<string, unknown>;
  outcome: string | undefined;
}

export interface EndpointStats {
  /** HTTP requests received, handshake legs included. */
  requests: number;
  /** Completed NTLM security contexts. */
  handshakes: number;
  shellsCreated: number;
  /** Faults 2150858843 answered. */
  shellsNotFound: number;
  /** w:TimedOut faults answered. */
  timedOut: number;
  /** Connections reset because the node was away or had rebooted since the connection was made. */
  resets: number;
  /** Requests per action (Create, Command, Send, Receive, Signal, Delete). */
  actions: Record<string, number>;
}

export interface WsmanTestServer {
  /** Endpoint name (each node, and the cluster name) → loopback port. */
  readonly ports: Readonly<Record<string, number>>;
  readonly clusterName: string;
  readonly sim: Simulator;
  readonly requests: RequestRecord[];
  readonly invocations: InvocationRecord[];
  /** Problems the server saw in what clients sent (a script not from the catalogue, bad framing...). */
  readonly violations: string[];
  stats(endpoint: string): EndpointStats;
  /** `--node-address NAME=127.0.0.1:PORT` pairs for cauctl, the cluster name included. */
  nodeAddressArgs(): string[];
  close(): Promise<void>;
}

const SCRIPTS_DIR = fileURLToPath(new URL('../../src/cluster/scripts/', import.meta.url));
/** Virtual time a refused connection costs the client (at 'max' this is what lets a rebooting node come back). */
const REFUSED_VIRTUAL_MS = 2000;
const CMD_LINE_LIMIT = 8191;
const SHELL_NS = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell';
const STATE_DONE = `${SHELL_NS}/CommandState/Done`;

interface CommandOutput {
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  readonly exitCode: number;
}

type CommandResult = CommandOutput | { readonly unreachable: true };

interface ServerCommand {
  readonly id: string;
  readonly kind: 'bootstrap' | 'immediate';
  readonly stdin: Buffer[];
  readonly abort: AbortController;
  result: Promise<CommandResult> | undefined;
  settled: CommandResult | undefined;
}

interface ServerShell {
  readonly id: string;
  /** The node that served the Create (for the cluster name, its owner then) and its boot time then. */
  readonly node: string;
  readonly bootMs: number;
  readonly commands: Map<string, ServerCommand>;
}

interface SocketState {
  readonly id: number;
  /** The node this connection reached, and its boot time then: a reboot kills the connection. */
  bound: { node: string; bootMs: number } | undefined;
  ntlmContext: string | undefined;
  /** The context finished its handshake: requests without an Authorization header ride on it. */
  ntlmReady: boolean;
  generation: number;
}

interface Endpoint {
  readonly name: string;
  readonly isCluster: boolean;
  readonly server: http.Server;
  readonly sockets: Map<Socket, SocketState>;
  readonly shells: Map<string, ServerShell>;
  readonly stats: EndpointStats;
  port: number;
}

type Reply = { status: number; xml: string } | 'reset';

function loadCatalogue(dir: string): Map<string, string> {
  const byText = new Map<string, string>();
  for (const file of readdirSync(dir)) {
    if (file.endsWith('.ps1')) byText.set(readFileSync(join(dir, file), 'utf8'), file.slice(0, -'.ps1'.length));
  }
  return byText;
}

/** The bootstrap's JSON: ASCII only, `<` and `>` escaped (bootstrap.ps1 does the same). */
function bootstrapLine(outcome: ScriptOutcome): string {
  // eslint-disable-next-line no-control-regex -- the same character class as bootstrap.ps1
  const json = JSON.stringify(outcome).replace(/[^\x00-\x3B\x3D\x3F-\x7F]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `${RESULT_MARKER}${json}${END_MARKER}\r\n`;
}

/** PowerShell's stderr for an error record, as CLIXML. */
function clixmlError(message: string): Buffer {
  const escaped = message.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!).replace(/\r?\n/g, '_x000D__x000A_');
  return Buffer.from(`#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><S S="Error">${escaped}_x000D__x000A_</S></Objs>`, 'utf8');
}

function seconds(duration: string | undefined): number | undefined {
  const m = /^PT(\d+(?:\.\d+)?)S$/i.exec(duration ?? '');
  return m ? Number(m[1]) : undefined;
}

const envelope = (header: string, body: string): string =>
  `<s:Envelope xml:lang="en-US" xmlns:s="${Ns.s}" xmlns:a="${Ns.a}" xmlns:x="${Ns.x}" xmlns:w="${Ns.w}" xmlns:rsp="${Ns.rsp}" xmlns:p="${Ns.p}">` +
  `<s:Header>${header}</s:Header><s:Body>${body}</s:Body></s:Envelope>`;

function responseHeader(action: string, relatesTo: string): string {
  return `<a:Action>${action}Response</a:Action><a:MessageID>uuid:${randomUUID().toUpperCase()}</a:MessageID>` +
    `<a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To><a:RelatesTo>${relatesTo}</a:RelatesTo>`;
}

/** A WS-Man fault shaped like the recorded Windows ones (winrm.md §1.7). */
function faultXml(relatesTo: string, code: number, subcode: string, text: string, machine: string): string {
  return envelope(
    `<a:Action>http://schemas.dmtf.org/wbem/wsman/1/wsman/fault</a:Action><a:MessageID>uuid:${randomUUID().toUpperCase()}</a:MessageID><a:RelatesTo>${relatesTo}</a:RelatesTo>`,
    `<s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>w:${subcode}</s:Value></s:Subcode></s:Code>` +
      `<s:Reason><s:Text xml:lang="en-US">${text} </s:Text></s:Reason><s:Detail>` +
      `<f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="${code}" Machine="${machine}">` +
      `<f:Message>${text} </f:Message></f:WSManFault></s:Detail></s:Fault>`,
  );
}

function streamXml(name: string, commandId: string, data: Buffer): string {
  const chunk = data.length === 0 ? '' : `<rsp:Stream Name="${name}" CommandId="${commandId}">${data.toString('base64')}</rsp:Stream>`;
  return `${chunk}<rsp:Stream Name="${name}" CommandId="${commandId}" End="true"></rsp:Stream>`;
}

/** Command line → argv, the way our client and pywinrm send it (no quoting needed by either). */
function commandLine(request: WsmanRequest): string {
  const line = request.body['CommandLine'] as { Command?: unknown; Arguments?: unknown[] } | undefined;
  const text = (v: unknown): string => (typeof v === 'object' && v !== null ? String((v as Record<string, unknown>)['#text'] ?? '') : String(v ?? ''));
  return [text(line?.Command), ...(line?.Arguments ?? []).map(text)].join(' ').trim();
}

/** The model behind the simulator's transport: read-only use, to know when a node is away or rebooted. */
function modelOf(sim: Simulator): ClusterModel {
  const model = (sim.transport as unknown as { model?: unknown }).model;
  if (!(model instanceof ClusterModel)) throw new Error('the simulator transport no longer exposes its model; update the WS-Man test server');
  return model;
}

export async function startWsmanTestServer(options: WsmanTestServerOptions): Promise<WsmanTestServer> {
  const offered = options.auth ?? ['basic', 'ntlm'];
  const holdMs = options.receiveHoldMs ?? 1000;
  const catalogue = loadCatalogue(options.scriptsDir ?? SCRIPTS_DIR);
  const bootstrapText = minifiedBootstrap();
  const sim = openSimulator({
    stateDir: options.stateDir,
    speed: options.speed ?? 'max',
    reset: true,
    ...(options.fixturePath === undefined ? {} : { fixturePath: options.fixturePath }),
  });
  const model = modelOf(sim);
  const sidecar = offered.includes('ntlm') ? await NtlmSidecar.start(options.users, options.python) : undefined;
  const requests: RequestRecord[] = [];
  const invocations: InvocationRecord[] = [];
  const violations: string[] = [];
  const endpoints = new Map<string, Endpoint>();
  let nextSocketId = 0;
  let closing = false;

  const isUp = (n: SimNodeState): boolean => n.power === 'on' && n.reachable && model.now >= n.unreachableUntil;
  /** The node that answers on an endpoint now; the cluster name follows the core group's owner. */
  const target = (ep: Endpoint): SimNodeState | undefined => {
    model.advance();
    if (!ep.isCluster) {
      const n = model.node(ep.name);
      return n && isUp(n) ? n : undefined;
    }
    const nodes = model.state.nodes;
    return nodes.find((n) => n.clusterState !== 'Down' && isUp(n)) ?? nodes.find(isUp);
  };

  const challengeHeaders = (): string[] => [
    ...(offered.includes('ntlm') ? ['Negotiate'] : []),
    ...(offered.includes('basic') ? ['Basic realm="WSMAN"'] : []),
  ];

  function send401(res: http.ServerResponse, negotiateToken?: Buffer): void {
    const values = negotiateToken ? [`Negotiate ${negotiateToken.toString('base64')}`] : challengeHeaders();
    res.writeHead(401, { 'WWW-Authenticate': values, 'Content-Length': 0 });
    res.end();
  }

  async function reset(ep: Endpoint, socket: Socket, nodeAway: boolean): Promise<void> {
    ep.stats.resets++;
    // A client learns of a refused connection only after a while; at 'max' this also lets virtual time move.
    if (nodeAway) await sim.clock.sleep(REFUSED_VIRTUAL_MS).catch(() => undefined);
    socket.destroy();
  }

  /** Whether this request may be served: the node is up and is the one (and the boot) the connection reached. */
  function gate(ep: Endpoint, st: SocketState): 'ok' | 'away' | 'stale' {
    const node = target(ep);
    if (!node) return 'away';
    if (st.bound && (st.bound.node !== node.name || st.bound.bootMs !== node.lastBootMs)) return 'stale';
    st.bound ??= { node: node.name, bootMs: node.lastBootMs };
    return 'ok';
  }

  async function handle(ep: Endpoint, req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    const st = ep.sockets.get(req.socket);
    if (!st) return;
    ep.stats.requests++;
    const authz = req.headers.authorization ?? '';
    const basic = /^Basic\s+(.+)$/i.exec(authz);
    const negotiate = /^(?:Negotiate|NTLM)\s+(.+)$/i.exec(authz);

    let auth: ServerAuth;
    if (basic && offered.includes('basic')) {
      const [user, ...rest] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
      if (user === undefined || options.users[user] === undefined || options.users[user] !== rest.join(':')) return send401(res);
      auth = 'basic';
    } else if (negotiate && sidecar) {
      const g = gate(ep, st);
      if (g !== 'ok') return reset(ep, req.socket, g === 'away');
      const token = Buffer.from(negotiate[1]!, 'base64');
      if (token.length >= 12 && token.readUInt32LE(8) === 1) {
        // A NEGOTIATE starts a new context on this connection.
        if (st.ntlmContext) await sidecar.release(st.ntlmContext);
        st.ntlmContext = `${ep.name}#${st.id}#${++st.generation}`;
        st.ntlmReady = false;
      }
      const context = st.ntlmContext;
      if (!context) return send401(res);
      let accepted;
      try {
        accepted = await sidecar.accept(context, token);
      } catch {
        st.ntlmContext = undefined;
        st.ntlmReady = false;
        return send401(res);
      }
      if (!accepted.complete) return send401(res, accepted.token);
      st.ntlmReady = true;
      ep.stats.handshakes++;
      if (body.length === 0) {
        res.writeHead(200, { 'Content-Length': 0 });
        res.end();
        return;
      }
      auth = 'ntlm';
    } else if (authz === '' && st.ntlmReady) {
      auth = 'ntlm';
    } else {
      return send401(res);
    }

    const encrypted = isEncryptedContentType(req.headers['content-type']);
    let plain: Buffer;
    if (auth === 'ntlm') {
      if (!encrypted) {
        // AllowUnencrypted=false: NTLM over HTTP must seal every message.
        violations.push(`${ep.name}: an unencrypted body on an NTLM connection`);
        return send401(res);
      }
      try {
        const parts = parseEncryptedParts(body);
        const texts: Buffer[] = [];
        for (const p of parts) {
          const text = await sidecar!.unwrap(st.ntlmContext!, p.signature, p.ciphertext);
          if (text.length !== p.length) throw new Error(`decrypted ${text.length} bytes, header says ${p.length}`);
          texts.push(text);
        }
        plain = Buffer.concat(texts);
      } catch (error) {
        violations.push(`${ep.name}: cannot decrypt a request: ${(error as Error).message}`);
        res.writeHead(400, { 'Content-Length': 0 });
        res.end();
        return;
      }
    } else {
      if (encrypted) {
        res.writeHead(400, { 'Content-Length': 0 });
        res.end();
        return;
      }
      plain = body;
    }

    const xml = plain.toString('utf8');
    let request: WsmanRequest;
    try {
      request = parseRequest(xml);
    } catch (error) {
      violations.push(`${ep.name}: unparsable request: ${(error as Error).message}`);
      res.writeHead(400, { 'Content-Length': 0 });
      res.end();
      return;
    }
    const action = (request.action ?? '').split('/').pop() ?? '';
    requests.push({ endpoint: ep.name, socketId: st.id, auth, encrypted, action, shellId: request.selectors['ShellId'], xml });
    ep.stats.actions[action] = (ep.stats.actions[action] ?? 0) + 1;

    // The reply of a command that already finished was on its way before the node left (restart-node
    // gives shutdown.exe a delay for exactly this), so its Receive and Signal are still answered.
    if (!settledCommand(ep, request)) {
      const g = gate(ep, st);
      if (g !== 'ok') return reset(ep, req.socket, g === 'away');
    }
    const reply = await dispatch(ep, request);
    if (reply === 'reset') return reset(ep, req.socket, true);
    if (req.socket.destroyed) return;
    const out = Buffer.from(reply.xml, 'utf8');
    if (auth === 'ntlm') {
      const { signature, ciphertext } = await sidecar!.wrap(st.ntlmContext!, out);
      const sealed = encodeEncryptedBody(out, { seal: () => ({ signature, ciphertext }), unseal: () => Buffer.alloc(0) });
      res.writeHead(reply.status, { 'Content-Type': encryptedContentType(), 'Content-Length': sealed.length });
      res.end(sealed);
    } else {
      res.writeHead(reply.status, { 'Content-Type': 'application/soap+xml;charset=UTF-8', 'Content-Length': out.length });
      res.end(out);
    }
  }

  function commandIdOf(request: WsmanRequest): string {
    const node = (request.body['Receive'] as Record<string, unknown> | undefined)?.['DesiredStream'] ?? request.body['Signal'];
    const id = (node as Record<string, unknown> | undefined)?.['@_CommandId'];
    return typeof id === 'string' ? id : '';
  }

  function settledCommand(ep: Endpoint, request: WsmanRequest): boolean {
    if (request.action !== Action.receive && request.action !== Action.signal) return false;
    const shell = ep.shells.get(request.selectors['ShellId'] ?? '');
    return shell?.commands.get(commandIdOf(request))?.settled !== undefined;
  }

  /** Runs one invocation on the simulator and prints what the bootstrap would. */
  async function runOnSim(ep: Endpoint, record: InvocationRecord, signal: AbortSignal, format: (o: ScriptOutcome) => CommandOutput): Promise<CommandResult> {
    invocations.push(record);
    if (record.name === undefined) {
      record.outcome = 'refused: script not in the catalogue';
      violations.push(`${ep.name}: a script that is not byte for byte a catalogue script`);
      return { stdout: Buffer.alloc(0), stderr: clixmlError('The test server runs only the catalogue scripts of src/cluster/scripts.'), exitCode: 1 };
    }
    try {
      const outcome = await sim.transport.run(ep.name, { name: record.name, script: record.script, params: record.params }, { signal });
      record.outcome = outcome.ok ? 'ok' : outcome.error.code;
      return format(outcome);
    } catch (error) {
      if (error instanceof AppError && error.code === TransportErrorCode.unreachable) {
        record.outcome = 'unreachable';
        return { unreachable: true };
      }
      record.outcome = `error: ${(error as Error).message}`;
      return { stdout: Buffer.alloc(0), stderr: clixmlError((error as Error).message), exitCode: 1 };
    }
  }

  const asBootstrap = (o: ScriptOutcome): CommandOutput => ({ stdout: Buffer.from(bootstrapLine(o), 'utf8'), stderr: Buffer.alloc(0), exitCode: 0 });
  const asScript = (o: ScriptOutcome): CommandOutput =>
    o.ok
      ? { stdout: Buffer.from(`${JSON.stringify(o.data ?? null)}\r\n`, 'utf8'), stderr: Buffer.alloc(0), exitCode: 0 }
      : { stdout: Buffer.alloc(0), stderr: clixmlError(`${o.error.code}: ${o.error.message}`), exitCode: 1 };

  function startBootstrap(ep: Endpoint, cmd: ServerCommand): Promise<CommandResult> {
    const text = Buffer.concat(cmd.stdin).toString('utf8').replace(/^\uFEFF/, '');
    let payload: { script?: unknown; params?: unknown };
    try {
      payload = JSON.parse(text) as typeof payload;
    } catch {
      return Promise.resolve({ stdout: Buffer.from(bootstrapLine({ ok: false, error: { code: 'SCRIPT_ERROR', message: 'Invalid JSON primitive.', category: 'InvalidArgument' } })), stderr: Buffer.alloc(0), exitCode: 0 });
    }
    const script = typeof payload.script === 'string' ? payload.script : '';
    const params = payload.params !== null && typeof payload.params === 'object' ? (payload.params as Record<string, unknown>) : {};
    const record: InvocationRecord = { endpoint: ep.name, via: 'bootstrap', name: catalogue.get(script), script, params, outcome: undefined };
    return runOnSim(ep, record, cmd.abort.signal, asBootstrap);
  }

  /** cmd.exe and powershell.exe as far as the peers need them: `echo`, `exit /b N`, `timeout /t N`, run_ps scripts, the bootstrap. */
  function startCommand(ep: Endpoint, request: WsmanRequest, id: string): ServerCommand {
    const line = commandLine(request);
    const tokens = line.split(/\s+/);
    const exe = (tokens[0] ?? '').toLowerCase().replace(/\.exe$/, '');
    const throughCmd = request.options['WINRS_SKIP_CMD_SHELL'] !== 'TRUE';
    const cmd: ServerCommand = { id, kind: 'immediate', stdin: [], abort: new AbortController(), result: undefined, settled: undefined };
    const done = (result: CommandResult): ServerCommand => {
      cmd.result = Promise.resolve(result);
      cmd.settled = result;
      return cmd;
    };
    const text = (s: string): Buffer => Buffer.from(s, 'utf8');
    if (throughCmd && line.length > CMD_LINE_LIMIT) return done({ stdout: Buffer.alloc(0), stderr: text('The command line is too long.\r\n'), exitCode: 1 });
    if (exe === 'powershell') {
      const at = tokens.findIndex((t) => /^-(e|ec|enc|encodedcommand)$/i.test(t));
      const script = at >= 0 ? Buffer.from(tokens[at + 1] ?? '', 'base64').toString('utf16le') : '';
      if (script === bootstrapText) return { ...cmd, kind: 'bootstrap' };
      const record: InvocationRecord = { endpoint: ep.name, via: 'encoded-script', name: catalogue.get(script), script, params: {}, outcome: undefined };
      cmd.result = runOnSim(ep, record, cmd.abort.signal, asScript).then((r) => (cmd.settled = r));
      return cmd;
    }
    if (exe === 'echo') return done({ stdout: text(`${line.slice(line.indexOf(' ') + 1)}\r\n`), stderr: Buffer.alloc(0), exitCode: 0 });
    if (exe === 'exit' && tokens[1]?.toLowerCase() === '/b') return done({ stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: Number(tokens[2] ?? 0) });
    if (exe === 'timeout' && tokens[1]?.toLowerCase() === '/t') {
      // timeout.exe, on the simulator's clock: a command that keeps its Receives waiting.
      const seconds = Number(tokens[2] ?? 0);
      cmd.result = sim.clock.sleep(seconds * 1000, cmd.abort.signal).then(
        () => (cmd.settled = { stdout: text(`\r\nWaiting for ${seconds} seconds, press CTRL+C to quit ...\r\n`), stderr: Buffer.alloc(0), exitCode: 0 }),
        () => (cmd.settled = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: 1 }),
      );
      return cmd;
    }
    return done({ stdout: Buffer.alloc(0), stderr: text(`'${tokens[0]}' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n`), exitCode: 1 });
  }

  async function dispatch(ep: Endpoint, r: WsmanRequest): Promise<Reply> {
    const rel = r.messageId ?? '';
    const ok = (action: string, body: string): Reply => ({ status: 200, xml: envelope(responseHeader(action, rel), body) });
    const fault = (code: number, subcode: string, text: string): Reply => ({ status: 500, xml: faultXml(rel, code, subcode, text, ep.name) });
    const notFound = (): Reply => {
      ep.stats.shellsNotFound++;
      return fault(2150858843, 'InvalidSelectors', 'The request for the Windows Remote Shell with ShellId failed because the shell was not found on the server. Possible causes are: the specified ShellId is incorrect or the shell no longer exists on the server. Provide the correct ShellId or create a new shell and try the operation again.');
    };

    if (r.action === Action.create) {
      const node = target(ep)!;
      const id = randomUUID().toUpperCase();
      ep.shells.set(id, { id, node: node.name, bootMs: node.lastBootMs, commands: new Map() });
      ep.stats.shellsCreated++;
      return ok(Action.create,
        `<x:ResourceCreated><a:Address>http://127.0.0.1:${ep.port}/wsman</a:Address><a:ReferenceParameters>` +
          `<w:ResourceURI>http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd</w:ResourceURI>` +
          `<w:SelectorSet><w:Selector Name="ShellId">${id}</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>` +
          `<rsp:Shell><rsp:ShellId>${id}</rsp:ShellId><rsp:IdleTimeOut>PT7200.000S</rsp:IdleTimeOut>` +
          `<rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>`);
    }
    const shellId = r.selectors['ShellId'] ?? '';
    const shell = ep.shells.get(shellId);
    if (!shell) return notFound();
    const commandId = commandIdOf(r);
    const settled = shell.commands.get(commandId)?.settled !== undefined;
    const now = target(ep);
    if (!settled && (!now || now.name !== shell.node || now.lastBootMs !== shell.bootMs)) {
      // The node rebooted (or the cluster name moved) since the shell was created: the shell is gone.
      for (const c of shell.commands.values()) c.abort.abort();
      ep.shells.delete(shellId);
      return notFound();
    }
    switch (r.action) {
      case Action.delete:
        for (const c of shell.commands.values()) c.abort.abort();
        ep.shells.delete(shellId);
        return ok(Action.delete, '');
      case Action.command: {
        const id = randomUUID().toUpperCase();
        shell.commands.set(id, startCommand(ep, r, id));
        return ok(Action.command, `<rsp:CommandResponse><rsp:CommandId>${id}</rsp:CommandId></rsp:CommandResponse>`);
      }
      case Action.send: {
        const p = sendPayload(r);
        const cmd = shell.commands.get(p.commandId ?? '');
        if (!cmd) return fault(87, 'InvalidParameter', 'The parameter is incorrect.');
        cmd.stdin.push(p.data);
        if (p.end && cmd.kind === 'bootstrap' && cmd.result === undefined) {
          cmd.result = startBootstrap(ep, cmd).then((res) => (cmd.settled = res));
        }
        return ok(Action.send, '<rsp:SendResponse/>');
      }
      case Action.receive: {
        const cmd = shell.commands.get(commandId);
        if (!cmd) return fault(87, 'InvalidParameter', 'The parameter is incorrect.');
        const limitMs = Math.min(holdMs, (seconds(r.operationTimeout) ?? 60) * 1000);
        if (cmd.settled === undefined) {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([cmd.result ?? new Promise(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs)))]);
          clearTimeout(timer);
        }
        const result = cmd.settled;
        if (result === undefined) {
          ep.stats.timedOut++;
          return fault(2150858793, 'TimedOut', 'The WS-Management service cannot complete the operation within the time specified in OperationTimeout.');
        }
        if ('unreachable' in result) return 'reset';
        return ok(Action.receive,
          `<rsp:ReceiveResponse>${streamXml('stdout', commandId, result.stdout)}${streamXml('stderr', commandId, result.stderr)}` +
            `<rsp:CommandState CommandId="${commandId}" State="${STATE_DONE}"><rsp:ExitCode>${result.exitCode}</rsp:ExitCode></rsp:CommandState></rsp:ReceiveResponse>`);
      }
      case Action.signal: {
        const cmd = shell.commands.get(commandId);
        cmd?.abort.abort();
        shell.commands.delete(commandId);
        return ok(Action.signal, '<rsp:SignalResponse/>');
      }
      default:
        return fault(2150858771, 'ActionNotSupported', 'The action is not supported by the service.');
    }
  }

  async function listen(name: string, isCluster: boolean): Promise<Endpoint> {
    const ep: Endpoint = {
      name,
      isCluster,
      server: http.createServer(),
      sockets: new Map(),
      shells: new Map(),
      stats: { requests: 0, handshakes: 0, shellsCreated: 0, shellsNotFound: 0, timedOut: 0, resets: 0, actions: {} },
      port: 0,
    };
    ep.server.keepAliveTimeout = 120_000;
    ep.server.on('connection', (socket: Socket) => {
      ep.sockets.set(socket, { id: nextSocketId++, bound: undefined, ntlmContext: undefined, ntlmReady: false, generation: 0 });
      socket.on('close', () => {
        const st = ep.sockets.get(socket);
        ep.sockets.delete(socket);
        if (st?.ntlmContext && sidecar && !closing) void sidecar.release(st.ntlmContext);
      });
    });
    ep.server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        handle(ep, req, res, Buffer.concat(chunks)).catch((error: unknown) => {
          violations.push(`${name}: server error: ${(error as Error).message}`);
          if (!res.headersSent) {
            res.writeHead(500, { 'Content-Length': 0 });
            res.end();
          }
        });
      });
    });
    await new Promise<void>((resolve) => ep.server.listen(0, '127.0.0.1', resolve));
    ep.port = (ep.server.address() as AddressInfo).port;
    endpoints.set(name.toUpperCase(), ep);
    return ep;
  }

  for (const node of sim.nodeNames) await listen(node, false);
  await listen(sim.clusterName, true);
  const ports = Object.fromEntries([...endpoints.values()].map((ep) => [ep.name, ep.port]));

  return {
    ports,
    clusterName: sim.clusterName,
    sim,
    requests,
    invocations,
    violations,
    stats(endpoint) {
      const ep = endpoints.get(endpoint.toUpperCase());
      if (!ep) throw new Error(`no endpoint ${endpoint}`);
      return ep.stats;
    },
    nodeAddressArgs: () => Object.entries(ports).flatMap(([name, port]) => ['--node-address', `${name}=127.0.0.1:${port}`]),
    async close() {
      closing = true;
      await Promise.all(
        [...endpoints.values()].map(
          (ep) =>
            new Promise<void>((resolve) => {
              for (const shell of ep.shells.values()) for (const c of shell.commands.values()) c.abort.abort();
              for (const s of ep.sockets.keys()) s.destroy();
              ep.server.close(() => resolve());
            }),
        ),
      );
      await sim.transport.close();
      await sidecar?.close();
    },
  };
}
