/**
 * SHA-512 and SHA-384 (FIPS 180-4 sections 6.4 and 6.5) on 32-bit integers:
 * each 64-bit word is a high and a low half, rotations move bits between the
 * halves and additions carry from the low half into the high one.
 *
 * @module
 */

import { IV384, IV512, K512_HI, K512_LO } from "./_sha2_constants.ts";
import { Sha2Stream, writeWords } from "./_sha2_stream.ts";

// 2^32 as a float: low-half sums are formed exactly in doubles, and the carry
// is their quotient by this.
const TWO32 = 0x100000000;

// Message schedule scratch, shared: each compress call fills and consumes it
// synchronously.
const WH = new Int32Array(80);
const WL = new Int32Array(80);

/** One SHA-512-family computation; SHA-384 differs only in IV and output length. */
export class Sha512 extends Sha2Stream {
  readonly #state: Int32Array;

  /** `outputLen` 64 gives SHA-512, 48 gives SHA-384. */
  constructor(outputLen: 64 | 48 = 64) {
    super(128, outputLen);
    this.#state = (outputLen === 64 ? IV512 : IV384).slice();
  }

  protected copyState(): Sha512 {
    const copy = new Sha512(this.outputLen as 64 | 48);
    copy.#state.set(this.#state);
    return copy;
  }

  protected compress(data: Uint8Array, pos: number, end: number): void {
    const s = this.#state;
    const wh = WH;
    const wl = WL;
    for (; pos < end; pos += 128) {
      for (let i = 0, j = pos; i < 16; i++, j += 8) {
        wh[i] = (data[j] << 24) | (data[j + 1] << 16) | (data[j + 2] << 8) | data[j + 3];
        wl[i] = (data[j + 4] << 24) | (data[j + 5] << 16) | (data[j + 6] << 8) | data[j + 7];
      }
      for (let i = 16; i < 80; i++) {
        // sigma0 = rotr1 ^ rotr8 ^ shr7 of w[i-15]
        let xh = wh[i - 15], xl = wl[i - 15];
        const s0h = ((xh >>> 1) | (xl << 31)) ^ ((xh >>> 8) | (xl << 24)) ^ (xh >>> 7);
        const s0l = ((xl >>> 1) | (xh << 31)) ^ ((xl >>> 8) | (xh << 24)) ^
          ((xl >>> 7) | (xh << 25));
        // sigma1 = rotr19 ^ rotr61 ^ shr6 of w[i-2]; rotr61 is rotr29 of the swapped halves
        xh = wh[i - 2];
        xl = wl[i - 2];
        const s1h = ((xh >>> 19) | (xl << 13)) ^ ((xl >>> 29) | (xh << 3)) ^ (xh >>> 6);
        const s1l = ((xl >>> 19) | (xh << 13)) ^ ((xh >>> 29) | (xl << 3)) ^
          ((xl >>> 6) | (xh << 26));
        const lo = (wl[i - 16] >>> 0) + (s0l >>> 0) + (wl[i - 7] >>> 0) + (s1l >>> 0);
        wh[i] = (wh[i - 16] + s0h + wh[i - 7] + s1h + ((lo / TWO32) | 0)) | 0;
        wl[i] = lo | 0;
      }
      let ah = s[0], al = s[1], bh = s[2], bl = s[3], ch = s[4], cl = s[5], dh = s[6], dl = s[7];
      let eh = s[8],
        el = s[9],
        fh = s[10],
        fl = s[11],
        gh = s[12],
        gl = s[13],
        hh = s[14],
        hl = s[15];
      for (let i = 0; i < 80; i++) {
        // Sigma1(e) = rotr14 ^ rotr18 ^ rotr41 (rotr9 of the swapped halves)
        const S1h = ((eh >>> 14) | (el << 18)) ^ ((eh >>> 18) | (el << 14)) ^
          ((el >>> 9) | (eh << 23));
        const S1l = ((el >>> 14) | (eh << 18)) ^ ((el >>> 18) | (eh << 14)) ^
          ((eh >>> 9) | (el << 23));
        const chh = (eh & fh) ^ (~eh & gh);
        const chl = (el & fl) ^ (~el & gl);
        const t1l = (hl >>> 0) + (S1l >>> 0) + (chl >>> 0) + (K512_LO[i] >>> 0) + (wl[i] >>> 0);
        const t1h = (hh + S1h + chh + K512_HI[i] + wh[i] + ((t1l / TWO32) | 0)) | 0;
        // Sigma0(a) = rotr28 ^ rotr34 ^ rotr39 (the last two: rotr2, rotr7 swapped)
        const S0h = ((ah >>> 28) | (al << 4)) ^ ((al >>> 2) | (ah << 30)) ^
          ((al >>> 7) | (ah << 25));
        const S0l = ((al >>> 28) | (ah << 4)) ^ ((ah >>> 2) | (al << 30)) ^
          ((ah >>> 7) | (al << 25));
        const majh = (ah & bh) ^ (ah & ch) ^ (bh & ch);
        const majl = (al & bl) ^ (al & cl) ^ (bl & cl);
        hh = gh;
        hl = gl;
        gh = fh;
        gl = fl;
        fh = eh;
        fl = el;
        const el2 = (dl >>> 0) + (t1l >>> 0);
        eh = (dh + t1h + ((el2 / TWO32) | 0)) | 0;
        el = el2 | 0;
        dh = ch;
        dl = cl;
        ch = bh;
        cl = bl;
        bh = ah;
        bl = al;
        const al2 = (t1l >>> 0) + (S0l >>> 0) + (majl >>> 0);
        ah = (t1h + S0h + majh + ((al2 / TWO32) | 0)) | 0;
        al = al2 | 0;
      }
      add(s, 0, ah, al);
      add(s, 2, bh, bl);
      add(s, 4, ch, cl);
      add(s, 6, dh, dl);
      add(s, 8, eh, el);
      add(s, 10, fh, fl);
      add(s, 12, gh, gl);
      add(s, 14, hh, hl);
    }
  }

  protected output(out: Uint8Array): void {
    writeWords(this.#state, out);
  }
}

function add(s: Int32Array, i: number, hi: number, lo: number): void {
  const sum = (s[i + 1] >>> 0) + (lo >>> 0);
  s[i] = (s[i] + hi + ((sum / TWO32) | 0)) | 0;
  s[i + 1] = sum | 0;
}
