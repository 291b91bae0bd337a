// Our TLS 1.3 client against Deno's own TLS server (rustls), in-process.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ClientConfig, type ClientConfigOptions } from "../src/client/config.ts";
import { UnbufferedClientConnection } from "../src/conn/unbuffered.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { randomBytes, SocketDriver } from "./_client_drive.ts";
import { type TestCert, TestPki } from "./_pki.ts";

const SUITES = [0x1301, 0x1302, 0x1303];
const GROUPS = [0x1d, 0x17, 0x18];

const skip = typeof Deno === "undefined"
  ? "Deno.listenTls is only available under Deno; skipping rustls interop"
  : undefined;
if (skip) console.warn(skip);

/** Echoes every byte back; records the ALPN protocol of each connection. */
class EchoServer {
  readonly listener: Deno.TlsListener;
  readonly alpn: (string | null)[] = [];
  readonly #tasks: Promise<void>[] = [];
  readonly #conns = new Set<Deno.TlsConn>();
  readonly #loop: Promise<void>;

  constructor(cert: TestCert, alpnProtocols?: string[]) {
    this.listener = Deno.listenTls({
      hostname: "127.0.0.1",
      port: 0,
      cert: readFileSync(cert.certPath, "utf8"),
      key: readFileSync(cert.keyPath, "utf8"),
      alpnProtocols,
    });
    this.#loop = this.#accept();
  }

  get port(): number {
    return this.listener.addr.port;
  }

  async #accept(): Promise<void> {
    try {
      for await (const conn of this.listener) {
        this.#conns.add(conn);
        this.#tasks.push(this.#echo(conn));
      }
    } catch { /* listener closed */ }
  }

  async #echo(conn: Deno.TlsConn): Promise<void> {
    try {
      const info = await conn.handshake();
      this.alpn.push(info.alpnProtocol);
      const buf = new Uint8Array(65536);
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) break;
        let off = 0;
        while (off < n) off += await conn.write(buf.subarray(off, n));
      }
    } catch {
      /* the client went away */
    } finally {
      this.#conns.delete(conn);
      try {
        conn.close();
      } catch { /* already closed */ }
    }
  }

  async close(): Promise<void> {
    this.listener.close();
    for (const c of this.#conns) {
      try {
        c.close();
      } catch { /* already closed */ }
    }
    await this.#loop;
    await Promise.all(this.#tasks);
  }
}

describe("client interop: Deno.listenTls (rustls)", { skip }, () => {
  let pki: TestPki;
  let leaf: TestCert;
  let roots: RootCertStore;
  let plain: EchoServer;
  let withAlpn: EchoServer;

  before(() => {
    pki = new TestPki();
    const ca = pki.root("kerneltls deno interop CA");
    leaf = pki.leaf(ca, "DNS:localhost, IP:127.0.0.1");
    roots = new RootCertStore();
    roots.add(ca.der);
    plain = new EchoServer(leaf);
    withAlpn = new EchoServer(leaf, ["h2", "http/1.1"]);
  });

  after(async () => {
    await plain?.close();
    await withAlpn?.close();
    pki?.cleanup();
  });

  async function roundTrip(
    server: EchoServer,
    options: Partial<ClientConfigOptions>,
    size: number,
  ): Promise<UnbufferedClientConnection> {
    const client = await UnbufferedClientConnection.create(
      new ClientConfig({ roots, ...options }),
      "localhost",
    );
    const driver = await SocketDriver.connect(client, server.port);
    try {
      await driver.handshake();
      const data = randomBytes(size);
      await driver.write(data);
      const got = await driver.readAtLeast(size);
      assert.deepEqual(got, data);
      return client;
    } finally {
      await driver.close();
    }
  }

  it("every suite x every group: echo of 40000 random bytes", async () => {
    for (const suite of SUITES) {
      for (const group of GROUPS) {
        const client = await roundTrip(
          plain,
          { cipherSuites: [suite], kxGroups: [group] },
          40000,
        );
        assert.equal(client.protocolVersion, "TLSv1_3");
        assert.equal(client.negotiatedCipherSuite?.id, suite);
        assert.equal(client.negotiatedKeyExchangeGroup?.group, group);
        assert.equal(client.handshakeKind, "Full");
        assert.deepEqual(client.peerCertificates?.[0], leaf.der);
      }
    }
  });

  it("ALPN: both sides agree on http/1.1", async () => {
    const before = withAlpn.alpn.length;
    const client = await roundTrip(withAlpn, { alpnProtocols: ["http/1.1"] }, 100);
    assert.equal(client.alpnProtocol, "http/1.1");
    assert.equal(withAlpn.alpn[before], "http/1.1");
  });

  it("resumes with the same config", async () => {
    const options = { roots, kxGroups: [0x1d] };
    const config = new ClientConfig(options);
    const kinds: (string | undefined)[] = [];
    for (let i = 0; i < 2; i++) {
      const client = await UnbufferedClientConnection.create(config, "localhost");
      const driver = await SocketDriver.connect(client, plain.port);
      try {
        await driver.handshake();
        await driver.write("resume me");
        assert.equal(await driver.readUntilText("resume me"), "resume me");
        kinds.push(client.handshakeKind);
      } finally {
        await driver.close();
      }
    }
    assert.deepEqual(kinds, ["Full", "Resumed"]);
  });

  it("our KeyUpdate: data still echoes", async () => {
    const client = await UnbufferedClientConnection.create(
      new ClientConfig({ roots }),
      "localhost",
    );
    const driver = await SocketDriver.connect(client, plain.port);
    try {
      await driver.handshake();
      for (let i = 0; i < 3; i++) {
        await driver.refreshTrafficKeys();
        const line = `after key update ${i}\n`;
        await driver.write(line);
        await driver.readAtLeast(line.length);
        assert.equal(new TextDecoder().decode(driver.take()), line);
      }
    } finally {
      await driver.close();
    }
  });
});
