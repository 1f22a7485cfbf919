/**
 * Redaction for save-debug-trace: what goes into a debug trace leaves this host (a support case, a ticket),
 * so every value that could be a secret is replaced before it is archived. Pure: strings in, strings out.
 *
 * Two nets, because a secret can sit under a telling key or inside free text (an error message, a warning):
 * - a JSON value under a key that names a secret (password, token, secret, credential, webhook, api key,
 *   authorization, cookie, SAS signature) is replaced whole, whatever its type;
 * - in every string, the path and query of an http(s) URL (where web hooks carry their secret), user:password@
 *   in a URL, `key=value` pairs whose key names a secret, and `Bearer`/`Basic` credentials are replaced.
 */

export const REDACTED = '[REDACTED]';

const SECRET_KEY = /pass(word|wd|phrase)?$|^pwd$|secret|token|credential|webhook|api[-_]?key|authorization|cookie|^sig$|signature|private[-_]?key/i;
const SECRET_ASSIGNMENT = /\b((?:[A-Za-z0-9_-]*)(?:password|passwd|pwd|secret|token|apikey|api_key|api-key|sig|signature|key))(["']?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&;,'"]+)/gi;
const URL_PATTERN = /\b(https?):\/\/([^\s/?#'"<>]+)([^\s'"<>]*)/gi;
const AUTH_SCHEME = /\b(Bearer|Basic|Negotiate|NTLM)\s+[A-Za-z0-9+/=._~-]{8,}/g;

/** Counts what was replaced, so the command can say how much it redacted. */
export interface RedactionCount {
  count: number;
}

/** Redacts secrets inside free text. */
export function redactText(text: string, counter: RedactionCount = { count: 0 }): string {
  return text
    .replace(URL_PATTERN, (_whole, scheme: string, authority: string, rest: string) => {
      const host = authority.includes('@') ? authority.slice(authority.lastIndexOf('@') + 1) : authority;
      const hadSecret = authority.includes('@') || (rest !== '' && rest !== '/');
      if (!hadSecret) return `${scheme}://${host}${rest}`;
      counter.count += 1;
      return `${scheme}://${host}/${REDACTED}`;
    })
    .replace(AUTH_SCHEME, (_whole, scheme: string) => {
      counter.count += 1;
      return `${scheme} ${REDACTED}`;
    })
    .replace(SECRET_ASSIGNMENT, (whole, key: string, sep: string, value: string) => {
      if (value === REDACTED || value.includes(REDACTED)) return whole;
      counter.count += 1;
      const quote = value.startsWith('"') || value.startsWith("'") ? value[0]! : '';
      return `${key}${sep}${quote}${REDACTED}${quote}`;
    });
}

/** Redacts a parsed JSON value: secret keys replaced whole, every string scanned as text. */
export function redactJson(value: unknown, counter: RedactionCount = { count: 0 }): unknown {
  if (typeof value === 'string') return redactText(value, counter);
  if (Array.isArray(value)) return value.map((item) => redactJson(item, counter));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (SECRET_KEY.test(key) && item !== null && item !== '' && item !== false) {
        counter.count += 1;
        out[key] = REDACTED;
      } else {
        out[redactText(key, counter)] = redactJson(item, counter);
      }
    }
    return out;
  }
  return value;
}

/**
 * Redacts a file's text by its kind: JSON whole, JSON Lines line by line (a line that is not JSON, such as a
 * torn last record, as text), anything else as text.
 */
export function redactFile(name: string, text: string, counter: RedactionCount = { count: 0 }): string {
  if (name.endsWith('.jsonl')) {
    return text
      .split('\n')
      .map((line) => (line.trim() === '' ? line : redactJsonText(line, counter, false)))
      .join('\n');
  }
  if (name.endsWith('.json')) return redactJsonText(text, counter, true);
  return redactText(text, counter);
}

function redactJsonText(text: string, counter: RedactionCount, pretty: boolean): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return redactText(text, counter);
  }
  const redacted = JSON.stringify(redactJson(parsed, counter), null, pretty ? 2 : undefined);
  return pretty ? `${redacted}\n` : redacted;
}
