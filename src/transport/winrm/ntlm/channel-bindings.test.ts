import { readFileSync } from 'node:fs';
import { createHash, X509Certificate } from 'node:crypto';
import { channelBindingsHash, endPointHashAlgorithm } from './channel-bindings.js';

const der = (name: string): Buffer =>
  new X509Certificate(readFileSync(new URL(`../../../../test/fixtures/winrm/tls/${name}`, import.meta.url))).raw;

describe('tls-server-end-point channel bindings (RFC 5929)', () => {
  it.each([
    ['localhost.crt', 'sha256'],
    ['p384-sha384.crt', 'sha384'],
    // RSASSA-PSS names its hash in the algorithm's parameters (issue 14 §8); SHA-1, the default, is left out.
    ['pss-sha384.crt', 'sha384'],
    ['pss-sha512.crt', 'sha512'],
    ['pss-sha1.crt', 'sha256'],
    // Ed25519 uses no separate hash: SHA-256, as Windows and pyspnego do.
    ['ed25519.crt', 'sha256'],
  ])('hashes %s with %s, read from the certificate parsed as ASN.1', (file, algorithm) => {
    expect(endPointHashAlgorithm(der(file))).toBe(algorithm);
  });

  it('refuses bytes that are not a DER certificate', () => {
    expect(() => endPointHashAlgorithm(Buffer.from('not a certificate'))).toThrow(/DER certificate|AlgorithmIdentifier/);
  });

  it('is the MD5 of the gss_channel_bindings_struct', () => {
    const cert = der('localhost.crt');
    const app = Buffer.concat([Buffer.from('tls-server-end-point:'), createHash('sha256').update(cert).digest()]);
    const struct = Buffer.concat([Buffer.alloc(16), Buffer.from([app.length, 0, 0, 0]), app]);
    expect(channelBindingsHash(cert).equals(createHash('md5').update(struct).digest())).toBe(true);
    expect(channelBindingsHash(cert).equals(channelBindingsHash(der('p384-sha384.crt')))).toBe(false);
  });
});
