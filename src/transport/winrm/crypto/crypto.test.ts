import { md4 } from './md4.js';
import { Rc4, rc4 } from './rc4.js';
import { hmacMd5, md5 } from './hash.js';

describe('md4 (RFC 1320 appendix A.5 test suite)', () => {
  it.each([
    ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
    ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
    ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
    ['message digest', 'd9130a8164549fe818874806e1c7014b'],
    ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '043f8582f241db351ce627e153e7f0e4'],
    ['1234567890'.repeat(8), 'e33b4ddc9c38f2199c3e7b164fcc0536'],
  ])('md4(%j)', (input, hex) => {
    expect(md4(Buffer.from(input, 'latin1')).toString('hex')).toBe(hex);
  });

  it('hashes inputs around the 56-byte padding boundary consistently', () => {
    // 55, 56 and 64 bytes exercise the one- and two-block padding paths.
    const seen = new Set([55, 56, 63, 64, 65].map((n) => md4(Buffer.alloc(n, 0x61)).toString('hex')));
    expect(seen.size).toBe(5);
  });

  it('gives the NT hash of "Password" (MS-NLMP 4.2.1)', () => {
    expect(md4(Buffer.from('Password', 'utf16le')).toString('hex')).toBe('a4f49c406510bdcab6824ee7c30fd852');
  });
});

describe('rc4', () => {
  it.each([
    // Classic vectors (Wikipedia / RFC 6229 style): key, plaintext, ciphertext.
    ['Key', 'Plaintext', 'bbf316e8d940af0ad3'],
    ['Wiki', 'pedia', '1021bf0420'],
    ['Secret', 'Attack at dawn', '45a01f645fc35b383552544b9bf5'],
  ])('rc4(%j, %j)', (key, plain, hex) => {
    expect(rc4(Buffer.from(key), Buffer.from(plain)).toString('hex')).toBe(hex);
  });

  it('keeps one keystream across update calls', () => {
    const whole = rc4(Buffer.from('Secret'), Buffer.from('Attack at dawn'));
    const stream = new Rc4(Buffer.from('Secret'));
    const parts = Buffer.concat([stream.update(Buffer.from('Attack')), stream.update(Buffer.from(' at dawn'))]);
    expect(parts.equals(whole)).toBe(true);
  });

  it('rejects an empty key', () => {
    expect(() => new Rc4(Buffer.alloc(0))).toThrow(RangeError);
  });
});

describe('md5 / hmac-md5 (RFC 1321, RFC 2104)', () => {
  it('md5("abc")', () => {
    expect(md5(Buffer.from('a'), Buffer.from('bc')).toString('hex')).toBe('900150983cd24fb0d6963f7d28e17f72');
  });
  it('hmac-md5 RFC 2104 vector 2', () => {
    expect(hmacMd5(Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?')).toString('hex')).toBe(
      '750c783e6ab0b503eaa86e310a5db738',
    );
  });
});
