/**
 * The work one certificate verification may do, in one place. A peer controls
 * every byte of the chain it sends (up to a 256 KiB Certificate message), so
 * each loop whose length it picks is counted against a limit here and the
 * verification is refused when the limit is reached:
 *
 * - signature checks while building paths (certificates and CRLs): 48,
 *   counted in units of the cheap checks (P-256, Ed25519, RSA up to 2048
 *   bits). rustls-webpki and Go's crypto/x509 allow 100, but a P-256 check
 *   costs about 0.7 ms in Deno's Web Crypto, so 100 decoy issuers would cost
 *   70 ms; 48 keeps the worst chain near 35 ms, and real chains (cross-signed
 *   ones included) need fewer than a dozen. A check with a dearer key counts
 *   for more, by its measured cost in Web Crypto ({@link signatureCost}): a
 *   peer that sends decoy issuers with P-384 or large RSA keys gets fewer
 *   checks, so that no chain costs more than about 48 cheap checks;
 * - name-constraint comparisons over the whole path, one per (name,
 *   constraint) pair of the same name type: 250,000, the figure rustls-webpki
 *   and Go use. A chain that needs more (the x509-limbo `nc-dos` cases, or
 *   1024 constraints over 1024 SANs) is refused with detail
 *   `MaximumNameConstraintComparisonsExceeded`; real chains use a few dozen.
 *
 * Both refusals end path building at once: no other candidate path is tried.
 *
 * @module
 */

import type { CertificateErrorDetail, TlsErrorDetail } from "../error_details.ts";
import type { TlsError } from "../error.ts";
import { certError } from "./_errors.ts";
import { type KeyType, keyTypeOf, rsaBitsOf } from "./algorithms.ts";
import type { Certificate } from "./x509.ts";

/**
 * What one signature check by a key of type `key` (and, for RSA, `rsaBits`)
 * takes from the budget. Measured with Deno's Web Crypto on this project's
 * machines (bench/README.md): a P-384 check costs about 3 P-256 checks, RSA
 * cost grows with the square of the modulus.
 */
export function signatureCost(key: KeyType, rsaBits: number | undefined): number {
  if (key === "p384") return 3;
  if ((key === "rsa" || key === "rsa-pss") && rsaBits !== undefined) {
    return rsaBits <= 2048 ? 1 : rsaBits <= 3072 ? 3 : rsaBits <= 4096 ? 5 : 20;
  }
  return 1;
}

/** The budget units a signature check with `issuer`'s key takes. */
export function signatureCostOf(issuer: Certificate): number {
  const key = keyTypeOf(issuer.spkiAlgorithm);
  return key === undefined ? 1 : signatureCost(key, rsaBitsOf(issuer.spki, key));
}

/** The limits of one verification. */
export interface BudgetLimits {
  /** Signature checks (certificates and CRLs), in cost units. Default 48. */
  readonly signatureChecks: number;
  /** Name-constraint comparisons across the path. Default 250,000. */
  readonly nameConstraintComparisons: number;
}

/** The default limits (see the module documentation). */
export const DEFAULT_BUDGET: BudgetLimits = {
  signatureChecks: 48,
  nameConstraintComparisons: 250_000,
};

/** What is left of the limits during one verification. */
export class Budget {
  #signatures: number;
  #comparisons: number;

  /** Starts from `limits` (defaults for any left out). */
  constructor(limits: Partial<BudgetLimits> = {}) {
    this.#signatures = limits.signatureChecks ?? DEFAULT_BUDGET.signatureChecks;
    this.#comparisons = limits.nameConstraintComparisons ??
      DEFAULT_BUDGET.nameConstraintComparisons;
  }

  /**
   * Takes one signature check of `cost` units (see {@link signatureCost});
   * throws `MaximumSignatureChecksExceeded` when they are not left.
   */
  consumeSignatureCheck(cost = 1): void {
    this.#signatures -= cost;
    if (this.#signatures < 0) {
      throw certError("MaximumSignatureChecksExceeded", "path building gave up");
    }
  }

  /** Takes `n` comparisons; throws `MaximumNameConstraintComparisonsExceeded` when short. */
  consumeComparisons(n: number): void {
    this.#comparisons -= n;
    if (this.#comparisons < 0) {
      throw certError(
        "MaximumNameConstraintComparisonsExceeded",
        "name constraints need too many comparisons",
      );
    }
  }
}

/** The refusals that end path building: the budget is spent. */
const EXHAUSTED: ReadonlySet<TlsErrorDetail | undefined> = new Set<CertificateErrorDetail>([
  "MaximumSignatureChecksExceeded",
  "MaximumNameConstraintComparisonsExceeded",
]);

/** True for a refusal that ends path building (the budget is spent). */
export function isBudgetExhausted(e: TlsError): boolean {
  return EXHAUSTED.has(e.detail);
}
