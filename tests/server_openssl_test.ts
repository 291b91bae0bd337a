// Our TLS 1.3 server against `openssl s_client` on 127.0.0.1: every suite and
// group, HelloRetryRequest, each certificate type, ALPN, client auth, KeyUpdate.
// Each case moves one line each way and checks it byte for byte.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ServerConfig, ServerConfigOptions } from "../src/server/config.ts";
import { UnbufferedServerConnection } from "../src/conn/unbuffered.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { WebPkiClientVerifier } from "../src/webpki/verifier.ts";
import { TlsError } from "../src/error.ts";
import { exchangeLines, LoopbackListener, type SocketDriver } from "./_drive.ts";
import { type KeyAlg, type TestCert, TestPki } from "./_pki.ts";
import { leafServerConfig } from "./_leaf_config.ts";
import { peerMissing, PeerProcess } from "./peers/_spawn.ts";

const SUITES = [
  { id: 0x1301, openssl: "TLS_AES_128_GCM_SHA256" },
  { id: 0x1302, openssl: "TLS_AES_256_GCM_SHA384" },
  { id: 0x1303, openssl: "TLS_CHACHA20_POLY1305_SHA256" },
];
const GROUPS = [
  { id: 0x1d, openssl: "X25519" },
  { id: 0x17, openssl: "P-256" },
  { id: 0x18, openssl: "P-384" },
];

const missing = peerMissing("openssl", ["version"]);

describe("server interop: openssl s_client", { skip: missing }, () => {
  let pki: TestPki;
  let ca: TestCert;
  let leaves: Record<"p256" | "rsa" | "ed25519", TestCert>;
  let clientCert: TestCert;
  let listener: LoopbackListener;
  const peers: PeerProcess[] = [];

  before(async () => {
    pki = new TestPki();
    ca = pki.root("kerneltls server interop CA");
    const algs: KeyAlg[] = ["p256", "rsa", "ed25519"];
    leaves = Object.fromEntries(
      algs.map((a) => [a, pki.leaf(ca, "DNS:localhost, IP:127.0.0.1", { alg: a })]),
    ) as typeof leaves;
    clientCert = pki.issue(ca, "interop client", [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature",
      "extendedKeyUsage=clientAuth",
    ]);
    listener = await LoopbackListener.listen();
  });

  after(async () => {
    await Promise.all(peers.map((p) => p.stop()));
    await listener?.close();
    pki?.cleanup();
  });

  function serverConfig(
    leaf: TestCert = leaves.p256,
    extra: Partial<ServerConfigOptions> = {},
  ): ServerConfig {
    return leafServerConfig(leaf, extra);
  }

  /** Starts s_client (verifying our chain against the CA) and accepts its connection. */
  async function connect(
    config: ServerConfig,
    args: string[],
    opts: { commands?: boolean } = {},
  ): Promise<{ conn: UnbufferedServerConnection; driver: SocketDriver; peer: PeerProcess }> {
    // stdbuf: s_client's stdout would otherwise sit in a pipe buffer.
    const peer = new PeerProcess("stdbuf", [
      "-o0",
      "openssl",
      "s_client",
      "-connect",
      `127.0.0.1:${listener.port}`,
      "-tls1_3",
      "-servername",
      "localhost",
      "-CAfile",
      ca.certPath,
      "-verify_return_error",
      // -ign_eof turns off s_client's K/k/Q commands; keep them when asked.
      ...(opts.commands ? [] : ["-ign_eof"]),
      ...args,
    ]);
    peers.push(peer);
    const conn = new UnbufferedServerConnection(config);
    const driver = await listener.accept(conn);
    return { conn, driver, peer };
  }

  async function finish(driver: SocketDriver, peer: PeerProcess): Promise<void> {
    await driver.close();
    await peer.stop();
  }

  for (const suite of SUITES) {
    it(`suite ${suite.openssl}`, async () => {
      const { conn, driver, peer } = await connect(serverConfig(), [
        "-ciphersuites",
        suite.openssl,
      ]);
      await driver.handshake();
      assert.equal(conn.protocolVersion, "TLSv1_3");
      assert.equal(conn.negotiatedCipherSuite?.id, suite.id);
      assert.equal(conn.handshakeKind, "Full");
      assert.equal(conn.serverName, "localhost");
      await exchangeLines(driver, peer);
      await finish(driver, peer);
    });
  }

  for (const group of GROUPS) {
    it(`group ${group.openssl}`, async () => {
      const { conn, driver, peer } = await connect(serverConfig(), ["-groups", group.openssl]);
      await driver.handshake();
      assert.equal(conn.negotiatedKeyExchangeGroup?.group, group.id);
      assert.equal(conn.handshakeKind, "Full");
      await exchangeLines(driver, peer);
      await finish(driver, peer);
    });
  }

  it("HelloRetryRequest when the client's only share is for a group we do not take", async () => {
    // s_client sends a share for its first group only (X25519); we only take P-384.
    const { conn, driver, peer } = await connect(
      serverConfig(leaves.p256, { kxGroups: [0x18] }),
      ["-groups", "X25519:P-384"],
    );
    await driver.handshake();
    assert.equal(conn.handshakeKind, "FullWithHelloRetryRequest");
    assert.equal(conn.negotiatedKeyExchangeGroup?.group, 0x18);
    await exchangeLines(driver, peer);
    await finish(driver, peer);
  });

  for (const alg of ["p256", "rsa", "ed25519"] as const) {
    it(`certificate ${alg}`, async () => {
      const { conn, driver, peer } = await connect(serverConfig(leaves[alg]), []);
      await driver.handshake();
      assert.ok(!conn.isHandshaking);
      await exchangeLines(driver, peer);
      // -verify_return_error: s_client accepted our chain and signature.
      assert.match(peer.output, /Verify return code: 0 \(ok\)/);
      await finish(driver, peer);
    });
  }

  it("ALPN: our first protocol the client also offers", async () => {
    const { conn, driver, peer } = await connect(
      serverConfig(leaves.p256, { alpnProtocols: ["http/1.1", "h2"] }),
      ["-alpn", "h2,http/1.1"],
    );
    await driver.handshake();
    assert.equal(conn.alpnProtocol, "http/1.1");
    await peer.waitFor("ALPN protocol: http/1.1");
    await exchangeLines(driver, peer);
    await finish(driver, peer);
  });

  it("ALPN mismatch: no_application_protocol", async () => {
    const { driver, peer } = await connect(
      serverConfig(leaves.p256, { alpnProtocols: ["h2"] }),
      ["-alpn", "spdy/1"],
    );
    await assert.rejects(
      driver.handshake(),
      (e) => e instanceof TlsError && e.kind === "NoApplicationProtocol" && e.alert === 120,
    );
    await peer.waitFor(/no application protocol/i);
    await finish(driver, peer);
  });

  function clientAuthConfig(): ServerConfig {
    const roots = new RootCertStore();
    roots.add(ca.der);
    return serverConfig(leaves.p256, {
      clientCertVerifier: new WebPkiClientVerifier({ roots, mandatory: true }),
    });
  }

  it("client auth: the client's certificate is verified", async () => {
    const { conn, driver, peer } = await connect(clientAuthConfig(), [
      "-cert",
      clientCert.certPath,
      "-key",
      clientCert.keyPath,
    ]);
    await driver.handshake();
    assert.deepEqual(conn.peerCertificates?.[0], clientCert.der);
    await exchangeLines(driver, peer);
    await finish(driver, peer);
  });

  it("client auth required, none sent: certificate_required", async () => {
    const { driver, peer } = await connect(clientAuthConfig(), []);
    await assert.rejects(
      driver.handshake(),
      (e) => e instanceof TlsError && e.alert === 116,
    );
    await peer.waitFor(/certificate required|alert number 116/i);
    await finish(driver, peer);
  });

  it("KeyUpdate both ways", async () => {
    const { driver, peer } = await connect(serverConfig(), [], { commands: true });
    await driver.handshake();
    await exchangeLines(driver, peer);
    // s_client's K: KeyUpdate with update_requested; we rotate and answer.
    const mark = peer.output.length;
    peer.send("K\n");
    await peer.waitFor("KEYUPDATE", { from: mark });
    await exchangeLines(driver, peer);
    // Ours, asking s_client to update too.
    await driver.refreshTrafficKeys();
    await exchangeLines(driver, peer);
    await finish(driver, peer);
  });

  it("key log receives the five TLS 1.3 labels", async () => {
    const labels = new Set<string>();
    const { driver, peer } = await connect(
      serverConfig(leaves.p256, { keyLog: (label) => labels.add(label) }),
      [],
    );
    await driver.handshake();
    await exchangeLines(driver, peer);
    assert.deepEqual([...labels].sort(), [
      "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
      "CLIENT_TRAFFIC_SECRET_0",
      "EXPORTER_SECRET",
      "SERVER_HANDSHAKE_TRAFFIC_SECRET",
      "SERVER_TRAFFIC_SECRET_0",
    ]);
    await finish(driver, peer);
  });
});
