import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Hash } from "./types.ts";
import { HASH_WEBCRYPTO_THRESHOLD, hashBySize } from "./hash_by_size.ts";
import { sha256Pure, sha384Pure } from "./pure/sha2.ts";
import { sha256, sha384 } from "./webcrypto/hash.ts";

function counting(inner: Hash): { hash: Hash; calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    hash: { ...inner, digest: (d) => (calls.push(d.length), inner.digest(d)) },
  };
}

describe("hashBySize", () => {
  for (const [pure, web] of [[sha256Pure, sha256], [sha384Pure, sha384]] as const) {
    it(`${pure.name}: below the threshold pure, from it on Web Crypto`, async () => {
      const p = counting(pure);
      const w = counting(web);
      const h = hashBySize(p.hash, w.hash);
      const t = HASH_WEBCRYPTO_THRESHOLD[pure.name];
      for (const n of [0, 1, t - 1, t, t + 1, 3 * t]) {
        assert.deepEqual(await h.digest(new Uint8Array(n)), await web.digest(new Uint8Array(n)));
      }
      assert.deepEqual(p.calls, [0, 1, t - 1]);
      assert.deepEqual(w.calls, [t, t + 1, 3 * t]);
      assert.equal(h.outputLen, pure.outputLen);
      assert.equal(h.blockLen, pure.blockLen);
    });
  }

  it("refuses two different hashes", () => {
    assert.throws(() => hashBySize(sha256Pure, sha384), TypeError);
  });
});
