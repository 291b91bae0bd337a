// Issue 17 item 2: exported keying material matches OpenSSL's
// (`-keymatexport LABEL -keymatexportlen N`, printed as "Keying material:")
// in both directions, TLS 1.3 and TLS 1.2: our client against
// `openssl s_server`, our server against `openssl s_client`, all on
// 127.0.0.1. A TLS 1.2 connection without the extended master secret
// refuses to export.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { ClientConfig, type ClientConfigOptions } from "../src/client/config.ts";
import { ServerConfig } from "../src/server/config.ts";
import { UnbufferedClientConnection, UnbufferedServerConnection } from "../src/conn/unbuffered.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { TlsError } from "../src/error.ts";
import { toHex } from "../src/_bytes.ts";
import { tlsExporterChannelBinding } from "../src/conn/channel_binding.ts";
import { SocketDriver } from "./_client_drive.ts";
import { LoopbackListener } from "./_drive.ts";
import { type TestCert, TestPki } from "./_pki.ts";
import { peerMissing, PeerProcess } from "./peers/_spawn.ts";

const missing = peerMissing("openssl", ["version"]) ?? peerMissing("stdbuf", ["--version"]);
if (missing) {
  if (process.env.CI === "true") throw new Error(`CI needs openssl: ${missing}`);
  console.warn(`${missing}: skipping (by hand only; CI fails instead)`);
}

const SAN = "DNS:localhost, IP:127.0.0.1";
/** An openssl config that turns the extended master secret off (no flag does in 3.0). */
const NO_EMS_CONF = "openssl_conf = c\n[c]\nssl_conf = s\n[s]\nsystem_default = d\n[d]\n" +
  "Options = -ExtendedMasterSecret\n";
const KEYING = /Keying material: ([0-9A-F]+)\r?\n/;

const CASES = [
  { version: "TLSv1_3", flag: "-tls1_3", suite: 0x1301, cipher: "TLS_AES_128_GCM_SHA256" },
  { version: "TLSv1_3", flag: "-tls1_3", suite: 0x1302, cipher: "TLS_AES_256_GCM_SHA384" },
  { version: "TLSv1_2", flag: "-tls1_2", suite: 0xc02b, cipher: "ECDHE-ECDSA-AES128-GCM-SHA256" },
  { version: "TLSv1_2", flag: "-tls1_2", suite: 0xc02c, cipher: "ECDHE-ECDSA-AES256-GCM-SHA384" },
] as const;

function cipherArgs(c: (typeof CASES)[number]): string[] {
  return c.version === "TLSv1_3" ? ["-ciphersuites", c.cipher] : ["-cipher", c.cipher];
}

function opensslEnv(conf: string | undefined): string[] {
  return conf ? [`OPENSSL_CONF=${conf}`] : [];
}

describe("issue 17 item 2: exporters against openssl", { skip: missing }, () => {
  let pki: TestPki;
  let ca: TestCert;
  let leaf: TestCert;
  let roots: RootCertStore;
  let listener: LoopbackListener;
  let dir: string;
  let noEmsConf: string;
  const peers: PeerProcess[] = [];

  before(async () => {
    pki = new TestPki();
    ca = pki.root("kerneltls exporter CA");
    leaf = pki.leaf(ca, SAN, { alg: "p256" });
    roots = new RootCertStore();
    roots.add(ca.der);
    listener = await LoopbackListener.listen();
    dir = mkdtempSync(join(tmpdir(), "exporter-"));
    noEmsConf = join(dir, "no_ems.cnf");
    writeFileSync(noEmsConf, NO_EMS_CONF);
  });

  after(async () => {
    await Promise.all(peers.map((p) => p.stop()));
    await listener?.close();
    pki?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function startServer(args: string[], conf?: string): Promise<[PeerProcess, number]> {
    const proc = new PeerProcess("env", [
      ...opensslEnv(conf),
      "stdbuf",
      "-o0",
      "openssl",
      "s_server",
      "-accept",
      "127.0.0.1:0",
      "-cert",
      leaf.certPath,
      "-key",
      leaf.keyPath,
      ...args,
    ]);
    peers.push(proc);
    const m = await proc.waitFor(/ACCEPT 127\.0\.0\.1:(\d+)/) as RegExpMatchArray;
    return [proc, Number(m[1])];
  }

  async function ourClient(
    port: number,
    options: Partial<ClientConfigOptions>,
  ): Promise<{ client: UnbufferedClientConnection; driver: SocketDriver }> {
    const client = await UnbufferedClientConnection.create(
      new ClientConfig({ roots, ...options }),
      "localhost",
    );
    const driver = await SocketDriver.connect(client, port);
    await driver.handshake().catch((e) => {
      driver.destroy();
      throw e;
    });
    return { client, driver };
  }

  function startClient(args: string[], conf?: string): PeerProcess {
    const proc = new PeerProcess("env", [
      ...opensslEnv(conf),
      "stdbuf",
      "-o0",
      "openssl",
      "s_client",
      "-connect",
      `127.0.0.1:${listener.port}`,
      "-servername",
      "localhost",
      "-CAfile",
      ca.certPath,
      "-verify_return_error",
      "-ign_eof",
      ...args,
    ]);
    peers.push(proc);
    return proc;
  }

  for (const c of CASES) {
    for (
      const [label, length] of [["EXPORTER-kerneltls", 20], [
        "EXPORTER-Channel-Binding",
        32,
      ]] as const
    ) {
      it(`${c.cipher}: our client and openssl s_server export the same ${length} bytes (${label})`, async () => {
        const [server, port] = await startServer([
          c.flag,
          ...cipherArgs(c),
          "-keymatexport",
          label,
          "-keymatexportlen",
          String(length),
        ]);
        const { client, driver } = await ourClient(port, {
          versions: [c.version],
          cipherSuites: [c.suite],
        });
        try {
          assert.equal(client.protocolVersion, c.version);
          assert.equal(client.negotiatedCipherSuite?.id, c.suite);
          const theirs = (await server.waitFor(KEYING) as RegExpMatchArray)[1];
          const ours = await client.exportKeyingMaterial(label, undefined, length);
          assert.equal(toHex(ours).toUpperCase(), theirs);
          if (label === "EXPORTER-Channel-Binding") {
            assert.equal(toHex(await tlsExporterChannelBinding(client)).toUpperCase(), theirs);
          }
        } finally {
          await driver.close().catch(() => {});
          await server.stop();
        }
      });

      it(`${c.cipher}: our server and openssl s_client export the same ${length} bytes (${label})`, async () => {
        const peer = startClient([
          c.flag,
          ...cipherArgs(c),
          "-keymatexport",
          label,
          "-keymatexportlen",
          String(length),
        ]);
        const conn = new UnbufferedServerConnection(
          new ServerConfig({
            certificateChain: readFileSync(leaf.certPath, "utf8"),
            privateKey: readFileSync(leaf.keyPath, "utf8"),
            versions: [c.version],
            cipherSuites: [c.suite],
          }),
        );
        const driver = await listener.accept(conn);
        try {
          await driver.handshake();
          assert.equal(conn.protocolVersion, c.version);
          assert.equal(conn.negotiatedCipherSuite?.id, c.suite);
          const theirs = (await peer.waitFor(KEYING) as RegExpMatchArray)[1];
          const ours = await conn.exportKeyingMaterial(label, undefined, length);
          assert.equal(toHex(ours).toUpperCase(), theirs);
        } finally {
          await driver.close().catch(() => {});
          await peer.stop();
        }
      });
    }
  }

  it("TLS 1.2 without the extended master secret: openssl exports, we refuse (RFC 7627 5.4)", async () => {
    const [server, port] = await startServer(
      ["-tls1_2", "-keymatexport", "EXPORTER-x", "-keymatexportlen", "16"],
      noEmsConf,
    );
    const { client, driver } = await ourClient(port, {
      versions: ["TLSv1_2"],
      requireExtendedMasterSecret: false,
    });
    try {
      assert.equal(client.protocolVersion, "TLSv1_2");
      await server.waitFor(KEYING);
      await assert.rejects(
        client.exportKeyingMaterial("EXPORTER-x", undefined, 16),
        (e) => e instanceof TlsError && e.detail === "NoExtendedMasterSecret",
      );
      await assert.rejects(
        tlsExporterChannelBinding(client),
        (e) => e instanceof TlsError && e.detail === "NoExtendedMasterSecret",
      );
    } finally {
      await driver.close().catch(() => {});
      await server.stop();
    }
  });
});
