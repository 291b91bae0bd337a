import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { concat } from "../_bytes.ts";
import { fragment } from "./fragmenter.ts";

describe("fragment", () => {
  it("splits at 2^14 by default and keeps every byte in order", () => {
    const payload = new Uint8Array(2 * 16384 + 5).map((_, i) => i * 7);
    const parts = fragment(payload);
    assert.deepEqual(parts.map((p) => p.length), [16384, 16384, 5]);
    assert.deepEqual(concat(...parts), payload);
  });

  it("honours a smaller limit and an exact multiple", () => {
    assert.deepEqual(fragment(new Uint8Array(10), 5).map((p) => p.length), [5, 5]);
    assert.deepEqual(fragment(new Uint8Array(3), 1).map((p) => p.length), [1, 1, 1]);
    assert.deepEqual(fragment(new Uint8Array(16384)).map((p) => p.length), [16384]);
  });

  it("gives no fragments for an empty payload", () => {
    assert.deepEqual(fragment(new Uint8Array(0)), []);
  });

  it("refuses limits outside [1, 2^14]", () => {
    for (const bad of [0, 16385, 1.5, NaN]) {
      assert.throws(() => fragment(new Uint8Array(1), bad), RangeError);
    }
  });
});
