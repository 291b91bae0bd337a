import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { toHex } from "../../_bytes.ts";
import { ChaCha20Poly1305, chacha20Poly1305Pure } from "./chacha20_poly1305.ts";

// A deliberately plain reference (arrays, loops, BigInt) to cross-check the
// unrolled, word-oriented implementation on many lengths and alignments.
function refBlock(key: Uint8Array, counter: number, nonce: Uint8Array): Uint8Array {
  const dv = (b: Uint8Array, i: number) => new DataView(b.buffer, b.byteOffset).getUint32(i, true);
  const init = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574];
  for (let i = 0; i < 8; i++) init.push(dv(key, 4 * i));
  init.push(counter >>> 0, dv(nonce, 0), dv(nonce, 4), dv(nonce, 8));
  const x = init.slice();
  const rot = (v: number, n: number) => ((v << n) | (v >>> (32 - n))) >>> 0;
  const qr = (a: number, b: number, c: number, d: number) => {
    x[a] = (x[a] + x[b]) >>> 0, x[d] = rot(x[d] ^ x[a], 16);
    x[c] = (x[c] + x[d]) >>> 0, x[b] = rot(x[b] ^ x[c], 12);
    x[a] = (x[a] + x[b]) >>> 0, x[d] = rot(x[d] ^ x[a], 8);
    x[c] = (x[c] + x[d]) >>> 0, x[b] = rot(x[b] ^ x[c], 7);
  };
  for (let i = 0; i < 10; i++) {
    qr(0, 4, 8, 12), qr(1, 5, 9, 13), qr(2, 6, 10, 14), qr(3, 7, 11, 15);
    qr(0, 5, 10, 15), qr(1, 6, 11, 12), qr(2, 7, 8, 13), qr(3, 4, 9, 14);
  }
  const out = new Uint8Array(64);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 16; i++) view.setUint32(4 * i, (x[i] + init[i]) >>> 0, true);
  return out;
}

function leBig(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return v;
}

function refPoly(key: Uint8Array, msg: Uint8Array): Uint8Array {
  const p = (1n << 130n) - 5n;
  const r = leBig(key.subarray(0, 16)) & 0x0ffffffc0ffffffc0ffffffc0fffffffn;
  const s = leBig(key.subarray(16, 32));
  let acc = 0n;
  for (let i = 0; i < msg.length; i += 16) {
    const block = msg.subarray(i, i + 16);
    acc = ((acc + leBig(block) + (1n << BigInt(8 * block.length))) * r) % p;
  }
  let t = (acc + s) & ((1n << 128n) - 1n);
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++, t >>= 8n) out[i] = Number(t & 0xffn);
  return out;
}

function refSeal(key: Uint8Array, nonce: Uint8Array, pt: Uint8Array, aad: Uint8Array): Uint8Array {
  const ct = new Uint8Array(pt.length);
  for (let i = 0; i < pt.length; i += 64) {
    const ks = refBlock(key, 1 + i / 64, nonce);
    for (let j = i; j < Math.min(i + 64, pt.length); j++) ct[j] = pt[j] ^ ks[j - i];
  }
  const pad = (n: number) => (16 - (n % 16)) % 16;
  const mac = new Uint8Array(aad.length + pad(aad.length) + ct.length + pad(ct.length) + 16);
  mac.set(aad);
  mac.set(ct, aad.length + pad(aad.length));
  const lens = new DataView(mac.buffer, mac.length - 16);
  lens.setBigUint64(0, BigInt(aad.length), true);
  lens.setBigUint64(8, BigInt(ct.length), true);
  const tag = refPoly(refBlock(key, 0, nonce).subarray(0, 32), mac);
  return new Uint8Array([...ct, ...tag]);
}

/** Deterministic pseudo-random bytes (xorshift), so failures reproduce. */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13, x ^= x >>> 17, x ^= x << 5;
    out[i] = x;
  }
  return out;
}

/** A copy of b living at byteOffset `shift` inside a larger buffer. */
function shifted(b: Uint8Array, shift: number): Uint8Array {
  const big = new Uint8Array(b.length + shift);
  big.set(b, shift);
  return big.subarray(shift);
}

describe("ChaCha20Poly1305", () => {
  it("matches a plain reference for every length 0..300 and several alignments", () => {
    let checked = 0;
    for (let len = 0; len <= 300; len++) {
      const key = bytes(32, len + 1), nonce = bytes(12, len + 2);
      const pt = shifted(bytes(len, len + 3), len % 4);
      const aad = shifted(bytes(len % 37, len + 4), (len >> 2) % 4);
      const expected = refSeal(key, nonce, pt, aad);
      const aead = new ChaCha20Poly1305(key);
      const sealed = aead.seal(shifted(nonce, len % 3), pt, aad);
      assert.equal(toHex(sealed), toHex(expected), `length ${len}`);
      const opened = aead.open(nonce, shifted(sealed, (len + 1) % 4), aad);
      assert.equal(toHex(opened!), toHex(pt), `length ${len}`);
      checked++;
    }
    assert.equal(checked, 301);
  });

  it("matches the reference for multi-block messages and long AAD", () => {
    for (const [len, aadLen] of [[4096, 0], [4099, 17], [16384, 1024], [1000, 333]]) {
      const key = bytes(32, len), nonce = bytes(12, aadLen + 5);
      const pt = bytes(len, 7), aad = bytes(aadLen, 9);
      const sealed = new ChaCha20Poly1305(key).seal(nonce, pt, aad);
      assert.equal(toHex(sealed), toHex(refSeal(key, nonce, pt, aad)), `length ${len}`);
    }
  });

  it("rejects any flipped bit, truncation or wrong AAD with null", () => {
    const key = bytes(32, 11), nonce = bytes(12, 12), aad = bytes(5, 13);
    const aead = new ChaCha20Poly1305(key);
    const sealed = aead.seal(nonce, bytes(40, 14), aad);
    const before = toHex(sealed);
    for (let i = 0; i < sealed.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const bad = sealed.slice();
        bad[i] ^= bit;
        assert.equal(aead.open(nonce, bad, aad), null, `byte ${i}`);
      }
    }
    assert.equal(aead.open(nonce, sealed.subarray(0, sealed.length - 1), aad), null);
    assert.equal(aead.open(nonce, sealed.subarray(0, 15), aad), null);
    assert.equal(aead.open(nonce, new Uint8Array(0), aad), null);
    assert.equal(aead.open(nonce, sealed, bytes(5, 99)), null);
    assert.equal(aead.open(bytes(12, 98), sealed, aad), null);
    assert.equal(new ChaCha20Poly1305(bytes(32, 97)).open(nonce, sealed, aad), null);
    assert.equal(toHex(sealed), before, "open never modifies its input");
    assert.notEqual(aead.open(nonce, sealed, aad), null);
  });

  it("throws RangeError for wrong key and nonce sizes", () => {
    assert.throws(() => new ChaCha20Poly1305(new Uint8Array(31)), RangeError);
    assert.throws(() => new ChaCha20Poly1305(new Uint8Array(33)), RangeError);
    const aead = new ChaCha20Poly1305(new Uint8Array(32));
    for (const n of [0, 8, 11, 13, 16]) {
      assert.throws(() => aead.seal(new Uint8Array(n), new Uint8Array(1)), RangeError);
      assert.throws(() => aead.open(new Uint8Array(n), new Uint8Array(32)), RangeError);
    }
  });
});

describe("chacha20Poly1305Pure", () => {
  it("describes itself and seals like the class", async () => {
    assert.equal(chacha20Poly1305Pure.kind, "Chacha20Poly1305");
    assert.equal(chacha20Poly1305Pure.keyLen, 32);
    assert.equal(chacha20Poly1305Pure.nonceLen, 12);
    assert.equal(chacha20Poly1305Pure.tagLen, 16);
    const keyBytes = bytes(32, 21), nonce = bytes(12, 22), aad = bytes(13, 23), pt = bytes(70, 24);
    const key = await chacha20Poly1305Pure.importKey(keyBytes);
    const sealed = await key.seal(nonce, aad, pt);
    assert.equal(toHex(sealed), toHex(refSeal(keyBytes, nonce, pt, aad)));
    assert.equal(toHex((await key.open(nonce, aad, sealed))!), toHex(pt));
    sealed[3] ^= 4;
    assert.equal(await key.open(nonce, aad, sealed), null);
  });

  it("rejects wrong key and nonce sizes with RangeError", async () => {
    await assert.rejects(chacha20Poly1305Pure.importKey(new Uint8Array(16)), RangeError);
    const key = await chacha20Poly1305Pure.importKey(new Uint8Array(32));
    await assert.rejects(
      key.seal(new Uint8Array(8), new Uint8Array(0), new Uint8Array(1)),
      RangeError,
    );
    await assert.rejects(
      key.open(new Uint8Array(8), new Uint8Array(0), new Uint8Array(17)),
      RangeError,
    );
  });
});
