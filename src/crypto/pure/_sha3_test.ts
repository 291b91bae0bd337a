import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Keccak, sha3_256, sha3_512, shake128, shake256 } from "./_sha3.ts";
import { toHex } from "../../_bytes.ts";

function nodeHash(alg: string, data: Uint8Array, outputLength?: number): string {
  const h = outputLength === undefined
    ? createHash(alg)
    : createHash(alg, { outputLength } as Parameters<typeof createHash>[1]);
  return h.update(data).digest("hex");
}

// Lengths around the 72/136/168-byte rates, where padding bugs hide.
const LENGTHS = [0, 1, 3, 71, 72, 73, 135, 136, 137, 167, 168, 169, 300, 1000];

function sample(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 131 + 7) & 0xff);
}

describe("SHA-3 / SHAKE (FIPS 202)", () => {
  it("SHA3-256 of the empty string (FIPS 202 example)", () => {
    assert.equal(
      toHex(sha3_256(new Uint8Array(0))),
      "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a",
    );
  });

  it("SHA3-256 and SHA3-512 match node:crypto", () => {
    for (const n of LENGTHS) {
      const d = sample(n);
      assert.equal(toHex(sha3_256(d)), nodeHash("sha3-256", d), `sha3-256 len ${n}`);
      assert.equal(toHex(sha3_512(d)), nodeHash("sha3-512", d), `sha3-512 len ${n}`);
    }
  });

  it("SHAKE128 and SHAKE256 match node:crypto for short and multi-block outputs", () => {
    for (const n of LENGTHS) {
      const d = sample(n);
      for (const out of [32, 168, 500]) {
        assert.equal(toHex(shake128(out, d)), nodeHash("shake128", d, out), `shake128 ${n}/${out}`);
        assert.equal(toHex(shake256(out, d)), nodeHash("shake256", d, out), `shake256 ${n}/${out}`);
      }
    }
  });

  it("split absorbs and squeezes equal one-shot output", () => {
    const d = sample(400);
    const k = new Keccak(168, 0x1f);
    k.update(d.subarray(0, 5)).update(d.subarray(5, 200)).update(d.subarray(200));
    const a = k.squeeze(new Uint8Array(100));
    const b = k.squeeze(new Uint8Array(300));
    const whole = shake128(400, d);
    assert.equal(toHex(a) + toHex(b), toHex(whole));
    assert.throws(() => k.update(d), TypeError);
  });
});
