/**
 * TLS 1.2 negotiation rules shared by client and server: which groups and
 * signature schemes go with an ECDHE suite, and which ClientCertificateType
 * a CertificateVerify scheme belongs to. (The refusal of renegotiation is
 * the post-handshake policy's, `common/refuse_renegotiation.ts`.)
 *
 * @module
 */

import { ClientCertificateType, NamedGroup, SignatureScheme } from "../msgs/enums.ts";

/** Groups usable for TLS 1.2 ECDHE (RFC 8422, RFC 7748); post-quantum hybrids are TLS 1.3 only. */
export const TLS12_GROUPS: ReadonlySet<number> = new Set([
  NamedGroup.secp256r1,
  NamedGroup.secp384r1,
  NamedGroup.secp521r1,
  NamedGroup.x25519,
  NamedGroup.x448,
]);

const ECDSA_SCHEMES: ReadonlySet<number> = new Set([
  SignatureScheme.ecdsa_secp256r1_sha256,
  SignatureScheme.ecdsa_secp384r1_sha384,
  SignatureScheme.ecdsa_secp521r1_sha512,
]);

const RSA_SCHEMES: ReadonlySet<number> = new Set([
  SignatureScheme.rsa_pss_rsae_sha256,
  SignatureScheme.rsa_pss_rsae_sha384,
  SignatureScheme.rsa_pss_rsae_sha512,
  SignatureScheme.rsa_pkcs1_sha256,
  SignatureScheme.rsa_pkcs1_sha384,
  SignatureScheme.rsa_pkcs1_sha512,
]);

/**
 * True when `scheme` signs for a suite authenticated by `sign` keys.
 *
 * @example
 * ```ts
 * import { schemeFitsSuite } from "./negotiation.ts";
 * console.log(schemeFitsSuite(0x0403, "ECDSA"), schemeFitsSuite(0x0403, "RSA")); // true false
 * ```
 */
export function schemeFitsSuite(scheme: number, sign: "ECDSA" | "RSA"): boolean {
  return (sign === "ECDSA" ? ECDSA_SCHEMES : RSA_SCHEMES).has(scheme);
}

/**
 * The TLS 1.2 ClientCertificateType a key signing with `scheme` has:
 * rsa_sign for RSA (PKCS#1 and PSS), ecdsa_sign for ECDSA and EdDSA (RFC
 * 8422 5.5); undefined for anything else (DSA, anonymous, unknown).
 *
 * @example
 * ```ts
 * import { certificateTypeOf } from "./negotiation.ts";
 * console.log(certificateTypeOf(0x0804), certificateTypeOf(0x0807)); // 1 64
 * ```
 */
export function certificateTypeOf(scheme: number): number | undefined {
  const hash = scheme >> 8;
  const signature = scheme & 0xff;
  if (hash >= 0x01 && hash <= 0x06) {
    if (signature === 0x01) return ClientCertificateType.rsa_sign;
    if (signature === 0x03) return ClientCertificateType.ecdsa_sign;
    return undefined;
  }
  if (RSA_PSS_SCHEMES.has(scheme)) return ClientCertificateType.rsa_sign;
  if (scheme === SignatureScheme.ed25519 || scheme === SignatureScheme.ed448) {
    return ClientCertificateType.ecdsa_sign;
  }
  return undefined;
}

const RSA_PSS_SCHEMES: ReadonlySet<number> = new Set([
  SignatureScheme.rsa_pss_rsae_sha256,
  SignatureScheme.rsa_pss_rsae_sha384,
  SignatureScheme.rsa_pss_rsae_sha512,
  SignatureScheme.rsa_pss_pss_sha256,
  SignatureScheme.rsa_pss_pss_sha384,
  SignatureScheme.rsa_pss_pss_sha512,
]);

/**
 * The certificate_types a server asks for when it accepts `schemes` in the
 * client's CertificateVerify: each type some scheme signs with, in the
 * order of their first scheme.
 *
 * @example
 * ```ts
 * import { certificateTypesFor } from "./negotiation.ts";
 * console.log(certificateTypesFor([0x0403, 0x0804, 0x0503])); // [ 64, 1 ]
 * ```
 */
export function certificateTypesFor(schemes: readonly number[]): number[] {
  const types: number[] = [];
  for (const scheme of schemes) {
    const type = certificateTypeOf(scheme);
    if (type !== undefined && !types.includes(type)) types.push(type);
  }
  return types;
}
