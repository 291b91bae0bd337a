/**
 * Poly1305 (RFC 8439 section 2.5) in plain TypeScript.
 *
 * The accumulator and r live in six 22-bit limbs held in doubles: every
 * partial product is below 2^50 and every row sum below 2^53, so float64
 * arithmetic is exact, and 36 multiplications per block beat the 100 that
 * 13-bit integer limbs need. Carries use Math.floor on exact values; there
 * are no secret-dependent branches or table lookups.
 *
 * @module
 */

const TWO22 = 4194304;
const INV22 = 1 / TWO22;
const M22 = 0x3fffff;
const INV32 = 1 / 4294967296;

/** Poly1305 state: clamped r, the accumulator h, and the final pad s. */
export interface Poly1305State {
  /** Clamped r in six 22-bit limbs. */
  readonly r: Float64Array;
  /** Accumulator in six 22-bit limbs. */
  readonly h: Float64Array;
  /** s as four 32-bit words. */
  readonly pad: Uint32Array;
}

function word(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}

/** Starts a Poly1305 computation from a 32-byte one-time key (r || s). */
export function poly1305Init(key: Uint8Array): Poly1305State {
  if (key.length !== 32) throw new RangeError("Poly1305 key must be 32 bytes");
  const st: Poly1305State = {
    r: new Float64Array(6),
    h: new Float64Array(6),
    pad: new Uint32Array(4),
  };
  poly1305Reset(st, key, 0);
  return st;
}

/** Loads a new one-time key (32 bytes at key[off..]) into st and clears h. */
export function poly1305Reset(st: Poly1305State, key: Uint8Array, off: number): void {
  const w0 = word(key, off) & 0x0fffffff, w1 = word(key, off + 4) & 0x0ffffffc;
  const w2 = word(key, off + 8) & 0x0ffffffc, w3 = word(key, off + 12) & 0x0ffffffc;
  const r = st.r;
  r[0] = w0 & M22;
  r[1] = ((w0 >>> 22) | (w1 << 10)) & M22;
  r[2] = ((w1 >>> 12) | (w2 << 20)) & M22;
  r[3] = (w2 >>> 2) & M22;
  r[4] = ((w2 >>> 24) | (w3 << 8)) & M22;
  r[5] = w3 >>> 14;
  for (let i = 0; i < 4; i++) st.pad[i] = word(key, off + 16 + 4 * i);
  st.h.fill(0);
}

/** hibit for a full 16-byte block: 2^128 is bit 18 of limb 5. */
export const POLY1305_FULL_BLOCK: number = 1 << 18;

/**
 * Absorbs the 16-byte blocks data[off..end) ((end - off) must be a multiple of
 * 16). hibit is POLY1305_FULL_BLOCK for full blocks and 0 for a final block
 * that already carries its own 0x01 terminator.
 */
export function poly1305Blocks(
  st: Poly1305State,
  data: Uint8Array,
  off: number,
  end: number,
  hibit: number,
): void {
  const r = st.r, h = st.h;
  const r0 = r[0], r1 = r[1], r2 = r[2], r3 = r[3], r4 = r[4], r5 = r[5];
  const s1 = 20 * r1, s2 = 20 * r2, s3 = 20 * r3, s4 = 20 * r4, s5 = 20 * r5;
  let h0 = h[0], h1 = h[1], h2 = h[2], h3 = h[3], h4 = h[4], h5 = h[5];
  for (; off < end; off += 16) {
    const w0 = data[off] | (data[off + 1] << 8) | (data[off + 2] << 16) | (data[off + 3] << 24);
    const w1 = data[off + 4] | (data[off + 5] << 8) | (data[off + 6] << 16) | (data[off + 7] << 24);
    const w2 = data[off + 8] | (data[off + 9] << 8) | (data[off + 10] << 16) |
      (data[off + 11] << 24);
    const w3 = data[off + 12] | (data[off + 13] << 8) | (data[off + 14] << 16) |
      (data[off + 15] << 24);
    h0 += w0 & M22;
    h1 += ((w0 >>> 22) | (w1 << 10)) & M22;
    h2 += ((w1 >>> 12) | (w2 << 20)) & M22;
    h3 += (w2 >>> 2) & M22;
    h4 += ((w2 >>> 24) | (w3 << 8)) & M22;
    h5 += (w3 >>> 14) | hibit;
    // h *= r mod 2^130 - 5: limb 6+k sits at 2^132 * 2^(22k), and 2^132 = 4 * 2^130 = 20 (mod p).
    const d0 = h0 * r0 + h1 * s5 + h2 * s4 + h3 * s3 + h4 * s2 + h5 * s1;
    const d1 = h0 * r1 + h1 * r0 + h2 * s5 + h3 * s4 + h4 * s3 + h5 * s2;
    const d2 = h0 * r2 + h1 * r1 + h2 * r0 + h3 * s5 + h4 * s4 + h5 * s3;
    const d3 = h0 * r3 + h1 * r2 + h2 * r1 + h3 * r0 + h4 * s5 + h5 * s4;
    const d4 = h0 * r4 + h1 * r3 + h2 * r2 + h3 * r1 + h4 * r0 + h5 * s5;
    const d5 = h0 * r5 + h1 * r4 + h2 * r3 + h3 * r2 + h4 * r1 + h5 * r0;
    let c = Math.floor(d0 * INV22);
    h0 = d0 - c * TWO22;
    let e = d1 + c;
    c = Math.floor(e * INV22);
    h1 = e - c * TWO22;
    e = d2 + c;
    c = Math.floor(e * INV22);
    h2 = e - c * TWO22;
    e = d3 + c;
    c = Math.floor(e * INV22);
    h3 = e - c * TWO22;
    e = d4 + c;
    c = Math.floor(e * INV22);
    h4 = e - c * TWO22;
    e = d5 + c;
    c = Math.floor(e * INV22);
    h5 = e - c * TWO22;
    e = h0 + c * 20;
    c = Math.floor(e * INV22);
    h0 = e - c * TWO22;
    h1 += c;
  }
  h[0] = h0, h[1] = h1, h[2] = h2, h[3] = h3, h[4] = h4, h[5] = h5;
}

/** Finishes: writes the 16-byte tag (h mod p) + s mod 2^128 to out[off..]. */
export function poly1305Finish(st: Poly1305State, out: Uint8Array, off: number): void {
  const h = st.h;
  // limbs are now < 2^23, so int32 arithmetic is exact from here on
  let h0 = h[0] | 0, h1 = h[1] | 0, h2 = h[2] | 0, h3 = h[3] | 0, h4 = h[4] | 0, h5 = h[5] | 0;
  let c = h1 >>> 22;
  h1 &= M22;
  h2 += c;
  c = h2 >>> 22;
  h2 &= M22;
  h3 += c;
  c = h3 >>> 22;
  h3 &= M22;
  h4 += c;
  c = h4 >>> 22;
  h4 &= M22;
  h5 += c;
  // bits at and above 2^130 (bit 20 of limb 5) fold back times 5
  c = h5 >>> 20;
  h5 &= 0xfffff;
  h0 += c * 5;
  c = h0 >>> 22;
  h0 &= M22;
  h1 += c;
  c = h1 >>> 22;
  h1 &= M22;
  h2 += c;
  c = h2 >>> 22;
  h2 &= M22;
  h3 += c;
  c = h3 >>> 22;
  h3 &= M22;
  h4 += c;
  c = h4 >>> 22;
  h4 &= M22;
  h5 += c;
  c = h5 >>> 20;
  h5 &= 0xfffff;
  h0 += c * 5;
  c = h0 >>> 22;
  h0 &= M22;
  h1 += c;
  // g = h + 5 - 2^130; keep it when h >= p (no borrow), via a mask
  let g0 = h0 + 5;
  c = g0 >>> 22;
  g0 &= M22;
  let g1 = h1 + c;
  c = g1 >>> 22;
  g1 &= M22;
  let g2 = h2 + c;
  c = g2 >>> 22;
  g2 &= M22;
  let g3 = h3 + c;
  c = g3 >>> 22;
  g3 &= M22;
  let g4 = h4 + c;
  c = g4 >>> 22;
  g4 &= M22;
  let g5 = h5 + c;
  c = g5 >>> 20;
  g5 &= 0xfffff;
  const mask = -c, keep = ~mask;
  h0 = (h0 & keep) | (g0 & mask), h1 = (h1 & keep) | (g1 & mask), h2 = (h2 & keep) | (g2 & mask);
  h3 = (h3 & keep) | (g3 & mask), h4 = (h4 & keep) | (g4 & mask), h5 = (h5 & keep) | (g5 & mask);
  const p = st.pad;
  let f = ((h0 | (h1 << 22)) >>> 0) + p[0];
  let v = f >>> 0;
  out[off] = v, out[off + 1] = v >>> 8, out[off + 2] = v >>> 16, out[off + 3] = v >>> 24;
  f = (((h1 >>> 10) | (h2 << 12)) >>> 0) + p[1] + Math.floor(f * INV32);
  v = f >>> 0;
  out[off + 4] = v, out[off + 5] = v >>> 8, out[off + 6] = v >>> 16, out[off + 7] = v >>> 24;
  f = (((h2 >>> 20) | (h3 << 2) | (h4 << 24)) >>> 0) + p[2] + Math.floor(f * INV32);
  v = f >>> 0;
  out[off + 8] = v, out[off + 9] = v >>> 8, out[off + 10] = v >>> 16, out[off + 11] = v >>> 24;
  f = (((h4 >>> 8) | (h5 << 14)) >>> 0) + p[3] + Math.floor(f * INV32);
  v = f >>> 0;
  out[off + 12] = v, out[off + 13] = v >>> 8, out[off + 14] = v >>> 16, out[off + 15] = v >>> 24;
}

/** One-shot Poly1305 MAC of msg under a 32-byte one-time key. */
export function poly1305(key: Uint8Array, msg: Uint8Array): Uint8Array {
  const st = poly1305Init(key);
  const full = msg.length & ~15;
  poly1305Blocks(st, msg, 0, full, POLY1305_FULL_BLOCK);
  if (full < msg.length) {
    // A short final block gets a 0x01 byte after the message and no 2^128 bit.
    const last = new Uint8Array(16);
    last.set(msg.subarray(full));
    last[msg.length - full] = 1;
    poly1305Blocks(st, last, 0, 16, 0);
  }
  const tag = new Uint8Array(16);
  poly1305Finish(st, tag, 0);
  return tag;
}
