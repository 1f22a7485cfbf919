/**
 * Decodes the `#< CLIXML` text PowerShell writes to stderr when its streams are redirected: every `<Objs>`
 * document, error (and chosen) streams as text, `_xHHHH_` escapes undone, progress records dropped, and any
 * text that is not CLIXML kept as it is. Depends on fast-xml-parser only.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

const CLIXML_HEADER = '#< CLIXML';

/** Streams kept by default: errors, plus warnings because they often explain the error that follows. */
export const DEFAULT_CLIXML_STREAMS: readonly string[] = ['Error', 'Warning'];

export interface ClixmlOptions {
  /**
   * Stream names (`Error`, `Warning`, `Verbose`, `Debug`, `Information`) whose text is kept, compared without
   * case because Windows PowerShell writes `Error` and `warning`. Progress is always dropped.
   * @default ['Error', 'Warning']
   */
  streams?: readonly string[];
}

/** True when `text` carries a CLIXML header (at the start or after other output). */
export function isClixml(text: string): boolean {
  return text.includes(CLIXML_HEADER);
}

/**
 * Undoes PowerShell's XML string escape: each `_xHHHH_` is one UTF-16 code unit, so surrogate pairs arrive as
 * two escapes and join back into one character here. An underscore that starts such a sequence literally is
 * itself escaped (`_x005F_`), which a single left-to-right pass handles.
 */
export function decodeClixmlEscapes(text: string): string {
  return text.replace(/_x([0-9A-Fa-f]{4})_/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Decodes stderr that may hold CLIXML; text without the header comes back unchanged. */
export function decodeClixml(stderr: string, options: ClixmlOptions = {}): string {
  const headerAt = stderr.indexOf(CLIXML_HEADER);
  if (headerAt < 0) return stderr;
  const streams = new Set((options.streams ?? DEFAULT_CLIXML_STREAMS).map((s) => s.toLowerCase()));

  const parts: string[] = [];
  const before = stderr.slice(0, headerAt);
  if (before.trim() !== '') parts.push(before);

  let rest = stderr.slice(headerAt + CLIXML_HEADER.length).replace(/^\r?\n/, '');
  // Several documents may follow one header (one per flush); text between them is noise to keep.
  while (rest.length > 0) {
    const start = rest.indexOf('<Objs');
    if (start < 0) {
      if (rest.trim() !== '') parts.push(rest);
      break;
    }
    const noise = rest.slice(0, start);
    if (noise.trim() !== '') parts.push(noise);
    const endTag = rest.indexOf('</Objs>', start);
    if (endTag < 0) {
      parts.push(rest.slice(start));
      break;
    }
    const end = endTag + '</Objs>'.length;
    const document = rest.slice(start, end);
    const decoded = decodeDocument(document, streams);
    parts.push(decoded ?? document);
    rest = rest.slice(end).replace(/^\r?\n/, '');
  }
  return parts.join('');
}

type OrderedNode = Record<string, unknown>;

const PARSER_OPTIONS = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
} as const;

/** Text of the kept streams in one `<Objs>` document, or undefined when it is not well-formed XML. */
function decodeDocument(document: string, streams: ReadonlySet<string>): string | undefined {
  if (XMLValidator.validate(document) !== true) return undefined;
  let tree: unknown;
  try {
    tree = new XMLParser(PARSER_OPTIONS).parse(document);
  } catch {
    return undefined;
  }
  const out: string[] = [];
  for (const root of asNodes(tree)) {
    for (const child of asNodes(root['Objs'])) {
      const stream = attribute(child, 'S')?.toLowerCase();
      if (stream === undefined || stream === 'progress' || !streams.has(stream)) continue;
      if ('S' in child) {
        out.push(decodeClixmlEscapes(textOf(child['S'])));
      } else if ('Obj' in child) {
        // PowerShell 7 writes whole records (`<Obj S="Error">`); their <ToString> is the message.
        const toString = asNodes(child['Obj']).find((n) => 'ToString' in n);
        if (toString !== undefined) out.push(`${decodeClixmlEscapes(textOf(toString['ToString']))}\n`);
      }
    }
  }
  return out.join('');
}

function asNodes(value: unknown): OrderedNode[] {
  return Array.isArray(value) ? value.filter((v): v is OrderedNode => typeof v === 'object' && v !== null) : [];
}

function attribute(node: OrderedNode, name: string): string | undefined {
  const attrs = node[':@'];
  if (typeof attrs !== 'object' || attrs === null) return undefined;
  const value = (attrs as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

function textOf(children: unknown): string {
  return asNodes(children)
    .map((n) => n['#text'])
    .filter((t): t is string | number => typeof t === 'string' || typeof t === 'number')
    .map(String)
    .join('');
}
