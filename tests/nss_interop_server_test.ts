// tstclnt (NSS, Debian libnss3-tools 3.87) against our server on 127.0.0.1:
// TLS 1.3 and 1.2, every suite and group both stacks share,
// HelloRetryRequest, resumption (tstclnt -L), KeyUpdate, client
// authentication and exporters. Our client against selfserv is
// tests/nss_interop_test.ts; the harness is tests/peers/_nss.ts.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ServerConfig, ServerConfigOptions } from "../src/server/config.ts";
import { UnbufferedServerConnection } from "../src/conn/unbuffered.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { WebPkiClientVerifier } from "../src/webpki/verifier.ts";
import { toHex } from "../src/_bytes.ts";
import { exchangeLines, LoopbackListener, type SocketDriver } from "./_drive.ts";
import type { TestCert } from "./_pki.ts";
import { leafServerConfig } from "./_leaf_config.ts";
import { nssMissing, parseNssExports, startTstclnt } from "./peers/_nss.ts";
import type { PeerProcess } from "./peers/_spawn.ts";
import {
  GROUPS,
  nssCipher,
  NssFixture,
  TLS12_SUITES,
  TLS13_SUITES,
  VERSIONS,
} from "./_nss_fixture.ts";

const missing = nssMissing();
if (missing) console.warn(missing);

describe("NSS interop: tstclnt against our server", { skip: missing }, () => {
  let fx: NssFixture;
  let listener: LoopbackListener;
  const peers: PeerProcess[] = [];

  before(async () => {
    fx = new NssFixture();
    listener = await LoopbackListener.listen();
  });

  after(async () => {
    await Promise.all(peers.map((p) => p.stop()));
    await listener?.close();
    fx?.cleanup();
  });

  function serverConfig(
    leaf: TestCert = fx.ecLeaf,
    extra: Partial<ServerConfigOptions> = {},
  ): ServerConfig {
    return leafServerConfig(leaf, extra);
  }

  /** Starts tstclnt with `args` and accepts its connection with `config`. */
  async function accept(
    config: ServerConfig,
    args: string[],
  ): Promise<{ conn: UnbufferedServerConnection; driver: SocketDriver; peer: PeerProcess }> {
    const peer = startTstclnt(fx.db, listener.port, args);
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
        serverConfig(suite.cert === "ec" ? fx.ecLeaf : fx.rsaLeaf),
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
        toHex(await conn.exportKeyingMaterial("EXPORTER-kerneltls", Uint8Array.of(1, 2), 32)),
        toHex(await conn.exportKeyingMaterial("EXPORTER-kerneltls-nocontext", undefined, 20)),
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
      const request = join(fx.db.dir, "request.txt");
      writeFileSync(request, "client-to-server resumption\n");
      const config = serverConfig();
      const peer = startTstclnt(fx.db, listener.port, ["-V", v.nss, "-L", "2", "-A", request]);
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

  for (const v of VERSIONS) {
    it(`${v.ours}: client auth required; tstclnt -n client is verified`, async () => {
      const clientRoots = new RootCertStore();
      clientRoots.add(fx.ca.der);
      const config = serverConfig(fx.ecLeaf, {
        clientCertVerifier: new WebPkiClientVerifier({ roots: clientRoots, mandatory: true }),
      });
      const { conn, driver, peer } = await accept(config, ["-V", v.nss, "-n", "client"]);
      assert.equal(conn.protocolVersion, v.ours);
      assert.deepEqual(conn.peerCertificates?.[0], fx.clientCert.der);
      await exchangeLines(driver, peer);
      await finish(driver, peer);
    });
  }

  it("HelloRetryRequest: we take only P-384, tstclnt's first share is X25519", async () => {
    const { conn, driver, peer } = await accept(serverConfig(fx.ecLeaf, { kxGroups: [0x18] }), [
      "-V",
      "tls1.3:tls1.3",
      "-I",
      "x25519,P384",
    ]);
    assert.equal(conn.handshakeKind, "FullWithHelloRetryRequest");
    assert.equal(conn.negotiatedKeyExchangeGroup?.group, 0x18);
    await exchangeLines(driver, peer);
    await finish(driver, peer);
  });
});
