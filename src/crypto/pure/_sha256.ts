/**
 * SHA-256 (FIPS 180-4 section 6.2) on 32-bit integers.
 *
 * @module
 */

import { IV256, K256 } from "./_sha2_constants.ts";
import { Sha2Stream, writeWords } from "./_sha2_stream.ts";

// The message schedule is scratch space, filled and consumed within one
// synchronous compress call, so every instance can share it (saves an
// allocation per hash: TLS makes hundreds of small hashes per handshake).
const W = new Int32Array(64);

/** One SHA-256 computation: `new Sha256().update(a).update(b).digest()`. */
export class Sha256 extends Sha2Stream {
  readonly #state = IV256.slice();

  constructor() {
    super(64, 32);
  }

  protected copyState(): Sha256 {
    const copy = new Sha256();
    copy.#state.set(this.#state);
    return copy;
  }

  protected compress(data: Uint8Array, pos: number, end: number): void {
    const s = this.#state;
    const w = W;
    for (; pos < end; pos += 64) {
      for (let i = 0, j = pos; i < 16; i++, j += 4) {
        w[i] = (data[j] << 24) | (data[j + 1] << 16) | (data[j + 2] << 8) | data[j + 3];
      }
      for (let i = 16; i < 64; i++) {
        const x = w[i - 15];
        const y = w[i - 2];
        const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      let a = s[0], b = s[1], c = s[2], d = s[3];
      let e = s[4], f = s[5], g = s[6], h = s[7];
      for (let i = 0; i < 64; i++) {
        const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        const ch = (e & f) ^ (~e & g);
        const t1 = (h + S1 + ch + K256[i] + w[i]) | 0;
        const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        const maj = (a & b) ^ (a & c) ^ (b & c);
        h = g;
        g = f;
        f = e;
        e = (d + t1) | 0;
        d = c;
        c = b;
        b = a;
        a = (t1 + S0 + maj) | 0;
      }
      s[0] = (s[0] + a) | 0;
      s[1] = (s[1] + b) | 0;
      s[2] = (s[2] + c) | 0;
      s[3] = (s[3] + d) | 0;
      s[4] = (s[4] + e) | 0;
      s[5] = (s[5] + f) | 0;
      s[6] = (s[6] + g) | 0;
      s[7] = (s[7] + h) | 0;
    }
  }

  protected output(out: Uint8Array): void {
    writeWords(this.#state, out);
  }
}
