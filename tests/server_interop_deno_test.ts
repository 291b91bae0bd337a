// Our TLS 1.3 server against Deno.connectTls (rustls) in the same process:
// each suite and group rustls offers, each certificate type, ALPN, KeyUpdate.
// Each case moves random data both ways and checks it byte for byte.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { ServerConfig, ServerConfigOptions } from "../src/server/config.ts";
import { UnbufferedServerConnection } from "../src/conn/unbuffered.ts";
import { DEFAULT_TIMEOUT_MS, LoopbackListener, type SocketDriver } from "./_drive.ts";
import { randomBytes } from "./_client_drive.ts";
import { type TestCert, TestPki } from "./_pki.ts";
import { leafServerConfig } from "./_leaf_config.ts";

const SUITES = [0x1301, 0x1302, 0x1303];
// rustls sends an X25519 share first (and may add X25519MLKEM768); P-256 and
// P-384 are reached through a HelloRetryRequest.
const GROUPS = [0x1d, 0x17, 0x18];

const skip = typeof Deno === "undefined"
  ? "Deno.connectTls is only available under Deno; skipping rustls server interop"
  : undefined;
if (skip) console.warn(skip);

/** Rejects after `ms` unless `p` settles first; `onTimeout` cleans up. */
function bounded<T>(p: Promise<T>, ms: number, what: string, onTimeout: () => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`timed out after ${ms} ms while ${what}`));
    }, ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

/** Reads from a rustls connection until `n` bytes or EOF. */
async function readN(conn: Deno.TlsConn, n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  let have = 0;
  while (have < n) {
    const got = await conn.read(out.subarray(have));
    if (got === null) break;
    have += got;
  }
  return out.subarray(0, have);
}

async function writeAll(conn: Deno.TlsConn, data: Uint8Array): Promise<void> {
  for (let off = 0; off < data.length;) off += await conn.write(data.subarray(off));
}

describe("server interop: Deno.connectTls (rustls)", { skip }, () => {
  let pki: TestPki;
  let caPem: string;
  let leaves: Record<"p256" | "rsa" | "ed25519", TestCert>;
  let listener: LoopbackListener;

  before(async () => {
    pki = new TestPki();
    const ca = pki.root("kerneltls server deno interop CA");
    caPem = readFileSync(ca.certPath, "utf8");
    leaves = {
      p256: pki.leaf(ca, "DNS:localhost, IP:127.0.0.1", { alg: "p256" }),
      rsa: pki.leaf(ca, "DNS:localhost, IP:127.0.0.1", { alg: "rsa" }),
      ed25519: pki.leaf(ca, "DNS:localhost, IP:127.0.0.1", { alg: "ed25519" }),
    };
    listener = await LoopbackListener.listen();
  });

  after(async () => {
    await listener?.close();
    pki?.cleanup();
  });

  function serverConfig(
    leaf: TestCert = leaves.p256,
    extra: Partial<ServerConfigOptions> = {},
  ): ServerConfig {
    return leafServerConfig(leaf, extra);
  }

  interface Outcome {
    conn: UnbufferedServerConnection;
    driver: SocketDriver;
    clientAlpn: string | null;
  }

  /**
   * rustls connects, sends `up` bytes; we check them and answer with `down`
   * bytes (after a server KeyUpdate when asked); rustls checks them; then we
   * send close_notify and rustls must see a clean EOF.
   */
  async function session(
    config: ServerConfig,
    opts: { alpnProtocols?: string[]; up?: number; down?: number; keyUpdate?: boolean } = {},
  ): Promise<Outcome> {
    const up = randomBytes(opts.up ?? 20_000);
    const down = randomBytes(opts.down ?? 30_000);
    const conn = new UnbufferedServerConnection(config);
    let client: Deno.TlsConn | undefined;
    const closeClient = () => {
      try {
        client?.close();
      } catch { /* already closed */ }
    };

    const clientSide = async (): Promise<string | null> => {
      client = await Deno.connectTls({
        hostname: "127.0.0.1",
        port: listener.port,
        caCerts: [caPem],
        alpnProtocols: opts.alpnProtocols,
      });
      const info = await client.handshake();
      await writeAll(client, up);
      const got = await readN(client, down.length);
      assert.deepEqual(got, down, "rustls received what our server sent");
      // Our close_notify ends the stream cleanly: read() gives null, no error.
      assert.equal(await client.read(new Uint8Array(16)), null);
      return info.alpnProtocol;
    };

    let accepted: SocketDriver | undefined;
    const serverSide = async (): Promise<SocketDriver> => {
      const driver = accepted = await listener.accept(conn);
      await driver.handshake();
      assert.deepEqual(await driver.readAtLeast(up.length), up, "our server received rustls' data");
      driver.take();
      if (opts.keyUpdate) await driver.refreshTrafficKeys();
      await driver.write(down);
      await driver.close();
      return driver;
    };

    try {
      const [clientAlpn, driver] = await bounded(
        Promise.all([clientSide(), serverSide()]),
        DEFAULT_TIMEOUT_MS,
        "running a rustls session",
        closeClient,
      );
      return { conn, driver, clientAlpn };
    } finally {
      closeClient();
      // A failed case must not leave a socket that keeps the listener open.
      accepted?.destroy();
    }
  }

  for (const suite of SUITES) {
    it(`suite 0x${suite.toString(16)} (our only suite, so rustls must pick it)`, async () => {
      const { conn } = await session(serverConfig(leaves.p256, { cipherSuites: [suite] }));
      assert.equal(conn.protocolVersion, "TLSv1_3");
      assert.equal(conn.negotiatedCipherSuite?.id, suite);
      assert.equal(conn.handshakeKind, "Full");
    });
  }

  it("default config: rustls gets our first suite, the first X25519-based group, no HRR", async () => {
    const { conn } = await session(serverConfig());
    assert.equal(conn.negotiatedCipherSuite?.id, 0x1301);
    assert.equal(conn.handshakeKind, "Full");
    // No SNI: rustls does not send server_name for an IP address.
    assert.equal(conn.serverName, undefined);
    assert.equal(conn.negotiatedKeyExchangeGroup?.group, 0x1d);
  });

  for (const group of GROUPS) {
    it(`group 0x${group.toString(16)} (our only group)`, async () => {
      const { conn } = await session(serverConfig(leaves.p256, { kxGroups: [group] }));
      assert.equal(conn.negotiatedKeyExchangeGroup?.group, group);
      // rustls' first share is X25519-based; any other group needs a retry.
      assert.equal(
        conn.handshakeKind,
        group === 0x1d ? "Full" : "FullWithHelloRetryRequest",
      );
    });
  }

  for (const alg of ["p256", "rsa", "ed25519"] as const) {
    it(`certificate ${alg}: rustls verifies our chain and CertificateVerify`, async () => {
      const { conn } = await session(serverConfig(leaves[alg]));
      assert.ok(!conn.isHandshaking);
      assert.equal(conn.peerCertificates, undefined);
    });
  }

  it("ALPN: our first protocol that rustls also offers", async () => {
    const { conn, clientAlpn } = await session(
      serverConfig(leaves.p256, { alpnProtocols: ["http/1.1", "h2"] }),
      { alpnProtocols: ["h2", "http/1.1"] },
    );
    assert.equal(conn.alpnProtocol, "http/1.1");
    assert.equal(clientAlpn, "http/1.1");
  });

  it("ALPN: none agreed when rustls offers none", async () => {
    const { conn, clientAlpn } = await session(
      serverConfig(leaves.p256, { alpnProtocols: ["h2"] }),
    );
    assert.equal(conn.alpnProtocol, undefined);
    assert.equal(clientAlpn, null);
  });

  it("server KeyUpdate before answering; large records both ways", async () => {
    const { conn, driver } = await session(serverConfig(), {
      keyUpdate: true,
      up: 200_000,
      down: 300_000,
    });
    assert.ok(driver.states.includes("WriteTraffic"));
    assert.equal(conn.negotiatedCipherSuite?.id, 0x1301);
  });
});
