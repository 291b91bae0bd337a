import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { fromHex, toHex } from "../_bytes.ts";
import { hmacSha256, hmacSha384 } from "../crypto/webcrypto/hash.ts";
import { aes256Gcm } from "../crypto/webcrypto/aead.ts";
import { hkdfExpandLabel } from "../crypto/hkdf.ts";
import {
  binderValue,
  EarlySecret,
  exportKeyingMaterial,
  finishedVerifyData,
  nextTrafficSecret,
  trafficKeys,
} from "./key_schedule.ts";

describe("exportKeyingMaterial", () => {
  // Known answers from OpenSSL 3.0 through Node's tls: an in-process TLS 1.3
  // connection (TLS_AES_128_GCM_SHA256), its EXPORTER_SECRET from the keylog, and
  // TLSSocket.exportKeyingMaterial with and without a context.
  const exporterSecret = fromHex(
    "74b5436ff51badcd74e7fdf627d6cbf1776c3b9785c0b027d50cd05ee0759b04",
  );
  const label = "EXPORTER-kerneltls-test";

  it("matches OpenSSL with a context", async () => {
    const context = new TextEncoder().encode("some context");
    const ekm = await exportKeyingMaterial(hmacSha256, exporterSecret, label, context, 42);
    assert.equal(
      toHex(ekm),
      "ced888f5b1d0f331fa583540be959b9db5b1aa8427bdb7f36e5ed8cd49dab8919e7cec7dc9c43a5e97d5",
    );
  });

  it("matches OpenSSL without a context (same as an empty one in TLS 1.3)", async () => {
    const ekm = await exportKeyingMaterial(hmacSha256, exporterSecret, label, undefined, 16);
    assert.equal(toHex(ekm), "510e0dfbd9acd72d28d88a89fc55b875");
    const empty = await exportKeyingMaterial(
      hmacSha256,
      exporterSecret,
      label,
      new Uint8Array(),
      16,
    );
    assert.equal(toHex(empty), toHex(ekm));
  });
});

describe("key schedule stages", () => {
  it("works over SHA-384 with AES-256-GCM lengths", async () => {
    const early = await EarlySecret.create(hmacSha384);
    const hs = await early.toHandshake(new Uint8Array(48).fill(1));
    const h = new Uint8Array(48);
    const secret = await hs.serverHandshakeTrafficSecret(h);
    assert.equal(secret.length, 48);
    const { key, iv } = await trafficKeys(hmacSha384, aes256Gcm, secret);
    assert.equal(key.length, 32);
    assert.equal(iv.length, 12);
    assert.equal((await finishedVerifyData(hmacSha384, secret, h)).length, 48);
    assert.equal((await nextTrafficSecret(hmacSha384, secret)).length, 48);
  });

  it("distinguishes resumption and external binder keys", async () => {
    const early = await EarlySecret.create(hmacSha256, new Uint8Array(32).fill(9));
    const res = await early.binderKey("res");
    const ext = await early.binderKey("ext");
    assert.notEqual(toHex(res), toHex(ext));
    const empty = await hmacSha256.hash.digest(new Uint8Array());
    assert.equal(
      toHex(ext),
      toHex(
        await hkdfExpandLabel(hmacSha256, early.dangerousExtractSecret(), "ext binder", empty, 32),
      ),
    );
    assert.equal((await binderValue(hmacSha256, ext, new Uint8Array(32))).length, 32);
  });

  it("treats a missing (EC)DHE secret as zeros", async () => {
    const early = await EarlySecret.create(hmacSha256, new Uint8Array(32).fill(3));
    const a = await early.toHandshake();
    const b = await early.toHandshake(new Uint8Array(32));
    assert.equal(toHex(a.dangerousExtractSecret()), toHex(b.dangerousExtractSecret()));
  });

  it("refuses transcript hashes of the wrong length", async () => {
    const early = await EarlySecret.create(hmacSha256);
    assert.throws(() => early.clientEarlyTrafficSecret(new Uint8Array(48)), RangeError);
    const master = await (await early.toHandshake(new Uint8Array(32))).toMaster();
    assert.throws(() => master.resumptionMasterSecret(new Uint8Array(31)), RangeError);
  });

  it("never shows secrets", async () => {
    const early = await EarlySecret.create(hmacSha256, new Uint8Array(32).fill(0x42));
    const hs = await early.toHandshake(new Uint8Array(32));
    const master = await hs.toMaster();
    for (const stage of [early, hs, master]) {
      const secretHex = toHex(stage.dangerousExtractSecret());
      for (const text of [String(stage), inspect(stage), JSON.stringify(stage)]) {
        assert.ok(!text.includes(secretHex), text);
        assert.match(text, /redacted/);
      }
    }
  });
});
