import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { TlsError } from "../error.ts";
import type { SignatureVerifier } from "../crypto/types.ts";
import { signatureVerifiers } from "../crypto/webcrypto/verify.ts";
import { TestPki } from "../../tests/_pki.ts";
import { RootCertStore } from "./root_store.ts";
import { SignatureCache } from "./signature_cache.ts";
import { WebPkiServerVerifier } from "./verifier.ts";
import { parseCertificate } from "./x509.ts";

const pki = new TestPki();
after(() => pki.cleanup());
const root = pki.root("Cache Root");
const inter = pki.intermediate(root, "Cache Intermediate");
const leaf = pki.leaf(inter, "DNS:example.com");
const roots = new RootCertStore();
roots.add(root.der);
const now = new Date();
const DAY = 86_400_000;

/** The provider's verifiers, counting the signature checks they are asked for. */
function counting(): { verifiers: SignatureVerifier[]; calls: () => number } {
  let calls = 0;
  const verifiers = signatureVerifiers.map((v): SignatureVerifier => ({
    ...v,
    verify: (spki, message, signature) => {
      calls++;
      return v.verify(spki, message, signature);
    },
    verifyWithHash: v.verifyWithHash &&
      ((hash, spki, message, signature) => {
        calls++;
        return v.verifyWithHash!(hash, spki, message, signature);
      }),
  }));
  return { verifiers, calls: () => calls };
}

/** `der` with the last byte of its serial number changed: the signature no longer fits. */
function withOtherSerial(der: Uint8Array): Uint8Array {
  const serial = parseCertificate(der).serial;
  for (let i = 0; i + serial.length <= der.length; i++) {
    if (serial.every((b, j) => der[i + j] === b)) {
      const out = der.slice();
      out[i + serial.length - 1] ^= 1;
      return out;
    }
  }
  throw new Error("serial not found");
}

describe("certificate signature cache", () => {
  it("checks each signature of a chain seen again only once", async () => {
    const c = counting();
    const v = new WebPkiServerVerifier({ roots, verifiers: c.verifiers });
    await v.verifyServerCert(leaf.der, [inter.der], "example.com", now);
    assert.equal(c.calls(), 2);
    await v.verifyServerCert(leaf.der, [inter.der], "example.com", now);
    await v.verifyServerCert(leaf.der, [inter.der], "example.com", now);
    assert.equal(c.calls(), 2);
  });

  it("checks every time with signatureCacheSize 0", async () => {
    const c = counting();
    const v = new WebPkiServerVerifier({ roots, verifiers: c.verifiers, signatureCacheSize: 0 });
    await v.verifyServerCert(leaf.der, [inter.der], "example.com", now);
    await v.verifyServerCert(leaf.der, [inter.der], "example.com", now);
    assert.equal(c.calls(), 4);
  });

  it("still refuses a cached chain for the wrong name or when it has expired", async () => {
    const v = new WebPkiServerVerifier({ roots });
    await v.verifyServerCert(leaf.der, [inter.der], "example.com", now);
    await assert.rejects(
      v.verifyServerCert(leaf.der, [inter.der], "other.example", now),
      (e: unknown) => e instanceof TlsError && e.detail === "NotValidForName",
    );
    await assert.rejects(
      v.verifyServerCert(
        leaf.der,
        [inter.der],
        "example.com",
        new Date(now.getTime() + 4000 * DAY),
      ),
      (e: unknown) => e instanceof TlsError && e.detail === "Expired",
    );
  });

  it("does not let a changed certificate ride on a cached signature", async () => {
    const v = new WebPkiServerVerifier({ roots });
    await v.verifyServerCert(leaf.der, [inter.der], "example.com", now);
    const forged = withOtherSerial(leaf.der);
    assert.deepEqual(parseCertificate(forged).signature, parseCertificate(leaf.der).signature);
    await assert.rejects(
      v.verifyServerCert(forged, [inter.der], "example.com", now),
      (e: unknown) => e instanceof TlsError && e.detail === "BadSignature",
    );
  });

  it("keeps only successes, and only the most recently used entries", () => {
    const cache = new SignatureCache(2);
    const key = Uint8Array.of(1);
    const certs = [Uint8Array.of(10), Uint8Array.of(11), Uint8Array.of(12)];
    const sig = (i: number) => Uint8Array.of(20 + i);
    cache.add(key, certs[0], sig(0));
    cache.add(key, certs[1], sig(1));
    assert.ok(cache.has(key, certs[0], sig(0))); // 0 becomes the most recent
    cache.add(key, certs[2], sig(2)); // drops 1
    assert.equal(cache.size, 2);
    assert.ok(cache.has(key, certs[0], sig(0)));
    assert.ok(!cache.has(key, certs[1], sig(1)));
    assert.ok(cache.has(key, certs[2], sig(2)));
    assert.ok(!cache.has(Uint8Array.of(2), certs[2], sig(2)), "another issuer key");
    assert.ok(!cache.has(key, Uint8Array.of(13), sig(2)), "another certificate");
    assert.throws(() => new SignatureCache(-1), RangeError);
  });
});
