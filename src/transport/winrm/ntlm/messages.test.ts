// NTLM message layout (MS-NLMP 2.2) on its own: what a broken or hostile peer's bytes make of the decoders,
// and the fixed offsets the encoders must honour (a peer reads them by position). The expected bytes are
// written out from the specification, not computed with the code under test.
import {
  AvId,
  CLIENT_VERSION,
  MIC_OFFSET,
  NtlmFlag,
  NtlmFormatError,
  decodeAuthenticate,
  decodeAvPairs,
  decodeChallenge,
  decodeNegotiate,
  encodeAuthenticate,
  encodeAvPairs,
  encodeChallenge,
  encodeNegotiate,
  withMic,
} from './messages.js';

const SIGNATURE = Buffer.from('4e544c4d53535000', 'hex'); // "NTLMSSP\0"

/** A message header: signature and type, padded with zeros to `length`. */
function header(type: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  SIGNATURE.copy(buf, 0);
  buf.writeUInt32LE(type, 8);
  return buf;
}

/** A CHALLENGE of `length` bytes whose target-name field (at 12) says `len` bytes at `offset`. */
function challengeWithName(length: number, len: number, offset: number): Buffer {
  const buf = header(2, length);
  buf.writeUInt16LE(len, 12);
  buf.writeUInt16LE(len, 14);
  buf.writeUInt32LE(offset, 16);
  return buf;
}

describe('decoders refuse what is not a whole message of their type', () => {
  it.each([
    ['a message shorter than its header', () => decodeNegotiate(Buffer.from('NTLMSSP')), /not an NTLMSSP message/],
    ['a wrong signature', () => decodeNegotiate(Buffer.concat([Buffer.from('NTLMSSX\0'), Buffer.from([1, 0, 0, 0, 0, 0, 0, 0])])), /not an NTLMSSP message/],
    ['a CHALLENGE where a NEGOTIATE was expected', () => decodeNegotiate(header(2, 16)), /expected NTLM message type 1, got 2/],
    ['a NEGOTIATE where a CHALLENGE was expected', () => decodeChallenge(encodeNegotiate()), /expected NTLM message type 2, got 1/],
    ['an AUTHENTICATE where a CHALLENGE was expected', () => decodeChallenge(header(3, 64)), /expected NTLM message type 2, got 3/],
    ['a NEGOTIATE without its flags', () => decodeNegotiate(header(1, 15)), /NEGOTIATE truncated/],
    ['a CHALLENGE without its server challenge', () => decodeChallenge(header(2, 31)), /CHALLENGE truncated/],
    ['an AUTHENTICATE without its flags', () => decodeAuthenticate(header(3, 63)), /AUTHENTICATE truncated/],
    ['a target name that points past the end', () => decodeChallenge(challengeWithName(48, 8, 44)), /points past the message/],
    ['a target name one byte too long', () => decodeChallenge(challengeWithName(56, 9, 48)), /points past the message/],
  ])('%s', (_what, decode, message) => {
    expect(decode).toThrow(NtlmFormatError);
    expect(decode).toThrow(message);
  });

  it('takes a field that ends exactly at the end of the message', () => {
    const buf = challengeWithName(52, 4, 48);
    buf.write('AB', 48, 'latin1');
    buf.write('CD', 50, 'latin1');
    expect(decodeChallenge(buf).targetName).toBe('ABCD');
  });

  it('reads an empty field as empty, wherever its offset points', () => {
    expect(decodeChallenge(challengeWithName(48, 0, 9999)).targetName).toBe('');
  });
});

describe('AV pairs (MS-NLMP 2.2.2.1)', () => {
  it('encodes id, length, value, and ends with MsvAvEOL (four zero bytes)', () => {
    const bytes = encodeAvPairs([
      { id: AvId.nbDomainName, value: Buffer.from('D\0', 'latin1') },
      { id: AvId.flags, value: Buffer.from([2, 0, 0, 0]) },
    ]);
    expect(bytes.toString('hex')).toBe('0200' + '0200' + '4400' + '0600' + '0400' + '02000000' + '00000000');
  });

  it('decodes up to MsvAvEOL and ignores what follows it', () => {
    const bytes = Buffer.from('0100' + '0100' + '41' + '0000' + '0000' + 'ffff', 'hex');
    expect(decodeAvPairs(bytes)).toEqual([{ id: AvId.nbComputerName, value: Buffer.from('A', 'latin1') }]);
  });

  it('no TargetInfo at all is no pairs', () => {
    expect(decodeAvPairs(Buffer.alloc(0))).toEqual([]);
  });

  it.each([
    ['a value longer than what is left', '0100' + '0500' + '4142', /runs past TargetInfo/],
    ['a value one byte longer than it is, which swallows the start of MsvAvEOL', '0100' + '0300' + '4142' + '0000' + '0000', /lacks MsvAvEOL/],
    ['pairs that stop without MsvAvEOL', '0100' + '0100' + '41', /lacks MsvAvEOL/],
    ['a torn pair header after the last pair', '0100' + '0100' + '41' + '0000' + '00', /lacks MsvAvEOL/],
  ])('refuses %s', (_what, hex, message) => {
    expect(() => decodeAvPairs(Buffer.from(hex, 'hex'))).toThrow(message);
  });

  it('a value that ends exactly before MsvAvEOL is whole', () => {
    const bytes = Buffer.from('0100' + '0200' + '4142' + '0000' + '0000', 'hex');
    expect(decodeAvPairs(bytes)).toEqual([{ id: 1, value: Buffer.from('AB', 'latin1') }]);
  });
});

describe('NEGOTIATE', () => {
  it('lays out signature, type, flags, empty domain and workstation fields, and our version (MS-NLMP 2.2.1.1)', () => {
    const msg = encodeNegotiate(0x12345678);
    expect(msg).toHaveLength(40);
    expect(msg.subarray(0, 8)).toEqual(SIGNATURE);
    expect(msg.readUInt32LE(8)).toBe(1);
    expect(msg.readUInt32LE(12)).toBe(0x12345678);
    // DomainNameFields and WorkstationFields: length 0, offset at the end of the message.
    expect(msg.subarray(16, 32).toString('hex')).toBe('00000000' + '28000000' + '00000000' + '28000000');
    expect(msg.subarray(32, 40).toString('hex')).toBe('0a007c4f0000000f');
    expect(decodeNegotiate(msg).flags).toBe(0x12345678);
  });

  it('sends the top flag bit as an unsigned value', () => {
    expect(decodeNegotiate(encodeNegotiate(NtlmFlag.negotiate56 | NtlmFlag.unicode)).flags).toBe(0x80000001);
  });
});

describe('CHALLENGE', () => {
  const serverChallenge = Buffer.from('0123456789abcdef', 'hex');
  const timestamp = Buffer.from('0090d336b734c301', 'hex');

  it('round-trips name, challenge, flags and AV pairs; TargetInfo and Version are always flagged', () => {
    const msg = encodeChallenge({
      flags: NtlmFlag.unicode | NtlmFlag.ntlm,
      serverChallenge,
      targetName: 'Domain',
      avPairs: [
        { id: AvId.nbDomainName, value: Buffer.from('Domain', 'utf16le') },
        { id: AvId.timestamp, value: timestamp },
      ],
    });
    expect(msg.readUInt32LE(8)).toBe(2);
    expect(msg.subarray(48, 56)).toEqual(CLIENT_VERSION);
    // Payload after the 56-byte header: the name first, at offset 56.
    expect(msg.readUInt32LE(16)).toBe(56);
    const decoded = decodeChallenge(msg);
    expect(decoded.flags).toBe(NtlmFlag.unicode | NtlmFlag.ntlm | NtlmFlag.targetInfo | NtlmFlag.version);
    expect(decoded.serverChallenge).toEqual(serverChallenge);
    expect(decoded.targetName).toBe('Domain');
    expect(decoded.avPairs.map((p) => p.id)).toEqual([AvId.nbDomainName, AvId.timestamp]);
    expect(decoded.timestamp).toEqual(timestamp);
    expect(decoded.targetInfo).toEqual(encodeAvPairs(decoded.avPairs));
  });

  it('reads the name as OEM (Latin-1) when the server did not negotiate Unicode', () => {
    const msg = encodeChallenge({ flags: NtlmFlag.oem, serverChallenge, targetName: 'Dömain', avPairs: [] });
    expect(msg.subarray(56, 62).toString('latin1')).toBe('Dömain');
    expect(decodeChallenge(msg).targetName).toBe('Dömain');
  });

  it('has no timestamp when the server sent none', () => {
    const msg = encodeChallenge({ flags: NtlmFlag.unicode, serverChallenge, targetName: '', avPairs: [{ id: AvId.dnsComputerName, value: Buffer.from('h', 'utf16le') }] });
    expect(decodeChallenge(msg).timestamp).toBeUndefined();
  });

  it('a CHALLENGE of fewer than 48 bytes has no TargetInfo', () => {
    const buf = header(2, 47);
    buf.writeUInt32LE(NtlmFlag.unicode, 20);
    serverChallenge.copy(buf, 24);
    const decoded = decodeChallenge(buf);
    expect(decoded.targetInfo).toHaveLength(0);
    expect(decoded.avPairs).toEqual([]);
    expect(decoded.serverChallenge).toEqual(serverChallenge);
  });
});

describe('AUTHENTICATE', () => {
  const input = {
    flags: NtlmFlag.unicode | NtlmFlag.keyExchange,
    lmChallengeResponse: Buffer.alloc(24, 0),
    ntChallengeResponse: Buffer.from('aabbccdd', 'hex'),
    domain: 'CONTOSO',
    user: 'admin',
    workstation: 'WS',
    encryptedRandomSessionKey: Buffer.from('00112233445566778899aabbccddeeff', 'hex'),
  };

  it('round-trips every field; payload after the MIC, domain first (MS-NLMP 2.2.1.3)', () => {
    const msg = encodeAuthenticate(input);
    expect(msg.readUInt32LE(8)).toBe(3);
    expect(msg.readUInt32LE(60)).toBe(input.flags >>> 0);
    expect(msg.subarray(64, 72)).toEqual(CLIENT_VERSION);
    expect(msg.readUInt32LE(32)).toBe(MIC_OFFSET + 16); // DomainNameFields offset: 88
    expect(msg.subarray(88, 88 + 14).toString('utf16le')).toBe('CONTOSO');
    const decoded = decodeAuthenticate(msg);
    expect(decoded).toMatchObject({ flags: input.flags >>> 0, domain: 'CONTOSO', user: 'admin', workstation: 'WS' });
    expect(decoded.lmChallengeResponse).toEqual(input.lmChallengeResponse);
    expect(decoded.ntChallengeResponse).toEqual(input.ntChallengeResponse);
    expect(decoded.encryptedRandomSessionKey).toEqual(input.encryptedRandomSessionKey);
    expect(decoded.mic).toEqual(Buffer.alloc(16));
  });

  it('withMic fills bytes 72..88 and leaves the message it was given alone', () => {
    const msg = encodeAuthenticate(input);
    const mic = Buffer.from('ffeeddccbbaa99887766554433221100', 'hex');
    const signed = withMic(msg, mic);
    expect(signed.subarray(72, 88)).toEqual(mic);
    expect(msg.subarray(72, 88)).toEqual(Buffer.alloc(16));
    expect(Buffer.concat([signed.subarray(0, 72), signed.subarray(88)])).toEqual(Buffer.concat([msg.subarray(0, 72), msg.subarray(88)]));
    expect(decodeAuthenticate(signed).mic).toEqual(mic);
  });

  it('an AUTHENTICATE whose payload starts before byte 88 has no MIC', () => {
    // Older layout: no Version, no MIC; the user name is the only field, right after the 64-byte header.
    const buf = header(3, 64 + 4);
    buf.writeUInt32LE(0, 60); // OEM
    buf.writeUInt16LE(4, 36);
    buf.writeUInt16LE(4, 38);
    buf.writeUInt32LE(64, 40);
    buf.write('user', 64, 'latin1');
    const decoded = decodeAuthenticate(buf);
    expect(decoded.mic).toBeUndefined();
    expect(decoded.user).toBe('user');
    expect(decoded.domain).toBe('');
  });

  it('the payload start is the smallest offset of a non-empty field, whichever field that is', () => {
    const msg = encodeAuthenticate(input);
    // Move the workstation field (non-empty) to offset 80, inside the MIC: then there is no room for a MIC.
    const moved = Buffer.from(msg);
    moved.writeUInt32LE(80, 48);
    expect(decodeAuthenticate(moved).mic).toBeUndefined();
    // An empty field's offset does not count, however small.
    const empty = encodeAuthenticate({ ...input, workstation: '' });
    const emptyLow = Buffer.from(empty);
    emptyLow.writeUInt32LE(8, 48);
    expect(decodeAuthenticate(emptyLow).mic).toEqual(Buffer.alloc(16));
  });
});
