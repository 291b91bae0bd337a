/**
 * Cipher suite objects built from whichever AEAD, hash and HMAC objects a
 * provider has, so the same table serves Web Crypto and pure implementations.
 *
 * @module
 */

import { CipherSuiteId } from "../msgs/enums.ts";
import type { Aead, Hash, Hmac, Tls12CipherSuite, Tls13CipherSuite } from "./types.ts";

/** The algorithm objects cipher suites are made of. */
export interface SuiteAlgorithms {
  /** SHA-256. */
  readonly sha256: Hash;
  /** SHA-384. */
  readonly sha384: Hash;
  /** HMAC-SHA-256. */
  readonly hmacSha256: Hmac;
  /** HMAC-SHA-384. */
  readonly hmacSha384: Hmac;
  /** AES-128-GCM. */
  readonly aes128Gcm: Aead;
  /** AES-256-GCM. */
  readonly aes256Gcm: Aead;
  /** ChaCha20-Poly1305 (Web Crypto or pure, as the provider chose). */
  readonly chacha20Poly1305: Aead;
}

/**
 * Records one key may protect. AES-GCM: 2^24 (RFC 8446 section 5.5 allows
 * 2^24.5 full records; we round down). ChaCha20-Poly1305: the sequence space,
 * 2^64 - 1.
 */
export function confidentialityLimit(aead: Aead): bigint {
  return aead.kind === "Chacha20Poly1305" ? 2n ** 64n - 1n : 2n ** 24n;
}

/** Builds one TLS 1.3 suite. */
export function tls13Suite(
  id: number,
  name: string,
  hash: Hash,
  hmac: Hmac,
  aead: Aead,
): Tls13CipherSuite {
  if (hmac.hash !== hash) throw new TypeError(`${name}: HMAC is not over the suite hash`);
  return {
    version: "TLSv1_3",
    id,
    name,
    hash,
    hmac,
    aead,
    confidentialityLimit: confidentialityLimit(aead),
  };
}

/** Builds one TLS 1.2 ECDHE AEAD suite. */
export function tls12Suite(
  id: number,
  name: string,
  sign: "ECDSA" | "RSA",
  hash: Hash,
  hmac: Hmac,
  aead: Aead,
): Tls12CipherSuite {
  if (hmac.hash !== hash) throw new TypeError(`${name}: HMAC is not over the suite hash`);
  return {
    version: "TLSv1_2",
    id,
    name,
    hash,
    hmac,
    aead,
    sign,
    confidentialityLimit: confidentialityLimit(aead),
  };
}

/**
 * The three TLS 1.3 suites in our preference order: AES-128-GCM, AES-256-GCM,
 * ChaCha20-Poly1305.
 *
 * @example
 * ```ts
 * import { tls13CipherSuites } from "./suites.ts";
 * import { hmacSha256, hmacSha384, sha256, sha384 } from "./webcrypto/hash.ts";
 * import { aes128Gcm, aes256Gcm } from "./webcrypto/aead.ts";
 * const suites = tls13CipherSuites({
 *   sha256, sha384, hmacSha256, hmacSha384, aes128Gcm, aes256Gcm,
 *   chacha20Poly1305: aes256Gcm, // stand-in for the example only
 * });
 * console.log(suites.map((s) => s.name));
 * ```
 */
export function tls13CipherSuites(a: SuiteAlgorithms): Tls13CipherSuite[] {
  return [
    tls13Suite(
      CipherSuiteId.TLS_AES_128_GCM_SHA256,
      "TLS_AES_128_GCM_SHA256",
      a.sha256,
      a.hmacSha256,
      a.aes128Gcm,
    ),
    tls13Suite(
      CipherSuiteId.TLS_AES_256_GCM_SHA384,
      "TLS_AES_256_GCM_SHA384",
      a.sha384,
      a.hmacSha384,
      a.aes256Gcm,
    ),
    tls13Suite(
      CipherSuiteId.TLS_CHACHA20_POLY1305_SHA256,
      "TLS_CHACHA20_POLY1305_SHA256",
      a.sha256,
      a.hmacSha256,
      a.chacha20Poly1305,
    ),
  ];
}

/**
 * The six TLS 1.2 ECDHE AEAD suites in our preference order: ECDSA before RSA,
 * each AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305.
 *
 * @example
 * ```ts
 * import { tls12CipherSuites } from "./suites.ts";
 * import { hmacSha256, hmacSha384, sha256, sha384 } from "./webcrypto/hash.ts";
 * import { aes128Gcm, aes256Gcm } from "./webcrypto/aead.ts";
 * const suites = tls12CipherSuites({
 *   sha256, sha384, hmacSha256, hmacSha384, aes128Gcm, aes256Gcm,
 *   chacha20Poly1305: aes256Gcm, // stand-in for the example only
 * });
 * console.log(suites.length); // 6
 * ```
 */
export function tls12CipherSuites(a: SuiteAlgorithms): Tls12CipherSuite[] {
  const id = CipherSuiteId;
  return [
    tls12Suite(
      id.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
      "ECDSA",
      a.sha256,
      a.hmacSha256,
      a.aes128Gcm,
    ),
    tls12Suite(
      id.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
      "ECDSA",
      a.sha384,
      a.hmacSha384,
      a.aes256Gcm,
    ),
    tls12Suite(
      id.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
      "ECDSA",
      a.sha256,
      a.hmacSha256,
      a.chacha20Poly1305,
    ),
    tls12Suite(
      id.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "RSA",
      a.sha256,
      a.hmacSha256,
      a.aes128Gcm,
    ),
    tls12Suite(
      id.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
      "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "RSA",
      a.sha384,
      a.hmacSha384,
      a.aes256Gcm,
    ),
    tls12Suite(
      id.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
      "RSA",
      a.sha256,
      a.hmacSha256,
      a.chacha20Poly1305,
    ),
  ];
}
