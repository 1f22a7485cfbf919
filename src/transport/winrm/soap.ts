// WS-Management SOAP for the WinRS cmd shell (MS-WSMV 3.1.4): envelope builders for Create, Command, Send,
// Receive, Signal and Delete, and namespace-prefix-agnostic parsers of responses and requests. Strings only;
// depends on fast-xml-parser and nothing else.
import { XMLParser } from 'fast-xml-parser';

export const Ns = {
  s: 'http://www.w3.org/2003/05/soap-envelope',
  a: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  w: 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
  p: 'http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd',
  rsp: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell',
  x: 'http://schemas.xmlsoap.org/ws/2004/09/transfer',
} as const;

export const CMD_RESOURCE_URI = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd';
const ANONYMOUS = 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous';

export const Action = {
  create: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Create',
  delete: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete',
  command: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command',
  send: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Send',
  receive: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive',
  signal: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal',
} as const;

export const SignalCode = {
  terminate: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/terminate',
  ctrlC: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/ctrl_c',
} as const;

const COMMAND_STATE_DONE = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done';

/** Per-session values every envelope carries. */
export interface SoapContext {
  /** The endpoint URL (`a:To`). */
  readonly to: string;
  /** Caps the response size; Send chunks are sized to stay under it too. @default 153600 */
  readonly maxEnvelopeSize: number;
  /** How long the server may hold an operation (a Receive) open, in seconds. @default 20 */
  readonly operationTimeoutSeconds: number;
  /** `uuid:` + one UUID per client session (`p:SessionId`). */
  readonly sessionId: string;
  /** Returns a fresh UUID (injected so tests are deterministic). */
  readonly newUuid: () => string;
  /** @default 'en-US' */
  readonly locale?: string;
}

export interface SoapRequest {
  readonly action: string;
  readonly messageId: string;
  readonly xml: string;
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

interface EnvelopeParts {
  action: string;
  shellId?: string;
  options?: ReadonlyArray<readonly [string, string]>;
  body: string;
}

function envelope(ctx: SoapContext, parts: EnvelopeParts): SoapRequest {
  const messageId = `uuid:${ctx.newUuid().toUpperCase()}`;
  const locale = escapeXml(ctx.locale ?? 'en-US');
  const selector =
    parts.shellId === undefined
      ? ''
      : `<w:SelectorSet><w:Selector Name="ShellId">${escapeXml(parts.shellId)}</w:Selector></w:SelectorSet>`;
  const options =
    parts.options && parts.options.length > 0
      ? `<w:OptionSet>${parts.options.map(([n, v]) => `<w:Option Name="${escapeXml(n)}">${escapeXml(v)}</w:Option>`).join('')}</w:OptionSet>`
      : '';
  const xml =
    `<s:Envelope xmlns:s="${Ns.s}" xmlns:a="${Ns.a}" xmlns:w="${Ns.w}" xmlns:p="${Ns.p}" xmlns:rsp="${Ns.rsp}">` +
    '<s:Header>' +
    `<a:To>${escapeXml(ctx.to)}</a:To>` +
    `<a:ReplyTo><a:Address s:mustUnderstand="true">${ANONYMOUS}</a:Address></a:ReplyTo>` +
    `<a:Action s:mustUnderstand="true">${parts.action}</a:Action>` +
    `<a:MessageID>${messageId}</a:MessageID>` +
    `<w:ResourceURI s:mustUnderstand="true">${CMD_RESOURCE_URI}</w:ResourceURI>` +
    `<w:MaxEnvelopeSize s:mustUnderstand="true">${ctx.maxEnvelopeSize}</w:MaxEnvelopeSize>` +
    `<w:OperationTimeout>PT${ctx.operationTimeoutSeconds}S</w:OperationTimeout>` +
    `<w:Locale xml:lang="${locale}" s:mustUnderstand="false"/>` +
    `<p:DataLocale xml:lang="${locale}" s:mustUnderstand="false"/>` +
    `<p:SessionId s:mustUnderstand="false">${escapeXml(ctx.sessionId)}</p:SessionId>` +
    selector +
    options +
    '</s:Header>' +
    `<s:Body>${parts.body}</s:Body>` +
    '</s:Envelope>';
  return { action: parts.action, messageId, xml };
}

export interface CreateShellOptions {
  /** Console code page for stdin/stdout bytes. @default 65001 (UTF-8) */
  readonly codepage?: number;
  /** Do not load the user profile. @default true */
  readonly noProfile?: boolean;
  readonly workingDirectory?: string;
  readonly environment?: Readonly<Record<string, string>>;
  /** Idle timeout after which the server reaps the shell, in seconds. */
  readonly idleTimeoutSeconds?: number;
}

export function createShellRequest(ctx: SoapContext, options: CreateShellOptions = {}): SoapRequest {
  const env = options.environment
    ? `<rsp:Environment>${Object.entries(options.environment)
        .map(([k, v]) => `<rsp:Variable Name="${escapeXml(k)}">${escapeXml(v)}</rsp:Variable>`)
        .join('')}</rsp:Environment>`
    : '';
  const body =
    '<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams>' +
    (options.workingDirectory === undefined ? '' : `<rsp:WorkingDirectory>${escapeXml(options.workingDirectory)}</rsp:WorkingDirectory>`) +
    env +
    (options.idleTimeoutSeconds === undefined ? '' : `<rsp:IdleTimeOut>PT${options.idleTimeoutSeconds}S</rsp:IdleTimeOut>`) +
    '</rsp:Shell>';
  return envelope(ctx, {
    action: Action.create,
    options: [
      ['WINRS_NOPROFILE', options.noProfile === false ? 'FALSE' : 'TRUE'],
      ['WINRS_CODEPAGE', String(options.codepage ?? 65001)],
    ],
    body,
  });
}

/** Runs `command args...` through cmd.exe (the command line must stay under 8,191 characters), stdin fed by Send. */
export function commandRequest(ctx: SoapContext, shellId: string, command: string, args: readonly string[]): SoapRequest {
  const body =
    `<rsp:CommandLine><rsp:Command>${escapeXml(command)}</rsp:Command>` +
    args.map((a) => `<rsp:Arguments>${escapeXml(a)}</rsp:Arguments>`).join('') +
    '</rsp:CommandLine>';
  return envelope(ctx, {
    action: Action.command,
    shellId,
    options: [
      ['WINRS_CONSOLEMODE_STDIN', 'FALSE'],
      ['WINRS_SKIP_CMD_SHELL', 'FALSE'],
    ],
    body,
  });
}

function sendBody(commandId: string, chunk: Buffer, end: boolean): string {
  return (
    `<rsp:Send><rsp:Stream Name="stdin" CommandId="${escapeXml(commandId)}"${end ? ' End="true"' : ''}>` +
    `${chunk.toString('base64')}</rsp:Stream></rsp:Send>`
  );
}

/**
 * The stdin bytes that fit in one Send: what MaxEnvelopeSize leaves after a skeleton Send envelope, as base64
 * (4 characters per 3 bytes), with a margin for header values that vary.
 */
export function maxSendChunkBytes(ctx: SoapContext, shellId: string, commandId: string): number {
  const skeleton = envelope(ctx, { action: Action.send, shellId, body: sendBody(commandId, Buffer.alloc(0), true) });
  const room = ctx.maxEnvelopeSize - Buffer.byteLength(skeleton.xml, 'utf8') - 256;
  if (room < 4) throw new RangeError(`MaxEnvelopeSize ${ctx.maxEnvelopeSize} leaves no room for stdin data`);
  return Math.floor(room / 4) * 3;
}

/** One Send per chunk; the last carries End="true". An empty input still sends one empty chunk to close stdin. */
export function sendRequests(ctx: SoapContext, shellId: string, commandId: string, data: Buffer, end = true): SoapRequest[] {
  const size = maxSendChunkBytes(ctx, shellId, commandId);
  const out: SoapRequest[] = [];
  let offset = 0;
  do {
    const chunk = data.subarray(offset, offset + size);
    offset += chunk.length;
    const last = offset >= data.length;
    out.push(envelope(ctx, { action: Action.send, shellId, body: sendBody(commandId, chunk, end && last) }));
  } while (offset < data.length);
  return out;
}

export function receiveRequest(ctx: SoapContext, shellId: string, commandId: string): SoapRequest {
  return envelope(ctx, {
    action: Action.receive,
    shellId,
    body: `<rsp:Receive><rsp:DesiredStream CommandId="${escapeXml(commandId)}">stdout stderr</rsp:DesiredStream></rsp:Receive>`,
  });
}

export function signalRequest(ctx: SoapContext, shellId: string, commandId: string, code: string = SignalCode.terminate): SoapRequest {
  return envelope(ctx, {
    action: Action.signal,
    shellId,
    body: `<rsp:Signal CommandId="${escapeXml(commandId)}"><rsp:Code>${escapeXml(code)}</rsp:Code></rsp:Signal>`,
  });
}

export function deleteShellRequest(ctx: SoapContext, shellId: string): SoapRequest {
  return envelope(ctx, { action: Action.delete, shellId, body: '' });
}

// ---------------------------------------------------------------------------------------------------------
// Parsing

type XmlNode = Record<string, unknown>;

// Prefixes differ between Windows, pywinrm and pypsrp (winrm.md §1.2): compare local names only.
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (name) => ['Stream', 'Selector', 'Option', 'Arguments', 'Variable', 'CommandState'].includes(name),
});

export class SoapParseError extends Error {
  override readonly name = 'SoapParseError';
}

function child(node: unknown, name: string): XmlNode | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  const value = (node as XmlNode)[name];
  if (Array.isArray(value)) return value[0] as XmlNode | undefined;
  if (value === undefined) return undefined;
  return typeof value === 'object' && value !== null ? (value as XmlNode) : { '#text': value };
}

function list(node: unknown, name: string): XmlNode[] {
  if (node === null || typeof node !== 'object') return [];
  const value = (node as XmlNode)[name];
  const items = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return items.map((v) => (typeof v === 'object' && v !== null ? (v as XmlNode) : { '#text': v }));
}

function text(node: unknown): string | undefined {
  if (node === undefined || node === null) return undefined;
  if (typeof node !== 'object') return String(node);
  const t = (node as XmlNode)['#text'];
  return t === undefined ? '' : String(t);
}

function attr(node: XmlNode | undefined, name: string): string | undefined {
  const v = node?.[`@_${name}`];
  return v === undefined ? undefined : String(v);
}

/** All text under a node, depth first (fault messages nest ProviderFault and WSManFault elements). */
function deepText(node: unknown): string {
  if (node === null || node === undefined) return '';
  if (typeof node !== 'object') return String(node);
  if (Array.isArray(node)) return node.map(deepText).join(' ');
  return Object.entries(node as XmlNode)
    .filter(([k]) => !k.startsWith('@_'))
    .map(([, v]) => deepText(v))
    .join(' ');
}

function parseEnvelope(xml: string): { header: XmlNode | undefined; body: XmlNode | undefined } {
  let doc: XmlNode;
  try {
    doc = parser.parse(xml) as XmlNode;
  } catch (error) {
    throw new SoapParseError(`response is not well-formed XML: ${(error as Error).message}`);
  }
  const env = child(doc, 'Envelope');
  if (!env) throw new SoapParseError('response is not a SOAP envelope');
  return { header: child(env, 'Header'), body: child(env, 'Body') };
}

export interface WsmanFault {
  /** `f:WSManFault@Code` (decimal), when present. */
  readonly code: number | undefined;
  /** The SOAP subcode's local name (`TimedOut`, `InvalidSelectors`, `AccessDenied`...). */
  readonly subcode: string | undefined;
  /** `s:Sender` or `s:Receiver`, local name. */
  readonly faultCode: string | undefined;
  readonly reason: string;
  /** The most specific message text, trimmed (Windows pads them with spaces). */
  readonly message: string;
  readonly machine: string | undefined;
}

export interface CommandState {
  readonly done: boolean;
  readonly state: string;
  readonly exitCode: number | undefined;
}

export interface WsmanResponse {
  readonly action: string | undefined;
  readonly relatesTo: string | undefined;
  readonly fault: WsmanFault | undefined;
  /** From a CreateResponse (selector, or the `rsp:Shell` echo). */
  readonly shellId: string | undefined;
  /** From a CommandResponse. */
  readonly commandId: string | undefined;
  /** Receive output per stream name, chunks concatenated in order. */
  readonly streams: Readonly<Record<string, Buffer>>;
  /** Stream names that carried End="true". */
  readonly endedStreams: readonly string[];
  readonly commandState: CommandState | undefined;
}

const localName = (qname: string): string => qname.slice(qname.indexOf(':') + 1).trim();

function parseFault(fault: XmlNode): WsmanFault {
  const code = child(fault, 'Code');
  const subcode = text(child(child(code, 'Subcode'), 'Value'));
  const reason = (text(child(child(fault, 'Reason'), 'Text')) ?? '').trim();
  const wsman = child(child(fault, 'Detail'), 'WSManFault');
  const codeAttr = attr(wsman, 'Code');
  const message = deepText(child(wsman, 'Message')).replace(/\s+/g, ' ').trim();
  return {
    code: codeAttr !== undefined && /^\d+$/.test(codeAttr) ? Number(codeAttr) : undefined,
    subcode: subcode === undefined ? undefined : localName(subcode),
    faultCode: text(child(code, 'Value')) === undefined ? undefined : localName(text(child(code, 'Value'))!),
    reason,
    message: message === '' ? reason : message,
    machine: attr(wsman, 'Machine'),
  };
}

/** Parses any WS-Man response of the cmd shell, including SOAP faults. */
export function parseResponse(xml: string): WsmanResponse {
  const { header, body } = parseEnvelope(xml);
  const fault = child(body, 'Fault');
  const created = child(child(child(body, 'ResourceCreated'), 'ReferenceParameters'), 'SelectorSet');
  const shellSelector = list(created, 'Selector').find((s) => attr(s, 'Name') === 'ShellId');
  const shellId = shellSelector ? text(shellSelector) : text(child(child(body, 'Shell'), 'ShellId'));

  // Stream names come from the node: a Map keeps `__proto__` or `constructor` an ordinary name.
  const streams = new Map<string, Buffer[]>();
  const endedStreams: string[] = [];
  let commandState: CommandState | undefined;
  const receive = child(body, 'ReceiveResponse');
  if (receive) {
    for (const s of list(receive, 'Stream')) {
      const name = attr(s, 'Name') ?? 'stdout';
      const chunks = streams.get(name) ?? [];
      chunks.push(Buffer.from(text(s) ?? '', 'base64'));
      streams.set(name, chunks);
      if ((attr(s, 'End') ?? '').toLowerCase() === 'true') endedStreams.push(name);
    }
    const state = list(receive, 'CommandState')[0];
    if (state) {
      const stateUri = attr(state, 'State') ?? '';
      const exit = text(child(state, 'ExitCode'));
      commandState = {
        state: stateUri.slice(stateUri.lastIndexOf('/') + 1),
        done: stateUri === COMMAND_STATE_DONE,
        exitCode: exit !== undefined && /^-?\d+$/.test(exit.trim()) ? Number(exit) : undefined,
      };
    }
  }
  return {
    action: text(child(header, 'Action')),
    relatesTo: text(child(header, 'RelatesTo')),
    fault: fault ? parseFault(fault) : undefined,
    shellId: shellId || undefined,
    commandId: text(child(child(body, 'CommandResponse'), 'CommandId')) || undefined,
    streams: Object.fromEntries([...streams].map(([k, v]) => [k, Buffer.concat(v)])),
    endedStreams,
    commandState,
  };
}

/** A request's meaning, for comparing with recorded ones and for test servers. */
export interface WsmanRequest {
  readonly action: string | undefined;
  readonly messageId: string | undefined;
  readonly resourceUri: string | undefined;
  readonly maxEnvelopeSize: number | undefined;
  readonly operationTimeout: string | undefined;
  readonly selectors: Readonly<Record<string, string>>;
  /** Option names with values upper-cased (Windows accepts TRUE/True/true alike). */
  readonly options: Readonly<Record<string, string>>;
  /** The body's first element, prefixes removed, attributes as `@_name`. */
  readonly body: XmlNode;
}

export function parseRequest(xml: string): WsmanRequest {
  const { header, body } = parseEnvelope(xml);
  const selectors = Object.fromEntries(
    list(child(header, 'SelectorSet'), 'Selector').map((s) => [attr(s, 'Name') ?? '', text(s) ?? '']),
  );
  const options = Object.fromEntries(
    list(child(header, 'OptionSet'), 'Option').map((o) => [attr(o, 'Name') ?? '', (text(o) ?? '').toUpperCase()]),
  );
  const size = text(child(header, 'MaxEnvelopeSize'));
  return {
    action: text(child(header, 'Action')),
    messageId: text(child(header, 'MessageID')),
    resourceUri: text(child(header, 'ResourceURI')),
    maxEnvelopeSize: size === undefined ? undefined : Number(size),
    operationTimeout: text(child(header, 'OperationTimeout')),
    selectors,
    options,
    body: body ?? {},
  };
}

/** The decoded stdin bytes of a Send request, and whether it closed the stream. */
export function sendPayload(request: WsmanRequest): { commandId: string | undefined; data: Buffer; end: boolean } {
  const stream = list(child(request.body, 'Send'), 'Stream')[0];
  return {
    commandId: attr(stream, 'CommandId'),
    data: Buffer.from(text(stream) ?? '', 'base64'),
    end: (attr(stream, 'End') ?? '').toLowerCase() === 'true',
  };
}
