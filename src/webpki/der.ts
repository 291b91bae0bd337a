/**
 * A strict DER reader: definite minimal lengths, low tag numbers only, and
 * every reader must consume exactly its input.
 *
 * @module
 */

import { certError } from "./_errors.ts";

/** Universal and context tags this package reads. */
export const Tag = {
  Boolean: 0x01,
  Integer: 0x02,
  BitString: 0x03,
  OctetString: 0x04,
  Null: 0x05,
  Oid: 0x06,
  Utf8String: 0x0c,
  PrintableString: 0x13,
  Ia5String: 0x16,
  UtcTime: 0x17,
  GeneralizedTime: 0x18,
  Sequence: 0x30,
  Set: 0x31,
} as const;

/** Builds the tag byte of `[n]` context-specific, constructed or primitive. */
export function contextTag(n: number, constructed: boolean): number {
  return 0x80 | (constructed ? 0x20 : 0) | n;
}

/** Throws the error every malformed certificate byte maps to. */
export function badDer(message: string): never {
  throw certError("BadEncoding", `bad DER: ${message}`);
}

/** One tag-length-value element. */
export interface Tlv {
  /** The identifier octet. */
  readonly tag: number;
  /** The contents octets. */
  readonly value: Uint8Array;
  /** The whole element, identifier and length included. */
  readonly raw: Uint8Array;
}

/**
 * Reads DER elements one after another from a byte range.
 *
 * @example
 * ```ts
 * import { DerReader, Tag } from "./der.ts";
 * const r = new DerReader(new Uint8Array([0x02, 0x01, 0x05]));
 * console.log(r.readSmallInteger()); // 5
 * r.finish();
 * ```
 */
export class DerReader {
  #buf: Uint8Array;
  #pos = 0;

  /** Reads from `buf`. */
  constructor(buf: Uint8Array) {
    this.#buf = buf;
  }

  /** True when every byte was consumed. */
  get done(): boolean {
    return this.#pos === this.#buf.length;
  }

  /** Throws unless every byte was consumed. */
  finish(): void {
    if (!this.done) badDer("trailing data");
  }

  /** The tag of the next element, or undefined at the end. */
  peekTag(): number | undefined {
    return this.done ? undefined : this.#buf[this.#pos];
  }

  /** Reads any element. */
  readAny(): Tlv {
    const buf = this.#buf;
    const start = this.#pos;
    if (start + 2 > buf.length) badDer("truncated element");
    const tag = buf[start];
    // High tag numbers (0x1f) never appear in the structures we parse.
    if ((tag & 0x1f) === 0x1f) badDer("high tag number");
    let len = buf[start + 1];
    let p = start + 2;
    if (len === 0x80) badDer("indefinite length");
    if (len > 0x80) {
      const n = len & 0x7f;
      if (n > 4) badDer("length too large");
      if (p + n > buf.length) badDer("truncated length");
      if (buf[p] === 0) badDer("non-minimal length");
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + buf[p + i];
      p += n;
      if (len < 0x80) badDer("non-minimal length");
    }
    if (p + len > buf.length) badDer("truncated value");
    this.#pos = p + len;
    return { tag, value: buf.subarray(p, p + len), raw: buf.subarray(start, p + len) };
  }

  /** Reads an element that must have `tag`. */
  read(tag: number): Tlv {
    const t = this.peekTag();
    if (t !== tag) badDer(`expected tag 0x${tag.toString(16)}, got ${t?.toString(16)}`);
    return this.readAny();
  }

  /** Reads an element with `tag` if it comes next. */
  readOptional(tag: number): Tlv | undefined {
    return this.peekTag() === tag ? this.readAny() : undefined;
  }

  /** Reads a SEQUENCE and returns a reader over its contents. */
  readSequence(): DerReader {
    return new DerReader(this.read(Tag.Sequence).value);
  }

  /** Reads a DER BOOLEAN (only 0x00 and 0xff are valid). */
  readBoolean(): boolean {
    const v = this.read(Tag.Boolean).value;
    if (v.length !== 1 || (v[0] !== 0 && v[0] !== 0xff)) badDer("bad BOOLEAN");
    return v[0] === 0xff;
  }

  /** Reads a minimally encoded INTEGER and returns its content bytes. */
  readIntegerBytes(tag: number = Tag.Integer): Uint8Array {
    const v = this.read(tag).value;
    checkInteger(v);
    return v;
  }

  /** Reads a small non-negative INTEGER (up to 2^31). */
  readSmallInteger(): number {
    const v = this.readIntegerBytes();
    if (v[0] & 0x80) badDer("negative INTEGER");
    if (v.length > 4) badDer("INTEGER too large");
    let n = 0;
    for (const b of v) n = n * 256 + b;
    return n;
  }

  /** Reads an OBJECT IDENTIFIER in dotted form. */
  readOid(): string {
    return decodeOid(this.read(Tag.Oid).value);
  }

  /** Reads a BIT STRING, checking that unused bits are zero. */
  readBitString(): { bytes: Uint8Array; unusedBits: number } {
    return decodeBitString(this.read(Tag.BitString).value);
  }

  /** Reads a BIT STRING that must have no unused bits. */
  readBitStringBytes(): Uint8Array {
    const { bytes, unusedBits } = this.readBitString();
    if (unusedBits !== 0) badDer("BIT STRING with unused bits");
    return bytes;
  }
}

/** Checks the INTEGER content rules: non-empty and minimal. */
export function checkInteger(v: Uint8Array): void {
  if (v.length === 0) badDer("empty INTEGER");
  if (v.length > 1 && ((v[0] === 0 && !(v[1] & 0x80)) || (v[0] === 0xff && v[1] & 0x80))) {
    badDer("non-minimal INTEGER");
  }
}

/** Decodes BIT STRING contents; unused bits must be zero (DER). */
export function decodeBitString(v: Uint8Array): { bytes: Uint8Array; unusedBits: number } {
  if (v.length === 0) badDer("empty BIT STRING");
  const unused = v[0];
  if (unused > 7) badDer("bad BIT STRING padding");
  if (v.length === 1 && unused !== 0) badDer("bad BIT STRING padding");
  if (unused !== 0 && (v[v.length - 1] & ((1 << unused) - 1)) !== 0) {
    badDer("bad BIT STRING padding");
  }
  return { bytes: v.subarray(1), unusedBits: unused };
}

/** Decodes OID contents to dotted decimal, rejecting non-minimal arcs. */
export function decodeOid(v: Uint8Array): string {
  if (v.length === 0) badDer("empty OID");
  const arcs: number[] = [];
  let n = 0;
  let first = true;
  for (let i = 0; i < v.length; i++) {
    if (first && v[i] === 0x80) badDer("non-minimal OID arc");
    first = false;
    n = n * 128 + (v[i] & 0x7f);
    if (n > Number.MAX_SAFE_INTEGER / 128) badDer("OID arc too large");
    if (!(v[i] & 0x80)) {
      arcs.push(n);
      n = 0;
      first = true;
    }
  }
  if (!first) badDer("truncated OID");
  const a0 = arcs[0] < 40 ? 0 : arcs[0] < 80 ? 1 : 2;
  return [a0, arcs[0] - a0 * 40, ...arcs.slice(1)].join(".");
}

/** Reads every element of a reader into a list. */
export function readAll(r: DerReader): Tlv[] {
  const out: Tlv[] = [];
  while (!r.done) out.push(r.readAny());
  return out;
}
