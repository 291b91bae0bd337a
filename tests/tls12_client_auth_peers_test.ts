// Issue 18 item 8: our TLS 1.2 server asks real clients for a certificate.
// `openssl s_client -tls1_2 -cert -key` and `gnutls-cli --x509certfile
// --x509keyfile` (TLS 1.2 only) with P-256, RSA and Ed25519 client
// certificates: our server sees the client's certificate, the peer reports a
// completed handshake, and a line goes each way. A client without a
// certificate under mandatory client auth gets handshake_failure from us.
// gnutls-cli only connects (to our listener on 127.0.0.1), so it needs no
// private network namespace.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { ServerConfig } from "../src/server/config.ts";
import { RotatingTicketer } from "../src/server/ticketer.ts";
import { UnbufferedServerConnection } from "../src/conn/unbuffered.ts";
import { TlsError } from "../src/error.ts";
import { SignatureScheme } from "../src/msgs/enums.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { type ClientCertVerifier, WebPkiClientVerifier } from "../src/webpki/verifier.ts";
import { exchangeLines, LoopbackListener, type SocketDriver } from "./_drive.ts";
import { type TestCert, TestPki } from "./_pki.ts";
import { peerMissing, PeerProcess } from "./peers/_spawn.ts";
import { recordingClientVerifier } from "./_pair_setup.ts";

const CLIENT_ALGS = ["p256", "rsa", "ed25519"] as const;
const CA_NAME = "kerneltls tls12 client auth peers CA";

function required(tool: string, args: string[]): string | undefined {
  const missing = peerMissing(tool, args);
  if (missing && process.env.CI === "true") throw new Error(`${missing} (CI=true)`);
  if (missing) console.warn(`${missing}: skipping by hand, outside CI`);
  return missing;
}
const opensslMissing = required("openssl", ["version"]);
const gnutlsMissing = required("gnutls-cli", ["--version"]);

let pki: TestPki;
let ca: TestCert;
let serverLeaf: TestCert;
let clients: Record<(typeof CLIENT_ALGS)[number], TestCert>;
let listener: LoopbackListener;
const peers: PeerProcess[] = [];

before(async () => {
  pki = new TestPki();
  ca = pki.root(CA_NAME);
  serverLeaf = pki.leaf(ca, "DNS:localhost, IP:127.0.0.1");
  clients = {
    p256: pki.leaf(ca, "DNS:client.test", { alg: "p256" }),
    rsa: pki.leaf(ca, "DNS:client.test", { alg: "rsa" }),
    ed25519: pki.leaf(ca, "DNS:client.test", { alg: "ed25519" }),
  };
  listener = await LoopbackListener.listen();
});

after(async () => {
  await Promise.all(peers.map((p) => p.stop()));
  await listener?.close();
  pki?.cleanup();
});

function verifier(mandatory = true, schemes?: number[]): ClientCertVerifier {
  const roots = new RootCertStore();
  roots.add(ca.der);
  return recordingClientVerifier(new WebPkiClientVerifier({ roots, mandatory }), [], {
    offer: schemes,
  });
}

function serverConfig(clientCertVerifier: ClientCertVerifier, ticketer?: RotatingTicketer) {
  return new ServerConfig({
    certificateChain: readFileSync(serverLeaf.certPath, "utf8"),
    privateKey: readFileSync(serverLeaf.keyPath, "utf8"),
    clientCertVerifier,
    ticketer,
  });
}

/** Starts `cmd` against our listener and accepts it with a server connection for `config`. */
async function accept(config: ServerConfig, cmd: string, args: string[]) {
  const peer = new PeerProcess(cmd, args);
  peers.push(peer);
  const conn = new UnbufferedServerConnection(config);
  const driver = await listener.accept(conn);
  return { conn, driver, peer };
}

async function finish(driver: SocketDriver, peer: PeerProcess): Promise<void> {
  await driver.close().catch(() => {});
  driver.destroy();
  await peer.stop();
}

describe("TLS 1.2 client auth: openssl s_client -tls1_2 vs our server", {
  skip: opensslMissing,
}, () => {
  const sClient = (cert: TestCert | undefined, extra: string[] = []) => [
    "s_client",
    "-connect",
    `127.0.0.1:${listener.port}`,
    "-tls1_2",
    "-servername",
    "localhost",
    "-CAfile",
    ca.certPath,
    "-verify_return_error",
    ...(cert ? ["-cert", cert.certPath, "-key", cert.keyPath] : []),
    ...extra,
  ];

  for (const alg of CLIENT_ALGS) {
    it(`${alg} client certificate: we verify it, s_client completes`, async () => {
      const { conn, driver, peer } = await accept(
        serverConfig(verifier()),
        "openssl",
        sClient(clients[alg], ["-ign_eof"]),
      );
      try {
        await driver.handshake();
        assert.equal(conn.protocolVersion, "TLSv1_2");
        assert.deepEqual(conn.peerCertificates?.[0], clients[alg].der);
        await exchangeLines(driver, peer); // s_client has printed its summary by now
        // What our CertificateRequest said, as s_client read it.
        assert.match(
          peer.output,
          new RegExp(`Acceptable client certificate CA names\\s+CN = ${CA_NAME}`),
        );
        assert.match(peer.output, /Client Certificate Types: ECDSA sign, RSA sign/);
        assert.match(peer.output, /New, TLSv1\.2, Cipher is ECDHE-ECDSA/);
        assert.match(peer.output, /Extended master secret: yes/);
      } finally {
        await finish(driver, peer);
      }
    });
  }

  it("RSA PKCS#1 v1.5: a verifier that offers only rsa_pkcs1_sha256 gets it", async () => {
    const { conn, driver, peer } = await accept(
      serverConfig(verifier(true, [SignatureScheme.rsa_pkcs1_sha256])),
      "openssl",
      sClient(clients.rsa, ["-ign_eof"]),
    );
    try {
      await driver.handshake();
      assert.deepEqual(conn.peerCertificates?.[0], clients.rsa.der);
      await exchangeLines(driver, peer); // s_client has printed its summary by now
      assert.match(peer.output, /Requested Signature Algorithms: RSA\+SHA256\n/);
      assert.match(peer.output, /Client Certificate Types: RSA sign\n/);
    } finally {
      await finish(driver, peer);
    }
  });

  it("required, no certificate: we send handshake_failure, s_client reports it", async () => {
    const { driver, peer } = await accept(serverConfig(verifier()), "openssl", sClient(undefined));
    try {
      await assert.rejects(
        driver.handshake(),
        (e) => e instanceof TlsError && e.alert === 40 && e.detail === "NoCertificatesPresented",
      );
      await peer.waitFor(/alert handshake failure/);
    } finally {
      await finish(driver, peer);
    }
  });

  it("optional, no certificate: s_client completes, no peer certificates", async () => {
    const { conn, driver, peer } = await accept(
      serverConfig(verifier(false)),
      "openssl",
      sClient(undefined, ["-ign_eof"]),
    );
    try {
      await driver.handshake();
      assert.equal(conn.peerCertificates, undefined);
      await exchangeLines(driver, peer);
    } finally {
      await finish(driver, peer);
    }
  });

  it("resumed by ticket (s_client -sess_in): the client certificate comes back", async () => {
    const sess = join(mkdtempSync(join(tmpdir(), "tls12-auth-")), "session.pem");
    const config = serverConfig(verifier(), new RotatingTicketer());
    for (const [i, kind] of ["Full", "Resumed"].entries()) {
      const { conn, driver, peer } = await accept(
        config,
        "openssl",
        sClient(clients.p256, [i === 0 ? "-sess_out" : "-sess_in", sess]),
      );
      try {
        await driver.handshake();
        assert.equal(conn.handshakeKind, kind);
        assert.deepEqual(conn.peerCertificates?.[0], clients.p256.der);
        await exchangeLines(driver, peer);
        await driver.close();
        await peer.waitExit(); // s_client writes -sess_out when the connection ends
        if (i === 1) assert.match(peer.output, /Reused, TLSv1\.2/);
      } finally {
        await finish(driver, peer);
      }
    }
  });
});

describe("TLS 1.2 client auth: gnutls-cli (TLS 1.2 only) vs our server", {
  skip: gnutlsMissing,
}, () => {
  const gnutlsCli = (cert: TestCert | undefined) => [
    "-p",
    String(listener.port),
    "--x509cafile",
    ca.certPath,
    "--sni-hostname",
    "localhost",
    "--verify-hostname",
    "localhost",
    "--priority",
    "NORMAL:-VERS-ALL:+VERS-TLS1.2",
    ...(cert ? ["--x509certfile", cert.certPath, "--x509keyfile", cert.keyPath] : []),
    "127.0.0.1",
  ];

  for (const alg of CLIENT_ALGS) {
    it(`${alg} client certificate: we verify it, gnutls-cli completes`, async () => {
      const { conn, driver, peer } = await accept(
        serverConfig(verifier()),
        "gnutls-cli",
        gnutlsCli(clients[alg]),
      );
      try {
        await driver.handshake();
        assert.equal(conn.protocolVersion, "TLSv1_2");
        assert.deepEqual(conn.peerCertificates, [clients[alg].der]);
        await peer.waitFor("- Handshake was completed");
        assert.match(peer.output, /Successfully sent 1 certificate\(s\) to server/);
        assert.match(peer.output, /\(TLS1\.2-X\.509\)/);
        assert.match(peer.output, /extended master secret/);
        await exchangeLines(driver, peer);
      } finally {
        await finish(driver, peer);
      }
    });
  }

  it("required, no certificate: we send handshake_failure, gnutls-cli reports alert 40", async () => {
    const { driver, peer } = await accept(
      serverConfig(verifier()),
      "gnutls-cli",
      gnutlsCli(undefined),
    );
    try {
      await assert.rejects(
        driver.handshake(),
        (e) => e instanceof TlsError && e.alert === 40 && e.detail === "NoCertificatesPresented",
      );
      await peer.waitFor(/Received alert \[40\]/);
      assert.match(peer.output, /Successfully sent 0 certificate\(s\) to server/);
    } finally {
      await finish(driver, peer);
    }
  });
});
