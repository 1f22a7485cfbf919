import { loadCapture, captureNames } from '../../../../test/fixtures/winrm/fixtures.js';
import { rc4 } from '../crypto/rc4.js';
import { decodeEncryptedBody, encodeEncryptedBody } from '../multipart.js';
import { NtlmAcceptor, NtlmAuthError, verifyAuthenticate } from './acceptor.js';
import { NtlmClient, NtlmNegotiationError, splitUsername } from './client.js';
import { computeMic, ntProofStr, ntowfv2, sealingKey, sessionBaseKey, signingKey } from './keys.js';
import {
  AvId,
  NtlmFlag,
  clientNegotiateFlags,
  decodeAuthenticate,
  decodeAvPairs,
  decodeChallenge,
  decodeNegotiate,
  encodeAvPairs,
  encodeChallenge,
  withMic,
} from './messages.js';
import { NtlmIntegrityError, NtlmSession } from './session.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const b64 = (s: string): Buffer => Buffer.from(s, 'base64');

/** Deterministic randomness: each call returns the next queued buffer. */
function queuedRandom(...values: Buffer[]): (size: number) => Buffer {
  return (size) => {
    const next = values.shift();
    if (!next || next.length !== size) throw new Error(`unexpected random request of ${size} bytes`);
    return next;
  };
}

describe('MS-NLMP 4.2.4 NTLMv2 vectors', () => {
  const ntowf = ntowfv2('Password', 'User', 'Domain');
  const exportedSessionKey = Buffer.alloc(16, 0x55);
  const serverChallenge = hex('0123456789abcdef');
  // 4.2.4.1.3: temp from Time 0, ClientChallenge 8 x 0xaa and the CHALLENGE's AV pairs (Domain, Server).
  const avPairs = encodeAvPairs([
    { id: AvId.nbDomainName, value: Buffer.from('Domain', 'utf16le') },
    { id: AvId.nbComputerName, value: Buffer.from('Server', 'utf16le') },
  ]);
  const temp = Buffer.concat([
    hex('0101000000000000'),
    Buffer.alloc(8),
    Buffer.alloc(8, 0xaa),
    Buffer.alloc(4),
    avPairs,
    Buffer.alloc(4),
  ]);

  it('NTOWFv2', () => expect(ntowf.toString('hex')).toBe('0c868a403bfd7a93a3001ef22ef02e3f'));

  it('NTProofStr, session base key and encrypted session key', () => {
    const proof = ntProofStr(ntowf, serverChallenge, temp);
    expect(proof.toString('hex')).toBe('68cd0ab851e51c96aabc927bebef6a1c');
    const base = sessionBaseKey(ntowf, proof);
    expect(base.toString('hex')).toBe('8de40ccadbc14a82f15cb0ad0de95ca3');
    expect(rc4(base, exportedSessionKey).toString('hex')).toBe('c5dad2544fc9799094ce1ce90bc9d03e');
  });

  it('sealing and signing keys', () => {
    expect(sealingKey(exportedSessionKey, 'client-to-server').toString('hex')).toBe('59f600973cc4960a25480a7c196e4c58');
    expect(signingKey(exportedSessionKey, 'client-to-server').toString('hex')).toBe('4788dc861b4782f35d43fd98fe1a2d39');
    expect(signingKey(exportedSessionKey, 'server-to-client').toString('hex')).toBe('d04d6f10741041d1d246d64188d7a8ad');
  });

  it('seals "Plaintext" with sequence number 0', () => {
    const session = new NtlmSession(exportedSessionKey, 'client');
    const { ciphertext, signature } = session.seal(Buffer.from('Plaintext', 'utf16le'));
    expect(ciphertext.toString('hex')).toBe('54e50165bf1936dc996020c1811b0f06fb5f');
    expect(signature.toString('hex')).toBe('010000007fb38ec5c55d497600000000');
    expect(session.sequence).toEqual({ out: 1, in: 0 });
  });

  it('the server side unseals what the client sealed', () => {
    const client = new NtlmSession(exportedSessionKey, 'client');
    const server = new NtlmSession(exportedSessionKey, 'server');
    const a = client.seal(Buffer.from('one'));
    const b = client.seal(Buffer.from('two'));
    expect(server.unseal(a.ciphertext, a.signature).toString()).toBe('one');
    expect(server.unseal(b.ciphertext, b.signature).toString()).toBe('two');
  });

  it('rejects a replayed, reordered or altered message', () => {
    const client = new NtlmSession(exportedSessionKey, 'client');
    const server = new NtlmSession(exportedSessionKey, 'server');
    const a = client.seal(Buffer.from('first'));
    const b = client.seal(Buffer.from('second'));
    expect(() => server.unseal(b.ciphertext, b.signature)).toThrow(NtlmIntegrityError);
    const fresh = new NtlmSession(exportedSessionKey, 'server');
    const tampered = Buffer.from(a.ciphertext);
    tampered[0] = tampered[0]! ^ 1;
    expect(() => fresh.unseal(tampered, a.signature)).toThrow(/signature/);
  });
});

describe.each(captureNames)('recorded sealed exchange %s', (name) => {
  const capture = loadCapture(name);
  const negotiate = b64(capture.negotiate_b64);
  const challengeToken = b64(capture.challenge_b64);
  const authenticate = b64(capture.authenticate_b64);
  const lookupPassword = (user: string, domain: string): string | undefined =>
    user === 'u' && domain === '' ? 'p' : undefined;

  it('recomputes NTProofStr from password p and the recorded tokens', () => {
    const challenge = decodeChallenge(challengeToken);
    const auth = decodeAuthenticate(authenticate);
    expect(auth.user).toBe('u');
    const ntowf = ntowfv2('p', auth.user, auth.domain);
    const proof = ntProofStr(ntowf, challenge.serverChallenge, auth.ntChallengeResponse.subarray(16));
    expect(proof.equals(auth.ntChallengeResponse.subarray(0, 16))).toBe(true);
    expect(ntProofStr(ntowfv2('q', 'u', ''), challenge.serverChallenge, auth.ntChallengeResponse.subarray(16)).equals(proof)).toBe(false);
  });

  it('accepts the recorded AUTHENTICATE as the server did (MIC where present)', () => {
    const accepted = verifyAuthenticate({ negotiateToken: negotiate, challengeToken, authenticateToken: authenticate, lookupPassword });
    expect(accepted.user).toBe('u');
    const auth = decodeAuthenticate(authenticate);
    if (name.includes('mic')) {
      const zeroed = withMic(authenticate, Buffer.alloc(16));
      expect(computeMic(accepted.exportedSessionKey, negotiate, challengeToken, zeroed).equals(auth.mic!)).toBe(true);
    }
    expect(() =>
      verifyAuthenticate({ negotiateToken: negotiate, challengeToken, authenticateToken: authenticate, lookupPassword: () => 'wrong' }),
    ).toThrow(NtlmAuthError);
  });

  it('decrypts and verifies every recorded message in order, both directions, and re-seals them byte for byte', () => {
    const { exportedSessionKey } = verifyAuthenticate({ negotiateToken: negotiate, challengeToken, authenticateToken: authenticate, lookupPassword });
    const keyExchange = (decodeAuthenticate(authenticate).flags & NtlmFlag.keyExchange) !== 0;
    const server = new NtlmSession(exportedSessionKey, 'server', keyExchange);
    const client = new NtlmSession(exportedSessionKey, 'client', keyExchange);
    const resealClient = new NtlmSession(exportedSessionKey, 'client', keyExchange);
    const resealServer = new NtlmSession(exportedSessionKey, 'server', keyExchange);
    expect(capture.messages.length).toBeGreaterThanOrEqual(6);
    for (const m of capture.messages) {
      const request = b64(m.request_raw_b64);
      const response = b64(m.response_raw_b64);
      expect(decodeEncryptedBody(request, server).toString('utf8')).toBe(m.request_plain);
      expect(decodeEncryptedBody(response, client).toString('utf8')).toBe(m.response_plain);
      expect(encodeEncryptedBody(Buffer.from(m.request_plain, 'utf8'), resealClient).equals(request)).toBe(true);
      expect(encodeEncryptedBody(Buffer.from(m.response_plain, 'utf8'), resealServer).equals(response)).toBe(true);
    }
    expect(server.sequence.in).toBe(capture.messages.length);
  });

  it('a skipped message breaks the stream (sequence and RC4 state are per connection)', () => {
    const { exportedSessionKey } = verifyAuthenticate({ negotiateToken: negotiate, challengeToken, authenticateToken: authenticate, lookupPassword });
    const server = new NtlmSession(exportedSessionKey, 'server');
    expect(() => decodeEncryptedBody(b64(capture.messages[1]!.request_raw_b64), server)).toThrow(NtlmIntegrityError);
  });

  it('our AUTHENTICATE for the recorded CHALLENGE is one the server would accept', () => {
    const clientChallenge = hex('0102030405060708');
    const sessionKey = Buffer.alloc(16, 0x11);
    const client = new NtlmClient({ randomBytes: queuedRandom(clientChallenge, sessionKey), now: () => 1_700_000_000_000 });
    const result = client.authenticate(challengeToken, { user: 'u', domain: '', password: 'p' });
    const accepted = verifyAuthenticate({
      negotiateToken: client.negotiateMessage,
      challengeToken,
      authenticateToken: result.token,
      lookupPassword,
    });
    expect(accepted.exportedSessionKey.equals(sessionKey)).toBe(true);
    const auth = decodeAuthenticate(result.token);
    const challenge = decodeChallenge(challengeToken);
    expect(auth.flags & NtlmFlag.unicode).toBe(challenge.flags & NtlmFlag.unicode);
    expect(auth.ntChallengeResponse.subarray(32, 40).equals(clientChallenge)).toBe(true);
    if (challenge.timestamp) {
      expect(auth.lmChallengeResponse.equals(Buffer.alloc(24))).toBe(true);
      const pairs = decodeAvPairs(auth.ntChallengeResponse.subarray(44, auth.ntChallengeResponse.length - 4));
      expect(pairs.find((p) => p.id === AvId.flags)?.value.readUInt32LE(0)).toBe(2);
      expect(pairs.find((p) => p.id === AvId.timestamp)?.value.equals(challenge.timestamp)).toBe(true);
    }
    // Both sides now seal and unseal each other's traffic.
    const sealed = encodeEncryptedBody(Buffer.from('<s:Envelope/>'), result.session);
    expect(decodeEncryptedBody(sealed, accepted.session).toString()).toBe('<s:Envelope/>');
    // A wrong password gives a token the server refuses.
    const bad = new NtlmClient({ randomBytes: queuedRandom(clientChallenge, sessionKey) }).authenticate(challengeToken, { user: 'u', domain: '', password: 'x' });
    expect(() => verifyAuthenticate({ negotiateToken: client.negotiateMessage, challengeToken, authenticateToken: bad.token, lookupPassword })).toThrow('wrong password');
  });
});

describe('NtlmClient against NtlmAcceptor', () => {
  const users = (user: string, domain: string): string | undefined =>
    user === 'admin' && domain === 'CORP' ? 'S3cret!' : undefined;

  it('negotiates the flags of winrm.md §2.4', () => {
    const client = new NtlmClient();
    expect(decodeNegotiate(client.negotiateMessage).flags).toBe(clientNegotiateFlags);
    expect(clientNegotiateFlags).toBe(0xe2088235);
  });

  it.each([
    ['with timestamp and MIC', false],
    ['without timestamp (LMv2, no MIC)', true],
  ])('authenticates and seals both ways %s', (_label, omitTimestamp) => {
    const acceptor = new NtlmAcceptor({ lookupPassword: users, omitTimestamp, now: () => 0 });
    const client = new NtlmClient({ now: () => 0 });
    const challenge = acceptor.challenge(client.negotiateMessage);
    const { token, session } = client.authenticate(challenge, { ...splitUsername('CORP\\admin'), password: 'S3cret!' });
    const accepted = acceptor.accept(token);
    expect(accepted).toMatchObject({ user: 'admin', domain: 'CORP' });
    for (const text of ['a', 'bb', 'ccc']) {
      const up = encodeEncryptedBody(Buffer.from(text), session);
      expect(decodeEncryptedBody(up, accepted.session).toString()).toBe(text);
      const down = encodeEncryptedBody(Buffer.from(text.toUpperCase()), accepted.session);
      expect(decodeEncryptedBody(down, session).toString()).toBe(text.toUpperCase());
    }
  });

  it('names the target SPN in MsvAvTargetName, in UTF-16 without a NUL, covered by NTProofStr (issue 14 §8)', () => {
    const acceptor = new NtlmAcceptor({ lookupPassword: users });
    const client = new NtlmClient({ targetSpn: 'HTTP/node1.contoso.com' });
    const { token } = client.authenticate(acceptor.challenge(client.negotiateMessage), { user: 'admin', domain: 'CORP', password: 'S3cret!' });
    // NTLMv2_CLIENT_CHALLENGE: NTProofStr (16), then 28 bytes of header, timestamp and challenge, then AV pairs.
    const pairs = decodeAvPairs(decodeAuthenticate(token).ntChallengeResponse.subarray(16 + 28));
    const target = pairs.filter((p) => p.id === AvId.targetName);
    expect(target.map((p) => p.value.toString('utf16le'))).toEqual(['HTTP/node1.contoso.com']);
    expect(acceptor.accept(token).user).toBe('admin');
  });

  it('refuses a tampered AUTHENTICATE through the MIC', () => {
    const acceptor = new NtlmAcceptor({ lookupPassword: users });
    const client = new NtlmClient();
    const challenge = acceptor.challenge(client.negotiateMessage);
    const { token } = client.authenticate(challenge, { user: 'admin', domain: 'CORP', password: 'S3cret!' });
    const tampered = Buffer.from(token);
    tampered.writeUInt32LE((tampered.readUInt32LE(60) & ~NtlmFlag.negotiate56) >>> 0, 60); // strip a flag after the fact
    expect(() => acceptor.accept(tampered)).toThrow(NtlmAuthError);
  });

  it('checks channel bindings when the server expects them', () => {
    const cbt = Buffer.alloc(16, 7);
    const acceptor = new NtlmAcceptor({ lookupPassword: users, expectedChannelBindingsHash: cbt });
    const good = new NtlmClient();
    const { token } = good.authenticate(acceptor.challenge(good.negotiateMessage), { user: 'admin', domain: 'CORP', password: 'S3cret!' }, cbt);
    expect(acceptor.accept(token).user).toBe('admin');
    const acceptor2 = new NtlmAcceptor({ lookupPassword: users, expectedChannelBindingsHash: cbt });
    const none = new NtlmClient();
    const t2 = none.authenticate(acceptor2.challenge(none.negotiateMessage), { user: 'admin', domain: 'CORP', password: 'S3cret!' });
    expect(() => acceptor2.accept(t2.token)).toThrow(/channel bindings/);
  });

  it('refuses a CHALLENGE without 128-bit session security', () => {
    const weak = encodeChallenge({
      flags: NtlmFlag.unicode | NtlmFlag.ntlm | NtlmFlag.extendedSessionSecurity | NtlmFlag.sign | NtlmFlag.seal,
      serverChallenge: Buffer.alloc(8),
      targetName: 'X',
      avPairs: [],
    });
    expect(() => new NtlmClient().authenticate(weak, { user: 'a', domain: '', password: 'b' })).toThrow(NtlmNegotiationError);
  });

  it.each([
    ['CORP\\admin', { user: 'admin', domain: 'CORP' }],
    ['admin@corp.example', { user: 'admin@corp.example', domain: '' }],
    ['admin', { user: 'admin', domain: '' }],
  ])('splitUsername(%j)', (input, expected) => expect(splitUsername(input)).toEqual(expected));
});

describe('NtlmClient: what it agrees to and what it sends', () => {
  const creds = { user: 'admin', domain: 'CORP', password: 'S3cret!' };
  const lookupPassword = (user: string, domain: string): string | undefined => (user === 'admin' && domain === 'CORP' ? 'S3cret!' : undefined);
  const full = NtlmFlag.unicode | NtlmFlag.ntlm | NtlmFlag.extendedSessionSecurity | NtlmFlag.sign | NtlmFlag.seal | NtlmFlag.negotiate128 | NtlmFlag.keyExchange;
  const aChallenge = (flags: number, avPairs: Array<{ id: number; value: Buffer }> = []): Buffer =>
    encodeChallenge({ flags, serverChallenge: hex('0123456789abcdef'), targetName: 'CORP', avPairs });
  const pairsOf = (token: Buffer) => decodeAvPairs(decodeAuthenticate(token).ntChallengeResponse.subarray(16 + 28));
  const timestamp = { id: AvId.timestamp, value: hex('0080d1f5fa4cd901') };

  it('agrees to what both sides offer; OEM only when the server has no Unicode', () => {
    // The server offers OEM too, and the encoder adds TargetInfo and Version: OEM is dropped beside Unicode,
    // TargetInfo is not ours to ask for.
    expect(new NtlmClient().authenticate(aChallenge(full | NtlmFlag.oem), creds).flags).toBe(0x62080231);
    expect(new NtlmClient().authenticate(aChallenge((full & ~NtlmFlag.unicode) | NtlmFlag.oem), creds).flags).toBe(0x62080232);
  });

  it.each([
    ['sealing', full & ~NtlmFlag.seal, '0x20'],
    ['signing', full & ~NtlmFlag.sign, '0x10'],
    ['128-bit keys', full & ~NtlmFlag.negotiate128, '0x20000000'],
    ['extended session security', full & ~NtlmFlag.extendedSessionSecurity, '0x80000'],
  ])('refuses a server that will not do %s, naming the flag', (_what, flags, named) => {
    expect(() => new NtlmClient().authenticate(aChallenge(flags), creds)).toThrow(
      `the server did not agree to NTLM flag ${named} (NTLMv2 with 128-bit session security is required)`,
    );
  });

  it('without requireSealing, sealing is not needed, extended session security still is', () => {
    const bare = NtlmFlag.unicode | NtlmFlag.ntlm | NtlmFlag.extendedSessionSecurity;
    expect(new NtlmClient({ requireSealing: false }).authenticate(aChallenge(bare), creds).flags).toBe(0x02080201);
    expect(() => new NtlmClient({ requireSealing: false }).authenticate(aChallenge(NtlmFlag.unicode | NtlmFlag.ntlm), creds)).toThrow('NTLM flag 0x80000 ');
  });

  it('without key exchange: one random draw (the client challenge), no encrypted key, and the server derives the same session key', () => {
    const challengeToken = aChallenge(full & ~NtlmFlag.keyExchange);
    const client = new NtlmClient({ randomBytes: queuedRandom(hex('1112131415161718')), now: () => 0 });
    const result = client.authenticate(challengeToken, creds);
    expect(decodeAuthenticate(result.token).encryptedRandomSessionKey.length).toBe(0);
    const accepted = verifyAuthenticate({ negotiateToken: client.negotiateMessage, challengeToken, authenticateToken: result.token, lookupPassword });
    expect(accepted.exportedSessionKey.equals(result.exportedSessionKey)).toBe(true);
    // LMv2 (no server timestamp): HMAC (16 bytes) then the client challenge, never all zeros.
    const lm = decodeAuthenticate(result.token).lmChallengeResponse;
    expect(lm.subarray(16).toString('hex')).toBe('1112131415161718');
    expect(lm.equals(Buffer.alloc(24))).toBe(false);
  });

  it("keeps the server's MsvAvFlags and adds the MIC bit only with a server timestamp", () => {
    const flagsOf = (token: Buffer) => pairsOf(token).filter((p) => p.id === AvId.flags).map((p) => p.value.readUInt32LE(0));
    const constrained = { id: AvId.flags, value: hex('01000000') };
    expect(flagsOf(new NtlmClient().authenticate(aChallenge(full, [constrained]), creds).token)).toEqual([1]);
    expect(flagsOf(new NtlmClient().authenticate(aChallenge(full, [constrained, timestamp]), creds).token)).toEqual([3]);
    expect(flagsOf(new NtlmClient().authenticate(aChallenge(full, [{ id: AvId.flags, value: hex('00000000') }]), creds).token)).toEqual([0]);
    expect(flagsOf(new NtlmClient().authenticate(aChallenge(full, []), creds).token)).toEqual([]);
    expect(flagsOf(new NtlmClient().authenticate(aChallenge(full, [timestamp]), creds).token)).toEqual([2]);
  });

  it("never echoes the server's own channel bindings or target name; sends its own", () => {
    const served = [{ id: AvId.channelBindings, value: Buffer.alloc(16, 9) }, { id: AvId.targetName, value: Buffer.from('X', 'utf16le') }, { id: AvId.nbComputerName, value: Buffer.from('NODE1', 'utf16le') }];
    const plain = pairsOf(new NtlmClient().authenticate(aChallenge(full, served), creds).token);
    expect(plain.filter((p) => p.id === AvId.channelBindings || p.id === AvId.targetName)).toEqual([]);
    expect(plain.find((p) => p.id === AvId.nbComputerName)?.value.toString('utf16le')).toBe('NODE1');
    const own = pairsOf(new NtlmClient({ targetSpn: 'HTTP/node1' }).authenticate(aChallenge(full, served), creds, Buffer.alloc(16, 4)).token);
    expect(own.filter((p) => p.id === AvId.channelBindings).map((p) => p.value.toString('hex'))).toEqual(['04'.repeat(16)]);
    expect(own.filter((p) => p.id === AvId.targetName).map((p) => p.value.toString('utf16le'))).toEqual(['HTTP/node1']);
  });

  it('sends the workstation name it is given, none by default', () => {
    expect(decodeAuthenticate(new NtlmClient().authenticate(aChallenge(full), creds).token).workstation).toBe('');
    expect(decodeAuthenticate(new NtlmClient({ workstation: 'ADMINPC' }).authenticate(aChallenge(full), creds).token).workstation).toBe('ADMINPC');
  });
});
