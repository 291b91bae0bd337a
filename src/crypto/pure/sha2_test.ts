import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHash, createHmac } from "node:crypto";
import {
  hmacSha256Pure,
  hmacSha256Sync,
  hmacSha384Pure,
  hmacSha384Sync,
  hmacSha512Sync,
  sha256Pure,
  sha256Sync,
  sha384Pure,
  sha384Sync,
  sha512Sync,
} from "./sha2.ts";
import { Sha256 } from "./_sha256.ts";
import { Sha512 } from "./_sha512.ts";

// Deterministic, non-repeating bytes (a simple LCG) so every length differs.
function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const node = (alg: string, data: Uint8Array): Uint8Array =>
  new Uint8Array(createHash(alg).update(data).digest());
const nodeMac = (alg: string, key: Uint8Array, data: Uint8Array): Uint8Array =>
  new Uint8Array(createHmac(alg, Buffer.from(key)).update(data).digest());

const HASHES = [
  ["sha256", sha256Sync],
  ["sha384", sha384Sync],
  ["sha512", sha512Sync],
] as const;
const MACS = [
  ["sha256", hmacSha256Sync],
  ["sha384", hmacSha384Sync],
  ["sha512", hmacSha512Sync],
] as const;

// Every length 0..300 covers both block sizes' padding edges (55/56/63/64,
// 111/112/127/128) and two-block-plus messages.
const LENGTHS = Array.from({ length: 301 }, (_, i) => i);

describe("pure SHA-2 digests", () => {
  for (const [alg, fn] of HASHES) {
    it(`${alg} matches node:crypto for lengths 0..300`, () => {
      let checked = 0;
      for (const n of LENGTHS) {
        const data = bytes(n, n + 7);
        assert.deepEqual(fn(data), node(alg, data), `${alg} length ${n}`);
        checked++;
      }
      assert.equal(checked, 301);
    });

    it(`${alg} matches node:crypto on 1 MB`, () => {
      const data = bytes(1 << 20, 99);
      assert.deepEqual(fn(data), node(alg, data));
    });
  }

  it("known answers for 'abc' (FIPS 180-4 examples)", () => {
    const abc = new TextEncoder().encode("abc");
    assert.equal(
      Buffer.from(sha256Sync(abc)).toString("hex"),
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    assert.equal(
      Buffer.from(sha384Sync(abc)).toString("hex"),
      "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed" +
        "8086072ba1e7cc2358baeca134c825a7",
    );
  });

  it("incremental updates in odd pieces give the one-shot digest", () => {
    const data = bytes(1000, 5);
    for (const step of [1, 3, 55, 64, 65, 127, 128, 129]) {
      const a = new Sha256();
      const b = new Sha512(48);
      for (let i = 0; i < data.length; i += step) {
        a.update(data.subarray(i, i + step));
        b.update(data.subarray(i, i + step));
      }
      assert.deepEqual(a.digest(), node("sha256", data), `sha256 step ${step}`);
      assert.deepEqual(b.digest(), node("sha384", data), `sha384 step ${step}`);
    }
  });

  it("the Hash objects resolve to the same digests", async () => {
    const data = bytes(200, 3);
    assert.deepEqual(await sha256Pure.digest(data), node("sha256", data));
    assert.deepEqual(await sha384Pure.digest(data), node("sha384", data));
    assert.equal(sha256Pure.outputLen, 32);
    assert.equal(sha384Pure.blockLen, 128);
  });
});

describe("pure HMAC-SHA-2", () => {
  // Key lengths around both block sizes, including empty and longer-than-block.
  const KEY_LENGTHS = [0, 1, 16, 32, 48, 63, 64, 65, 100, 127, 128, 129, 200, 300];
  for (const [alg, fn] of MACS) {
    it(`${alg} matches node:crypto over key and message lengths`, () => {
      let checked = 0;
      for (const k of KEY_LENGTHS) {
        const key = bytes(k, 1000 + k);
        for (const n of LENGTHS) {
          const data = bytes(n, n);
          assert.deepEqual(fn(key, data), nodeMac(alg, key, data), `${alg} key ${k} msg ${n}`);
          checked++;
        }
      }
      assert.equal(checked, KEY_LENGTHS.length * 301);
    });
  }

  it("the Hmac objects resolve to the same MACs, 1 MB message", async () => {
    const key = bytes(32, 8);
    const data = bytes(1 << 20, 9);
    assert.deepEqual(await hmacSha256Pure.sign(key, data), nodeMac("sha256", key, data));
    assert.deepEqual(await hmacSha384Pure.sign(key, data), nodeMac("sha384", key, data));
    assert.equal(hmacSha256Pure.hash, sha256Pure);
    assert.equal(hmacSha384Pure.hash, sha384Pure);
  });

  it("does not modify the key or message", () => {
    const key = bytes(40, 1);
    const data = bytes(70, 2);
    hmacSha384Sync(key, data);
    assert.deepEqual(key, bytes(40, 1));
    assert.deepEqual(data, bytes(70, 2));
  });
});
