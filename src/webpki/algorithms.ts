/**
 * Maps X.509 signature AlgorithmIdentifiers and key types to TLS
 * SignatureScheme code points, so one list of `SignatureVerifier`s (the
 * crypto provider's) serves both certificates and handshake signatures: no
 * other crypto is used here. Also holds the RSA key-size policy.
 *
 * @module
 */

import { SignatureScheme } from "../msgs/enums.ts";
import { parsePssParams, parseSpki, readSingle, rsaModulusBits } from "../crypto/_der.ts";
import type { SignatureVerifier } from "../crypto/types.ts";
import { certError } from "./_errors.ts";
import { DerReader } from "./der.ts";
import type { AlgorithmIdentifier } from "./x509.ts";

/**
 * RSA moduli the verifiers accept, in bits: at least the minimum (2048 by
 * default, as the CA/Browser Forum baseline requirements 6.1.5 set; an option
 * may lower it to 1024, never further), at most 8192 (as rustls-webpki), and
 * a multiple of 8.
 */
export const RSA_KEY_BITS = { defaultMinimum: 2048, floor: 1024, maximum: 8192 } as const;

/**
 * The minimum RSA modulus, in bits, that `minRsaKeyBits` may choose: 2048
 * and up for the Web PKI, 1024 only for legacy private PKIs; nothing lower.
 *
 * @example
 * ```ts
 * import { RootCertStore, WebPkiServerVerifier } from "@kerneltls/tls";
 * import type { RsaMinimumBits } from "@kerneltls/tls";
 * const legacy: RsaMinimumBits = 1024;
 * const verifier = new WebPkiServerVerifier({ roots: new RootCertStore(), minRsaKeyBits: legacy });
 * void verifier;
 * ```
 */
export type RsaMinimumBits = 1024 | 2048 | 3072 | 4096;

/** Checks an option value; throws `RangeError` below 1024 bits or when not a listed size. */
export function checkRsaMinimumOption(bits: number | undefined): RsaMinimumBits {
  const v = bits ?? RSA_KEY_BITS.defaultMinimum;
  if (v !== 1024 && v !== 2048 && v !== 3072 && v !== 4096) {
    throw new RangeError(`minRsaKeyBits must be 1024, 2048, 3072 or 4096, not ${bits}`);
  }
  return v;
}

/** The modulus length of an RSA `spki`, or undefined for other or malformed keys. */
export function rsaBitsOf(spki: Uint8Array, key: KeyType | undefined): number | undefined {
  if (key !== "rsa" && key !== "rsa-pss") return undefined;
  try {
    return rsaModulusBits(parseSpki(spki).publicKey);
  } catch {
    return undefined;
  }
}

/**
 * Refuses an RSA key (rsaEncryption or id-RSASSA-PSS `spki`) outside the
 * policy: detail `RsaKeyTooSmall` under `minBits`, `UnsupportedRsaKeySize`
 * when the length is not a multiple of 8 or above the maximum. Other keys pass.
 */
export function checkRsaKeySize(spki: Uint8Array, key: KeyType | undefined, minBits: number): void {
  if (key !== "rsa" && key !== "rsa-pss") return;
  const bits = rsaBitsOf(spki, key);
  if (bits === undefined) throw certError("BadEncoding", "malformed RSA public key");
  if (bits < minBits) {
    throw certError("RsaKeyTooSmall", `${bits}-bit RSA key (at least ${minBits} bits needed)`);
  }
  if (bits % 8 !== 0 || bits > RSA_KEY_BITS.maximum) {
    throw certError("UnsupportedRsaKeySize", `unsupported RSA key size of ${bits} bits`);
  }
}

/**
 * Calls a provider verifier, turning its `RangeError` (a key it cannot use,
 * such as RSA above 4096 bits in Deno) into detail `UnsupportedRsaKeySize`.
 */
export async function callVerifier(
  call: () => Promise<boolean>,
): Promise<boolean> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof RangeError) throw certError("UnsupportedRsaKeySize", e.message);
    throw e;
  }
}

/** The kind of public key in a SubjectPublicKeyInfo. */
export type KeyType = "rsa" | "rsa-pss" | "p256" | "p384" | "p521" | "ed25519";

const NULL_PARAMS = (p: Uint8Array | undefined): boolean =>
  p !== undefined && p.length === 2 && p[0] === 0x05 && p[1] === 0x00;

function oidOf(params: Uint8Array | undefined): string | undefined {
  if (params === undefined || params[0] !== 0x06) return undefined;
  const r = new DerReader(params);
  const oid = r.readOid();
  r.finish();
  return oid;
}

/** The key type of an SPKI algorithm, or undefined when unsupported. */
export function keyTypeOf(alg: AlgorithmIdentifier): KeyType | undefined {
  switch (alg.oid) {
    case "1.2.840.113549.1.1.1":
      return NULL_PARAMS(alg.params) ? "rsa" : undefined;
    case "1.2.840.113549.1.1.10":
      return "rsa-pss";
    case "1.3.101.112":
      return alg.params === undefined ? "ed25519" : undefined;
    case "1.2.840.10045.2.1":
      switch (oidOf(alg.params)) {
        case "1.2.840.10045.3.1.7":
          return "p256";
        case "1.3.132.0.34":
          return "p384";
        case "1.3.132.0.35":
          return "p521";
      }
  }
  return undefined;
}

function unsupported(message: string): never {
  throw certError("UnsupportedSignatureAlgorithm", message);
}

const ECDSA_HASH: Record<string, "SHA-256" | "SHA-384" | "SHA-512"> = {
  "1.2.840.10045.4.3.2": "SHA-256",
  "1.2.840.10045.4.3.3": "SHA-384",
  "1.2.840.10045.4.3.4": "SHA-512",
};

const PKCS1: Record<string, number> = {
  "1.2.840.113549.1.1.11": SignatureScheme.rsa_pkcs1_sha256,
  "1.2.840.113549.1.1.12": SignatureScheme.rsa_pkcs1_sha384,
  "1.2.840.113549.1.1.13": SignatureScheme.rsa_pkcs1_sha512,
};

/**
 * Checks an X.509 signature (`sigAlg` over `message`) with the issuer's key.
 * Throws `TlsError` with detail `UnsupportedSignatureAlgorithm` when no
 * verifier can check it; returns whether the signature is good otherwise.
 */
export async function verifyX509Signature(
  verifiers: readonly SignatureVerifier[],
  sigAlg: AlgorithmIdentifier,
  issuerSpki: Uint8Array,
  issuerKey: AlgorithmIdentifier,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  const key = keyTypeOf(issuerKey);
  const check = (scheme: number): Promise<boolean> => {
    const v = verifiers.find((v) => v.scheme === scheme) ??
      unsupported(`no verifier for scheme 0x${scheme.toString(16)}`);
    return callVerifier(() => v.verify(issuerSpki, message, signature));
  };
  if (sigAlg.oid in PKCS1) {
    if (!NULL_PARAMS(sigAlg.params) || key !== "rsa") unsupported("bad PKCS#1 signature params");
    return await check(PKCS1[sigAlg.oid]);
  }
  if (sigAlg.oid === "1.2.840.113549.1.1.10") {
    if (sigAlg.params === undefined) unsupported("RSASSA-PSS without parameters");
    let p;
    try {
      p = parsePssParams(readSingle(sigAlg.params, 0x30));
    } catch {
      return unsupported("unsupported RSASSA-PSS parameters");
    }
    const len = { "SHA-256": 32, "SHA-384": 48, "SHA-512": 64, "SHA-1": 20 }[p.hash];
    if (p.hash === "SHA-1" || p.mgfHash !== p.hash || p.saltLength !== len) {
      unsupported("unsupported RSASSA-PSS parameters");
    }
    const i = ["SHA-256", "SHA-384", "SHA-512"].indexOf(p.hash);
    const S = SignatureScheme;
    if (key === "rsa") {
      return await check([S.rsa_pss_rsae_sha256, S.rsa_pss_rsae_sha384, S.rsa_pss_rsae_sha512][i]);
    }
    if (key === "rsa-pss") {
      return await check([S.rsa_pss_pss_sha256, S.rsa_pss_pss_sha384, S.rsa_pss_pss_sha512][i]);
    }
    return unsupported("RSASSA-PSS signature by a non-RSA key");
  }
  if (sigAlg.oid in ECDSA_HASH) {
    if (sigAlg.params !== undefined) unsupported("ECDSA signature with parameters");
    const hash = ECDSA_HASH[sigAlg.oid];
    if (key === "p256" && hash === "SHA-256") {
      return await check(SignatureScheme.ecdsa_secp256r1_sha256);
    }
    if (key === "p384" && hash === "SHA-384") {
      return await check(SignatureScheme.ecdsa_secp384r1_sha384);
    }
    // X.509 lets any ECDSA hash go with any curve (a P-384 CA signing with
    // SHA-256 is common); TLS schemes pin both.
    if (key === "p256" || key === "p384") {
      return await ecdsaWithHash(verifiers, key, hash, issuerSpki, message, signature) ??
        unsupported(`no verifier for ECDSA ${key} with ${hash}`);
    }
    return unsupported("ECDSA signature by an unsupported key");
  }
  if (sigAlg.oid === "1.3.101.112") {
    if (sigAlg.params !== undefined || key !== "ed25519") unsupported("bad Ed25519 signature");
    return await check(SignatureScheme.ed25519);
  }
  return unsupported(`unsupported signature algorithm ${sigAlg.oid}`);
}

/**
 * ECDSA with the curve of the key and any SHA-2 hash, through the provider's
 * verifier for that curve (`verifyWithHash`); undefined when it has none.
 */
export async function ecdsaWithHash(
  verifiers: readonly SignatureVerifier[],
  key: "p256" | "p384",
  hash: "SHA-256" | "SHA-384" | "SHA-512",
  spki: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean | undefined> {
  const scheme = key === "p256"
    ? SignatureScheme.ecdsa_secp256r1_sha256
    : SignatureScheme.ecdsa_secp384r1_sha384;
  const v = verifiers.find((x) => x.scheme === scheme);
  if (!v?.verifyWithHash) return undefined;
  return await callVerifier(() => v.verifyWithHash!(hash, spki, message, signature));
}

/**
 * Whether TLS `scheme` fits a key of type `key` (RFC 8446 4.2.3: the ECDSA
 * curve is part of the scheme; rsae schemes need rsaEncryption keys).
 */
export function schemeFitsKey(scheme: number, key: KeyType | undefined): boolean {
  switch (scheme) {
    case SignatureScheme.ecdsa_secp256r1_sha256:
      return key === "p256";
    case SignatureScheme.ecdsa_secp384r1_sha384:
      return key === "p384";
    case SignatureScheme.ecdsa_secp521r1_sha512:
      return key === "p521";
    case SignatureScheme.ed25519:
      return key === "ed25519";
    case SignatureScheme.rsa_pss_pss_sha256:
    case SignatureScheme.rsa_pss_pss_sha384:
    case SignatureScheme.rsa_pss_pss_sha512:
      return key === "rsa-pss";
    case SignatureScheme.rsa_pss_rsae_sha256:
    case SignatureScheme.rsa_pss_rsae_sha384:
    case SignatureScheme.rsa_pss_rsae_sha512:
    case SignatureScheme.rsa_pkcs1_sha256:
    case SignatureScheme.rsa_pkcs1_sha384:
    case SignatureScheme.rsa_pkcs1_sha512:
      return key === "rsa";
  }
  return false;
}
