// Our client against NSS's selfserv (Debian libnss3-tools 3.87, in a private
// network namespace): TLS 1.3 and 1.2, every suite and group both stacks
// share, HelloRetryRequest, resumption, KeyUpdate, client authentication and
// exporters. tstclnt against our server is tests/nss_interop_server_test.ts;
// the harness is tests/peers/_nss.ts.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ClientConfig, type ClientConfigOptions } from "../src/client/config.ts";
import { UnbufferedClientConnection } from "../src/conn/unbuffered.ts";
import { AlertDescription, NamedGroup } from "../src/msgs/enums.ts";
import { TlsError } from "../src/error.ts";
import { toHex } from "../src/_bytes.ts";
import type { SocketDriver } from "./_drive.ts";
import { nssMissing, parseNssExports, selfservRequest, startSelfserv } from "./peers/_nss.ts";
import type { NamespacedServer } from "./peers/_namespace_server.ts";
import { GROUPS, NssFixture, TLS12_SUITES, TLS13_SUITES, VERSIONS } from "./_nss_fixture.ts";

const missing = nssMissing();
if (missing) console.warn(missing);

describe("NSS interop: our client against selfserv", { skip: missing }, () => {
  let fx: NssFixture;
  before(() => {
    fx = new NssFixture();
  });
  after(() => fx?.cleanup());

  /** Runs `body` against a selfserv with both certificates and `args`, stopped in finally. */
  async function withSelfserv(args: string[], body: (s: NamespacedServer) => Promise<void>) {
    const server = await startSelfserv(fx.db, {
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
    return new ClientConfig({ roots: fx.roots(), ...extra });
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
        clientConfig({ kxGroups: [NamedGroup.X25519MLKEM768, NamedGroup.x25519] }),
      );
      assert.equal(conn.negotiatedKeyExchangeGroup?.group, NamedGroup.x25519);
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
            toHex(await conn.exportKeyingMaterial("EXPORTER-kerneltls", Uint8Array.of(1, 2), 32)),
            toHex(await conn.exportKeyingMaterial("EXPORTER-kerneltls-nocontext", undefined, 20)),
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

  for (const v of VERSIONS) {
    it(`${v.ours}: client auth required by selfserv (-r -r); our certificate accepted`, async () => {
      // -v: selfserv prints the peer's certificate subject.
      await withSelfserv(["-V", v.nss, "-r", "-r", "-v"], async (server) => {
        const config = clientConfig({
          versions: [v.ours],
          certificateChain: readFileSync(fx.clientCert.certPath, "utf8"),
          privateKey: readFileSync(fx.clientCert.keyPath, "utf8"),
        });
        const { driver } = await connect(server, config);
        await selfservRequest(driver);
        driver.destroy();
        await server.proc.waitFor("subject DN: CN=nss interop client");

        // Without a certificate selfserv refuses us: TLS 1.3 after our
        // Finished (certificate_required), TLS 1.2 in the handshake.
        const conn = await UnbufferedClientConnection.create(
          clientConfig({ versions: [v.ours] }),
          "localhost",
        );
        const refused = await server.connect(conn);
        const expected = v.ours === "TLSv1_3"
          ? AlertDescription.certificate_required
          : AlertDescription.bad_certificate;
        await assert.rejects(
          refused.handshake().then(() => selfservRequest(refused)),
          (e) => e instanceof TlsError && e.alert === expected,
        );
        refused.destroy();
      });
    });
  }

  it("HelloRetryRequest: selfserv takes only P-384, our first share is X25519", async () => {
    await withSelfserv(["-V", "tls1.3:tls1.3", "-I", "P384"], async (server) => {
      const { conn, driver } = await connect(
        server,
        clientConfig({ kxGroups: [NamedGroup.x25519, NamedGroup.secp384r1] }),
      );
      assert.equal(conn.handshakeKind, "FullWithHelloRetryRequest");
      assert.equal(conn.negotiatedKeyExchangeGroup?.group, NamedGroup.secp384r1);
      await selfservRequest(driver);
      driver.destroy();
    });
  });
});
