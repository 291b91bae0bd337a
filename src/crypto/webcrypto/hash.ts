/**
 * SHA-2 and HMAC through Web Crypto.
 *
 * @module
 */

import type { Hash, Hmac } from "../types.ts";

function webHash(name: "SHA-256" | "SHA-384", outputLen: number, blockLen: number): Hash {
  return {
    name,
    outputLen,
    blockLen,
    async digest(data: Uint8Array): Promise<Uint8Array> {
      return new Uint8Array(await crypto.subtle.digest(name, data as Uint8Array<ArrayBuffer>));
    },
  };
}

/** SHA-256 via Web Crypto. */
export const sha256: Hash = webHash("SHA-256", 32, 64);
/** SHA-384 via Web Crypto. */
export const sha384: Hash = webHash("SHA-384", 48, 128);

/**
 * HMAC via Web Crypto. Web Crypto refuses zero-length HMAC keys, but HMAC pads
 * every key with zero bytes up to the block size (RFC 2104 step 1), so the empty
 * key and a single zero byte give the same MAC: we import `[0]` instead.
 */
function webHmac(hash: Hash): Hmac {
  const single = new Uint8Array(1);
  return {
    hash,
    async sign(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
      const raw = key.length === 0 ? single : key;
      const k = await crypto.subtle.importKey(
        "raw",
        raw as Uint8Array<ArrayBuffer>,
        { name: "HMAC", hash: hash.name },
        false,
        ["sign"],
      );
      return new Uint8Array(
        await crypto.subtle.sign("HMAC", k, data as Uint8Array<ArrayBuffer>),
      );
    },
  };
}

/** HMAC-SHA-256 via Web Crypto. */
export const hmacSha256: Hmac = webHmac(sha256);
/** HMAC-SHA-384 via Web Crypto. */
export const hmacSha384: Hmac = webHmac(sha384);
