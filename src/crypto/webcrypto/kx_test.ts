import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { detectX25519, secp256r1, secp384r1, x25519, x25519FromPrivateKey } from "./kx.ts";
import { fromHex } from "../../_bytes.ts";

const hasX25519 = await detectX25519();
const groups = hasX25519 ? [x25519, secp256r1, secp384r1] : [secp256r1, secp384r1];

describe("key exchange groups", () => {
  for (const group of groups) {
    it(`${group.name}: start/respond/complete agree`, async () => {
      const client = await group.start();
      assert.equal(client.group, group.group);
      const server = await group.respond(client.publicKey);
      const secret = await client.complete(server.publicKey);
      assert.deepEqual(secret, server.sharedSecret);
      assert.equal(secret.length, group.name === "secp384r1" ? 48 : 32);
      if (group !== x25519) assert.equal(client.publicKey[0], 0x04);
    });

    it(`${group.name}: malformed peer shares throw TypeError`, async () => {
      const client = await group.start();
      const good = (await group.start()).publicKey;
      const bad = [
        new Uint8Array(0),
        good.subarray(1),
        new Uint8Array([...good, 0]),
        new Uint8Array(good.length), // all zeros: not a point / low-order for X25519
      ];
      if (group !== x25519) {
        const compressed = new Uint8Array((good.length + 1) / 2);
        compressed[0] = 2 + (good[good.length - 1] & 1);
        compressed.set(good.subarray(1, compressed.length), 1);
        bad.push(compressed);
        const wrongPrefix = good.slice();
        wrongPrefix[0] = 0x06;
        bad.push(wrongPrefix);
        const offCurve = good.slice();
        offCurve[offCurve.length - 1] ^= 1;
        bad.push(offCurve);
      }
      for (const share of bad) {
        await assert.rejects(client.complete(share), TypeError);
        await assert.rejects(group.respond(share), TypeError);
      }
    });
  }

  (hasX25519 ? it : it.skip)("X25519 matches RFC 7748 section 6.1", async () => {
    const alice = await x25519FromPrivateKey(
      fromHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"),
    );
    assert.deepEqual(
      alice.publicKey,
      fromHex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"),
    );
    const shared = await alice.complete(
      fromHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"),
    );
    assert.deepEqual(
      shared,
      fromHex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"),
    );
  });
});
