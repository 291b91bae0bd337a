/**
 * SHA-3 and SHAKE (FIPS 202) in plain TypeScript, for ML-KEM. The Keccak
 * state is 25 64-bit lanes held as 50 32-bit halves (low word first), so the
 * permutation needs nothing wider than 32-bit integer arithmetic.
 *
 * @module
 */

// Rotation offset and pi destination for every lane, derived once from the
// FIPS 202 definitions rather than typed in as tables.
const ROT = new Uint8Array(25);
const PI_DEST = new Uint8Array(25);
const RC_LO = new Uint32Array(24);
const RC_HI = new Uint32Array(24);

(function initTables(): void {
  let x = 1;
  let y = 0;
  for (let t = 0; t < 24; t++) {
    ROT[x + 5 * y] = (((t + 1) * (t + 2)) / 2) % 64;
    const nx = y;
    y = (2 * x + 3 * y) % 5;
    x = nx;
  }
  for (let lx = 0; lx < 5; lx++) {
    for (let ly = 0; ly < 5; ly++) PI_DEST[lx + 5 * ly] = ly + 5 * ((2 * lx + 3 * ly) % 5);
  }
  // rc(t) from the 8-bit LFSR of FIPS 202 Algorithm 5.
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

const C = new Uint32Array(10);
const B = new Uint32Array(50);

/** Keccak-f[1600] on a 50-word state, in place. */
export function keccakF1600(s: Uint32Array): void {
  for (let round = 0; round < 24; round++) {
    for (let x = 0; x < 10; x++) C[x] = s[x] ^ s[x + 10] ^ s[x + 20] ^ s[x + 30] ^ s[x + 40];
    for (let x = 0; x < 5; x++) {
      const n = ((x + 1) % 5) * 2;
      const p = ((x + 4) % 5) * 2;
      const lo = C[n];
      const hi = C[n + 1];
      const dLo = C[p] ^ ((lo << 1) | (hi >>> 31));
      const dHi = C[p + 1] ^ ((hi << 1) | (lo >>> 31));
      for (let i = 2 * x; i < 50; i += 10) {
        s[i] ^= dLo;
        s[i + 1] ^= dHi;
      }
    }
    for (let i = 0; i < 25; i++) {
      const lo = s[2 * i];
      const hi = s[2 * i + 1];
      const r = ROT[i];
      const d = 2 * PI_DEST[i];
      if (r === 0) {
        B[d] = lo;
        B[d + 1] = hi;
      } else if (r < 32) {
        B[d] = (lo << r) | (hi >>> (32 - r));
        B[d + 1] = (hi << r) | (lo >>> (32 - r));
      } else if (r === 32) {
        B[d] = hi;
        B[d + 1] = lo;
      } else {
        const m = r - 32;
        B[d] = (hi << m) | (lo >>> (32 - m));
        B[d + 1] = (lo << m) | (hi >>> (32 - m));
      }
    }
    for (let row = 0; row < 50; row += 10) {
      for (let x = 0; x < 10; x += 2) {
        const x1 = row + ((x + 2) % 10);
        const x2 = row + ((x + 4) % 10);
        s[row + x] = B[row + x] ^ (~B[x1] & B[x2]);
        s[row + x + 1] = B[row + x + 1] ^ (~B[x1 + 1] & B[x2 + 1]);
      }
    }
    s[0] ^= RC_LO[round];
    s[1] ^= RC_HI[round];
  }
}

/** A Keccak sponge: absorb with `update`, then read with `squeeze` (any number of calls). */
export class Keccak {
  readonly #state = new Uint32Array(50);
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
