/**
 * Bounds-checked big-endian reading and writing of TLS presentation-language
 * structures (RFC 8446 section 3).
 *
 * Reading peer bytes never throws anything but `TlsError`: a short read or
 * leftover bytes become `decode_error`. Writing our own structures throws
 * `RangeError` on misuse (a value or vector that does not fit its field).
 *
 * @module
 */

import { decodeError } from "../error.ts";

/**
 * Reads a byte string front to back. Every method checks bounds first; returned
 * byte arrays are views into the input (copy them if the input will be reused).
 *
 * @example
 * ```ts
 * import { Reader } from "./codec.ts";
 * const r = new Reader(new Uint8Array([0x03, 0x03, 0x02, 0xaa, 0xbb]), "example");
 * console.log(r.u16());          // 771
 * console.log(r.vec8());         // Uint8Array(2) [ 170, 187 ]
 * r.expectEnd();
 * ```
 */
export class Reader {
  readonly #bytes: Uint8Array;
  #offset = 0;
  /** Names the structure being read, for error messages. */
  readonly context: string;

  /** Reads `bytes`; `context` names the structure in error messages. */
  constructor(bytes: Uint8Array, context = "message") {
    this.#bytes = bytes;
    this.context = context;
  }

  /** Bytes not yet read. */
  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  /** Bytes already read. */
  get offset(): number {
    return this.#offset;
  }

  /** True when every byte has been read. */
  get atEnd(): boolean {
    return this.#offset === this.#bytes.length;
  }

  #take(n: number): number {
    if (n > this.remaining) {
      throw decodeError(
        `${this.context}: truncated (need ${n} bytes, ${this.remaining} left)`,
        "MessageTooShort",
      );
    }
    const at = this.#offset;
    this.#offset += n;
    return at;
  }

  /** Reads one byte. */
  u8(): number {
    return this.#bytes[this.#take(1)];
  }

  /** Reads a big-endian 16-bit integer. */
  u16(): number {
    const at = this.#take(2);
    return (this.#bytes[at] << 8) | this.#bytes[at + 1];
  }

  /** Reads a big-endian 24-bit integer. */
  u24(): number {
    const at = this.#take(3);
    return (this.#bytes[at] << 16) | (this.#bytes[at + 1] << 8) | this.#bytes[at + 2];
  }

  /** Reads a big-endian 32-bit integer (as a non-negative number). */
  u32(): number {
    const at = this.#take(4);
    return this.#bytes[at] * 0x1000000 +
      ((this.#bytes[at + 1] << 16) | (this.#bytes[at + 2] << 8) | this.#bytes[at + 3]);
  }

  /** Reads exactly `n` bytes (a view). */
  bytes(n: number): Uint8Array {
    const at = this.#take(n);
    return this.#bytes.subarray(at, at + n);
  }

  /** Reads everything that is left (a view). */
  rest(): Uint8Array {
    return this.bytes(this.remaining);
  }

  /** Reads a vector with a one-byte length prefix. */
  vec8(): Uint8Array {
    return this.bytes(this.u8());
  }

  /** Reads a vector with a two-byte length prefix. */
  vec16(): Uint8Array {
    return this.bytes(this.u16());
  }

  /** Reads a vector with a three-byte length prefix. */
  vec24(): Uint8Array {
    return this.bytes(this.u24());
  }

  /** A reader over a vector with a one-byte length prefix. */
  sub8(context: string = this.context): Reader {
    return new Reader(this.vec8(), context);
  }

  /** A reader over a vector with a two-byte length prefix. */
  sub16(context: string = this.context): Reader {
    return new Reader(this.vec16(), context);
  }

  /** A reader over a vector with a three-byte length prefix. */
  sub24(context: string = this.context): Reader {
    return new Reader(this.vec24(), context);
  }

  /** Throws `decode_error` when bytes are left over. */
  expectEnd(context: string = this.context): void {
    if (!this.atEnd) {
      throw decodeError(`${context}: ${this.remaining} trailing bytes`, "TrailingData");
    }
  }
}

const MAX_FOR_WIDTH = [0, 0xff, 0xffff, 0xffffff];

/**
 * Builds a byte string front to back, growing as needed.
 *
 * @example
 * ```ts
 * import { Writer } from "./codec.ts";
 * const w = new Writer();
 * w.u16(0x0303).lengthPrefixed(2, (inner) => inner.u16(0x001d));
 * console.log(w.finish()); // Uint8Array(6) [ 3, 3, 0, 2, 0, 29 ]
 * ```
 */
export class Writer {
  #buf: Uint8Array = new Uint8Array(256);
  #length = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.#length;
  }

  #reserve(n: number): number {
    if (this.#length + n > this.#buf.length) {
      const grown = new Uint8Array(Math.max(this.#buf.length * 2, this.#length + n));
      grown.set(this.#buf.subarray(0, this.#length));
      this.#buf = grown;
    }
    const at = this.#length;
    this.#length += n;
    return at;
  }

  #uint(value: number, width: 1 | 2 | 3 | 4): this {
    const max = width === 4 ? 0xffffffff : MAX_FOR_WIDTH[width];
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw new RangeError(`value ${value} does not fit in ${width} bytes`);
    }
    const at = this.#reserve(width);
    for (let i = width - 1; i >= 0; i--) {
      this.#buf[at + i] = value & 0xff;
      value = Math.floor(value / 256);
    }
    return this;
  }

  /** Writes one byte. */
  u8(value: number): this {
    return this.#uint(value, 1);
  }

  /** Writes a big-endian 16-bit integer. */
  u16(value: number): this {
    return this.#uint(value, 2);
  }

  /** Writes a big-endian 24-bit integer. */
  u24(value: number): this {
    return this.#uint(value, 3);
  }

  /** Writes a big-endian 32-bit integer. */
  u32(value: number): this {
    return this.#uint(value, 4);
  }

  /** Writes raw bytes. */
  bytes(bytes: Uint8Array): this {
    const at = this.#reserve(bytes.length); // may replace #buf, so reserve first
    this.#buf.set(bytes, at);
    return this;
  }

  /** Writes a vector with a one-byte length prefix. */
  vec8(bytes: Uint8Array): this {
    return this.u8(checkedLength(bytes.length, 1)).bytes(bytes);
  }

  /** Writes a vector with a two-byte length prefix. */
  vec16(bytes: Uint8Array): this {
    return this.u16(checkedLength(bytes.length, 2)).bytes(bytes);
  }

  /** Writes a vector with a three-byte length prefix. */
  vec24(bytes: Uint8Array): this {
    return this.u24(checkedLength(bytes.length, 3)).bytes(bytes);
  }

  /**
   * Writes whatever `body` writes, preceded by its length in `width` bytes.
   * Throws `RangeError` when the content does not fit the prefix.
   */
  lengthPrefixed(width: 1 | 2 | 3, body: (w: Writer) => void): this {
    const at = this.#reserve(width);
    body(this);
    const length = checkedLength(this.#length - at - width, width);
    for (let i = width - 1; i >= 0; i--) {
      this.#buf[at + width - 1 - i] = (length >> (8 * i)) & 0xff;
    }
    return this;
  }

  /** The bytes written, as a new array. */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#length);
  }
}

function checkedLength(length: number, width: 1 | 2 | 3): number {
  if (length > MAX_FOR_WIDTH[width]) {
    throw new RangeError(`${length} bytes do not fit a ${width}-byte length prefix`);
  }
  return length;
}
