// Resumption and 0-RTT against OpenSSL on 127.0.0.1: our client against
// `openssl s_server -early_data`, and our server resumed by `openssl s_client
// -sess_out/-sess_in -early_data`. Every wait is bounded; peers are stopped
// by PID. Skipped when openssl is missing, except in CI.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Socket } from "node:net";
import {
  ClientConfig,
  type ClientConfigOptions,
  RotatingTicketer,
  ServerConfig,
  type ServerConfigOptions,
  UnbufferedClientConnection,
  UnbufferedServerConnection,
} from "../mod.ts";
import type { UnbufferedStatus } from "../src/conn/states.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { type DrivenConnection, SocketDriver } from "./_client_drive.ts";
import { LoopbackListener } from "./_drive.ts";
import { type TestCert, TestPki } from "./_pki.ts";
import { peerMissing, PeerProcess } from "./peers/_spawn.ts";
import { exchange, OpenSslServer } from "./peers/_openssl_server.ts";

const missing = peerMissing("openssl", ["version"]) ?? peerMissing("stdbuf", ["--version"]);
if (missing) console.warn(missing);

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A client connection that writes `early` as 0-RTT data when the connection allows it. */
class EarlyClient implements DrivenConnection {
  socket: Socket | undefined;
  consumed = 0;
  #early: Uint8Array | undefined;
  constructor(readonly inner: UnbufferedClientConnection, early: string) {
    this.#early = enc.encode(early);
  }
  get isHandshaking(): boolean {
    return this.inner.isHandshaking;
  }
  async processTlsRecords(incoming: Uint8Array): Promise<UnbufferedStatus> {
    const status = await this.inner.processTlsRecords(incoming);
    if (status.state.kind === "TransmitTlsData" && this.#early) {
      const writer = status.state.mayEncryptEarlyData();
      if (writer) {
        const out = new Uint8Array(this.#early.length + 1024);
        const { consumed, written } = await writer.encrypt(this.#early, out);
        this.consumed = consumed;
        // The driver already wrote the encoded ClientHello: the early data follows it.
        this.socket!.write(out.subarray(0, written));
      }
      this.#early = undefined;
    }
    return status;
  }
}

/** A server connection that collects 0-RTT data as it arrives. */
class EarlyServer implements DrivenConnection {
  early = "";
  constructor(readonly inner: UnbufferedServerConnection) {}
  get isHandshaking(): boolean {
    return this.inner.isHandshaking;
  }
  async processTlsRecords(incoming: Uint8Array): Promise<UnbufferedStatus> {
    let total = 0;
    for (;;) {
      const { discard, state } = await this.inner.processTlsRecords(incoming.subarray(total));
      total += discard;
      if (state.kind !== "ReadEarlyData") return { discard: total, state };
      for (let r = state.nextRecord(); r; r = state.nextRecord()) {
        this.early += dec.decode(r.payload);
        total += r.discard;
      }
    }
  }
}

describe("resumption interop: openssl", { skip: missing }, () => {
  let pki: TestPki;
  let ca: TestCert;
  let leaf: TestCert;
  let roots: RootCertStore;
  let listener: LoopbackListener;
  const peers: { stop(): Promise<void> }[] = [];

  before(async () => {
    pki = new TestPki();
    ca = pki.root("kerneltls resumption CA");
    leaf = pki.leaf(ca, "DNS:localhost, IP:127.0.0.1");
    roots = new RootCertStore();
    roots.add(ca.der);
    listener = await LoopbackListener.listen();
  });

  after(async () => {
    await Promise.all(peers.map((p) => p.stop()));
    await listener?.close();
    pki?.cleanup();
  });

  function clientConfig(extra: Partial<ClientConfigOptions> = {}): ClientConfig {
    return new ClientConfig({ roots, ...extra });
  }

  async function sServer(args: string[]): Promise<OpenSslServer> {
    const s = await OpenSslServer.start(["-cert", leaf.certPath, "-key", leaf.keyPath, ...args]);
    peers.push(s);
    return s;
  }

  async function clientConnect(
    s: OpenSslServer,
    cfg: ClientConfig,
    early?: string,
  ): Promise<{ client: UnbufferedClientConnection; driver: SocketDriver; wrapper?: EarlyClient }> {
    const client = await UnbufferedClientConnection.create(cfg, "localhost");
    const wrapper = early === undefined ? undefined : new EarlyClient(client, early);
    const driver = await SocketDriver.connect(wrapper ?? client, s.port);
    if (wrapper) wrapper.socket = driver.socket;
    try {
      await driver.handshake();
    } catch (e) {
      driver.destroy();
      throw e;
    }
    return { client, driver, wrapper };
  }

  it("our client sends 0-RTT data that openssl s_server -early_data accepts", async () => {
    const s = await sServer(["-early_data"]);
    const cfg = clientConfig({ enableEarlyData: true });
    const first = await clientConnect(s, cfg, "not yet\n");
    try {
      assert.equal(first.client.handshakeKind, "Full");
      assert.equal(first.wrapper!.consumed, 0, "no ticket yet");
      await exchange(first.driver, s);
    } finally {
      await first.driver.close();
    }
    const token = `early-${Math.random().toString(36).slice(2)}`;
    const mark = s.output.length;
    const second = await clientConnect(s, cfg, `${token}\n`).catch((e) => {
      console.log(s.output);
      throw e;
    });
    try {
      assert.equal(second.client.handshakeKind, "Resumed");
      assert.equal(second.wrapper!.consumed, token.length + 1);
      assert.equal(second.client.earlyDataAccepted, true);
      await s.proc.waitFor("Early data received:", { from: mark });
      await s.proc.waitFor(token, { from: mark });
      await exchange(second.driver, s);
    } finally {
      await second.driver.close();
    }
  });

  it("without -early_data, our client offers no 0-RTT and still resumes", async () => {
    const s = await sServer([]);
    const cfg = clientConfig({ enableEarlyData: true });
    const first = await clientConnect(s, cfg, "x\n");
    await exchange(first.driver, s);
    await first.driver.close();
    const second = await clientConnect(s, cfg, "y\n");
    try {
      assert.equal(second.client.handshakeKind, "Resumed");
      assert.equal(second.wrapper!.consumed, 0);
      assert.equal(second.client.earlyDataAccepted, undefined);
      await exchange(second.driver, s);
    } finally {
      await second.driver.close();
    }
  });

  function serverConfig(extra: Partial<ServerConfigOptions> = {}): ServerConfig {
    return new ServerConfig({
      certificateChain: readFileSync(leaf.certPath, "utf8"),
      privateKey: readFileSync(leaf.keyPath, "utf8"),
      ...extra,
    });
  }

  /** Runs s_client against our server once; returns what both sides saw. */
  async function sClient(
    config: ServerConfig,
    args: string[],
  ): Promise<{ conn: UnbufferedServerConnection; early: string; peer: PeerProcess }> {
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
      ...args,
    ]);
    peers.push(peer);
    const conn = new UnbufferedServerConnection(config);
    const wrapper = new EarlyServer(conn);
    const driver = await listener.accept(wrapper);
    try {
      await driver.handshake();
      // One line each way: s_client has read our tickets once it prints ours.
      const token = `line-${Math.random().toString(36).slice(2)}\n`;
      peer.send(token);
      await driver.readUntilText(token);
      const mark = peer.output.length;
      await driver.write(`reply ${token}`);
      await peer.waitFor(`reply ${token}`, { from: mark });
      await peer.waitFor(/(New|Reused), TLSv1\.3/);
    } finally {
      await driver.close();
      await peer.stop();
    }
    return { conn, early: wrapper.early, peer };
  }

  it("openssl s_client resumes our server (-sess_out, -sess_in) with 0-RTT, once", async () => {
    const config = serverConfig({ maxEarlyDataSize: 16384 });
    const sess = join(pki.dir, "sess-stateful.pem");
    const earlyFile = join(pki.dir, "early.txt");
    const earlyText = `early-${Math.random().toString(36).slice(2)}\n`;
    writeFileSync(earlyFile, earlyText);

    const first = await sClient(config, ["-sess_out", sess]);
    assert.equal(first.conn.handshakeKind, "Full");
    assert.match(first.peer.output, /New, TLSv1\.3/);

    const second = await sClient(config, ["-sess_in", sess, "-early_data", earlyFile]);
    assert.equal(second.conn.handshakeKind, "Resumed");
    assert.equal(second.conn.earlyDataAccepted, true);
    assert.equal(second.early, earlyText);
    assert.match(second.peer.output, /Reused, TLSv1\.3/);
    assert.match(second.peer.output, /Early data was accepted/);

    // The same ticket again: it was consumed by the 0-RTT use, so no resumption
    // and no early data (replay protection).
    const third = await sClient(config, ["-sess_in", sess, "-early_data", earlyFile]);
    assert.equal(third.conn.handshakeKind, "Full");
    assert.equal(third.early, "");
    assert.equal(third.conn.earlyDataAccepted, false);
    assert.match(third.peer.output, /Early data was rejected/);
  });

  for (
    const [what, later] of [
      ["a server instance without the ticket and 0-RTT off", {}],
      ["a HelloRetryRequest (0-RTT off, P-384 only)", { kxGroups: [0x18] }],
    ] as const
  ) {
    it(`item 3: openssl s_client -early_data completes against ${what}`, async () => {
      const sess = join(pki.dir, `sess-refused-${Object.keys(later).length}.pem`);
      const earlyFile = join(pki.dir, "early-refused.txt");
      writeFileSync(earlyFile, "x".repeat(4000) + "\n");
      const issuer = serverConfig({ maxEarlyDataSize: 16384 });
      const first = await sClient(issuer, ["-sess_out", sess]);
      assert.equal(first.conn.handshakeKind, "Full");
      // The refused early data is skipped and the handshake completes.
      const extra = "kxGroups" in later ? ["-groups", "X25519:P-384"] : [];
      const second = await sClient(serverConfig(later), [
        "-sess_in",
        sess,
        "-early_data",
        earlyFile,
        ...extra,
      ]);
      if ("kxGroups" in later) {
        assert.equal(second.conn.handshakeKind, "FullWithHelloRetryRequest");
      }
      assert.equal(second.early, "");
      assert.equal(second.conn.earlyDataAccepted, false);
      assert.match(second.peer.output, /Early data was rejected/);
      assert.match(second.peer.output, /New, TLSv1\.3/);
    });
  }

  it("openssl s_client resumes our server's stateless tickets", async () => {
    const config = serverConfig({ ticketer: new RotatingTicketer() });
    const sess = join(pki.dir, "sess-stateless.pem");
    const first = await sClient(config, ["-sess_out", sess]);
    assert.equal(first.conn.handshakeKind, "Full");
    const second = await sClient(config, ["-sess_in", sess]);
    assert.equal(second.conn.handshakeKind, "Resumed");
    assert.match(second.peer.output, /Reused, TLSv1\.3/);
  });
});
