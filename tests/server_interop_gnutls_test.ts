// Our TLS 1.3 server against `gnutls-cli` (Debian gnutls-bin) on 127.0.0.1.
// gnutls-cli is only a client, so it needs no private network namespace.
// Each case sends a line each way and checks both; KeyUpdate in both directions.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ServerConfig, ServerConfigOptions } from "../src/server/config.ts";
import { UnbufferedServerConnection } from "../src/conn/unbuffered.ts";
import { exchangeLines, LoopbackListener, type SocketDriver } from "./_drive.ts";
import { type TestCert, TestPki } from "./_pki.ts";
import { leafServerConfig } from "./_leaf_config.ts";
import { peerMissing, PeerProcess } from "./peers/_spawn.ts";

const missing = peerMissing("gnutls-cli", ["--version"]);
if (missing) console.warn(missing);

const TLS13 = "NORMAL:-VERS-ALL:+VERS-TLS1.3";
const SUITES = [
  { id: 0x1301, gnutls: "AES-128-GCM" },
  { id: 0x1302, gnutls: "AES-256-GCM" },
  { id: 0x1303, gnutls: "CHACHA20-POLY1305" },
];
const GROUPS = [
  { id: 0x1d, gnutls: "GROUP-X25519" },
  { id: 0x17, gnutls: "GROUP-SECP256R1" },
  { id: 0x18, gnutls: "GROUP-SECP384R1" },
];

describe("server interop: gnutls-cli", { skip: missing }, () => {
  let pki: TestPki;
  let ca: TestCert;
  let leaves: Record<"p256" | "rsa" | "ed25519", TestCert>;
  let listener: LoopbackListener;
  const peers: PeerProcess[] = [];

  before(async () => {
    pki = new TestPki();
    ca = pki.root("kerneltls server gnutls interop CA");
    leaves = {
      p256: pki.leaf(ca, "DNS:localhost, IP:127.0.0.1", { alg: "p256" }),
      rsa: pki.leaf(ca, "DNS:localhost, IP:127.0.0.1", { alg: "rsa" }),
      ed25519: pki.leaf(ca, "DNS:localhost, IP:127.0.0.1", { alg: "ed25519" }),
    };
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

  /** Starts gnutls-cli (checking our chain against the CA) and accepts it. */
  async function connect(
    config: ServerConfig,
    priority = TLS13,
    extraArgs: string[] = [],
  ): Promise<{ conn: UnbufferedServerConnection; driver: SocketDriver; peer: PeerProcess }> {
    const peer = new PeerProcess("gnutls-cli", [
      "--x509cafile",
      ca.certPath,
      "-p",
      String(listener.port),
      "--sni-hostname",
      "localhost",
      "--verify-hostname",
      "localhost",
      "--priority",
      priority,
      ...extraArgs,
      "127.0.0.1",
    ]);
    peers.push(peer);
    const conn = new UnbufferedServerConnection(config);
    const driver = await listener.accept(conn);
    return { conn, driver, peer };
  }

  /** We send close_notify; gnutls-cli reports the peer closed and exits. */
  async function finish(driver: SocketDriver, peer: PeerProcess): Promise<void> {
    try {
      await driver.close();
      await peer.waitFor(/Peer has closed the GnuTLS connection/);
    } finally {
      driver.destroy();
      await peer.stop();
    }
  }

  async function run(
    config: ServerConfig,
    priority?: string,
  ): Promise<{ conn: UnbufferedServerConnection; peer: PeerProcess }> {
    const { conn, driver, peer } = await connect(config, priority);
    try {
      await driver.handshake();
      await peer.waitFor("- Handshake was completed");
      await exchangeLines(driver, peer);
      await exchangeLines(driver, peer);
    } finally {
      await finish(driver, peer);
    }
    return { conn, peer };
  }

  for (const suite of SUITES) {
    it(`suite ${suite.gnutls}`, async () => {
      const { conn, peer } = await run(
        serverConfig(),
        `${TLS13}:-CIPHER-ALL:+${suite.gnutls}`,
      );
      assert.equal(conn.protocolVersion, "TLSv1_3");
      assert.equal(conn.negotiatedCipherSuite?.id, suite.id);
      assert.equal(conn.serverName, "localhost");
      assert.match(peer.output, new RegExp(`\\(TLS1\\.3[^\\n]*\\(${suite.gnutls}\\)`));
    });
  }

  for (const group of GROUPS) {
    it(`group ${group.gnutls}`, async () => {
      const { conn } = await run(serverConfig(), `${TLS13}:-GROUP-ALL:+${group.gnutls}`);
      assert.equal(conn.negotiatedKeyExchangeGroup?.group, group.id);
      assert.equal(conn.handshakeKind, "Full");
    });
  }

  it("HelloRetryRequest: gnutls shares X25519 and P-256, we only take P-384", async () => {
    const { conn } = await run(
      serverConfig(leaves.p256, { kxGroups: [0x18] }),
      // gnutls sends one share per curve family: X25519 and the first NIST curve.
      `${TLS13}:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1`,
    );
    assert.equal(conn.handshakeKind, "FullWithHelloRetryRequest");
    assert.equal(conn.negotiatedKeyExchangeGroup?.group, 0x18);
  });

  for (const alg of ["p256", "rsa", "ed25519"] as const) {
    it(`certificate ${alg}: gnutls verifies our chain and CertificateVerify`, async () => {
      const { peer } = await run(serverConfig(leaves[alg]));
      assert.match(peer.output, /The certificate is trusted/);
    });
  }

  it("ALPN: our first protocol that gnutls also offers", async () => {
    const { conn, driver, peer } = await connect(
      serverConfig(leaves.p256, { alpnProtocols: ["http/1.1", "h2"] }),
      TLS13,
      ["--alpn", "h2", "--alpn", "http/1.1"],
    );
    try {
      await driver.handshake();
      assert.equal(conn.alpnProtocol, "http/1.1");
      await peer.waitFor("- Application protocol: http/1.1");
      await exchangeLines(driver, peer);
    } finally {
      await finish(driver, peer);
    }
  });

  it("KeyUpdate both ways: ours, then gnutls' ^rekey1^ (update_requested)", async () => {
    const { conn, driver, peer } = await connect(serverConfig(), TLS13, ["--inline-commands"]);
    try {
      await driver.handshake();
      await peer.waitFor("- Handshake was completed");
      await exchangeLines(driver, peer);
      await driver.refreshTrafficKeys();
      await exchangeLines(driver, peer);
      peer.send("^rekey1^\n");
      await exchangeLines(driver, peer);
      assert.ok(!conn.isHandshaking);
    } finally {
      await finish(driver, peer);
    }
  });
});
