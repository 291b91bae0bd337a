/**
 * Poly1305 (RFC 8439 section 2.5) in plain TypeScript.
 *
 * The accumulator and r live in ten 13-bit limbs so every partial product and
 * every half-row sum stays below 2^32: the arithmetic is exact with int32/uint32
 * operations and has no secret-dependent branches or table lookups.
 *
 * @module
 */

/** Poly1305 state: r (clamped) and 5r, the accumulator h, and the final pad s. */
export interface Poly1305State {
  /** Clamped r in ten 13-bit limbs. */
  readonly r: Uint16Array;
  /** Accumulator in ten 13-bit limbs. */
  readonly h: Uint16Array;
  /** s as eight 16-bit little-endian words. */
  readonly pad: Uint16Array;
}

/** Starts a Poly1305 computation from a 32-byte one-time key (r || s). */
export function poly1305Init(key: Uint8Array): Poly1305State {
  if (key.length !== 32) throw new RangeError("Poly1305 key must be 32 bytes");
  const st: Poly1305State = {
    r: new Uint16Array(10),
    h: new Uint16Array(10),
    pad: new Uint16Array(8),
  };
  poly1305Reset(st, key, 0);
  return st;
}

/** Loads a new one-time key (32 bytes at key[off..]) into st and clears h. */
export function poly1305Reset(st: Poly1305State, key: Uint8Array, off: number): void {
  const t0 = key[off] | (key[off + 1] << 8);
  const t1 = key[off + 2] | (key[off + 3] << 8);
  const t2 = key[off + 4] | (key[off + 5] << 8);
  const t3 = key[off + 6] | (key[off + 7] << 8);
  const t4 = key[off + 8] | (key[off + 9] << 8);
  const t5 = key[off + 10] | (key[off + 11] << 8);
  const t6 = key[off + 12] | (key[off + 13] << 8);
  const t7 = key[off + 14] | (key[off + 15] << 8);
  // The masks both split r into 13-bit limbs and apply RFC 8439's clamp.
  const r = st.r;
  r[0] = t0 & 0x1fff;
  r[1] = ((t0 >>> 13) | (t1 << 3)) & 0x1fff;
  r[2] = ((t1 >>> 10) | (t2 << 6)) & 0x1f03;
  r[3] = ((t2 >>> 7) | (t3 << 9)) & 0x1fff;
  r[4] = ((t3 >>> 4) | (t4 << 12)) & 0x00ff;
  r[5] = (t4 >>> 1) & 0x1ffe;
  r[6] = ((t4 >>> 14) | (t5 << 2)) & 0x1fff;
  r[7] = ((t5 >>> 11) | (t6 << 5)) & 0x1f81;
  r[8] = ((t6 >>> 8) | (t7 << 8)) & 0x1fff;
  r[9] = (t7 >>> 5) & 0x007f;
  for (let i = 0; i < 8; i++) st.pad[i] = key[off + 16 + 2 * i] | (key[off + 17 + 2 * i] << 8);
  st.h.fill(0);
}

/**
 * Absorbs the 16-byte blocks data[off..end) ((end - off) must be a multiple of
 * 16). hibit is 1 << 11 for full blocks (the 2^128 bit, in limb 9) and 0 for a
 * final block that already carries its own 0x01 terminator.
 */
export function poly1305Blocks(
  st: Poly1305State,
  data: Uint8Array,
  off: number,
  end: number,
  hibit: number,
): void {
  const r = st.r, h = st.h;
  const r0 = r[0], r1 = r[1], r2 = r[2], r3 = r[3], r4 = r[4];
  const r5 = r[5], r6 = r[6], r7 = r[7], r8 = r[8], r9 = r[9];
  const s1 = 5 * r1, s2 = 5 * r2, s3 = 5 * r3, s4 = 5 * r4, s5 = 5 * r5;
  const s6 = 5 * r6, s7 = 5 * r7, s8 = 5 * r8, s9 = 5 * r9;
  let h0 = h[0], h1 = h[1], h2 = h[2], h3 = h[3], h4 = h[4];
  let h5 = h[5], h6 = h[6], h7 = h[7], h8 = h[8], h9 = h[9];
  for (; off < end; off += 16) {
    const t0 = data[off] | (data[off + 1] << 8);
    const t1 = data[off + 2] | (data[off + 3] << 8);
    const t2 = data[off + 4] | (data[off + 5] << 8);
    const t3 = data[off + 6] | (data[off + 7] << 8);
    const t4 = data[off + 8] | (data[off + 9] << 8);
    const t5 = data[off + 10] | (data[off + 11] << 8);
    const t6 = data[off + 12] | (data[off + 13] << 8);
    const t7 = data[off + 14] | (data[off + 15] << 8);
    h0 += t0 & 0x1fff;
    h1 += ((t0 >>> 13) | (t1 << 3)) & 0x1fff;
    h2 += ((t1 >>> 10) | (t2 << 6)) & 0x1fff;
    h3 += ((t2 >>> 7) | (t3 << 9)) & 0x1fff;
    h4 += ((t3 >>> 4) | (t4 << 12)) & 0x1fff;
    h5 += (t4 >>> 1) & 0x1fff;
    h6 += ((t4 >>> 14) | (t5 << 2)) & 0x1fff;
    h7 += ((t5 >>> 11) | (t6 << 5)) & 0x1fff;
    h8 += ((t6 >>> 8) | (t7 << 8)) & 0x1fff;
    h9 += (t7 >>> 5) | hibit;
    // h *= r mod 2^130 - 5; limb 10+k folds back as 5 * limb k. Each row is
    // summed in two halves so the running sum never leaves uint32.
    let c = 0;
    let d0 = c + h0 * r0 + h1 * s9 + h2 * s8 + h3 * s7 + h4 * s6;
    c = d0 >>> 13;
    d0 = (d0 & 0x1fff) + h5 * s5 + h6 * s4 + h7 * s3 + h8 * s2 + h9 * s1;
    c += d0 >>> 13;
    d0 &= 0x1fff;
    let d1 = c + h0 * r1 + h1 * r0 + h2 * s9 + h3 * s8 + h4 * s7;
    c = d1 >>> 13;
    d1 = (d1 & 0x1fff) + h5 * s6 + h6 * s5 + h7 * s4 + h8 * s3 + h9 * s2;
    c += d1 >>> 13;
    d1 &= 0x1fff;
    let d2 = c + h0 * r2 + h1 * r1 + h2 * r0 + h3 * s9 + h4 * s8;
    c = d2 >>> 13;
    d2 = (d2 & 0x1fff) + h5 * s7 + h6 * s6 + h7 * s5 + h8 * s4 + h9 * s3;
    c += d2 >>> 13;
    d2 &= 0x1fff;
    let d3 = c + h0 * r3 + h1 * r2 + h2 * r1 + h3 * r0 + h4 * s9;
    c = d3 >>> 13;
    d3 = (d3 & 0x1fff) + h5 * s8 + h6 * s7 + h7 * s6 + h8 * s5 + h9 * s4;
    c += d3 >>> 13;
    d3 &= 0x1fff;
    let d4 = c + h0 * r4 + h1 * r3 + h2 * r2 + h3 * r1 + h4 * r0;
    c = d4 >>> 13;
    d4 = (d4 & 0x1fff) + h5 * s9 + h6 * s8 + h7 * s7 + h8 * s6 + h9 * s5;
    c += d4 >>> 13;
    d4 &= 0x1fff;
    let d5 = c + h0 * r5 + h1 * r4 + h2 * r3 + h3 * r2 + h4 * r1;
    c = d5 >>> 13;
    d5 = (d5 & 0x1fff) + h5 * r0 + h6 * s9 + h7 * s8 + h8 * s7 + h9 * s6;
    c += d5 >>> 13;
    d5 &= 0x1fff;
    let d6 = c + h0 * r6 + h1 * r5 + h2 * r4 + h3 * r3 + h4 * r2;
    c = d6 >>> 13;
    d6 = (d6 & 0x1fff) + h5 * r1 + h6 * r0 + h7 * s9 + h8 * s8 + h9 * s7;
    c += d6 >>> 13;
    d6 &= 0x1fff;
    let d7 = c + h0 * r7 + h1 * r6 + h2 * r5 + h3 * r4 + h4 * r3;
    c = d7 >>> 13;
    d7 = (d7 & 0x1fff) + h5 * r2 + h6 * r1 + h7 * r0 + h8 * s9 + h9 * s8;
    c += d7 >>> 13;
    d7 &= 0x1fff;
    let d8 = c + h0 * r8 + h1 * r7 + h2 * r6 + h3 * r5 + h4 * r4;
    c = d8 >>> 13;
    d8 = (d8 & 0x1fff) + h5 * r3 + h6 * r2 + h7 * r1 + h8 * r0 + h9 * s9;
    c += d8 >>> 13;
    d8 &= 0x1fff;
    let d9 = c + h0 * r9 + h1 * r8 + h2 * r7 + h3 * r6 + h4 * r5;
    c = d9 >>> 13;
    d9 = (d9 & 0x1fff) + h5 * r4 + h6 * r3 + h7 * r2 + h8 * r1 + h9 * r0;
    c += d9 >>> 13;
    d9 &= 0x1fff;
    c = ((c << 2) + c) | 0;
    c += d0;
    d0 = c & 0x1fff;
    c >>>= 13;
    d1 += c;
    h0 = d0, h1 = d1, h2 = d2, h3 = d3, h4 = d4;
    h5 = d5, h6 = d6, h7 = d7, h8 = d8, h9 = d9;
  }
  h[0] = h0, h[1] = h1, h[2] = h2, h[3] = h3, h[4] = h4;
  h[5] = h5, h[6] = h6, h[7] = h7, h[8] = h8, h[9] = h9;
}

/** Finishes: writes the 16-byte tag (h mod p) + s mod 2^128 to out[off..]. */
export function poly1305Finish(st: Poly1305State, out: Uint8Array, off: number): void {
  const h = st.h;
  const g = new Uint16Array(10);
  // Fully carry h, then compute g = h + 5 - 2^130 and keep g when it did not
  // borrow (h >= p); the choice is a mask, not a branch.
  let c = h[1] >>> 13;
  h[1] &= 0x1fff;
  for (let i = 2; i < 10; i++) {
    h[i] += c;
    c = h[i] >>> 13;
    h[i] &= 0x1fff;
  }
  h[0] += c * 5;
  c = h[0] >>> 13;
  h[0] &= 0x1fff;
  h[1] += c;
  c = h[1] >>> 13;
  h[1] &= 0x1fff;
  h[2] += c;
  g[0] = h[0] + 5;
  c = g[0] >>> 13;
  g[0] &= 0x1fff;
  for (let i = 1; i < 10; i++) {
    g[i] = h[i] + c;
    c = g[i] >>> 13;
    g[i] &= 0x1fff;
  }
  const mask = -c & 0x1fff;
  for (let i = 0; i < 10; i++) h[i] = (h[i] & ~mask) | (g[i] & mask);
  const w0 = (h[0] | (h[1] << 13)) & 0xffff;
  const w1 = ((h[1] >>> 3) | (h[2] << 10)) & 0xffff;
  const w2 = ((h[2] >>> 6) | (h[3] << 7)) & 0xffff;
  const w3 = ((h[3] >>> 9) | (h[4] << 4)) & 0xffff;
  const w4 = ((h[4] >>> 12) | (h[5] << 1) | (h[6] << 14)) & 0xffff;
  const w5 = ((h[6] >>> 2) | (h[7] << 11)) & 0xffff;
  const w6 = ((h[7] >>> 5) | (h[8] << 8)) & 0xffff;
  const w7 = ((h[8] >>> 8) | (h[9] << 5)) & 0xffff;
  const w = [w0, w1, w2, w3, w4, w5, w6, w7];
  let f = 0;
  for (let i = 0; i < 8; i++) {
    f = w[i] + st.pad[i] + (f >>> 16);
    out[off + 2 * i] = f;
    out[off + 2 * i + 1] = f >>> 8;
  }
}

/** One-shot Poly1305 MAC of msg under a 32-byte one-time key. */
export function poly1305(key: Uint8Array, msg: Uint8Array): Uint8Array {
  const st = poly1305Init(key);
  const full = msg.length & ~15;
  poly1305Blocks(st, msg, 0, full, 1 << 11);
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
