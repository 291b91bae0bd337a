/**
 * ChaCha20-Poly1305 that picks its engine per call: the pure TypeScript one
 * for small inputs, Web Crypto for large ones. Web Crypto costs a fixed
 * 15-35 µs per call on Deno and Bun, which the pure code beats up to about
 * 4 KiB; from 8 KiB on Web Crypto is two to three times faster (bench/README.md).
 *
 * @module
 */

import { chacha20Poly1305Pure } from "./pure/chacha20_poly1305.ts";
import type { Aead, AeadKey } from "./types.ts";

/** Inputs of at least this many bytes go to Web Crypto. */
export const WEBCRYPTO_THRESHOLD = 6 * 1024;

/** Combines the pure AEAD and `webCrypto` (which must also be ChaCha20-Poly1305). */
export function chachaBySize(webCrypto: Aead, threshold = WEBCRYPTO_THRESHOLD): Aead {
  return {
    kind: "Chacha20Poly1305",
    keyLen: 32,
    nonceLen: 12,
    tagLen: 16,
    async importKey(key: Uint8Array): Promise<AeadKey> {
      const [small, large] = await Promise.all([
        chacha20Poly1305Pure.importKey(key),
        webCrypto.importKey(key),
      ]);
      return {
        seal(nonce, aad, plaintext): Promise<Uint8Array> {
          return (plaintext.length >= threshold ? large : small).seal(nonce, aad, plaintext);
        },
        open(nonce, aad, ciphertextAndTag): Promise<Uint8Array | null> {
          return (ciphertextAndTag.length >= threshold ? large : small).open(
            nonce,
            aad,
            ciphertextAndTag,
          );
        },
      };
    },
  };
}
