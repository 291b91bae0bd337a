import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { KEY_SHARE_POOL_SIZE, KeySharePool, type PooledKeyPair } from "./key_share_pool.ts";
import { secp256r1, x25519 } from "./kx.ts";

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

/** A pool over a counter: pair n has public key [n]. */
function numbered(capacity?: number, failAt = -1) {
  let made = 0;
  const pool = new KeySharePool((): Promise<PooledKeyPair> => {
    const n = made++;
    if (n === failAt) return Promise.reject(new Error("generation failed"));
    return Promise.resolve({ privateKey: {} as CryptoKey, publicKey: Uint8Array.of(n) });
  }, capacity);
  return { pool, made: () => made };
}

describe("KeySharePool", () => {
  it("hands out every pair once, oldest first, and never holds more than its capacity", async () => {
    const { pool, made } = numbered();
    const seen: number[] = [];
    for (let i = 0; i < 20; i++) {
      seen.push((await pool.take()).publicKey[0]);
      if (i % 3 === 0) await tick(); // let the background refill run now and then
      assert.ok(pool.size <= KEY_SHARE_POOL_SIZE);
    }
    await tick();
    assert.equal(new Set(seen).size, 20, "a pair was handed out twice");
    assert.deepEqual(seen, [...seen].sort((a, b) => a - b), "not in the order made");
    assert.equal(pool.size, KEY_SHARE_POOL_SIZE);
    assert.equal(made(), 20 + KEY_SHARE_POOL_SIZE, "made pairs nobody took beyond the bound");
  });

  it("refills only after a take: an unused pool makes nothing", async () => {
    const { pool, made } = numbered();
    await tick();
    assert.equal(made(), 0);
    assert.equal(pool.size, 0);
    await pool.take();
    await tick();
    assert.equal(pool.size, KEY_SHARE_POOL_SIZE);
  });

  it("with capacity 0 makes each pair on demand and keeps none", async () => {
    const { pool, made } = numbered(0);
    await pool.take();
    await pool.take();
    await tick();
    assert.equal(made(), 2);
    assert.equal(pool.size, 0);
  });

  it("survives a failed background generation", async () => {
    const { pool } = numbered(2, 1); // the first refill's generation fails
    assert.equal((await pool.take()).publicKey[0], 0);
    await tick();
    assert.equal(pool.size, 0);
    assert.equal((await pool.take()).publicKey[0], 2); // made on demand
    await tick();
    assert.equal(pool.size, 2);
    assert.throws(() => new KeySharePool(() => Promise.reject(new Error()), -1), RangeError);
  });

  for (const group of [x25519, secp256r1]) {
    it(`${group.name}: every exchange gets its own key share, pooled or not`, async () => {
      const shares = new Set<string>();
      for (let i = 0; i < 8; i++) {
        const client = await group.start();
        const server = await group.respond(client.publicKey);
        const secret = await client.complete(server.publicKey);
        assert.deepEqual(secret, server.sharedSecret);
        shares.add(client.publicKey.join());
        shares.add(server.publicKey.join());
        if (i % 2 === 0) await tick();
      }
      assert.equal(shares.size, 16);
    });
  }
});
