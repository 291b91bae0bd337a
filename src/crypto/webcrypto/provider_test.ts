import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CipherSuiteId as C, NamedGroup } from "../../msgs/enums.ts";
import { chacha20Poly1305Pure } from "../pure/chacha20_poly1305.ts";
import { chacha20Poly1305WebCrypto, detectWebCryptoChacha } from "./aead.ts";
import { detectX25519 } from "./kx.ts";
import { hmacSha384, sha256 } from "./hash.ts";
import { hmacSha384Pure, sha256Pure } from "../pure/sha2.ts";
import {
  CHACHA_PREFERENCE,
  detectRuntime,
  preferWebCryptoChacha,
  webCryptoProvider,
} from "./provider.ts";

const hasChacha = await detectWebCryptoChacha();

describe("webCryptoProvider", () => {
  it("offers suites and groups in the documented order", async () => {
    const p = await webCryptoProvider();
    assert.deepEqual(p.cipherSuites.map((s) => s.id), [
      C.TLS_AES_128_GCM_SHA256,
      C.TLS_AES_256_GCM_SHA384,
      C.TLS_CHACHA20_POLY1305_SHA256,
      C.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
      C.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
      C.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
      C.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
      C.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
      C.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ]);
    const groups = p.kxGroups.map((g) => g.group);
    const pq = [NamedGroup.SecP256r1MLKEM768, NamedGroup.MLKEM768];
    const expected = [NamedGroup.secp256r1, NamedGroup.secp384r1, ...pq];
    assert.deepEqual(
      groups,
      (await detectX25519())
        ? [NamedGroup.X25519MLKEM768, NamedGroup.x25519, ...expected]
        : expected,
    );
    for (const s of p.cipherSuites) {
      assert.equal(s.hmac.hash, s.hash, s.name);
      assert.equal(s.hash.outputLen, s.name.endsWith("SHA384") ? 48 : 32, s.name);
      const chacha = s.name.includes("CHACHA20");
      assert.equal(s.aead.kind === "Chacha20Poly1305", chacha, s.name);
      assert.equal(s.confidentialityLimit, chacha ? 2n ** 64n - 1n : 2n ** 24n, s.name);
      if (s.version === "TLSv1_2") assert.equal(s.sign, s.name.includes("ECDSA") ? "ECDSA" : "RSA");
    }
    assert.ok(p.signatureVerifiers.length >= 11);
  });

  it("every suite's AEAD seals and opens", async () => {
    const p = await webCryptoProvider();
    for (const s of p.cipherSuites) {
      const key = await s.aead.importKey(new Uint8Array(s.aead.keyLen).fill(1));
      const nonce = new Uint8Array(12);
      const sealed = await key.seal(nonce, Uint8Array.of(9), Uint8Array.of(1, 2, 3));
      assert.equal(sealed.length, 3 + 16);
      assert.deepEqual(await key.open(nonce, Uint8Array.of(9), sealed), Uint8Array.of(1, 2, 3));
      assert.equal(await key.open(nonce, Uint8Array.of(8), sealed), null, s.name);
    }
  });

  it("chooses ChaCha20-Poly1305 as asked", async () => {
    const chachaOf = async (chacha: "auto" | "webcrypto" | "pure") =>
      (await webCryptoProvider({ chacha })).cipherSuites.find((s) =>
        s.id === C.TLS_CHACHA20_POLY1305_SHA256
      )!.aead;
    assert.equal(await chachaOf("pure"), chacha20Poly1305Pure);
    const auto = await chachaOf("auto");
    const preference = CHACHA_PREFERENCE[detectRuntime()];
    if (!hasChacha || preference === "pure") assert.equal(auto, chacha20Poly1305Pure);
    else if (preference === "webcrypto") assert.equal(auto, chacha20Poly1305WebCrypto);
    else {
      // by size: a distinct AEAD that still interoperates with both engines.
      assert.notEqual(auto, chacha20Poly1305Pure);
      assert.notEqual(auto, chacha20Poly1305WebCrypto);
    }
    if (hasChacha) assert.equal(await chachaOf("webcrypto"), chacha20Poly1305WebCrypto);
    else await assert.rejects(chachaOf("webcrypto"));
    assert.equal(preferWebCryptoChacha("unknown"), CHACHA_PREFERENCE.unknown !== "pure");
  });

  it("random bytes: default source in chunks, or injected", async () => {
    const p = await webCryptoProvider();
    const big = p.randomBytes(65536 * 2 + 5);
    assert.equal(big.length, 65536 * 2 + 5);
    // Each chunk was filled: the chance of 64 zero bytes at a chunk's end is nil.
    for (const end of [65536, 131072, big.length]) {
      assert.ok(big.subarray(end - 64, end).some((b) => b !== 0), `chunk ending ${end}`);
    }
    assert.equal(p.randomBytes(0).length, 0);
    assert.throws(() => p.randomBytes(-1), RangeError);
    const fixed = await webCryptoProvider({ randomBytes: (n) => new Uint8Array(n).fill(7) });
    assert.deepEqual(fixed.randomBytes(3), Uint8Array.of(7, 7, 7));
  });

  it("can be trimmed by spreading", async () => {
    const p = await webCryptoProvider();
    const only13 = { ...p, cipherSuites: p.cipherSuites.filter((s) => s.version === "TLSv1_3") };
    assert.equal(only13.cipherSuites.length, 3);
    assert.equal(only13.loadSigningKey, p.loadSigningKey);
  });
});

describe("webCryptoProvider hash option", () => {
  const msg = new TextEncoder().encode("hash option");
  const key = new Uint8Array(32).fill(7);
  for (const mode of ["auto", "webcrypto", "pure"] as const) {
    it(`${mode}: suites share the provider's hashes and all engines agree`, async () => {
      const p = await webCryptoProvider({ hash: mode });
      for (const s of p.cipherSuites) {
        const which = s.hash.outputLen === 32 ? "sha256" : "sha384";
        assert.equal(s.hash, p.hashes[which], s.name);
        assert.equal(s.hmac, p.hmacs[which], s.name);
        assert.equal(s.hmac.hash, s.hash, s.name);
      }
      const reference = await webCryptoProvider({ hash: "webcrypto" });
      for (const which of ["sha256", "sha384"] as const) {
        // Small and large inputs take different engines under "auto".
        for (const data of [msg, new Uint8Array(5000).fill(1)]) {
          assert.deepEqual(
            await p.hashes[which].digest(data),
            await reference.hashes[which].digest(data),
          );
          assert.deepEqual(
            await p.hmacs[which].sign(key, data),
            await reference.hmacs[which].sign(key, data),
          );
        }
      }
    });
  }

  it("webcrypto and pure modes use those engines' objects", async () => {
    const web = await webCryptoProvider({ hash: "webcrypto" });
    const pure = await webCryptoProvider({ hash: "pure" });
    assert.equal(web.hashes.sha256, sha256);
    assert.equal(web.hmacs.sha384, hmacSha384);
    assert.equal(pure.hashes.sha256, sha256Pure);
    assert.equal(pure.hmacs.sha384, hmacSha384Pure);
  });
});
