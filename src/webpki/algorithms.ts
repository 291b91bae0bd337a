/**
 * Maps X.509 signature AlgorithmIdentifiers and key types to TLS
 * SignatureScheme code points, so one list of `SignatureVerifier`s serves
 * both certificates and handshake signatures.
 *
 * @module
 */

import { TlsError } from "../error.ts";
import { AlertDescription, SignatureScheme } from "../msgs/enums.ts";
import { ecdsaDerToP1363, parsePssParams, readSingle } from "../crypto/_der.ts";
import type { SignatureVerifier } from "../crypto/types.ts";
import { DerReader } from "./der.ts";
import type { AlgorithmIdentifier } from "./x509.ts";

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
  throw new TlsError("InvalidCertificate", message, {
    detail: "UnsupportedSignatureAlgorithm",
    alert: AlertDescription.UnsupportedCertificate,
  });
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
  const find = (scheme: number): SignatureVerifier =>
    verifiers.find((v) => v.scheme === scheme) ??
      unsupported(`no verifier for scheme 0x${scheme.toString(16)}`);
  if (sigAlg.oid in PKCS1) {
    if (!NULL_PARAMS(sigAlg.params) || key !== "rsa") unsupported("bad PKCS#1 signature params");
    return await find(PKCS1[sigAlg.oid]).verify(issuerSpki, message, signature);
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
    if (key === "rsa") return await find(0x0804 + i).verify(issuerSpki, message, signature);
    if (key === "rsa-pss") return await find(0x0809 + i).verify(issuerSpki, message, signature);
    return unsupported("RSASSA-PSS signature by a non-RSA key");
  }
  if (sigAlg.oid in ECDSA_HASH) {
    if (sigAlg.params !== undefined) unsupported("ECDSA signature with parameters");
    const hash = ECDSA_HASH[sigAlg.oid];
    if (key === "p256" && hash === "SHA-256") {
      return await find(SignatureScheme.ecdsa_secp256r1_sha256).verify(
        issuerSpki,
        message,
        signature,
      );
    }
    if (key === "p384" && hash === "SHA-384") {
      return await find(SignatureScheme.ecdsa_secp384r1_sha384).verify(
        issuerSpki,
        message,
        signature,
      );
    }
    // X.509 lets any ECDSA hash go with any curve (a P-384 CA signing with
    // SHA-256 is common); TLS schemes pin both, so check these directly.
    if (key === "p256" || key === "p384") {
      return await ecdsaAnyHash(key, hash, issuerSpki, message, signature);
    }
    return unsupported("ECDSA signature by an unsupported key");
  }
  if (sigAlg.oid === "1.3.101.112") {
    if (sigAlg.params !== undefined || key !== "ed25519") unsupported("bad Ed25519 signature");
    return await find(SignatureScheme.ed25519).verify(issuerSpki, message, signature);
  }
  return unsupported(`unsupported signature algorithm ${sigAlg.oid}`);
}

type Buf = Uint8Array<ArrayBuffer>;

/** ECDSA with the curve from the key and any SHA-2 hash; false when bad. */
export async function ecdsaAnyHash(
  key: "p256" | "p384",
  hash: "SHA-256" | "SHA-384" | "SHA-512",
  spki: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  const raw = ecdsaDerToP1363(signature, key === "p256" ? 32 : 48);
  if (raw === null) return false;
  try {
    const k = await crypto.subtle.importKey(
      "spki",
      spki as Buf,
      { name: "ECDSA", namedCurve: key === "p256" ? "P-256" : "P-384" },
      false,
      ["verify"],
    );
    return await crypto.subtle.verify({ name: "ECDSA", hash }, k, raw as Buf, message as Buf);
  } catch {
    return false;
  }
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
