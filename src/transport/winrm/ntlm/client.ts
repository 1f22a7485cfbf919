// The initiator side of NTLMv2 (MS-NLMP 3.1.5): NEGOTIATE, then AUTHENTICATE for a CHALLENGE, yielding a sealed
// NtlmSession. Randomness and time are injected; depends on node:crypto only for the default randomness.
import { randomBytes as systemRandomBytes } from 'node:crypto';
import { rc4 } from '../crypto/rc4.js';
import {
  AV_FLAG_MIC_PRESENT,
  AvId,
  NtlmFlag,
  clientNegotiateFlags,
  decodeChallenge,
  encodeAuthenticate,
  encodeAvPairs,
  encodeNegotiate,
  withMic,
  type AvPair,
  type ChallengeMessage,
} from './messages.js';
import { computeMic, fileTime, lmv2Response, ntProofStr, ntlmv2Temp, ntowfv2, sessionBaseKey } from './keys.js';
import { NtlmSession } from './session.js';

export interface NtlmCredentials {
  /** Account name without the domain part. */
  readonly user: string;
  /** Domain as typed; empty for local accounts. */
  readonly domain: string;
  readonly password: string;
}

/** Splits `DOMAIN\user`; `user@domain` (a UPN) stays whole with an empty domain, as Windows expects. */
export function splitUsername(username: string): { user: string; domain: string } {
  const slash = username.indexOf('\\');
  if (slash >= 0) return { domain: username.slice(0, slash), user: username.slice(slash + 1) };
  return { user: username, domain: '' };
}

export interface NtlmClientOptions {
  /** Source of the client challenge and the exported session key. @default node:crypto randomBytes */
  readonly randomBytes?: (size: number) => Buffer;
  /** Unix milliseconds, used only when the server sends no MsvAvTimestamp. */
  readonly now?: () => number;
  /** Refuse a CHALLENGE that cannot give 128-bit sealing (true on HTTP, where bodies are encrypted). @default true */
  readonly requireSealing?: boolean;
  /** Workstation name sent in AUTHENTICATE. @default '' */
  readonly workstation?: string;
  /**
   * The service principal name of the target (`HTTP/<node name>`), sent as MsvAvTargetName in AUTHENTICATE
   * (MS-NLMP 2.2.2.1), so that a server can refuse a context meant for another service.
   */
  readonly targetSpn?: string;
}

export class NtlmNegotiationError extends Error {
  override readonly name = 'NtlmNegotiationError';
}

export interface NtlmAuthenticateResult {
  readonly token: Buffer;
  readonly session: NtlmSession;
  readonly exportedSessionKey: Buffer;
  readonly flags: number;
}

/** One NTLM security context, client side. Use a new instance per connection. */
export class NtlmClient {
  readonly negotiateMessage: Buffer;
  private readonly randomBytes: (size: number) => Buffer;
  private readonly now: () => number;

  constructor(private readonly options: NtlmClientOptions = {}) {
    this.negotiateMessage = encodeNegotiate(clientNegotiateFlags);
    this.randomBytes = options.randomBytes ?? systemRandomBytes;
    this.now = options.now ?? Date.now;
  }

  /** The AUTHENTICATE token for `challengeToken`, and the session that seals what follows. */
  /**
   * @param channelBindingsHash MD5 of the gss_channel_bindings_struct, over HTTPS (see channel-bindings.ts);
   *   known only once the TLS handshake is done, hence a parameter here
   */
  authenticate(challengeToken: Buffer, credentials: NtlmCredentials, channelBindingsHash?: Buffer): NtlmAuthenticateResult {
    const challenge = decodeChallenge(challengeToken);
    const flags = this.agreedFlags(challenge);
    const ntowf = ntowfv2(credentials.password, credentials.user, credentials.domain);
    const clientChallenge = this.randomBytes(8);

    // With a server timestamp we must send a MIC (MS-NLMP 3.1.5.1.2) and an all-zero LM response.
    const hasTimestamp = challenge.timestamp !== undefined;
    const timestamp = challenge.timestamp ?? fileTime(this.now());
    const pairs = clientAvPairs(challenge, hasTimestamp, channelBindingsHash, this.options.targetSpn);
    const temp = ntlmv2Temp(timestamp, clientChallenge, encodeAvPairs(pairs));
    const proof = ntProofStr(ntowf, challenge.serverChallenge, temp);
    const keyExchangeKey = sessionBaseKey(ntowf, proof);

    const keyExchange = (flags & NtlmFlag.keyExchange) !== 0;
    const exportedSessionKey = keyExchange ? this.randomBytes(16) : keyExchangeKey;
    const encryptedRandomSessionKey = keyExchange ? rc4(keyExchangeKey, exportedSessionKey) : Buffer.alloc(0);

    let token = encodeAuthenticate({
      flags,
      lmChallengeResponse: hasTimestamp
        ? Buffer.alloc(24)
        : lmv2Response(ntowf, challenge.serverChallenge, clientChallenge),
      ntChallengeResponse: Buffer.concat([proof, temp]),
      domain: credentials.domain,
      user: credentials.user,
      workstation: this.options.workstation ?? '',
      encryptedRandomSessionKey,
    });
    if (hasTimestamp) {
      token = withMic(token, computeMic(exportedSessionKey, this.negotiateMessage, challengeToken, token));
    }
    return { token, session: new NtlmSession(exportedSessionKey, 'client', keyExchange), exportedSessionKey, flags };
  }

  private agreedFlags(challenge: ChallengeMessage): number {
    const wanted = clientNegotiateFlags | NtlmFlag.oem;
    let flags = (challenge.flags & wanted) >>> 0;
    if ((flags & NtlmFlag.unicode) !== 0) flags = (flags & ~NtlmFlag.oem) >>> 0;
    // NEGOTIATE_NTLM itself is not required: gss-ntlmssp leaves it out when the client did (recorded capture).
    const required: number[] = [NtlmFlag.extendedSessionSecurity];
    if (this.options.requireSealing ?? true) required.push(NtlmFlag.seal, NtlmFlag.sign, NtlmFlag.negotiate128);
    for (const f of required) {
      if ((flags & f) === 0) {
        throw new NtlmNegotiationError(
          `the server did not agree to NTLM flag 0x${f.toString(16)} (NTLMv2 with 128-bit session security is required)`,
        );
      }
    }
    return flags;
  }
}

function clientAvPairs(challenge: ChallengeMessage, withMicFlag: boolean, cbt: Buffer | undefined, targetSpn: string | undefined): AvPair[] {
  const pairs = challenge.avPairs.filter((p) => p.id !== AvId.flags && p.id !== AvId.channelBindings && p.id !== AvId.targetName);
  const existing = challenge.avPairs.find((p) => p.id === AvId.flags);
  let avFlags = existing && existing.value.length >= 4 ? existing.value.readUInt32LE(0) : 0;
  if (withMicFlag) avFlags |= AV_FLAG_MIC_PRESENT;
  if (avFlags !== 0 || existing) {
    const value = Buffer.alloc(4);
    value.writeUInt32LE(avFlags >>> 0);
    pairs.push({ id: AvId.flags, value });
  }
  if (cbt) pairs.push({ id: AvId.channelBindings, value: cbt });
  // Unicode, without a terminating NUL.
  if (targetSpn) pairs.push({ id: AvId.targetName, value: Buffer.from(targetSpn, 'utf16le') });
  return pairs;
}
