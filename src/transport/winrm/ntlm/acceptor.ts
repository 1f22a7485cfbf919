// The acceptor (server) side of NTLMv2, built from the same primitives as the client: issues CHALLENGEs and
// verifies AUTHENTICATEs (NTProofStr, MIC, channel bindings). Used by test servers; no I/O.
import { randomBytes as systemRandomBytes } from 'node:crypto';
import { rc4 } from '../crypto/rc4.js';
import {
  AV_FLAG_MIC_PRESENT,
  AvId,
  NtlmFlag,
  decodeAuthenticate,
  decodeAvPairs,
  decodeChallenge,
  decodeNegotiate,
  encodeChallenge,
  withMic,
  type AvPair,
} from './messages.js';
import { computeMic, fileTime, ntProofStr, ntowfv2, sessionBaseKey } from './keys.js';
import { NtlmSession } from './session.js';

export class NtlmAuthError extends Error {
  override readonly name = 'NtlmAuthError';
}

export interface NtlmAcceptorOptions {
  /** The password of `user` in `domain`, or undefined when unknown. */
  readonly lookupPassword: (user: string, domain: string) => string | undefined;
  readonly randomBytes?: (size: number) => Buffer;
  readonly now?: () => number;
  /** NetBIOS name of the server. @default 'WSMAN' */
  readonly serverName?: string;
  /** Leave MsvAvTimestamp out of the CHALLENGE (then no MIC is expected). @default false */
  readonly omitTimestamp?: boolean;
  /** When set, the client must send exactly this MsvAvChannelBindings value. */
  readonly expectedChannelBindingsHash?: Buffer;
}

export interface AcceptedContext {
  readonly user: string;
  readonly domain: string;
  readonly session: NtlmSession;
  readonly flags: number;
  readonly exportedSessionKey: Buffer;
}

/** One NTLM security context, server side: `challenge()` once, then `accept()` once. */
export class NtlmAcceptor {
  private negotiateToken: Buffer | undefined;
  private challengeToken: Buffer | undefined;

  constructor(private readonly options: NtlmAcceptorOptions) {}

  challenge(negotiateToken: Buffer): Buffer {
    const negotiate = decodeNegotiate(negotiateToken);
    const supported =
      NtlmFlag.requestTarget | NtlmFlag.sign | NtlmFlag.seal | NtlmFlag.ntlm | NtlmFlag.alwaysSign |
      NtlmFlag.extendedSessionSecurity | NtlmFlag.version | NtlmFlag.negotiate128 | NtlmFlag.keyExchange |
      NtlmFlag.negotiate56;
    let flags = (negotiate.flags & supported) | NtlmFlag.targetTypeServer | NtlmFlag.targetInfo;
    flags |= (negotiate.flags & NtlmFlag.unicode) !== 0 ? NtlmFlag.unicode : NtlmFlag.oem;
    const name = this.options.serverName ?? 'WSMAN';
    const pairs: AvPair[] = [
      { id: AvId.nbDomainName, value: Buffer.from(name, 'utf16le') },
      { id: AvId.nbComputerName, value: Buffer.from(name, 'utf16le') },
    ];
    if (!this.options.omitTimestamp) {
      pairs.push({ id: AvId.timestamp, value: fileTime((this.options.now ?? Date.now)()) });
    }
    const serverChallenge = (this.options.randomBytes ?? systemRandomBytes)(8);
    this.negotiateToken = negotiateToken;
    this.challengeToken = encodeChallenge({ flags: flags >>> 0, serverChallenge, targetName: name, avPairs: pairs });
    return this.challengeToken;
  }

  accept(authenticateToken: Buffer): AcceptedContext {
    if (!this.challengeToken || !this.negotiateToken) throw new NtlmAuthError('AUTHENTICATE before CHALLENGE');
    return verifyAuthenticate({
      negotiateToken: this.negotiateToken,
      challengeToken: this.challengeToken,
      authenticateToken,
      lookupPassword: this.options.lookupPassword,
      expectedChannelBindingsHash: this.options.expectedChannelBindingsHash,
    });
  }
}

export interface VerifyAuthenticateInput {
  readonly negotiateToken: Buffer;
  readonly challengeToken: Buffer;
  readonly authenticateToken: Buffer;
  readonly lookupPassword: (user: string, domain: string) => string | undefined;
  readonly expectedChannelBindingsHash?: Buffer | undefined;
}

/**
 * What a server computes to accept an AUTHENTICATE: NTProofStr from the stored password, the exported session
 * key, the MIC (required when the CHALLENGE carried a timestamp) and the channel bindings when expected.
 */
export function verifyAuthenticate(input: VerifyAuthenticateInput): AcceptedContext {
  const challenge = decodeChallenge(input.challengeToken);
  const auth = decodeAuthenticate(input.authenticateToken);
  const password = input.lookupPassword(auth.user, auth.domain);
  if (password === undefined) throw new NtlmAuthError(`unknown user ${auth.domain}\\${auth.user}`);
  if (auth.ntChallengeResponse.length < 48) throw new NtlmAuthError('not an NTLMv2 response');

  const ntowf = ntowfv2(password, auth.user, auth.domain);
  const proof = auth.ntChallengeResponse.subarray(0, 16);
  const temp = auth.ntChallengeResponse.subarray(16);
  if (!ntProofStr(ntowf, challenge.serverChallenge, temp).equals(proof)) throw new NtlmAuthError('wrong password');

  const keyExchangeKey = sessionBaseKey(ntowf, proof);
  const keyExchange = (auth.flags & NtlmFlag.keyExchange) !== 0;
  const exportedSessionKey = keyExchange ? rc4(keyExchangeKey, auth.encryptedRandomSessionKey) : keyExchangeKey;

  const pairs = decodeAvPairs(temp.subarray(28, temp.length - 4));
  const avFlags = pairs.find((p) => p.id === AvId.flags)?.value.readUInt32LE(0) ?? 0;
  if (avFlags & AV_FLAG_MIC_PRESENT) {
    if (!auth.mic) throw new NtlmAuthError('MsvAvFlags announces a MIC but the message has none');
    const zeroed = withMic(input.authenticateToken, Buffer.alloc(16));
    const mic = computeMic(exportedSessionKey, input.negotiateToken, input.challengeToken, zeroed);
    if (!mic.equals(auth.mic)) throw new NtlmAuthError('MIC does not match');
  } else if (challenge.timestamp !== undefined) {
    throw new NtlmAuthError('the client sent no MIC although the CHALLENGE carried a timestamp');
  }
  if (input.expectedChannelBindingsHash) {
    const cbt = pairs.find((p) => p.id === AvId.channelBindings)?.value;
    if (!cbt || !cbt.equals(input.expectedChannelBindingsHash)) throw new NtlmAuthError('channel bindings missing or wrong');
  }
  return {
    user: auth.user,
    domain: auth.domain,
    session: new NtlmSession(exportedSessionKey, 'server', keyExchange),
    flags: auth.flags,
    exportedSessionKey,
  };
}
