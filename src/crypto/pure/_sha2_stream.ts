/**
 * The Merkle-Damgard framing shared by SHA-256 and SHA-512: buffering to whole
 * blocks, then the final padding with the bit length (FIPS 180-4 section 5.1).
 *
 * @module
 */

/** A SHA-2 hash in progress; one instance hashes one message. */
export abstract class Sha2Stream {
  readonly #block: Uint8Array;
  #filled = 0;
  #length = 0;

  /** `blockLen` is 64 or 128; the length field is 8 or 16 bytes accordingly. */
  constructor(readonly blockLen: number, readonly outputLen: number) {
    this.#block = new Uint8Array(blockLen);
  }

  /** Processes whole blocks of `data` from `pos` to `end` (a multiple apart). */
  protected abstract compress(data: Uint8Array, pos: number, end: number): void;

  /** Writes the first `outputLen` bytes of the state, big-endian. */
  protected abstract output(out: Uint8Array): void;

  /** A new stream of the same kind whose chaining state equals this one's. */
  protected abstract copyState(): Sha2Stream;

  /** An independent stream at the same point: both can go on separately. */
  clone(): Sha2Stream {
    const copy = this.copyState();
    copy.#block.set(this.#block);
    copy.#filled = this.#filled;
    copy.#length = this.#length;
    return copy;
  }

  /** Absorbs `data`; returns `this` for chaining. */
  update(data: Uint8Array): this {
    const blockLen = this.blockLen;
    let pos = 0;
    this.#length += data.length;
    if (this.#filled > 0) {
      const take = Math.min(blockLen - this.#filled, data.length);
      this.#block.set(data.subarray(0, take), this.#filled);
      this.#filled += take;
      pos = take;
      if (this.#filled < blockLen) return this;
      this.compress(this.#block, 0, blockLen);
      this.#filled = 0;
    }
    const whole = pos + Math.floor((data.length - pos) / blockLen) * blockLen;
    if (whole > pos) this.compress(data, pos, whole);
    if (whole < data.length) {
      this.#block.set(data.subarray(whole), 0);
      this.#filled = data.length - whole;
    }
    return this;
  }

  /** Pads, finishes and returns the digest; the stream is spent afterwards. */
  digest(): Uint8Array {
    const block = this.#block;
    const blockLen = this.blockLen;
    const lengthField = blockLen / 8;
    block.fill(0, this.#filled);
    block[this.#filled] = 0x80;
    if (this.#filled + 1 > blockLen - lengthField) {
      this.compress(block, 0, blockLen);
      block.fill(0);
    }
    // Bit length, big-endian; messages stay far below 2^53 bytes.
    const bytes = this.#length;
    const hi = Math.floor(bytes / 0x20000000);
    const lo = (bytes * 8) >>> 0;
    block[blockLen - 8] = hi >>> 24;
    block[blockLen - 7] = hi >>> 16;
    block[blockLen - 6] = hi >>> 8;
    block[blockLen - 5] = hi;
    block[blockLen - 4] = lo >>> 24;
    block[blockLen - 3] = lo >>> 16;
    block[blockLen - 2] = lo >>> 8;
    block[blockLen - 1] = lo;
    this.compress(block, 0, blockLen);
    const out = new Uint8Array(this.outputLen);
    this.output(out);
    return out;
  }
}

/** Writes the 32-bit words of `state` big-endian into `out` until it is full. */
export function writeWords(state: Int32Array, out: Uint8Array): void {
  for (let i = 0; i < out.length; i += 4) {
    const w = state[i >> 2];
    out[i] = w >>> 24;
    out[i + 1] = w >>> 16;
    out[i + 2] = w >>> 8;
    out[i + 3] = w;
  }
}
