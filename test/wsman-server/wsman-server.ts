// A WS-Man (WinRS cmd shell) test server in front of the simulator: one loopback listener per simulated node
// plus one for the cluster name. Basic auth, and NTLM with MS-WSMV message encryption whose acceptor is
// gss-ntlmssp (ntlm-sidecar.py). Runs the fixed bootstrap as the real one runs: each stdin line is a payload,
// dispatched to the simulator after checking that the script is byte for byte a catalogue script, and its
// result line is output at once while stdin stays open; end of input ends the process. Models TimedOut,
// shell-not-found after a reboot, connection resets while a node is away, and what starting powershell.exe
// (and opening a runspace) costs on a Windows node. Records every decrypted request. Test support only:
// depends on node:http, the simulator, the bootstrap helpers and the WinRM framing/SOAP parsers.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../src/errors.js';
import { openSimulator, type Simulator } from '../../src/sim/index.js';
import type { ClusterModel } from '../../src/sim/cluster-model.js';
import type { SimNodeState } from '../../src/sim/model-state.js';
import { BOOTSTRAP_SCRIPT, BOOTSTRAP_STUB, END_MARKER, READY_MARKER, RESULT_MARKER, minifiedBootstrap } from '../../src/transport/bootstrap.js';
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
  /**
   * Real milliseconds a `powershell.exe` Command takes before it runs anything: the process start (and .NET
   * and PowerShell start-up) on a Windows node, a few hundred ms on a typical server. Paid once by a
   * persistent bootstrap, once per operation by clients that start PowerShell per command (pywinrm run_ps).
   * @default 0
   */
  readonly processStartMs?: number;
  /**
   * Real milliseconds the bootstrap needs to open the fresh runspace each payload runs in. It opens the next
   * one while it waits for stdin, so only the part of it that the client's next Send does not already cover
   * is waited for. @default 0
   */
  readonly runspaceOpenMs?: number;
  readonly python?: string;
  /** Windows lifecycle behaviours (issue 19), switched on by tests; `server.lifecycle` can change them later. */
  readonly lifecycle?: LifecycleOptions;
}

/**
 * What Windows does around shells and processes that a client must survive (issue 19). All off by default;
 * counters (`times`) are used up as the behaviour happens.
 */
export interface LifecycleOptions {
  /**
   * The modelled Windows: `honour` runs a WINRS_SKIP_CMD_SHELL=TRUE command through CreateProcess, where a
   * bare `powershell.exe` is not found (recorded: test_winrs_no_cmd_shell.yml); `ignore` (newer Windows) runs
   * every command through cmd.exe and its 8,191-character line limit. @default 'honour'
   */
  skipCmdShell?: 'honour' | 'ignore';
  /** The next payload-bearing Sends take their data, then answer these faults (TimedOut, ERROR_TIMEOUT, ERROR_BUSY). */
  sendFaults?: Array<'TimedOut' | 1460 | 170>;
  /** A Send to a powershell.exe still starting is held until it reads, at most receiveHoldMs, then TimedOut (its data stays in the pipe). */
  sendBlocksUntilRead?: boolean;
  /** A bootstrap process dies after this many payloads (a quota kill, a crash, an admin): the next Send faults 232. */
  killAfterPayloads?: number;
  /** The next payloads end their process with no output and this exit code (shutdown, WinRM restart). */
  endWithoutResult?: { times: number; exitCode: number };
  /** The next requests get this HTTP status from HTTP.sys (WinRM stopping or starting). */
  unavailable?: { status: 503 | 404; times: number };
  /** The next sealed request cannot be decrypted: HTTP 400, and that connection's context stays out of step. */
  desyncOnce?: boolean;
  /** The next Receives that would be held lose their connection instead (HTTP.sys closing idle connections). */
  dropReceives?: number;
  /** Each payload writes this error text to stderr, as PowerShell does: the CLIXML header once per process. */
  stderrPerPayload?: string;
  /** Fault 2150859173 on Create above this many shells (MaxShellsPerUser). */
  maxShellsPerUser?: number;
  /** Working set per process: base plus per payload; above maxPerShellMB the process is killed (MaxMemoryPerShellMB). */
  memory?: { baseMB: number; perPayloadMB: number; maxPerShellMB: number };
  /** Random faults among those a client must absorb (maybe-delivered Sends, dropped Receives, dead processes between operations). */
  random?: { seed: number; probability: number };
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
  /** The payload's id (our client numbers and names each operation), when it carried one. */
  readonly payloadId?: string;
  outcome: string | undefined;
}

export interface EndpointStats {
  /** HTTP requests received, handshake legs included. */
  requests: number;
  /** Completed NTLM security contexts. */
  handshakes: number;
  shellsCreated: number;
  /** Faults 2150858843 answered for a shell. */
  shellsNotFound: number;
  /** Faults 2150858843 answered for a CommandId the shell does not know. */
  unknownCommands: number;
  /** w:TimedOut faults answered. */
  timedOut: number;
  /** Connections reset because the node was away or had rebooted since the connection was made. */
  resets: number;
  /** Requests per action (Create, Command, Send, Receive, Signal, Delete). */
  actions: Record<string, number>;
  /** The IdleTimeOut each Create asked for (absent: none asked). */
  idleTimeouts: Array<string | undefined>;
  /** Lifecycle faults applied, by kind. */
  faults: Record<string, number>;
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
  /** The lifecycle behaviours in force; tests change them between operations. */
  readonly lifecycle: LifecycleOptions;
  /** How many times each payload id ran (our client names every operation; a count above 1 is a rerun). */
  payloadRuns(): Record<string, number>;
  /** Every shell expires, as its IdleTimeOut would make it between operations. Returns how many. */
  reapIdleShells(): number;
  /** Every endpoint forgets its commands (but not its shells). */
  forgetCommands(): void;
  /** Shells the endpoint holds now. */
  shellCount(endpoint: string): number;
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
const STATE_RUNNING = `${SHELL_NS}/CommandState/Running`;

interface CommandOutput {
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  readonly exitCode: number;
}

type CommandResult = CommandOutput | { readonly unreachable: true };

/** A process behind a WinRS command: output not yet received, and whether it has exited. */
interface ServerCommand {
  readonly id: string;
  readonly kind: 'bootstrap' | 'immediate';
  readonly abort: AbortController;
  /** The process has started (after processStartMs for powershell.exe). */
  readonly ready: Promise<void>;
  stdout: Buffer[];
  stderr: Buffer[];
  /** Set when the process has exited: once its output is received, the command is Done. */
  exitCode: number | undefined;
  /** The node went away while the process ran: the connection is reset instead of a reply. */
  unreachable: boolean;
  /** Bootstrap: stdin after the last complete line, the payloads in order, and when the next runspace is open. */
  partial: Buffer;
  /** Started by the stub: the first stdin line must be the bootstrap, then READY; results carry meta. */
  stub: 'off' | 'waiting' | 'ready';
  /** The process has started (processStartMs passed). */
  started: boolean;
  /** Payloads this process has run, and whether it has written the CLIXML header. */
  payloads: number;
  clixmlHeader: boolean;
  work: Promise<void>;
  runspaceReadyAt: number;
  /** Receives held until there is output. */
  readonly waiters: Array<() => void>;
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
  /** The context is out of step (desyncOnce): every sealed request gets 400 until a new handshake. */
  desynced: boolean;
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

type Reply = { status: number; xml: string } | 'reset' | 'drop';

function loadCatalogue(dir: string): Map<string, string> {
  const byText = new Map<string, string>();
  for (const file of readdirSync(dir)) {
    if (file.endsWith('.ps1')) byText.set(readFileSync(join(dir, file), 'utf8'), file.slice(0, -'.ps1'.length));
  }
  return byText;
}

/** The bootstrap's JSON: ASCII only, `<` and `>` escaped (bootstrap.ps1 does the same). */
function bootstrapLine(outcome: ScriptOutcome, seq?: number | null, memoryMB = 80): string {
  const framed = seq === undefined ? outcome : { meta: { seq, memoryMB, warnings: outcome.warnings ?? [] }, ...outcome };
  // eslint-disable-next-line no-control-regex -- the same character class as bootstrap.ps1
  const json = JSON.stringify(framed).replace(/[^\x00-\x3B\x3D\x3F-\x7F]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
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

/** A stream's data in one element; a Done reply also marks its end, as Windows does. */
function streamXml(name: string, commandId: string, data: Buffer, end: boolean): string {
  const chunk = data.length === 0 ? '' : `<rsp:Stream Name="${name}" CommandId="${commandId}">${data.toString('base64')}</rsp:Stream>`;
  return `${chunk}${end ? `<rsp:Stream Name="${name}" CommandId="${commandId}" End="true"></rsp:Stream>` : ''}`;
}

/** Command line → argv, the way our client and pywinrm send it (no quoting needed by either). */
function commandLine(request: WsmanRequest): string {
  const line = request.body['CommandLine'] as { Command?: unknown; Arguments?: unknown[] } | undefined;
  const text = (v: unknown): string => (typeof v === 'object' && v !== null ? String((v as Record<string, unknown>)['#text'] ?? '') : String(v ?? ''));
  return [text(line?.Command), ...(line?.Arguments ?? []).map(text)].join(' ').trim();
}

/** The model behind the simulator's transport: read-only use, to know when a node is away or rebooted. */
function modelOf(sim: Simulator): ClusterModel {
  return sim.model;
}

export async function startWsmanTestServer(options: WsmanTestServerOptions): Promise<WsmanTestServer> {
  const offered = options.auth ?? ['basic', 'ntlm'];
  const holdMs = options.receiveHoldMs ?? 1000;
  const processStartMs = options.processStartMs ?? 0;
  const runspaceOpenMs = options.runspaceOpenMs ?? 0;
  const lifecycle: LifecycleOptions = { ...options.lifecycle };
  // A small seeded generator (mulberry32) so random faults repeat with their seed.
  let seed = lifecycle.random?.seed ?? 1;
  const random = (): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const chance = (): boolean => lifecycle.random !== undefined && random() < lifecycle.random.probability;
  const count = (ep: Endpoint, kind: string): void => {
    ep.stats.faults[kind] = (ep.stats.faults[kind] ?? 0) + 1;
  };
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
    if (lifecycle.unavailable && lifecycle.unavailable.times > 0) {
      // HTTP.sys answers for a WinRM service that is stopping or starting, before any authentication.
      lifecycle.unavailable.times--;
      count(ep, `http${lifecycle.unavailable.status}`);
      const page = Buffer.from('<HTML><HEAD><TITLE>Service Unavailable</TITLE></HEAD><BODY><h2>Service Unavailable</h2></BODY></HTML>', 'utf8');
      res.writeHead(lifecycle.unavailable.status, { 'Content-Type': 'text/html; charset=us-ascii', 'Content-Length': page.length });
      res.end(page);
      return;
    }
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
        st.desynced = false;
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
      if (lifecycle.desyncOnce) {
        lifecycle.desyncOnce = false;
        st.desynced = true;
        count(ep, 'desync');
      }
      if (st.desynced) {
        res.writeHead(400, { 'Content-Length': 0 });
        res.end();
        return;
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
    if (reply === 'drop') {
      req.socket.destroy();
      return;
    }
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

  /** Output already produced was on its way before the node left: it can still be received. */
  function hasOutput(cmd: ServerCommand | undefined): boolean {
    return cmd !== undefined && !cmd.unreachable && (cmd.stdout.length > 0 || cmd.stderr.length > 0 || cmd.exitCode !== undefined);
  }

  function settledCommand(ep: Endpoint, request: WsmanRequest): boolean {
    if (request.action !== Action.receive && request.action !== Action.signal) return false;
    const shell = ep.shells.get(request.selectors['ShellId'] ?? '');
    return hasOutput(shell?.commands.get(commandIdOf(request)));
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

  const asScript = (o: ScriptOutcome): CommandOutput =>
    o.ok
      ? { stdout: Buffer.from(`${JSON.stringify(o.data ?? null)}\r\n`, 'utf8'), stderr: Buffer.alloc(0), exitCode: 0 }
      : { stdout: Buffer.alloc(0), stderr: clixmlError(`${o.error.code}: ${o.error.message}`), exitCode: 1 };

  const realDelay = (ms: number, signal: AbortSignal): Promise<void> =>
    ms <= 0
      ? Promise.resolve()
      : new Promise((resolve) => {
          const timer = setTimeout(resolve, ms);
          signal.addEventListener('abort', () => {
            clearTimeout(timer);
            resolve();
          }, { once: true });
        });

  function wake(cmd: ServerCommand): void {
    for (const w of cmd.waiters.splice(0)) w();
  }

  /** The process's output and exit (or the node's disappearance) as the command's output. */
  function emit(cmd: ServerCommand, result: CommandResult, exits: boolean): void {
    if ('unreachable' in result) cmd.unreachable = true;
    else {
      cmd.stdout.push(result.stdout);
      cmd.stderr.push(result.stderr);
      if (exits) cmd.exitCode = result.exitCode;
    }
    wake(cmd);
  }

  function newCommand(id: string, kind: ServerCommand['kind'], startMs: number): ServerCommand {
    const abort = new AbortController();
    const ready = realDelay(startMs, abort.signal);
    const cmd: ServerCommand = { id, kind, abort, ready, stdout: [], stderr: [], exitCode: undefined, unreachable: false, partial: Buffer.alloc(0), stub: 'off', started: startMs <= 0, payloads: 0, clixmlHeader: false, work: ready, runspaceReadyAt: 0, waiters: [] };
    void ready.then(() => (cmd.started = true));
    return cmd;
  }

  /** One payload line of a running bootstrap: what the real one prints for it. */
  async function runBootstrapLine(ep: Endpoint, cmd: ServerCommand, line: string): Promise<void> {
    if (cmd.abort.signal.aborted || cmd.unreachable) return;
    if (cmd.stub === 'waiting') {
      // The stub's first line: the bootstrap's text, as base64 of UTF-8. Anything else ends the process.
      if (Buffer.from(line, 'base64').toString('utf8') !== BOOTSTRAP_SCRIPT) {
        violations.push(`${ep.name}: the stub's first stdin line is not the bootstrap`);
        emit(cmd, { stdout: Buffer.alloc(0), stderr: clixmlError('Exception calling "Create": the script is not valid.'), exitCode: 1 }, true);
        return;
      }
      cmd.stub = 'ready';
      emit(cmd, { stdout: Buffer.from(`${READY_MARKER}\r\n`, 'utf8'), stderr: Buffer.alloc(0), exitCode: 0 }, false);
      return;
    }
    // The runspace for this payload opened while the process waited for it; wait only for what is left.
    await realDelay(cmd.runspaceReadyAt - Date.now(), cmd.abort.signal);
    cmd.payloads++;
    const memoryMB = lifecycle.memory ? lifecycle.memory.baseMB + lifecycle.memory.perPayloadMB * cmd.payloads : 80;
    if (lifecycle.endWithoutResult && lifecycle.endWithoutResult.times > 0) {
      // Windows reports the command Done with no output (a shutdown or a WinRM restart stopped the process).
      lifecycle.endWithoutResult.times--;
      count(ep, 'endWithoutResult');
      emit(cmd, { stdout: Buffer.alloc(0), stderr: processStderr(cmd, 'The pipeline has been stopped.'), exitCode: lifecycle.endWithoutResult.exitCode }, true);
      return;
    }
    if (lifecycle.memory && memoryMB > lifecycle.memory.maxPerShellMB) {
      count(ep, 'memoryQuota');
      emit(cmd, { stdout: Buffer.alloc(0), stderr: processStderr(cmd, 'The WS-Management service cannot process the request because the process exceeded MaxMemoryPerShellMB.'), exitCode: 1 }, true);
      return;
    }
    let payload: { seq?: unknown; id?: unknown; script?: unknown; params?: unknown };
    let result: CommandResult;
    const seqText = /^\{"seq":(\d{1,18}),/.exec(line)?.[1];
    const seq = cmd.stub === 'ready' ? (seqText === undefined ? null : Number(seqText)) : undefined;
    const stderr = lifecycle.stderrPerPayload === undefined ? Buffer.alloc(0) : processStderr(cmd, lifecycle.stderrPerPayload);
    const asLine = (o: ScriptOutcome): CommandOutput => ({ stdout: Buffer.from(bootstrapLine(o, seq, memoryMB), 'utf8'), stderr, exitCode: 0 });
    try {
      payload = JSON.parse(line) as typeof payload;
      const script = typeof payload.script === 'string' ? payload.script : '';
      const params = payload.params !== null && typeof payload.params === 'object' ? (payload.params as Record<string, unknown>) : {};
      const record: InvocationRecord = {
        endpoint: ep.name,
        via: 'bootstrap',
        name: catalogue.get(script),
        script,
        params,
        ...(typeof payload.id === 'string' ? { payloadId: payload.id } : {}),
        outcome: undefined,
      };
      result = await runOnSim(ep, record, cmd.abort.signal, asLine);
    } catch {
      result = asLine({ ok: false, error: { code: 'SCRIPT_ERROR', message: 'Invalid JSON primitive.', category: 'InvalidArgument' } });
    }
    if (cmd.abort.signal.aborted) return;
    cmd.runspaceReadyAt = Date.now() + runspaceOpenMs;
    // A refused (non-catalogue) script or a simulator crash ends the process with its exit code, as before.
    emit(cmd, result, !('unreachable' in result) && result.exitCode !== 0);
  }

  /** An error record on stderr as one long-lived PowerShell writes it: the CLIXML header only the first time. */
  function processStderr(cmd: ServerCommand, message: string): Buffer {
    const record = clixmlError(message).toString('utf8');
    if (cmd.clixmlHeader) return Buffer.from(record.replace(/^#< CLIXML\r\n/, ''), 'utf8');
    cmd.clixmlHeader = true;
    return Buffer.from(record, 'utf8');
  }

  /** Stdin of a running bootstrap: each complete line is queued as a payload; end of input ends the process. */
  function feedBootstrap(ep: Endpoint, cmd: ServerCommand, data: Buffer, end: boolean): void {
    let buffered = Buffer.concat([cmd.partial, data]);
    const lines: string[] = [];
    for (let nl = buffered.indexOf(0x0a); nl >= 0; nl = buffered.indexOf(0x0a)) {
      lines.push(buffered.subarray(0, nl).toString('utf8'));
      buffered = buffered.subarray(nl + 1);
    }
    if (end && buffered.length > 0) {
      lines.push(buffered.toString('utf8'));
      buffered = Buffer.alloc(0);
    }
    cmd.partial = buffered;
    for (const raw of lines) {
      const line = raw.replace(/^\uFEFF/, '').replace(/\r$/, '');
      if (line.trim() !== '') cmd.work = cmd.work.then(() => runBootstrapLine(ep, cmd, line));
    }
    if (end) {
      cmd.work = cmd.work.then(() => {
        if (cmd.exitCode === undefined && !cmd.unreachable) emit(cmd, { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: 0 }, true);
      });
    }
  }

  /** cmd.exe and powershell.exe as far as the peers need them: `echo`, `exit /b N`, `timeout /t N`, run_ps scripts, the bootstrap. */
  function startCommand(ep: Endpoint, request: WsmanRequest, id: string): ServerCommand | 'file-not-found' {
    const line = commandLine(request);
    const tokens = line.split(/\s+/);
    const exe = (tokens[0] ?? '').toLowerCase().replace(/\.exe$/, '');
    const skip = request.options['WINRS_SKIP_CMD_SHELL'] === 'TRUE';
    const throughCmd = !skip || lifecycle.skipCmdShell === 'ignore';
    if (!throughCmd && !/[\\/]/.test(tokens[0] ?? '')) {
      // CreateProcess with a bare name does not search PATH the way cmd.exe does (test_winrs_no_cmd_shell.yml).
      return 'file-not-found';
    }
    const text = (s: string): Buffer => Buffer.from(s, 'utf8');
    const done = (result: CommandResult): ServerCommand => {
      const cmd = newCommand(id, 'immediate', 0);
      emit(cmd, result, true);
      return cmd;
    };
    if (throughCmd && line.length > CMD_LINE_LIMIT) return done({ stdout: Buffer.alloc(0), stderr: text('The command line is too long.\r\n'), exitCode: 1 });
    if (exe === 'powershell') {
      const at = tokens.findIndex((t) => /^-(e|ec|enc|encodedcommand)$/i.test(t));
      const script = at >= 0 ? Buffer.from(tokens[at + 1] ?? '', 'base64').toString('utf16le') : '';
      if (script === bootstrapText || script === BOOTSTRAP_STUB) {
        const cmd = newCommand(id, 'bootstrap', processStartMs);
        if (script === BOOTSTRAP_STUB) cmd.stub = 'waiting';
        cmd.runspaceReadyAt = Date.now() + processStartMs + runspaceOpenMs;
        return cmd;
      }
      const cmd = newCommand(id, 'immediate', processStartMs);
      const record: InvocationRecord = { endpoint: ep.name, via: 'encoded-script', name: catalogue.get(script), script, params: {}, outcome: undefined };
      void cmd.ready.then(async () => {
        if (!cmd.abort.signal.aborted) emit(cmd, await runOnSim(ep, record, cmd.abort.signal, asScript), true);
      });
      return cmd;
    }
    if (exe === 'echo') return done({ stdout: text(`${line.slice(line.indexOf(' ') + 1)}\r\n`), stderr: Buffer.alloc(0), exitCode: 0 });
    if (exe === 'exit' && tokens[1]?.toLowerCase() === '/b') return done({ stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: Number(tokens[2] ?? 0) });
    if (exe === 'timeout' && tokens[1]?.toLowerCase() === '/t') {
      // timeout.exe, on the simulator's clock: a command that keeps its Receives waiting.
      const seconds = Number(tokens[2] ?? 0);
      const cmd = newCommand(id, 'immediate', 0);
      sim.clock.sleep(seconds * 1000, cmd.abort.signal).then(
        () => emit(cmd, { stdout: text(`\r\nWaiting for ${seconds} seconds, press CTRL+C to quit ...\r\n`), stderr: Buffer.alloc(0), exitCode: 0 }, true),
        () => emit(cmd, { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: 1 }, true),
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

    // Windows answers a CommandId it does not know (ended, signalled, never was) with 2150858843, the
    // shell-not-found code, and this text (recorded: test_winrs_bad_cmd_id.yml).
    const unknownCommand = (): Reply => {
      ep.stats.unknownCommands++;
      return fault(2150858843, 'InvalidSelectors', 'The Windows Remote Shell received a request to perform an operation on a command identifier that does not exist. Either the command has completed execution or the client specified an invalid command identifier.');
    };

    if (r.action === Action.create) {
      if (lifecycle.maxShellsPerUser !== undefined && ep.shells.size >= lifecycle.maxShellsPerUser) {
        count(ep, 'maxShells');
        return fault(2150859173, 'InternalError', `The WS-Management service cannot process the request. This user is allowed a maximum number of ${lifecycle.maxShellsPerUser} concurrent shells, which has been exceeded. Close existing shells or raise the quota for this user.`);
      }
      const idle = (r.body['Shell'] as Record<string, unknown> | undefined)?.['IdleTimeOut'];
      ep.stats.idleTimeouts.push(typeof idle === 'string' ? idle : undefined);
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
    const settled = hasOutput(shell.commands.get(commandId));
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
        const started = startCommand(ep, r, id);
        if (started === 'file-not-found') {
          count(ep, 'fileNotFound');
          return fault(2147942402, 'InternalError', 'The system cannot find the file specified.');
        }
        shell.commands.set(id, started);
        return ok(Action.command, `<rsp:CommandResponse><rsp:CommandId>${id}</rsp:CommandId></rsp:CommandResponse>`);
      }
      case Action.send: {
        const p = sendPayload(r);
        const cmd = shell.commands.get(p.commandId ?? '');
        if (!cmd) return unknownCommand();
        const carriesPayload = cmd.kind === 'bootstrap' && p.data.includes('{"seq":');
        if (carriesPayload && cmd.exitCode === undefined && cmd.payloads > 0 && ((lifecycle.killAfterPayloads !== undefined && cmd.payloads >= lifecycle.killAfterPayloads) || chance())) {
          // The process died between operations (quota, crash, an admin): its command is Done.
          count(ep, 'killed');
          emit(cmd, { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: 1 }, true);
        }
        // Windows refuses stdin for a process that has exited (the pipe is closed).
        if (cmd.exitCode !== undefined) return fault(232, 'InternalError', 'The pipe is being closed.');
        let answer: 'TimedOut' | 1460 | 170 | undefined = carriesPayload ? lifecycle.sendFaults?.shift() : undefined;
        if (answer === undefined && carriesPayload && chance()) answer = (['TimedOut', 1460, 170] as const)[Math.floor(random() * 3)];
        if (lifecycle.sendBlocksUntilRead && !cmd.started) {
          // The pipe takes the data only when powershell.exe reads it; past OperationTimeout, TimedOut.
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([cmd.ready, new Promise<void>((resolve) => (timer = setTimeout(resolve, holdMs)))]);
          clearTimeout(timer);
          if (!cmd.started) answer ??= 'TimedOut';
        }
        if (cmd.kind === 'bootstrap') feedBootstrap(ep, cmd, p.data, p.end);
        if (answer !== undefined) {
          // The data is in the pipe; the answer says otherwise (ansible#79016).
          count(ep, `send${answer}`);
          if (answer === 'TimedOut') {
            ep.stats.timedOut++;
            return fault(2150858793, 'TimedOut', 'The WS-Management service cannot complete the operation within the time specified in OperationTimeout.');
          }
          return answer === 170
            ? fault(170, 'InternalError', 'The requested resource is in use.')
            : fault(1460, 'InternalError', 'This operation returned because the timeout period expired.');
        }
        return ok(Action.send, '<rsp:SendResponse/>');
      }
      case Action.receive: {
        const cmd = shell.commands.get(commandId);
        if (!cmd) return unknownCommand();
        const limitMs = Math.min(holdMs, (seconds(r.operationTimeout) ?? 60) * 1000);
        if (!hasOutput(cmd) && !cmd.unreachable && ((lifecycle.dropReceives ?? 0) > 0 || chance())) {
          // HTTP.sys closes the connection under a held Receive; the command and its output live on.
          if ((lifecycle.dropReceives ?? 0) > 0) lifecycle.dropReceives! -= 1;
          count(ep, 'droppedReceive');
          return 'drop';
        }
        if (!hasOutput(cmd) && !cmd.unreachable) {
          // Held until the process prints something or exits, at most OperationTimeout (capped for tests).
          let timer: NodeJS.Timeout | undefined;
          await new Promise<void>((resolve) => {
            cmd.waiters.push(resolve);
            timer = setTimeout(resolve, limitMs);
          });
          clearTimeout(timer);
        }
        if (cmd.unreachable) return 'reset';
        if (!hasOutput(cmd)) {
          ep.stats.timedOut++;
          return fault(2150858793, 'TimedOut', 'The WS-Management service cannot complete the operation within the time specified in OperationTimeout.');
        }
        // Windows keeps each reply within the request's MaxEnvelopeSize: base64 output up to what fits, the
        // rest in the next Receive.
        const budget = Math.max(1024, Math.floor(((r.maxEnvelopeSize ?? 153600) - 2048) / 4) * 3);
        const take = (queue: Buffer[], room: number): Buffer => {
          const all = Buffer.concat(queue.splice(0));
          if (all.length > room) queue.push(all.subarray(room));
          return all.subarray(0, room);
        };
        const stdout = take(cmd.stdout, budget);
        const stderr = take(cmd.stderr, Math.max(0, budget - stdout.length));
        const done = cmd.exitCode !== undefined && cmd.stdout.length === 0 && cmd.stderr.length === 0;
        const state = done
          ? `<rsp:CommandState CommandId="${commandId}" State="${STATE_DONE}"><rsp:ExitCode>${cmd.exitCode}</rsp:ExitCode></rsp:CommandState>`
          : `<rsp:CommandState CommandId="${commandId}" State="${STATE_RUNNING}"/>`;
        return ok(Action.receive, `<rsp:ReceiveResponse>${streamXml('stdout', commandId, stdout, done)}${streamXml('stderr', commandId, stderr, done)}${state}</rsp:ReceiveResponse>`);
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
      stats: { requests: 0, handshakes: 0, shellsCreated: 0, shellsNotFound: 0, unknownCommands: 0, timedOut: 0, resets: 0, actions: {}, idleTimeouts: [], faults: {} },
      port: 0,
    };
    ep.server.keepAliveTimeout = 120_000;
    ep.server.on('connection', (socket: Socket) => {
      ep.sockets.set(socket, { id: nextSocketId++, bound: undefined, ntlmContext: undefined, ntlmReady: false, generation: 0, desynced: false });
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
    lifecycle,
    payloadRuns() {
      const runs: Record<string, number> = {};
      for (const i of invocations) if (i.payloadId !== undefined) runs[i.payloadId] = (runs[i.payloadId] ?? 0) + 1;
      return runs;
    },
    reapIdleShells() {
      let reaped = 0;
      for (const ep of endpoints.values()) {
        for (const [id, shell] of ep.shells) {
          // Idle means no request: a persistent process waiting for stdin ends with its shell.
          for (const c of shell.commands.values()) c.abort.abort();
          ep.shells.delete(id);
          reaped++;
        }
      }
      return reaped;
    },
    forgetCommands() {
      for (const ep of endpoints.values()) for (const shell of ep.shells.values()) shell.commands.clear();
    },
    shellCount(endpoint) {
      const ep = endpoints.get(endpoint.toUpperCase());
      if (!ep) throw new Error(`no endpoint ${endpoint}`);
      return ep.shells.size;
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
