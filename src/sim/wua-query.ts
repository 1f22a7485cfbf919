/**
 * The simulator's model of the Windows Update Agent's search criteria (the WindowsUpdatePlugin's `QueryString`):
 * a small parser and evaluator, enough to filter a simulated node's updates as `IUpdateSearcher::Search` would.
 * On a node, WUA itself reads the criteria (scan-updates.ps1 passes them on); nothing in cauctl's coordinator
 * uses this, so it lives with the simulator (it was src/plugins/wua-query.ts). Pure: depends only on errors.
 */
import { AppError, ExitCode } from '../errors.js';

/** The plug-in's default criteria (cau-surface §8), used when `QueryString` is not given. */
export const DEFAULT_WUA_QUERY = "IsInstalled=0 and Type='Software' and IsHidden=0 and IsAssigned=1";

/** Criteria this evaluator understands, in their canonical spelling. */
export const WUA_FIELDS = ['IsInstalled', 'IsHidden', 'IsAssigned', 'RebootRequired', 'Type', 'UpdateID'] as const;
export type WuaField = (typeof WUA_FIELDS)[number];

const BOOLEAN_FIELDS: ReadonlySet<WuaField> = new Set(['IsInstalled', 'IsHidden', 'IsAssigned', 'RebootRequired']);
const UPDATE_TYPES = ['Software', 'Driver'] as const;

export type WuaQuery =
  | { readonly kind: 'and' | 'or'; readonly items: readonly WuaQuery[] }
  | { readonly kind: 'compare'; readonly field: WuaField; readonly value: boolean | string };

/** What the evaluator needs to know about one update. */
export interface WuaUpdateFacts {
  readonly updateId: string;
  readonly type: 'Software' | 'Driver';
  readonly isInstalled: boolean;
  readonly isHidden: boolean;
  readonly isAssigned: boolean;
  readonly rebootRequired: boolean;
}

/** WU_E_INVALID_CRITERIA: what Windows Update itself returns for criteria it cannot parse. */
export const WU_E_INVALID_CRITERIA = '0x80240032';

function invalid(text: string, position: number, problem: string): AppError {
  return new AppError(
    'WUA_QUERY_INVALID',
    ExitCode.usage,
    `Invalid Windows Update query (${WU_E_INVALID_CRITERIA} WU_E_INVALID_CRITERIA) at character ${position + 1} of "${text}": ${problem}`,
    {
      hint: `Supported: ${WUA_FIELDS.join(', ')} compared with '=', joined by 'and'/'or' and parentheses. Default: ${DEFAULT_WUA_QUERY}`,
      details: { position },
    },
  );
}

type Token =
  | { kind: 'word'; text: string; at: number }
  | { kind: 'string'; text: string; at: number }
  | { kind: 'number'; text: string; at: number }
  | { kind: 'op'; text: string; at: number }
  | { kind: 'end'; text: ''; at: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i += 1;
    } else if (ch === '(' || ch === ')' || ch === '=') {
      tokens.push({ kind: 'op', text: ch, at: i });
      i += 1;
    } else if (ch === '!' || ch === '<' || ch === '>') {
      const op = /^(!=|<=|>=|<>|<|>)/.exec(text.slice(i))?.[0] ?? ch;
      throw invalid(text, i, `operator '${op}' is not supported; only '=' is`);
    } else if (ch === "'") {
      // Add-/Set-CauClusterRole docs wrap GUIDs in doubled quotes (''<guid>''); accept that as a copy-paste.
      const doubled = text.startsWith("''", i) && text[i + 2] !== "'" && text[i + 2] !== undefined && text[i + 2] !== ' ';
      const quote = doubled ? "''" : "'";
      const close = text.indexOf(quote, i + quote.length);
      if (close < 0) throw invalid(text, i, 'unterminated string');
      tokens.push({ kind: 'string', text: text.slice(i + quote.length, close), at: i });
      i = close + quote.length;
    } else if (/[0-9]/.test(ch)) {
      const m = /^[0-9]+/.exec(text.slice(i))![0];
      tokens.push({ kind: 'number', text: m, at: i });
      i += m.length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))![0];
      tokens.push({ kind: 'word', text: m, at: i });
      i += m.length;
    } else {
      throw invalid(text, i, `unexpected character '${ch}'`);
    }
  }
  tokens.push({ kind: 'end', text: '', at: text.length });
  return tokens;
}

/** Parses WUA criteria. Throws `AppError('WUA_QUERY_INVALID')` naming the position and the problem. */
export function parseWuaQuery(text: string): WuaQuery {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (): Token => tokens[pos]!;
  const isKeyword = (t: Token, word: string): boolean => t.kind === 'word' && t.text.toLowerCase() === word;

  const parseJunction = (word: 'and' | 'or', next: () => WuaQuery): WuaQuery => {
    const items = [next()];
    while (isKeyword(peek(), word)) {
      pos += 1;
      items.push(next());
    }
    return items.length === 1 ? items[0]! : { kind: word, items };
  };
  const parseOr = (): WuaQuery => parseJunction('or', parseAnd);
  const parseAnd = (): WuaQuery => parseJunction('and', parseFactor);
  const parseFactor = (): WuaQuery => {
    const t = peek();
    if (t.kind === 'op' && t.text === '(') {
      pos += 1;
      const inner = parseOr();
      const close = peek();
      if (close.kind !== 'op' || close.text !== ')') throw invalid(text, close.at, "expected ')'");
      pos += 1;
      return inner;
    }
    if (t.kind !== 'word') {
      throw invalid(text, t.at, t.kind === 'end' ? 'expected a criterion, found the end' : `expected a criterion, found '${t.text}'`);
    }
    const field = WUA_FIELDS.find((f) => f.toLowerCase() === t.text.toLowerCase());
    if (!field) {
      throw invalid(text, t.at, `unsupported criterion '${t.text}' (supported: ${WUA_FIELDS.join(', ')})`);
    }
    pos += 1;
    const op = peek();
    if (op.kind === 'word' && op.text.toLowerCase() === 'contains') {
      throw invalid(text, op.at, "operator 'contains' is not supported; only '=' is");
    }
    if (op.kind !== 'op' || op.text !== '=') throw invalid(text, op.at, `expected '=' after ${field}`);
    pos += 1;
    const v = peek();
    pos += 1;
    if (BOOLEAN_FIELDS.has(field)) {
      if (v.kind !== 'number' || (v.text !== '0' && v.text !== '1')) {
        throw invalid(text, v.at, `${field} takes 0 or 1`);
      }
      return { kind: 'compare', field, value: v.text === '1' };
    }
    if (v.kind !== 'string') throw invalid(text, v.at, `${field} takes a quoted string, as in ${field}='...'`);
    if (field === 'Type') {
      const type = UPDATE_TYPES.find((u) => u.toLowerCase() === v.text.toLowerCase());
      if (!type) throw invalid(text, v.at, `Type is 'Software' or 'Driver', not '${v.text}'`);
      return { kind: 'compare', field, value: type };
    }
    return { kind: 'compare', field, value: v.text };
  };

  const query = parseOr();
  const rest = peek();
  if (rest.kind !== 'end') throw invalid(text, rest.at, `unexpected '${rest.text}' (join criteria with 'and' or 'or')`);
  return query;
}

/** Whether one update satisfies the query. Strings compare case-insensitively, as WUA does for GUIDs. */
export function evaluateWuaQuery(query: WuaQuery, update: WuaUpdateFacts): boolean {
  switch (query.kind) {
    case 'and':
      return query.items.every((q) => evaluateWuaQuery(q, update));
    case 'or':
      return query.items.some((q) => evaluateWuaQuery(q, update));
    case 'compare':
      switch (query.field) {
        case 'IsInstalled':
          return update.isInstalled === query.value;
        case 'IsHidden':
          return update.isHidden === query.value;
        case 'IsAssigned':
          return update.isAssigned === query.value;
        case 'RebootRequired':
          return update.rebootRequired === query.value;
        case 'Type':
          return update.type === query.value;
        case 'UpdateID':
          return update.updateId.toLowerCase() === String(query.value).toLowerCase();
      }
  }
}

/** Writes a query back as criteria text (fully parenthesized), e.g. for messages and round-trip tests. */
export function formatWuaQuery(query: WuaQuery): string {
  if (query.kind === 'compare') {
    if (typeof query.value === 'boolean') return `${query.field}=${query.value ? 1 : 0}`;
    return `${query.field}='${query.value}'`;
  }
  return query.items.map((q) => (q.kind === 'compare' ? formatWuaQuery(q) : `(${formatWuaQuery(q)})`)).join(` ${query.kind} `);
}
