/**
 * Path building (RFC 4158 style, depth first): from the end entity through
 * the intermediates the peer sent to a trust anchor, trying every candidate
 * issuer until one whole path validates. Work is bounded by the
 * verification's {@link Budget} (signature checks, name-constraint
 * comparisons) and by a maximum path length, and a certificate never appears
 * twice in one path, so cycles end. When every candidate fails, the most
 * specific refusal is reported (see `errorRank`), not the last one.
 *
 * @module
 */

import { bytesEqual } from "../_bytes.ts";
import type { SignatureVerifier } from "../crypto/types.ts";
import { TlsError } from "../error.ts";
import { certError, errorRank } from "./_errors.ts";
import { RSA_KEY_BITS, verifyX509Signature } from "./algorithms.ts";
import { Budget, type BudgetLimits, isBudgetExhausted, signatureCostOf } from "./budget.ts";
import { checkCertificate, isSelfIssued } from "./checks.ts";
import { checkNameConstraints, constrainedNamesOf, constraintsOf } from "./name_constraints.ts";
import { checkRevocation, type RevocationPolicy } from "./revocation.ts";
import type { SignatureCache } from "./signature_cache.ts";
import type { Certificate } from "./x509.ts";

/** What path building needs besides the certificates. */
export interface PathOptions {
  /** Validation time, ms since the epoch. */
  readonly now: number;
  /** EKU OID the path must allow. */
  readonly eku: string;
  /** Verifiers for certificate signatures. */
  readonly verifiers: readonly SignatureVerifier[];
  /** Most intermediates (self-issued ones not counted). Default 6. */
  readonly maxIntermediates?: number;
  /** Smallest RSA modulus, in bits (see `RSA_KEY_BITS`). Default 2048. */
  readonly minRsaBits?: number;
  /** CRL checking, when configured. */
  readonly revocation?: RevocationPolicy;
  /** Work limits; see `budget.ts` for the defaults. */
  readonly budget?: Partial<BudgetLimits>;
  /** Certificate signatures already verified, consulted and filled here. */
  readonly signatureCache?: SignatureCache;
}

// Longest path at all, self-issued certificates included.
const MAX_PATH = 10;

function sameCert(a: Certificate, b: Certificate): boolean {
  // Same key and name is the same logical certificate, even if re-signed.
  return bytesEqual(a.der, b.der) ||
    (bytesEqual(a.subject, b.subject) && bytesEqual(a.spki, b.spki));
}

/** Applies every CA's name constraints to the certificates below it. */
function checkPathNameConstraints(path: readonly Certificate[], budget: Budget): void {
  for (let k = 1; k < path.length; k++) {
    const nc = constraintsOf(path[k]);
    if (!nc) continue;
    for (let j = 0; j < k; j++) {
      // RFC 5280 6.1.3 (b): self-issued intermediates are exempt; the leaf never is.
      if (j > 0 && isSelfIssued(path[j])) continue;
      const r = checkNameConstraints(constrainedNamesOf(path[j]), nc, budget);
      if (r) {
        throw certError(
          "NameConstraintViolation",
          r === "invalid" ? "malformed name under name constraints" : "name outside constraints",
        );
      }
    }
  }
}

/** Throws BadSignature unless `issuer`'s key signed `cert` (remembered in the cache). */
async function checkSignature(
  cert: Certificate,
  issuer: Certificate,
  opts: PathOptions,
): Promise<void> {
  const cache = opts.signatureCache;
  if (cache?.has(issuer.spki, cert.der, cert.signature)) return;
  const ok = await verifyX509Signature(
    opts.verifiers,
    cert.signatureAlgorithm,
    issuer.spki,
    issuer.spkiAlgorithm,
    cert.tbs,
    cert.signature,
  );
  if (!ok) throw certError("BadSignature", "bad certificate signature");
  cache?.add(issuer.spki, cert.der, cert.signature);
}

/**
 * Builds and validates a path from `leaf` to one of `anchors`. Returns the
 * path, leaf first and anchor last. Throws `TlsError` (kind
 * InvalidCertificate) with the most telling reason when no path validates.
 */
export async function buildPath(
  leaf: Certificate,
  intermediates: readonly Certificate[],
  anchors: readonly Certificate[],
  opts: PathOptions,
): Promise<Certificate[]> {
  const maxIntermediates = opts.maxIntermediates ?? 6;
  const budget = new Budget(opts.budget);
  const minRsa = opts.minRsaBits ?? RSA_KEY_BITS.defaultMinimum;
  let best: unknown = certError("UnknownIssuer", "no path to a trust anchor");

  const extend = async (
    path: Certificate[],
    counted: number,
  ): Promise<Certificate[] | undefined> => {
    const cur = path[path.length - 1];
    const candidates: [Certificate, boolean][] = [
      ...anchors.filter((a) => bytesEqual(a.subject, cur.issuer)).map((
        a,
      ): [Certificate, boolean] => [a, true]),
      ...intermediates.filter((c) => bytesEqual(c.subject, cur.issuer)).map((
        c,
      ): [Certificate, boolean] => [c, false]),
    ];
    for (const [cand, isAnchor] of candidates) {
      if (path.some((p) => sameCert(p, cand))) continue;
      try {
        if (!isAnchor && path.length + 1 >= MAX_PATH) {
          throw certError("MaximumPathDepthExceeded", "path too long");
        }
        checkCertificate(cand, isAnchor ? "anchor" : "intermediate", opts.now, opts.eku, minRsa);
        const pathLen = cand.extensions.basicConstraints?.pathLen;
        if (pathLen !== undefined && counted > pathLen) {
          throw certError("PathLenExceeded", "path length constraint exceeded");
        }
        const next = !isAnchor && !isSelfIssued(cand) ? counted + 1 : counted;
        if (next > maxIntermediates) {
          throw certError("MaximumPathDepthExceeded", "too many intermediates");
        }
        // Charged even when the cache answers, so the outcome never depends on it.
        budget.consumeSignatureCheck(signatureCostOf(cand));
        await checkSignature(cur, cand, opts);
        const extended = [...path, cand];
        if (isAnchor) {
          checkPathNameConstraints(extended, budget);
          if (opts.revocation) {
            await checkRevocation(extended, opts.revocation, {
              now: opts.now,
              verifiers: opts.verifiers,
              budget,
            });
          }
          return extended;
        }
        const done = await extend(extended, next);
        if (done) return done;
      } catch (e) {
        if (!(e instanceof TlsError) || isBudgetExhausted(e)) throw e;
        // The first refusal of the highest rank wins (anchors are tried first).
        if (errorRank(e) > errorRank(best)) best = e;
      }
    }
    return undefined;
  };

  checkCertificate(leaf, "leaf", opts.now, opts.eku, minRsa);
  const path = await extend([leaf], 0);
  if (path) return path;
  throw best;
}
