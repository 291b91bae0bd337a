// Shared bookkeeping for the Wycheproof suites: counts each outcome, collects
// mismatches, and prints the one-line summary per file.
import assert from "node:assert/strict";
import { readVectorJson } from "./_vectors.ts";

/** One Wycheproof test case; the remaining fields depend on the schema. */
export interface WycheproofCase {
  tcId: number;
  comment: string;
  flags: string[];
  result: "valid" | "invalid" | "acceptable";
  [field: string]: unknown;
}

/** A Wycheproof file whose groups have parameters of type G. */
export interface WycheproofFile<G> {
  numberOfTests: number;
  testGroups: (G & { tests: WycheproofCase[] })[];
}

/** Reads `wycheproof/<name>_test.json`. */
export function readWycheproof<G>(name: string): WycheproofFile<G> {
  return readVectorJson<WycheproofFile<G>>(`wycheproof/${name}_test.json`);
}

/** What we decided to do with an `acceptable` case, and why. */
export interface AcceptablePolicy {
  accept: boolean;
  reason: string;
}

/** Counts outcomes for one file. */
export class Tally {
  valid = 0;
  invalid = 0;
  readonly acceptable = new Map<string, number>();
  readonly skipped = new Map<string, number>();
  readonly mismatches: string[] = [];
  #hasInvalid = false;

  constructor(readonly file: string) {}

  /** Counts a case we do not run, with the reason. */
  skip(tc: WycheproofCase, reason: string): void {
    if (tc.result === "invalid") this.#hasInvalid = true;
    this.skipped.set(reason, (this.skipped.get(reason) ?? 0) + 1);
  }

  /**
   * Records whether we `accepted` the case (valid: with the exact expected
   * output). `policy` is required for `acceptable` cases: our outcome must
   * match the documented decision.
   */
  record(tc: WycheproofCase, accepted: boolean, policy?: AcceptablePolicy): void {
    const id = `tcId ${tc.tcId} (${tc.result}; ${tc.flags.join(",")}; ${tc.comment})`;
    if (tc.result === "valid") {
      if (accepted) this.valid++;
      else this.mismatches.push(`${id}: valid case rejected or wrong output`);
    } else if (tc.result === "invalid") {
      this.#hasInvalid = true;
      if (!accepted) this.invalid++;
      else this.mismatches.push(`${id}: invalid case accepted`);
    } else {
      if (policy === undefined) {
        this.mismatches.push(`${id}: acceptable case without a policy`);
        return;
      }
      if (accepted !== policy.accept) {
        this.mismatches.push(`${id}: policy says ${policy.accept ? "accept" : "reject"}`);
        return;
      }
      const key = `${policy.accept ? "accepted" : "rejected"}: ${policy.reason}`;
      this.acceptable.set(key, (this.acceptable.get(key) ?? 0) + 1);
    }
  }

  /** `<file>: N valid ok, N invalid rejected, N acceptable (...), N skipped (...)`. */
  summary(): string {
    const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
    const detail = (m: Map<string, number>): string =>
      m.size === 0 ? "" : ` (${[...m].map(([k, n]) => `${n} ${k}`).join("; ")})`;
    return `${this.file}: ${this.valid} valid ok, ${this.invalid} invalid rejected, ` +
      `${sum(this.acceptable)} acceptable${detail(this.acceptable)}, ` +
      `${sum(this.skipped)} skipped${detail(this.skipped)}`;
  }

  /** Prints the summary and fails on any mismatch or an empty run. */
  finish(expectedTotal?: number): void {
    console.log(this.summary());
    assert.deepEqual(this.mismatches, [], `${this.file}: mismatches`);
    assert.ok(this.valid > 0, `${this.file}: no valid case ran`);
    if (this.#hasInvalid) assert.ok(this.invalid > 0, `${this.file}: no invalid case ran`);
    if (expectedTotal !== undefined) {
      const total = this.valid + this.invalid +
        [...this.acceptable.values(), ...this.skipped.values()].reduce((a, b) => a + b, 0);
      assert.equal(total, expectedTotal, `${this.file}: not every case was counted`);
    }
  }
}

/** Hex to bytes (Wycheproof hex is lower-case, no spaces). */
export function hex(s: unknown): Uint8Array {
  const str = String(s);
  const out = new Uint8Array(str.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(str.slice(2 * i, 2 * i + 2), 16);
  return out;
}
