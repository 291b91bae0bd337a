// Path-level rules with chains the openssl CLI makes here: name constraints
// over wildcard SANs, the work budget, and which refusal is reported.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { TlsError } from "../error.ts";
import { type TestCert, TestPki } from "../../tests/_pki.ts";
import { signatureVerifiers } from "../crypto/webcrypto/verify.ts";
import { Eku } from "./extensions.ts";
import { buildPath } from "./path.ts";
import { RootCertStore } from "./root_store.ts";
import { WebPkiClientVerifier, WebPkiServerVerifier } from "./verifier.ts";
import { parseCertificate } from "./x509.ts";

const pki = new TestPki();
after(() => pki.cleanup());
// An hour ahead: certificates made during the run start "now", to the second.
const now = new Date(Date.now() + 3_600_000);

function ca(issuer: TestCert, cn: string, constraints?: string): TestCert {
  return pki.issue(issuer, cn, [
    "basicConstraints=critical,CA:TRUE",
    "keyUsage=critical,keyCertSign,cRLSign",
    ...(constraints ? [`nameConstraints=critical,${constraints}`] : []),
  ]);
}

function trusting(...anchors: TestCert[]): RootCertStore {
  const roots = new RootCertStore();
  for (const a of anchors) roots.add(a.der);
  return roots;
}

async function refused(p: Promise<unknown>, detail: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof TlsError, String(e));
    assert.equal(e.detail, detail, e.message);
    return true;
  });
}

describe("wildcard SANs under name constraints, through the verifier", () => {
  const root = pki.root("NC Root");
  const roots = trusting(root);
  const server = new WebPkiServerVerifier({ roots });

  it("refuses *.example.com under an intermediate that excludes bar.example.com", async () => {
    const inter = ca(root, "Excludes bar", "excluded;DNS:bar.example.com");
    const leaf = pki.leaf(inter, "DNS:*.example.com");
    await refused(
      server.verifyServerCert(leaf.der, [inter.der], "bar.example.com", now),
      "NameConstraintViolation",
    );
    // The wildcard could name bar.example.com, so no name makes it acceptable.
    await refused(
      server.verifyServerCert(leaf.der, [inter.der], "foo.example.com", now),
      "NameConstraintViolation",
    );
  });
  it("refuses a deeper wildcard under a constraint two CAs up", async () => {
    const upper = ca(root, "Excludes x.a.example.com", "excluded;DNS:x.a.example.com");
    const lower = ca(upper, "Unconstrained");
    const leaf = pki.leaf(lower, "DNS:*.a.example.com");
    await refused(
      server.verifyServerCert(leaf.der, [lower.der, upper.der], "y.a.example.com", now),
      "NameConstraintViolation",
    );
  });
  it("accepts a wildcard whose every name is permitted, refuses one that is wider", async () => {
    const inter = ca(root, "Permits example.com", "permitted;DNS:example.com");
    const ok = pki.leaf(inter, "DNS:*.example.com");
    await server.verifyServerCert(ok.der, [inter.der], "foo.example.com", now);
    const narrow = ca(root, "Permits foo.example.com", "permitted;DNS:foo.example.com");
    const wide = pki.leaf(narrow, "DNS:*.example.com");
    await refused(
      server.verifyServerCert(wide.der, [narrow.der], "foo.example.com", now),
      "NameConstraintViolation",
    );
  });
});

describe("diagnostics: the most specific refusal of all candidate paths", () => {
  it("reports the constraint violation when the server also sends its root", async () => {
    const root = pki.root("Diagnostics Root");
    const inter = ca(root, "Diagnostics Intermediate", "permitted;DNS:example.org");
    const leaf = pki.leaf(inter, "DNS:www.example.com");
    const server = new WebPkiServerVerifier({ roots: trusting(root) });
    // Through the root as an anchor: name constraints refuse. Through the root
    // as a sent intermediate: it has no authorityKeyIdentifier. The first says more.
    await refused(
      server.verifyServerCert(leaf.der, [inter.der, root.der], "www.example.com", now),
      "NameConstraintViolation",
    );
    await refused(
      server.verifyServerCert(leaf.der, [root.der, inter.der], "www.example.com", now),
      "NameConstraintViolation",
    );
  });
  it("prefers an expired path to one that does not link", async () => {
    const root = pki.root("Expiry Root");
    const inter = ca(root, "Expiry Intermediate");
    const leaf = pki.leaf(inter, "DNS:www.example.com", { days: 1 });
    const stranger = pki.root("Expiry Intermediate"); // same name, other key
    const server = new WebPkiServerVerifier({ roots: trusting(root) });
    await refused(
      server.verifyServerCert(
        leaf.der,
        [stranger.der, inter.der],
        "www.example.com",
        new Date(now.getTime() + 3 * 86_400_000),
      ),
      "Expired",
    );
  });
});

describe("the name-constraint budget across the path", () => {
  const root = pki.root("Budget Root");
  const roots = trusting(root);
  const server = new WebPkiServerVerifier({ roots });
  const excluded = (n: number, tag: string): string =>
    Array.from({ length: n }, (_, i) => `excluded;DNS:${tag}${i}.example.org`).join(",");
  const sans = (n: number): string =>
    Array.from({ length: n }, (_, i) => `DNS:h${i}.example.com`).join(",");

  it("accepts a chain within the budget", async () => {
    const inter = ca(root, "Budget 400", excluded(400, "x"));
    const leaf = pki.leaf(inter, sans(400));
    await server.verifyServerCert(leaf.der, [inter.der], "h1.example.com", now);
  });
  it("refuses one CA's 1024 constraints over 1024 SANs with a distinct error", async () => {
    const inter = ca(root, "Budget 1024", excluded(1024, "x"));
    const leaf = pki.leaf(inter, sans(1024));
    await refused(
      server.verifyServerCert(leaf.der, [inter.der], "h1.example.com", now),
      "MaximumNameConstraintComparisonsExceeded",
    );
  });
  it("counts the comparisons of every CA on the path together", async () => {
    // 2 x 400 x 400 = 320,000 comparisons: each CA alone would fit.
    const upper = ca(root, "Budget upper", excluded(400, "u"));
    const lower = ca(upper, "Budget lower", excluded(400, "l"));
    const leaf = pki.leaf(lower, sans(400));
    await refused(
      server.verifyServerCert(leaf.der, [lower.der, upper.der], "h1.example.com", now),
      "MaximumNameConstraintComparisonsExceeded",
    );
  });
});

describe("rfc822Name constraints, through the client verifier", () => {
  const root = pki.root("Mail Root");
  const client = new WebPkiClientVerifier({ roots: trusting(root) });
  const person = (issuer: TestCert, mail: string): TestCert =>
    pki.issue(issuer, "person", [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature",
      "extendedKeyUsage=clientAuth",
      `subjectAltName=email:${mail}`,
    ]);

  it("accepts a mailbox in the permitted domain and refuses others", async () => {
    const inter = ca(root, "Mail CA", "permitted;email:.corp.example");
    await client.verifyClientCert(person(inter, "ann@mail.corp.example").der, [inter.der], now);
    await refused(
      client.verifyClientCert(person(inter, "ann@corp.example").der, [inter.der], now),
      "NameConstraintViolation",
    );
    await refused(
      client.verifyClientCert(person(inter, "ann@evil.example").der, [inter.der], now),
      "NameConstraintViolation",
    );
  });
  it("refuses an excluded mailbox", async () => {
    const inter = ca(root, "Mail CA 2", "excluded;email:eve@corp.example");
    await client.verifyClientCert(person(inter, "bob@corp.example").der, [inter.der], now);
    await refused(
      client.verifyClientCert(person(inter, "eve@corp.example").der, [inter.der], now),
      "NameConstraintViolation",
    );
  });
});

describe("profile rules", () => {
  const root = pki.root("Profile Root");
  const server = new WebPkiServerVerifier({ roots: trusting(root) });

  it("treats notAfter as lasting to the end of its second", async () => {
    const leaf = pki.leaf(root, "DNS:www.example.com", { days: 1 });
    const notAfter = parseCertificate(leaf.der).notAfter;
    await server.verifyServerCert(leaf.der, [], "www.example.com", new Date(notAfter + 999));
    await refused(
      server.verifyServerCert(leaf.der, [], "www.example.com", new Date(notAfter + 1000)),
      "Expired",
    );
  });
  it("refuses a non-critical policyConstraints (RFC 5280 4.2.1.11)", async () => {
    const inter = pki.issue(root, "PC Intermediate", [
      "basicConstraints=critical,CA:TRUE",
      "keyUsage=critical,keyCertSign,cRLSign",
      "policyConstraints=requireExplicitPolicy:3",
    ]);
    const leaf = pki.leaf(inter, "DNS:www.example.com");
    await refused(
      server.verifyServerCert(leaf.der, [inter.der], "www.example.com", now),
      "BadEncoding",
    );
  });
  it("matches no SAN dNSName with an underscore (RFC 5280 4.2.1.6)", async () => {
    const leaf = pki.leaf(root, "DNS:my_host.example.com");
    await refused(
      server.verifyServerCert(leaf.der, [], "my_host.example.com", now),
      "NotValidForName",
    );
  });
  it("refuses a leading-period dNSName constraint as malformed", async () => {
    const inter = ca(root, "Leading period", "permitted;DNS:.example.com");
    const leaf = pki.leaf(inter, "DNS:www.example.com");
    await refused(
      server.verifyServerCert(leaf.der, [inter.der], "www.example.com", now),
      "NameConstraintViolation",
    );
  });
});

describe("the signature budget", () => {
  it("refuses a chain behind decoy issuers once the checks are spent, P-384 ones counting 3", async () => {
    const root = pki.root("Decoy Root");
    const inter = ca(root, "Decoy Intermediate");
    const leaf = parseCertificate(pki.leaf(inter, "DNS:www.example.com").der);
    const anchors = trusting(root).roots;
    const decoys = (n: number, alg: "p256" | "p384") =>
      Array.from(
        { length: n },
        () => parseCertificate(pki.intermediate(root, "Decoy Intermediate", alg).der),
      );
    const build = (intermediates: ReturnType<typeof decoys>) =>
      buildPath(leaf, [...intermediates, parseCertificate(inter.der)], anchors, {
        now: now.getTime(),
        eku: Eku.serverAuth,
        verifiers: signatureVerifiers,
        budget: { signatureChecks: 10 },
      });
    // Each decoy has the issuer's name but another key: one failed check each.
    // 8 P-256 decoys + the real intermediate + the root's check = 10.
    const cheap = decoys(9, "p256");
    await build(cheap.slice(0, 8));
    await refused(build(cheap), "MaximumSignatureChecksExceeded");
    // Two P-384 decoys take 6 units, three take 9: then the real path does not fit.
    const dear = decoys(3, "p384");
    await build(dear.slice(0, 2));
    await refused(build(dear), "MaximumSignatureChecksExceeded");
  });

  it("defaults to 48 units: 46 P-256 decoys fit beside the real path, 47 do not", async () => {
    const root = pki.root("Default Budget Root");
    const inter = ca(root, "Default Budget Intermediate");
    const leaf = parseCertificate(pki.leaf(inter, "DNS:www.example.com").der);
    const anchors = trusting(root).roots;
    const decoys = Array.from(
      { length: 47 },
      () => parseCertificate(pki.intermediate(root, "Default Budget Intermediate", "p256").der),
    );
    const build = (n: number) =>
      buildPath(leaf, [...decoys.slice(0, n), parseCertificate(inter.der)], anchors, {
        now: now.getTime(),
        eku: Eku.serverAuth,
        verifiers: signatureVerifiers,
      });
    await build(46);
    await refused(build(47), "MaximumSignatureChecksExceeded");
  });
});
