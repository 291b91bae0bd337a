// Our TLS 1.3 server against Node's `tls` client (OpenSSL), run with `node` in a
// child process: every suite and group, each certificate type, ALPN, KeyUpdate.
// Each case sends a line each way and checks both byte for byte.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import type { ServerConfig, ServerConfigOptions } from "../src/server/config.ts";
import { UnbufferedServerConnection } from "../src/conn/unbuffered.ts";
import { toHex } from "../src/_bytes.ts";
import { LoopbackListener } from "./_drive.ts";
import { randomBytes } from "./_client_drive.ts";
import { type TestCert, TestPki } from "./_pki.ts";
import { leafServerConfig } from "./_leaf_config.ts";
import { peerMissing, PeerProcess } from "./peers/_spawn.ts";

const SCRIPT = fileURLToPath(new URL("./peers/server_peer_node_client.mjs", import.meta.url));
const missing = peerMissing("node", ["--version"]);
if (missing) console.warn(missing);

const SUITES = [
  { id: 0x1301, name: "TLS_AES_128_GCM_SHA256" },
  { id: 0x1302, name: "TLS_AES_256_GCM_SHA384" },
  { id: 0x1303, name: "TLS_CHACHA20_POLY1305_SHA256" },
];
const GROUPS = [
  { id: 0x1d, name: "X25519" },
  { id: 0x17, name: "P-256" },
  { id: 0x18, name: "P-384" },
];

/** What the Node client printed after reading our reply. */
interface NodeResult {
  got: string;
  protocol: string;
  cipher: string;
  alpn: string | false;
  authorized: boolean;
  reused: boolean;
}

describe("server interop: node tls client", { skip: missing }, () => {
  let pki: TestPki;
  let ca: TestCert;
  let leaves: Record<"p256" | "rsa" | "ed25519", TestCert>;
  let listener: LoopbackListener;
  const peers: PeerProcess[] = [];

  before(async () => {
    pki = new TestPki();
    ca = pki.root("kerneltls server node interop CA");
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

  /**
   * Node sends a random hex line of `size` characters; we check it and answer
   * with the line reversed (after a KeyUpdate when asked), then close_notify.
   */
  async function session(
    config: ServerConfig,
    opts: { alpn?: string; suites?: string; groups?: string; size?: number; keyUpdate?: boolean } =
      {},
  ): Promise<{ conn: UnbufferedServerConnection; result: NodeResult }> {
    const line = toHex(randomBytes((opts.size ?? 2000) / 2));
    const peer = new PeerProcess("node", [
      SCRIPT,
      String(listener.port),
      ca.certPath,
      line,
      opts.alpn ?? "-",
      opts.suites ?? "-",
      opts.groups ?? "-",
    ]);
    peers.push(peer);
    const conn = new UnbufferedServerConnection(config);
    const driver = await listener.accept(conn);
    try {
      await driver.handshake();
      const got = await driver.readUntilText("\n");
      assert.equal(got, line + "\n", "our server received Node's line");
      driver.take();
      if (opts.keyUpdate) await driver.refreshTrafficKeys();
      const reply = [...line].reverse().join("");
      await driver.write(reply + "\n");
      const m = await peer.waitFor(/RESULT (\{[^\n]*\})\n/) as RegExpMatchArray;
      const result = JSON.parse(m[1]) as NodeResult;
      assert.equal(result.got, reply, "Node received our reply");
      await driver.close();
      // Node answers our close_notify by ending its side and exiting cleanly.
      await peer.waitFor("END\n");
      assert.equal(await peer.waitExit(), 0);
      return { conn, result };
    } finally {
      driver.destroy();
      await peer.stop();
    }
  }

  for (const suite of SUITES) {
    it(`suite ${suite.name}`, async () => {
      const { conn, result } = await session(serverConfig(), { suites: suite.name });
      assert.equal(conn.negotiatedCipherSuite?.id, suite.id);
      assert.equal(result.cipher, suite.name);
      assert.equal(result.protocol, "TLSv1.3");
      assert.equal(result.authorized, true);
      assert.equal(conn.serverName, "localhost");
      assert.equal(conn.handshakeKind, "Full");
    });
  }

  for (const group of GROUPS) {
    it(`group ${group.name}`, async () => {
      const { conn } = await session(serverConfig(), { groups: group.name });
      assert.equal(conn.negotiatedKeyExchangeGroup?.group, group.id);
      assert.equal(conn.handshakeKind, "Full");
    });
  }

  it("HelloRetryRequest: Node's first share is X25519, we only take P-384", async () => {
    const { conn, result } = await session(serverConfig(leaves.p256, { kxGroups: [0x18] }), {
      groups: "X25519:P-384",
    });
    assert.equal(conn.handshakeKind, "FullWithHelloRetryRequest");
    assert.equal(conn.negotiatedKeyExchangeGroup?.group, 0x18);
    assert.equal(result.authorized, true);
  });

  for (const alg of ["p256", "rsa", "ed25519"] as const) {
    it(`certificate ${alg}: Node verifies our chain and CertificateVerify`, async () => {
      const { result } = await session(serverConfig(leaves[alg]));
      assert.equal(result.authorized, true);
    });
  }

  it("ALPN: our first protocol that Node also offers", async () => {
    const { conn, result } = await session(
      serverConfig(leaves.p256, { alpnProtocols: ["http/1.1", "h2"] }),
      { alpn: "h2,http/1.1" },
    );
    assert.equal(conn.alpnProtocol, "http/1.1");
    assert.equal(result.alpn, "http/1.1");
  });

  it("server KeyUpdate before a 100 kB reply; no resumption", async () => {
    const { result } = await session(serverConfig(), { keyUpdate: true, size: 100_000 });
    assert.equal(result.reused, false);
    assert.equal(result.got.length, 100_000);
  });
});
