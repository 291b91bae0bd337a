/**
 * AES-GCM through Web Crypto. Each key is imported once, non-extractable.
 *
 * @module
 */

import type { Aead, AeadKey, AeadKind } from "../types.ts";

function checkNonce(nonce: Uint8Array): void {
  if (nonce.length !== 12) throw new RangeError("AEAD nonce must be 12 bytes");
}

function aesGcm(kind: AeadKind, keyLen: number): Aead {
  return {
    kind,
    keyLen,
    nonceLen: 12,
    tagLen: 16,
    async importKey(raw: Uint8Array): Promise<AeadKey> {
      if (raw.length !== keyLen) throw new RangeError(`${kind} key must be ${keyLen} bytes`);
      const key = await crypto.subtle.importKey(
        "raw",
        raw as Uint8Array<ArrayBuffer>,
        { name: "AES-GCM" },
        false,
        ["encrypt", "decrypt"],
      );
      return {
        async seal(nonce, aad, plaintext): Promise<Uint8Array> {
          checkNonce(nonce);
          return new Uint8Array(
            await crypto.subtle.encrypt(
              {
                name: "AES-GCM",
                iv: nonce as Uint8Array<ArrayBuffer>,
                additionalData: aad as Uint8Array<ArrayBuffer>,
                tagLength: 128,
              },
              key,
              plaintext as Uint8Array<ArrayBuffer>,
            ),
          );
        },
        async open(nonce, aad, ciphertextAndTag): Promise<Uint8Array | null> {
          checkNonce(nonce);
          if (ciphertextAndTag.length < 16) return null;
          try {
            return new Uint8Array(
              await crypto.subtle.decrypt(
                {
                  name: "AES-GCM",
                  iv: nonce as Uint8Array<ArrayBuffer>,
                  additionalData: aad as Uint8Array<ArrayBuffer>,
                  tagLength: 128,
                },
                key,
                ciphertextAndTag as Uint8Array<ArrayBuffer>,
              ),
            );
          } catch {
            return null;
          }
        },
      };
    },
  };
}

/** AES-128-GCM via Web Crypto. */
export const aes128Gcm: Aead = aesGcm("Aes128Gcm", 16);
/** AES-256-GCM via Web Crypto. */
export const aes256Gcm: Aead = aesGcm("Aes256Gcm", 32);
