// Issue 6 interop: our client hands off after the handshake, and from then on
// only KernelRecordLayer and the KernelConnection move data, against
// `openssl s_server` (OpenSSL 3) and `Deno.listenTls` (rustls) on 127.0.0.1.
// Then a second connection with the same ClientConfig resumes with a ticket
// that the kernel connection stored after the hand-off.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ClientConfig } from "../src/client/config.ts";
import {
  InMemoryClientSessionStore,
  type Tls13ClientSession,
} from "../src/client/session_store.ts";
import { UnbufferedClientConnection } from "../src/conn/unbuffered.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { type TestCert, TestPki } from "./_pki.ts";
import { peerMissing } from "./peers/_spawn.ts";
import { OpenSslServer } from "./peers/_openssl_server.ts";
import { KernelSocket } from "./_kernel_peer.ts";
import { SocketDriver } from "./_client_drive.ts";

const SUITES = [
  { id: 0x1301, name: "TLS_AES_128_GCM_SHA256", kind: "Aes128Gcm" },
  { id: 0x1302, name: "TLS_AES_256_GCM_SHA384", kind: "Aes256Gcm" },
  { id: 0x1303, name: "TLS_CHACHA20_POLY1305_SHA256", kind: "Chacha20Poly1305" },
];
const SAN = "DNS:localhost, IP:127.0.0.1";

let pki: TestPki | undefined;
let leaf: TestCert;
let roots: RootCertStore;

function setUpPki(): void {
  pki ??= new TestPki();
  const ca = pki.root("kerneltls kernel CA");
  leaf = pki.leaf(ca, SAN);
  roots = RootCertStore.fromPem(readFileSync(ca.certPath, "utf8"));
}

/**
 * Remembers which tickets arrived after the hand-off and which one a later
 * connection took, so a resumption is shown to use a kernel-stored ticket.
 */
class WatchedStore extends InMemoryClientSessionStore {
  handedOff = false;
  readonly afterHandOff = new Set<Tls13ClientSession>();
  readonly taken: Tls13ClientSession[] = [];

  override insertTls13Ticket(serverName: string, session: Tls13ClientSession): Promise<void> {
    if (this.handedOff) this.afterHandOff.add(session);
    return super.insertTls13Ticket(serverName, session);
  }

  override async takeTls13Ticket(serverName: string): Promise<Tls13ClientSession | undefined> {
    const s = await super.takeTls13Ticket(serverName);
    if (s) this.taken.push(s);
    return s;
  }
}

/** Connects again with `config` (no hand-off) and checks that it resumed. */
async function resumeWith(
  config: ClientConfig,
  store: WatchedStore,
  port: number,
  roundTrip: (driver: SocketDriver) => Promise<void>,
): Promise<void> {
  const client = await UnbufferedClientConnection.create(config, "localhost");
  const driver = await SocketDriver.connect(client, port);
  try {
    await driver.handshake();
    assert.equal(client.handshakeKind, "Resumed");
    assert.equal(store.taken.length, 1, "one ticket offered");
    assert.ok(store.afterHandOff.has(store.taken[0]), "the ticket came through the kernel");
    await roundTrip(driver);
  } finally {
    await driver.close();
  }
}

function clientConfig(suite: number, store: InMemoryClientSessionStore): ClientConfig {
  return new ClientConfig({
    roots,
    cipherSuites: [suite],
    enableSecretExtraction: true,
    sessionStore: store,
  });
}

let counter = 0;
function token(): string {
  return `${Date.now().toString(36)}-${(counter++).toString(36)}`;
}

const opensslMissing = peerMissing("openssl", ["version"]);

describe("kernel hand-off: openssl s_server", { skip: opensslMissing }, () => {
  const servers: OpenSslServer[] = [];
  const sockets: KernelSocket[] = [];

  before(setUpPki);
  after(async () => {
    for (const s of sockets) s.socket.destroy();
    await Promise.all(servers.map((s) => s.stop()));
    pki?.cleanup();
    pki = undefined;
  });

  /** One line each way, checked byte for byte on both ends. */
  async function exchange(ks: KernelSocket, server: OpenSslServer): Promise<void> {
    const t = token();
    const c2s = `client-to-server ${t}\n`;
    const mark = server.output.length;
    await ks.write(c2s);
    await server.proc.waitFor(c2s, { from: mark });
    const s2c = `server-to-client ${t}\n`;
    ks.take();
    server.proc.send(s2c);
    await ks.readAtLeast(s2c.length);
    assert.equal(ks.text, s2c);
    ks.take();
  }

  for (const suite of SUITES) {
    it(`${suite.name}: data, server KeyUpdate (K and k), tickets, close, resumption`, async () => {
      const server = await OpenSslServer.start([
        "-cert",
        leaf.certPath,
        "-key",
        leaf.keyPath,
        "-ciphersuites",
        suite.name,
      ]);
      servers.push(server);
      const store = new WatchedStore();
      const config = clientConfig(suite.id, store);
      const ks = await KernelSocket.connect(server.port);
      sockets.push(ks);
      const layer = await ks.handshakeAndHandOff(config, "localhost");
      store.handedOff = true;
      assert.equal(ks.connection!.protocolVersion, "TLSv1_3");
      assert.equal(ks.connection!.negotiatedCipherSuite.id, suite.id);
      assert.equal(ks.secrets!.tx.secrets.kind, suite.kind);
      assert.deepEqual(structuredClone(ks.secrets), ks.secrets);

      await exchange(ks, server);
      // OpenSSL sends two tickets right after our Finished: they arrive after the hand-off.
      await ks.until(() => layer.stats.ticketsHandled >= 2, "waiting for tickets");
      assert.ok(store.ticketCount("localhost") > 0, "tickets reached the session store");

      // "K": KeyUpdate with update_requested; we apply it and answer with ours.
      let stats = layer.stats;
      server.proc.send("K\n");
      await ks.until(() => layer.stats.rxKeyUpdates === stats.rxKeyUpdates + 1, "server K");
      assert.equal(layer.stats.txKeyUpdates, stats.txKeyUpdates + 1, "answered");
      await exchange(ks, server);
      await exchange(ks, server);

      // "k": KeyUpdate without a request; nothing to answer.
      stats = layer.stats;
      server.proc.send("k\n");
      await ks.until(() => layer.stats.rxKeyUpdates === stats.rxKeyUpdates + 1, "server k");
      assert.equal(layer.stats.txKeyUpdates, stats.txKeyUpdates);
      await exchange(ks, server);

      // Our own KeyUpdate asking the server to update too.
      stats = layer.stats;
      await ks.keyUpdate(true);
      await exchange(ks, server);
      await ks.until(() => layer.stats.rxKeyUpdates === stats.rxKeyUpdates + 1, "our request");
      await exchange(ks, server);

      // Bulk from us, in small records, checked on the server's stdout.
      const bulk = `${"x".repeat(40_000)} ${token()}\n`;
      const mark = server.output.length;
      await ks.write(bulk);
      await server.proc.waitFor(bulk.slice(-40), { from: mark });

      assert.equal(ks.failure, undefined);
      assert.equal(store.afterHandOff.size, layer.stats.ticketsHandled);
      await ks.close();

      // s_server serves one client at a time: the next one is accepted after this close.
      await resumeWith(config, store, server.port, async (driver) => {
        const line = `resumed ${token()}\n`;
        const mark = server.output.length;
        await driver.write(line);
        await server.proc.waitFor(line, { from: mark });
        const back = `resumed-back ${token()}\n`;
        server.proc.send(back);
        assert.equal(await driver.readUntilText(back), back);
      });
      await server.proc.waitFor("Reused session-id");
    });
  }
});

const denoSkip = typeof Deno === "undefined"
  ? "Deno.listenTls is only available under Deno; skipping rustls kernel interop"
  : undefined;

describe("kernel hand-off: Deno.listenTls (rustls)", { skip: denoSkip }, () => {
  let listener: Deno.TlsListener | undefined;
  const tasks: Promise<void>[] = [];
  const conns = new Set<Deno.TlsConn>();

  before(() => {
    setUpPki();
    listener = Deno.listenTls({
      hostname: "127.0.0.1",
      port: 0,
      cert: readFileSync(leaf.certPath, "utf8"),
      key: readFileSync(leaf.keyPath, "utf8"),
    });
    tasks.push((async () => {
      try {
        for await (const conn of listener!) {
          conns.add(conn);
          tasks.push(echo(conn));
        }
      } catch { /* closed */ }
    })());
  });

  after(async () => {
    listener?.close();
    for (const c of conns) {
      try {
        c.close();
      } catch { /* already closed */ }
    }
    await Promise.all(tasks);
    pki?.cleanup();
    pki = undefined;
  });

  /** Echoes every byte back with a marker prefix per read. */
  async function echo(conn: Deno.TlsConn): Promise<void> {
    try {
      await conn.handshake();
      const buf = new Uint8Array(65536);
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) break;
        let off = 0;
        while (off < n) off += await conn.write(buf.subarray(off, n));
      }
    } catch { /* the client went away */ }
    conns.delete(conn);
    try {
      conn.close();
    } catch { /* already closed */ }
  }

  for (const suite of SUITES) {
    it(`${suite.name}: echo, KeyUpdate both ways, rotation, close, resumption`, async () => {
      const store = new WatchedStore();
      const config = clientConfig(suite.id, store);
      const ks = await KernelSocket.connect(listener!.addr.port);
      try {
        const layer = await ks.handshakeAndHandOff(config, "localhost", {
          maxFragmentSize: 1000,
          confidentialityLimit: 8n, // forces our key rotation inside one large write
        });
        store.handedOff = true;
        assert.equal(ks.connection!.negotiatedCipherSuite.id, suite.id);
        const roundTrip = async (payload: string) => {
          ks.take();
          await ks.write(payload);
          await ks.readAtLeast(payload.length);
          assert.equal(ks.text, payload);
        };
        await roundTrip(`hello ${token()}`);
        // rustls answers update_requested with its own KeyUpdate.
        const before = layer.stats;
        await ks.keyUpdate(true);
        await roundTrip(`after update ${token()}`);
        await ks.until(() => layer.stats.rxKeyUpdates === before.rxKeyUpdates + 1, "rustls KU");
        // 30 KB in 1000-byte records under a limit of 8: several rotations.
        const big = `${"y".repeat(30_000)}${token()}`;
        await roundTrip(big);
        assert.ok(layer.stats.txKeyUpdates >= before.txKeyUpdates + 4);
        await roundTrip(`tail ${token()}`);
        // rustls sends its tickets after the handshake too; they reach the store.
        await ks.until(() => layer.stats.ticketsHandled > 0, "waiting for tickets");
        assert.equal(store.ticketCount("localhost"), layer.stats.ticketsHandled);
        assert.equal(store.afterHandOff.size, layer.stats.ticketsHandled);
        assert.equal(ks.failure, undefined);
      } finally {
        await ks.close();
      }
      await resumeWith(config, store, listener!.addr.port, async (driver) => {
        const line = `resumed ${token()}`;
        await driver.write(line);
        assert.equal(await driver.readUntilText(line), line);
      });
    });
  }
});
