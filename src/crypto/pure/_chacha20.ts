/**
 * The ChaCha20 stream cipher (RFC 8439 sections 2.1-2.4) on 32-bit words.
 *
 * @module
 */

/** True on little-endian hosts, where a Uint32Array view reads bytes as RFC words. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** "expand 32-byte k" as four little-endian words. */
const SIGMA0 = 0x61707865, SIGMA1 = 0x3320646e, SIGMA2 = 0x79622d32, SIGMA3 = 0x6b206574;

function readWord(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}

/** Applies the ChaCha quarter round to four words of state in place (RFC 8439 2.2). */
export function quarterRound(s: Uint32Array, a: number, b: number, c: number, d: number): void {
  const rotl = (v: number, n: number): number => (v << n) | (v >>> (32 - n));
  s[a] += s[b];
  s[d] = rotl(s[d] ^ s[a], 16);
  s[c] += s[d];
  s[b] = rotl(s[b] ^ s[c], 12);
  s[a] += s[b];
  s[d] = rotl(s[d] ^ s[a], 8);
  s[c] += s[d];
  s[b] = rotl(s[b] ^ s[c], 7);
}

/**
 * Builds the 16-word initial state from a 32-byte key, a 32-bit block counter
 * and a 12-byte nonce (RFC 8439 2.3).
 */
export function chachaState(key: Uint8Array, counter: number, nonce: Uint8Array): Uint32Array {
  const s = new Uint32Array(16);
  s[0] = SIGMA0, s[1] = SIGMA1, s[2] = SIGMA2, s[3] = SIGMA3;
  for (let i = 0; i < 8; i++) s[4 + i] = readWord(key, 4 * i);
  s[12] = counter;
  for (let i = 0; i < 3; i++) s[13 + i] = readWord(nonce, 4 * i);
  return s;
}

/**
 * Runs the block function on state j (20 rounds plus the feed-forward) and
 * writes the 16 keystream words to out[o..o+16): XORed into out when xor is
 * true (in-place encryption), stored otherwise.
 */
export function chachaCore(j: Uint32Array, out: Uint32Array, o: number, xor: boolean): void {
  const j0 = j[0], j1 = j[1], j2 = j[2], j3 = j[3], j4 = j[4], j5 = j[5], j6 = j[6], j7 = j[7];
  const j8 = j[8], j9 = j[9], j10 = j[10], j11 = j[11], j12 = j[12], j13 = j[13], j14 = j[14];
  const j15 = j[15];
  let x0 = j0, x1 = j1, x2 = j2, x3 = j3, x4 = j4, x5 = j5, x6 = j6, x7 = j7;
  let x8 = j8, x9 = j9, x10 = j10, x11 = j11, x12 = j12, x13 = j13, x14 = j14, x15 = j15;
  for (let i = 0; i < 10; i++) {
    x0 = (x0 + x4) | 0;
    x12 ^= x0;
    x12 = (x12 << 16) | (x12 >>> 16);
    x8 = (x8 + x12) | 0;
    x4 ^= x8;
    x4 = (x4 << 12) | (x4 >>> 20);
    x0 = (x0 + x4) | 0;
    x12 ^= x0;
    x12 = (x12 << 8) | (x12 >>> 24);
    x8 = (x8 + x12) | 0;
    x4 ^= x8;
    x4 = (x4 << 7) | (x4 >>> 25);
    x1 = (x1 + x5) | 0;
    x13 ^= x1;
    x13 = (x13 << 16) | (x13 >>> 16);
    x9 = (x9 + x13) | 0;
    x5 ^= x9;
    x5 = (x5 << 12) | (x5 >>> 20);
    x1 = (x1 + x5) | 0;
    x13 ^= x1;
    x13 = (x13 << 8) | (x13 >>> 24);
    x9 = (x9 + x13) | 0;
    x5 ^= x9;
    x5 = (x5 << 7) | (x5 >>> 25);
    x2 = (x2 + x6) | 0;
    x14 ^= x2;
    x14 = (x14 << 16) | (x14 >>> 16);
    x10 = (x10 + x14) | 0;
    x6 ^= x10;
    x6 = (x6 << 12) | (x6 >>> 20);
    x2 = (x2 + x6) | 0;
    x14 ^= x2;
    x14 = (x14 << 8) | (x14 >>> 24);
    x10 = (x10 + x14) | 0;
    x6 ^= x10;
    x6 = (x6 << 7) | (x6 >>> 25);
    x3 = (x3 + x7) | 0;
    x15 ^= x3;
    x15 = (x15 << 16) | (x15 >>> 16);
    x11 = (x11 + x15) | 0;
    x7 ^= x11;
    x7 = (x7 << 12) | (x7 >>> 20);
    x3 = (x3 + x7) | 0;
    x15 ^= x3;
    x15 = (x15 << 8) | (x15 >>> 24);
    x11 = (x11 + x15) | 0;
    x7 ^= x11;
    x7 = (x7 << 7) | (x7 >>> 25);
    x0 = (x0 + x5) | 0;
    x15 ^= x0;
    x15 = (x15 << 16) | (x15 >>> 16);
    x10 = (x10 + x15) | 0;
    x5 ^= x10;
    x5 = (x5 << 12) | (x5 >>> 20);
    x0 = (x0 + x5) | 0;
    x15 ^= x0;
    x15 = (x15 << 8) | (x15 >>> 24);
    x10 = (x10 + x15) | 0;
    x5 ^= x10;
    x5 = (x5 << 7) | (x5 >>> 25);
    x1 = (x1 + x6) | 0;
    x12 ^= x1;
    x12 = (x12 << 16) | (x12 >>> 16);
    x11 = (x11 + x12) | 0;
    x6 ^= x11;
    x6 = (x6 << 12) | (x6 >>> 20);
    x1 = (x1 + x6) | 0;
    x12 ^= x1;
    x12 = (x12 << 8) | (x12 >>> 24);
    x11 = (x11 + x12) | 0;
    x6 ^= x11;
    x6 = (x6 << 7) | (x6 >>> 25);
    x2 = (x2 + x7) | 0;
    x13 ^= x2;
    x13 = (x13 << 16) | (x13 >>> 16);
    x8 = (x8 + x13) | 0;
    x7 ^= x8;
    x7 = (x7 << 12) | (x7 >>> 20);
    x2 = (x2 + x7) | 0;
    x13 ^= x2;
    x13 = (x13 << 8) | (x13 >>> 24);
    x8 = (x8 + x13) | 0;
    x7 ^= x8;
    x7 = (x7 << 7) | (x7 >>> 25);
    x3 = (x3 + x4) | 0;
    x14 ^= x3;
    x14 = (x14 << 16) | (x14 >>> 16);
    x9 = (x9 + x14) | 0;
    x4 ^= x9;
    x4 = (x4 << 12) | (x4 >>> 20);
    x3 = (x3 + x4) | 0;
    x14 ^= x3;
    x14 = (x14 << 8) | (x14 >>> 24);
    x9 = (x9 + x14) | 0;
    x4 ^= x9;
    x4 = (x4 << 7) | (x4 >>> 25);
  }
  if (xor) {
    out[o] ^= x0 + j0, out[o + 1] ^= x1 + j1, out[o + 2] ^= x2 + j2, out[o + 3] ^= x3 + j3;
    out[o + 4] ^= x4 + j4, out[o + 5] ^= x5 + j5, out[o + 6] ^= x6 + j6, out[o + 7] ^= x7 + j7;
    out[o + 8] ^= x8 + j8, out[o + 9] ^= x9 + j9, out[o + 10] ^= x10 + j10;
    out[o + 11] ^= x11 + j11, out[o + 12] ^= x12 + j12, out[o + 13] ^= x13 + j13;
    out[o + 14] ^= x14 + j14, out[o + 15] ^= x15 + j15;
  } else {
    out[o] = x0 + j0, out[o + 1] = x1 + j1, out[o + 2] = x2 + j2, out[o + 3] = x3 + j3;
    out[o + 4] = x4 + j4, out[o + 5] = x5 + j5, out[o + 6] = x6 + j6, out[o + 7] = x7 + j7;
    out[o + 8] = x8 + j8, out[o + 9] = x9 + j9, out[o + 10] = x10 + j10;
    out[o + 11] = x11 + j11, out[o + 12] = x12 + j12, out[o + 13] = x13 + j13;
    out[o + 14] = x14 + j14, out[o + 15] = x15 + j15;
  }
}

/** The 64-byte keystream block for (key, counter, nonce) (RFC 8439 2.3). */
export function chachaBlock(key: Uint8Array, counter: number, nonce: Uint8Array): Uint8Array {
  const ks = new Uint32Array(16);
  chachaCore(chachaState(key, counter, nonce), ks, 0, false);
  const out = new Uint8Array(64);
  for (let i = 0; i < 64; i++) out[i] = ks[i >> 2] >>> ((i & 3) << 3);
  return out;
}

/**
 * XORs the keystream starting at block j[12] into buf[start..end) in place,
 * advancing j[12]. Uses whole-word XOR when the host is little-endian and the
 * bytes are word-aligned; the tail and other hosts go byte by byte.
 */
export function chachaXorInPlace(
  j: Uint32Array,
  buf: Uint8Array,
  start: number,
  end: number,
  scratch: Uint32Array,
): void {
  let p = start;
  if (LITTLE_ENDIAN && ((buf.byteOffset + start) & 3) === 0 && end - start >= 64) {
    const words = new Uint32Array(buf.buffer, buf.byteOffset + start, (end - start) >>> 2);
    const blocks = (end - start) >>> 6;
    for (let b = 0; b < blocks; b++) {
      chachaCore(j, words, b << 4, true);
      j[12]++;
    }
    p += blocks << 6;
  }
  while (p < end) {
    chachaCore(j, scratch, 0, false);
    j[12]++;
    const n = Math.min(64, end - p);
    for (let i = 0; i < n; i++) buf[p + i] ^= scratch[i >> 2] >>> ((i & 3) << 3);
    p += n;
  }
}

/**
 * ChaCha20 encryption (RFC 8439 2.4): returns input XOR the keystream that
 * starts at block counter.
 */
export function chacha20(
  key: Uint8Array,
  counter: number,
  nonce: Uint8Array,
  input: Uint8Array,
): Uint8Array {
  const out = input.slice();
  chachaXorInPlace(chachaState(key, counter, nonce), out, 0, out.length, new Uint32Array(16));
  return out;
}
