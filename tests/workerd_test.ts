// Issue 17: our client inside a real Cloudflare Workers runtime. The library
// and examples/worker/worker.ts are bundled into one ESM file (deno bundle),
// served by workerd (npm package `workerd`, installed by .ci/run outside the
// repo) on 127.0.0.1 with `connect()` allowed to loopback; the Worker opens a
// TCP socket to `openssl s_server -www`, runs TLS 1.3 over it with a private
// CA from a text binding, and returns what the server answered. A second
// Worker with another CA must refuse the server (unknown_ca).
// Skipped when workerd, deno or openssl is missing, except in CI.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type AddressInfo, createServer } from "node:net";
import { Buffer } from "node:buffer";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestCert, TestPki } from "./_pki.ts";
import { peerMissing } from "./peers/_spawn.ts";
import { OpenSslServer } from "./peers/_openssl_server.ts";
import { freePort } from "./peers/_free_port.ts";
import { bundleWorker, serveWorkerd, workerdMissing } from "./peers/_workerd.ts";

const missing = workerdMissing() ?? peerMissing("deno", ["--version"]) ??
  peerMissing("openssl", ["version"]);
if (missing) console.warn(missing);

function capnp(port: number, otherPort: number): string {
  const worker = (ca: string) =>
    `(modules = [(name = "worker.mjs", esModule = embed "worker.mjs")],
      compatibilityDate = "2025-01-01", globalOutbound = "loopback",
      bindings = [(name = "CA_PEM", text = embed "${ca}")])`;
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = ${worker("ca.pem")}),
    (name = "other", worker = ${worker("other-ca.pem")}),
    (name = "loopback", network = (allow = ["local"])),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:${port}", http = (), service = "main"),
    (name = "other", address = "127.0.0.1:${otherPort}", http = (), service = "other"),
  ],
);
`;
}

describe(
  "issue 17: our client inside workerd (Cloudflare Workers runtime)",
  { skip: missing },
  () => {
    let dir: string;
    let pki: TestPki;
    let leaf: TestCert;
    const procs: { stop(): Promise<void> }[] = [];
    let workerPort = 0;
    let otherPort = 0;
    let tlsPort = 0;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "kerneltls-workerd-"));
      bundleWorker("examples/worker/worker.ts", join(dir, "worker.mjs"));
      pki = new TestPki();
      const ca = pki.root("kerneltls workerd CA");
      leaf = pki.leaf(ca, "DNS:localhost");
      copyFileSync(ca.certPath, join(dir, "ca.pem"));
      const other = pki.root("kerneltls workerd other CA");
      copyFileSync(other.certPath, join(dir, "other-ca.pem"));
      const s = await OpenSslServer.start(["-cert", leaf.certPath, "-key", leaf.keyPath, "-www"]);
      procs.push(s);
      tlsPort = s.port;
      workerPort = await freePort();
      otherPort = await freePort();
      writeFileSync(join(dir, "config.capnp"), capnp(workerPort, otherPort));
      procs.push(
        await serveWorkerd([join(dir, "config.capnp")], `http://127.0.0.1:${workerPort}/?port=1`),
      );
    });

    after(async () => {
      for (const p of procs) await p.stop();
      pki?.cleanup();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("fetches over TLS 1.3 from openssl s_server through connect()", async () => {
      const r = await fetch(`http://127.0.0.1:${workerPort}/?port=${tlsPort}`);
      const body = await r.text();
      assert.equal(r.status, 200, body);
      assert.match(body, /^kerneltls in workerd: TLSv1_3 TLS_AES_\d+_GCM_SHA\d+$/m);
      // s_server -www answers with a page that describes the connection.
      assert.match(body, /HTTP\/1\.0 200 ok/);
      assert.match(body, /Protocol\s*: TLSv1\.3/);
      assert.match(body, /\nclosed cleanly\n$/, "tls.closed resolved");
    });

    it("gives up a handshake the server never answers (HandshakeTimeout, alerts sent)", async () => {
      // A TCP server that accepts, never answers, and records what it gets until EOF.
      const received: Buffer[] = [];
      let ended!: () => void;
      const eof = new Promise<void>((resolve) => (ended = resolve));
      const silent = createServer((socket) => {
        socket.on("data", (chunk) => received.push(chunk));
        socket.on("end", () => {
          socket.end();
          ended();
        });
        socket.on("error", () => {});
      });
      await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
      try {
        const { port } = silent.address() as AddressInfo;
        const r = await fetch(`http://127.0.0.1:${workerPort}/?port=${port}&timeoutMs=300`);
        const body = await r.text();
        assert.equal(r.status, 502, body);
        assert.match(body, /alert=90 detail=HandshakeTimeout/);
        await eof; // the Worker closed its socket
        const bytes = Buffer.concat(received);
        assert.equal(bytes[0], 22, "a ClientHello first");
        // user_canceled then close_notify, in clear.
        assert.deepEqual([...bytes.subarray(-14)], [21, 3, 3, 0, 2, 1, 90, 21, 3, 3, 0, 2, 1, 0]);
      } finally {
        silent.close();
      }
    });

    it("refuses the server under another CA (unknown_ca)", async () => {
      const r = await fetch(`http://127.0.0.1:${otherPort}/?port=${tlsPort}`);
      const body = await r.text();
      assert.equal(r.status, 502, body);
      assert.match(body, /alert=48/);
    });
  },
);
