/**
 * ML-KEM-768 through Web Crypto (`encapsulateBits` / `decapsulateBits`, as in
 * the WICG "Modern Algorithms in the Web Cryptography API" draft), where the
 * runtime has it: Deno 2.9 and Bun 1.4 do, Node 20 and most browsers do not.
 * Use {@link detectWebCryptoMlKem} before relying on it.
 *
 * @example
 * ```ts
 * import { detectWebCryptoMlKem, webCryptoMlKem768 } from "./ml_kem.ts";
 *
 * if (await detectWebCryptoMlKem()) {
 *   const { encapsulationKey, privateKey } = await webCryptoMlKem768.generateKeyPair();
 *   const { ciphertext, sharedSecret } = await webCryptoMlKem768.encapsulate(encapsulationKey);
 *   const again = await webCryptoMlKem768.decapsulate(privateKey, ciphertext);
 *   console.log(again.every((b, i) => b === sharedSecret[i])); // true
 * }
 * ```
 *
 * @module
 */

import { EK_BYTES, ekModulusOk } from "../pure/_ml_kem_pke.ts";
import type { MlKemEncapsulation } from "../pure/ml_kem.ts";

const ALGO = { name: "ML-KEM-768" } as const;
const CT_BYTES = 1088;

/** The part of SubtleCrypto this module needs; standard typings may not list it yet. */
interface KemSubtle {
  generateKey(
    algorithm: typeof ALGO,
    extractable: boolean,
    usages: string[],
  ): Promise<CryptoKeyPair>;
  importKey(
    format: "raw-public" | "raw-seed",
    keyData: Uint8Array<ArrayBuffer>,
    algorithm: typeof ALGO,
    extractable: boolean,
    usages: string[],
  ): Promise<CryptoKey>;
  exportKey(format: "raw-public", key: CryptoKey): Promise<ArrayBuffer>;
  exportKey(format: "jwk", key: CryptoKey): Promise<JsonWebKey & { pub?: string }>;
  encapsulateBits(
    algorithm: typeof ALGO,
    key: CryptoKey,
  ): Promise<{ ciphertext: ArrayBuffer; sharedKey: ArrayBuffer }>;
  decapsulateBits(
    algorithm: typeof ALGO,
    key: CryptoKey,
    ciphertext: Uint8Array<ArrayBuffer>,
  ): Promise<ArrayBuffer>;
}

function subtle(): KemSubtle {
  return globalThis.crypto.subtle as unknown as KemSubtle;
}

/** A Web Crypto ML-KEM-768 key pair: the encoded public key and the private CryptoKey. */
export interface WebCryptoMlKemKeyPair {
  /** The 1184-byte encapsulation key. */
  readonly encapsulationKey: Uint8Array;
  /** The decapsulation key, usable only with `decapsulateBits`. */
  readonly privateKey: CryptoKey;
}

/** ML-KEM-768 operations backed by the runtime's Web Crypto. */
export interface WebCryptoMlKem {
  /** Parameter set name, `"ML-KEM-768"`. */
  readonly name: string;
  /** Generates a key pair; the private key is not extractable. */
  generateKeyPair(): Promise<WebCryptoMlKemKeyPair>;
  /**
   * Imports a 64-byte seed (d || z) as a private key and derives its public
   * key. For tests that compare implementations; throws `TypeError` for a
   * seed of the wrong length.
   */
  importSeed(seed: Uint8Array): Promise<WebCryptoMlKemKeyPair>;
  /**
   * Encapsulates to an encoded key. Throws `TypeError` when the key fails the
   * FIPS 203 length or modulus check (checked here too, so every runtime
   * rejects the same keys).
   */
  encapsulate(encapsulationKey: Uint8Array): Promise<MlKemEncapsulation>;
  /** Decapsulates (implicit rejection); throws `TypeError` for a wrong ciphertext length. */
  decapsulate(privateKey: CryptoKey, ciphertext: Uint8Array): Promise<Uint8Array>;
}

function base64UrlDecode(s: string): Uint8Array {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/**
 * ML-KEM-768 via Web Crypto. Every call fails (rejects) on runtimes without
 * it; check {@link detectWebCryptoMlKem} first.
 *
 * @example
 * ```ts
 * import { detectWebCryptoMlKem, webCryptoMlKem768 } from "./ml_kem.ts";
 *
 * if (await detectWebCryptoMlKem()) {
 *   const pair = await webCryptoMlKem768.generateKeyPair();
 *   console.log(pair.encapsulationKey.length); // 1184
 * }
 * ```
 */
export const webCryptoMlKem768: WebCryptoMlKem = {
  name: "ML-KEM-768",

  async generateKeyPair(): Promise<WebCryptoMlKemKeyPair> {
    const pair = await subtle().generateKey(ALGO, false, ["encapsulateBits", "decapsulateBits"]);
    const ek = new Uint8Array(await subtle().exportKey("raw-public", pair.publicKey));
    return { encapsulationKey: ek, privateKey: pair.privateKey };
  },

  async importSeed(seed: Uint8Array): Promise<WebCryptoMlKemKeyPair> {
    if (seed.length !== 64) throw new TypeError("ML-KEM-768: seed must be 64 bytes");
    const key = await subtle().importKey(
      "raw-seed",
      Uint8Array.from(seed),
      ALGO,
      true,
      ["decapsulateBits"],
    );
    // The private key's JWK carries the public key; raw-public only exports public keys.
    const jwk = await subtle().exportKey("jwk", key);
    return { encapsulationKey: base64UrlDecode(jwk.pub ?? ""), privateKey: key };
  },

  async encapsulate(ek: Uint8Array): Promise<MlKemEncapsulation> {
    if (ek.length !== EK_BYTES) {
      throw new TypeError("ML-KEM-768: encapsulation key must be 1184 bytes");
    }
    if (!ekModulusOk(ek)) {
      throw new TypeError("ML-KEM-768: encapsulation key is not reduced modulo q");
    }
    let result: { ciphertext: ArrayBuffer; sharedKey: ArrayBuffer };
    try {
      const key = await subtle().importKey(
        "raw-public",
        Uint8Array.from(ek),
        ALGO,
        true,
        ["encapsulateBits"],
      );
      result = await subtle().encapsulateBits(ALGO, key);
    } catch {
      throw new TypeError("ML-KEM-768: encapsulation key rejected");
    }
    return {
      ciphertext: new Uint8Array(result.ciphertext),
      sharedSecret: new Uint8Array(result.sharedKey),
    };
  },

  async decapsulate(privateKey: CryptoKey, ct: Uint8Array): Promise<Uint8Array> {
    if (ct.length !== CT_BYTES) throw new TypeError("ML-KEM-768: ciphertext must be 1088 bytes");
    return new Uint8Array(await subtle().decapsulateBits(ALGO, privateKey, Uint8Array.from(ct)));
  },
};

let support: Promise<boolean> | undefined;

/**
 * Whether this runtime's Web Crypto does ML-KEM-768, checked once (by a real
 * key generation, encapsulation and decapsulation) and cached.
 *
 * @example
 * ```ts
 * import { detectWebCryptoMlKem } from "./ml_kem.ts";
 * console.log(await detectWebCryptoMlKem()); // true on Deno 2.9 and Bun 1.4
 * ```
 */
export function detectWebCryptoMlKem(): Promise<boolean> {
  support ??= (async () => {
    try {
      const pair = await webCryptoMlKem768.generateKeyPair();
      const enc = await webCryptoMlKem768.encapsulate(pair.encapsulationKey);
      const ss = await webCryptoMlKem768.decapsulate(pair.privateKey, enc.ciphertext);
      return pair.encapsulationKey.length === EK_BYTES && ss.length === 32 &&
        ss.every((v, i) => v === enc.sharedSecret[i]);
    } catch {
      return false;
    }
  })();
  return support;
}
