/**
 * Revocation checking with CRLs (RFC 5280 6.3, as rustls-webpki does it) on a
 * path that otherwise validated. For each certificate checked, the CRLs its
 * issuer named as theirs (same issuer name, and an issuingDistributionPoint
 * whose scope covers the certificate) decide: each must be signed by the
 * issuer's key, the issuer's keyUsage (when present) must allow cRLSign, and
 * the CRL must be current; a listed serial number means revoked, whatever the
 * revocation date or reason. When no CRL covers a certificate its status is
 * unknown, which the policy denies by default.
 *
 * Not supported: delta CRLs, indirect CRLs, CRLs partitioned by reason or
 * named by a relative name (such a CRL is refused when it would decide a
 * status), OCSP, and fetching CRLs from distribution points.
 *
 * @module
 */

import type { SignatureVerifier } from "../crypto/types.ts";
import { bytesEqual } from "../_bytes.ts";
import { certError } from "./_errors.ts";
import { verifyX509Signature } from "./algorithms.ts";
import { type Budget, signatureCostOf } from "./budget.ts";
import { CertRevocationList, RevocationReason } from "./crl.ts";
import { KeyUsageBit } from "./extensions.ts";
import type { Certificate } from "./x509.ts";

/**
 * How the Web PKI verifiers check revocation (the `revocation` option).
 *
 * @example
 * ```ts
 * import { RootCertStore, WebPkiServerVerifier } from "@kerneltls/tls";
 * import type { RevocationOptions } from "@kerneltls/tls";
 * function withCrls(roots: RootCertStore, crlPem: string): WebPkiServerVerifier {
 *   const revocation: RevocationOptions = { crls: [crlPem], depth: "endEntity" };
 *   return new WebPkiServerVerifier({ roots, revocation });
 * }
 * void withCrls;
 * ```
 */
export interface RevocationOptions {
  /**
   * The CRLs: parsed ones, DER bytes, or PEM text (every `X509 CRL` block).
   * At least one. A CRL that does not parse makes the verifier's constructor
   * throw `SyntaxError`.
   */
  readonly crls: readonly (CertRevocationList | Uint8Array | string)[];
  /** `"chain"` (default): every certificate but the trust anchor. `"endEntity"`: the leaf only. */
  readonly depth?: "chain" | "endEntity";
  /** When no CRL covers a certificate: `"deny"` (default) refuses it, `"allow"` accepts it. */
  readonly unknownStatus?: "deny" | "allow";
  /** A CRL past its nextUpdate: `"enforce"` (default) refuses the path, `"ignore"` still uses it. */
  readonly expiredCrls?: "enforce" | "ignore";
}

/** The checked form of {@link RevocationOptions}. */
export interface RevocationPolicy {
  readonly crls: readonly CertRevocationList[];
  readonly depth: "chain" | "endEntity";
  readonly unknownStatus: "deny" | "allow";
  readonly expiredCrls: "enforce" | "ignore";
}

function oneOf<T extends string>(v: T | undefined, allowed: readonly T[], name: string): T {
  if (v === undefined) return allowed[0];
  if (!allowed.includes(v)) throw new TypeError(`${name} must be ${allowed.join(" or ")}`);
  return v;
}

/** Parses and checks the options; undefined when revocation is not checked. */
export function revocationPolicy(o: RevocationOptions | undefined): RevocationPolicy | undefined {
  if (!o) return undefined;
  const crls = o.crls.flatMap((c) =>
    c instanceof CertRevocationList
      ? [c]
      : typeof c === "string"
      ? CertRevocationList.fromPem(c)
      : [CertRevocationList.fromDer(c)]
  );
  if (crls.length === 0) throw new TypeError("revocation needs at least one CRL");
  return {
    crls,
    depth: oneOf(o.depth, ["chain", "endEntity"], "depth"),
    unknownStatus: oneOf(o.unknownStatus, ["deny", "allow"], "unknownStatus"),
    expiredCrls: oneOf(o.expiredCrls, ["enforce", "ignore"], "expiredCrls"),
  };
}

/** Does `crl` cover `cert`, by its issuingDistributionPoint (RFC 5280 5.2.5, 6.3.3 (b))? */
function covers(crl: CertRevocationList, cert: Certificate): boolean {
  const idp = crl.issuingDistributionPoint;
  if (!idp) return true;
  const isCa = cert.extensions.basicConstraints?.ca ?? false;
  if ((idp.onlyUserCerts && isCa) || (idp.onlyCaCerts && !isCa) || idp.onlyAttributeCerts) {
    return false;
  }
  if (idp.relativeName) return false;
  if (!idp.fullName) return true;
  // CA/B Forum 7.2.2.1: the partition's URI must equal, byte for byte, one in
  // the certificate's own distribution points (which name URIs only).
  const uris = idp.fullName.flatMap((n) => n.kind === "uri" ? [n.value] : []);
  for (const dp of cert.extensions.crlDistributionPoints?.points ?? []) {
    if (!dp.fullName || dp.crlIssuer || dp.someReasons) continue;
    if (dp.fullName.some((n) => n.kind !== "uri")) continue;
    if (dp.fullName.some((n) => n.kind === "uri" && uris.includes(n.value))) return true;
  }
  return false;
}

/** What a revocation check needs from path building. */
export interface RevocationContext {
  readonly now: number;
  readonly verifiers: readonly SignatureVerifier[];
  readonly budget: Budget;
}

// A CRL's signature checked against an issuer certificate, kept for the
// other candidate paths of the same verification (and for trust anchors, later ones).
const authenticated = new WeakMap<CertRevocationList, WeakMap<Certificate, boolean>>();

async function signedBy(
  crl: CertRevocationList,
  issuer: Certificate,
  ctx: RevocationContext,
): Promise<boolean> {
  let byIssuer = authenticated.get(crl);
  if (!byIssuer) authenticated.set(crl, byIssuer = new WeakMap());
  let ok = byIssuer.get(issuer);
  if (ok === undefined) {
    ctx.budget.consumeSignatureCheck(signatureCostOf(issuer));
    ok = await verifyX509Signature(
      ctx.verifiers,
      crl.signatureAlgorithm,
      issuer.spki,
      issuer.spkiAlgorithm,
      crl.tbs,
      crl.signature,
    );
    byIssuer.set(issuer, ok);
  }
  return ok;
}

const REASON_NAMES = new Map<number, string>(
  Object.entries(RevocationReason).map(([k, v]): [number, string] => [v, k]),
);

/** Checks the status of `cert`, issued by `issuer`; throws when refused. */
async function checkOne(
  cert: Certificate,
  issuer: Certificate,
  policy: RevocationPolicy,
  ctx: RevocationContext,
): Promise<void> {
  let known = false;
  for (const crl of policy.crls) {
    if (!bytesEqual(crl.issuer, cert.issuer) || !covers(crl, cert)) continue;
    if (crl.unusable) throw certError("UnsupportedCrl", `CRL cannot be used: ${crl.unusable}`);
    const ku = issuer.extensions.keyUsage;
    if (ku && !ku.bits.has(KeyUsageBit.cRLSign)) {
      throw certError("IssuerNotCrlSigner", "CRL issuer's keyUsage lacks cRLSign");
    }
    if (!(await signedBy(crl, issuer, ctx))) {
      throw certError("BadCrlSignature", "CRL signature does not verify with the issuer's key");
    }
    if (ctx.now < crl.thisUpdate) {
      throw certError("CrlNotValidYet", "CRL thisUpdate is in the future");
    }
    if (ctx.now > crl.nextUpdate && policy.expiredCrls === "enforce") {
      throw certError("CrlExpired", "CRL is past its nextUpdate");
    }
    const entry = crl.revoked(cert.serial);
    if (entry) {
      const why = entry.reason === undefined ? "" : ` (${REASON_NAMES.get(entry.reason)})`;
      throw certError("Revoked", `certificate is revoked${why}`);
    }
    known = true;
  }
  if (!known && policy.unknownStatus === "deny") {
    throw certError("UnknownRevocationStatus", "no CRL covers the certificate");
  }
}

/** Checks revocation along `path` (leaf first, anchor last) as `policy` says. */
export async function checkRevocation(
  path: readonly Certificate[],
  policy: RevocationPolicy,
  ctx: RevocationContext,
): Promise<void> {
  const last = policy.depth === "endEntity" ? 1 : path.length - 1;
  for (let i = 0; i < last; i++) await checkOne(path[i], path[i + 1], policy, ctx);
}
