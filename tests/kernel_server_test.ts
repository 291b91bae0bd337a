// Issue 6 interop, server side: our server hands off after the handshake (its
// NewSessionTickets already sent), and from then on only KernelRecordLayer and
// the server's KernelConnection move data, against `openssl s_client`
// (OpenSSL 3) and `Deno.connectTls` (rustls) on 127.0.0.1.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { ServerConfig } from "../src/server/config.ts";
import { UnbufferedServerConnection } from "../src/conn/unbuffered.ts";
import type { KernelRecordLayerOptions } from "../src/kernel/record_layer.ts";
import { type TestCert, TestPki } from "./_pki.ts";
import { peerMissing, PeerProcess } from "./peers/_spawn.ts";
import { KernelSocket, WAIT_MS } from "./_kernel_peer.ts";

const SUITES = [
  { id: 0x1301, name: "TLS_AES_128_GCM_SHA256", kind: "Aes128Gcm" },
  { id: 0x1302, name: "TLS_AES_256_GCM_SHA384", kind: "Aes256Gcm" },
  { id: 0x1303, name: "TLS_CHACHA20_POLY1305_SHA256", kind: "Chacha20Poly1305" },
];

let pki: TestPki | undefined;
let ca: TestCert;
let leaf: TestCert;

function setUpPki(): void {
  pki ??= new TestPki();
  ca = pki.root("kerneltls kernel server CA");
  leaf = pki.leaf(ca, "DNS:localhost, IP:127.0.0.1");
}

function serverConfig(suite: number, sendTls13Tickets?: number): ServerConfig {
  return new ServerConfig({
    certificateChain: readFileSync(leaf.certPath, "utf8"),
    privateKey: readFileSync(leaf.keyPath, "utf8"),
    cipherSuites: [suite],
    enableSecretExtraction: true,
    sendTls13Tickets,
  });
}

let counter = 0;
function token(): string {
  return `${Date.now().toString(36)}-${(counter++).toString(36)}`;
}

/** A plain TCP listener on 127.0.0.1 whose accepted sockets queue up. */
class Acceptor {
  readonly server: Server;
  readonly #queue: Socket[] = [];
  #wake: (() => void) | undefined;

  private constructor(server: Server) {
    this.server = server;
    server.on("connection", (s: Socket) => {
      this.#queue.push(s);
      this.#wake?.();
    });
  }

  static listen(): Promise<Acceptor> {
    return new Promise((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve(new Acceptor(server)));
    });
  }

  get port(): number {
    const addr = this.server.address();
    if (addr === null || typeof addr === "string") throw new Error("not bound");
    return addr.port;
  }

  /** The next accepted socket, within WAIT_MS. */
  async accept(): Promise<Socket> {
    if (this.#queue.length === 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.#wake = undefined;
          reject(new Error(`no connection within ${WAIT_MS} ms`));
        }, WAIT_MS);
        this.#wake = () => {
          this.#wake = undefined;
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.#queue.shift()!;
  }

  close(): Promise<void> {
    for (const s of this.#queue.splice(0)) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Accepts one connection, runs our server's handshake on it and hands off. */
async function acceptAndHandOff(
  acceptor: Acceptor,
  config: ServerConfig,
  sockets: KernelSocket[],
  options: KernelRecordLayerOptions = {},
): Promise<{ ks: KernelSocket; conn: UnbufferedServerConnection }> {
  const ks = KernelSocket.wrap(await acceptor.accept());
  sockets.push(ks);
  const conn = new UnbufferedServerConnection(config);
  await ks.handOff(conn, options);
  return { ks, conn };
}

/** What every hand-off must look like, whatever the peer. */
async function checkHandOff(
  ks: KernelSocket,
  conn: UnbufferedServerConnection,
  suite: (typeof SUITES)[number],
  ticketsExpected: boolean,
): Promise<void> {
  assert.equal(conn.handshakeKind, "Full");
  const secrets = ks.secrets!;
  const kernel = ks.connection!;
  assert.equal(kernel.protocolVersion, "TLSv1_3");
  assert.equal(kernel.negotiatedCipherSuite.id, suite.id);
  assert.equal(secrets.tx.secrets.kind, suite.kind);
  assert.equal(secrets.rx.secrets.kind, suite.kind);
  assert.equal(secrets.tx.secrets.iv.length, 12);
  assert.ok(!("handleNewSessionTicket" in kernel), "the server kernel has no ticket method");
  // tx seq: records already sent under the application key (the tickets).
  assert.equal(secrets.tx.seq, BigInt(ks.appRecordsBeforeHandOff));
  if (ticketsExpected) assert.ok(ks.appRecordsBeforeHandOff >= 1, "tickets went out first");
  else assert.equal(ks.appRecordsBeforeHandOff, 0);
  // The client sent nothing under its application key yet.
  assert.equal(secrets.rx.seq, 0n);
  assert.deepEqual(structuredClone(secrets), secrets);
  // The connection is consumed.
  await assert.rejects(conn.processTlsRecords(new Uint8Array(0)), TypeError);
}

const opensslMissing = peerMissing("openssl", ["version"]);

describe("kernel hand-off, our server: openssl s_client", { skip: opensslMissing }, () => {
  let acceptor: Acceptor;
  const peers: PeerProcess[] = [];
  const sockets: KernelSocket[] = [];

  before(async () => {
    setUpPki();
    acceptor = await Acceptor.listen();
  });

  after(async () => {
    for (const s of sockets) s.socket.destroy();
    await Promise.all(peers.map((p) => p.stop()));
    await acceptor?.close();
    pki?.cleanup();
    pki = undefined;
  });

  function sClient(suite: string): PeerProcess {
    // stdbuf: s_client's stdout would otherwise sit in a pipe buffer. No
    // -ign_eof, so its K/k commands stay on.
    const peer = new PeerProcess("stdbuf", [
      "-o0",
      "openssl",
      "s_client",
      "-connect",
      `127.0.0.1:${acceptor.port}`,
      "-tls1_3",
      "-ciphersuites",
      suite,
      "-servername",
      "localhost",
      "-CAfile",
      ca.certPath,
      "-verify_return_error",
    ]);
    peers.push(peer);
    return peer;
  }

  /** One line each way, checked byte for byte on both ends. */
  async function exchange(ks: KernelSocket, peer: PeerProcess): Promise<void> {
    const t = token();
    const c2s = `client-to-server ${t}\n`;
    ks.take();
    peer.send(c2s);
    await ks.readAtLeast(c2s.length);
    assert.equal(ks.text, c2s);
    ks.take();
    const s2c = `server-to-client ${t}\n`;
    const mark = peer.output.length;
    await ks.write(s2c);
    await peer.waitFor(s2c, { from: mark });
  }

  for (const suite of SUITES) {
    it(`${suite.name}: data, client KeyUpdate (K), ours, close`, async () => {
      const peer = sClient(suite.name);
      const { ks, conn } = await acceptAndHandOff(acceptor, serverConfig(suite.id), sockets);
      const layer = ks.layer!;
      await checkHandOff(ks, conn, suite, true);
      await exchange(ks, peer);
      assert.match(peer.output, /Verify return code: 0 \(ok\)/);

      // "K": KeyUpdate with update_requested; our layer applies it and answers.
      let stats = layer.stats;
      peer.send("K\n");
      await ks.until(() => layer.stats.rxKeyUpdates === stats.rxKeyUpdates + 1, "client K");
      assert.equal(layer.stats.txKeyUpdates, stats.txKeyUpdates + 1, "answered");
      // Twice: the second round runs entirely under the updated keys.
      await exchange(ks, peer);
      await exchange(ks, peer);

      // Ours, asking s_client to update too.
      stats = layer.stats;
      await ks.keyUpdate(true);
      assert.equal(layer.stats.txKeyUpdates, stats.txKeyUpdates + 1);
      await exchange(ks, peer);
      await ks.until(() => layer.stats.rxKeyUpdates === stats.rxKeyUpdates + 1, "our request");
      await exchange(ks, peer);

      assert.equal(layer.stats.ticketsHandled, 0);
      assert.equal(ks.failure, undefined);
      await ks.close();
      await peer.stop();
    });
  }

  it("without tickets the server's tx seq is 0 at the hand-off", async () => {
    const suite = SUITES[0];
    const peer = sClient(suite.name);
    const { ks, conn } = await acceptAndHandOff(acceptor, serverConfig(suite.id, 0), sockets);
    await checkHandOff(ks, conn, suite, false);
    await exchange(ks, peer);
    assert.equal(ks.failure, undefined);
    await ks.close();
    await peer.stop();
  });
});

const denoSkip = typeof Deno === "undefined"
  ? "Deno.connectTls is only available under Deno; skipping rustls kernel server interop"
  : undefined;

describe("kernel hand-off, our server: Deno.connectTls (rustls)", { skip: denoSkip }, () => {
  let acceptor: Acceptor;
  const sockets: KernelSocket[] = [];
  const conns: Deno.TlsConn[] = [];

  before(async () => {
    setUpPki();
    acceptor = await Acceptor.listen();
  });

  after(async () => {
    for (const s of sockets) s.socket.destroy();
    for (const c of conns) {
      try {
        c.close();
      } catch { /* already closed */ }
    }
    await acceptor?.close();
    pki?.cleanup();
    pki = undefined;
  });

  /** Reads exactly `n` bytes from the rustls side, within WAIT_MS. */
  async function readN(conn: Deno.TlsConn, n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    let got = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`rustls read of ${n} bytes timed out`)), WAIT_MS);
    });
    try {
      while (got < n) {
        const r = await Promise.race([conn.read(out.subarray(got)), timeout]);
        if (r === null) throw new Error(`rustls side got EOF after ${got} of ${n} bytes`);
        got += r;
      }
    } finally {
      clearTimeout(timer);
    }
    return out;
  }

  async function writeAll(conn: Deno.TlsConn, data: Uint8Array): Promise<void> {
    for (let off = 0; off < data.length;) off += await conn.write(data.subarray(off));
  }

  for (const suite of SUITES) {
    it(`${suite.name}: data both ways, our KeyUpdate, 30 KB bulk with rotation`, async () => {
      const connecting = Deno.connectTls({
        hostname: "127.0.0.1",
        port: acceptor.port,
        caCerts: [readFileSync(ca.certPath, "utf8")],
      });
      const [{ ks, conn }, client] = await Promise.all([
        acceptAndHandOff(acceptor, serverConfig(suite.id), sockets, {
          maxFragmentSize: 1000,
          confidentialityLimit: 8n, // forces our key rotation inside the bulk write
        }),
        connecting.then(async (c) => {
          conns.push(c);
          await c.handshake();
          return c;
        }),
      ]);
      const layer = ks.layer!;
      await checkHandOff(ks, conn, suite, true);
      const enc = new TextEncoder();

      const roundTrip = async (c2s: string, s2c: string) => {
        ks.take();
        await writeAll(client, enc.encode(c2s));
        await ks.readAtLeast(c2s.length);
        assert.equal(ks.text, c2s);
        ks.take();
        await ks.write(s2c);
        assert.equal(new TextDecoder().decode(await readN(client, s2c.length)), s2c);
      };
      await roundTrip(`hello ${token()}`, `hi ${token()}`);

      // Ours with update_requested: rustls answers with its own KeyUpdate.
      const before = layer.stats;
      await ks.keyUpdate(true);
      await roundTrip(`after update ${token()}`, `ok ${token()}`);
      // rustls reads our KeyUpdate with that reply and sends its answer with its next write.
      await roundTrip(`under new keys ${token()}`, `likewise ${token()}`);
      await ks.until(() => layer.stats.rxKeyUpdates === before.rxKeyUpdates + 1, "rustls KU");

      // 30 KB each way; ours goes out in 1000-byte records under a limit of 8.
      const bulkOut = `${"z".repeat(30_000)}${token()}`;
      const bulkIn = `${"w".repeat(30_000)}${token()}`;
      await roundTrip(bulkIn, bulkOut);
      assert.ok(layer.stats.txKeyUpdates >= before.txKeyUpdates + 4, "rotated on the way");

      assert.equal(layer.stats.ticketsHandled, 0);
      assert.equal(ks.failure, undefined);
      await ks.close();
      client.close();
      conns.splice(conns.indexOf(client), 1);
    });
  }
});
