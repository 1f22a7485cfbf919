// Channel bindings for NTLM over HTTPS (RFC 5929 tls-server-end-point, MS-NLMP MsvAvChannelBindings): the MD5
// of a gss_channel_bindings_struct whose application data names the server certificate. Depends on node:crypto.
import { createHash } from 'node:crypto';
import { md5 } from '../crypto/hash.js';

// DER-encoded OIDs of signature algorithms whose hash is stronger than SHA-256 (RFC 5929 §4.1: use the
// certificate's own hash, except MD5 and SHA-1 which become SHA-256).
const SHA384_OIDS = ['2a864886f70d01010c', '2a8648ce3d040303'];
const SHA512_OIDS = ['2a864886f70d01010d', '2a8648ce3d040304'];

/** Hash algorithm RFC 5929 prescribes for a DER certificate. */
export function endPointHashAlgorithm(certDer: Buffer): 'sha256' | 'sha384' | 'sha512' {
  // The signature AlgorithmIdentifier closes the certificate; looking at its tail avoids OIDs inside extensions.
  const tail = certDer.subarray(Math.max(0, certDer.length - 600)).toString('hex');
  const last = (oids: string[]): number => Math.max(...oids.map((o) => tail.lastIndexOf(`06${(o.length / 2).toString(16).padStart(2, '0')}${o}`)));
  const at384 = last(SHA384_OIDS);
  const at512 = last(SHA512_OIDS);
  if (at512 > at384) return 'sha512';
  if (at384 >= 0) return 'sha384';
  return 'sha256';
}

/** MD5 of the gss_channel_bindings_struct for `tls-server-end-point:` + hash(certificate). */
export function channelBindingsHash(certDer: Buffer): Buffer {
  const certHash = createHash(endPointHashAlgorithm(certDer)).update(certDer).digest();
  const appData = Buffer.concat([Buffer.from('tls-server-end-point:', 'latin1'), certHash]);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(appData.length);
  // Initiator and acceptor address types and lengths are all zero (16 bytes), then the application data.
  return md5(Buffer.alloc(16), length, appData);
}
