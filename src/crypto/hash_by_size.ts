/**
 * A SHA-2 `Hash` that picks its engine per call: pure TypeScript for small
 * inputs, where Web Crypto's fixed cost per call (a promise round trip of
 * 10-30 µs) dominates, Web Crypto for large ones, where native code wins
 * (bench/README.md, "SHA-2"). Only the public input length decides.
 *
 * @module
 */

import type { Hash } from "./types.ts";

/**
 * Inputs of at least this many bytes go to Web Crypto, per algorithm. Measured
 * on Deno: SHA-256 pure wins up to about 1.5-2 KiB, SHA-384 (64-bit words done
 * in 32-bit halves) up to about 1 KiB.
 */
export const HASH_WEBCRYPTO_THRESHOLD: Readonly<Record<Hash["name"], number>> = {
  "SHA-256": 2048,
  "SHA-384": 1024,
};

/**
 * Combines a pure and a Web Crypto implementation of the same hash.
 *
 * @example
 * ```ts
 * import { hashBySize } from "./hash_by_size.ts";
 * import { sha256Pure } from "./pure/sha2.ts";
 * import { sha256 } from "./webcrypto/hash.ts";
 * const h = hashBySize(sha256Pure, sha256);
 * console.log((await h.digest(new Uint8Array(10))).length); // 32
 * ```
 */
export function hashBySize(
  pure: Hash,
  webCrypto: Hash,
  threshold: number = HASH_WEBCRYPTO_THRESHOLD[pure.name],
): Hash {
  if (pure.name !== webCrypto.name) throw new TypeError("hashBySize: different hashes");
  return {
    name: pure.name,
    outputLen: pure.outputLen,
    blockLen: pure.blockLen,
    digest(data: Uint8Array): Promise<Uint8Array> {
      return (data.length >= threshold ? webCrypto : pure).digest(data);
    },
    // Incremental hashing absorbs each byte once, where the pure engine wins.
    ...(pure.start ? { start: pure.start } : {}),
  };
}
