// record_size_limit (RFC 8449) against real peers. GnuTLS 3.7 (`--recordsize`)
// both ways: our server with gnutls-cli, our client with gnutls-serv (in a
// private network namespace, as it binds every interface); each side's
// protected records on the wire stay within the other's limit, TLS 1.3 and
// 1.2. GnuTLS takes only 512..16384 (`--recordsize` 512 to 4096 on the
// client) and refuses a smaller limit from us with illegal_parameter, though
// RFC 8449 allows 64. NSS 3.87's selfserv and tstclnt offer and answer
// 16385 and have no switch to change it: they are checked against our
// limit of 300, and we use theirs in full.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ClientConfig } from "../src/client/config.ts";
import type { ServerConfig, ServerConfigOptions } from "../src/server/config.ts";
import { UnbufferedClientConnection, UnbufferedServerConnection } from "../src/conn/unbuffered.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { LoopbackListener, type SocketDriver } from "./_drive.ts";
import { splitRecords } from "./_pair.ts";
import { type TestCert, TestPki } from "./_pki.ts";
import { leafServerConfig } from "./_leaf_config.ts";
import { peerMissing, PeerProcess } from "./peers/_spawn.ts";
import { NAMESPACE_PORT, NamespacedServer, namespaceMissing } from "./peers/_namespace_server.ts";
import { NssDb, nssMissing, selfservRequest, startSelfserv, startTstclnt } from "./peers/_nss.ts";

const gnutlsMissing = peerMissing("gnutls-cli", ["--version"]) ??
  peerMissing("gnutls-serv", ["--version"]) ?? namespaceMissing();
if (gnutlsMissing) console.warn(gnutlsMissing);
const missingNss = nssMissing();
if (missingNss) console.warn(missingNss);

const VERSIONS = [
  { name: "TLS 1.3", priority: "NORMAL:-VERS-ALL:+VERS-TLS1.3", tls12: false },
  {
    name: "TLS 1.2",
    priority: "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM",
    tls12: true,
  },
] as const;

/** What crossed a socket after the handshake, each way. */
interface Wire {
  sent: Uint8Array[];
  received: Uint8Array[];
}

/** Records what `driver`'s socket sends and receives from now on (a record boundary). */
function tapWire(driver: SocketDriver): Wire {
  const wire: Wire = { sent: [], received: [] };
  const socket = driver.socket;
  socket.on("data", (chunk: Uint8Array) => wire.received.push(chunk.slice()));
  const write = socket.write.bind(socket) as (b: Uint8Array) => boolean;
  (socket as unknown as { write: (b: Uint8Array) => boolean }).write = (b: Uint8Array) => {
    wire.sent.push(b.slice());
    return write(b);
  };
  return wire;
}

/** The largest record content on a wire: TLS 1.3 inner plaintext, TLS 1.2 plaintext (AES-GCM). */
function largest(parts: Uint8Array[], tls12: boolean): number {
  const total = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (total.set(p, at), at + p.length), 0);
  const sizes = splitRecords(total).map((r) => r.bytes.length - 5 - 16 - (tls12 ? 8 : 0));
  return Math.max(0, ...sizes);
}

/** A line of `n` bytes, newline included. */
function line(n: number, fill = "x"): string {
  return fill.repeat(n - 1) + "\n";
}

let pki: TestPki;
let ca: TestCert;
let leaf: TestCert;

function serverConfig(extra: Partial<ServerConfigOptions> = {}): ServerConfig {
  return leafServerConfig(leaf, { enableSecretExtraction: true, ...extra });
}

function clientConfig(extra: Record<string, unknown> = {}): ClientConfig {
  return new ClientConfig({
    roots: RootCertStore.fromPem(readFileSync(ca.certPath, "utf8")),
    enableSecretExtraction: true,
    ...extra,
  });
}

describe("record_size_limit interop", { skip: gnutlsMissing && missingNss }, () => {
  let listener: LoopbackListener;
  const peers: PeerProcess[] = [];

  before(async () => {
    pki = new TestPki();
    ca = pki.root("kerneltls record_size_limit interop CA");
    leaf = pki.issue(ca, "record size limit server", [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature",
      "extendedKeyUsage=serverAuth",
      "subjectAltName=DNS:localhost, IP:127.0.0.1",
    ]);
    listener = await LoopbackListener.listen();
  });

  after(async () => {
    await Promise.all(peers.map((p) => p.stop()));
    await listener?.close();
    pki?.cleanup();
  });

  describe("GnuTLS", { skip: gnutlsMissing }, () => {
    for (const v of VERSIONS) {
      it(`${v.name}: gnutls-cli --recordsize=512 against our server's limit of 1000`, async () => {
        const peer = new PeerProcess("gnutls-cli", [
          "--x509cafile",
          ca.certPath,
          "-p",
          String(listener.port),
          "--sni-hostname",
          "localhost",
          "--priority",
          v.priority,
          "--recordsize=512",
          "127.0.0.1",
        ]);
        peers.push(peer);
        const conn = new UnbufferedServerConnection(serverConfig({ recordSizeLimit: 1000 }));
        const driver = await listener.accept(conn);
        try {
          await driver.handshake();
          await peer.waitFor("- Handshake was completed");
          const wire = tapWire(driver);
          // gnutls-cli sends what it reads from stdin in one record, and
          // refuses more than its own limit: lines of 500 bytes, one by one.
          let up = "";
          for (let i = 0; i < 6; i++) {
            const one = line(500, String(i));
            up += one;
            peer.send(one);
            await driver.readAtLeast(up.length);
          }
          assert.equal(driver.text, up);
          const down = line(3000, "d");
          const mark = peer.output.length;
          await driver.write(down);
          await peer.waitFor(down, { from: mark });
          // Both limits bind, and each side uses its allowance to the full.
          assert.ok(largest(wire.received, v.tls12) <= 1000, "gnutls-cli's records to us");
          // GnuTLS advertises 512 (TLS 1.2) or 513 (TLS 1.3, the content type byte included).
          assert.equal(
            largest(wire.sent, v.tls12),
            v.tls12 ? 512 : 513,
            "our records to gnutls-cli",
          );
          const { connection } = await conn.dangerousIntoKernelConnection();
          assert.deepEqual([connection.maxFragmentSize, connection.recordSizeLimit], [512, 1000]);
        } finally {
          driver.destroy();
          await peer.stop();
        }
      });

      it(`${v.name}: our client (limit 1000) against gnutls-serv --recordsize=512`, async () => {
        const server = await NamespacedServer.start([
          "gnutls-serv",
          "--echo",
          "-p",
          String(NAMESPACE_PORT),
          "--x509certfile",
          leaf.certPath,
          "--x509keyfile",
          leaf.keyPath,
          "--priority",
          v.priority,
          "--recordsize=512",
        ]);
        try {
          const conn = await UnbufferedClientConnection.create(
            clientConfig({ recordSizeLimit: 1000 }),
            "localhost",
          );
          const driver = await server.connect(conn);
          await driver.handshake();
          const wire = tapWire(driver);
          const data = line(3000);
          await driver.write(data);
          assert.equal(new TextDecoder().decode(await driver.readAtLeast(data.length)), data);
          assert.equal(
            largest(wire.sent, v.tls12),
            v.tls12 ? 512 : 513,
            "our records to gnutls-serv",
          );
          assert.equal(largest(wire.received, v.tls12), 1000, "gnutls-serv's records to us");
          driver.destroy();
        } finally {
          await server.stop();
        }
      });
    }
  });

  describe("NSS 3.87 (selfserv and tstclnt offer and answer 16385)", { skip: missingNss }, () => {
    let db: NssDb;
    before(() => {
      db = NssDb.create({ trust: [ca], identities: [{ nickname: "server", cert: leaf }] });
    });
    after(() => db?.cleanup());

    it("tstclnt against our server's limit of 300: its records stay within it", async () => {
      const peer = startTstclnt(db, listener.port, ["-V", "tls1.3:tls1.3"]);
      peers.push(peer);
      const conn = new UnbufferedServerConnection(serverConfig({ recordSizeLimit: 300 }));
      const driver = await listener.accept(conn);
      try {
        await driver.handshake();
        const wire = tapWire(driver);
        const up = line(3000);
        peer.send(up);
        assert.equal(new TextDecoder().decode(await driver.readAtLeast(up.length)), up);
        const toUs = largest(wire.received, false);
        assert.ok(toUs > 0 && toUs <= 300, `tstclnt's largest record: ${toUs}`);
        // tstclnt's own limit is the TLS 1.3 maximum: our records use it in full.
        const down = line(20000);
        await driver.write(down);
        await peer.waitFor(down.slice(0, 1000));
        assert.equal(largest(wire.sent, false), 16385);
        driver.take();
        const { connection } = await conn.dangerousIntoKernelConnection();
        assert.deepEqual([connection.maxFragmentSize, connection.recordSizeLimit], [16384, 300]);
      } finally {
        driver.destroy();
        await peer.stop();
      }
    });

    it("our client's limit of 300 against selfserv: its records stay within it", async () => {
      const server = await startSelfserv(db, { args: ["-V", "tls1.3:tls1.3"] });
      try {
        const conn = await UnbufferedClientConnection.create(
          clientConfig({ recordSizeLimit: 300 }),
          "localhost",
        );
        const driver = await server.connect(conn);
        await driver.handshake();
        const wire = tapWire(driver);
        // selfserv echoes the request: a long request makes its answer large.
        await selfservRequest(driver, "/" + "p".repeat(3000));
        const toUs = largest(wire.received, false);
        assert.ok(toUs > 0 && toUs <= 300, `selfserv's largest record: ${toUs}`);
        assert.ok(largest(wire.sent, false) > 3000, "our request in one record");
        driver.destroy();
      } finally {
        await server.stop();
      }
    });
  });
});
