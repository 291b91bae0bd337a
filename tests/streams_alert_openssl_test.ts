// Issue 13 item 16: every driver in the repo sends the fatal alert it owes
// before closing the transport. openssl s_client / s_server must print the
// alert we sent (ALPN mismatch: no_application_protocol 120; a certificate
// from an unknown CA: unknown_ca 48; no common group: handshake_failure 40),
// not "unexpected eof".
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClientConfig } from "../src/client/config.ts";
import { ServerConfig } from "../src/server/config.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { TlsError } from "../src/error.ts";
import { acceptTls, connectTls } from "../src/streams/tls_stream.ts";
import { issue, testPki } from "../examples/_certgen.ts";
import { peerMissing, PeerProcess } from "./peers/_spawn.ts";
import { OpenSslServer } from "./peers/_openssl_server.ts";

const skip = typeof Deno === "undefined"
  ? "needs Deno.listen / Deno.connect (skipped outside Deno)"
  : peerMissing("openssl", ["version"]) ?? peerMissing("stdbuf", ["--version"]) ?? false;

describe("issue 13 item 16: drivers send the queued fatal alert", { skip }, () => {
  let dir: string;
  let pki: Awaited<ReturnType<typeof testPki>>;
  let otherCaPem: string;
  const peers: PeerProcess[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "kerneltls-alert-"));
    pki = await testPki(["localhost", "127.0.0.1"]);
    otherCaPem = (await issue({ commonName: "a CA nobody here trusts", ca: true })).certPem;
    writeFileSync(join(dir, "cert.pem"), pki.leaf.certPem);
    writeFileSync(join(dir, "key.pem"), pki.leaf.keyPem);
    writeFileSync(join(dir, "ca.pem"), pki.ca.certPem);
  });

  after(async () => {
    await Promise.all(peers.map((p) => p.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  function sClient(port: number, args: string[]): PeerProcess {
    const peer = new PeerProcess("stdbuf", [
      "-o0",
      "openssl",
      "s_client",
      "-connect",
      `127.0.0.1:${port}`,
      "-servername",
      "localhost",
      "-CAfile",
      join(dir, "ca.pem"),
      ...args,
    ]);
    peers.push(peer);
    return peer;
  }

  async function sServer(): Promise<OpenSslServer> {
    const server = await OpenSslServer.start([
      "-cert",
      join(dir, "cert.pem"),
      "-key",
      join(dir, "key.pem"),
    ]);
    peers.push(server.proc);
    return server;
  }

  it("acceptTls: ALPN mismatch reaches s_client as no_application_protocol (120)", async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    try {
      const accepted = listener.accept();
      const peer = sClient(listener.addr.port, ["-alpn", "http/1.1"]);
      const config = new ServerConfig({
        certificateChain: pki.leaf.certPem,
        privateKey: pki.leaf.keyPem,
        alpnProtocols: ["h2"],
      });
      await assert.rejects(acceptTls(await accepted, config), (e: unknown) => {
        assert.ok(e instanceof TlsError);
        assert.equal(e.alert, 120);
        return true;
      });
      await peer.waitFor(/alert number 120/);
      assert.doesNotMatch(peer.output, /unexpected eof/i);
    } finally {
      listener.close();
    }
  });

  it("connectTls: an unknown CA reaches s_server as unknown_ca (48)", async () => {
    const server = await sServer();
    const tcp = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    const config = new ClientConfig({ roots: RootCertStore.fromPem(otherCaPem) });
    await assert.rejects(connectTls(tcp, config, "localhost"), (e: unknown) => {
      assert.ok(e instanceof TlsError);
      assert.equal(e.alert, 48);
      return true;
    });
    await server.proc.waitFor(/alert number 48/);
    assert.doesNotMatch(server.output, /unexpected eof/i);
  });

  it("examples/unbuffered_client.ts: an unknown CA reaches s_server as unknown_ca (48)", async () => {
    const { runUnbufferedClient } = await import("../examples/unbuffered_client.ts");
    const server = await sServer();
    await assert.rejects(
      runUnbufferedClient({ port: server.port, caPem: otherCaPem }),
      (e: unknown) => e instanceof TlsError && e.alert === 48,
    );
    await server.proc.waitFor(/alert number 48/);
  });

  it("examples/unbuffered_server.ts: no common group reaches s_client as handshake_failure (40)", async () => {
    const { startUnbufferedServer } = await import("../examples/unbuffered_server.ts");
    const server = await startUnbufferedServer();
    try {
      const peer = sClient(server.port, ["-tls1_3", "-groups", "P-521"]);
      await peer.waitFor(/alert number 40/);
      assert.doesNotMatch(peer.output, /unexpected eof/i);
    } finally {
      await server.close();
    }
  });
});
