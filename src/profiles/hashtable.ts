// Reads the PowerShell hashtable literals admins copy from Microsoft's docs (`@{ 'a'='b' }`, `@{},@{k=v}`) as plain
// data, refusing anything that would run code, and writes them back. Depends on src/errors.ts only.
import { AppError, ExitCode } from '../errors.js';

/**
 * A hashtable text that cauctl cannot read, or that would run code in PowerShell. Code PROFILE_HASHTABLE_SYNTAX,
 * exit 2. The message names the line (for multi-line input) and column, counted from 1.
 */
export class HashtableSyntaxError extends AppError {
  readonly line: number;
  readonly column: number;
  readonly reason: string;

  constructor(reason: string, line: number, column: number, hint?: string) {
    const where = line > 1 ? `line ${line}, column ${column}` : `column ${column}`;
    super('PROFILE_HASHTABLE_SYNTAX', ExitCode.usage, `hashtable syntax, ${where}: ${reason}`, {
      hint: hint ?? "write values as single-quoted strings, e.g. @{ QueryString = 'IsInstalled=0' }; nothing in them is evaluated",
      details: { line, column },
    });
    this.name = 'HashtableSyntaxError';
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}

// PowerShell treats the typographic quotes as quotes too, and text copied from a web page often has them.
const SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b";
const DOUBLE_QUOTES = '"\u201c\u201d\u201e';
/** Characters after `$` that start a variable or sub-expression in PowerShell. */
const VARIABLE_START = /[\p{L}\p{N}_?^$:{(]/u;
const VARIABLE_NAME = /^[\p{L}\p{N}_]+/u;
const BAREWORD_KEY_START = /[\p{L}\p{N}_]/u;
const BAREWORD_KEY_CHAR = /[\p{L}\p{N}_.-]/u;
/** Keys written without quotes by formatHashtable: conservative, so that PowerShell reads them as strings. */
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Characters that would make a bareword value an expression, a pipeline or a redirection in PowerShell. */
const BAREWORD_FORBIDDEN = /[$@(){}[\]&|<>`'"\u2018\u2019\u201a\u201b\u201c\u201d\u201e=,]/u;
const AUTOMATIC_CONSTANTS: Readonly<Record<string, string>> = { true: 'True', false: 'False', null: '' };

const DOUBLE_QUOTE_ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

function isNewline(c: string | undefined): boolean {
  return c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029';
}

function isInlineSpace(c: string | undefined): boolean {
  return c !== undefined && !isNewline(c) && /\s/u.test(c);
}

/** Hashtable keys in PowerShell compare case-insensitively: `@{a=1; A=2}` is a duplicate key error there too. */
function foldKey(key: string): string {
  return key.toLowerCase();
}

/** Sets an own, enumerable property even for keys such as `__proto__`, which plain assignment would not. */
function define(target: Record<string, string>, key: string, value: string): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** One parse over one text; holds the cursor, so a new one is made per call. */
class HashtableReader {
  private pos = 0;

  constructor(private readonly text: string) {}

  fail(reason: string, at: number = this.pos, hint?: string): never {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at && i < this.text.length; i += 1) {
      const c = this.text[i];
      if (c === '\n' || (c === '\r' && this.text[i + 1] !== '\n') || c === '\u2028' || c === '\u2029') {
        line += 1;
        lineStart = i + 1;
      }
    }
    throw new HashtableSyntaxError(reason, line, at - lineStart + 1, hint);
  }

  private peek(offset = 0): string | undefined {
    return this.text[this.pos + offset];
  }

  private describe(at: number): string {
    const c = this.text[at];
    if (c === undefined) return 'the end of the text';
    if (isNewline(c)) return 'a line break';
    return `'${c}'`;
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  /** Spaces, comments and backtick line continuations; with `newlines`, line breaks and `;` too. */
  skip(newlines: boolean, semicolons = newlines): void {
    for (;;) {
      const c = this.peek();
      if (isInlineSpace(c) || (newlines && isNewline(c)) || (semicolons && c === ';')) {
        this.pos += 1;
      } else if (c === '`' && isNewline(this.peek(1))) {
        this.pos += this.peek(1) === '\r' && this.peek(2) === '\n' ? 3 : 2;
      } else if (c === '#') {
        while (!this.atEnd() && !isNewline(this.peek())) this.pos += 1;
      } else if (c === '<' && this.peek(1) === '#') {
        const close = this.text.indexOf('#>', this.pos + 2);
        if (close < 0) this.fail("unterminated block comment '<#'", this.pos);
        this.pos = close + 2;
      } else {
        return;
      }
    }
  }

  /** `@{},@{k=v}` or `@(@{}, @{k=v})`: the comma-separated list PowerShell turns into Hashtable[]. */
  list(): Array<Record<string, string>> {
    this.skip(true, false);
    const tables: Array<Record<string, string>> = [];
    if (this.atEnd()) return tables;
    if (this.peek() === '@' && this.peek(1) === '(') {
      const open = this.pos;
      this.pos += 2;
      this.skip(true);
      while (this.peek() !== ')') {
        if (this.atEnd()) this.fail("missing ')' for the '@(' opened here", open);
        tables.push(this.table());
        this.skip(false, false);
        if (this.peek() === ',' || this.peek() === ';' || isNewline(this.peek())) {
          this.pos += 1;
          this.skip(true);
        } else if (this.atEnd()) {
          this.fail("missing ')' for the '@(' opened here", open);
        } else if (this.peek() !== ')') {
          this.fail(`expected ',' or ')' after a hashtable, found ${this.describe(this.pos)}`);
        }
      }
      this.pos += 1;
    } else {
      for (;;) {
        tables.push(this.table());
        this.skip(false, false);
        if (this.peek() !== ',') break;
        this.pos += 1;
        this.skip(true, false);
      }
    }
    this.skip(true, false);
    if (!this.atEnd()) this.fail(`expected ',' between hashtables, found ${this.describe(this.pos)}`);
    return tables;
  }

  /** Exactly one `@{...}` and nothing after it. */
  single(): Record<string, string> {
    this.skip(true, false);
    const table = this.table();
    this.skip(true, false);
    if (this.peek() === ',') {
      this.fail('expected a single hashtable, found a list; each plug-in takes one @{...}', this.pos);
    }
    if (!this.atEnd()) this.fail(`unexpected ${this.describe(this.pos)} after the hashtable`);
    return table;
  }

  table(): Record<string, string> {
    const open = this.pos;
    if (this.peek() !== '@' || this.peek(1) !== '{') {
      this.fail(`expected '@{' to start a hashtable, found ${this.describe(this.pos)}`);
    }
    this.pos += 2;
    const result: Record<string, string> = {};
    const seen = new Map<string, string>();
    for (;;) {
      this.skip(true);
      if (this.atEnd()) this.fail("missing '}' for the '@{' opened here", open);
      if (this.peek() === '}') {
        this.pos += 1;
        return result;
      }
      const keyAt = this.pos;
      const key = this.key();
      this.skip(false, false);
      if (this.peek() !== '=') {
        this.fail(`expected '=' after the key '${key}', found ${this.describe(this.pos)}`);
      }
      this.pos += 1;
      this.skip(true, false);
      const value = this.value(key);
      const previous = seen.get(foldKey(key));
      if (previous !== undefined) {
        this.fail(
          `duplicate key '${key}'${previous === key ? '' : ` (same as '${previous}': keys ignore case)`}`,
          keyAt,
          'each argument may appear once per hashtable',
        );
      }
      seen.set(foldKey(key), key);
      define(result, key, value);
      this.skip(false, false);
      const next = this.peek();
      if (next === ',') {
        this.fail(`a list of values for '${key}' is not supported; plug-in arguments are single strings`);
      }
      if (next !== ';' && next !== '}' && !isNewline(next) && next !== undefined) {
        this.fail(`unexpected ${this.describe(this.pos)} after the value of '${key}'; separate entries with ';' or a line break`, this.pos, "quote values that contain spaces: 'like this'");
      }
    }
  }

  private key(): string {
    const c = this.peek();
    if (c !== undefined && (SINGLE_QUOTES.includes(c) || DOUBLE_QUOTES.includes(c))) return this.stringLiteral();
    if (c !== undefined && BAREWORD_KEY_START.test(c)) {
      const start = this.pos;
      while (this.peek() !== undefined && BAREWORD_KEY_CHAR.test(this.peek()!)) this.pos += 1;
      return this.text.slice(start, this.pos);
    }
    if (c === '$' || c === '(' || c === '[') this.refuseCode(this.pos);
    return this.fail(`expected a key, found ${this.describe(this.pos)}`);
  }

  private value(key: string): string {
    const c = this.peek();
    if (c === undefined || isNewline(c) || c === ';' || c === '}') this.fail(`missing value for '${key}'`);
    if (SINGLE_QUOTES.includes(c) || DOUBLE_QUOTES.includes(c)) return this.stringLiteral();
    if (c === '$') return this.constant();
    if (c === '@' && (SINGLE_QUOTES.includes(this.peek(1) ?? '') || DOUBLE_QUOTES.includes(this.peek(1) ?? ''))) {
      this.fail('here-strings are not supported', this.pos, "use a single-quoted string: 'text' (write '' for a quote)");
    }
    if (c === '@' && this.peek(1) === '{') this.fail(`a nested hashtable is not supported as the value of '${key}'`);
    if (c === '@' && this.peek(1) === '(') this.fail(`an array is not supported as the value of '${key}'`);
    if (BAREWORD_FORBIDDEN.test(c) || c === '`') this.refuseCode(this.pos);
    return this.bareword();
  }

  /** A bareword value, taken as text. (PowerShell would run it as a command; admins mean the text.) */
  private bareword(): string {
    const start = this.pos;
    for (;;) {
      const c = this.peek();
      if (c === undefined || isInlineSpace(c) || isNewline(c) || c === ';' || c === '}' || c === ',') break;
      if (BAREWORD_FORBIDDEN.test(c)) this.refuseCode(this.pos);
      this.pos += 1;
    }
    return this.text.slice(start, this.pos);
  }

  /** `$true`, `$false` and `$null`, as CAU's string conversion writes them; every other `$` would run code. */
  private constant(): string {
    const start = this.pos;
    const name = VARIABLE_NAME.exec(this.text.slice(this.pos + 1))?.[0];
    const known = name === undefined ? undefined : AUTOMATIC_CONSTANTS[name.toLowerCase()];
    const after = this.text[this.pos + 1 + (name?.length ?? 0)];
    if (known === undefined || after === ':' || after === '.' || after === '[') this.refuseCode(start);
    this.pos += 1 + name!.length;
    return known;
  }

  private refuseCode(at: number): never {
    const c = this.text[at];
    const next = this.text[at + 1];
    if (c === '$' && next === '(') this.fail("'$(' is a sub-expression and would run code; cauctl never evaluates PowerShell", at);
    if (c === '$' && next === '{') this.fail("'${' is a variable; cauctl never evaluates PowerShell", at);
    if (c === '$') {
      const name = VARIABLE_NAME.exec(this.text.slice(at + 1))?.[0];
      this.fail(
        name === undefined
          ? "'$' would start a variable; only $true, $false and $null are accepted"
          : `'$${name}' is a variable; only $true, $false and $null are accepted`,
        at,
      );
    }
    if (c === '{') this.fail('a script block would run code; cauctl never evaluates PowerShell', at);
    if (c === '(') this.fail("'(' starts an expression and would run code; quote the value instead", at);
    if (c === '[') this.fail("'[' starts a type cast or index; quote the value instead", at);
    if (c === '@') this.fail("'@' starts an array or splat; quote the value instead", at);
    if (c === '&' || c === '|') this.fail(`'${c}' would invoke a command; quote the value instead`, at);
    if (c === '<' || c === '>') this.fail(`'${c}' is a redirection; quote the value instead`, at);
    if (c === '`') this.fail('backtick escapes work only inside double quotes; quote the value instead', at);
    if (c === '=') this.fail("unexpected '=' in a value; quote values that contain '='", at);
    return this.fail(`unexpected ${this.describe(at)} in a value; quote the value instead`, at);
  }

  stringLiteral(): string {
    const open = this.pos;
    const quote = this.peek()!;
    this.pos += 1;
    return SINGLE_QUOTES.includes(quote) ? this.singleQuoted(open) : this.doubleQuoted(open);
  }

  /** Single quotes: verbatim, and a doubled quote (any of the typographic ones too) stands for its second char. */
  private singleQuoted(open: number): string {
    let out = '';
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.fail('unterminated string: no closing single quote for the one opened here', open);
      this.pos += 1;
      if (SINGLE_QUOTES.includes(c)) {
        const next = this.peek();
        if (next === undefined || !SINGLE_QUOTES.includes(next)) return out;
        out += next;
        this.pos += 1;
      } else {
        out += c;
      }
    }
  }

  /** Double quotes: backtick escapes and doubled quotes; `$` expansions are refused, except $true/$false/$null. */
  private doubleQuoted(open: number): string {
    let out = '';
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.fail('unterminated string: no closing double quote for the one opened here', open);
      if (c === '`') {
        const escaped = this.peek(1);
        if (escaped === undefined) this.fail('unterminated string: no closing double quote for the one opened here', open);
        if (escaped === 'u' && this.peek(2) === '{') {
          out += this.unicodeEscape();
          continue;
        }
        out += DOUBLE_QUOTE_ESCAPES[escaped] ?? escaped;
        this.pos += 2;
        continue;
      }
      if (DOUBLE_QUOTES.includes(c)) {
        const next = this.peek(1);
        if (next === undefined || !DOUBLE_QUOTES.includes(next)) {
          this.pos += 1;
          return out;
        }
        out += next;
        this.pos += 2;
        continue;
      }
      if (c === '$' && VARIABLE_START.test(this.peek(1) ?? '')) {
        out += this.constant();
        continue;
      }
      out += c;
      this.pos += 1;
    }
  }

  /** `` `u{1F600} `` (PowerShell 6+): one code point, 1 to 6 hex digits, at most U+10FFFF. */
  private unicodeEscape(): string {
    const start = this.pos;
    const match = /^`u\{([0-9A-Fa-f]{1,6})\}/.exec(this.text.slice(this.pos, this.pos + 10));
    const code = match === null ? Number.NaN : Number.parseInt(match[1]!, 16);
    if (match === null || code > 0x10ffff) this.fail("invalid escape '`u{...}': expected 1 to 6 hex digits up to 10FFFF", start);
    this.pos += match[0].length;
    return String.fromCodePoint(code);
  }

  /**
   * The `key=value` form: pairs separated by `;` or line breaks (outside quotes), each split at its first `=`, so
   * `QueryString=IsInstalled=0 and Type='Software'` keeps everything after the first `=`. A value that is exactly
   * one quoted PowerShell string is unquoted; any other value is taken verbatim, with its quotes.
   */
  keyValuePairs(): Record<string, string> {
    const result: Record<string, string> = {};
    const seen = new Map<string, string>();
    for (const [start, end] of this.splitPairs()) {
      const piece = this.text.slice(start, end);
      if (piece.trim() === '') continue;
      const leading = piece.length - piece.trimStart().length;
      const equals = piece.indexOf('=');
      if (equals < 0) this.fail(`expected key=value, found '${piece.trim()}'`, start + leading);
      const key = piece.slice(0, equals).trim();
      if (key === '' || !BAREWORD_KEY_START.test(key[0]!) || ![...key].every((c) => BAREWORD_KEY_CHAR.test(c))) {
        this.fail(`'${key}' is not a valid key; use letters, digits, '_', '-' or '.'`, start + leading);
      }
      const previous = seen.get(foldKey(key));
      if (previous !== undefined) {
        this.fail(`duplicate key '${key}'${previous === key ? '' : ` (same as '${previous}': keys ignore case)`}`, start + leading);
      }
      seen.set(foldKey(key), key);
      const rawValue = piece.slice(equals + 1);
      const valueStart = start + equals + 1 + (rawValue.length - rawValue.trimStart().length);
      define(result, key, this.pairValue(valueStart, valueStart + rawValue.trim().length));
    }
    return result;
  }

  private pairValue(start: number, end: number): string {
    const first = this.text[start];
    if (first !== undefined && start < end && (SINGLE_QUOTES.includes(first) || DOUBLE_QUOTES.includes(first))) {
      this.pos = start;
      const value = this.stringLiteral();
      if (this.pos === end) return value;
    }
    return this.text.slice(start, end);
  }

  /** Offsets of the `key=value` pieces: split at `;` and line breaks that are not inside quotes. */
  private splitPairs(): Array<[number, number]> {
    const pieces: Array<[number, number]> = [];
    let start = 0;
    let quote: 'single' | 'double' | undefined;
    let quoteAt = 0;
    for (let i = 0; i < this.text.length; i += 1) {
      const c = this.text[i]!;
      if (quote === 'double' && c === '`') {
        i += 1;
      } else if (quote === undefined && SINGLE_QUOTES.includes(c)) {
        quote = 'single';
        quoteAt = i;
      } else if (quote === undefined && DOUBLE_QUOTES.includes(c)) {
        quote = 'double';
        quoteAt = i;
      } else if ((quote === 'single' && SINGLE_QUOTES.includes(c)) || (quote === 'double' && DOUBLE_QUOTES.includes(c))) {
        // A doubled quote inside a string toggles twice, which leaves us inside it.
        quote = undefined;
      } else if (quote === undefined && (c === ';' || isNewline(c))) {
        pieces.push([start, i]);
        start = i + 1;
      }
    }
    if (quote !== undefined) {
      this.fail(`unterminated string: no closing ${quote} quote for the one opened here`, quoteAt, 'quote the whole value, doubling quotes inside it, or use the @{...} form');
    }
    pieces.push([start, this.text.length]);
    return pieces;
  }
}

function looksLikeHashtable(text: string): boolean {
  return text.trimStart().startsWith('@');
}

/**
 * Parses one set of plug-in arguments: `@{ 'a'='b'; c = 1 }` or `key=value;key2=value2`. Values come back as the
 * strings CAU hands to plug-ins: `$true` is `True`, `$false` is `False`, `$null` is empty, numbers and barewords
 * keep their text as written. Blank text is an empty set. Throws HashtableSyntaxError for anything PowerShell
 * would evaluate (`$(...)`, variables, script blocks, parentheses), unterminated strings, duplicate keys (which,
 * as in PowerShell, ignore case) and lists of hashtables.
 */
export function parseHashtable(text: string): Record<string, string> {
  const reader = new HashtableReader(text);
  if (looksLikeHashtable(text)) return reader.single();
  return reader.keyValuePairs();
}

/**
 * Parses a comma-separated list `@{},@{k=v}` (or `@(@{}, @{k=v})`) into one record per hashtable, in order; CAU
 * matches them to plug-in names by position. A single hashtable or `key=value` text is a list of one; blank text is
 * an empty list.
 */
export function parseHashtableList(text: string): Array<Record<string, string>> {
  if (text.trim() === '') return [];
  if (!looksLikeHashtable(text)) return [parseHashtable(text)];
  return new HashtableReader(text).list();
}

function quote(text: string): string {
  let out = "'";
  for (const c of text) out += SINGLE_QUOTES.includes(c) ? c + c : c;
  return `${out}'`;
}

/**
 * Canonical PowerShell text for a set of arguments: `@{QueryString='IsInstalled=0'; 'odd key'='it''s'}`. Values
 * are always single-quoted, so nothing in them is ever expanded; simple keys stay bare. parseHashtable reads it
 * back unchanged.
 */
export function formatHashtable(value: Readonly<Record<string, string>>): string {
  const entries = Object.entries(value).map(([key, v]) => `${PLAIN_KEY.test(key) ? key : quote(key)}=${quote(v)}`);
  return `@{${entries.join('; ')}}`;
}

/** Canonical text for a list of argument sets, `@{...},@{...}`, as parseHashtableList reads it. */
export function formatHashtableList(values: ReadonlyArray<Readonly<Record<string, string>>>): string {
  return values.length === 0 ? '@()' : values.map(formatHashtable).join(',');
}
