// Issue 17 item 1: the bundled Mozilla roots (@kerneltls/tls/roots). Every
// anchor parses; the committed set is the one Debian's ca-certificates has on
// this machine (CI fails loudly, saying how to refresh, when they differ); and
// the real-world chains of x509-limbo's online cases validate against the
// bundled store at each case's validation time.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import process from "node:process";
import {
  buildMozillaRoots,
  MOZILLA_ROOTS_SOURCE,
  mozillaRootCertificates,
  mozillaRoots,
} from "../src/roots/mozilla_roots.ts";
import { ANCHORS } from "../src/roots/_mozilla_data.ts";
import { parseCertificate } from "../src/webpki/x509.ts";
import { certificatesFromPem, RootCertStore } from "../src/webpki/root_store.ts";
import { WebPkiServerVerifier } from "../src/webpki/verifier.ts";
import { packageVersion, readAnchors, SOURCE_DIR } from "../scripts/gen_roots.ts";
import { readVectorJson, vectorPath } from "./_vectors.ts";

const REFRESH = "refresh with: deno run --allow-read --allow-write --allow-run " +
  "scripts/gen_roots.ts, then review and commit src/roots/_mozilla_data.ts";

interface OnlineCase {
  id: string;
  peer_certificate: string;
  untrusted_intermediates: string[];
  validation_time: string;
  expected_peer_name: { kind: string; value: string };
}

describe("issue 17 item 1: @kerneltls/tls/roots", () => {
  it("every bundled anchor parses, once, into one shared store", () => {
    const ders = mozillaRootCertificates();
    assert.equal(ders.length, MOZILLA_ROOTS_SOURCE.count);
    assert.ok(ders.length > 100, `only ${ders.length} anchors`);
    for (const [i, der] of ders.entries()) {
      assert.doesNotThrow(() => parseCertificate(der), ANCHORS[i][0]);
    }
    const store = mozillaRoots();
    assert.equal(store.size, ders.length, "no duplicates and none skipped");
    assert.equal(mozillaRoots(), store, "parsed once");
    assert.notEqual(buildMozillaRoots(), store);
    assert.match(MOZILLA_ROOTS_SOURCE.version, /^\d{8}/);
    assert.match(MOZILLA_ROOTS_SOURCE.generated, /^\d{4}-\d{2}-\d{2}$/);
  });

  const installed = existsSync(SOURCE_DIR);
  if (!installed && process.env.CI === "true") {
    throw new Error(`CI needs Debian's ca-certificates (${SOURCE_DIR} is missing)`);
  }
  it("the committed set is the one ca-certificates installs here", {
    skip: installed ? false : `${SOURCE_DIR} missing: skipping (by hand only; CI fails instead)`,
  }, () => {
    const local = readAnchors();
    const version = packageVersion();
    const committed = ANCHORS.map(([name, b64]) => [name, b64]);
    const onlyHere = local.filter(([n]) => !ANCHORS.some(([m]) => m === n)).map(([n]) => n);
    const onlyCommitted = ANCHORS.filter(([n]) => !local.some(([m]) => m === n)).map(([n]) => n);
    assert.deepEqual(
      committed,
      local,
      `bundled roots (ca-certificates ${MOZILLA_ROOTS_SOURCE.version}) differ from ${SOURCE_DIR} ` +
        `(ca-certificates ${version}): only here ${JSON.stringify(onlyHere)}, only committed ` +
        `${JSON.stringify(onlyCommitted)}; ${REFRESH}`,
    );
    assert.equal(
      version,
      MOZILLA_ROOTS_SOURCE.version,
      `same anchors, but the header names another version; ${REFRESH}`,
    );
  });

  const dir = vectorPath("x509-limbo/online");
  const cases = readdirSync(dir).filter((f) => f.endsWith(".json")).sort().map((f) =>
    readVectorJson<OnlineCase>(`x509-limbo/online/${f}`)
  );
  it("has the 14 online cases", () => assert.equal(cases.length, 14));
  for (const tc of cases) {
    it(`${tc.id} validates against the bundled roots at ${tc.validation_time}`, async () => {
      const verifier = new WebPkiServerVerifier({ roots: mozillaRoots() });
      await verifier.verifyServerCert(
        certificatesFromPem(tc.peer_certificate)[0],
        tc.untrusted_intermediates.map((p) => certificatesFromPem(p)[0]),
        tc.expected_peer_name.value,
        new Date(tc.validation_time),
      );
      // And the same chain is refused without its anchor: the store decides.
      const empty = new WebPkiServerVerifier({ roots: new RootCertStore() });
      await assert.rejects(
        empty.verifyServerCert(
          certificatesFromPem(tc.peer_certificate)[0],
          tc.untrusted_intermediates.map((p) => certificatesFromPem(p)[0]),
          tc.expected_peer_name.value,
          new Date(tc.validation_time),
        ),
      );
    });
  }
});
