import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { concat, toHex } from "../_bytes.ts";
import { sha256, sha384 } from "../crypto/webcrypto/hash.ts";
import { Transcript } from "./transcript.ts";

const ch1 = new Uint8Array([1, 0, 0, 3, 7, 8, 9]);
const hrr = new Uint8Array([2, 0, 0, 1, 5]);

describe("Transcript", () => {
  it("hashes the concatenation of what was added, with any hash", async () => {
    const t = new Transcript();
    t.add(ch1);
    t.add(hrr);
    assert.equal(t.byteLength, ch1.length + hrr.length);
    assert.equal(toHex(await t.hash(sha256)), toHex(await sha256.digest(concat(ch1, hrr))));
    assert.equal(toHex(await t.hash(sha384)), toHex(await sha384.digest(concat(ch1, hrr))));
  });

  it("hashWith appends only for that hash", async () => {
    const t = new Transcript();
    t.add(ch1);
    const extra = new Uint8Array([4, 4]);
    assert.equal(
      toHex(await t.hashWith(sha256, extra)),
      toHex(await sha256.digest(concat(ch1, extra))),
    );
    assert.equal(t.byteLength, ch1.length);
  });

  it("copies added bytes and returned bytes", () => {
    const t = new Transcript();
    const m = ch1.slice();
    t.add(m);
    m[0] = 99;
    const out = t.bytes();
    out[1] = 99;
    assert.deepEqual(t.bytes(), ch1);
  });

  it("rewrites ClientHello1 as message_hash and keeps later messages", async () => {
    const t = new Transcript();
    t.add(ch1);
    const pending = t.rewriteForHelloRetryRequest(sha384);
    t.add(hrr); // added while the digest is computed
    await pending;
    const expected = concat(new Uint8Array([254, 0, 0, 48]), await sha384.digest(ch1), hrr);
    assert.equal(toHex(t.bytes()), toHex(expected));
    assert.equal(t.byteLength, expected.length);
  });

  it("refuses a rewrite with nothing logged", async () => {
    await assert.rejects(new Transcript().rewriteForHelloRetryRequest(sha256), RangeError);
  });
});
