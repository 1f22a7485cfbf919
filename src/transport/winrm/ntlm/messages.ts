// NTLM message encoding and decoding (MS-NLMP 2.2): NEGOTIATE, CHALLENGE, AUTHENTICATE and AV pairs. Pure
// byte layout: no crypto, no I/O.

export const NtlmFlag = {
  unicode: 0x00000001,
  oem: 0x00000002,
  requestTarget: 0x00000004,
  sign: 0x00000010,
  seal: 0x00000020,
  ntlm: 0x00000200,
  anonymous: 0x00000800,
  alwaysSign: 0x00008000,
  targetTypeDomain: 0x00010000,
  targetTypeServer: 0x00020000,
  extendedSessionSecurity: 0x00080000,
  targetInfo: 0x00800000,
  version: 0x02000000,
  negotiate128: 0x20000000,
  keyExchange: 0x40000000,
  negotiate56: 0x80000000,
} as const;

/** What we ask for (winrm.md §2.4): NTLMv2 with ESS, 128-bit sealing and signing, key exchange. */
export const clientNegotiateFlags =
  (NtlmFlag.unicode |
    NtlmFlag.requestTarget |
    NtlmFlag.sign |
    NtlmFlag.seal |
    NtlmFlag.ntlm |
    NtlmFlag.alwaysSign |
    NtlmFlag.extendedSessionSecurity |
    NtlmFlag.version |
    NtlmFlag.negotiate128 |
    NtlmFlag.keyExchange |
    NtlmFlag.negotiate56) >>>
  0;

export const AvId = {
  eol: 0,
  nbComputerName: 1,
  nbDomainName: 2,
  dnsComputerName: 3,
  dnsDomainName: 4,
  dnsTreeName: 5,
  flags: 6,
  timestamp: 7,
  singleHost: 8,
  targetName: 9,
  channelBindings: 10,
} as const;

/** MsvAvFlags bit: the AUTHENTICATE message carries a MIC. */
export const AV_FLAG_MIC_PRESENT = 0x2;

export interface AvPair {
  readonly id: number;
  readonly value: Buffer;
}

const SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');
/** Version field we send: Windows 10.0 build 20348 (Server 2022), NTLM revision 15. */
export const CLIENT_VERSION = Buffer.from([10, 0, 0x7c, 0x4f, 0, 0, 0, 0x0f]);
/** Offset of the MIC in an AUTHENTICATE message that carries a Version (MS-NLMP 2.2.1.3). */
export const MIC_OFFSET = 72;

export class NtlmFormatError extends Error {
  override readonly name = 'NtlmFormatError';
}

function checkHeader(buf: Buffer, type: number): void {
  if (buf.length < 12 || !buf.subarray(0, 8).equals(SIGNATURE)) throw new NtlmFormatError('not an NTLMSSP message');
  const actual = buf.readUInt32LE(8);
  if (actual !== type) throw new NtlmFormatError(`expected NTLM message type ${type}, got ${actual}`);
}

function readField(buf: Buffer, at: number): Buffer {
  if (buf.length < at + 8) throw new NtlmFormatError('NTLM message truncated');
  const len = buf.readUInt16LE(at);
  const offset = buf.readUInt32LE(at + 4);
  if (len === 0) return Buffer.alloc(0);
  if (offset + len > buf.length) throw new NtlmFormatError('NTLM field points past the message');
  return Buffer.from(buf.subarray(offset, offset + len));
}

/** Lays out a message: fixed header bytes, then payload fields whose (len, maxLen, offset) go at given spots. */
function layout(header: Buffer, fields: ReadonlyArray<{ at: number; value: Buffer }>): Buffer {
  let offset = header.length;
  for (const f of fields) {
    header.writeUInt16LE(f.value.length, f.at);
    header.writeUInt16LE(f.value.length, f.at + 2);
    header.writeUInt32LE(offset, f.at + 4);
    offset += f.value.length;
  }
  return Buffer.concat([header, ...fields.map((f) => f.value)]);
}

export function encodeString(text: string, unicode: boolean): Buffer {
  return Buffer.from(text, unicode ? 'utf16le' : 'latin1');
}

export function decodeString(bytes: Buffer, unicode: boolean): string {
  return bytes.toString(unicode ? 'utf16le' : 'latin1');
}

// ---- NEGOTIATE ----

export interface NegotiateMessage {
  readonly flags: number;
}

export function encodeNegotiate(flags: number = clientNegotiateFlags): Buffer {
  const header = Buffer.alloc(40);
  SIGNATURE.copy(header, 0);
  header.writeUInt32LE(1, 8);
  header.writeUInt32LE(flags >>> 0, 12);
  // Domain and workstation fields stay empty (offset points at the end, as Windows does).
  header.writeUInt32LE(40, 20);
  header.writeUInt32LE(40, 28);
  CLIENT_VERSION.copy(header, 32);
  return header;
}

export function decodeNegotiate(buf: Buffer): NegotiateMessage {
  checkHeader(buf, 1);
  if (buf.length < 16) throw new NtlmFormatError('NTLM NEGOTIATE truncated');
  return { flags: buf.readUInt32LE(12) };
}

// ---- CHALLENGE ----

export interface ChallengeMessage {
  readonly flags: number;
  readonly serverChallenge: Buffer;
  readonly targetName: string;
  /** Raw TargetInfo bytes (AV pairs ending in MsvAvEOL), empty when absent. */
  readonly targetInfo: Buffer;
  readonly avPairs: readonly AvPair[];
  /** MsvAvTimestamp as a FILETIME (8 bytes, little-endian), when the server sent one. */
  readonly timestamp: Buffer | undefined;
}

export function decodeChallenge(buf: Buffer): ChallengeMessage {
  checkHeader(buf, 2);
  if (buf.length < 32) throw new NtlmFormatError('NTLM CHALLENGE truncated');
  const flags = buf.readUInt32LE(20);
  const serverChallenge = Buffer.from(buf.subarray(24, 32));
  const unicode = (flags & NtlmFlag.unicode) !== 0;
  const targetName = decodeString(readField(buf, 12), unicode);
  // TargetInfo fields sit at offset 40; a message shorter than 48 bytes simply has none.
  const targetInfo = buf.length >= 48 ? readField(buf, 40) : Buffer.alloc(0);
  const avPairs = decodeAvPairs(targetInfo);
  const ts = avPairs.find((p) => p.id === AvId.timestamp);
  return { flags, serverChallenge, targetName, targetInfo, avPairs, timestamp: ts?.value };
}

export interface EncodeChallengeInput {
  flags: number;
  serverChallenge: Buffer;
  targetName: string;
  avPairs: readonly AvPair[];
}

export function encodeChallenge(input: EncodeChallengeInput): Buffer {
  const unicode = (input.flags & NtlmFlag.unicode) !== 0;
  const header = Buffer.alloc(56);
  SIGNATURE.copy(header, 0);
  header.writeUInt32LE(2, 8);
  header.writeUInt32LE((input.flags | NtlmFlag.targetInfo | NtlmFlag.version) >>> 0, 20);
  input.serverChallenge.copy(header, 24);
  CLIENT_VERSION.copy(header, 48);
  return layout(header, [
    { at: 12, value: encodeString(input.targetName, unicode) },
    { at: 40, value: encodeAvPairs(input.avPairs) },
  ]);
}

// ---- AV pairs ----

export function decodeAvPairs(bytes: Buffer): AvPair[] {
  const pairs: AvPair[] = [];
  let at = 0;
  while (at + 4 <= bytes.length) {
    const id = bytes.readUInt16LE(at);
    const len = bytes.readUInt16LE(at + 2);
    if (id === AvId.eol) return pairs;
    if (at + 4 + len > bytes.length) throw new NtlmFormatError('AV pair runs past TargetInfo');
    pairs.push({ id, value: Buffer.from(bytes.subarray(at + 4, at + 4 + len)) });
    at += 4 + len;
  }
  if (bytes.length > 0) throw new NtlmFormatError('TargetInfo lacks MsvAvEOL');
  return pairs;
}

/** Encodes AV pairs followed by MsvAvEOL. */
export function encodeAvPairs(pairs: readonly AvPair[]): Buffer {
  const parts: Buffer[] = [];
  for (const p of pairs) {
    const head = Buffer.alloc(4);
    head.writeUInt16LE(p.id, 0);
    head.writeUInt16LE(p.value.length, 2);
    parts.push(head, p.value);
  }
  parts.push(Buffer.alloc(4));
  return Buffer.concat(parts);
}

// ---- AUTHENTICATE ----

export interface AuthenticateMessage {
  readonly flags: number;
  readonly lmChallengeResponse: Buffer;
  readonly ntChallengeResponse: Buffer;
  readonly domain: string;
  readonly user: string;
  readonly workstation: string;
  readonly encryptedRandomSessionKey: Buffer;
  /** The 16-byte MIC when the message has room for one (payload starts at 88 or later), otherwise undefined. */
  readonly mic: Buffer | undefined;
}

export function decodeAuthenticate(buf: Buffer): AuthenticateMessage {
  checkHeader(buf, 3);
  if (buf.length < 64) throw new NtlmFormatError('NTLM AUTHENTICATE truncated');
  const flags = buf.readUInt32LE(60);
  const unicode = (flags & NtlmFlag.unicode) !== 0;
  // The payload begins at the smallest non-empty field offset; a MIC fits only if that is at least 88.
  let payloadStart = buf.length;
  for (const at of [12, 20, 28, 36, 44, 52]) {
    if (buf.readUInt16LE(at) > 0) payloadStart = Math.min(payloadStart, buf.readUInt32LE(at + 4));
  }
  const mic = payloadStart >= MIC_OFFSET + 16 ? Buffer.from(buf.subarray(MIC_OFFSET, MIC_OFFSET + 16)) : undefined;
  return {
    flags,
    lmChallengeResponse: readField(buf, 12),
    ntChallengeResponse: readField(buf, 20),
    domain: decodeString(readField(buf, 28), unicode),
    user: decodeString(readField(buf, 36), unicode),
    workstation: decodeString(readField(buf, 44), unicode),
    encryptedRandomSessionKey: readField(buf, 52),
    mic,
  };
}

export interface EncodeAuthenticateInput {
  flags: number;
  lmChallengeResponse: Buffer;
  ntChallengeResponse: Buffer;
  domain: string;
  user: string;
  workstation: string;
  encryptedRandomSessionKey: Buffer;
}

/** Encodes an AUTHENTICATE message with a Version and a zeroed MIC field (fill it with `withMic`). */
export function encodeAuthenticate(input: EncodeAuthenticateInput): Buffer {
  const unicode = (input.flags & NtlmFlag.unicode) !== 0;
  const header = Buffer.alloc(MIC_OFFSET + 16);
  SIGNATURE.copy(header, 0);
  header.writeUInt32LE(3, 8);
  header.writeUInt32LE(input.flags >>> 0, 60);
  CLIENT_VERSION.copy(header, 64);
  return layout(header, [
    { at: 28, value: encodeString(input.domain, unicode) },
    { at: 36, value: encodeString(input.user, unicode) },
    { at: 44, value: encodeString(input.workstation, unicode) },
    { at: 12, value: input.lmChallengeResponse },
    { at: 20, value: input.ntChallengeResponse },
    { at: 52, value: input.encryptedRandomSessionKey },
  ]);
}

/** A copy of an AUTHENTICATE message with the MIC field set (all zeros to compute the MIC itself). */
export function withMic(authenticate: Buffer, mic: Buffer): Buffer {
  const out = Buffer.from(authenticate);
  mic.copy(out, MIC_OFFSET, 0, 16);
  return out;
}
