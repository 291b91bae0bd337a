import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createCipheriv } from "node:crypto";
import { aes128Gcm, aes256Gcm } from "../crypto/webcrypto/aead.ts";
import { chacha20Poly1305Pure } from "../crypto/pure/chacha20_poly1305.ts";
import type { Aead } from "../crypto/types.ts";
import { TlsError } from "../error.ts";
import { fromHex, toHex } from "../_bytes.ts";
import { Tls12Reader, Tls12Writer } from "./record_io.ts";

const iv = fromHex("0102030405060708090a0b0c");

// Builds the expected record with node:crypto, from RFC 5288 / RFC 7905 directly.
function reference(aead: Aead, key: Uint8Array, seq: bigint, type: number, pt: Uint8Array): string {
  const nonce = iv.slice();
  const v = new DataView(nonce.buffer, 4, 8);
  v.setBigUint64(0, v.getBigUint64(0) ^ seq);
  const aad = new Uint8Array(13);
  new DataView(aad.buffer).setBigUint64(0, seq);
  aad.set([type, 3, 3, pt.length >> 8, pt.length & 0xff], 8);
  const alg = aead.kind === "Chacha20Poly1305" ? "chacha20-poly1305" : `aes-${key.length * 8}-gcm`;
  // deno-lint-ignore no-explicit-any
  const c = createCipheriv(alg as any, key, nonce, { authTagLength: 16 } as any);
  // deno-lint-ignore no-explicit-any
  (c as any).setAAD(aad, { plaintextLength: pt.length });
  const ct = Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]);
  const explicit = aead.kind === "Chacha20Poly1305" ? new Uint8Array(0) : nonce.subarray(4);
  const len = explicit.length + ct.length;
  return toHex(new Uint8Array([type, 3, 3, len >> 8, len & 0xff, ...explicit, ...ct]));
}

// Bun's node:crypto has no chacha20-poly1305; the round trip still runs there.
function referenceOrSkip(
  aead: Aead,
  key: Uint8Array,
  seq: bigint,
  type: number,
  pt: Uint8Array,
): string | undefined {
  try {
    return reference(aead, key, seq, type, pt);
  } catch (e) {
    if (aead.kind === "Chacha20Poly1305") return undefined;
    throw e;
  }
}

describe("TLS 1.2 record protection", () => {
  for (const aead of [aes128Gcm, aes256Gcm, chacha20Poly1305Pure]) {
    it(`${aead.kind}: matches a node:crypto reference and round-trips`, async () => {
      const key = new Uint8Array(aead.keyLen).fill(7);
      const w = await Tls12Writer.create(aead, key, iv, 5n);
      const r = await Tls12Reader.create(aead, key, iv, 5n);
      for (const [type, text] of [[23, "hello"], [22, ""], [21, "xx"]] as const) {
        const pt = new TextEncoder().encode(text);
        const seq = w.seq;
        const rec = await w.write(type, pt);
        assert.equal(rec.length, w.recordSize(pt.length));
        const expected = referenceOrSkip(aead, key, seq, type, pt);
        if (expected !== undefined) assert.equal(toHex(rec), expected);
        const opened = await r.open(rec.subarray(0, 5), rec.subarray(5));
        assert.equal(opened.contentType, type);
        assert.equal(toHex(opened.plaintext), toHex(pt));
      }
      assert.equal(w.seq, 8n);
      assert.equal(r.seq, 8n);
    });

    it(`${aead.kind}: tampering, reordering and bad types are refused`, async () => {
      const key = new Uint8Array(aead.keyLen).fill(9);
      const w = await Tls12Writer.create(aead, key, iv);
      const a = await w.write(23, new Uint8Array([1, 2, 3]));
      const b = await w.write(23, new Uint8Array([4]));
      const r = await Tls12Reader.create(aead, key, iv);
      const flipped = a.slice();
      flipped[flipped.length - 1] ^= 1;
      await assert.rejects(
        r.open(flipped.subarray(0, 5), flipped.subarray(5)),
        (e) => e instanceof TlsError && e.alert === 20,
      );
      await assert.rejects(
        r.open(b.subarray(0, 5), b.subarray(5)),
        (e) => e instanceof TlsError && e.alert === 20,
      );
      const retyped = a.slice();
      retyped[0] = 22;
      await assert.rejects(
        r.open(retyped.subarray(0, 5), retyped.subarray(5)),
        (e) => e instanceof TlsError && e.alert === 20,
      );
      await assert.rejects(
        r.open(new Uint8Array([20, 3, 3, 0, 1]), new Uint8Array([1])),
        (e) => e instanceof TlsError && e.alert === 10,
      );
      await assert.rejects(
        r.open(new Uint8Array([23, 3, 3, 0, 3]), new Uint8Array(3)),
        (e) => e instanceof TlsError && e.alert === 20,
      );
      const ok = await r.open(a.subarray(0, 5), a.subarray(5));
      assert.deepEqual([...ok.plaintext], [1, 2, 3]);
    });
  }
});
