// Issue 18 item 4, ECH both ways with NSS 3.87 (Debian libnss3-tools):
// tstclnt -N <ECHConfigList> against our server (accepted; rejected, with
// our retry configs in its output; with a HelloRetryRequest), and our
// client against selfserv -X (the same three). NSS 3.87 speaks RFC 9849's
// code points (ECHConfig version and extension 0xfe0d, ech_outer_extensions
// 0xfd00, the two confirmation labels): these handshakes only complete when
// both sides agree on them. Its `selfserv -X publicname:<name>` does not
// work (3.87 puts the whole "publicname:<name>" string in the config it
// generates and then refuses it as malformed), so selfserv gets our key and
// ECHConfigList in its other -X form. The harness is tests/peers/_nss.ts.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ServerConfig, type ServerConfigOptions } from "../src/server/config.ts";
import { UnbufferedServerConnection } from "../src/conn/unbuffered.ts";
import { generateEchConfig } from "../src/server/ech_keys.ts";
import { loadCertifiedKey } from "../src/common/config_base.ts";
import type { CertifiedKey } from "../src/common/config_base.ts";
import { webCryptoProvider } from "../src/crypto/webcrypto/provider.ts";
import { AlertDescription, NamedGroup } from "../src/msgs/enums.ts";
import { EchRejectedError, TlsError } from "../src/error.ts";
import { exchangeLines, LoopbackListener, type SocketDriver } from "./_drive.ts";
import { type TestCert, TestPki } from "./_pki.ts";
import { NssDb, nssMissing, selfservRequest, startSelfserv, startTstclnt } from "./peers/_nss.ts";
import type { NamespacedServer } from "./peers/_namespace_server.ts";
import { ClientConfig } from "../src/client/config.ts";
import { UnbufferedClientConnection } from "../src/conn/unbuffered.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { readEchConfigList } from "../src/msgs/ech_config.ts";
import type { PeerProcess } from "./peers/_spawn.ts";

const missing = nssMissing();
if (missing) console.warn(missing);

const PUBLIC = "public.test";

function base64(b: Uint8Array): string {
  return btoa(String.fromCharCode(...b));
}

let pki: TestPki;
let db: NssDb;
let ca: TestCert;
const certs = new Map<string, CertifiedKey>();

describe("NSS ECH interop", { skip: missing }, () => {
  before(async () => {
    pki = new TestPki();
    ca = pki.root("kerneltls NSS ECH CA");
    const leaf = (cn: string, san: string): TestCert =>
      pki.issue(ca, cn, [
        "basicConstraints=critical,CA:FALSE",
        "keyUsage=critical,digitalSignature",
        "extendedKeyUsage=serverAuth",
        `subjectAltName=${san}`,
      ]);
    const provider = await webCryptoProvider();
    for (
      const [name, cert] of [
        ["localhost", leaf("nss ech inner", "DNS:localhost")],
        // tstclnt 3.87 checks the certificate against its -a name (localhost)
        // even when ECH is rejected, so the public name's certificate covers both.
        [PUBLIC, leaf("nss ech public", `DNS:${PUBLIC}, DNS:localhost`)],
      ] as const
    ) {
      certs.set(
        name,
        await loadCertifiedKey(
          provider,
          readFileSync(cert.certPath, "utf8"),
          readFileSync(cert.keyPath, "utf8"),
        ),
      );
    }
    db = NssDb.create({
      trust: [ca],
      identities: [{
        nickname: "server",
        cert: leaf("nss ech selfserv", `DNS:localhost, DNS:${PUBLIC}`),
      }],
    });
  });

  after(() => {
    db?.cleanup();
    pki?.cleanup();
  });

  describe("tstclnt -N against our server", () => {
    let listener: LoopbackListener;
    const peers: PeerProcess[] = [];

    before(async () => {
      listener = await LoopbackListener.listen();
    });

    after(async () => {
      await Promise.all(peers.map((p) => p.stop()));
      await listener?.close();
    });

    function serverConfig(extra: Partial<ServerConfigOptions>): ServerConfig {
      return new ServerConfig({ certResolver: (h) => certs.get(h.serverName ?? ""), ...extra });
    }

    async function accept(
      config: ServerConfig,
      args: string[],
    ): Promise<{ conn: UnbufferedServerConnection; driver: SocketDriver; peer: PeerProcess }> {
      const peer = startTstclnt(db, listener.port, ["-V", "tls1.3:tls1.3", ...args]);
      peers.push(peer);
      const conn = new UnbufferedServerConnection(config);
      const driver = await listener.accept(conn);
      await driver.handshake();
      return { conn, driver, peer };
    }

    it("accepted: tstclnt's inner name reaches us, its outer one is the public name", async () => {
      const key = await generateEchConfig({ publicName: PUBLIC, configId: 21 });
      const { conn, driver, peer } = await accept(
        serverConfig({ ech: { keys: [key] } }),
        ["-N", base64(key.configList)],
      );
      assert.equal(conn.echAccepted, true);
      assert.equal(conn.serverName, "localhost");
      await exchangeLines(driver, peer);
      await driver.close();
      await peer.stop();
    });

    it("tstclnt's GREASE ECH (-i): ignored by our server, which answers with retry configs NSS ignores", async () => {
      const key = await generateEchConfig({ publicName: PUBLIC, configId: 25 });
      const { conn, driver, peer } = await accept(
        serverConfig({ ech: { keys: [key] } }),
        ["-i", "64"],
      );
      assert.equal(conn.echAccepted, false);
      assert.equal(conn.serverName, "localhost");
      await exchangeLines(driver, peer);
      await driver.close();
      await peer.stop();
    });

    it("accepted after our HelloRetryRequest (P-256 only here)", async () => {
      const key = await generateEchConfig({ publicName: PUBLIC, configId: 22 });
      const { conn, driver, peer } = await accept(
        serverConfig({ ech: { keys: [key] }, kxGroups: [NamedGroup.secp256r1] }),
        ["-N", base64(key.configList)],
      );
      assert.equal(conn.handshakeKind, "FullWithHelloRetryRequest");
      assert.equal(conn.echAccepted, true);
      assert.equal(conn.serverName, "localhost");
      await exchangeLines(driver, peer);
      await driver.close();
      await peer.stop();
    });

    it("rejected: tstclnt finds a usable config in our retry_configs and refuses with ech_required", async () => {
      const stale = await generateEchConfig({ publicName: PUBLIC, configId: 23 });
      const current = await generateEchConfig({ publicName: PUBLIC, configId: 24 });
      const peer = startTstclnt(db, listener.port, [
        "-V",
        "tls1.3:tls1.3",
        "-N",
        base64(stale.configList),
      ]);
      peers.push(peer);
      const conn = new UnbufferedServerConnection(serverConfig({ ech: { keys: [current] } }));
      const driver = await listener.accept(conn);
      // Our flight is out before tstclnt answers: its alert arrives on the next read.
      const err = await driver.handshake().then(() => driver.readAtLeast(1)).then(
        () => undefined,
        (e) => e,
      );
      // NSS decoded our retry_configs and found one it can use.
      await peer.waitFor("SSL_ERROR_ECH_RETRY_WITH_ECH");
      await peer.stop();
      assert.ok(err instanceof TlsError, `got ${err}`);
      assert.equal(err.kind, "AlertReceived");
      assert.equal(err.alert, AlertDescription.ech_required);
      assert.equal(conn.echAccepted, false);
      assert.equal(conn.serverName, PUBLIC, "we served the outer hello");
    });
  });

  describe("our client against selfserv -X", () => {
    /**
     * selfserv -X takes base64(u16 length, PKCS#8 private key, ECHConfigList).
     * NSS 3.87 imports the key as PKCS#8 (later versions take the raw key):
     * an EC PrivateKeyInfo on NSS's curve25519 OID, with the public key.
     */
    function selfservEchParam(key: { privateKey: Uint8Array; configList: Uint8Array }): string {
      const publicKey = readEchConfigList(key.configList)[0].contents!.publicKey;
      const pkcs8 = Uint8Array.from([
        ...[0x30, 0x67, 0x02, 0x01, 0x00, 0x30, 0x14],
        ...[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01], // id-ecPublicKey
        ...[0x06, 0x09, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x0f, 0x01], // curve25519
        ...[0x04, 0x4c, 0x30, 0x4a, 0x02, 0x01, 0x01, 0x04, 0x20],
        ...key.privateKey,
        ...[0xa1, 0x23, 0x03, 0x21, 0x00],
        ...publicKey,
      ]);
      return base64(
        Uint8Array.from([pkcs8.length >> 8, pkcs8.length & 0xff, ...pkcs8, ...key.configList]),
      );
    }

    async function withSelfserv(
      key: { privateKey: Uint8Array; configList: Uint8Array },
      args: string[],
      body: (s: NamespacedServer) => Promise<void>,
    ): Promise<void> {
      const server = await startSelfserv(db, {
        nickname: "server",
        args: ["-V", "tls1.3:tls1.3", "-X", selfservEchParam(key), ...args],
      });
      try {
        await body(server);
      } finally {
        await server.stop();
      }
    }

    function clientConfig(configList: Uint8Array): ClientConfig {
      return new ClientConfig({
        roots: RootCertStore.fromPem(readFileSync(ca.certPath, "utf8")),
        resumption: false,
        ech: { configList },
      });
    }

    async function connect(server: NamespacedServer, configList: Uint8Array) {
      const conn = await UnbufferedClientConnection.create(clientConfig(configList), "localhost");
      const driver = await server.connect(conn);
      return { conn, driver };
    }

    it("accepted: selfserv confirms our ECH and answers the request", async () => {
      const key = await generateEchConfig({ publicName: PUBLIC, configId: 31 });
      await withSelfserv(key, [], async (server) => {
        const { conn, driver } = await connect(server, key.configList);
        await driver.handshake();
        assert.equal(conn.echAccepted, true);
        await selfservRequest(driver);
        driver.destroy();
      });
    });

    it("accepted after selfserv's HelloRetryRequest (P-256 only there)", async () => {
      const key = await generateEchConfig({ publicName: PUBLIC, configId: 32 });
      await withSelfserv(key, ["-I", "P256"], async (server) => {
        const { conn, driver } = await connect(server, key.configList);
        await driver.handshake();
        assert.equal(conn.handshakeKind, "FullWithHelloRetryRequest");
        assert.equal(conn.echAccepted, true);
        await selfservRequest(driver);
        driver.destroy();
      });
    });

    it("rejected: EchRejectedError with selfserv's retry configs, which then work", async () => {
      const stale = await generateEchConfig({ publicName: PUBLIC, configId: 33 });
      const key = await generateEchConfig({ publicName: PUBLIC, configId: 34 });
      await withSelfserv(key, [], async (server) => {
        const first = await connect(server, stale.configList);
        const err = await first.driver.handshake().then(() => undefined, (e) => e);
        first.driver.destroy();
        assert.ok(err instanceof EchRejectedError, `got ${err}`);
        assert.equal(first.conn.echAccepted, false);
        assert.deepEqual(err.retryConfigs, key.configList);
        const retried = await connect(server, err.retryConfigs!);
        await retried.driver.handshake();
        assert.equal(retried.conn.echAccepted, true);
        await selfservRequest(retried.driver);
        retried.driver.destroy();
      });
    });
  });
});
