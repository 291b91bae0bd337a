/**
 * The incoming ciphertext of a stream: bytes are appended at the end and
 * discarded from the front. It grows by doubling and moves the (short) live
 * region to the front only when the end runs out of room, so each byte is
 * copied about once instead of the whole buffer on every read. A chunk that
 * arrives while nothing is buffered is used as it is, without a copy, and so
 * is one that lies right after the adopted bytes in the same `ArrayBuffer`
 * (consecutive reads into one slab, see `halfCloseTransport`).
 *
 * @module
 */

const INITIAL_CAPACITY = 32 * 1024;

/** An append-at-the-end, discard-from-the-front byte buffer. */
export class ReadBuffer {
  #buf: Uint8Array = new Uint8Array(0);
  #start = 0;
  #end = 0;
  /** False while `#buf` is a chunk adopted from the transport (never written to). */
  #owned = false;
  /** Our own storage while a chunk is adopted, kept for reuse. */
  #spare: Uint8Array | undefined;

  /** The buffered bytes (valid until the next `append` or `discard`). */
  get view(): Uint8Array {
    return this.#buf.subarray(this.#start, this.#end);
  }

  /** Number of buffered bytes. */
  get length(): number {
    return this.#end - this.#start;
  }

  /** Appends `bytes` (it is not modified, and not kept once copied). */
  append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const live = this.#end - this.#start;
    if (live === 0) {
      if (this.#owned) this.#spare = this.#buf;
      this.#buf = bytes;
      this.#start = 0;
      this.#end = bytes.length;
      this.#owned = false;
      return;
    }
    if (!this.#owned && this.#follows(bytes)) {
      // Both are the transport's chunks, never written to again: one view spans them.
      const buf = this.#buf;
      this.#buf = new Uint8Array(buf.buffer, buf.byteOffset + this.#start, live + bytes.length);
      this.#start = 0;
      this.#end = this.#buf.length;
      return;
    }
    if (!this.#owned || this.#end + bytes.length > this.#buf.length) {
      const needed = live + bytes.length;
      if (this.#owned && needed <= this.#buf.length) {
        this.#buf.copyWithin(0, this.#start, this.#end);
      } else {
        const spare = !this.#owned && this.#spare && this.#spare.length >= needed
          ? this.#spare
          : undefined;
        let capacity = Math.max(INITIAL_CAPACITY, this.#owned ? this.#buf.length : 0);
        while (capacity < needed) capacity *= 2;
        const grown = spare ?? new Uint8Array(capacity);
        grown.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = grown;
        this.#owned = true;
        this.#spare = undefined;
      }
      this.#start = 0;
      this.#end = live;
    }
    this.#buf.set(bytes, this.#end);
    this.#end += bytes.length;
  }

  /** True when `bytes` starts where the adopted live bytes end, in the same buffer. */
  #follows(bytes: Uint8Array): boolean {
    const buf = this.#buf;
    return bytes.buffer === buf.buffer && this.#end === buf.length &&
      bytes.byteOffset === buf.byteOffset + buf.length;
  }

  /** Drops `n` bytes from the front. */
  discard(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > this.length) {
      throw new RangeError(`cannot discard ${n} of ${this.length} buffered bytes`);
    }
    this.#start += n;
    if (this.#start === this.#end) {
      this.#start = this.#end = 0;
      if (!this.#owned) {
        // Let go of the adopted chunk; go back to our own storage, if any.
        this.#owned = this.#spare !== undefined;
        this.#buf = this.#spare ?? new Uint8Array(0);
        this.#spare = undefined;
      }
    }
  }
}
