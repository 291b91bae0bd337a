// Issue 18 item 5, Firefox half: Debian's Firefox ESR (its own TLS stack,
// NSS) loads https://localhost:<port>/ from our HTTPS page server (acceptTls
// over node:net, tests/peers/_https_page_server.ts) with a fresh profile that
// trusts the test CA (certutil) and stays off the network, and writes a
// headless screenshot. Checked: a TLS 1.3 handshake with Firefox (suite, group,
// ALPN and Firefox's offer logged), the GET reaching us, and the screenshot
// decoding to mostly the page's solid colour. Runs under Deno and Bun (both
// spawn Firefox through node:child_process). Firefox or certutil missing:
// skipped by hand, failed when CI=true. The encrypted_client_hello extension
// in Firefox's offer is GREASE ECH: no ECHConfig is published for localhost.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testPki } from "../examples/_certgen.ts";
import { describeOffer } from "./_client_hello_offer.ts";
import { decodePng, screenshotShare, shareOfColour } from "./_png.ts";
import {
  FIREFOX,
  firefoxMissing,
  firefoxScreenshot,
  makeFirefoxProfile,
} from "./peers/_firefox.ts";
import {
  colourPage,
  type HttpsPageServer,
  type PageConnection,
  startPageServerFor,
} from "./peers/_https_page_server.ts";

const skip = firefoxMissing() ?? false;
if (skip) console.warn(`firefox_test: skipped by hand: ${skip}`);

/** Per test: Firefox's own bound (FIREFOX_TIMEOUT_MS) plus the profile and the checks. */
const timeout = 55_000;
const FIREFOX_TIMEOUT_MS = 45_000;
const WIDTH = 800;
const HEIGHT = 600;
/** The page's colour: no browser chrome or error page is this green. */
const COLOUR: [number, number, number] = [18, 166, 94];
const PAGE = colourPage(COLOUR, "served by kerneltls acceptTls");

/** What one Firefox run did: its exit, the connections it made and the screenshot. */
interface Load {
  exited: boolean;
  code: number | null;
  connections: PageConnection[];
  failures: string[];
  png: Uint8Array | undefined;
  report: string;
}

describe("Firefox ESR (NSS) loads a page from acceptTls", () => {
  let dir: string;
  let caPem: string;
  let server: HttpsPageServer;

  before(async () => {
    if (skip) return;
    dir = mkdtempSync(join(tmpdir(), "kerneltls-firefox-"));
    // Firefox resolves localhost itself (to 127.0.0.1 with IPv6 off); the
    // certificate names both.
    const { ca, leaf } = await testPki(["localhost", "127.0.0.1"]);
    caPem = ca.certPem;
    server = await startPageServerFor(leaf, { "/": PAGE });
  });

  after(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs Firefox once with a new profile (trusting the test CA or not) on our page. */
  async function load(name: string, trustCa: boolean, stopWhen?: Promise<unknown>): Promise<Load> {
    const profile = join(dir, name);
    mkdirSync(profile);
    await makeFirefoxProfile(profile, trustCa ? caPem : undefined);
    const png = join(dir, `${name}.png`);
    const [seen, failed] = [server.connections.length, server.failures.length];
    const run = await firefoxScreenshot(profile, `https://localhost:${server.port}/`, png, {
      width: WIDTH,
      height: HEIGHT,
      timeoutMs: FIREFOX_TIMEOUT_MS,
      stopWhen,
    });
    const failures = server.failures.slice(failed);
    return {
      exited: run.exited,
      code: run.code,
      connections: server.connections.slice(seen),
      failures,
      png: existsSync(png) ? new Uint8Array(readFileSync(png)) : undefined,
      report: `Firefox (${FIREFOX}) exited ${run.code}; output:\n${run.output}\n` +
        `server failures: ${JSON.stringify(failures)}`,
    };
  }

  it("TLS 1.3 handshake, the GET, and a screenshot of the page", { skip, timeout }, async () => {
    const run = await load("trusting", true);
    const page = run.connections.find((c) => c.requestLine === "GET / HTTP/1.1");
    assert.ok(page, `the GET never reached our server\n${run.report}`);
    assert.equal(page.protocolVersion, "TLSv1_3");
    assert.equal(page.serverName, "localhost");
    assert.ok(page.cipherSuite, "no cipher suite");
    assert.ok(page.group, "no key exchange group");
    // Firefox offers h2 and http/1.1; our server speaks only http/1.1.
    assert.deepEqual(page.offer.alpn, ["h2", "http/1.1"]);
    assert.equal(page.alpn, "http/1.1");
    console.log(
      `Firefox -> acceptTls: ${page.protocolVersion} ${page.cipherSuite} ${page.group} ` +
        `ALPN ${page.alpn}; ${run.connections.length} connection(s), ` +
        `failures ${JSON.stringify(run.failures)}; Firefox offered:\n${describeOffer(page.offer)}`,
    );

    assert.ok(run.exited && run.code === 0, run.report);
    assert.ok(run.png, `no screenshot\n${run.report}`);
    assert.ok(run.png.length > 1000, `screenshot is only ${run.png.length} bytes`);
    const { share, summary } = await screenshotShare(run.png, WIDTH, HEIGHT, COLOUR);
    console.log(summary);
    assert.ok(
      share > 0.9,
      `only ${(share * 100).toFixed(1)}% of the screenshot is the page colour`,
    );
  });

  it("without the test CA in the profile: Firefox refuses our certificate, no GET", {
    skip,
    timeout,
  }, async () => {
    // Firefox stays on its error page (no screenshot, no exit): stopped once our handshake failed.
    const run = await load("untrusting", false, server.nextFailure());
    assert.deepEqual(run.connections.filter((c) => c.requestLine !== undefined), [], run.report);
    // NSS finds no issuer for our certificate: unknown_ca (RFC 8446 6.2).
    assert.ok(
      run.failures.some((f) => f.startsWith("handshake: ") && f.includes("unknown_ca")),
      `no handshake refused with unknown_ca\n${run.report}`,
    );
    console.log(`Firefox without the CA: ${JSON.stringify(run.failures)}`);
    // Firefox has not screenshot its error page so far; if it does, it must not pass for ours.
    if (run.png) {
      const share = shareOfColour(await decodePng(run.png), COLOUR);
      assert.ok(share < 0.1, `${(share * 100).toFixed(1)}% page colour on the error page`);
    }
  });
});
