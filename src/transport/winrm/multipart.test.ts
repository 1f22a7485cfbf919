import { NtlmSession } from './ntlm/session.js';
import {
  EncryptedBodyError,
  decodeEncryptedBody,
  encodeEncryptedBody,
  encryptedContentType,
  isEncryptedContentType,
  parseEncryptedParts,
} from './multipart.js';

const key = Buffer.alloc(16, 0x42);
const pair = (): { client: NtlmSession; server: NtlmSession } => ({
  client: new NtlmSession(key, 'client'),
  server: new NtlmSession(key, 'server'),
});

describe('multipart/encrypted framing', () => {
  it('lays out the exact bytes of MS-WSMV 2.2.9.1', () => {
    const { client } = pair();
    const body = encodeEncryptedBody(Buffer.from('<x/>'), client);
    const text = body.toString('latin1');
    expect(text.startsWith(
      '--Encrypted Boundary\r\n\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n' +
        '\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=4\r\n' +
        '--Encrypted Boundary\r\n\tContent-Type: application/octet-stream\r\n\x10\x00\x00\x00\x01\x00\x00\x00',
    )).toBe(true);
    expect(text.endsWith('--Encrypted Boundary--\r\n')).toBe(true);
    // header(s) + 4-byte length + 16-byte signature + 4 ciphertext bytes + closing marker
    expect(body.length).toBe(text.indexOf('octet-stream\r\n') + 14 + 4 + 16 + 4 + 24);
    expect(encryptedContentType()).toBe(
      'multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="Encrypted Boundary"',
    );
  });

  it('round-trips binary-looking plaintext', () => {
    const { client, server } = pair();
    const plain = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256));
    expect(decodeEncryptedBody(encodeEncryptedBody(plain, client), server).equals(plain)).toBe(true);
  });

  it('accepts several part pairs and the "-- Encrypted Boundary" spelling', () => {
    const { client, server } = pair();
    const a = encodeEncryptedBody(Buffer.from('first,'), client);
    const b = encodeEncryptedBody(Buffer.from('second'), client);
    // Drop the closing marker of the first body so the two form one multipart body, then respell it.
    const joined = Buffer.concat([a.subarray(0, a.length - '--Encrypted Boundary--\r\n'.length), b]);
    const spaced = Buffer.from(joined.toString('latin1').split('--Encrypted Boundary').join('-- Encrypted Boundary'), 'latin1');
    expect(parseEncryptedParts(spaced)).toHaveLength(2);
    expect(decodeEncryptedBody(spaced, server).toString()).toBe('first,second');
  });

  it('rejects a body whose decrypted length differs from the announced one', () => {
    const { client, server } = pair();
    const body = encodeEncryptedBody(Buffer.from('hello'), client).toString('latin1').replace('Length=5', 'Length=6');
    expect(() => decodeEncryptedBody(Buffer.from(body, 'latin1'), server)).toThrow(EncryptedBodyError);
  });

  it.each([
    ['empty', ''],
    ['no data part', '--Encrypted Boundary\r\n\tOriginalContent: type=x;Length=1\r\n'],
    ['no length', '--Encrypted Boundary\r\n\tContent-Type: x\r\n--Encrypted Boundary\r\n\tContent-Type: y\r\n\x10\x00\x00\x00--Encrypted Boundary--\r\n'],
    ['unterminated', '--Encrypted Boundary\r\n\tOriginalContent: Length=1\r\n--Encrypted Boundary\r\n\tContent-Type: y\r\n\x10\x00\x00\x00abc'],
  ])('rejects a malformed body: %s', (_label, text) => {
    expect(() => parseEncryptedParts(Buffer.from(text, 'latin1'))).toThrow(EncryptedBodyError);
  });

  it.each([
    ['multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="Encrypted Boundary"', true],
    ['multipart/x-multi-encrypted;protocol="x"', true],
    ['application/soap+xml;charset=UTF-8', false],
    [undefined, false],
  ])('isEncryptedContentType(%j)', (ct, expected) => expect(isEncryptedContentType(ct)).toBe(expected));
});
