// MD4 (RFC 1320) in pure TypeScript: NTLM's NT hash needs it and OpenSSL 3 refuses it. Depends on nothing.

function rotl(x: number, n: number): number {
  return ((x << n) | (x >>> (32 - n))) >>> 0;
}

/** MD4 digest of `data` (16 bytes). */
export function md4(data: Uint8Array): Buffer {
  const bitLength = data.length * 8;
  // Pad with 0x80, zeros up to 56 mod 64, then the 64-bit little-endian bit length.
  const paddedLength = (((data.length + 8) >>> 6) + 1) << 6;
  const padded = Buffer.alloc(paddedLength);
  padded.set(data, 0);
  padded[data.length] = 0x80;
  padded.writeUInt32LE(bitLength >>> 0, paddedLength - 8);
  padded.writeUInt32LE(Math.floor(bitLength / 0x100000000) >>> 0, paddedLength - 4);

  let a = 0x67452301;
  let b = 0xefcdab89;
  let c = 0x98badcfe;
  let d = 0x10325476;
  const x = new Array<number>(16);

  const f = (p: number, q: number, r: number): number => (p & q) | (~p & r);
  const g = (p: number, q: number, r: number): number => (p & q) | (p & r) | (q & r);
  const h = (p: number, q: number, r: number): number => p ^ q ^ r;

  for (let block = 0; block < paddedLength; block += 64) {
    for (let i = 0; i < 16; i++) x[i] = padded.readUInt32LE(block + i * 4);
    const aa = a;
    const bb = b;
    const cc = c;
    const dd = d;
    const word = (i: number): number => x[i] as number;

    // Round 1: F, no constant, shifts 3 7 11 19.
    for (const i of [0, 4, 8, 12]) {
      a = rotl((a + f(b, c, d) + word(i)) >>> 0, 3);
      d = rotl((d + f(a, b, c) + word(i + 1)) >>> 0, 7);
      c = rotl((c + f(d, a, b) + word(i + 2)) >>> 0, 11);
      b = rotl((b + f(c, d, a) + word(i + 3)) >>> 0, 19);
    }
    // Round 2: G, constant 0x5a827999, shifts 3 5 9 13, words by column.
    for (const i of [0, 1, 2, 3]) {
      a = rotl((a + g(b, c, d) + word(i) + 0x5a827999) >>> 0, 3);
      d = rotl((d + g(a, b, c) + word(i + 4) + 0x5a827999) >>> 0, 5);
      c = rotl((c + g(d, a, b) + word(i + 8) + 0x5a827999) >>> 0, 9);
      b = rotl((b + g(c, d, a) + word(i + 12) + 0x5a827999) >>> 0, 13);
    }
    // Round 3: H, constant 0x6ed9eba1, shifts 3 9 11 15, words in bit-reversed order.
    for (const i of [0, 2, 1, 3]) {
      a = rotl((a + h(b, c, d) + word(i) + 0x6ed9eba1) >>> 0, 3);
      d = rotl((d + h(a, b, c) + word(i + 8) + 0x6ed9eba1) >>> 0, 9);
      c = rotl((c + h(d, a, b) + word(i + 4) + 0x6ed9eba1) >>> 0, 11);
      b = rotl((b + h(c, d, a) + word(i + 12) + 0x6ed9eba1) >>> 0, 15);
    }

    a = (a + aa) >>> 0;
    b = (b + bb) >>> 0;
    c = (c + cc) >>> 0;
    d = (d + dd) >>> 0;
  }

  const out = Buffer.alloc(16);
  out.writeUInt32LE(a, 0);
  out.writeUInt32LE(b, 4);
  out.writeUInt32LE(c, 8);
  out.writeUInt32LE(d, 12);
  return out;
}
