/**
 * SHA-3 and SHAKE (FIPS 202) in plain TypeScript, for ML-KEM. The Keccak
 * state is 25 64-bit lanes held as 50 32-bit halves (low word first), so the
 * permutation needs nothing wider than 32-bit integer arithmetic.
 *
 * @module
 */

// The rho and pi steps done as one walk along pi's single 24-lane cycle:
// CHASE_LANE[t] is the t-th lane visited, CHASE_ROT[t] the rotation its
// predecessor's value gets on the way in. Round constants come from the LFSR of
// FIPS 202 Algorithm 5. All derived once rather than typed in as tables.
const CHASE_LANE = new Uint8Array(24);
const CHASE_ROT = new Uint8Array(24);
const RC_LO = new Int32Array(24);
const RC_HI = new Int32Array(24);

(function initTables(): void {
  let x = 1;
  let y = 0;
  for (let t = 0; t < 24; t++) {
    const nx = y;
    const ny = (2 * x + 3 * y) % 5;
    CHASE_ROT[t] = (((t + 1) * (t + 2)) / 2) % 64;
    CHASE_LANE[t] = nx + 5 * ny;
    x = nx;
    y = ny;
  }
  let r = 1;
  const bits: number[] = [];
  for (let t = 0; t < 7 * 24; t++) {
    bits.push(r & 1);
    r <<= 1;
    if (r & 0x100) r ^= 0x171;
  }
  for (let round = 0; round < 24; round++) {
    for (let j = 0; j < 7; j++) {
      if (!bits[j + 7 * round]) continue;
      const pos = (1 << j) - 1;
      if (pos < 32) RC_LO[round] |= 1 << pos;
      else RC_HI[round] |= 1 << (pos - 32);
    }
  }
})();

/**
 * Keccak-f[1600] on a 50-word state, in place. Int32Array rather than
 * Uint32Array so every load stays a small integer in the JIT (unsigned loads
 * above 2^31 become doubles and cost about 2x).
 */
export function keccakF1600(s: Int32Array): void {
  for (let round = 0; round < 24; round++) {
    // theta
    const c0 = s[0] ^ s[10] ^ s[20] ^ s[30] ^ s[40];
    const c1 = s[1] ^ s[11] ^ s[21] ^ s[31] ^ s[41];
    const c2 = s[2] ^ s[12] ^ s[22] ^ s[32] ^ s[42];
    const c3 = s[3] ^ s[13] ^ s[23] ^ s[33] ^ s[43];
    const c4 = s[4] ^ s[14] ^ s[24] ^ s[34] ^ s[44];
    const c5 = s[5] ^ s[15] ^ s[25] ^ s[35] ^ s[45];
    const c6 = s[6] ^ s[16] ^ s[26] ^ s[36] ^ s[46];
    const c7 = s[7] ^ s[17] ^ s[27] ^ s[37] ^ s[47];
    const c8 = s[8] ^ s[18] ^ s[28] ^ s[38] ^ s[48];
    const c9 = s[9] ^ s[19] ^ s[29] ^ s[39] ^ s[49];
    const d0 = c8 ^ ((c2 << 1) | (c3 >>> 31));
    const d1 = c9 ^ ((c3 << 1) | (c2 >>> 31));
    const d2 = c0 ^ ((c4 << 1) | (c5 >>> 31));
    const d3 = c1 ^ ((c5 << 1) | (c4 >>> 31));
    const d4 = c2 ^ ((c6 << 1) | (c7 >>> 31));
    const d5 = c3 ^ ((c7 << 1) | (c6 >>> 31));
    const d6 = c4 ^ ((c8 << 1) | (c9 >>> 31));
    const d7 = c5 ^ ((c9 << 1) | (c8 >>> 31));
    const d8 = c6 ^ ((c0 << 1) | (c1 >>> 31));
    const d9 = c7 ^ ((c1 << 1) | (c0 >>> 31));
    for (let i = 0; i < 50; i += 10) {
      s[i] ^= d0;
      s[i + 1] ^= d1;
      s[i + 2] ^= d2;
      s[i + 3] ^= d3;
      s[i + 4] ^= d4;
      s[i + 5] ^= d5;
      s[i + 6] ^= d6;
      s[i + 7] ^= d7;
      s[i + 8] ^= d8;
      s[i + 9] ^= d9;
    }
    // rho and pi
    let lo = s[2];
    let hi = s[3];
    for (let t = 0; t < 24; t++) {
      const j = 2 * CHASE_LANE[t];
      const r = CHASE_ROT[t];
      const nextLo = s[j];
      const nextHi = s[j + 1];
      // No offset on the cycle is 0 or 32, so both shifts below are in 1..31.
      if (r < 32) {
        s[j] = (lo << r) | (hi >>> (32 - r));
        s[j + 1] = (hi << r) | (lo >>> (32 - r));
      } else {
        s[j] = (hi << (r - 32)) | (lo >>> (64 - r));
        s[j + 1] = (lo << (r - 32)) | (hi >>> (64 - r));
      }
      lo = nextLo;
      hi = nextHi;
    }
    // chi
    for (let i = 0; i < 50; i += 10) {
      const a0 = s[i];
      const a1 = s[i + 1];
      const a2 = s[i + 2];
      const a3 = s[i + 3];
      const a4 = s[i + 4];
      const a5 = s[i + 5];
      const a6 = s[i + 6];
      const a7 = s[i + 7];
      const a8 = s[i + 8];
      const a9 = s[i + 9];
      s[i] = a0 ^ (~a2 & a4);
      s[i + 1] = a1 ^ (~a3 & a5);
      s[i + 2] = a2 ^ (~a4 & a6);
      s[i + 3] = a3 ^ (~a5 & a7);
      s[i + 4] = a4 ^ (~a6 & a8);
      s[i + 5] = a5 ^ (~a7 & a9);
      s[i + 6] = a6 ^ (~a8 & a0);
      s[i + 7] = a7 ^ (~a9 & a1);
      s[i + 8] = a8 ^ (~a0 & a2);
      s[i + 9] = a9 ^ (~a1 & a3);
    }
    // iota
    s[0] ^= RC_LO[round];
    s[1] ^= RC_HI[round];
  }
}

/** A Keccak sponge: absorb with `update`, then read with `squeeze` (any number of calls). */
export class Keccak {
  readonly #state = new Int32Array(50);
  readonly #rate: number;
  readonly #suffix: number;
  #pos = 0;
  #squeezing = false;

  /** `rate` in bytes; `suffix` is the domain byte (0x06 for SHA-3, 0x1f for SHAKE). */
  constructor(rate: number, suffix: number) {
    this.#rate = rate;
    this.#suffix = suffix;
  }

  /** Clears the state for a new message. */
  reset(): this {
    this.#state.fill(0);
    this.#pos = 0;
    this.#squeezing = false;
    return this;
  }

  /** Absorbs more input; not allowed once squeezing has started. */
  update(data: Uint8Array): this {
    if (this.#squeezing) throw new TypeError("Keccak: update after squeeze");
    const s = this.#state;
    const rate = this.#rate;
    let pos = this.#pos;
    for (let i = 0; i < data.length; i++) {
      s[pos >> 2] ^= data[i] << ((pos & 3) << 3);
      if (++pos === rate) {
        keccakF1600(s);
        pos = 0;
      }
    }
    this.#pos = pos;
    return this;
  }

  /** Fills `out` with the next output bytes and returns it. */
  squeeze(out: Uint8Array): Uint8Array {
    const s = this.#state;
    const rate = this.#rate;
    if (!this.#squeezing) {
      s[this.#pos >> 2] ^= this.#suffix << ((this.#pos & 3) << 3);
      s[(rate - 1) >> 2] ^= 0x80 << (((rate - 1) & 3) << 3);
      keccakF1600(s);
      this.#squeezing = true;
      this.#pos = 0;
    }
    let pos = this.#pos;
    for (let i = 0; i < out.length; i++) {
      if (pos === rate) {
        keccakF1600(s);
        pos = 0;
      }
      out[i] = s[pos >> 2] >>> ((pos & 3) << 3);
      pos++;
    }
    this.#pos = pos;
    return out;
  }
}

function oneShot(rate: number, suffix: number, outLen: number, parts: Uint8Array[]): Uint8Array {
  const k = new Keccak(rate, suffix);
  for (const p of parts) k.update(p);
  return k.squeeze(new Uint8Array(outLen));
}

/** SHA3-256 of the concatenation of `parts`. */
export function sha3_256(...parts: Uint8Array[]): Uint8Array {
  return oneShot(136, 0x06, 32, parts);
}

/** SHA3-512 of the concatenation of `parts`. */
export function sha3_512(...parts: Uint8Array[]): Uint8Array {
  return oneShot(72, 0x06, 64, parts);
}

/** SHAKE128 of the concatenation of `parts`, `outLen` bytes. */
export function shake128(outLen: number, ...parts: Uint8Array[]): Uint8Array {
  return oneShot(168, 0x1f, outLen, parts);
}

/** SHAKE256 of the concatenation of `parts`, `outLen` bytes. */
export function shake256(outLen: number, ...parts: Uint8Array[]): Uint8Array {
  return oneShot(136, 0x1f, outLen, parts);
}
