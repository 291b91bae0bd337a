/**
 * The default crypto provider: Web Crypto for everything it has, the pure
 * TypeScript ChaCha20-Poly1305 where it has not (or where that is faster), and
 * pure TypeScript SHA-2/HMAC for the many small hashes of the key schedule.
 *
 * @module
 */

import { tlsError } from "../../error.ts";
import { NamedGroup } from "../../msgs/enums.ts";
import { chacha20Poly1305Pure } from "../pure/chacha20_poly1305.ts";
import { chachaBySize } from "../chacha_by_size.ts";
import { tls12CipherSuites, tls13CipherSuites } from "../suites.ts";
import type { Aead, CryptoProvider, Hash, Hmac, KeyExchangeGroup } from "../types.ts";
import { hashBySize } from "../hash_by_size.ts";
import {
  hmacPureFor,
  hmacSha256Pure,
  hmacSha384Pure,
  sha256Pure,
  sha384Pure,
} from "../pure/sha2.ts";
import { aes128Gcm, aes256Gcm, chacha20Poly1305WebCrypto, detectWebCryptoChacha } from "./aead.ts";
import { hmacSha256, hmacSha384, sha256, sha384 } from "./hash.ts";
import {
  detectX25519,
  ecdhFromPrivateKey,
  secp256r1,
  secp384r1,
  x25519,
  x25519FromPrivateKey,
} from "./kx.ts";
import { dhKem } from "../hpke/dhkem.ts";
import { hybridGroups } from "../hybrid.ts";
import { loadSigningKey } from "./signing_key.ts";
import { detectEd25519, ed25519Verifier, signatureVerifiers } from "./verify.ts";

/** The JavaScript runtimes whose ChaCha20-Poly1305 choice we tune. */
export type RuntimeName = "deno" | "bun" | "node" | "browser" | "unknown";

/**
 * Which ChaCha20-Poly1305 wins per runtime when both exist. Edit this table
 * from the numbers in bench/README.md; Web Crypto is the default because it
 * runs native code and keeps keys out of the JS heap.
 */
export const CHACHA_PREFERENCE: Readonly<Record<RuntimeName, "webcrypto" | "pure" | "by-size">> = {
  // Measured (bench/README.md): pure wins below ~4 KiB, Web Crypto from 8 KiB.
  deno: "by-size",
  bun: "by-size",
  node: "webcrypto",
  browser: "webcrypto",
  unknown: "webcrypto",
};

/**
 * Whether `runtime` should use Web Crypto's ChaCha20-Poly1305 when it has one.
 *
 * @example
 * ```ts
 * import { detectRuntime, preferWebCryptoChacha } from "./provider.ts";
 * console.log(preferWebCryptoChacha(detectRuntime()));
 * ```
 */
export function preferWebCryptoChacha(runtime: RuntimeName): boolean {
  return CHACHA_PREFERENCE[runtime] !== "pure";
}

/**
 * Names the runtime from `navigator.userAgent` (no runtime-specific globals):
 * Deno, Bun and Node >= 21 identify themselves there; browsers say Mozilla.
 *
 * @example
 * ```ts
 * import { detectRuntime } from "./provider.ts";
 * console.log(detectRuntime()); // "deno" under Deno
 * ```
 */
export function detectRuntime(): RuntimeName {
  const ua = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent ?? "";
  if (ua.startsWith("Deno/")) return "deno";
  if (ua.startsWith("Bun/")) return "bun";
  if (ua.startsWith("Node.js/")) return "node";
  if (ua.startsWith("Mozilla/")) return "browser";
  return "unknown";
}

const CHUNK = 65536;

/**
 * `n` secure random bytes. `crypto.getRandomValues` fills at most 65536 bytes
 * per call, so larger requests are filled in chunks.
 */
function webRandomBytes(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError("randomBytes: bad length");
  const out = new Uint8Array(n);
  for (let offset = 0; offset < n; offset += CHUNK) {
    crypto.getRandomValues(out.subarray(offset, Math.min(n, offset + CHUNK)));
  }
  return out;
}

/**
 * Options for {@link webCryptoProvider}.
 *
 * @example
 * ```ts
 * import { webCryptoProvider } from "@kerneltls/tls";
 * import type { WebCryptoProviderOptions } from "@kerneltls/tls";
 * const options: WebCryptoProviderOptions = { chacha: "pure", mlkem: "pure" };
 * const provider = await webCryptoProvider(options);
 * console.log(provider.kxGroups.map((g) => g.name));
 * ```
 */
export interface WebCryptoProviderOptions {
  /** Replaces the random source, for deterministic tests. */
  randomBytes?: (n: number) => Uint8Array;
  /**
   * Which ChaCha20-Poly1305 to use: `"auto"` (default) follows
   * {@link preferWebCryptoChacha} when Web Crypto has it and falls back to
   * pure TypeScript; `"webcrypto"` insists on Web Crypto; `"pure"` never uses it.
   */
  chacha?: "auto" | "webcrypto" | "pure";
  /**
   * Which ML-KEM-768 the post-quantum groups use: `"auto"` (default) takes Web
   * Crypto when the runtime has it, else pure TypeScript.
   */
  mlkem?: "auto" | "webcrypto" | "pure";
  /**
   * Which SHA-256/SHA-384 and HMAC the key schedule and transcript use:
   * `"auto"` (default) computes HMAC in pure TypeScript and picks the hash
   * engine by input size (see `hashBySize`), because Web Crypto's per-call
   * cost dominates the small inputs TLS hashes; `"webcrypto"` and `"pure"`
   * use only that engine.
   */
  hash?: "auto" | "webcrypto" | "pure";
}

interface HashChoice {
  sha256: Hash;
  sha384: Hash;
  hmacSha256: Hmac;
  hmacSha384: Hmac;
}

function chooseHash(mode: "auto" | "webcrypto" | "pure"): HashChoice {
  if (mode === "webcrypto") return { sha256, sha384, hmacSha256, hmacSha384 };
  if (mode === "pure") {
    return {
      sha256: sha256Pure,
      sha384: sha384Pure,
      hmacSha256: hmacSha256Pure,
      hmacSha384: hmacSha384Pure,
    };
  }
  const s256 = hashBySize(sha256Pure, sha256);
  const s384 = hashBySize(sha384Pure, sha384);
  return {
    sha256: s256,
    sha384: s384,
    hmacSha256: hmacPureFor(s256),
    hmacSha384: hmacPureFor(s384),
  };
}

/**
 * Groups offered when a config names none: the hybrid first, as rustls,
 * Chrome and OpenSSL 3.5 do. SecP256r1MLKEM768 and MLKEM768 are in the
 * provider but only used when a config asks for them by code point.
 */
export const DEFAULT_KX_GROUPS: readonly number[] = [
  NamedGroup.X25519MLKEM768,
  NamedGroup.x25519,
  NamedGroup.secp256r1,
  NamedGroup.secp384r1,
];

async function chooseChacha(mode: "auto" | "webcrypto" | "pure"): Promise<Aead> {
  if (mode === "pure") return chacha20Poly1305Pure;
  const available = await detectWebCryptoChacha();
  if (mode === "webcrypto") {
    if (!available) {
      throw tlsError(
        "General",
        "AeadUnavailable",
        "this runtime's Web Crypto has no ChaCha20-Poly1305",
      );
    }
    return chacha20Poly1305WebCrypto;
  }
  if (!available) return chacha20Poly1305Pure;
  const preference = CHACHA_PREFERENCE[detectRuntime()];
  if (preference === "by-size") return chachaBySize(chacha20Poly1305WebCrypto);
  return preference === "webcrypto" ? chacha20Poly1305WebCrypto : chacha20Poly1305Pure;
}

/**
 * Builds the default provider. What the runtime supports (X25519, Ed25519,
 * ChaCha20-Poly1305) is detected on first use and cached; a missing algorithm
 * is simply not offered.
 *
 * Suites: TLS 1.3 AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305, then TLS 1.2
 * ECDHE-ECDSA and ECDHE-RSA in the same AEAD order. Groups: X25519MLKEM768
 * and X25519 (when X25519 is available), secp256r1, secp384r1, then
 * SecP256r1MLKEM768 and MLKEM768 (see {@link DEFAULT_KX_GROUPS}). Hashes:
 * see {@link WebCryptoProviderOptions.hash}. HPKE KEMs (for ECH):
 * DHKEM(X25519, HKDF-SHA256) when X25519 is available, DHKEM(P-256, HKDF-SHA256).
 *
 * @example
 * ```ts
 * import { webCryptoProvider } from "./provider.ts";
 * const provider = await webCryptoProvider();
 * const tls13Only = {
 *   ...provider,
 *   cipherSuites: provider.cipherSuites.filter((s) => s.version === "TLSv1_3"),
 * };
 * console.log(tls13Only.cipherSuites.map((s) => s.name), provider.randomBytes(4).length);
 * ```
 */
export async function webCryptoProvider(
  options: WebCryptoProviderOptions = {},
): Promise<CryptoProvider> {
  const [hasX25519, hasEd25519, chacha20Poly1305] = await Promise.all([
    detectX25519(),
    detectEd25519(),
    chooseChacha(options.chacha ?? "auto"),
  ]);
  const hashes = chooseHash(options.hash ?? "auto");
  const algorithms = {
    ...hashes,
    aes128Gcm,
    aes256Gcm,
    chacha20Poly1305,
  };
  const pq = hybridGroups({ mlkem: options.mlkem ?? "auto" });
  // X25519MLKEM768 needs X25519; without it only the P-256 hybrid remains.
  const kxGroups: KeyExchangeGroup[] = hasX25519
    ? [pq.x25519MlKem768, x25519, secp256r1, secp384r1, pq.secp256r1MlKem768, pq.mlKem768]
    : [secp256r1, secp384r1, pq.secp256r1MlKem768, pq.mlKem768];
  const randomBytes = options.randomBytes ?? webRandomBytes;
  const p256Kem = dhKem(
    "P-256",
    (sk) => ecdhFromPrivateKey("secp256r1", sk),
    hashes.hmacSha256,
    randomBytes,
  );
  const hpkeKems = hasX25519
    ? [dhKem("X25519", x25519FromPrivateKey, hashes.hmacSha256, randomBytes), p256Kem]
    : [p256Kem];
  return {
    cipherSuites: [...tls13CipherSuites(algorithms), ...tls12CipherSuites(algorithms)],
    kxGroups,
    signatureVerifiers: hasEd25519
      ? signatureVerifiers
      : signatureVerifiers.filter((v) => v !== ed25519Verifier),
    hashes: { sha256: hashes.sha256, sha384: hashes.sha384 },
    hmacs: { sha256: hashes.hmacSha256, sha384: hashes.hmacSha384 },
    loadSigningKey,
    randomBytes,
    hpkeKems,
  };
}
