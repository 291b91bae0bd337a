import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { TlsError } from "../error.ts";
import { SignatureScheme as S } from "../msgs/enums.ts";
import { TestPki } from "../../tests/_pki.ts";
import { dangerousNoServerVerification } from "./dangerous.ts";
import { buildPath } from "./path.ts";
import { RootCertStore } from "./root_store.ts";
import { WebPkiClientVerifier, WebPkiServerVerifier } from "./verifier.ts";
import { parseCertificate } from "./x509.ts";
import { signatureVerifiers } from "../crypto/webcrypto/verify.ts";
import { readFileSync } from "node:fs";

const pki = new TestPki();
after(() => pki.cleanup());

const root = pki.root("Test Root");
const inter = pki.intermediate(root, "Test Intermediate P-384", "p384");
const leaf = pki.leaf(inter, "DNS:example.com, DNS:*.wild.example.com, IP:127.0.0.1, IP:::1");
const rsaLeaf = pki.leaf(root, "DNS:rsa.example.com", { alg: "rsa" });
const edLeaf = pki.leaf(root, "DNS:ed.example.com", { alg: "ed25519" });
const noSan = pki.issue(root, "example.com", ["basicConstraints=critical,CA:FALSE"]);
const clientOnly = pki.issue(root, "client", [
  "extendedKeyUsage=clientAuth",
  "subjectAltName=DNS:client.example",
]);
const otherRoot = pki.root("Other Root");
const serverOnly = pki.issue(root, "srv", ["extendedKeyUsage=serverAuth"]);

const roots = RootCertStore.fromPem(readFileSync(root.certPath, "utf8"));
const server = new WebPkiServerVerifier({ roots });
const now = new Date();
const DAY = 86_400_000;

async function refused(p: Promise<unknown>, detail: string, alert: number): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof TlsError, String(e));
    assert.equal(e.detail, detail, e.message);
    assert.equal(e.alert, alert);
    return true;
  });
}

describe("WebPkiServerVerifier chains", () => {
  it("accepts a chain through a P-384 intermediate (ecdsa-with-SHA256 on P-384)", async () => {
    await server.verifyServerCert(leaf.der, [inter.der], "example.com", now);
    await server.verifyServerCert(leaf.der, [inter.der], "EXAMPLE.com.", now);
    await server.verifyServerCert(leaf.der, [inter.der], "a.wild.example.com", now);
    await server.verifyServerCert(leaf.der, [inter.der], "127.0.0.1", now);
    await server.verifyServerCert(leaf.der, [inter.der], "::1", now);
  });
  it("finds the issuer among unrelated and malformed intermediates", async () => {
    await server.verifyServerCert(
      leaf.der,
      [otherRoot.der, new Uint8Array([0x30, 0x00]), inter.der],
      "example.com",
      now,
    );
  });
  it("accepts RSA and Ed25519 leaves", async () => {
    await server.verifyServerCert(rsaLeaf.der, [], "rsa.example.com", now);
    await server.verifyServerCert(edLeaf.der, [], "ed.example.com", now);
  });
  it("refuses a wrong name with bad_certificate", async () => {
    await refused(
      server.verifyServerCert(leaf.der, [inter.der], "example.org", now),
      "NotValidForName",
      42,
    );
    await refused(
      server.verifyServerCert(leaf.der, [inter.der], "a.b.wild.example.com", now),
      "NotValidForName",
      42,
    );
    await refused(
      server.verifyServerCert(leaf.der, [inter.der], "127.0.0.2", now),
      "NotValidForName",
      42,
    );
  });
  it("has no Common Name fallback", async () => {
    await refused(
      server.verifyServerCert(noSan.der, [], "example.com", now),
      "NotValidForName",
      42,
    );
  });
  it("refuses an unknown CA with unknown_ca", async () => {
    const other = new WebPkiServerVerifier({
      roots: RootCertStore.fromPem(readFileSync(otherRoot.certPath, "utf8")),
    });
    await refused(
      other.verifyServerCert(leaf.der, [inter.der], "example.com", now),
      "UnknownIssuer",
      48,
    );
    await refused(server.verifyServerCert(leaf.der, [], "example.com", now), "UnknownIssuer", 48);
  });
  it("refuses expired and not-yet-valid chains with certificate_expired", async () => {
    await refused(
      server.verifyServerCert(
        leaf.der,
        [inter.der],
        "example.com",
        new Date(now.getTime() + 400 * DAY),
      ),
      "Expired",
      45,
    );
    await refused(
      server.verifyServerCert(
        leaf.der,
        [inter.der],
        "example.com",
        new Date(now.getTime() - 2 * DAY),
      ),
      "NotValidYet",
      45,
    );
  });
  it("refuses a leaf without serverAuth", async () => {
    await refused(
      server.verifyServerCert(clientOnly.der, [], "client.example", now),
      "InvalidPurpose",
      43,
    );
  });
  it("refuses a tampered signature", async () => {
    const bad = leaf.der.slice();
    bad[bad.length - 5] ^= 1;
    await refused(
      server.verifyServerCert(bad, [inter.der], "example.com", now),
      "BadSignature",
      42,
    );
  });
  it("refuses malformed DER", async () => {
    await refused(
      server.verifyServerCert(leaf.der.subarray(0, 100), [], "example.com", now),
      "BadEncoding",
      42,
    );
  });
  it("bounds the signature checks", async () => {
    await refused(
      buildPath(parseCertificate(leaf.der), [parseCertificate(inter.der)], roots.roots, {
        now: now.getTime(),
        eku: "1.3.6.1.5.5.7.3.1",
        verifiers: signatureVerifiers,
        budget: { signatureChecks: 1 },
      }),
      "MaximumSignatureChecksExceeded",
      48,
    );
  });
});

describe("handshake signatures", () => {
  const msg = new TextEncoder().encode("TLS 1.3, server CertificateVerify\0 transcript hash");
  it("verifies ECDSA P-256 for TLS 1.3 and refuses a bad one with decrypt_error", async () => {
    const sig = pki.sign(leaf, msg, "sha256");
    await server.verifyTls13Signature(msg, leaf.der, S.ecdsa_secp256r1_sha256, sig);
    await refused(
      server.verifyTls13Signature(msg.subarray(1), leaf.der, S.ecdsa_secp256r1_sha256, sig),
      "BadSignature",
      51,
    );
  });
  it("requires the TLS 1.3 ECDSA scheme to match the key's curve", async () => {
    const sig = pki.sign(leaf, msg, "sha384");
    await refused(
      server.verifyTls13Signature(msg, leaf.der, S.ecdsa_secp384r1_sha384, sig),
      "SignatureSchemeKeyMismatch",
      47,
    );
    // TLS 1.2 ECDSA schemes name only the hash.
    await server.verifyTls12Signature(msg, leaf.der, S.ecdsa_secp384r1_sha384, sig);
  });
  it("allows RSA PKCS#1 in TLS 1.2 only, and RSA-PSS in both", async () => {
    const pkcs1 = pki.sign(rsaLeaf, msg, "sha256");
    await server.verifyTls12Signature(msg, rsaLeaf.der, S.rsa_pkcs1_sha256, pkcs1);
    await refused(
      server.verifyTls13Signature(msg, rsaLeaf.der, S.rsa_pkcs1_sha256, pkcs1),
      "UnsupportedSignatureScheme",
      47,
    );
    const pss = pki.sign(rsaLeaf, msg, "sha256", true);
    await server.verifyTls13Signature(msg, rsaLeaf.der, S.rsa_pss_rsae_sha256, pss);
    await refused(
      server.verifyTls13Signature(msg, rsaLeaf.der, S.rsa_pss_pss_sha256, pss),
      "SignatureSchemeKeyMismatch",
      47,
    );
  });
  it("verifies Ed25519", async () => {
    const sig = pki.sign(edLeaf, msg);
    await server.verifyTls13Signature(msg, edLeaf.der, S.ed25519, sig);
    sig[0] ^= 1;
    await refused(server.verifyTls13Signature(msg, edLeaf.der, S.ed25519, sig), "BadSignature", 51);
  });
  it("advertises the verifier schemes", () => {
    assert.ok(server.supportedVerifySchemes().includes(S.ecdsa_secp256r1_sha256));
  });
});

describe("WebPkiClientVerifier", () => {
  it("accepts a clientAuth chain and hints the root subject", async () => {
    const v = new WebPkiClientVerifier({ roots });
    assert.equal(v.offerClientAuth(), true);
    assert.equal(v.clientAuthMandatory(), true);
    assert.deepEqual(v.rootHintSubjects(), [parseCertificate(root.der).subject]);
    await v.verifyClientCert(clientOnly.der, [], now);
    await v.verifyClientCert(leaf.der, [inter.der], now);
  });
  it("refuses a server-only leaf", async () => {
    const v = new WebPkiClientVerifier({ roots, mandatory: false });
    assert.equal(v.clientAuthMandatory(), false);
    await refused(v.verifyClientCert(serverOnly.der, [], now), "InvalidPurpose", 43);
  });
});

describe("dangerousNoServerVerification", () => {
  it("accepts any chain but still checks the CertificateVerify signature", async () => {
    const v = dangerousNoServerVerification();
    await v.verifyServerCert(leaf.der, [], "not-the-name.example", now);
    const msg = new Uint8Array([1, 2, 3]);
    const sig = pki.sign(leaf, msg, "sha256");
    await v.verifyTls13Signature(msg, leaf.der, S.ecdsa_secp256r1_sha256, sig);
    await refused(
      v.verifyTls13Signature(new Uint8Array([9]), leaf.der, S.ecdsa_secp256r1_sha256, sig),
      "BadSignature",
      51,
    );
  });
});

describe("RootCertStore", () => {
  it("loads PEM bundles, skips duplicates and counts unusable blocks", () => {
    const store = new RootCertStore();
    const pem = readFileSync(root.certPath, "utf8") + readFileSync(otherRoot.certPath, "utf8") +
      readFileSync(root.certPath, "utf8") +
      "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n";
    assert.deepEqual(store.addPem(pem), { added: 3, ignored: 1 });
    assert.equal(store.size, 2);
    assert.throws(
      () => RootCertStore.fromPem("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"),
      SyntaxError,
    );
  });
});
