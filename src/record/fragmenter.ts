/**
 * Splits outbound payloads into record-sized fragments.
 *
 * @module
 */

import { MAX_PLAINTEXT_LEN } from "./deframer.ts";

/**
 * Splits `payload` into views of at most `maxFragment` bytes each, in order.
 * An empty payload gives no fragments: a caller that really wants an empty
 * record (allowed for application data only) must send one explicitly.
 *
 * `maxFragment` is the plaintext limit per record: 2^14 by default, or less
 * when the peer sent record_size_limit (for TLS 1.3, its value minus one for the
 * content type byte).
 *
 * @throws {RangeError} When `maxFragment` is not an integer in [1, 2^14].
 *
 * @example
 * ```ts
 * import { fragment } from "./fragmenter.ts";
 * const parts = fragment(new Uint8Array(40000));
 * console.log(parts.map((p) => p.length)); // [16384, 16384, 7232]
 * ```
 */
export function fragment(
  payload: Uint8Array,
  maxFragment: number = MAX_PLAINTEXT_LEN,
): Uint8Array[] {
  if (!Number.isInteger(maxFragment) || maxFragment < 1 || maxFragment > MAX_PLAINTEXT_LEN) {
    throw new RangeError(`maxFragment must be an integer in [1, ${MAX_PLAINTEXT_LEN}]`);
  }
  const out: Uint8Array[] = [];
  for (let offset = 0; offset < payload.length; offset += maxFragment) {
    out.push(payload.subarray(offset, Math.min(payload.length, offset + maxFragment)));
  }
  return out;
}
