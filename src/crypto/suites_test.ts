import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { confidentialityLimit, tls12Suite, tls13Suite } from "./suites.ts";
import { hmacSha256, sha256, sha384 } from "./webcrypto/hash.ts";
import { aes128Gcm, chacha20Poly1305WebCrypto } from "./webcrypto/aead.ts";

describe("cipher suite builders", () => {
  it("limits follow the AEAD", () => {
    assert.equal(confidentialityLimit(aes128Gcm), 16777216n);
    assert.equal(confidentialityLimit(chacha20Poly1305WebCrypto), 18446744073709551615n);
    const s = tls12Suite(0xcca9, "X", "ECDSA", sha256, hmacSha256, chacha20Poly1305WebCrypto);
    assert.equal(s.version, "TLSv1_2");
    assert.equal(s.confidentialityLimit, 2n ** 64n - 1n);
  });

  it("refuses an HMAC over a different hash", () => {
    assert.throws(() => tls13Suite(0x1302, "X", sha384, hmacSha256, aes128Gcm), TypeError);
    assert.throws(() => tls12Suite(0xc02c, "X", "RSA", sha384, hmacSha256, aes128Gcm), TypeError);
  });
});
