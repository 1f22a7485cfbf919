// NTLMv2 key and response computations (MS-NLMP 3.3.2, 3.4.5): NTOWFv2, NTProofStr, session keys, sealing and
// signing keys, MIC. Pure functions over bytes; depends only on the crypto primitives.
import { md4 } from '../crypto/md4.js';
import { hmacMd5, md5 } from '../crypto/hash.js';

/** NTOWFv2 = HMAC_MD5(MD4(UTF-16LE(password)), UTF-16LE(UPPER(user) + domain)). */
export function ntowfv2(password: string, user: string, domain: string): Buffer {
  const ntHash = md4(Buffer.from(password, 'utf16le'));
  return hmacMd5(ntHash, Buffer.from(user.toUpperCase() + domain, 'utf16le'));
}

/**
 * The NTLMv2 client "temp" blob: 0x01 0x01 Z(6) Timestamp ClientChallenge Z(4) AvPairs(with EOL) Z(4).
 * `avPairsWithEol` already ends in MsvAvEOL.
 */
export function ntlmv2Temp(timestamp: Buffer, clientChallenge: Buffer, avPairsWithEol: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from([1, 1, 0, 0, 0, 0, 0, 0]),
    timestamp,
    clientChallenge,
    Buffer.alloc(4),
    avPairsWithEol,
    Buffer.alloc(4),
  ]);
}

export function ntProofStr(ntowf: Buffer, serverChallenge: Buffer, temp: Buffer): Buffer {
  return hmacMd5(ntowf, serverChallenge, temp);
}

/** For NTLMv2, SessionBaseKey is also the KeyExchangeKey. */
export function sessionBaseKey(ntowf: Buffer, proof: Buffer): Buffer {
  return hmacMd5(ntowf, proof);
}

/** LMv2 response, used when the server sent no timestamp. */
export function lmv2Response(ntowf: Buffer, serverChallenge: Buffer, clientChallenge: Buffer): Buffer {
  return Buffer.concat([hmacMd5(ntowf, serverChallenge, clientChallenge), clientChallenge]);
}

export type Direction = 'client-to-server' | 'server-to-client';

/** SIGNKEY with extended session security. */
export function signingKey(exportedSessionKey: Buffer, direction: Direction): Buffer {
  return md5(exportedSessionKey, Buffer.from(`session key to ${direction} signing key magic constant\0`, 'latin1'));
}

/** SEALKEY with extended session security and NEGOTIATE_128. */
export function sealingKey(exportedSessionKey: Buffer, direction: Direction): Buffer {
  return md5(exportedSessionKey, Buffer.from(`session key to ${direction} sealing key magic constant\0`, 'latin1'));
}

/** MIC = HMAC_MD5(ExportedSessionKey, NEGOTIATE || CHALLENGE || AUTHENTICATE with a zeroed MIC). */
export function computeMic(exportedSessionKey: Buffer, negotiate: Buffer, challenge: Buffer, zeroedAuth: Buffer): Buffer {
  return hmacMd5(exportedSessionKey, negotiate, challenge, zeroedAuth);
}

/** Milliseconds since the Unix epoch to a little-endian FILETIME (100 ns ticks since 1601). */
export function fileTime(unixMs: number): Buffer {
  const ticks = (BigInt(Math.trunc(unixMs)) + 11644473600000n) * 10000n;
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(ticks);
  return out;
}
