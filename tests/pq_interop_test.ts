// Post-quantum interop on 127.0.0.1 with default configs on our side: rustls
// (Deno.listenTls / Deno.connectTls) and BoringSSL (node:tls under Bun) speak
// X25519MLKEM768, OpenSSL 3.0 does not, so against it the plain X25519 share
// of our first ClientHello must be used with no HelloRetryRequest.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ClientConfig, type ClientConfigOptions } from "../src/client/config.ts";
import { ServerConfig, type ServerConfigOptions } from "../src/server/config.ts";
import { UnbufferedClientConnection, UnbufferedServerConnection } from "../src/conn/unbuffered.ts";
import { webCryptoProvider } from "../src/crypto/webcrypto/provider.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { DEFAULT_TIMEOUT_MS, LoopbackListener, SocketDriver } from "./_drive.ts";
import { randomBytes } from "./_client_drive.ts";
import { type TestCert, TestPki } from "./_pki.ts";
import { peerMissing, PeerProcess } from "./peers/_spawn.ts";
import { exchange, OpenSslServer } from "./peers/_openssl_server.ts";

const HYBRID = 0x11ec;
const X25519 = 0x1d;

const BUN_SERVER = fileURLToPath(new URL("./peers/pq_bun_tls_server.mjs", import.meta.url));
const BUN_CLIENT = fileURLToPath(new URL("./peers/pq_bun_tls_client.mjs", import.meta.url));

const noDeno = typeof Deno === "undefined"
  ? "Deno.listenTls / Deno.connectTls exist only under Deno; skipping the rustls PQ interop"
  : undefined;
if (noDeno) console.warn(noDeno);
const noBun = peerMissing("bun");
const noOpenSsl = peerMissing("openssl", ["version"]);

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

let pki: TestPki;
let ca: TestCert;
let leaf: TestCert;

before(() => {
  pki = new TestPki();
  ca = pki.root("kerneltls PQ interop CA");
  leaf = pki.leaf(ca, "DNS:localhost, IP:127.0.0.1");
});
after(() => pki?.cleanup());

function roots(): RootCertStore {
  const r = new RootCertStore();
  r.add(ca.der);
  return r;
}

function clientConfig(extra: Partial<ClientConfigOptions> = {}): ClientConfig {
  return new ClientConfig({ roots: roots(), resumption: false, ...extra });
}

function serverConfig(extra: Partial<ServerConfigOptions> = {}): ServerConfig {
  return new ServerConfig({
    certificateChain: readFileSync(leaf.certPath, "utf8"),
    privateKey: readFileSync(leaf.keyPath, "utf8"),
    ...extra,
  });
}

/** Our client: handshake, `size` random bytes echoed back, close. */
async function clientEcho(
  port: number,
  config: ClientConfig,
  size = 20_000,
): Promise<UnbufferedClientConnection> {
  const conn = await UnbufferedClientConnection.create(config, "localhost");
  const driver = await SocketDriver.connect(conn, port);
  try {
    await driver.handshake();
    const data = randomBytes(size);
    await driver.write(data);
    assert.deepEqual(await driver.readAtLeast(size), data, "echo came back intact");
    return conn;
  } finally {
    await driver.close();
  }
}

function assertGroup(
  conn: UnbufferedClientConnection | UnbufferedServerConnection,
  group: number,
  kind = "Full",
): void {
  assert.equal(conn.protocolVersion, "TLSv1_3");
  assert.equal(
    conn.negotiatedKeyExchangeGroup?.group,
    group,
    `negotiated 0x${conn.negotiatedKeyExchangeGroup?.group.toString(16)}`,
  );
  // Unless asked otherwise: a share of the first ClientHello, no retry.
  assert.equal(conn.handshakeKind, kind);
}

describe("PQ interop: rustls (Deno.listenTls / Deno.connectTls)", { skip: noDeno }, () => {
  /** A one-connection rustls echo server; resolves when that connection ends. */
  function rustlsEchoOnce(): { port: number; done: Promise<void>; close: () => void } {
    const listener = Deno.listenTls({
      hostname: "127.0.0.1",
      port: 0,
      cert: readFileSync(leaf.certPath, "utf8"),
      key: readFileSync(leaf.keyPath, "utf8"),
    });
    let conn: Deno.TlsConn | undefined;
    const close = () => {
      for (const c of [conn, listener]) {
        try {
          c?.close();
        } catch { /* already closed */ }
      }
    };
    const done = (async () => {
      try {
        conn = await listener.accept();
        await conn.handshake();
        const buf = new Uint8Array(65536);
        for (let n = await conn.read(buf); n !== null; n = await conn.read(buf)) {
          for (let off = 0; off < n;) off += await conn.write(buf.subarray(off, n));
        }
      } catch {
        /* the client went away */
      } finally {
        close();
      }
    })();
    return { port: listener.addr.port, done, close };
  }

  for (const mlkem of ["auto", "pure"] as const) {
    it(`our client (ML-KEM ${mlkem}) vs Deno.listenTls: X25519MLKEM768`, async () => {
      const server = rustlsEchoOnce();
      try {
        const conn = await clientEcho(
          server.port,
          clientConfig({ provider: webCryptoProvider({ mlkem }) }),
        );
        assertGroup(conn, HYBRID);
        await bounded(server.done, DEFAULT_TIMEOUT_MS, "closing rustls", server.close);
      } finally {
        server.close();
      }
    });
  }

  /**
   * One Deno.connectTls session against our server: data both ways, then our
   * close_notify. Returns our connection.
   */
  async function rustlsClientSession(config: ServerConfig): Promise<UnbufferedServerConnection> {
    const listener = await LoopbackListener.listen();
    const conn = new UnbufferedServerConnection(config);
    let client: Deno.TlsConn | undefined;
    let accepted: SocketDriver | undefined;
    const closeClient = () => {
      try {
        client?.close();
      } catch { /* already closed */ }
    };
    const up = randomBytes(10_000);
    const down = randomBytes(15_000);
    try {
      await bounded(
        Promise.all([
          (async () => {
            client = await Deno.connectTls({
              hostname: "127.0.0.1",
              port: listener.port,
              caCerts: [readFileSync(ca.certPath, "utf8")],
            });
            await client.handshake();
            for (let off = 0; off < up.length;) off += await client.write(up.subarray(off));
            const got = new Uint8Array(down.length);
            let have = 0;
            while (have < got.length) {
              const n = await client.read(got.subarray(have));
              if (n === null) break;
              have += n;
            }
            assert.deepEqual(got.subarray(0, have), down, "rustls got our data");
          })(),
          (async () => {
            const driver = accepted = await listener.accept(conn);
            await driver.handshake();
            assert.deepEqual(await driver.readAtLeast(up.length), up, "we got rustls' data");
            await driver.write(down);
            await driver.close();
          })(),
        ]),
        DEFAULT_TIMEOUT_MS,
        "running a rustls session",
        closeClient,
      );
      return conn;
    } finally {
      closeClient();
      accepted?.destroy();
      await listener.close();
    }
  }

  // Deno's rustls client lists groups as [X25519, P-256, P-384, X25519MLKEM768]
  // and sends an X25519 share only, so a default server takes that share.
  it("our server (default groups) vs Deno.connectTls: rustls' X25519 share, no retry", async () => {
    assertGroup(await rustlsClientSession(serverConfig()), X25519);
  });

  it("our server (X25519MLKEM768 only) vs Deno.connectTls: retry to X25519MLKEM768", async () => {
    const conn = await rustlsClientSession(serverConfig({ kxGroups: [HYBRID] }));
    assertGroup(conn, HYBRID, "FullWithHelloRetryRequest");
  });
});

describe("PQ interop: BoringSSL (node:tls under Bun)", { skip: noBun }, () => {
  const peers: PeerProcess[] = [];
  after(async () => {
    await Promise.all(peers.map((p) => p.stop()));
  });

  async function bunServer(curves?: string): Promise<{ peer: PeerProcess; port: number }> {
    const args = [BUN_SERVER, leaf.certPath, leaf.keyPath, ...(curves ? [curves] : [])];
    const peer = new PeerProcess("bun", args);
    peers.push(peer);
    const m = await peer.waitFor(/PORT (\d+)/) as RegExpMatchArray;
    return { peer, port: Number(m[1]) };
  }

  for (
    const [label, curves] of [
      ["Bun's default groups", undefined],
      ["ecdhCurve X25519MLKEM768:X25519", "X25519MLKEM768:X25519"],
    ] as const
  ) {
    it(`our client vs Bun's TLS server (${label}): X25519MLKEM768`, async () => {
      const { peer, port } = await bunServer(curves);
      try {
        const conn = await clientEcho(port, clientConfig());
        assertGroup(conn, HYBRID);
        await peer.waitFor("CONN cipher=TLS_AES_128_GCM_SHA256");
      } finally {
        await peer.stop();
      }
    });

    it(`our server vs Bun's TLS client (${label}): X25519MLKEM768`, async () => {
      const listener = await LoopbackListener.listen();
      const message = `hello from bun ${Math.random().toString(36).slice(2)}`;
      const peer = new PeerProcess("bun", [
        BUN_CLIENT,
        String(listener.port),
        ca.certPath,
        message,
        ...(curves ? [curves] : []),
      ]);
      peers.push(peer);
      const conn = new UnbufferedServerConnection(serverConfig());
      let driver: SocketDriver | undefined;
      try {
        driver = await listener.accept(conn);
        await driver.handshake();
        assert.equal(await driver.readUntilText(`${message}\n`), `${message}\n`);
        await driver.write(`reply to ${message}\n`);
        await driver.close();
        await peer.waitFor(`GOT reply to ${message}`);
        assert.equal(await peer.waitExit(), 0, peer.output);
        assertGroup(conn, HYBRID);
      } finally {
        driver?.destroy();
        await peer.stop();
        await listener.close();
      }
    });
  }

  it("a Bun server limited to X25519 gets our X25519 share, no HelloRetryRequest", async () => {
    const { peer, port } = await bunServer("X25519");
    try {
      assertGroup(await clientEcho(port, clientConfig()), X25519);
    } finally {
      await peer.stop();
    }
  });
});

describe("PQ interop: OpenSSL 3.0 (no PQ groups)", { skip: noOpenSsl }, () => {
  it("our client vs openssl s_server: X25519 from the second share, no HelloRetryRequest", async () => {
    const server = await OpenSslServer.start(["-cert", leaf.certPath, "-key", leaf.keyPath]);
    const conn = await UnbufferedClientConnection.create(clientConfig(), "localhost");
    let driver: SocketDriver | undefined;
    try {
      driver = await SocketDriver.connect(conn, server.port);
      await driver.handshake();
      await exchange(driver, server);
      assertGroup(conn, X25519);
    } finally {
      driver?.destroy();
      await server.stop();
    }
  });

  it("our server vs openssl s_client: X25519, no HelloRetryRequest", async () => {
    const listener = await LoopbackListener.listen();
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
      "-ign_eof",
    ]);
    const conn = new UnbufferedServerConnection(serverConfig());
    let driver: SocketDriver | undefined;
    try {
      driver = await listener.accept(conn);
      await driver.handshake();
      const line = `from our server ${Math.random().toString(36).slice(2)}\n`;
      await driver.write(line);
      await peer.waitFor(line);
      peer.send("from s_client\n");
      assert.equal(await driver.readUntilText("from s_client\n"), "from s_client\n");
      assertGroup(conn, X25519);
      // openssl 3.0 names the group it used.
      await peer.waitFor(/Server Temp Key: X25519/);
    } finally {
      driver?.destroy();
      await peer.stop();
      await listener.close();
    }
  });
});
