// Channel bindings for NTLM over HTTPS (RFC 5929 tls-server-end-point, MS-NLMP MsvAvChannelBindings): the MD5
// of a gss_channel_bindings_struct whose application data names the server certificate, hashed with the hash
// of the certificate's own signature algorithm. The algorithm is read from the certificate parsed as ASN.1
// (asn1js), RSASSA-PSS's hashAlgorithm parameter included. Depends on node:crypto and asn1js.
import { createHash } from 'node:crypto';
import { Constructed, ObjectIdentifier, Sequence, fromBER } from 'asn1js';
import { md5 } from '../crypto/hash.js';

export type EndPointHash = 'sha256' | 'sha224' | 'sha384' | 'sha512';

/** Hash OIDs (RFC 5754, RFC 3279) to Node's names; SHA-1 becomes SHA-256 (RFC 5929 §4.1), like MD5. */
const HASHES: Readonly<Record<string, EndPointHash>> = {
  '1.3.14.3.2.26': 'sha256', // sha1
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** Signature algorithm OIDs with a single hash (RFC 4055, 5758, 3279) to the hash RFC 5929 prescribes. */
const SIGNATURES: Readonly<Record<string, EndPointHash>> = {
  '1.2.840.113549.1.1.4': 'sha256', // md5WithRSAEncryption
  '1.2.840.113549.1.1.5': 'sha256', // sha1WithRSAEncryption
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha256', // ecdsa-with-SHA1
  '1.2.840.10045.4.3.1': 'sha224',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.10040.4.3': 'sha256', // dsa-with-sha1
  '2.16.840.1.101.3.4.3.1': 'sha224', // dsa-with-sha224
  '2.16.840.1.101.3.4.3.2': 'sha256', // dsa-with-sha256
};

const RSASSA_PSS = '1.2.840.113549.1.1.10';

export class CertificateParseError extends Error {
  override readonly name = 'CertificateParseError';
}

/** The dotted OID of an AlgorithmIdentifier SEQUENCE's first element. */
function algorithmOid(node: unknown): string {
  const oid = node instanceof Sequence ? node.valueBlock.value[0] : undefined;
  if (!(oid instanceof ObjectIdentifier)) throw new CertificateParseError('an AlgorithmIdentifier without an OID');
  return oid.valueBlock.toString();
}

/**
 * Hash algorithm RFC 5929 prescribes for a DER certificate: its signatureAlgorithm's hash, SHA-256 for MD5 and
 * SHA-1, and SHA-256 where the algorithm names no single hash (Ed25519, Ed448), as Windows and pyspnego do.
 */
export function endPointHashAlgorithm(certDer: Buffer): EndPointHash {
  const parsed = fromBER(new Uint8Array(certDer.buffer, certDer.byteOffset, certDer.byteLength));
  if (parsed.offset === -1 || !(parsed.result instanceof Sequence)) throw new CertificateParseError(`not a DER certificate: ${parsed.result.error}`);
  // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm AlgorithmIdentifier, signatureValue }
  const signatureAlgorithm = parsed.result.valueBlock.value[1];
  const oid = algorithmOid(signatureAlgorithm);
  if (oid !== RSASSA_PSS) return SIGNATURES[oid] ?? 'sha256';
  // RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] AlgorithmIdentifier DEFAULT sha1, ... }
  const params = (signatureAlgorithm as Sequence).valueBlock.value[1];
  const tagged = params instanceof Sequence ? params.valueBlock.value.find((v) => v.idBlock.tagClass === 3 && v.idBlock.tagNumber === 0) : undefined;
  if (tagged === undefined) return 'sha256'; // the default, SHA-1
  if (!(tagged instanceof Constructed)) throw new CertificateParseError('RSASSA-PSS hashAlgorithm is not a constructed [0]');
  const hash = algorithmOid(tagged.valueBlock.value[0]);
  const name = HASHES[hash];
  if (name === undefined) throw new CertificateParseError(`RSASSA-PSS with an unknown hash algorithm ${hash}`);
  return name;
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
