// The library bundled for the browser runs in headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core from tests/peers/browser_driver.mjs
// under Node; no browser is downloaded):
// - tests/browser/memory.js: client <-> server in memory for the three TLS 1.3
//   suites, hand-off on both sides, data both ways through KernelRecordLayer;
// - tests/browser/ws.js: connectTls over a WebSocket, through examples/ws_bridge.ts,
//   to `openssl s_server -rev`.
// Deno only (Deno.serve). playwright-core is looked up in $KERNELTLS_PLAYWRIGHT_DIR
// (default: <tmpdir>/kerneltls-playwright, tests/peers/_chromium.ts), installed there with
// `npm install --no-save --prefix <dir> playwright-core@1`. Missing pieces skip
// the tests, except in CI (CI=true) where they fail.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { testPki } from "../examples/_certgen.ts";
import { peerMissing, PeerProcess } from "./peers/_spawn.ts";
import { OpenSslServer } from "./peers/_openssl_server.ts";
import { bundleLibrary } from "./_bundle.ts";
import { chromiumMissing, PW_DIR } from "./peers/_chromium.ts";

const PAGES = fileURLToPath(new URL("./browser/", import.meta.url));
const DRIVER = fileURLToPath(new URL("./peers/browser_driver.mjs", import.meta.url));
const TEST_TIMEOUT_MS = 30_000;

const skip: string | false = typeof Deno === "undefined"
  ? "the browser tests need Deno.serve and deno bundle; run them under Deno"
  : peerMissing("node") ?? chromiumMissing() ?? false;
if (skip) console.warn(`browser_test: skipped: ${skip}`);
const noOpenssl = skip || (peerMissing("openssl", ["version"]) ?? false);

/** Rejects when `p` takes longer than `ms`, so that no step can hang the suite. */
function bounded<T>(p: Promise<T>, what: string, ms = TEST_TIMEOUT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result in ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

interface Fixture {
  dir: string;
  bundle: Uint8Array;
  caPem: string;
  certPem: string;
  keyPem: string;
}

let fixture: Fixture | undefined;

function bundle(dir: string): Uint8Array {
  // The record layer and the WebSocket transport join the package root and
  // the streams adapter.
  return readFileSync(bundleLibrary(dir, [
    ["KernelRecordLayer", "src/kernel/record_layer.ts"],
    ["webSocketTransport", "examples/_ws_transport.ts"],
  ]));
}

/**
 * Serves the pages, the bundle and `params` (as /params.json) on 127.0.0.1,
 * runs the driver on `page`, and returns the page's `__result` and the
 * driver's output.
 */
async function runPage(
  page: string,
  params: Record<string, unknown>,
): Promise<{ result: Record<string, unknown>; output: string }> {
  const f = fixture!;
  const files: Record<string, [string, () => BodyInit]> = {
    "/kerneltls.mjs": ["text/javascript", () => f.bundle as Uint8Array<ArrayBuffer>],
    "/params.json": ["application/json", () => JSON.stringify(params)],
  };
  for (const name of ["memory.html", "memory.js", "ws.html", "ws.js"]) {
    const type = name.endsWith(".html") ? "text/html" : "text/javascript";
    files[`/${name}`] = [type, () => readFileSync(join(PAGES, name), "utf8")];
  }
  const { promise: listening, resolve } = Promise.withResolvers<number>();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: ({ port }) => resolve(port),
  }, (req) => {
    const entry = files[new URL(req.url).pathname];
    if (!entry) return new Response("not found\n", { status: 404 });
    return new Response(entry[1](), {
      headers: { "content-type": `${entry[0]}; charset=utf-8`, "cache-control": "no-store" },
    });
  });
  const driver = new PeerProcess("node", [
    DRIVER,
    PW_DIR,
    `http://127.0.0.1:${await listening}/${page}`,
  ], { detached: true });
  try {
    const code = await driver.waitExit(TEST_TIMEOUT_MS);
    assert.equal(code, 0, `browser driver failed:\n${driver.output}`);
    const m = driver.output.match(/^RESULT \S+ (.*)$/m);
    assert.ok(m, `no RESULT line:\n${driver.output}`);
    const result = JSON.parse(m[1]) as Record<string, unknown>;
    assert.equal(result.ok, true, `page failed: ${result.error}\n${driver.output}`);
    return { result, output: driver.output };
  } finally {
    // Kills node and the Chromium it launched (one process group) if still running.
    await driver.stop();
    await bounded(server.shutdown(), "page server shutdown");
  }
}

describe("headless Chromium", { timeout: 3 * TEST_TIMEOUT_MS }, () => {
  before(async () => {
    if (skip) return;
    const dir = mkdtempSync(join(tmpdir(), "kerneltls-browser-"));
    const { ca, leaf } = await testPki(["localhost"]);
    fixture = {
      dir,
      bundle: bundle(dir),
      caPem: ca.certPem,
      certPem: leaf.certPem,
      keyPem: leaf.keyPem,
    };
  });

  after(() => {
    if (fixture) rmSync(fixture.dir, { recursive: true, force: true });
  });

  it("in memory: all three TLS 1.3 suites, hand-off, data through KernelRecordLayer", {
    skip,
    timeout: TEST_TIMEOUT_MS + 5_000,
  }, async () => {
    const f = fixture!;
    const { result } = await runPage("memory.html", {
      caPem: f.caPem,
      certPem: f.certPem,
      keyPem: f.keyPem,
    });
    const suites = result.suites as Record<string, unknown>[];
    assert.deepEqual(
      suites.map((s) => s.suite),
      ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"],
    );
    for (const s of suites) {
      assert.equal(s.serverSuite, s.suite);
      assert.equal(s.protocolVersion, "TLSv1_3");
      assert.equal(s.handshakeKind, "Full");
      assert.equal(typeof s.group, "string", `no negotiated group: ${JSON.stringify(s)}`);
      assert.equal(s.upOk, true, `client -> server data mismatch: ${JSON.stringify(s)}`);
      assert.equal(s.downOk, true, `server -> client data mismatch: ${JSON.stringify(s)}`);
      assert.equal(s.clientTxSeq, s.serverRxSeq);
      // 20000 bytes at 16384 per record: two records after the handshake's.
      assert.equal(BigInt(s.serverRxSeq as string) >= 2n, true);
    }
    console.log(
      `${result.userAgent}: Web Crypto ML-KEM ` +
        `${result.webCryptoMlKem ? "present" : "absent"}; groups: ` +
        suites.map((s) => `${s.suite} ${s.group}`).join(", "),
    );
  });

  it("through the WebSocket bridge to openssl s_server -rev", {
    skip: noOpenssl,
    timeout: TEST_TIMEOUT_MS + 5_000,
  }, async () => {
    const f = fixture!;
    const { startWsBridge } = await import("../examples/ws_bridge.ts");
    writeFileSync(join(f.dir, "cert.pem"), f.certPem);
    writeFileSync(join(f.dir, "key.pem"), f.keyPem);
    const openssl = await OpenSslServer.start([
      "-cert",
      join(f.dir, "cert.pem"),
      "-key",
      join(f.dir, "key.pem"),
      "-rev",
    ]);
    const bridge = await startWsBridge({ allowedHosts: ["127.0.0.1"] });
    try {
      const line = "kerneltls from chromium";
      const { result } = await runPage("ws.html", {
        caPem: f.caPem,
        wsUrl: bridge.urlFor("127.0.0.1", openssl.port),
        line,
      });
      assert.equal(result.protocolVersion, "TLSv1_3");
      assert.equal(result.echoed, [...line].reverse().join(""));
      console.log(`chromium -> bridge -> openssl: ${result.suite} ${result.group}`);
    } finally {
      await bounded(bridge.close(), "bridge close");
      await openssl.stop();
    }
  });
});
