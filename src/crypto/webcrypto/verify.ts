/**
 * Signature verification through Web Crypto for the TLS signature schemes.
 * Each verifier checks that the SubjectPublicKeyInfo's algorithm (and curve or
 * PSS parameters) fits its scheme before asking Web Crypto, and answers false
 * for anything malformed, mismatched or simply wrong. The one exception is an
 * RSA key larger than this runtime's Web Crypto imports (Deno stops at 4096
 * bits; Node and Bun take 8192 and more): that throws `RangeError`, so the
 * chain is refused as `UnsupportedRsaKeySize` rather than as a bad signature.
 *
 * @module
 */

import { SignatureScheme } from "../../msgs/enums.ts";
import type { SignatureVerifier } from "../types.ts";
import {
  decodeOid,
  DerTag,
  ecdsaDerToP1363,
  Oid,
  parsePssParams,
  parseSpki,
  rsaModulusBits,
  spkiAsRsaEncryption,
  type SubjectPublicKeyInfo,
} from "../_der.ts";

type ShaName = "SHA-256" | "SHA-384" | "SHA-512";
const HASH_LEN: Record<ShaName, number> = { "SHA-256": 32, "SHA-384": 48, "SHA-512": 64 };

type Check = (
  spki: SubjectPublicKeyInfo,
  der: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
) => Promise<boolean>;

/** A well-formed key this runtime's Web Crypto cannot import. */
class UnsupportedKeySizeError extends RangeError {}

async function run(
  check: Check,
  spki: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  try {
    return await check(parseSpki(spki), spki, message, signature);
  } catch (e) {
    if (e instanceof UnsupportedKeySizeError) throw e;
    // A malformed key or one Web Crypto refuses is a failed verification, not an error.
    return false;
  }
}

function verifier(scheme: number, name: string, tls13: boolean, check: Check): SignatureVerifier {
  return {
    scheme,
    name,
    tls13,
    verify: (spki, message, signature) => run(check, spki, message, signature),
  };
}

/**
 * Imports an RSA key and verifies with it, telling a modulus too large for
 * this runtime apart from a malformed key (Deno imports such a key but fails
 * when it is used).
 */
async function rsaVerify(
  rsaSpki: Uint8Array,
  publicKey: Uint8Array,
  importAlgorithm: RsaHashedImportParams,
  verifyAlgorithm: AlgorithmIdentifier | RsaPssParams,
  signature: Uint8Array,
  message: Uint8Array,
): Promise<boolean> {
  try {
    const key = await crypto.subtle.importKey("spki", rsaSpki as Buf, importAlgorithm, false, [
      "verify",
    ]);
    return await crypto.subtle.verify(verifyAlgorithm, key, signature as Buf, message as Buf);
  } catch (e) {
    const bits = rsaModulusBits(publicKey);
    if (bits > 4096) {
      throw new UnsupportedKeySizeError(
        `this runtime's Web Crypto cannot use a ${bits}-bit RSA key (Deno's limit is 4096)`,
      );
    }
    throw e;
  }
}

function isDerNull(spki: SubjectPublicKeyInfo): boolean {
  const p = spki.algorithm.params;
  return p !== undefined && p.tag === DerTag.Null && p.content.length === 0;
}

type Buf = Uint8Array<ArrayBuffer>;

function ecdsa(
  scheme: number,
  name: string,
  curve: "P-256" | "P-384",
  hash: ShaName,
): SignatureVerifier {
  const curveOid = curve === "P-256" ? Oid.secp256r1 : Oid.secp384r1;
  const size = curve === "P-256" ? 32 : 48;
  const check = (hash: ShaName): Check => async (spki, _der, message, signature) => {
    const params = spki.algorithm.params;
    if (spki.algorithm.oid !== Oid.ecPublicKey || params === undefined) return false;
    if (params.tag !== DerTag.Oid || decodeOid(params.content) !== curveOid) return false;
    // Only the uncompressed form: X.509 keys in the Web PKI use it and it keeps
    // the accepted encodings to one.
    if (spki.publicKey.length !== 1 + 2 * size || spki.publicKey[0] !== 0x04) return false;
    const raw = ecdsaDerToP1363(signature, size);
    if (raw === null) return false;
    const key = await crypto.subtle.importKey(
      "raw",
      spki.publicKey as Buf,
      { name: "ECDSA", namedCurve: curve },
      false,
      ["verify"],
    );
    return await crypto.subtle.verify({ name: "ECDSA", hash }, key, raw as Buf, message as Buf);
  };
  return {
    ...verifier(scheme, name, true, check(hash)),
    verifyWithHash: (h, spki, message, signature) => run(check(h), spki, message, signature),
  };
}

function rsaPss(scheme: number, name: string, hash: ShaName, pssKey: boolean): SignatureVerifier {
  const saltLength = HASH_LEN[hash];
  return verifier(scheme, name, true, async (spki, der, message, signature) => {
    let rsaSpki: Uint8Array;
    if (pssKey) {
      if (spki.algorithm.oid !== Oid.rsassaPss) return false;
      const params = spki.algorithm.params;
      if (params !== undefined) {
        // Key parameters restrict how the key may sign (RFC 4055 section 3.1):
        // same hash for the message and MGF1, and a minimum salt we must meet.
        const p = parsePssParams(params);
        if (p.hash !== hash || p.mgfHash !== hash || p.saltLength > saltLength) return false;
      }
      rsaSpki = spkiAsRsaEncryption(der);
    } else {
      if (spki.algorithm.oid !== Oid.rsaEncryption || !isDerNull(spki)) return false;
      rsaSpki = der;
    }
    return await rsaVerify(
      rsaSpki,
      spki.publicKey,
      { name: "RSA-PSS", hash },
      { name: "RSA-PSS", saltLength },
      signature,
      message,
    );
  });
}

function rsaPkcs1(scheme: number, name: string, hash: ShaName): SignatureVerifier {
  return verifier(scheme, name, false, async (spki, der, message, signature) => {
    if (spki.algorithm.oid !== Oid.rsaEncryption || !isDerNull(spki)) return false;
    return await rsaVerify(
      der,
      spki.publicKey,
      { name: "RSASSA-PKCS1-v1_5", hash },
      "RSASSA-PKCS1-v1_5",
      signature,
      message,
    );
  });
}

/** Ed25519 (RFC 8032); offer it only where {@link detectEd25519} says so. */
export const ed25519Verifier: SignatureVerifier = verifier(
  SignatureScheme.ed25519,
  "ed25519",
  true,
  async (spki, _der, message, signature) => {
    // RFC 8410: the parameters field must be absent.
    if (spki.algorithm.oid !== Oid.ed25519 || spki.algorithm.params !== undefined) return false;
    if (spki.publicKey.length !== 32 || signature.length !== 64) return false;
    const key = await crypto.subtle.importKey(
      "raw",
      spki.publicKey as Buf,
      { name: "Ed25519" },
      false,
      ["verify"],
    );
    return await crypto.subtle.verify("Ed25519", key, signature as Buf, message as Buf);
  },
);

/**
 * Every verifier this provider has, in preference order: ECDSA, RSA-PSS
 * (rsae, then pss), Ed25519, then PKCS#1 v1.5 (certificates and TLS 1.2 only).
 *
 * @example
 * ```ts
 * import { findVerifier, signatureVerifiers } from "./verify.ts";
 * const v = findVerifier(signatureVerifiers, 0x0403);
 * console.log(v?.name); // ecdsa_secp256r1_sha256
 * ```
 */
export const signatureVerifiers: readonly SignatureVerifier[] = [
  ecdsa(SignatureScheme.ecdsa_secp256r1_sha256, "ecdsa_secp256r1_sha256", "P-256", "SHA-256"),
  ecdsa(SignatureScheme.ecdsa_secp384r1_sha384, "ecdsa_secp384r1_sha384", "P-384", "SHA-384"),
  rsaPss(SignatureScheme.rsa_pss_rsae_sha256, "rsa_pss_rsae_sha256", "SHA-256", false),
  rsaPss(SignatureScheme.rsa_pss_rsae_sha384, "rsa_pss_rsae_sha384", "SHA-384", false),
  rsaPss(SignatureScheme.rsa_pss_rsae_sha512, "rsa_pss_rsae_sha512", "SHA-512", false),
  rsaPss(SignatureScheme.rsa_pss_pss_sha256, "rsa_pss_pss_sha256", "SHA-256", true),
  rsaPss(SignatureScheme.rsa_pss_pss_sha384, "rsa_pss_pss_sha384", "SHA-384", true),
  rsaPss(SignatureScheme.rsa_pss_pss_sha512, "rsa_pss_pss_sha512", "SHA-512", true),
  ed25519Verifier,
  rsaPkcs1(SignatureScheme.rsa_pkcs1_sha256, "rsa_pkcs1_sha256", "SHA-256"),
  rsaPkcs1(SignatureScheme.rsa_pkcs1_sha384, "rsa_pkcs1_sha384", "SHA-384"),
  rsaPkcs1(SignatureScheme.rsa_pkcs1_sha512, "rsa_pkcs1_sha512", "SHA-512"),
];

/**
 * The verifier for `scheme` in `list`, or undefined.
 *
 * @example
 * ```ts
 * import { findVerifier, signatureVerifiers } from "./verify.ts";
 * console.log(findVerifier(signatureVerifiers, 0x0201)); // undefined (rsa_pkcs1_sha1)
 * ```
 */
export function findVerifier(
  list: readonly SignatureVerifier[],
  scheme: number,
): SignatureVerifier | undefined {
  return list.find((v) => v.scheme === scheme);
}

let ed25519Support: Promise<boolean> | undefined;

/**
 * Whether this runtime's Web Crypto can verify Ed25519. Checked once and cached.
 *
 * @example
 * ```ts
 * import { detectEd25519 } from "./verify.ts";
 * console.log(typeof (await detectEd25519())); // boolean
 * ```
 */
export function detectEd25519(): Promise<boolean> {
  ed25519Support ??= (async () => {
    try {
      const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, false, [
        "sign",
        "verify",
      ]) as CryptoKeyPair;
      const msg = new Uint8Array(1);
      const sig = await crypto.subtle.sign("Ed25519", pair.privateKey, msg);
      return await crypto.subtle.verify("Ed25519", pair.publicKey, sig, msg);
    } catch {
      return false;
    }
  })();
  return ed25519Support;
}
