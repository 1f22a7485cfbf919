// MD5 and HMAC-MD5 from node:crypto (OpenSSL 3 still provides both outside FIPS mode). Depends on node:crypto only.
import { createHash, createHmac } from 'node:crypto';

export function md5(...parts: Uint8Array[]): Buffer {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
}

export function hmacMd5(key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const h = createHmac('md5', key);
  for (const p of parts) h.update(p);
  return h.digest();
}
