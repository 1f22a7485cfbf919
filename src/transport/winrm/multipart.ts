// MS-WSMV 2.2.9.1 encrypted message framing (multipart/encrypted): builds the exact bytes Windows expects and
// parses replies tolerantly. Works on Buffers only; the sealing itself is injected. Depends on nothing else.

export const SPNEGO_PROTOCOL = 'application/HTTP-SPNEGO-session-encrypted';
const BOUNDARY = 'Encrypted Boundary';

/** The request Content-Type of an encrypted body. */
export function encryptedContentType(protocol: string = SPNEGO_PROTOCOL): string {
  return `multipart/encrypted;protocol="${protocol}";boundary="${BOUNDARY}"`;
}

/** What seals and unseals one message (an NtlmSession). */
export interface MessageSealer {
  seal(plaintext: Buffer): { signature: Buffer; ciphertext: Buffer };
  unseal(ciphertext: Buffer, signature: Buffer): Buffer;
}

export class EncryptedBodyError extends Error {
  override readonly name = 'EncryptedBodyError';
}

/** Seals `plaintext` (a UTF-8 SOAP envelope) into one multipart/encrypted body, byte for byte per §2.3. */
export function encodeEncryptedBody(
  plaintext: Buffer,
  sealer: MessageSealer,
  protocol: string = SPNEGO_PROTOCOL,
): Buffer {
  const { signature, ciphertext } = sealer.seal(plaintext);
  const head = Buffer.from(
    `--${BOUNDARY}\r\n` +
      `\tContent-Type: ${protocol}\r\n` +
      `\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=${plaintext.length}\r\n` +
      `--${BOUNDARY}\r\n` +
      `\tContent-Type: application/octet-stream\r\n`,
    'latin1',
  );
  const signatureLength = Buffer.alloc(4);
  signatureLength.writeUInt32LE(signature.length);
  return Buffer.concat([head, signatureLength, signature, ciphertext, Buffer.from(`--${BOUNDARY}--\r\n`, 'latin1')]);
}

export interface EncryptedPart {
  /** `Length=` of the OriginalContent header: the plaintext length. */
  readonly length: number;
  readonly signature: Buffer;
  readonly ciphertext: Buffer;
}

// Exchange endpoints write "-- Encrypted Boundary"; accept both spellings.
const MARKERS = [Buffer.from(`--${BOUNDARY}`, 'latin1'), Buffer.from(`-- ${BOUNDARY}`, 'latin1')];

function nextMarker(body: Buffer, from: number): { at: number; length: number } | undefined {
  let best: { at: number; length: number } | undefined;
  for (const m of MARKERS) {
    const at = body.indexOf(m, from);
    if (at >= 0 && (best === undefined || at < best.at)) best = { at, length: m.length };
  }
  return best;
}

function lineEnd(body: Buffer, from: number): number {
  const at = body.indexOf('\r\n', from, 'latin1');
  if (at < 0) throw new EncryptedBodyError('encrypted body truncated inside a part header');
  return at + 2;
}

/** Splits a multipart/encrypted body into its (header part, data part) pairs; there may be several. */
export function parseEncryptedParts(body: Buffer): EncryptedPart[] {
  const parts: EncryptedPart[] = [];
  let cursor = 0;
  for (;;) {
    const first = nextMarker(body, cursor);
    if (!first) break;
    const afterFirst = first.at + first.length;
    if (body.subarray(afterFirst, afterFirst + 2).toString('latin1') === '--') break; // closing marker
    const second = nextMarker(body, afterFirst);
    if (!second) throw new EncryptedBodyError('encrypted body has a header part but no data part');
    const header = body.subarray(afterFirst, second.at).toString('latin1');
    const lengthMatch = /Length=(\d+)/i.exec(header);
    if (!lengthMatch) throw new EncryptedBodyError('encrypted part lacks OriginalContent Length');
    // The data part: its own header line(s), then uint32 LE signature length, signature, ciphertext.
    let dataStart = lineEnd(body, second.at + second.length);
    while (body[dataStart] === 0x09 /* TAB: another header line */) dataStart = lineEnd(body, dataStart);
    if (dataStart + 4 > body.length) throw new EncryptedBodyError('encrypted part truncated');
    const signatureLength = body.readUInt32LE(dataStart);
    const signatureEnd = dataStart + 4 + signatureLength;
    const end = nextMarker(body, signatureEnd);
    if (!end) throw new EncryptedBodyError('encrypted part is not closed by a boundary');
    parts.push({
      length: Number(lengthMatch[1]),
      signature: Buffer.from(body.subarray(dataStart + 4, signatureEnd)),
      ciphertext: Buffer.from(body.subarray(signatureEnd, end.at)),
    });
    cursor = end.at;
  }
  if (parts.length === 0) throw new EncryptedBodyError('no encrypted part in the body');
  return parts;
}

/** Unseals every part in order and checks each against its announced length (a mismatch means tampering). */
export function decodeEncryptedBody(body: Buffer, sealer: MessageSealer): Buffer {
  const plain = parseEncryptedParts(body).map((p) => {
    const text = sealer.unseal(p.ciphertext, p.signature);
    if (text.length !== p.length) {
      throw new EncryptedBodyError(`decrypted ${text.length} bytes where the header announced ${p.length}`);
    }
    return text;
  });
  return Buffer.concat(plain);
}

/** Whether a Content-Type header names an encrypted body. */
export function isEncryptedContentType(contentType: string | undefined): boolean {
  return /^multipart\/(x-multi-)?encrypted/i.test((contentType ?? '').trim());
}
