// CRL revocation through the verifiers' `revocation` option: CRLs from
// `openssl ca`, and hand-built ones for each rule (the x509-limbo crl::
// families: structure, signature, scope, time, policy).
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { TlsError } from "../error.ts";
import { type TestCert, TestPki } from "../../tests/_pki.ts";
import {
  buildCrl,
  crlNumber,
  type CrlShape,
  dnsName,
  ext,
  idp,
  serialOf,
  tlv,
  uri,
} from "../../tests/_crl.ts";
import { CertRevocationList } from "./crl.ts";
import type { RevocationOptions } from "./revocation.ts";
import { RootCertStore } from "./root_store.ts";
import { WebPkiClientVerifier, WebPkiServerVerifier } from "./verifier.ts";
import { parseCertificate } from "./x509.ts";

const pki = new TestPki();
after(() => pki.cleanup());
const DAY = 86_400_000;
const now = new Date(Date.now() + 3_600_000);
const before = (days: number): Date => new Date(now.getTime() - days * DAY);
const later = (days: number): Date => new Date(now.getTime() + days * DAY);

function trusting(...anchors: TestCert[]): RootCertStore {
  const roots = new RootCertStore();
  for (const a of anchors) roots.add(a.der);
  return roots;
}

function ca(issuer: TestCert, cn: string): TestCert {
  return pki.issue(issuer, cn, [
    "basicConstraints=critical,CA:TRUE",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
}

const withCdp = (issuer: TestCert, ...points: string[]): TestCert =>
  pki.issue(issuer, "leaf", [
    "basicConstraints=critical,CA:FALSE",
    "keyUsage=critical,digitalSignature",
    "extendedKeyUsage=serverAuth",
    "subjectAltName=DNS:example.com",
    `crlDistributionPoints=${points.join(",")}`,
  ]);

async function outcome(
  leaf: TestCert,
  intermediates: TestCert[],
  roots: RootCertStore,
  revocation: RevocationOptions,
): Promise<string> {
  const v = new WebPkiServerVerifier({ roots, revocation });
  try {
    await v.verifyServerCert(leaf.der, intermediates.map((c) => c.der), "example.com", now);
    return "accepted";
  } catch (e) {
    if (!(e instanceof TlsError)) throw e;
    return e.detail ?? "?";
  }
}

const root = pki.root("CRL Root");
const roots = trusting(root);
const leaf = pki.leaf(root, "DNS:example.com");
const other = pki.leaf(root, "DNS:example.com");
const current = { thisUpdate: before(1), nextUpdate: later(7) };
const crl = (shape: Partial<CrlShape> = {}, signer = root): Uint8Array =>
  buildCrl(pki, signer, { ...current, ...shape });
const revoking = (c: TestCert, extensions?: Uint8Array[]) => ({
  entries: [{ serial: serialOf(c), date: before(1), extensions }],
});

describe("CRLs from openssl ca", () => {
  it("refuse a revoked leaf with certificate_revoked and accept the others", async () => {
    const pem = pki.crl(root, [leaf]);
    const v = new WebPkiServerVerifier({ roots, revocation: { crls: [pem] } });
    await assert.rejects(
      v.verifyServerCert(leaf.der, [], "example.com", now),
      (e: unknown) =>
        e instanceof TlsError && e.detail === "Revoked" && e.alert === 44 &&
        /keyCompromise/.test(e.message),
    );
    await v.verifyServerCert(other.der, [], "example.com", now);
  });
  it("cover the whole chain by default, the end entity only when asked", async () => {
    const inter = ca(root, "CRL Intermediate");
    const below = pki.leaf(inter, "DNS:example.com");
    const rootCrl = pki.crl(root, [inter]);
    const interCrl = pki.crl(inter, []);
    assert.equal(await outcome(below, [inter], roots, { crls: [rootCrl, interCrl] }), "Revoked");
    assert.equal(
      await outcome(below, [inter], roots, { crls: [rootCrl, interCrl], depth: "endEntity" }),
      "accepted",
    );
    // Without the root's CRL the intermediate's status is unknown.
    assert.equal(
      await outcome(below, [inter], roots, { crls: [interCrl] }),
      "UnknownRevocationStatus",
    );
    assert.equal(
      await outcome(below, [inter], roots, { crls: [interCrl], unknownStatus: "allow" }),
      "accepted",
    );
  });
  it("apply to client certificates too", async () => {
    const v = new WebPkiClientVerifier({ roots, revocation: { crls: [pki.crl(root, [leaf])] } });
    await assert.rejects(v.verifyClientCert(leaf.der, [], now), /revoked/);
  });
});

describe("CRL structure (RFC 5280 5.1)", () => {
  it("does not parse a CRL that is not v2, lacks nextUpdate or misuses GeneralizedTime", () => {
    for (const bad of [crl({ version: null }), crl({ version: 2 }), crl({ nextUpdate: null })]) {
      assert.throws(() => CertRevocationList.fromDer(bad), SyntaxError);
    }
    assert.throws(
      () => CertRevocationList.fromDer(crl({ generalizedTime: true })),
      /wrong ASN.1 type/,
    );
    // The verifier's constructor says so too.
    assert.throws(
      () => new WebPkiServerVerifier({ roots, revocation: { crls: [crl({ version: null })] } }),
      SyntaxError,
    );
    assert.throws(() => new WebPkiServerVerifier({ roots, revocation: { crls: [] } }), TypeError);
  });
  it("accepts an empty CRL and one of 10,000 entries", async () => {
    assert.equal(await outcome(leaf, [], roots, { crls: [crl()] }), "accepted");
    const entries = Array.from({ length: 10_000 }, (_, i) => ({
      serial: new Uint8Array([0x10, i >> 8, i & 255, 7, 7, 7, 7, 7]),
      date: before(400),
    }));
    const big = CertRevocationList.fromDer(crl({ entries }));
    assert.equal(big.size, 10_000);
    assert.equal(await outcome(leaf, [], roots, { crls: [big] }), "accepted");
  });
  it("refuses to use a CRL with an unknown critical extension, ignores a non-critical one", async () => {
    const odd = (critical: boolean) => ext("1.3.6.1.4.1.55738.666.1", critical, []);
    assert.equal(
      await outcome(leaf, [], roots, { crls: [crl({ extensions: [crlNumber(1), odd(true)] })] }),
      "UnsupportedCrl",
    );
    assert.equal(
      await outcome(leaf, [], roots, { crls: [crl({ extensions: [crlNumber(1), odd(false)] })] }),
      "accepted",
    );
  });
  it("refuses a CRL without cRLNumber, with a critical one, or listing a serial twice", async () => {
    assert.equal(
      await outcome(other, [], roots, { crls: [crl({ extensions: [] })] }),
      "UnsupportedCrl",
    );
    assert.equal(
      await outcome(other, [], roots, { crls: [crl({ extensions: [crlNumber(5, true)] })] }),
      "UnsupportedCrl",
    );
    const e = { serial: serialOf(leaf), date: before(1) };
    assert.equal(
      await outcome(other, [], roots, { crls: [crl({ entries: [e, e] })] }),
      "UnsupportedCrl",
    );
  });
  it("reads entry extensions: reason codes, unknown critical ones", async () => {
    const reason = ext("2.5.29.21", false, tlv(0x0a, [0x01]));
    assert.equal(
      await outcome(leaf, [], roots, { crls: [crl(revoking(leaf, [reason]))] }),
      "Revoked",
    );
    const odd = (critical: boolean) => ext("1.3.6.1.4.1.55738.666.1", critical, []);
    assert.equal(
      await outcome(leaf, [], roots, { crls: [crl(revoking(leaf, [odd(true)]))] }),
      "UnsupportedCrl",
    );
    assert.equal(
      await outcome(leaf, [], roots, { crls: [crl(revoking(leaf, [odd(false)]))] }),
      "Revoked",
    );
    const removeFromCrl = ext("2.5.29.21", false, tlv(0x0a, [0x08]));
    assert.equal(
      await outcome(leaf, [], roots, { crls: [crl(revoking(leaf, [removeFromCrl]))] }),
      "UnsupportedCrl",
    );
  });
});

describe("CRL authority (RFC 5280 6.3.3 (f), (g))", () => {
  it("refuses a CRL under the issuer's name signed by another key", async () => {
    const stranger = pki.root("Stranger");
    const issuerName = parseCertificate(root.der).subject;
    const wrongKey = buildCrl(pki, stranger, { ...current, issuer: issuerName });
    assert.equal(
      await outcome(leaf, [], trusting(root, stranger), { crls: [wrongKey] }),
      "BadCrlSignature",
    );
  });
  it("ignores a CRL of another issuer that lists the same serial", async () => {
    const root2 = pki.root("CRL Root 2");
    const sameSerial = buildCrl(pki, root2, { ...current, ...revoking(leaf) });
    assert.equal(
      await outcome(leaf, [], trusting(root, root2), { crls: [crl(), sameSerial] }),
      "accepted",
    );
  });
  it("needs cRLSign when the issuer has a keyUsage", async () => {
    const noCrlSign = pki.root("No cRLSign", "p256", "critical,keyCertSign");
    const under = pki.leaf(noCrlSign, "DNS:example.com");
    assert.equal(
      await outcome(under, [], trusting(noCrlSign), { crls: [buildCrl(pki, noCrlSign, current)] }),
      "IssuerNotCrlSigner",
    );
    const noKu = pki.root("No keyUsage", "p256", null);
    const underNoKu = pki.leaf(noKu, "DNS:example.com");
    assert.equal(
      await outcome(underNoKu, [], trusting(noKu), { crls: [buildCrl(pki, noKu, current)] }),
      "accepted",
    );
  });
});

describe("CRL validity (thisUpdate, nextUpdate, revocationDate)", () => {
  it("refuses a CRL from the future and an expired one unless told to ignore expiry", async () => {
    assert.equal(
      await outcome(leaf, [], roots, {
        crls: [crl({ thisUpdate: later(1), nextUpdate: later(30) })],
      }),
      "CrlNotValidYet",
    );
    const expired = crl({ thisUpdate: before(60), nextUpdate: before(30) });
    assert.equal(await outcome(leaf, [], roots, { crls: [expired] }), "CrlExpired");
    assert.equal(
      await outcome(leaf, [], roots, { crls: [expired], expiredCrls: "ignore" }),
      "accepted",
    );
  });
  it("counts a listed serial as revoked whatever its revocation date", async () => {
    for (const date of [later(1), before(3650)]) {
      assert.equal(
        await outcome(leaf, [], roots, {
          crls: [crl({ entries: [{ serial: serialOf(leaf), date }] })],
        }),
        "Revoked",
      );
    }
  });
});

describe("CRL scope: issuingDistributionPoint (RFC 5280 5.2.5, CA/B Forum 7.2.2.1)", () => {
  const URL = "http://example.com/partition.crl";
  const partitioned = (o: Parameters<typeof idp>[0]) => crl({ extensions: [crlNumber(1), idp(o)] });

  it("applies a partition to the certificates that name it, byte for byte", async () => {
    const inPartition = withCdp(root, `URI:${URL}`);
    assert.equal(
      await outcome(inPartition, [], roots, { crls: [partitioned({ fullName: [uri(URL)] })] }),
      "accepted",
    );
    const elsewhere = withCdp(root, "URI:http://example.com/other.crl");
    assert.equal(
      await outcome(elsewhere, [], roots, { crls: [partitioned({ fullName: [uri(URL)] })] }),
      "UnknownRevocationStatus",
    );
    const escaped = withCdp(root, "URI:http://example.com/%70artition.crl");
    assert.equal(
      await outcome(escaped, [], roots, { crls: [partitioned({ fullName: [uri(URL)] })] }),
      "UnknownRevocationStatus",
    );
    // No distribution point in the certificate: a partition never covers it.
    assert.equal(
      await outcome(leaf, [], roots, { crls: [partitioned({ fullName: [uri(URL)] })] }),
      "UnknownRevocationStatus",
    );
  });
  it("does not match a certificate distribution point holding other names than URIs", async () => {
    const mixed = pki.issue(root, "leaf", [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature",
      "extendedKeyUsage=serverAuth",
      "subjectAltName=DNS:example.com",
      "crlDistributionPoints=cdp",
      "[cdp]",
      `fullname=URI:${URL},DNS:example.com`,
    ]);
    assert.equal(
      await outcome(mixed, [], roots, { crls: [partitioned({ fullName: [uri(URL)] })] }),
      "UnknownRevocationStatus",
    );
  });
  it("keeps user-only and CA-only CRLs to their kind of certificate", async () => {
    const inter = ca(root, "Scoped Intermediate");
    const below = pki.leaf(inter, "DNS:example.com");
    const interCrl = pki.crl(inter, []);
    assert.equal(
      await outcome(below, [inter], roots, { crls: [partitioned({ onlyUser: true }), interCrl] }),
      "UnknownRevocationStatus",
    );
    assert.equal(
      await outcome(below, [inter], roots, { crls: [partitioned({ onlyCa: true }), interCrl] }),
      "accepted",
    );
    assert.equal(
      await outcome(leaf, [], roots, { crls: [partitioned({ onlyCa: true })] }),
      "UnknownRevocationStatus",
    );
  });
  it("refuses the partitioned forms we do not support", async () => {
    const inPartition = withCdp(root, `URI:${URL}`);
    for (
      const o of [
        { relative: true },
        { fullName: [uri(URL), dnsName("example.com")] },
        { fullName: [uri(URL)], indirect: true },
        { fullName: [uri(URL)], someReasons: true },
        { onlyAttribute: true },
      ]
    ) {
      const got = await outcome(inPartition, [], roots, { crls: [partitioned(o)] });
      assert.ok(
        got === "UnsupportedCrl" || got === "UnknownRevocationStatus",
        `${JSON.stringify(o)}: ${got}`,
      );
    }
  });
});
