// NSS (Debian libnss3-tools 3.87: selfserv, tstclnt) as a peer, both ways:
// our client against selfserv and tstclnt against our server, TLS 1.3 and
// 1.2, every suite and group both stacks share, resumption, KeyUpdate,
// client authentication and exporters. The harness is tests/peers/_nss.ts.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ClientConfig, type ClientConfigOptions } from "../src/client/config.ts";
import { ServerConfig, type ServerConfigOptions } from "../src/server/config.ts";
import { UnbufferedClientConnection, UnbufferedServerConnection } from "../src/conn/unbuffered.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { WebPkiClientVerifier } from "../src/webpki/verifier.ts";
import { AlertDescription, CipherSuiteId, NamedGroup } from "../src/msgs/enums.ts";
import { TlsError } from "../src/error.ts";
import { exchangeLines, LoopbackListener, type SocketDriver } from "./_drive.ts";
import { type KeyAlg, type TestCert, TestPki } from "./_pki.ts";
import {
  NssDb,
  nssMissing,
  parseNssExports,
  selfservRequest,
  startSelfserv,
  startTstclnt,
} from "./peers/_nss.ts";
import type { NamespacedServer } from "./peers/_namespace_server.ts";
import type { PeerProcess } from "./peers/_spawn.ts";

const missing = nssMissing();
if (missing) console.warn(missing);

const TLS13_SUITES = [
  CipherSuiteId.TLS_AES_128_GCM_SHA256,
  CipherSuiteId.TLS_AES_256_GCM_SHA384,
  CipherSuiteId.TLS_CHACHA20_POLY1305_SHA256,
];
/** TLS 1.2 ECDHE suites, with the certificate each needs. */
const TLS12_SUITES = [
  { id: CipherSuiteId.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, cert: "ec" },
  { id: CipherSuiteId.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, cert: "ec" },
  { id: CipherSuiteId.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, cert: "ec" },
  { id: CipherSuiteId.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, cert: "rsa" },
  { id: CipherSuiteId.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, cert: "rsa" },
  { id: CipherSuiteId.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, cert: "rsa" },
] as const;
/** Groups NSS 3.87 has (it has no X25519MLKEM768), with tstclnt's `-I` names. */
const GROUPS = [
  { id: NamedGroup.X25519, nss: "x25519" },
  { id: NamedGroup.secp256r1, nss: "P256" },
  { id: NamedGroup.secp384r1, nss: "P384" },
];
const VERSIONS = [
  { ours: "TLSv1_3", nss: "tls1.3:tls1.3" },
  { ours: "TLSv1_2", nss: "tls1.2:tls1.2" },
] as const;

/** "0x1301" style, as tstclnt/selfserv `-c :1301` take it. */
function nssCipher(id: number): string {
  return `:${id.toString(16).padStart(4, "0")}`;
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

let pki: TestPki;
let ca: TestCert;
let ecLeaf: TestCert;
let rsaLeaf: TestCert;
let clientCert: TestCert;
let db: NssDb;

function roots(): RootCertStore {
  return RootCertStore.fromPem(readFileSync(ca.certPath, "utf8"));
}

describe("NSS interop", { skip: missing }, () => {
  before(() => {
    pki = new TestPki();
    ca = pki.root("kerneltls NSS interop CA");
    // NSS files certificates by subject: each one needs a subject of its own.
    // NSS also wants keyEncipherment on an RSA server certificate, even for
    // ECDHE_RSA (SEC_ERROR_INADEQUATE_KEY_USAGE otherwise).
    const leaf = (cn: string, alg: KeyAlg) =>
      pki.issue(ca, cn, [
        "basicConstraints=critical,CA:FALSE",
        `keyUsage=critical,digitalSignature${alg === "rsa" ? ",keyEncipherment" : ""}`,
        "extendedKeyUsage=serverAuth",
        "subjectAltName=DNS:localhost, IP:127.0.0.1",
      ], { alg });
    ecLeaf = leaf("nss interop server ec", "p256");
    rsaLeaf = leaf("nss interop server rsa", "rsa");
    clientCert = pki.issue(ca, "nss interop client", [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature",
      "extendedKeyUsage=clientAuth",
    ]);
    db = NssDb.create({
      trust: [ca],
      identities: [
        { nickname: "server-ec", cert: ecLeaf },
        { nickname: "server-rsa", cert: rsaLeaf },
        { nickname: "client", cert: clientCert },
      ],
    });
  });

  after(() => {
    db?.cleanup();
    pki?.cleanup();
  });

  describe("our client against selfserv", () => {
    /** Runs `body` against a selfserv with both certificates and `args`, stopped in finally. */
    async function withSelfserv(args: string[], body: (s: NamespacedServer) => Promise<void>) {
      const server = await startSelfserv(db, {
        nickname: "server-rsa",
        args: ["-e", "server-ec", "-u", ...args],
      });
      try {
        await body(server);
      } finally {
        await server.stop();
      }
    }

    async function connect(
      server: NamespacedServer,
      config: ClientConfig,
    ): Promise<{ conn: UnbufferedClientConnection; driver: SocketDriver }> {
      const conn = await UnbufferedClientConnection.create(config, "localhost");
      const driver = await server.connect(conn);
      await driver.handshake();
      return { conn, driver };
    }

    function clientConfig(extra: Partial<ClientConfigOptions> = {}): ClientConfig {
      return new ClientConfig({ roots: roots(), ...extra });
    }

    it("TLS 1.3: every suite, and every group; a request answered", async () => {
      await withSelfserv(["-V", "tls1.3:tls1.3"], async (server) => {
        for (const suite of TLS13_SUITES) {
          for (const group of GROUPS) {
            const { conn, driver } = await connect(
              server,
              clientConfig({ cipherSuites: [suite], kxGroups: [group.id] }),
            );
            assert.equal(conn.protocolVersion, "TLSv1_3");
            assert.equal(conn.negotiatedCipherSuite?.id, suite);
            assert.equal(conn.negotiatedKeyExchangeGroup?.group, group.id);
            await selfservRequest(driver);
            driver.destroy();
          }
        }
      });
    });

    it("TLS 1.2: every ECDHE suite (ECDSA and RSA certificates)", async () => {
      await withSelfserv(["-V", "tls1.2:tls1.2"], async (server) => {
        for (const suite of TLS12_SUITES) {
          const { conn, driver } = await connect(
            server,
            clientConfig({ versions: ["TLSv1_2"], cipherSuites: [suite.id] }),
          );
          assert.equal(conn.protocolVersion, "TLSv1_2");
          assert.equal(conn.negotiatedCipherSuite?.id, suite.id);
          await selfservRequest(driver);
          driver.destroy();
        }
      });
    });

    it("X25519MLKEM768 offered first: NSS 3.87 lacks it and X25519 is used", async () => {
      await withSelfserv(["-V", "tls1.3:tls1.3"], async (server) => {
        const { conn, driver } = await connect(
          server,
          clientConfig({ kxGroups: [NamedGroup.X25519MLKEM768, NamedGroup.X25519] }),
        );
        assert.equal(conn.negotiatedKeyExchangeGroup?.group, NamedGroup.X25519);
        await selfservRequest(driver);
        driver.destroy();
      });
    });

    for (const v of VERSIONS) {
      it(`${v.ours}: the second connection resumes`, async () => {
        await withSelfserv(["-V", v.nss], async (server) => {
          const config = clientConfig({ versions: [v.ours] });
          const kinds = [];
          for (let i = 0; i < 2; i++) {
            const { conn, driver } = await connect(server, config);
            // TLS 1.3 tickets arrive after the handshake: read the answer first.
            await selfservRequest(driver);
            kinds.push(conn.handshakeKind);
            driver.destroy();
          }
          assert.deepEqual(kinds, ["Full", "Resumed"]);
        });
      });

      it(`${v.ours}: exporters equal selfserv's (with and without context)`, async () => {
        await withSelfserv(
          ["-V", v.nss, "-x", "EXPORTER-kerneltls:32:0x0102,EXPORTER-kerneltls-nocontext:20"],
          async (server) => {
            const { conn, driver } = await connect(server, clientConfig({ versions: [v.ours] }));
            await selfservRequest(driver);
            const ours = [
              hex(await conn.exportKeyingMaterial("EXPORTER-kerneltls", Uint8Array.of(1, 2), 32)),
              hex(await conn.exportKeyingMaterial("EXPORTER-kerneltls-nocontext", undefined, 20)),
            ];
            driver.destroy();
            await server.proc.waitFor(
              /Exported Keying Material:(.|\n)*Exported Keying Material:(.|\n)*Keying Material:\n.*\n.*\n/,
            );
            const theirs = parseNssExports(server.output);
            assert.deepEqual(theirs.map((e) => [e.label, e.context, e.length]), [
              ["EXPORTER-kerneltls", "0102", 32],
              ["EXPORTER-kerneltls-nocontext", undefined, 20],
            ]);
            assert.deepEqual(theirs.map((e) => e.material), ours);
          },
        );
      });
    }

    it("TLS 1.3: our KeyUpdate (update requested) and data afterwards", async () => {
      await withSelfserv(["-V", "tls1.3:tls1.3"], async (server) => {
        const { driver } = await connect(server, clientConfig());
        await driver.refreshTrafficKeys();
        await driver.refreshTrafficKeys();
        // selfserv reads the request under our third key and answers under its third.
        await selfservRequest(driver);
        driver.destroy();
      });
    });

    it("TLS 1.3: client auth required by selfserv (-r -r); our certificate accepted", async () => {
      // -v: selfserv prints the peer's certificate subject.
      await withSelfserv(["-V", "tls1.3:tls1.3", "-r", "-r", "-v"], async (server) => {
        const config = clientConfig({
          certificateChain: readFileSync(clientCert.certPath, "utf8"),
          privateKey: readFileSync(clientCert.keyPath, "utf8"),
        });
        const { driver } = await connect(server, config);
        await selfservRequest(driver);
        driver.destroy();
        await server.proc.waitFor("subject DN: CN=nss interop client");

        // Without a certificate selfserv refuses us (certificate_required).
        const { driver: refused } = await connect(server, clientConfig());
        await assert.rejects(
          selfservRequest(refused),
          (e) => e instanceof TlsError && e.alert === AlertDescription.CertificateRequired,
        );
        refused.destroy();
      });
    });
  });

  describe("tstclnt against our server", () => {
    let listener: LoopbackListener;
    const peers: PeerProcess[] = [];

    before(async () => {
      listener = await LoopbackListener.listen();
    });

    after(async () => {
      await Promise.all(peers.map((p) => p.stop()));
      await listener?.close();
    });

    function serverConfig(
      leaf: TestCert = ecLeaf,
      extra: Partial<ServerConfigOptions> = {},
    ): ServerConfig {
      return new ServerConfig({
        certificateChain: readFileSync(leaf.certPath, "utf8"),
        privateKey: readFileSync(leaf.keyPath, "utf8"),
        ...extra,
      });
    }

    /** Starts tstclnt with `args` and accepts its connection with `config`. */
    async function accept(
      config: ServerConfig,
      args: string[],
    ): Promise<{ conn: UnbufferedServerConnection; driver: SocketDriver; peer: PeerProcess }> {
      const peer = startTstclnt(db, listener.port, args);
      peers.push(peer);
      const conn = new UnbufferedServerConnection(config);
      const driver = await listener.accept(conn);
      await driver.handshake();
      return { conn, driver, peer };
    }

    async function finish(driver: SocketDriver, peer: PeerProcess): Promise<void> {
      await driver.close();
      await peer.stop();
    }

    for (const suite of TLS13_SUITES) {
      for (const group of GROUPS) {
        it(`TLS 1.3 suite 0x${suite.toString(16)} group ${group.nss}`, async () => {
          const { conn, driver, peer } = await accept(serverConfig(), [
            "-V",
            "tls1.3:tls1.3",
            "-c",
            nssCipher(suite),
            "-I",
            group.nss,
          ]);
          assert.equal(conn.protocolVersion, "TLSv1_3");
          assert.equal(conn.negotiatedCipherSuite?.id, suite);
          assert.equal(conn.negotiatedKeyExchangeGroup?.group, group.id);
          assert.equal(conn.serverName, "localhost");
          await exchangeLines(driver, peer);
          await finish(driver, peer);
        });
      }
    }

    for (const suite of TLS12_SUITES) {
      it(`TLS 1.2 suite 0x${suite.id.toString(16)}`, async () => {
        const { conn, driver, peer } = await accept(
          serverConfig(suite.cert === "ec" ? ecLeaf : rsaLeaf),
          ["-V", "tls1.2:tls1.2", "-c", nssCipher(suite.id)],
        );
        assert.equal(conn.protocolVersion, "TLSv1_2");
        assert.equal(conn.negotiatedCipherSuite?.id, suite.id);
        await exchangeLines(driver, peer);
        await finish(driver, peer);
      });
    }

    for (const v of VERSIONS) {
      it(`${v.ours}: exporters equal tstclnt's (with and without context)`, async () => {
        const { conn, driver, peer } = await accept(serverConfig(), [
          "-V",
          v.nss,
          "-x",
          "EXPORTER-kerneltls:32:0x0102,EXPORTER-kerneltls-nocontext:20",
        ]);
        await exchangeLines(driver, peer);
        const ours = [
          hex(await conn.exportKeyingMaterial("EXPORTER-kerneltls", Uint8Array.of(1, 2), 32)),
          hex(await conn.exportKeyingMaterial("EXPORTER-kerneltls-nocontext", undefined, 20)),
        ];
        const theirs = parseNssExports(peer.output);
        assert.deepEqual(theirs.map((e) => [e.label, e.context, e.length]), [
          ["EXPORTER-kerneltls", "0102", 32],
          ["EXPORTER-kerneltls-nocontext", undefined, 20],
        ]);
        assert.deepEqual(theirs.map((e) => e.material), ours);
        await finish(driver, peer);
      });
    }

    for (const v of VERSIONS) {
      it(`${v.ours}: tstclnt's reconnect (-L 2) resumes`, async () => {
        // -A: the request comes from a file, whose end tstclnt notices (a
        // pipe's end shows up to it as a hang-up it never reads); each
        // connection ends when we close it, then tstclnt reconnects with its
        // cached session and sends the file again.
        const request = join(db.dir, "request.txt");
        writeFileSync(request, "client-to-server resumption\n");
        const config = serverConfig();
        const peer = startTstclnt(db, listener.port, ["-V", v.nss, "-L", "2", "-A", request]);
        peers.push(peer);
        const kinds = [];
        for (let i = 0; i < 2; i++) {
          const conn = new UnbufferedServerConnection(config);
          const driver = await listener.accept(conn);
          await driver.readUntilText("client-to-server resumption\n");
          kinds.push(conn.handshakeKind);
          await driver.write(`server-to-client ${i}\n`);
          await driver.close();
        }
        assert.deepEqual(kinds, ["Full", "Resumed"]);
        assert.equal(await peer.waitExit(), 0);
        assert.match(peer.output, /server-to-client 0\n(.|\n)*server-to-client 1\n/);
      });
    }

    it("TLS 1.3: our KeyUpdate (update requested) both ways, data afterwards", async () => {
      const { driver, peer } = await accept(serverConfig(), ["-V", "tls1.3:tls1.3"]);
      await exchangeLines(driver, peer);
      await driver.refreshTrafficKeys();
      await exchangeLines(driver, peer);
      await finish(driver, peer);
    });

    it("TLS 1.3: client auth required; tstclnt -n client is verified", async () => {
      const clientRoots = new RootCertStore();
      clientRoots.add(ca.der);
      const config = serverConfig(ecLeaf, {
        clientCertVerifier: new WebPkiClientVerifier({ roots: clientRoots, mandatory: true }),
      });
      const { conn, driver, peer } = await accept(config, ["-V", "tls1.3:tls1.3", "-n", "client"]);
      assert.deepEqual(conn.peerCertificates?.[0], clientCert.der);
      await exchangeLines(driver, peer);
      await finish(driver, peer);
    });
  });
});
