import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { concat, toHex } from "../_bytes.ts";
import { sha256, sha384 } from "../crypto/webcrypto/hash.ts";
import { Transcript } from "./transcript.ts";
import { sha256Pure, sha384Pure } from "../crypto/pure/sha2.ts";
import type { Hash } from "../crypto/types.ts";

/** `inner`, counting the bytes its running states absorb and its one-shot digests. */
function counted(inner: Hash) {
  const seen = { absorbed: 0, digests: 0 };
  const wrap = (state: ReturnType<NonNullable<Hash["start"]>>): typeof state => ({
    update: (data) => {
      seen.absorbed += data.length;
      state.update(data);
    },
    clone: () => wrap(state.clone()),
    digest: () => state.digest(),
  });
  const hash: Hash = {
    ...inner,
    digest: (data) => {
      seen.digests++;
      return inner.digest(data);
    },
    start: () => wrap(inner.start!()),
  };
  return { hash, seen };
}

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

  it("with an incremental hash, absorbs each byte once over many snapshots, same digests", async () => {
    const { hash, seen } = counted(sha256Pure);
    const t = new Transcript();
    const messages = [ch1, hrr, new Uint8Array(300).fill(3), new Uint8Array(70).fill(4)];
    for (const [i, m] of messages.entries()) {
      t.add(m);
      const expected = await sha256.digest(concat(...messages.slice(0, i + 1)));
      assert.equal(toHex(await t.hash(hash)), toHex(expected));
      assert.equal(toHex(await t.hash(hash)), toHex(expected), "a second snapshot");
    }
    const extra = new Uint8Array([9, 9, 9]);
    assert.equal(
      toHex(await t.hashWith(hash, extra)),
      toHex(await sha256.digest(concat(...messages, extra))),
    );
    assert.equal(toHex(await t.hash(hash)), toHex(await sha256.digest(concat(...messages))));
    assert.equal(seen.digests, 0);
    assert.equal(seen.absorbed, t.byteLength + extra.length);
  });

  it("restarts the running hash for another hash and after a HelloRetryRequest rewrite", async () => {
    const t = new Transcript();
    t.add(ch1);
    assert.equal(toHex(await t.hash(sha256Pure)), toHex(await sha256.digest(ch1)));
    assert.equal(toHex(await t.hash(sha384Pure)), toHex(await sha384.digest(ch1)));
    await t.rewriteForHelloRetryRequest(sha256Pure);
    t.add(hrr);
    const synthetic = concat(new Uint8Array([254, 0, 0, 32]), await sha256.digest(ch1));
    assert.equal(
      toHex(await t.hash(sha256Pure)),
      toHex(await sha256.digest(concat(synthetic, hrr))),
    );
    assert.equal(
      toHex(await t.hash(sha384Pure)),
      toHex(await sha384.digest(concat(synthetic, hrr))),
    );
  });
});
