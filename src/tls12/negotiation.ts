/**
 * TLS 1.2 negotiation rules shared by client and server: which groups and
 * signature schemes go with an ECDHE suite. (The refusal of renegotiation is
 * the post-handshake policy's, `common/refuse_renegotiation.ts`.)
 *
 * @module
 */

import { NamedGroup, SignatureScheme } from "../msgs/enums.ts";

/** Groups usable for TLS 1.2 ECDHE (RFC 8422, RFC 7748); post-quantum hybrids are TLS 1.3 only. */
export const TLS12_GROUPS: ReadonlySet<number> = new Set([
  NamedGroup.secp256r1,
  NamedGroup.secp384r1,
  NamedGroup.secp521r1,
  NamedGroup.X25519,
  NamedGroup.X448,
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
