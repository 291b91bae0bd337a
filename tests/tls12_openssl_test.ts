// TLS 1.2 interop on 127.0.0.1: our client against `openssl s_server -tls1_2`
// and our server against `openssl s_client -tls1_2`, for the six ECDHE AEAD
// suites with ECDSA and RSA certificates.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClientConfig, type ClientConfigOptions } from "../src/client/config.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { TlsError } from "../src/error.ts";
import { SocketDriver } from "./_client_drive.ts";
import { exchangeLines, LoopbackListener } from "./_drive.ts";
import { KernelSocket, WAIT_MS } from "./_kernel_peer.ts";
import { createServer, type Server, type Socket } from "node:net";
import { ServerConfig, type ServerConfigOptions } from "../src/server/config.ts";
import { RotatingTicketer } from "../src/server/ticketer.ts";
import { UnbufferedClientConnection, UnbufferedServerConnection } from "../src/conn/unbuffered.ts";
import { type TestCert, TestPki } from "./_pki.ts";
import { peerMissing, PeerProcess } from "./peers/_spawn.ts";
import { exchange, type OpenSslServer } from "./peers/_openssl_server.ts";

const SUITES = [
  { id: 0xc02b, openssl: "ECDHE-ECDSA-AES128-GCM-SHA256", sign: "ecdsa" },
  { id: 0xc02c, openssl: "ECDHE-ECDSA-AES256-GCM-SHA384", sign: "ecdsa" },
  { id: 0xcca9, openssl: "ECDHE-ECDSA-CHACHA20-POLY1305", sign: "ecdsa" },
  { id: 0xc02f, openssl: "ECDHE-RSA-AES128-GCM-SHA256", sign: "rsa" },
  { id: 0xc030, openssl: "ECDHE-RSA-AES256-GCM-SHA384", sign: "rsa" },
  { id: 0xcca8, openssl: "ECDHE-RSA-CHACHA20-POLY1305", sign: "rsa" },
] as const;
const SAN = "DNS:localhost, IP:127.0.0.1";
/** An openssl config that turns the extended master secret off (no flag does in 3.0). */
const NO_EMS_CONF = "openssl_conf = c\n[c]\nssl_conf = s\n[s]\nsystem_default = d\n[d]\n" +
  "Options = -ExtendedMasterSecret\n";

const missing = peerMissing("openssl", ["version"]) ?? peerMissing("stdbuf", ["--version"]);
if (missing) {
  if (process.env.CI) throw new Error(`CI needs openssl: ${missing}`);
  console.warn(missing);
}

/** `openssl s_server -tls1_2` on 127.0.0.1 and a free port (shape of OpenSslServer). */
async function startServer12(args: string[], opensslConf?: string): Promise<OpenSslServer> {
  const proc = new PeerProcess("env", [
    ...(opensslConf ? [`OPENSSL_CONF=${opensslConf}`] : []),
    "stdbuf",
    "-o0",
    "openssl",
    "s_server",
    "-accept",
    "127.0.0.1:0",
    "-tls1_2",
    ...args,
  ]);
  try {
    const m = await proc.waitFor(/ACCEPT 127\.0\.0\.1:(\d+)/) as RegExpMatchArray;
    return {
      proc,
      port: Number(m[1]),
      get output() {
        return proc.output;
      },
      stop: () => proc.stop(),
    } as unknown as OpenSslServer;
  } catch (e) {
    await proc.stop();
    throw e;
  }
}

describe("TLS 1.2 client interop: openssl s_server -tls1_2", { skip: missing }, () => {
  let pki: TestPki;
  let leaves: Record<"ecdsa" | "rsa", TestCert>;
  let roots: RootCertStore;
  let ca: TestCert;
  const servers: OpenSslServer[] = [];

  before(() => {
    pki = new TestPki();
    ca = pki.root("kerneltls tls12 CA");
    leaves = { ecdsa: pki.leaf(ca, SAN, { alg: "p256" }), rsa: pki.leaf(ca, SAN, { alg: "rsa" }) };
    roots = new RootCertStore();
    roots.add(ca.der);
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    pki?.cleanup();
  });

  async function server(
    cert: TestCert,
    args: string[],
    opensslConf?: string,
  ): Promise<OpenSslServer> {
    const s = await startServer12(
      ["-cert", cert.certPath, "-key", cert.keyPath, ...args],
      opensslConf,
    );
    servers.push(s);
    return s;
  }

  async function connect(
    s: OpenSslServer,
    options: Partial<ClientConfigOptions> = {},
  ): Promise<{ client: UnbufferedClientConnection; driver: SocketDriver }> {
    const client = await UnbufferedClientConnection.create(
      new ClientConfig({ roots, ...options }),
      "localhost",
    );
    const driver = await SocketDriver.connect(client, s.port);
    try {
      await driver.handshake();
    } catch (e) {
      driver.destroy();
      throw e;
    }
    return { client, driver };
  }

  for (const suite of SUITES) {
    it(`${suite.openssl}: handshake, data both ways`, async () => {
      const s = await server(leaves[suite.sign], ["-cipher", suite.openssl]);
      const { client, driver } = await connect(s).catch((e) => {
        console.log(s.output);
        throw e;
      });
      try {
        assert.equal(client.protocolVersion, "TLSv1_2");
        assert.equal(client.negotiatedCipherSuite?.id, suite.id);
        assert.deepEqual(client.peerCertificates?.[0], leaves[suite.sign].der);
        await exchange(driver, s);
        await exchange(driver, s);
      } finally {
        await driver.close();
      }
    });
  }

  it("P-256 and P-384 groups (the P-256 ECDSA certificate needs P-256 offered)", async () => {
    const s = await server(leaves.ecdsa, ["-groups", "P-384:P-256"]);
    for (const groups of [[0x17], [0x18, 0x17]]) {
      const { client, driver } = await connect(s, { kxGroups: groups });
      try {
        assert.equal(client.negotiatedKeyExchangeGroup?.group, groups[0]);
        await exchange(driver, s);
      } finally {
        await driver.close();
      }
    }
  });

  for (const mode of ["ticket", "session ID"] as const) {
    it(`resumption by ${mode}: the second connection is abbreviated`, async () => {
      const s = await server(leaves.rsa, mode === "ticket" ? [] : ["-no_ticket"]);
      const config = new ClientConfig({ roots });
      for (const kind of ["Full", "Resumed", "Resumed"]) {
        const client = await UnbufferedClientConnection.create(config, "localhost");
        const driver = await SocketDriver.connect(client, s.port);
        try {
          await driver.handshake();
          assert.equal(client.protocolVersion, "TLSv1_2");
          assert.equal(client.handshakeKind, kind);
          assert.deepEqual(client.peerCertificates?.[0], leaves.rsa.der);
          await exchange(driver, s);
        } finally {
          await driver.close();
        }
      }
      assert.match(s.output, /Reused session-id/);
    });
  }

  for (const alg of ["ecdsa", "rsa"] as const) {
    it(`client authentication with an ${alg} certificate: s_server -Verify accepts it`, async () => {
      const s = await server(leaves.ecdsa, ["-Verify", "1", "-CAfile", ca.certPath]);
      const leaf = leaves[alg];
      const { client, driver } = await connect(s, {
        certificateChain: [leaf.der],
        privateKey: readFileSync(leaf.keyPath, "utf8"),
      });
      try {
        assert.equal(client.protocolVersion, "TLSv1_2");
        await exchange(driver, s);
        assert.match(s.output, /verify return:1/);
        const pem = readFileSync(leaf.certPath, "utf8").trim();
        assert.ok(s.output.includes(pem), `s_server did not print our certificate:\n${s.output}`);
      } finally {
        await driver.close();
      }
    });
  }

  it("a CertificateRequest without a client certificate configured gets an empty Certificate", async () => {
    const optional = await server(leaves.ecdsa, ["-verify", "1", "-CAfile", leaves.ecdsa.certPath]);
    const { client, driver } = await connect(optional);
    try {
      assert.equal(client.protocolVersion, "TLSv1_2");
      await exchange(driver, optional);
    } finally {
      await driver.close();
    }
    const mandatory = await server(leaves.ecdsa, [
      "-Verify",
      "1",
      "-CAfile",
      leaves.ecdsa.certPath,
    ]);
    await assert.rejects(connect(mandatory), (e) => e instanceof TlsError && e.alert === 40);
  });

  it("a HelloRequest gets a no_renegotiation warning", async () => {
    const s = await server(leaves.ecdsa, []);
    const { driver } = await connect(s);
    try {
      await exchange(driver, s);
      const mark = s.output.length;
      s.proc.send("r\n"); // s_server: send a HelloRequest
      // openssl treats the warning as the end of its renegotiation attempt.
      await driver.readAtLeast(1, 3000).catch((e) => e);
      await s.proc.waitFor(/no renegotiation|NO_RENEGOTIATION/i, { from: mark });
    } finally {
      driver.destroy();
    }
  });

  it("a server without extended master secret is refused by default", async () => {
    // openssl 3.0's s_server has no flag for it; its config file does.
    const conf = join(mkdtempSync(join(tmpdir(), "tls12-")), "no_ems.cnf");
    writeFileSync(conf, NO_EMS_CONF);
    const s = await server(leaves.ecdsa, [], conf);
    await assert.rejects(connect(s), (e) => e instanceof TlsError && e.alert === 40);
    const { client, driver } = await connect(s, { requireExtendedMasterSecret: false });
    try {
      assert.equal(client.protocolVersion, "TLSv1_2");
      await exchange(driver, s);
    } finally {
      await driver.close();
    }
  });
});

describe("TLS 1.2 server interop: openssl s_client -tls1_2", { skip: missing }, () => {
  let pki: TestPki;
  let ca: TestCert;
  let leaves: Record<"ecdsa" | "rsa", TestCert>;
  let listener: LoopbackListener;
  const peers: PeerProcess[] = [];

  before(async () => {
    pki = new TestPki();
    ca = pki.root("kerneltls tls12 server CA");
    leaves = { ecdsa: pki.leaf(ca, SAN, { alg: "p256" }), rsa: pki.leaf(ca, SAN, { alg: "rsa" }) };
    listener = await LoopbackListener.listen();
  });

  after(async () => {
    await Promise.all(peers.map((p) => p.stop()));
    await listener?.close();
    pki?.cleanup();
  });

  function serverConfig(leaf: TestCert, extra: Partial<ServerConfigOptions> = {}): ServerConfig {
    return new ServerConfig({
      certificateChain: readFileSync(leaf.certPath, "utf8"),
      privateKey: readFileSync(leaf.keyPath, "utf8"),
      ...extra,
    });
  }

  async function connect(
    config: ServerConfig,
    args: string[],
    opensslConf?: string,
    commands = false,
  ): Promise<{ conn: UnbufferedServerConnection; driver: SocketDriver; peer: PeerProcess }> {
    const peer = new PeerProcess("env", [
      ...(opensslConf ? [`OPENSSL_CONF=${opensslConf}`] : []),
      "stdbuf",
      "-o0",
      "openssl",
      "s_client",
      "-connect",
      `127.0.0.1:${listener.port}`,
      "-tls1_2",
      "-servername",
      "localhost",
      "-CAfile",
      ca.certPath,
      "-verify_return_error",
      // s_client reads its one-letter commands (R: renegotiate) only without -ign_eof.
      ...(commands ? [] : ["-ign_eof"]),
      ...args,
    ]);
    peers.push(peer);
    const conn = new UnbufferedServerConnection(config);
    const driver = await listener.accept(conn);
    return { conn, driver, peer };
  }

  for (const suite of SUITES) {
    it(`${suite.openssl}: handshake, data both ways`, async () => {
      const { conn, driver, peer } = await connect(serverConfig(leaves[suite.sign]), [
        "-cipher",
        suite.openssl,
      ]);
      try {
        await driver.handshake();
        assert.equal(conn.protocolVersion, "TLSv1_2");
        assert.equal(conn.negotiatedCipherSuite?.id, suite.id);
        await exchangeLines(driver, peer);
        await exchangeLines(driver, peer);
        await peer.waitFor(/Extended master secret: yes/);
      } finally {
        await driver.close().catch(() => {});
        await peer.stop();
      }
    });
  }

  for (const mode of ["session ID", "ticket"] as const) {
    it(`resumption by ${mode} with s_client -sess_out / -sess_in`, async () => {
      const sess = join(mkdtempSync(join(tmpdir(), "tls12-")), "session.pem");
      const config = serverConfig(
        leaves.ecdsa,
        mode === "ticket" ? { ticketer: new RotatingTicketer() } : {},
      );
      for (const [i, kind] of ["Full", "Resumed"].entries()) {
        const { conn, driver, peer } = await connect(
          config,
          [i === 0 ? "-sess_out" : "-sess_in", sess],
          undefined,
          true,
        );
        try {
          await driver.handshake();
          assert.equal(conn.protocolVersion, "TLSv1_2");
          assert.equal(conn.handshakeKind, kind);
          await exchangeLines(driver, peer);
          await driver.close();
          // s_client writes -sess_out when the connection ends.
          await peer.waitExit();
          if (i === 1) assert.match(peer.output, /Reused, TLSv1\.2/);
        } finally {
          driver.destroy();
          await peer.stop();
        }
      }
    });
  }

  it("a client-initiated renegotiation gets a no_renegotiation warning", async () => {
    const { driver, peer } = await connect(serverConfig(leaves.ecdsa), [], undefined, true);
    try {
      await driver.handshake();
      await exchangeLines(driver, peer);
      const mark = peer.output.length;
      peer.send("R\n"); // s_client: renegotiate
      await driver.readAtLeast(1, 3000).catch((e) => e);
      await peer.waitFor(/no renegotiation|NO_RENEGOTIATION/i, { from: mark });
    } finally {
      driver.destroy();
      await peer.stop();
    }
  });

  it("a client without extended master secret gets handshake_failure", async () => {
    const conf = join(mkdtempSync(join(tmpdir(), "tls12-")), "no_ems.cnf");
    writeFileSync(conf, NO_EMS_CONF);
    const { driver, peer } = await connect(serverConfig(leaves.ecdsa), [], conf);
    try {
      await assert.rejects(driver.handshake(), (e) => e instanceof TlsError && e.alert === 40);
    } finally {
      driver.destroy();
      await peer.stop();
    }
  });
});

describe("TLS 1.2 kernel hand-off interop with openssl", { skip: missing }, () => {
  let pki: TestPki;
  let ca: TestCert;
  let leaves: Record<"ecdsa" | "rsa", TestCert>;
  let roots: RootCertStore;
  let acceptor: Server;
  const accepted: Socket[] = [];
  let wake: (() => void) | undefined;
  const servers: OpenSslServer[] = [];
  const peers: PeerProcess[] = [];
  const sockets: KernelSocket[] = [];

  before(async () => {
    pki = new TestPki();
    ca = pki.root("kerneltls tls12 kernel CA");
    leaves = { ecdsa: pki.leaf(ca, SAN, { alg: "p256" }), rsa: pki.leaf(ca, SAN, { alg: "rsa" }) };
    roots = new RootCertStore();
    roots.add(ca.der);
    acceptor = createServer((s) => {
      accepted.push(s);
      wake?.();
    });
    await new Promise<void>((resolve) => acceptor.listen(0, "127.0.0.1", resolve));
  });

  after(async () => {
    for (const s of sockets) s.socket.destroy();
    await Promise.all([...servers.map((s) => s.stop()), ...peers.map((p) => p.stop())]);
    await new Promise((resolve) => acceptor?.close(resolve));
    pki?.cleanup();
  });

  async function acceptOne(): Promise<Socket> {
    const deadline = Date.now() + WAIT_MS;
    while (accepted.length === 0) {
      if (Date.now() > deadline) throw new Error("no connection accepted");
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 100);
      });
    }
    return accepted.shift()!;
  }

  let n = 0;
  const token = (): string => `${Date.now().toString(36)}-${(n++).toString(36)}`;

  for (const suite of SUITES) {
    it(`client hand-off, ${suite.openssl}: data both ways through KernelRecordLayer`, async () => {
      const s = await startServer12([
        "-cert",
        leaves[suite.sign].certPath,
        "-key",
        leaves[suite.sign].keyPath,
        "-cipher",
        suite.openssl,
      ]);
      servers.push(s);
      const ks = await KernelSocket.connect(s.port);
      sockets.push(ks);
      const config = new ClientConfig({ roots, enableSecretExtraction: true });
      const layer = await ks.handshakeAndHandOff(config, "localhost");
      assert.equal(ks.connection!.protocolVersion, "TLSv1_2");
      assert.equal(ks.connection!.negotiatedCipherSuite.id, suite.id);
      assert.equal(ks.secrets!.tx.seq, 1n);
      assert.equal(ks.secrets!.rx.seq, 1n);
      for (let i = 0; i < 3; i++) {
        const up = `client-to-server ${token()}\n`;
        const mark = s.output.length;
        await ks.write(up);
        await s.proc.waitFor(up, { from: mark });
        const down = `server-to-client ${token()}\n`;
        ks.take();
        s.proc.send(down);
        await ks.readUntilText(down);
      }
      const bulk = `${"y".repeat(30_000)} ${token()}\n`;
      const mark = s.output.length;
      await ks.write(bulk);
      await s.proc.waitFor(bulk.slice(-30), { from: mark });
      assert.equal(ks.failure, undefined);
      assert.ok(layer.stats.recordsOpened >= 3);
      await ks.close();
    });
  }

  for (const suite of SUITES) {
    it(`server hand-off, ${suite.openssl}: data both ways through KernelRecordLayer`, async () => {
      const peer = new PeerProcess("stdbuf", [
        "-o0",
        "openssl",
        "s_client",
        "-connect",
        `127.0.0.1:${(acceptor.address() as { port: number }).port}`,
        "-tls1_2",
        "-cipher",
        suite.openssl,
        "-servername",
        "localhost",
        "-CAfile",
        ca.certPath,
        "-verify_return_error",
        "-ign_eof",
      ]);
      peers.push(peer);
      const ks = KernelSocket.wrap(await acceptOne());
      sockets.push(ks);
      const conn = new UnbufferedServerConnection(
        new ServerConfig({
          certificateChain: readFileSync(leaves[suite.sign].certPath, "utf8"),
          privateKey: readFileSync(leaves[suite.sign].keyPath, "utf8"),
          enableSecretExtraction: true,
        }),
      );
      await ks.handOff(conn);
      assert.equal(ks.connection!.protocolVersion, "TLSv1_2");
      assert.equal(ks.connection!.negotiatedCipherSuite.id, suite.id);
      assert.equal(ks.secrets!.tx.seq, 1n);
      assert.equal(ks.secrets!.rx.seq, 1n);
      for (let i = 0; i < 3; i++) {
        const up = `client-to-server ${token()}\n`;
        ks.take();
        peer.send(up);
        await ks.readUntilText(up);
        const down = `server-to-client ${token()}\n`;
        const mark = peer.output.length;
        await ks.write(down);
        await peer.waitFor(down, { from: mark });
      }
      assert.equal(ks.failure, undefined);
      await ks.close();
      await peer.stop();
    });
  }
});
