// Shared pieces of the extension body codecs: code point lists, opaque lists
// and host name bytes. Decoders throw TlsError; encoders throw RangeError for
// lists the decoders would refuse.

import { decodeError } from "../error.ts";
import type { Reader, Writer } from "./codec.ts";

/** Reads and writes the `extension_data` of one extension type. */
export interface ExtCodec<E> {
  /** Reads the body; the caller checks that nothing is left over. */
  read(r: Reader): E;
  /** Writes the body (without type and length). */
  write(w: Writer, ext: E): void;
}

/** Throws the `decode_error` for a list that must not be empty. */
export function emptyList(what: string): never {
  throw decodeError(`${what}: empty list`, "EmptyList");
}

/** Refuses (RangeError) to encode an empty list the decoder would reject. */
export function requireNonEmpty(length: number, what: string): void {
  if (length === 0) throw new RangeError(`${what} must not be empty`);
}

/** A non-empty vector of u16 code points under a `width`-byte length. */
export function readU16List(r: Reader, width: 1 | 2, what: string): number[] {
  const list = width === 1 ? r.sub8(what) : r.sub16(what);
  if (list.atEnd) emptyList(what);
  if (list.remaining % 2 !== 0) throw decodeError(`${what}: odd length`, "OddLength");
  const out: number[] = [];
  while (!list.atEnd) out.push(list.u16());
  return out;
}

/** Writes a non-empty vector of u16 code points under a `width`-byte length. */
export function writeU16List(
  w: Writer,
  width: 1 | 2,
  values: readonly number[],
  what: string,
): void {
  requireNonEmpty(values.length, what);
  w.lengthPrefixed(width, (inner) => {
    for (const v of values) inner.u16(v);
  });
}

/** A non-empty vector of u8 code points under a one-byte length. */
export function readU8List(r: Reader, what: string): number[] {
  const list = r.sub8(what);
  if (list.atEnd) emptyList(what);
  const out: number[] = [];
  while (!list.atEnd) out.push(list.u8());
  return out;
}

/** Writes a non-empty vector of u8 code points under a one-byte length. */
export function writeU8List(w: Writer, values: readonly number[], what: string): void {
  requireNonEmpty(values.length, what);
  w.lengthPrefixed(1, (inner) => {
    for (const v of values) inner.u8(v);
  });
}

/** A non-empty list (u16 length) of non-empty opaque items with `itemWidth` lengths. */
export function readOpaqueList(r: Reader, itemWidth: 1 | 2, what: string): Uint8Array[] {
  const list = r.sub16(what);
  if (list.atEnd) emptyList(what);
  const out: Uint8Array[] = [];
  while (!list.atEnd) {
    const item = itemWidth === 1 ? list.vec8() : list.vec16();
    if (item.length === 0) throw decodeError(`${what}: empty entry`, "EmptyList");
    out.push(item);
  }
  return out;
}

/** Writes a non-empty list (u16 length) of non-empty opaque items. */
export function writeOpaqueList(
  w: Writer,
  itemWidth: 1 | 2,
  items: readonly Uint8Array[],
  what: string,
): void {
  requireNonEmpty(items.length, what);
  w.lengthPrefixed(2, (inner) => {
    for (const item of items) {
      requireNonEmpty(item.length, `${what} entry`);
      if (itemWidth === 1) inner.vec8(item);
      else inner.vec16(item);
    }
  });
}

/** Bytes to a string, one character per byte, so it round-trips exactly. */
export function latin1Decode(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/** The inverse of latin1Decode; characters above 0xff are a RangeError. */
export function latin1Encode(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new RangeError("host name must be ASCII (use its A-label form)");
    out[i] = c;
  }
  return out;
}
