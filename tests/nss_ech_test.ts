// Issue 18 item 4, ECH both ways with NSS 3.87 (Debian libnss3-tools):
// tstclnt -N <ECHConfigList> against our server (accepted; rejected, with
// our retry configs in its output; with a HelloRetryRequest), and our
// client against selfserv -X. The harness is tests/peers/_nss.ts.
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
import { TlsError } from "../src/error.ts";
import { exchangeLines, LoopbackListener, type SocketDriver } from "./_drive.ts";
import { type TestCert, TestPki } from "./_pki.ts";
import { NssDb, nssMissing, startTstclnt } from "./peers/_nss.ts";
import type { PeerProcess } from "./peers/_spawn.ts";

const missing = nssMissing();
if (missing) console.warn(missing);

const PUBLIC = "public.test";

function base64(b: Uint8Array): string {
  return btoa(String.fromCharCode(...b));
}

let pki: TestPki;
let db: NssDb;
const certs = new Map<string, CertifiedKey>();

describe("NSS ECH interop", { skip: missing }, () => {
  before(async () => {
    pki = new TestPki();
    const ca = pki.root("kerneltls NSS ECH CA");
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
    db = NssDb.create({ trust: [ca] });
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
      assert.equal(err.alert, AlertDescription.EchRequired);
      assert.equal(conn.echAccepted, false);
      assert.equal(conn.serverName, PUBLIC, "we served the outer hello");
    });
  });
});
