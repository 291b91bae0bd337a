import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { hmacPureFor, hmacSha256Pure, hmacSha384Pure, sha384Pure } from "./pure/sha2.ts";
import { hmacSha256, hmacSha384 } from "./webcrypto/hash.ts";
import { hkdfExpand, keyedHmac } from "./hkdf.ts";
import type { Hmac, KeyedHmac } from "./types.ts";
import { EarlySecret } from "../tls13/key_schedule.ts";

const engines: [string, Hmac, string][] = [
  ["pure SHA-256", hmacSha256Pure, "sha256"],
  ["pure SHA-384", hmacSha384Pure, "sha384"],
  ["pure for another SHA-384 object", hmacPureFor(sha384Pure), "sha384"],
  ["Web Crypto SHA-256", hmacSha256, "sha256"],
  ["Web Crypto SHA-384", hmacSha384, "sha384"],
];

describe("Hmac.withKey", () => {
  for (const [name, hmac, node] of engines) {
    it(`${name}: equals HMAC(key, data) for every key length, message after message`, async () => {
      for (const keyLen of [0, 1, 32, 64, 65, 128, 129, 200]) {
        const key = Uint8Array.from({ length: keyLen }, (_, i) => (i * 7 + keyLen) & 0xff);
        const mac = hmac.withKey!(key);
        for (const dataLen of [0, 5, 64, 300]) {
          const data = Uint8Array.from({ length: dataLen }, (_, i) => i & 0xff);
          const expected = new Uint8Array(createHmac(node, key).update(data).digest());
          assert.deepEqual(await mac.sign(data), expected, `key ${keyLen}, data ${dataLen}`);
          assert.deepEqual(await hmac.sign(key, data), expected);
        }
      }
    });
  }

  it("a key changed after withKey does not change the MACs", async () => {
    const key = new Uint8Array(32).fill(1);
    const data = new Uint8Array([1, 2, 3]);
    for (const hmac of [hmacSha256Pure, hmacSha256]) {
      const mac = hmac.withKey!(key);
      const before = new Uint8Array(createHmac("sha256", key).update(data).digest());
      key.fill(2);
      assert.deepEqual(await mac.sign(data), before);
      key.fill(1);
    }
  });

  it("HKDF-Expand over a keyed HMAC gives the same output as over the bytes", async () => {
    const prk = new Uint8Array(32).fill(9);
    const info = new Uint8Array([1, 2]);
    const keyed = keyedHmac(hmacSha256Pure, prk);
    assert.deepEqual(
      await hkdfExpand(hmacSha256Pure, keyed, info, 100),
      await hkdfExpand(hmacSha256Pure, prk, info, 100),
    );
  });

  it("the key schedule prepares each stage's HMAC key once for all its derivations", async () => {
    let prepared = 0;
    let unkeyedSigns = 0;
    const counting: Hmac = {
      hash: hmacSha256Pure.hash,
      sign: (key, data) => {
        unkeyedSigns++;
        return hmacSha256Pure.sign(key, data);
      },
      withKey: (key): KeyedHmac => {
        prepared++;
        return hmacSha256Pure.withKey!(key);
      },
    };
    const early = await EarlySecret.create(counting); // one extract (unkeyed)
    const handshake = await early.toHandshake(new Uint8Array(32)); // one extract
    assert.equal(unkeyedSigns, 2);
    const before = prepared;
    const hash = new Uint8Array(32);
    await handshake.clientHandshakeTrafficSecret(hash);
    await handshake.serverHandshakeTrafficSecret(hash);
    await handshake.toMaster(); // "derived", then one extract
    assert.equal(prepared, before + 1); // the master stage's key
    assert.equal(unkeyedSigns, 3);
  });
});
