/**
 * The TLS 1.2 keying-material exporter (RFC 5705 section 4).
 *
 * @module
 */

import type { Hmac } from "../crypto/types.ts";
import { concat } from "../_bytes.ts";
import { prf } from "./prf.ts";

/**
 * PRF(master_secret, label, client_random + server_random [+ context_length +
 * context]), `length` bytes. An absent `context` (undefined) and an empty one
 * give different values: only a present context adds its 2-byte length.
 *
 * @throws {RangeError} When `context` is 65536 bytes or longer.
 *
 * @example
 * ```ts
 * import { exportKeyingMaterial12 } from "./exporter.ts";
 * import { hmacSha256 } from "../crypto/webcrypto/hash.ts";
 * const r = new Uint8Array(32);
 * const ekm = await exportKeyingMaterial12(hmacSha256, new Uint8Array(48), r, r, "EXPORTER-x", undefined, 20);
 * console.log(ekm.length); // 20
 * ```
 */
export function exportKeyingMaterial12(
  hmac: Hmac,
  masterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  label: string,
  context: Uint8Array | undefined,
  length: number,
): Promise<Uint8Array> {
  let seed = concat(clientRandom, serverRandom);
  if (context !== undefined) {
    if (context.length > 0xffff) throw new RangeError("exporter context must be under 64 KiB");
    seed = concat(seed, new Uint8Array([context.length >> 8, context.length & 0xff]), context);
  }
  return prf(hmac, masterSecret, label, seed, length);
}
