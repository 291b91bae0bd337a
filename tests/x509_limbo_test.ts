// x509-limbo: every path-validation case in ../shared/vectors/x509-limbo,
// evaluated with WebPkiServerVerifier, summarised per category.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { readVectorJson, vectorPath } from "./_vectors.ts";
import { TlsError } from "../src/error.ts";
import { CertRevocationList } from "../src/webpki/crl.ts";
import { certificatesFromPem, RootCertStore } from "../src/webpki/root_store.ts";
import { WebPkiServerVerifier } from "../src/webpki/verifier.ts";

interface LimboCase {
  id: string;
  features: string[] | null;
  validation_kind: string;
  trusted_certs: string[];
  untrusted_intermediates: string[];
  peer_certificate: string;
  validation_time: string | null;
  signature_algorithms: string[] | null;
  key_usage: string[] | null;
  extended_key_usage: string[] | null;
  expected_result: "SUCCESS" | "FAILURE";
  expected_peer_name: { kind: string; value: string } | null;
  max_chain_depth: number | null;
  crls?: string[];
}

// Deliberate differences from the expected result, each with its reason.
// Everything else that disagrees with limbo is a bug and fails this suite.
const ALLOWED: Record<string, string> = {
  // RFC 5280 says a permitted-only, non-critical NameConstraints is invalid;
  // the Web PKI (and webpki::nc::permitted-dns-match-noncritical) accepts it.
  "rfc5280::nc::permitted-dns-match-noncritical": "follows the webpki profile",
  // Pedantic: a cross-signed root used as a trust anchor needs no AKI for us;
  // trust anchors are trusted as configured.
  "rfc5280::aki::cross-signed-root-missing-aki": "pedantic-rfc5280: anchors are not re-checked",
  // Trust anchors are trusted as configured: Debian's ca-certificates bundle
  // holds roots with a non-critical basicConstraints, without SKI, and with
  // AKI issuer+serial, so these RFC 5280 / CA/B Forum profile rules apply to
  // intermediates and leaves only (rustls-webpki does not check anchors either).
  "rfc5280::ski::root-missing-ski": "anchor profile not enforced",
  "rfc5280::root-non-critical-basic-constraints": "anchor profile not enforced",
  "webpki::aki::root-with-aki-all-fields": "anchor profile not enforced",
  // Pedantic webpki EKU rules: we accept a leaf without EKU (RFC 5280 allows
  // it) and EKU on a root (anchors are trusted as configured).
  "webpki::eku::ee-without-eku": "pedantic-webpki-eku: RFC 5280 allows no EKU",
  "webpki::eku::root-has-eku": "anchor profile not enforced",
  // The leaf is a CA certificate. RFC 5280 allows a CA as the last certificate;
  // the Web PKI profile (CA/B Forum 7.1.2.7.8, rustls-webpki) refuses it, and so
  // do we (webpki::ee-basicconstraints-ca expects that).
  "pathlen::validation-ignores-pathlen-in-leaf": "end-entity CA refused (webpki profile)",
  // name-constraint-dn: the leaf's only SAN is DirName:/CN=foo, so it names no
  // DNS host and cannot be valid for example.com under SAN-only matching. (The
  // directoryName constraint itself passes; see the other dn cases.)
  "rfc5280::nc::permitted-dn-match": "no dNSName SAN, so no server name can match",
};

type Outcome = "passed" | "failed" | "unsupported";

async function runCase(tc: LimboCase): Promise<{ outcome: Outcome; why: string }> {
  if (tc.validation_kind !== "SERVER") return { outcome: "unsupported", why: "client validation" };
  if (!tc.expected_peer_name) return { outcome: "unsupported", why: "no peer name" };
  const extraEku = (tc.extended_key_usage ?? []).filter((e) => e !== "serverAuth");
  if (extraEku.length) return { outcome: "unsupported", why: `EKU ${extraEku}` };
  const roots = new RootCertStore();
  for (const pem of tc.trusted_certs) {
    try {
      roots.add(certificatesFromPem(pem)[0]);
    } catch {
      // An anchor that does not parse cannot be used.
    }
  }
  // A CRL that does not parse cannot be used, as an anchor that does not parse.
  const crls: CertRevocationList[] = [];
  for (const pem of tc.crls ?? []) {
    try {
      crls.push(...CertRevocationList.fromPem(pem));
    } catch {
      // skipped on purpose
    }
  }
  const verifier = new WebPkiServerVerifier({
    roots,
    maxIntermediates: tc.max_chain_depth ?? undefined,
    // The defaults: every certificate but the anchor, unknown status denied,
    // expired CRLs refused.
    revocation: crls.length > 0 ? { crls } : undefined,
  });
  const now = tc.validation_time ? new Date(tc.validation_time) : new Date();
  let result: "SUCCESS" | "FAILURE" = "SUCCESS";
  let why = "";
  try {
    await verifier.verifyServerCert(
      certificatesFromPem(tc.peer_certificate)[0],
      tc.untrusted_intermediates.map((p) => certificatesFromPem(p)[0]),
      tc.expected_peer_name.value,
      now,
    );
  } catch (e) {
    if (!(e instanceof TlsError)) throw e;
    result = "FAILURE";
    why = `${e.detail}: ${e.message}`;
  }
  if (result === tc.expected_result) return { outcome: "passed", why };
  return { outcome: "failed", why: why || "accepted" };
}

function category(tc: LimboCase, file: boolean): string {
  return file ? "online (files)" : tc.id.split("::")[0];
}

describe("x509-limbo", () => {
  const limbo = readVectorJson<{ testcases: LimboCase[] }>("x509-limbo/limbo.json").testcases;
  const onlineDir = vectorPath("x509-limbo/online");
  const online = readdirSync(onlineDir).filter((f) => f.endsWith(".json")).sort().map((f) =>
    readVectorJson<LimboCase>(`x509-limbo/online/${f}`)
  );

  it("has the expected number of cases", () => {
    assert.equal(limbo.length, 135);
    assert.equal(online.length, 14);
  });

  it("matches every expected result except the documented differences", async () => {
    const table = new Map<string, Record<Outcome, number>>();
    const problems: string[] = [];
    const unexpectedPasses: string[] = [];
    const all = [
      ...limbo.map((c) => [c, false] as const),
      ...online.map((c) => [c, true] as const),
    ];
    for (const [tc, file] of all) {
      const { outcome, why } = await runCase(tc);
      const cat = category(tc, file);
      const row = table.get(cat) ?? { passed: 0, failed: 0, unsupported: 0 };
      row[outcome]++;
      table.set(cat, row);
      if (outcome === "unsupported") console.log(`  not supported ${tc.id}: ${why}`);
      if (outcome === "failed") {
        const allowed = ALLOWED[tc.id];
        console.log(
          `  failed ${tc.id} (expected ${tc.expected_result}): ${why}` +
            (allowed ? ` [allowed: ${allowed}]` : ""),
        );
        if (!allowed || file) problems.push(`${tc.id}: expected ${tc.expected_result}, ${why}`);
      } else if (ALLOWED[tc.id]) {
        unexpectedPasses.push(tc.id);
      }
    }
    console.log("  category         passed  failed  not-supported");
    for (const [cat, r] of table) {
      console.log(
        `  ${cat.padEnd(16)} ${String(r.passed).padStart(6)}  ${String(r.failed).padStart(6)}  ${
          String(r.unsupported).padStart(13)
        }`,
      );
    }
    assert.deepEqual(problems, []);
    // Keep the allow-list honest: an entry that now passes must be removed.
    assert.deepEqual(unexpectedPasses, []);
  });

  for (const tc of online) {
    it(`online chain ${tc.id} validates at ${tc.validation_time}`, async () => {
      const { outcome, why } = await runCase(tc);
      assert.equal(outcome, "passed", why);
    });
  }
});
