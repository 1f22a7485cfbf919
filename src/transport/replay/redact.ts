/**
 * Keeps secrets out of recordings: values under secret-sounding keys, the secrets this process holds (the
 * password, wherever it shows up in a reply or a message), and authentication material that has a shape of its
 * own (NTLM messages, Authorization headers). Applied to every value before it is written.
 * Depends on nothing.
 */

export const REDACTED = '[REDACTED]';

/** Keys whose values are secrets whatever they hold (compared without case, `_` and `-`). */
const SECRET_KEY = /^(?:.*(?:password|passwd|passphrase|secret|token|credential|apikey|privatekey|sessionkey|nthash|lmhash|ntlm|authorization|cookie)).*$|^(?:pwd|key|hash|sig|signature)$/;

/**
 * Authentication material recognisable by its shape: an NTLM message in base64 (it starts with "NTLMSSP\0",
 * `TlRMTVNTUAA`), and the scheme and blob of an Authorization header.
 */
const SECRET_SHAPES: readonly RegExp[] = [
  /TlRMTVNTUAA[A-Za-z0-9+/=]*/g,
  /\b(Negotiate|NTLM|Kerberos|Basic|Bearer)\s+[A-Za-z0-9+/=._-]{8,}/gi,
];

function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key.toLowerCase().replace(/[_-]/g, ''));
}

export interface Redactor {
  /** A deep copy of `value` with every secret replaced by [REDACTED]. */
  (value: unknown): unknown;
}

/**
 * `secrets()` returns the secret values known now (a password read lazily appears once it has been read);
 * values shorter than 4 characters are not searched for, since they would match ordinary text.
 */
export function createRedactor(secrets: () => readonly string[] = () => []): Redactor {
  const text = (s: string): string => {
    let out = s;
    for (const secret of secrets()) {
      if (secret.length >= 4) out = out.split(secret).join(REDACTED);
    }
    for (const shape of SECRET_SHAPES) out = out.replace(shape, (match, scheme?: string) => (typeof scheme === 'string' ? `${scheme} ${REDACTED}` : REDACTED));
    return out;
  };
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return text(value);
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(value)) {
        out[key] = isSecretKey(key) && inner !== null && inner !== undefined && inner !== false ? REDACTED : walk(inner);
      }
      return out;
    }
    return value;
  };
  return walk;
}
