// RSA key-size policy in certificate and handshake signatures, and that every
// signature check goes through the configured verifiers (the crypto provider).
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { TlsError } from "../error.ts";
import { SignatureScheme as S } from "../msgs/enums.ts";
import type { SignatureVerifier } from "../crypto/types.ts";
import { signatureVerifiers } from "../crypto/webcrypto/verify.ts";
import { TestPki } from "../../tests/_pki.ts";
import { dangerousNoServerVerification } from "./dangerous.ts";
import { RootCertStore } from "./root_store.ts";
import { WebPkiClientVerifier, WebPkiServerVerifier } from "./verifier.ts";
import { parseCertificate } from "./x509.ts";

const pki = new TestPki();
after(() => pki.cleanup());
const now = new Date(Date.now() + 3_600_000);
const msg = new TextEncoder().encode("TLS 1.3, server CertificateVerify\0 transcript hash");

async function refused(p: Promise<unknown>, detail: string): Promise<TlsError> {
  let err: TlsError | undefined;
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof TlsError, String(e));
    assert.equal(e.detail, detail, e.message);
    err = e;
    return true;
  });
  return err!;
}

function trusting(der: Uint8Array): RootCertStore {
  const roots = new RootCertStore();
  roots.add(der);
  return roots;
}

describe("RSA key size in certificate signatures", () => {
  const root = pki.root("RSA Root", "rsa");
  const roots = trusting(root.der);
  const weakInter = pki.intermediate(root, "RSA-1024 Intermediate", "rsa-1024");
  const viaWeak = pki.leaf(weakInter, "DNS:weak.example");
  const weakRoot = pki.root("RSA-768 Root", "rsa-768");
  const under768 = pki.leaf(weakRoot, "DNS:weak.example");
  const oddRoot = pki.root("RSA-2052 Root", "rsa-2052");
  const underOdd = pki.leaf(oddRoot, "DNS:odd.example");

  it("refuses a chain through an RSA-1024 intermediate by default", async () => {
    const e = await refused(
      new WebPkiServerVerifier({ roots }).verifyServerCert(
        viaWeak.der,
        [weakInter.der],
        "weak.example",
        now,
      ),
      "RsaKeyTooSmall",
    );
    assert.match(e.message, /1024-bit RSA key/);
    assert.equal(e.alert, 42);
  });
  it("accepts it when the option lowers the minimum to 1024", async () => {
    const legacy = new WebPkiServerVerifier({ roots, minRsaKeyBits: 1024 });
    await legacy.verifyServerCert(viaWeak.der, [weakInter.der], "weak.example", now);
  });
  it("refuses an RSA-768 root even at the lowest minimum", async () => {
    const legacy = new WebPkiServerVerifier({ roots: trusting(weakRoot.der), minRsaKeyBits: 1024 });
    await refused(legacy.verifyServerCert(under768.der, [], "weak.example", now), "RsaKeyTooSmall");
  });
  it("refuses a modulus whose length is not a multiple of 8", async () => {
    const v = new WebPkiServerVerifier({ roots: trusting(oddRoot.der) });
    await refused(
      v.verifyServerCert(underOdd.der, [], "odd.example", now),
      "UnsupportedRsaKeySize",
    );
  });
  it("refuses a weak RSA leaf in the path as well", async () => {
    const weakLeaf = pki.leaf(root, "DNS:weak.example", { alg: "rsa-1024" });
    await refused(
      new WebPkiServerVerifier({ roots }).verifyServerCert(weakLeaf.der, [], "weak.example", now),
      "RsaKeyTooSmall",
    );
    await refused(
      new WebPkiClientVerifier({ roots }).verifyClientCert(weakLeaf.der, [], now),
      "RsaKeyTooSmall",
    );
  });
  it("takes only 1024, 2048, 3072 or 4096 as the minimum", () => {
    for (const bad of [512, 768, 1000, 2047]) {
      assert.throws(
        // deno-lint-ignore no-explicit-any
        () => new WebPkiServerVerifier({ roots, minRsaKeyBits: bad as any }),
        RangeError,
      );
    }
  });
});

describe("RSA key size in handshake signatures", () => {
  const root = pki.root("HS Root");
  const leaf768 = pki.leaf(root, "DNS:weak.example", { alg: "rsa-768" });
  const leaf1024 = pki.leaf(root, "DNS:weak.example", { alg: "rsa-1024" });
  const server = new WebPkiServerVerifier({ roots: trusting(root.der) });

  it("refuses a TLS 1.3 CertificateVerify from an RSA-768 key (also without chain checks)", async () => {
    const pss = pki.sign(leaf768, msg, "sha256", true);
    await refused(
      server.verifyTls13Signature(msg, leaf768.der, S.rsa_pss_rsae_sha256, pss),
      "RsaKeyTooSmall",
    );
    await refused(
      dangerousNoServerVerification().verifyTls13Signature(
        msg,
        leaf768.der,
        S.rsa_pss_rsae_sha256,
        pss,
      ),
      "RsaKeyTooSmall",
    );
  });
  it("refuses a TLS 1.2 ServerKeyExchange signature from RSA-1024 unless lowered", async () => {
    const pkcs1 = pki.sign(leaf1024, msg, "sha256");
    await refused(
      server.verifyTls12Signature(msg, leaf1024.der, S.rsa_pkcs1_sha256, pkcs1),
      "RsaKeyTooSmall",
    );
    const legacy = new WebPkiServerVerifier({ roots: trusting(root.der), minRsaKeyBits: 1024 });
    await legacy.verifyTls12Signature(msg, leaf1024.der, S.rsa_pkcs1_sha256, pkcs1);
    const client = new WebPkiClientVerifier({ roots: trusting(root.der) });
    await refused(
      client.verifyTls12Signature(msg, leaf1024.der, S.rsa_pkcs1_sha256, pkcs1),
      "RsaKeyTooSmall",
    );
  });
});

describe("RSA keys larger than the runtime's Web Crypto takes", () => {
  it("give UnsupportedRsaKeySize where Web Crypto refuses them (Deno: above 4096 bits)", async () => {
    const root = pki.root("RSA-4160 Root", "rsa-4160");
    const leaf = pki.leaf(root, "DNS:big.example");
    const spki = parseCertificate(root.der).spki as Uint8Array<ArrayBuffer>;
    // Deno imports such a key but throws when verifying with it.
    let runtimeTakesIt = true;
    try {
      const alg = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
      const key = await crypto.subtle.importKey("spki", spki, alg, false, ["verify"]);
      await crypto.subtle.verify(alg, key, new Uint8Array(520), new Uint8Array(1));
    } catch {
      runtimeTakesIt = false;
    }
    const v = new WebPkiServerVerifier({ roots: trusting(root.der) });
    if (runtimeTakesIt) {
      await v.verifyServerCert(leaf.der, [], "big.example", now);
    } else {
      const e = await refused(
        v.verifyServerCert(leaf.der, [], "big.example", now),
        "UnsupportedRsaKeySize",
      );
      assert.match(e.message, /4160-bit RSA key/);
      assert.equal(e.alert, 43);
    }
  });
});

describe("signature checks only through the configured verifiers", () => {
  // A P-384 CA signing with SHA-256: no TLS scheme names that pairing.
  const root = pki.root("Provider Root", "p384");
  const leaf = pki.issue(root, "leaf", [
    "basicConstraints=critical,CA:FALSE",
    "keyUsage=critical,digitalSignature",
    "extendedKeyUsage=serverAuth",
    "subjectAltName=DNS:provider.example",
  ], { digest: "sha256" });
  const roots = trusting(root.der);
  const tampered = leaf.der.slice();
  tampered[tampered.length - 3] ^= 1;

  function counting(withHash: boolean): { verifiers: SignatureVerifier[]; calls: string[] } {
    const calls: string[] = [];
    const verifiers = signatureVerifiers.map((v): SignatureVerifier => ({
      scheme: v.scheme,
      name: v.name,
      tls13: v.tls13,
      verify: () => {
        calls.push(v.name);
        return Promise.resolve(true); // accepts anything: shows who decides
      },
      ...(withHash && v.verifyWithHash
        ? {
          verifyWithHash: (h: "SHA-256" | "SHA-384" | "SHA-512") => {
            calls.push(`${v.name}+${h}`);
            return Promise.resolve(true);
          },
        }
        : {}),
    }));
    return { verifiers, calls };
  }

  it("uses the provider's verifyWithHash for X.509-only pairings, and Web Crypto not at all", async () => {
    await new WebPkiServerVerifier({ roots }).verifyServerCert(
      leaf.der,
      [],
      "provider.example",
      now,
    );
    const { verifiers, calls } = counting(true);
    const subtle = crypto.subtle;
    const used: string[] = [];
    const spy = new Proxy(subtle, {
      get(target, prop) {
        const f = Reflect.get(target, prop);
        if (typeof f !== "function") return f;
        return (...args: unknown[]) => {
          used.push(String(prop));
          return f.apply(target, args);
        };
      },
    });
    Object.defineProperty(crypto, "subtle", { value: spy, configurable: true });
    try {
      // A tampered signature passes: the (permissive) provider decided, not Web Crypto.
      await new WebPkiServerVerifier({ roots, verifiers }).verifyServerCert(
        tampered,
        [],
        "provider.example",
        now,
      );
    } finally {
      Object.defineProperty(crypto, "subtle", { value: subtle, configurable: true });
    }
    assert.deepEqual(calls, ["ecdsa_secp384r1_sha384+SHA-256"]);
    assert.deepEqual(used, []);
  });
  it("refuses the pairing as unsupported when the provider cannot do it", async () => {
    const { verifiers } = counting(false);
    await refused(
      new WebPkiServerVerifier({ roots, verifiers }).verifyServerCert(
        leaf.der,
        [],
        "provider.example",
        now,
      ),
      "UnsupportedSignatureAlgorithm",
    );
  });
  it("checks TLS 1.2 ECDSA signatures with another hash through the provider too", async () => {
    const p384leaf = pki.leaf(root, "DNS:provider.example", { alg: "p384" });
    const sig = pki.sign(p384leaf, msg, "sha256");
    await new WebPkiServerVerifier({ roots }).verifyTls12Signature(
      msg,
      p384leaf.der,
      S.ecdsa_secp256r1_sha256,
      sig,
    );
    const { verifiers, calls } = counting(true);
    await new WebPkiServerVerifier({ roots, verifiers }).verifyTls12Signature(
      msg,
      p384leaf.der,
      S.ecdsa_secp256r1_sha256,
      new Uint8Array(8),
    );
    assert.deepEqual(calls, ["ecdsa_secp384r1_sha384+SHA-256"]);
  });
});
