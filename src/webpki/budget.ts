/**
 * The work one certificate verification may do, in one place. A peer controls
 * every byte of the chain it sends (up to a 256 KiB Certificate message), so
 * each loop whose length it picks is counted against a limit here and the
 * verification is refused when the limit is reached:
 *
 * - signature checks while building paths (certificates and CRLs): 100, as in
 *   rustls-webpki and Go's crypto/x509;
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

import { certError } from "./_errors.ts";

/** The limits of one verification. */
export interface BudgetLimits {
  /** Signature checks (certificates and CRLs). Default 100. */
  readonly signatureChecks: number;
  /** Name-constraint comparisons across the path. Default 250,000. */
  readonly nameConstraintComparisons: number;
}

/** The default limits (see the module documentation). */
export const DEFAULT_BUDGET: BudgetLimits = {
  signatureChecks: 100,
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

  /** Takes one signature check; throws `MaximumSignatureChecksExceeded` when none is left. */
  consumeSignatureCheck(): void {
    if (--this.#signatures < 0) {
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

/** True for the refusals that end path building (the budget is spent). */
export function isBudgetExhausted(detail: string | undefined): boolean {
  return detail === "MaximumSignatureChecksExceeded" ||
    detail === "MaximumNameConstraintComparisonsExceeded";
}
