/**
 * AES-GCM, and ChaCha20-Poly1305 where the runtime has it, through Web Crypto.
 * Each key is imported once, non-extractable.
 *
 * @module
 */

import type { Aead, AeadKey, AeadKind } from "../types.ts";

function checkNonce(nonce: Uint8Array): void {
  if (nonce.length !== 12) throw new RangeError("AEAD nonce must be 12 bytes");
}

type WebAeadName = "AES-GCM" | "ChaCha20-Poly1305";

function webAead(kind: AeadKind, keyLen: number, name: WebAeadName): Aead {
  // ChaCha20-Poly1305 in Web Crypto ("modern algorithms") imports from
  // "raw-secret" only and has a fixed 128-bit tag, so it takes no tagLength.
  const format = name === "AES-GCM" ? "raw" : "raw-secret";
  const params = (nonce: Uint8Array, aad: Uint8Array): AesGcmParams => {
    const p: AesGcmParams = {
      name,
      iv: nonce as Uint8Array<ArrayBuffer>,
      additionalData: aad as Uint8Array<ArrayBuffer>,
    };
    if (name === "AES-GCM") p.tagLength = 128;
    return p;
  };
  return {
    kind,
    keyLen,
    nonceLen: 12,
    tagLen: 16,
    async importKey(raw: Uint8Array): Promise<AeadKey> {
      if (raw.length !== keyLen) throw new RangeError(`${kind} key must be ${keyLen} bytes`);
      const key = await crypto.subtle.importKey(
        format as "raw",
        raw as Uint8Array<ArrayBuffer>,
        { name },
        false,
        ["encrypt", "decrypt"],
      );
      return {
        async seal(nonce, aad, plaintext): Promise<Uint8Array> {
          checkNonce(nonce);
          return new Uint8Array(
            await crypto.subtle.encrypt(
              params(nonce, aad),
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
                params(nonce, aad),
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
export const aes128Gcm: Aead = webAead("Aes128Gcm", 16, "AES-GCM");
/** AES-256-GCM via Web Crypto. */
export const aes256Gcm: Aead = webAead("Aes256Gcm", 32, "AES-GCM");

/**
 * ChaCha20-Poly1305 (RFC 8439) via Web Crypto. Not every runtime has it (Node
 * 20 does not): use it only when {@link detectWebCryptoChacha} says so.
 */
export const chacha20Poly1305WebCrypto: Aead = webAead(
  "Chacha20Poly1305",
  32,
  "ChaCha20-Poly1305",
);

let chachaSupport: Promise<boolean> | undefined;

/**
 * Whether this runtime's Web Crypto has a working ChaCha20-Poly1305 (checked
 * once by a seal/open round trip that must authenticate, then cached).
 *
 * @example
 * ```ts
 * import { detectWebCryptoChacha } from "./aead.ts";
 * console.log(typeof (await detectWebCryptoChacha())); // boolean
 * ```
 */
export function detectWebCryptoChacha(): Promise<boolean> {
  chachaSupport ??= (async () => {
    try {
      const key = await chacha20Poly1305WebCrypto.importKey(new Uint8Array(32).fill(7));
      const nonce = new Uint8Array(12);
      const aad = Uint8Array.of(1, 2, 3);
      const sealed = await key.seal(nonce, aad, Uint8Array.of(42));
      const opened = await key.open(nonce, aad, sealed);
      sealed[0] ^= 1;
      const forged = await key.open(nonce, aad, sealed);
      return sealed.length === 17 && opened?.length === 1 && opened[0] === 42 && forged === null;
    } catch {
      return false;
    }
  })();
  return chachaSupport;
}
