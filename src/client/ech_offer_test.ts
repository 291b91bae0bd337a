import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { echPaddingLength } from "./ech_offer.ts";

describe("ECH padding (RFC 9849 section 6.1.3)", () => {
  it("hides the inner name's length up to maximum_name_length, in multiples of 32", () => {
    const base = 200; // the inner hello without its name
    const lengths = new Set<number>();
    for (let d = 1; d <= 64; d++) {
      const unpadded = base + d;
      const total = unpadded + echPaddingLength(unpadded, "x".repeat(d), 64);
      assert.equal(total % 32, 0);
      lengths.add(total);
    }
    assert.deepEqual([...lengths], [base + 64 + 24]); // 288: one length for every name
  });

  it("without a name pads as if one of maximum_name_length were there (L + 9)", () => {
    const unpadded = 200;
    const withoutName = unpadded + echPaddingLength(unpadded, undefined, 64);
    const withName = unpadded + 9 + 64 + echPaddingLength(unpadded + 9 + 64, "x".repeat(64), 64);
    assert.equal(withoutName, withName);
  });
});
