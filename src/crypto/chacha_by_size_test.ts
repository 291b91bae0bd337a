import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chachaBySize, WEBCRYPTO_THRESHOLD } from "./chacha_by_size.ts";
import { chacha20Poly1305Pure } from "./pure/chacha20_poly1305.ts";
import type { Aead, AeadKey } from "./types.ts";

/** Wraps the pure AEAD and counts calls, standing in for Web Crypto. */
function counting(): { aead: Aead; calls: { n: number } } {
  const calls = { n: 0 };
  return {
    calls,
    aead: {
      ...chacha20Poly1305Pure,
      async importKey(key: Uint8Array): Promise<AeadKey> {
        const inner = await chacha20Poly1305Pure.importKey(key);
        return {
          seal: (n, a, p) => (calls.n++, inner.seal(n, a, p)),
          open: (n, a, c) => (calls.n++, inner.open(n, a, c)),
        };
      },
    },
  };
}

describe("chachaBySize", () => {
  it("sends large inputs to the second engine and small ones to the pure code", async () => {
    const { aead, calls } = counting();
    const key = await chachaBySize(aead).importKey(new Uint8Array(32).fill(7));
    const nonce = new Uint8Array(12);
    const aad = new Uint8Array([1, 2, 3]);
    const small = await key.seal(nonce, aad, new Uint8Array(100));
    assert.equal(calls.n, 0);
    const large = await key.seal(nonce, aad, new Uint8Array(WEBCRYPTO_THRESHOLD));
    assert.equal(calls.n, 1);
    assert.deepEqual(await key.open(nonce, aad, small), new Uint8Array(100));
    assert.deepEqual(await key.open(nonce, aad, large), new Uint8Array(WEBCRYPTO_THRESHOLD));
    assert.equal(calls.n, 2);
    large[0] ^= 1;
    assert.equal(await key.open(nonce, aad, large), null);
  });
});
