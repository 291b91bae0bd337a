// Our TLS 1.3 client against Node's `tls` server (OpenSSL), run with `node`.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ClientConfig, type ClientConfigOptions } from "../src/client/config.ts";
import { UnbufferedClientConnection } from "../src/conn/unbuffered.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { randomBytes, SocketDriver } from "./_client_drive.ts";
import { type TestCert, TestPki } from "./_pki.ts";
import { peerMissing, PeerProcess } from "./peers/_spawn.ts";

const SCRIPT = fileURLToPath(new URL("./peers/node_tls_echo.mjs", import.meta.url));
const missing = peerMissing("node", ["--version"]);
if (missing) console.warn(missing);

describe("client interop: node tls server", { skip: missing }, () => {
  let pki: TestPki;
  let leaf: TestCert;
  let roots: RootCertStore;
  let node: PeerProcess;
  let port: number;

  before(async () => {
    pki = new TestPki();
    const ca = pki.root("kerneltls node interop CA");
    leaf = pki.leaf(ca, "DNS:localhost, IP:127.0.0.1", { alg: "ed25519" });
    roots = new RootCertStore();
    roots.add(ca.der);
    node = new PeerProcess("node", [SCRIPT, leaf.certPath, leaf.keyPath, "h2,http/1.1"]);
    const m = await node.waitFor(/PORT (\d+)\n/) as RegExpMatchArray;
    port = Number(m[1]);
  });

  after(async () => {
    await node?.stop();
    pki?.cleanup();
  });

  /** One connection: handshake, echo `size` random bytes, close. */
  async function echo(
    config: ClientConfig,
    size: number,
  ): Promise<{ client: UnbufferedClientConnection; report: string }> {
    const mark = node.output.length;
    const client = await UnbufferedClientConnection.create(config, "localhost");
    const driver = await SocketDriver.connect(client, port);
    try {
      await driver.handshake();
      const data = randomBytes(size);
      await driver.write(data);
      assert.deepEqual(await driver.readAtLeast(size), data);
    } finally {
      await driver.close();
    }
    const m = await node.waitFor(/CONN [^\n]*\n/, { from: mark }) as RegExpMatchArray;
    return { client, report: m[0] };
  }

  function config(extra: Partial<ClientConfigOptions> = {}): ClientConfig {
    return new ClientConfig({ roots, ...extra });
  }

  it("each suite: data both ways (Ed25519 certificate)", async () => {
    const names: Record<number, string> = {
      0x1301: "TLS_AES_128_GCM_SHA256",
      0x1302: "TLS_AES_256_GCM_SHA384",
      0x1303: "TLS_CHACHA20_POLY1305_SHA256",
    };
    for (const [id, name] of Object.entries(names)) {
      const { client, report } = await echo(config({ cipherSuites: [Number(id)] }), 70000);
      assert.equal(client.negotiatedCipherSuite?.id, Number(id));
      assert.equal(client.handshakeKind, "Full");
      assert.match(report, new RegExp(`reused=false .*cipher=${name}`));
    }
  });

  it("ALPN h2", async () => {
    const { client, report } = await echo(config({ alpnProtocols: ["h2"] }), 10);
    assert.equal(client.alpnProtocol, "h2");
    assert.match(report, /alpn=h2 /);
  });

  it("resumption: the second connection with the same config is resumed on both sides", async () => {
    const cfg = config({ kxGroups: [0x17] });
    const first = await echo(cfg, 1000);
    assert.equal(first.client.handshakeKind, "Full");
    assert.match(first.report, /reused=false/);
    const second = await echo(cfg, 1000);
    assert.equal(second.client.handshakeKind, "Resumed");
    assert.equal(second.client.negotiatedKeyExchangeGroup?.group, 0x17);
    assert.match(second.report, /reused=true/);
  });

  it("the server's close_notify surfaces as PeerClosed after the last data", async () => {
    const client = await UnbufferedClientConnection.create(config(), "localhost");
    const driver = await SocketDriver.connect(client, port);
    try {
      await driver.handshake();
      await driver.write("last words BYE\n");
      await driver.until(() => driver.peerClosed, "waiting for close_notify");
      assert.equal(driver.text, "last words BYE\n");
      assert.ok(driver.states.includes("PeerClosed"));
    } finally {
      await driver.close();
    }
  });
});
