import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  baseMulAcc,
  byteDecode,
  byteEncode,
  canonical,
  compress,
  decompress,
  invNtt,
  ntt,
  Q,
  reduce,
} from "./_ml_kem_poly.ts";

function randomPoly(bound: number): Int16Array {
  const r = new Int16Array(256);
  const raw = crypto.getRandomValues(new Uint32Array(256));
  for (let i = 0; i < 256; i++) r[i] = (raw[i] % (2 * bound + 1)) - bound;
  return r;
}

/** Schoolbook product in Z_q[X]/(X^256 + 1), canonical coefficients. */
function schoolbook(a: Int16Array, b: Int16Array): number[] {
  const out = new Array<number>(256).fill(0);
  for (let i = 0; i < 256; i++) {
    for (let j = 0; j < 256; j++) {
      const p = a[i] * b[j];
      if (i + j < 256) out[i + j] += p;
      else out[i + j - 256] -= p;
    }
  }
  return out.map((v) => ((v % Q) + Q) % Q);
}

describe("ML-KEM polynomial arithmetic", () => {
  it("NTT, base multiplication and inverse NTT compute the ring product", () => {
    for (let trial = 0; trial < 4; trial++) {
      const a = randomPoly(Q - 1);
      const b = randomPoly(trial < 2 ? 2 : Q >> 1);
      const expected = schoolbook(a, b);
      const an = Int16Array.from(a);
      const bn = Int16Array.from(b);
      ntt(an);
      ntt(bn);
      const c = new Int16Array(256);
      baseMulAcc(c, an, bn);
      reduce(c);
      invNtt(c);
      canonical(c);
      assert.deepEqual(Array.from(c), expected);
    }
  });

  it("canonical maps every 16-bit value into [0, q) congruently", () => {
    const r = new Int16Array(256);
    for (let v = -32768; v < 32768; v += 256) {
      for (let i = 0; i < 256; i++) r[i] = v + i;
      canonical(r);
      for (let i = 0; i < 256; i++) {
        assert.ok(r[i] >= 0 && r[i] < Q);
        assert.equal((((v + i - r[i]) % Q) + Q) % Q, 0);
      }
    }
  });

  it("ByteEncode/ByteDecode round-trip for d = 1, 4, 10, 12", () => {
    for (const d of [1, 4, 10, 12]) {
      const r = new Int16Array(256);
      const raw = crypto.getRandomValues(new Uint16Array(256));
      for (let i = 0; i < 256; i++) r[i] = raw[i] & ((1 << d) - 1);
      const bytes = new Uint8Array(32 * d + 3);
      byteEncode(r, d, bytes, 3);
      const back = new Int16Array(256);
      byteDecode(bytes, 3, d, back);
      assert.deepEqual(back, r, `d = ${d}`);
    }
  });

  it("Compress/Decompress match the FIPS 203 rounding definitions", () => {
    for (const d of [1, 4, 10]) {
      const r = new Int16Array(256);
      for (let start = 0; start < Q; start += 256) {
        for (let i = 0; i < 256; i++) r[i] = Math.min(start + i, Q - 1);
        const x = Int16Array.from(r);
        compress(r, d);
        for (let i = 0; i < 256; i++) {
          const exact = Math.round((x[i] * 2 ** d) / Q) % 2 ** d;
          assert.equal(r[i], exact, `compress_${d}(${x[i]})`);
        }
        decompress(r, d);
        for (let i = 0; i < 256; i++) {
          const y = Math.round((x[i] * 2 ** d) / Q) % 2 ** d;
          assert.equal(r[i], Math.round((y * Q) / 2 ** d), `decompress_${d}(${y})`);
        }
      }
    }
  });
});
