// Issue 18 item 5, Chromium half: Debian's headless Chromium (its own TLS
// stack, BoringSSL) loads https://localhost:<port>/ from our HTTPS page server
// (acceptTls over node:net, tests/peers/_https_page_server.ts), driven by
// playwright-core in this process (tests/peers/_chromium.ts). Chromium trusts
// exactly our leaf's key, `--ignore-certificate-errors-spki-list=<base64
// SHA-256 of its SubjectPublicKeyInfo>`, never --ignore-certificate-errors; a
// second run pinned to another key's hash is refused. Checked: a TLS 1.3
// handshake with Chromium (suite, group, ALPN and BoringSSL's offer: GREASE,
// an X25519MLKEM768 share, compress_certificate, ALPS, GREASE ECH, logged),
// the GET reaching us, the DOM Chromium built (an element's text) and the
// pixels of its screenshot. Runs under Deno and Bun. Chromium or
// playwright-core missing: skipped by hand, failed when CI=true.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCertificate } from "../src/webpki/x509.ts";
import { testPki } from "../examples/_certgen.ts";
import { describeOffer } from "./_client_hello_offer.ts";
import { screenshotShare } from "./_png.ts";
import { CHROMIUM, chromiumMissing, launchChromium } from "./peers/_chromium.ts";
import {
  colourPage,
  type HttpsPageServer,
  type PageConnection,
  startPageServerFor,
} from "./peers/_https_page_server.ts";

const skip = chromiumMissing() ?? false;
if (skip) console.warn(`chromium_https_test: skipped by hand: ${skip}`);

const timeout = 60_000;
const PAGE_TIMEOUT_MS = 20_000;
const WIDTH = 800;
const HEIGHT = 600;
/** The page's colour: no browser chrome or interstitial is this blue. */
const COLOUR: [number, number, number] = [32, 84, 196];
const TEXT = "served by kerneltls acceptTls to Chromium";
const PAGE = colourPage(COLOUR, TEXT);

/** The value Chromium's --ignore-certificate-errors-spki-list takes for `certDer`. */
async function spkiHash(certDer: Uint8Array): Promise<string> {
  const spki = parseCertificate(certDer).spki as Uint8Array<ArrayBuffer>;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", spki));
  return btoa(String.fromCharCode(...digest));
}

/** What one Chromium run did: the page's answer or error, and our server's view. */
interface Load {
  status?: number;
  protocol?: string;
  text?: string | null;
  png?: Uint8Array;
  error?: string;
  version: string;
  connections: PageConnection[];
  failures: string[];
}

describe("headless Chromium (BoringSSL) loads a page from acceptTls", () => {
  let dir: string;
  let leafPin: string;
  let otherPin: string;
  let server: HttpsPageServer;

  before(async () => {
    if (skip) return;
    dir = mkdtempSync(join(tmpdir(), "kerneltls-chromium-https-"));
    const { leaf } = await testPki(["localhost", "127.0.0.1"]);
    leafPin = await spkiHash(leaf.certDer);
    otherPin = await spkiHash((await testPki(["localhost"])).leaf.certDer);
    server = await startPageServerFor(leaf, { "/": PAGE });
  });

  after(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs Chromium once with a fresh profile that trusts the key hashed to `pin`. */
  async function load(name: string, pin: string): Promise<Load> {
    const [seen, failed] = [server.connections.length, server.failures.length];
    const context = await launchChromium(
      join(dir, name),
      [`--ignore-certificate-errors-spki-list=${pin}`],
      { width: WIDTH, height: HEIGHT },
    );
    const run: Load = {
      version: context.browser()?.version() ?? "?",
      connections: [],
      failures: [],
    };
    try {
      const page = await context.newPage();
      try {
        const response = await page.goto(`https://localhost:${server.port}/`, {
          timeout: PAGE_TIMEOUT_MS,
        });
        run.status = response?.status();
        run.protocol = (await response?.securityDetails())?.protocol;
        run.text = await page.textContent("#served", { timeout: PAGE_TIMEOUT_MS });
        run.png = await page.screenshot({ timeout: PAGE_TIMEOUT_MS });
      } catch (e) {
        run.error = e instanceof Error ? e.message : String(e);
      }
    } finally {
      // Ends the Chromium process playwright started, whatever happened above.
      await context.close();
    }
    run.connections = server.connections.slice(seen);
    run.failures = server.failures.slice(failed);
    return run;
  }

  const report = (run: Load) =>
    `Chromium ${run.version} (${CHROMIUM}): status ${run.status}, error ${run.error}\n` +
    `server failures: ${JSON.stringify(run.failures)}`;

  it("pinned to our leaf's key: TLS 1.3, the GET, the DOM and a screenshot", {
    skip,
    timeout,
  }, async () => {
    const run = await load("pinned", leafPin);
    const page = run.connections.find((c) => c.requestLine === "GET / HTTP/1.1");
    assert.ok(page, `the GET never reached our server\n${report(run)}`);
    assert.equal(page.protocolVersion, "TLSv1_3");
    assert.equal(page.serverName, "localhost");
    assert.ok(page.cipherSuite, "no cipher suite");
    assert.ok(page.group, "no key exchange group");
    // Chromium offers h2 and http/1.1; our server speaks only http/1.1.
    assert.deepEqual(page.offer.alpn, ["h2", "http/1.1"]);
    assert.equal(page.alpn, "http/1.1");
    console.log(
      `Chromium ${run.version} -> acceptTls: ${page.protocolVersion} ${page.cipherSuite} ` +
        `${page.group} ALPN ${page.alpn}; ${run.connections.length} connection(s), ` +
        `failures ${JSON.stringify(run.failures)}; Chromium offered:\n${describeOffer(page.offer)}`,
    );

    // BoringSSL's offer: GREASE (RFC 8701) among suites, groups, key shares
    // and extensions; a post-quantum hybrid share; certificate compression
    // (RFC 8879); ALPS; GREASE ECH (no ECHConfig exists for localhost).
    const o = page.offer;
    const lists = {
      suites: o.suites,
      groups: o.groups,
      keyShares: o.keyShares,
      exts: o.extensions,
    };
    for (const [what, list] of Object.entries(lists)) {
      assert.ok(list.some((v) => v.startsWith("GREASE")), `no GREASE in the ${what}: ${list}`);
    }
    assert.ok(o.keyShares.includes("X25519MLKEM768(1216)"), `key shares ${o.keyShares}`);
    // We picked a group Chromium sent a share for: no HelloRetryRequest.
    assert.ok(o.keyShares.some((s) => s.startsWith(`${page.group}(`)), `group ${page.group}`);
    for (const ext of ["compress_certificate", "encrypted_client_hello"]) {
      assert.ok(o.extensions.includes(ext), `no ${ext} in ${o.extensions}`);
    }
    assert.ok(
      o.extensions.some((e) => e.startsWith("application_settings")),
      `no ALPS in ${o.extensions}`,
    );

    assert.equal(run.error, undefined, report(run));
    assert.equal(run.status, 200);
    assert.equal(run.protocol, "TLS 1.3", "Chromium's own view of the connection");
    assert.equal(run.text, TEXT, "the element Chromium rendered");
    assert.ok(run.png, `no screenshot\n${report(run)}`);
    const { share, summary } = await screenshotShare(run.png, WIDTH, HEIGHT, COLOUR);
    console.log(`DOM #served: ${JSON.stringify(run.text)}; ${summary}`);
    assert.ok(
      share > 0.9,
      `only ${(share * 100).toFixed(1)}% of the screenshot is the page colour`,
    );
  });

  it("pinned to another key: Chromium refuses our certificate, no GET", {
    skip,
    timeout,
  }, async () => {
    const run = await load("mispinned", otherPin);
    assert.match(run.error ?? "", /net::ERR_CERT_AUTHORITY_INVALID/, report(run));
    assert.equal(run.text, undefined);
    assert.deepEqual(run.connections.filter((c) => c.requestLine !== undefined), [], report(run));
    assert.ok(
      // BoringSSL answers a certificate its verifier rejected with certificate_unknown.
      run.failures.some((f) => f.startsWith("handshake: ") && f.includes("certificate_unknown")),
      `no handshake refused with certificate_unknown\n${report(run)}`,
    );
    console.log(
      `Chromium pinned to another key: ${run.error?.split("\n")[0]}; ` +
        `server: ${JSON.stringify(run.failures)}`,
    );
  });
});
