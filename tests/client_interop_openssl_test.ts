// Our TLS 1.3 client against `openssl s_server` on 127.0.0.1.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ClientConfig, type ClientConfigOptions } from "../src/client/config.ts";
import { UnbufferedClientConnection } from "../src/conn/unbuffered.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { TlsError } from "../src/error.ts";
import { randomBytes, SocketDriver } from "./_client_drive.ts";
import { type KeyAlg, type TestCert, TestPki } from "./_pki.ts";
import { peerMissing } from "./peers/_spawn.ts";
import { exchange, OpenSslServer } from "./peers/_openssl_server.ts";

const SUITES = [
  { id: 0x1301, openssl: "TLS_AES_128_GCM_SHA256" },
  { id: 0x1302, openssl: "TLS_AES_256_GCM_SHA384" },
  { id: 0x1303, openssl: "TLS_CHACHA20_POLY1305_SHA256" },
];
const GROUPS = [
  { id: 0x1d, name: "X25519" },
  { id: 0x17, name: "secp256r1" },
  { id: 0x18, name: "secp384r1" },
];
const SAN = "DNS:localhost, IP:127.0.0.1";

/** Lines of random digits, `size` bytes in all, ending with the line `end`. */
function digitLines(size: number, end: string): string {
  const bytes = randomBytes(size);
  let out = "";
  for (let i = 0; i < size; i++) out += (i % 64 === 63) ? "\n" : String(bytes[i] % 10);
  return `${out}\n${end}\n`;
}

const missing = peerMissing("openssl", ["version"]) ?? peerMissing("stdbuf", ["--version"]);
if (missing) console.warn(missing);

describe("client interop: openssl s_server", { skip: missing }, () => {
  let pki: TestPki;
  let ca: TestCert;
  let leaves: Record<KeyAlg, TestCert>;
  let clientCert: TestCert;
  let strangerLeaf: TestCert;
  let clientCerts: Record<string, TestCert>;
  let intermediate: TestCert;
  let chainLeaf: TestCert;
  let roots: RootCertStore;
  const servers: OpenSslServer[] = [];

  before(() => {
    pki = new TestPki();
    ca = pki.root("kerneltls interop CA");
    const algs: KeyAlg[] = ["p256", "p384", "rsa", "rsapss", "ed25519"];
    leaves = Object.fromEntries(algs.map((a) => [a, pki.leaf(ca, SAN, { alg: a })])) as Record<
      KeyAlg,
      TestCert
    >;
    clientCert = pki.issue(ca, "interop client", [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature",
      "extendedKeyUsage=clientAuth",
    ]);
    clientCerts = Object.fromEntries(
      (["p384", "rsa", "rsapss", "ed25519"] as const).map((a) => [
        a,
        pki.issue(ca, `interop client ${a}`, [
          "basicConstraints=critical,CA:FALSE",
          "keyUsage=critical,digitalSignature",
          "extendedKeyUsage=clientAuth",
        ], { alg: a }),
      ]),
    );
    intermediate = pki.intermediate(ca, "interop intermediate");
    chainLeaf = pki.leaf(intermediate, SAN, { alg: "p384" });
    const stranger = pki.root("unknown CA");
    strangerLeaf = pki.leaf(stranger, SAN);
    roots = new RootCertStore();
    roots.add(ca.der);
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    pki?.cleanup();
  });

  async function server(cert: TestCert, args: string[] = []): Promise<OpenSslServer> {
    const s = await OpenSslServer.start(["-cert", cert.certPath, "-key", cert.keyPath, ...args]);
    servers.push(s);
    return s;
  }

  function config(extra: Partial<ClientConfigOptions> = {}): ClientConfig {
    return new ClientConfig({ roots, ...extra });
  }

  async function connect(
    s: OpenSslServer,
    cfg: ClientConfig,
    name = "localhost",
  ): Promise<{ client: UnbufferedClientConnection; driver: SocketDriver }> {
    const client = await UnbufferedClientConnection.create(cfg, name);
    const driver = await SocketDriver.connect(client, s.port);
    try {
      await driver.handshake();
    } catch (e) {
      driver.destroy();
      throw e;
    }
    return { client, driver };
  }

  it("every suite x every group: full handshake, data both ways", async () => {
    const perSuite = await Promise.all(SUITES.map((suite) =>
      server(leaves.p256, [
        "-ciphersuites",
        suite.openssl,
        "-groups",
        "X25519:P-256:P-384",
      ]).then((s) => ({ suite, s }))
    ));
    await Promise.all(perSuite.map(async ({ suite, s }) => {
      for (const group of GROUPS) {
        const { client, driver } = await connect(s, config({ kxGroups: [group.id] }));
        try {
          assert.equal(client.protocolVersion, "TLSv1_3");
          assert.equal(client.negotiatedCipherSuite?.id, suite.id);
          assert.equal(client.negotiatedKeyExchangeGroup?.group, group.id);
          assert.equal(client.handshakeKind, "Full");
          assert.deepEqual(client.peerCertificates?.[0], leaves.p256.der);
          await exchange(driver, s);
        } finally {
          await driver.close();
        }
      }
    }));
  });

  it("server group preference forces a HelloRetryRequest", async () => {
    const s = await server(leaves.p256, ["-groups", "P-384"]);
    const { client, driver } = await connect(s, config({ kxGroups: [0x1d, 0x17, 0x18] }));
    try {
      assert.equal(client.handshakeKind, "FullWithHelloRetryRequest");
      assert.equal(client.negotiatedKeyExchangeGroup?.group, 0x18);
      await exchange(driver, s);
    } finally {
      await driver.close();
    }
  });

  for (const alg of ["p256", "p384", "rsa", "rsapss", "ed25519"] as const) {
    it(`server certificate ${alg}`, async () => {
      const s = await server(leaves[alg]);
      const { client, driver } = await connect(s, config());
      try {
        assert.equal(client.handshakeKind, "Full");
        assert.deepEqual(client.peerCertificates?.[0], leaves[alg].der);
        await exchange(driver, s);
      } finally {
        await driver.close();
      }
    });
  }

  it("ALPN: the server picks from our list", async () => {
    const s = await server(leaves.p256, ["-alpn", "h2,http/1.1"]);
    const { client, driver } = await connect(s, config({ alpnProtocols: ["http/1.1"] }));
    try {
      assert.equal(client.alpnProtocol, "http/1.1");
      await exchange(driver, s);
    } finally {
      await driver.close();
    }
    await s.proc.waitFor("ALPN protocols advertised by the client: http/1.1");
  });

  it("client authentication: s_server verifies and reports our certificate", async () => {
    const s = await server(leaves.p256, ["-Verify", "1", "-CAfile", ca.certPath]);
    const cfg = config({
      certificateChain: readFileSync(clientCert.certPath, "utf8"),
      privateKey: readFileSync(clientCert.keyPath, "utf8"),
    });
    const { driver } = await connect(s, cfg);
    try {
      await exchange(driver, s);
    } finally {
      await driver.close();
    }
    await s.proc.waitFor("CN = interop client");
    assert.match(s.output, /verify return:1/);
    assert.doesNotMatch(s.output, /verify error/);
  });

  it("client authentication with P-384, RSA, RSA-PSS and Ed25519 keys", async () => {
    const s = await server(leaves.p256, ["-Verify", "1", "-CAfile", ca.certPath]);
    for (const [alg, cert] of Object.entries(clientCerts)) {
      const mark = s.output.length;
      const cfg = config({
        certificateChain: readFileSync(cert.certPath, "utf8"),
        privateKey: readFileSync(cert.keyPath, "utf8"),
      });
      const { driver } = await connect(s, cfg);
      try {
        await exchange(driver, s);
      } finally {
        await driver.close();
      }
      await s.proc.waitFor(`CN = interop client ${alg}`, { from: mark });
    }
    assert.doesNotMatch(s.output, /verify error/);
  });

  it("a chain through an intermediate (P-384 leaf)", async () => {
    const s = await server(chainLeaf, ["-cert_chain", intermediate.certPath]);
    const { client, driver } = await connect(s, config());
    try {
      assert.equal(client.peerCertificates?.length, 2);
      assert.deepEqual(client.peerCertificates?.[1], intermediate.der);
      await exchange(driver, s);
    } finally {
      await driver.close();
    }
  });

  it("bulk data both ways with 512-byte fragments", async () => {
    const s = await server(leaves.p256);
    const { driver } = await connect(s, config({ maxFragmentSize: 512 }));
    try {
      // Digits only: s_server treats short stdin reads starting with a letter as commands.
      const c2s = digitLines(30000, "c2s-end");
      const mark = s.output.length;
      await driver.write(c2s);
      await s.proc.waitFor("c2s-end\n", { from: mark });
      assert.ok(s.output.slice(mark).includes(c2s), "s_server printed what we sent");

      const s2c = digitLines(60000, "s2c-end");
      driver.take();
      s.proc.send(s2c);
      assert.equal(new TextDecoder().decode(await driver.readAtLeast(s2c.length)), s2c);
      assert.equal(driver.received.length, s2c.length);
    } finally {
      await driver.close();
    }
  });

  it("server records with padding (-record_padding) and small fragments (-max_send_frag)", async () => {
    const s = await server(leaves.p256, ["-record_padding", "1000", "-max_send_frag", "700"]);
    const { driver } = await connect(s, config());
    try {
      await exchange(driver, s);
      const s2c = digitLines(20000, "padded-end");
      s.proc.send(s2c);
      assert.equal(new TextDecoder().decode(await driver.readAtLeast(s2c.length)), s2c);
      assert.equal(driver.received.length, s2c.length);
      await driver.refreshTrafficKeys();
      await exchange(driver, s);
    } finally {
      await driver.close();
    }
  });

  it("a server that requires a client certificate we lack: alert 116 surfaces", async () => {
    const s = await server(leaves.p256, ["-Verify", "1", "-CAfile", ca.certPath]);
    // TLS 1.3 client handshakes end before the server judges our (empty) Certificate.
    const { driver } = await connect(s, config());
    try {
      await assert.rejects(driver.readAtLeast(1), (e: unknown) => {
        assert.ok(e instanceof TlsError, `expected TlsError, got ${e}`);
        assert.equal(e.kind, "AlertReceived");
        assert.equal(e.alert, 116);
        assert.equal(e.alertDirection, "received");
        return true;
      });
    } finally {
      driver.destroy();
    }
  });

  it("KeyUpdate in both directions keeps data flowing", async () => {
    const s = await server(leaves.p256);
    const { driver } = await connect(s, config());
    try {
      await exchange(driver, s);
      for (const cmd of ["K\n", "k\n"]) {
        const mark = s.output.length;
        s.proc.send(cmd);
        // OpenSSL 3.0 reports the command as "SSL_do_handshake -> 1".
        await s.proc.waitFor(/KEYUPDATE|SSL_do_handshake -> 1/, { from: mark });
        // Twice: the second round trip runs under the keys we answered with.
        await exchange(driver, s);
        await exchange(driver, s);
      }
      await driver.refreshTrafficKeys();
      await exchange(driver, s);
      await driver.refreshTrafficKeys();
      await exchange(driver, s);
      await exchange(driver, s);
    } finally {
      await driver.close();
    }
  });

  it("a second connection with the same config resumes", async () => {
    const s = await server(leaves.p256);
    const cfg = config();
    const first = await connect(s, cfg);
    try {
      assert.equal(first.client.handshakeKind, "Full");
      await exchange(first.driver, s);
    } finally {
      await first.driver.close();
    }
    const second = await connect(s, cfg);
    try {
      assert.equal(second.client.handshakeKind, "Resumed");
      assert.equal(second.client.negotiatedCipherSuite?.id, first.client.negotiatedCipherSuite?.id);
      await exchange(second.driver, s);
    } finally {
      await second.driver.close();
    }
    await s.proc.waitFor("Reused session-id");
  });

  for (
    const variant of [
      {
        what: "stateful tickets (-no_ticket)",
        args: ["-no_ticket"],
        groups: undefined,
        first: "Full",
      },
      {
        what: "a server that forced HRR the first time",
        args: ["-groups", "P-384"],
        groups: [0x1d, 0x18],
        first: "FullWithHelloRetryRequest",
      },
    ]
  ) {
    it(`resumption with ${variant.what}`, async () => {
      const s = await server(leaves.p256, variant.args);
      const cfg = config(variant.groups ? { kxGroups: variant.groups } : {});
      const kinds: (string | undefined)[] = [];
      for (let i = 0; i < 2; i++) {
        const { client, driver } = await connect(s, cfg);
        try {
          kinds.push(client.handshakeKind);
          await exchange(driver, s);
        } finally {
          await driver.close();
        }
      }
      assert.deepEqual(kinds, [variant.first, "Resumed"]);
    });
  }

  const failures = [
    {
      what: "a certificate for another name",
      name: "wrong.example",
      stranger: false,
      now: undefined,
      alert: 42,
      printed: "alert bad certificate",
    },
    {
      what: "an unknown issuer",
      name: "localhost",
      stranger: true,
      now: undefined,
      alert: 48,
      printed: "alert unknown ca",
    },
    {
      what: "an expired certificate",
      name: "localhost",
      stranger: false,
      now: () => new Date(Date.now() + 2 * 365 * 86400_000),
      alert: 45,
      printed: "alert certificate expired",
    },
  ];
  for (const f of failures) {
    it(`refuses ${f.what} with alert ${f.alert}, and sends it`, async () => {
      const s = await server(f.stranger ? strangerLeaf : leaves.p256);
      const cfg = config(f.now ? { now: f.now } : {});
      const mark = s.output.length;
      await assert.rejects(connect(s, cfg, f.name), (e: unknown) => {
        assert.ok(e instanceof TlsError, `expected TlsError, got ${e}`);
        assert.equal(e.kind, "InvalidCertificate");
        assert.equal(e.alert, f.alert);
        assert.equal(e.alertDirection, "sent");
        return true;
      });
      await s.proc.waitFor(f.printed, { from: mark });
    });
  }
});
