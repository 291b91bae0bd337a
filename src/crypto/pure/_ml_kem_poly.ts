/**
 * Polynomial arithmetic for ML-KEM (FIPS 203 sections 4.2-4.3): the ring
 * Z_q[X]/(X^256 + 1) with q = 3329, its NTT, byte encodings, compression and
 * the two samplers. Polynomials are `Int16Array(256)`; coefficients are
 * signed and only loosely reduced between steps (bounds noted where they
 * matter), and products go through Montgomery reduction with R = 2^16 so every
 * intermediate fits a 32-bit integer.
 *
 * @module
 */

import { Keccak } from "./_sha3.ts";

/** The ML-KEM modulus. */
export const Q = 3329;
/** q^-1 mod 2^16. */
const Q_INV = 62209;
/** 2^32 mod q: multiplying by it with `fqmul` moves a value into the Montgomery domain. */
const R2_MOD_Q = 1353;
/** R^2 / 128 mod q: undoes the 1/128 of the inverse NTT and the R^-1 of a base multiplication. */
const INV_NTT_SCALE = 1441;

/** Montgomery reduction: a * 2^-16 mod q, in (-q, q) for |a| < q * 2^15. */
function montReduce(a: number): number {
  const t = (Math.imul(a, Q_INV) << 16) >> 16;
  return (a - Math.imul(t, Q)) >> 16;
}

/** a * b * 2^-16 mod q. */
function fqmul(a: number, b: number): number {
  return montReduce(Math.imul(a, b));
}

/** Barrett reduction of a 16-bit value to its centred representative (about ±q/2). */
function barrett(a: number): number {
  const t = (Math.imul(20159, a) + (1 << 25)) >> 26;
  return a - Math.imul(t, Q);
}

// zeta = 17 is a primitive 256th root of unity mod q; the NTT walks its powers in
// bit-reversed order, stored here in Montgomery form and centred.
const ZETAS = new Int16Array(128);
(function initZetas(): void {
  const pow = new Array<number>(128);
  pow[0] = 1;
  for (let i = 1; i < 128; i++) pow[i] = (pow[i - 1] * 17) % Q;
  for (let i = 0; i < 128; i++) {
    let rev = 0;
    for (let b = 0; b < 7; b++) rev |= ((i >> b) & 1) << (6 - b);
    let z = (pow[rev] * 65536) % Q;
    if (z > Q >> 1) z -= Q;
    ZETAS[i] = z;
  }
})();

/** Forward NTT in place. Input |coefficients| < q; output reduced to about ±q/2. */
export function ntt(r: Int16Array): void {
  let k = 1;
  for (let len = 128; len >= 2; len >>= 1) {
    for (let start = 0; start < 256; start += 2 * len) {
      const zeta = ZETAS[k++];
      for (let j = start; j < start + len; j++) {
        const t = fqmul(zeta, r[j + len]);
        r[j + len] = r[j] - t;
        r[j] = r[j] + t;
      }
    }
  }
  // Seven layers grow |coefficients| by at most q each: below 8q, still 16-bit.
  for (let i = 0; i < 256; i++) r[i] = barrett(r[i]);
}

/**
 * Inverse NTT in place, multiplied by 2^16: applied to a sum of base
 * multiplications (which carry 2^-16) it lands back in the normal domain.
 */
export function invNtt(r: Int16Array): void {
  let k = 127;
  for (let len = 2; len <= 128; len <<= 1) {
    for (let start = 0; start < 256; start += 2 * len) {
      const zeta = ZETAS[k--];
      for (let j = start; j < start + len; j++) {
        const t = r[j];
        r[j] = barrett(t + r[j + len]);
        r[j + len] = fqmul(zeta, r[j + len] - t);
      }
    }
  }
  for (let i = 0; i < 256; i++) r[i] = fqmul(r[i], INV_NTT_SCALE);
}

/**
 * acc += a ∘ b (NTT-domain product, FIPS 203 MultiplyNTTs), times 2^-16.
 * Each call adds less than 2q in magnitude to `acc`.
 */
export function baseMulAcc(acc: Int16Array, a: Int16Array, b: Int16Array): void {
  for (let i = 0; i < 64; i++) {
    const zeta = ZETAS[64 + i];
    for (let h = 0; h < 2; h++) {
      const j = 4 * i + 2 * h;
      const z = h === 0 ? zeta : -zeta;
      const a0 = a[j];
      const a1 = a[j + 1];
      const b0 = b[j];
      const b1 = b[j + 1];
      acc[j] += fqmul(fqmul(a1, b1), z) + fqmul(a0, b0);
      acc[j + 1] += fqmul(a0, b1) + fqmul(a1, b0);
    }
  }
}

/** Reduces every coefficient to about ±q/2. */
export function reduce(r: Int16Array): void {
  for (let i = 0; i < 256; i++) r[i] = barrett(r[i]);
}

/** Multiplies every coefficient by 2^16 (into the Montgomery domain), reduced. */
export function toMont(r: Int16Array): void {
  for (let i = 0; i < 256; i++) r[i] = fqmul(r[i], R2_MOD_Q);
}

/** r += a, coefficient-wise (no reduction). */
export function addTo(r: Int16Array, a: Int16Array): void {
  for (let i = 0; i < 256; i++) r[i] += a[i];
}

/** Maps each 16-bit coefficient to its canonical value in [0, q), without branches. */
export function canonical(r: Int16Array): void {
  for (let i = 0; i < 256; i++) {
    const t = barrett(r[i]);
    r[i] = t + ((t >> 31) & Q);
  }
}

/** ByteEncode_d of 256 coefficients (each masked to d bits) into `out` at `offset`. */
export function byteEncode(r: Int16Array, d: number, out: Uint8Array, offset: number): void {
  const mask = (1 << d) - 1;
  let acc = 0;
  let bits = 0;
  let o = offset;
  for (let i = 0; i < 256; i++) {
    acc |= (r[i] & mask) << bits;
    bits += d;
    while (bits >= 8) {
      out[o++] = acc & 0xff;
      acc >>>= 8;
      bits -= 8;
    }
  }
}

/** ByteDecode_d of 32 * d bytes of `b` starting at `offset` into `r` (no reduction mod q). */
export function byteDecode(b: Uint8Array, offset: number, d: number, r: Int16Array): void {
  const mask = (1 << d) - 1;
  let acc = 0;
  let bits = 0;
  let o = offset;
  for (let i = 0; i < 256; i++) {
    while (bits < d) {
      acc |= b[o++] << bits;
      bits += 8;
    }
    r[i] = acc & mask;
    acc >>>= d;
    bits -= d;
  }
}

/**
 * Compress_d in place for canonical coefficients in [0, q). The float division
 * is exact here (the quotient is never within 2^-40 of an integer from below)
 * and its latency does not depend on the operands.
 */
export function compress(r: Int16Array, d: number): void {
  const mask = (1 << d) - 1;
  for (let i = 0; i < 256; i++) r[i] = Math.floor((r[i] * (1 << d) + (Q >> 1)) / Q) & mask;
}

/** Decompress_d in place: round(q * y / 2^d). */
export function decompress(r: Int16Array, d: number): void {
  const half = 1 << (d - 1);
  for (let i = 0; i < 256; i++) r[i] = (Math.imul(r[i], Q) + half) >> d;
}

// 3 SHAKE128 blocks give 336 candidates; 256 accepted ones almost always fit.
const XOF_BYTES = 3 * 168;
const xofBuf = new Uint8Array(XOF_BYTES);
const xof = new Keccak(168, 0x1f);

/** SampleNTT (FIPS 203 Algorithm 7): rejection sampling from SHAKE128(rho || j || i). */
export function sampleNtt(rho: Uint8Array, j: number, i: number, r: Int16Array): void {
  xof.reset().update(rho).update(Uint8Array.of(j, i));
  let buf = xof.squeeze(xofBuf);
  let n = 0;
  let pos = 0;
  while (n < 256) {
    if (pos === buf.length) {
      buf = xof.squeeze(xofBuf.subarray(0, 168));
      pos = 0;
    }
    const b0 = buf[pos];
    const b1 = buf[pos + 1];
    const b2 = buf[pos + 2];
    pos += 3;
    const d1 = b0 | ((b1 & 0x0f) << 8);
    const d2 = (b1 >> 4) | (b2 << 4);
    if (d1 < Q) r[n++] = d1;
    if (d2 < Q && n < 256) r[n++] = d2;
  }
}

/** SamplePolyCBD_2 (FIPS 203 Algorithm 8, eta = 2) from 128 bytes; no secret-dependent branches. */
export function sampleCbd2(b: Uint8Array, r: Int16Array): void {
  for (let w = 0; w < 32; w++) {
    const t = (b[4 * w] | (b[4 * w + 1] << 8) | (b[4 * w + 2] << 16) | (b[4 * w + 3] << 24)) >>>
      0;
    const d = (t & 0x55555555) + ((t >>> 1) & 0x55555555);
    for (let j = 0; j < 8; j++) {
      const a = (d >>> (4 * j)) & 3;
      const c = (d >>> (4 * j + 2)) & 3;
      r[8 * w + j] = a - c;
    }
  }
}
