// NTLM session security for a connection (MS-NLMP 3.4.4.2, 3.4.6): seal/unseal with ESS, one RC4 stream and
// one sequence number per direction for the whole connection. Depends only on the crypto primitives and keys.
import { Rc4 } from '../crypto/rc4.js';
import { hmacMd5 } from '../crypto/hash.js';
import { sealingKey, signingKey, type Direction } from './keys.js';

export class NtlmIntegrityError extends Error {
  override readonly name = 'NtlmIntegrityError';
}

export interface SealedMessage {
  /** The 16-byte NTLM message signature: version 1, checksum, sequence number. */
  readonly signature: Buffer;
  /** Same length as the plaintext. */
  readonly ciphertext: Buffer;
}

interface DirectionState {
  readonly rc4: Rc4;
  readonly signKey: Buffer;
  seq: number;
}

/**
 * A sealed NTLM session as one side of the connection sees it. The RC4 streams are never reset: losing a
 * message (or the socket) desynchronises them, so callers throw the session away and re-authenticate.
 */
export class NtlmSession {
  private readonly out: DirectionState;
  private readonly in: DirectionState;
  private readonly keyExchange: boolean;

  /**
   * @param exportedSessionKey the 16-byte key both sides agreed on
   * @param role which side we are: a client seals with client-to-server keys, a server with server-to-client
   * @param keyExchange whether NTLMSSP_NEGOTIATE_KEY_ECH was negotiated (the checksum is then RC4-encrypted)
   */
  constructor(exportedSessionKey: Buffer, role: 'client' | 'server', keyExchange = true) {
    const mine: Direction = role === 'client' ? 'client-to-server' : 'server-to-client';
    const theirs: Direction = role === 'client' ? 'server-to-client' : 'client-to-server';
    this.out = { rc4: new Rc4(sealingKey(exportedSessionKey, mine)), signKey: signingKey(exportedSessionKey, mine), seq: 0 };
    this.in = { rc4: new Rc4(sealingKey(exportedSessionKey, theirs)), signKey: signingKey(exportedSessionKey, theirs), seq: 0 };
    this.keyExchange = keyExchange;
  }

  /** Sequence numbers of the next outgoing and incoming messages. */
  get sequence(): { out: number; in: number } {
    return { out: this.out.seq, in: this.in.seq };
  }

  seal(plaintext: Buffer): SealedMessage {
    const d = this.out;
    // Order matters: the message is encrypted first, then the checksum with the same stream.
    const ciphertext = d.rc4.update(plaintext);
    const signature = this.signature(d, plaintext);
    d.seq = (d.seq + 1) >>> 0;
    return { signature, ciphertext };
  }

  /** Decrypts and verifies a message from the peer; throws NtlmIntegrityError on a bad signature. */
  unseal(ciphertext: Buffer, signature: Buffer): Buffer {
    const d = this.in;
    if (signature.length !== 16) throw new NtlmIntegrityError('NTLM signature must be 16 bytes');
    const plaintext = d.rc4.update(ciphertext);
    const expected = this.signature(d, plaintext);
    if (!expected.equals(signature)) {
      throw new NtlmIntegrityError(
        signature.readUInt32LE(12) !== d.seq
          ? `NTLM sequence number ${signature.readUInt32LE(12)} where ${d.seq} was expected`
          : 'NTLM message signature does not match',
      );
    }
    d.seq = (d.seq + 1) >>> 0;
    return plaintext;
  }

  private signature(d: DirectionState, plaintext: Buffer): Buffer {
    const seq = Buffer.alloc(4);
    seq.writeUInt32LE(d.seq);
    let checksum = hmacMd5(d.signKey, seq, plaintext).subarray(0, 8);
    if (this.keyExchange) checksum = d.rc4.update(checksum);
    return Buffer.concat([Buffer.from([1, 0, 0, 0]), checksum, seq]);
  }
}
