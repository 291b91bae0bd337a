// Byte-level edits of encoded handshake messages (4-byte header included),
// for tests that must send what our encoders refuse to write.

/** Offset of the extensions block of an encoded ServerHello / HelloRetryRequest. */
export function helloExtOffset(encoded: Uint8Array): number {
  return 4 + 2 + 32 + 1 + encoded[4 + 2 + 32] + 2 + 1;
}

function setU24(b: Uint8Array, at: number, v: number): void {
  b.set([v >> 16, (v >> 8) & 0xff, v & 0xff], at);
}

/**
 * Inserts one extension into the u16-prefixed block at `block` (at its end,
 * or at `at`), fixing the block and message lengths.
 */
export function appendExtension(
  encoded: Uint8Array,
  block: number,
  type: number,
  data: Uint8Array,
  at?: number,
): Uint8Array {
  const blockLen = (encoded[block] << 8) | encoded[block + 1];
  const insert = at ?? block + 2 + blockLen;
  const ext = new Uint8Array([
    type >> 8,
    type & 0xff,
    data.length >> 8,
    data.length & 0xff,
    ...data,
  ]);
  const out = new Uint8Array(encoded.length + ext.length);
  out.set(encoded.subarray(0, insert));
  out.set(ext, insert);
  out.set(encoded.subarray(insert), insert + ext.length);
  const newBlock = blockLen + ext.length;
  out.set([newBlock >> 8, newBlock & 0xff], block);
  setU24(out, 1, out.length - 4);
  return out;
}

/** Replaces the body of the extension of `type` in the u16-prefixed block at `block`. */
export function replaceExtension(
  encoded: Uint8Array,
  block: number,
  type: number,
  data: Uint8Array,
): Uint8Array {
  const at = findExtension(encoded, block, type);
  return appendExtension(removeExtension(encoded, block, type), block, type, data, at);
}

function findExtension(encoded: Uint8Array, block: number, type: number): number {
  const end = block + 2 + ((encoded[block] << 8) | encoded[block + 1]);
  for (let i = block + 2; i + 4 <= end;) {
    if (((encoded[i] << 8) | encoded[i + 1]) === type) return i;
    i += 4 + ((encoded[i + 2] << 8) | encoded[i + 3]);
  }
  throw new Error(`no extension ${type}`);
}

/** Removes the extension of `type` from the u16-prefixed block at `block`. */
export function removeExtension(encoded: Uint8Array, block: number, type: number): Uint8Array {
  const i = findExtension(encoded, block, type);
  const len = (encoded[i + 2] << 8) | encoded[i + 3];
  const out = new Uint8Array(encoded.length - 4 - len);
  out.set(encoded.subarray(0, i));
  out.set(encoded.subarray(i + 4 + len), i);
  const blockLen = ((encoded[block] << 8) | encoded[block + 1]) - 4 - len;
  out.set([blockLen >> 8, blockLen & 0xff], block);
  setU24(out, 1, out.length - 4);
  return out;
}

/** Adds an extension to the first entry of a TLS 1.3 Certificate message. */
export function appendEntryExtension(
  encoded: Uint8Array,
  type: number,
  data: Uint8Array,
): Uint8Array {
  const ctx = encoded[4];
  const list = 5 + ctx;
  const certLen = (encoded[list + 3] << 16) | (encoded[list + 4] << 8) | encoded[list + 5];
  const exts = list + 6 + certLen;
  const out = appendExtension(
    encoded,
    exts,
    type,
    data,
    exts + 2 + ((encoded[exts] << 8) | encoded[exts + 1]),
  );
  const grow = 4 + data.length;
  const total = ((out[list] << 16) | (out[list + 1] << 8) | out[list + 2]) + grow;
  out.set([total >> 16, (total >> 8) & 0xff, total & 0xff], list);
  return out;
}
