/**
 * SHA-2 and HMAC through Web Crypto.
 *
 * @module
 */

import type { Hash, Hmac, KeyedHmac } from "../types.ts";

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
  const importKey = (key: Uint8Array): Promise<CryptoKey> =>
    crypto.subtle.importKey(
      "raw",
      (key.length === 0 ? single : key) as Uint8Array<ArrayBuffer>,
      { name: "HMAC", hash: hash.name },
      false,
      ["sign"],
    );
  const signWith = async (k: CryptoKey, data: Uint8Array): Promise<Uint8Array> =>
    new Uint8Array(await crypto.subtle.sign("HMAC", k, data as Uint8Array<ArrayBuffer>));
  return {
    hash,
    async sign(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
      return signWith(await importKey(key), data);
    },
    // One import for every message under the key (imported on first use).
    withKey(key: Uint8Array): KeyedHmac {
      const raw = key.slice();
      let imported: Promise<CryptoKey> | undefined;
      return {
        async sign(data: Uint8Array): Promise<Uint8Array> {
          return signWith(await (imported ??= importKey(raw)), data);
        },
      };
    },
  };
}

/** HMAC-SHA-256 via Web Crypto. */
export const hmacSha256: Hmac = webHmac(sha256);
/** HMAC-SHA-384 via Web Crypto. */
export const hmacSha384: Hmac = webHmac(sha384);
