// Wycheproof HMAC-SHA256/384 (provider Hmac) and HKDF-SHA256/384 (src/crypto/hkdf.ts
// on top of that Hmac).
//
// Policy: these files have no `acceptable` cases. Truncated HMAC tags are
// checked against the same-length prefix of our full tag (constant-time).
// Zero-length keys run like any other: Web Crypto refuses them, so hash.ts
// imports a single zero byte, which HMAC's zero padding makes equivalent.
// These Wycheproof files hold no zero-length HMAC key (their empty-salt HKDF
// cases use HashLen zero bytes instead), so a separate case below checks the
// empty key against node:crypto.
// HKDF `invalid` cases ask for more than 255 * HashLen bytes and must throw.
// Every file runs twice: against the Web Crypto Hmac and the pure TypeScript one
// (src/crypto/pure/sha2.ts), each with its own printed tally.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHmac } from "node:crypto";
import { bytesEqual, constantTimeEqual } from "../src/_bytes.ts";
import { hkdfExpand, hkdfExtract } from "../src/crypto/hkdf.ts";
import { hmacSha256, hmacSha384 } from "../src/crypto/webcrypto/hash.ts";
import { hmacSha256Pure, hmacSha384Pure } from "../src/crypto/pure/sha2.ts";
import type { Hmac } from "../src/crypto/types.ts";
import { hex, readWycheproof, Tally } from "./_wycheproof.ts";

interface MacGroup {
  keySize: number;
  tagSize: number;
}

async function runHmac(name: string, hmac: Hmac, impl: string): Promise<void> {
  const file = readWycheproof<MacGroup>(name);
  const tally = new Tally(`${name}_test.json (${impl})`);
  for (const group of file.testGroups) {
    for (const tc of group.tests) {
      const key = hex(tc.key);
      const tag = hex(tc.tag);
      const full = await hmac.sign(key, hex(tc.msg));
      const ok = tag.length === group.tagSize / 8 && tag.length > 0 &&
        constantTimeEqual(full.subarray(0, tag.length), tag);
      tally.record(tc, ok);
    }
  }
  tally.finish(file.numberOfTests);
}

async function runHkdf(name: string, hmac: Hmac, impl: string): Promise<void> {
  const file = readWycheproof<object>(name);
  const tally = new Tally(`${name}_test.json (${impl})`);
  for (const group of file.testGroups) {
    for (const tc of group.tests) {
      let ok: boolean;
      try {
        const prk = await hkdfExtract(hmac, hex(tc.salt), hex(tc.ikm));
        const okm = await hkdfExpand(hmac, prk, hex(tc.info), Number(tc.size));
        ok = bytesEqual(okm, hex(tc.okm));
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        ok = false;
      }
      tally.record(tc, ok);
    }
  }
  tally.finish(file.numberOfTests);
}

const IMPLEMENTATIONS = [
  ["webcrypto", hmacSha256, hmacSha384],
  ["pure", hmacSha256Pure, hmacSha384Pure],
] as const;

for (const [impl, h256, h384] of IMPLEMENTATIONS) {
  describe(`Wycheproof MAC and KDF (${impl})`, () => {
    it("hmac_sha256", () => runHmac("hmac_sha256", h256, impl));
    it("hmac_sha384", () => runHmac("hmac_sha384", h384, impl));
    it("hkdf_sha256", () => runHkdf("hkdf_sha256", h256, impl));
    it("hkdf_sha384", () => runHkdf("hkdf_sha384", h384, impl));
  });
}

describe("HMAC with a zero-length key", () => {
  const cases = [
    [hmacSha256, "sha256", "webcrypto"],
    [hmacSha384, "sha384", "webcrypto"],
    [hmacSha256Pure, "sha256", "pure"],
    [hmacSha384Pure, "sha384", "pure"],
  ] as const;
  for (const [hmac, name, impl] of cases) {
    it(`${name} (${impl})`, async () => {
      const msg = new TextEncoder().encode("zero-length key");
      const ours = await hmac.sign(new Uint8Array(0), msg);
      const reference = new Uint8Array(createHmac(name, Buffer.alloc(0)).update(msg).digest());
      assert.deepEqual(ours, reference);
    });
  }
});
