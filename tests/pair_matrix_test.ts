// Our client against our server in memory, through the public unbuffered API:
// every suite x group, every signature scheme, HRR, client auth, ALPN,
// KeyUpdate, close in both orders and small record sizes.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { TlsError } from "../src/error.ts";
import { ServerConfig } from "../src/server/config.ts";
import type { ConnectionCore } from "../src/common/core.ts";
import type { KeyAlg } from "./_pki.ts";
import { type Endpoint, runPair, splitRecords } from "./_pair.ts";
import {
  clientAuthVerifier,
  connectPair,
  makePairPki,
  type Pair,
  type PairPki,
  recordingClientConfig,
  recordingClientVerifier,
  text,
  utf8,
} from "./_pair_setup.ts";

let pki: PairPki;

const SUITES = [0x1301, 0x1302, 0x1303] as const;
const GROUPS = [0x1d, 0x17, 0x18] as const;
const SCHEMES: Record<KeyAlg, number> = {
  p256: 0x0403,
  p384: 0x0503,
  rsa: 0x0804,
  rsapss: 0x0809,
  ed25519: 0x0807,
};

function assertData(p: Pair, fromClient: string, fromServer: string): void {
  assert.equal(text(p.server.receivedBytes()), fromClient);
  assert.equal(text(p.client.receivedBytes()), fromServer);
}

async function closeFirst(p: Pair, first: "client" | "server"): Promise<void> {
  const a = first === "client" ? p.client : p.server;
  const b = first === "client" ? p.server : p.client;
  a.closeAfterWrites = true;
  await runPair(p.client, p.server);
  assert.equal(b.peerClosed, true, "the other side saw close_notify");
  assert.equal(b.closed, false, "half-closed: the other side may still write");
  b.pendingWrites.push(utf8("after half-close"));
  b.closeAfterWrites = true;
  await runPair(p.client, p.server);
  assert.equal(text(a.received[a.received.length - 1]), "after half-close");
  for (const e of [a, b]) {
    assert.equal(e.peerClosed, true);
    assert.equal(e.closed, true);
    const peerClosedAt = e.allStates.indexOf("PeerClosed");
    assert.ok(peerClosedAt >= 0);
    assert.equal(e.allStates.lastIndexOf("PeerClosed"), peerClosedAt, "PeerClosed only once");
    assert.equal(e.allStates[e.allStates.length - 1], "Closed");
  }
  // The side that closed second saw PeerClosed before it wrote its close_notify.
  assert.ok(b.allStates.indexOf("PeerClosed") < b.allStates.indexOf("Closed"));
}

function coreOf(conn: object): ConnectionCore {
  return (conn as unknown as { peekCore(): ConnectionCore }).peekCore();
}

function secrets(p: Pair): { ctx: Uint8Array; crx: Uint8Array; stx: Uint8Array; srx: Uint8Array } {
  const c = coreOf(p.clientConn).tls13!;
  const s = coreOf(p.serverConn).tls13!;
  return { ctx: c.txSecret, crx: c.rxSecret, stx: s.txSecret, srx: s.rxSecret };
}

function assertSecretsInSync(p: Pair): void {
  const k = secrets(p);
  assert.deepEqual(k.ctx, k.srx, "client send key = server receive key");
  assert.deepEqual(k.stx, k.crx, "server send key = client receive key");
}

describe("client <-> server in memory", () => {
  before(() => {
    pki = makePairPki(["p256", "p384", "rsa", "rsapss", "ed25519"]);
  });
  after(() => pki.cleanup());

  describe("every suite x group: handshake, data both ways, close", () => {
    for (const suite of SUITES) {
      for (const group of GROUPS) {
        const name = `suite 0x${suite.toString(16)} group 0x${group.toString(16)}`;
        it(name, async () => {
          const p = await connectPair(pki, {
            client: { cipherSuites: [suite], kxGroups: [group] },
            clientData: utf8(`hello from client ${name}`),
            serverData: utf8(`hello from server ${name}`),
          });
          assertData(p, `hello from client ${name}`, `hello from server ${name}`);
          for (const conn of [p.clientConn, p.serverConn]) {
            assert.equal(conn.isHandshaking, false);
            assert.equal(conn.protocolVersion, "TLSv1_3");
            assert.equal(conn.negotiatedCipherSuite?.id, suite);
            assert.equal(conn.negotiatedKeyExchangeGroup?.group, group);
            assert.equal(conn.handshakeKind, "Full");
          }
          await closeFirst(p, suite === 0x1302 ? "server" : "client");
        });
      }
    }
  });

  describe("every signature scheme", () => {
    for (const alg of Object.keys(SCHEMES) as KeyAlg[]) {
      it(`server certificate ${alg} -> scheme 0x${SCHEMES[alg].toString(16)}`, async () => {
        const p = await connectPair(pki, {
          leaf: alg,
          clientData: utf8("c"),
          serverData: utf8("s"),
        });
        assertData(p, "c", "s");
        assert.deepEqual(p.serverSchemes, [SCHEMES[alg]]);
        assert.deepEqual(p.clientConn.peerCertificates?.[0], pki.leaves[alg].der);
      });

      it(`client certificate ${alg} -> scheme 0x${SCHEMES[alg].toString(16)}`, async () => {
        const seen: number[] = [];
        const leaf = pki.leaves[alg];
        const p = await connectPair(pki, {
          server: {
            clientCertVerifier: recordingClientVerifier(clientAuthVerifier(pki, true), seen),
          },
          client: { certificateChain: leaf.certPem, privateKey: leaf.keyPem },
          clientData: utf8("c"),
          serverData: utf8("s"),
        });
        assertData(p, "c", "s");
        assert.deepEqual(seen, [SCHEMES[alg]]);
        assert.deepEqual(p.serverConn.peerCertificates?.[0], leaf.der);
      });
    }
  });

  it("HelloRetryRequest: server wants secp384r1, client default", async () => {
    const p = await connectPair(pki, {
      server: { kxGroups: [0x18] },
      clientData: utf8("ping"),
      serverData: utf8("pong"),
    });
    assertData(p, "ping", "pong");
    for (const conn of [p.clientConn, p.serverConn]) {
      assert.equal(conn.handshakeKind, "FullWithHelloRetryRequest");
      assert.equal(conn.negotiatedKeyExchangeGroup?.group, 0x18);
    }
  });

  describe("client auth", () => {
    for (const mandatory of [true, false]) {
      it(`${mandatory ? "required" : "optional"}, client with a certificate`, async () => {
        const p = await connectPair(pki, {
          server: { clientCertVerifier: clientAuthVerifier(pki, mandatory) },
          client: { certificateChain: pki.client.certPem, privateKey: pki.client.keyPem },
          clientData: utf8("ping"),
          serverData: utf8("pong"),
        });
        assertData(p, "ping", "pong");
        assert.deepEqual(p.serverConn.peerCertificates?.[0], pki.client.der);
        assert.equal(p.serverConn.peerCertificates?.length, 1);
      });
    }

    it("optional, client without a certificate", async () => {
      const p = await connectPair(pki, {
        server: { clientCertVerifier: clientAuthVerifier(pki, false) },
        clientData: utf8("ping"),
        serverData: utf8("pong"),
      });
      assertData(p, "ping", "pong");
      assert.equal(p.serverConn.peerCertificates, undefined);
    });

    it("required, client without a certificate -> certificate_required", async () => {
      const p = await connectPair(pki, {
        server: { clientCertVerifier: clientAuthVerifier(pki, true) },
        clientData: utf8("ping"),
        captureErrors: true,
      });
      assert.ok(p.server.error instanceof TlsError);
      assert.equal(p.server.error.alert, 116);
      assert.equal(p.server.error.alertDirection, "sent");
      assert.ok(p.client.error instanceof TlsError);
      assert.equal(p.client.error.kind, "AlertReceived");
      assert.equal(p.client.error.alert, 116);
      assert.equal(p.server.received.length, 0, "no data accepted from an unauthenticated client");
    });
  });

  describe("ALPN", () => {
    it("match: the server's choice reaches both sides", async () => {
      const p = await connectPair(pki, {
        server: { alpnProtocols: ["http/1.1"] },
        client: { alpnProtocols: ["h2", "http/1.1"] },
        clientData: utf8("GET /"),
        serverData: utf8("200"),
      });
      assertData(p, "GET /", "200");
      assert.equal(p.clientConn.alpnProtocol, "http/1.1");
      assert.equal(p.serverConn.alpnProtocol, "http/1.1");
    });

    it("client offers, server has none configured: no protocol", async () => {
      const p = await connectPair(pki, {
        client: { alpnProtocols: ["h2"] },
        clientData: utf8("x"),
      });
      assert.equal(text(p.server.receivedBytes()), "x");
      assert.equal(p.clientConn.alpnProtocol, undefined);
      assert.equal(p.serverConn.alpnProtocol, undefined);
    });

    it("mismatch -> no_application_protocol", async () => {
      const p = await connectPair(pki, {
        server: { alpnProtocols: ["spdy/1"] },
        client: { alpnProtocols: ["h2"] },
        captureErrors: true,
      });
      assert.ok(p.server.error instanceof TlsError);
      assert.equal(p.server.error.alert, 120);
      assert.ok(p.client.error instanceof TlsError);
      assert.equal(p.client.error.kind, "AlertReceived");
      assert.equal(p.client.error.alert, 120);
      assert.equal(p.clientConn.isHandshaking, true);
    });
  });

  describe("KeyUpdate", () => {
    async function withUpdates(clientUpdates: number, serverUpdates: number): Promise<void> {
      const p = await connectPair(pki, { clientData: utf8("a"), serverData: utf8("b") });
      assertData(p, "a", "b");
      const before = secrets(p);
      assertSecretsInSync(p);
      p.client.pendingKeyUpdates = clientUpdates;
      p.server.pendingKeyUpdates = serverUpdates;
      p.client.pendingWrites.push(utf8("after client update"));
      p.server.pendingWrites.push(utf8("after server update"));
      await runPair(p.client, p.server);
      assert.equal(p.client.pendingKeyUpdates + p.server.pendingKeyUpdates, 0);
      assert.equal(text(p.server.received[p.server.received.length - 1]), "after client update");
      assert.equal(text(p.client.received[p.client.received.length - 1]), "after server update");
      const now = secrets(p);
      // Each side's request is answered, so both directions move forward.
      assert.notDeepEqual(now.ctx, before.ctx);
      assert.notDeepEqual(now.stx, before.stx);
      assertSecretsInSync(p);
      // And the connection keeps working afterwards.
      p.client.pendingWrites.push(utf8("more"));
      p.server.pendingWrites.push(utf8("more too"));
      await runPair(p.client, p.server);
      assert.equal(text(p.server.received[p.server.received.length - 1]), "more");
      assert.equal(text(p.client.received[p.client.received.length - 1]), "more too");
      await closeFirst(p, "client");
    }

    it("client requests one", () => withUpdates(1, 0));
    it("server requests one", () => withUpdates(0, 1));
    it("both at once", () => withUpdates(1, 1));
    it("several in a row on each side", () => withUpdates(3, 4));
  });

  describe("close in both orders", () => {
    for (const first of ["client", "server"] as const) {
      it(`${first} closes first`, async () => {
        const p = await connectPair(pki, { clientData: utf8("c"), serverData: utf8("s") });
        assertData(p, "c", "s");
        await closeFirst(p, first);
      });
    }
  });

  describe("resumption", () => {
    for (const hrr of [false, true]) {
      it(`later connections resume with a ticket${hrr ? " (server forces HRR)" : ""}`, async () => {
        const schemes: number[] = [];
        const clientConfig = recordingClientConfig(pki, schemes, { resumption: true });
        const leaf = pki.leaves.p256;
        const serverConfig = new ServerConfig({
          certificateChain: leaf.certPem,
          privateKey: leaf.keyPem,
          ...(hrr ? { kxGroups: [0x18] } : {}),
        });
        const kinds: [string | undefined, string | undefined][] = [];
        for (let i = 0; i < 3; i++) {
          const p = await connectPair(pki, {
            clientConfig,
            serverConfig,
            clientData: utf8(`c${i}`),
            serverData: utf8(`s${i}`),
          });
          assertData(p, `c${i}`, `s${i}`);
          kinds.push([p.clientConn.handshakeKind, p.serverConn.handshakeKind]);
          if (i > 0) {
            // No certificate messages on a resumed handshake.
            assert.deepEqual(p.clientConn.handshakeStates, [
              "ExpectServerHello",
              "ExpectEncryptedExtensions",
              "ExpectFinished",
              "ExpectTraffic",
            ]);
          }
          await closeFirst(p, "client");
        }
        const first = hrr ? "FullWithHelloRetryRequest" : "Full";
        assert.deepEqual(kinds[0], [first, first]);
        assert.deepEqual(kinds.slice(1), [["Resumed", "Resumed"], ["Resumed", "Resumed"]]);
        assert.deepEqual(schemes, [0x0403], "CertificateVerify only on the full handshake");
      });
    }
  });

  describe("maxFragmentSize", () => {
    const big = new Uint8Array(10 * 1024).map((_, i) => (i * 7 + 3) & 0xff);
    for (const mfs of [32, 100, 512]) {
      it(`${mfs}: 10 KiB each way arrives intact in small records`, async () => {
        const p = await connectPair(pki, {
          client: { maxFragmentSize: mfs },
          server: { maxFragmentSize: mfs },
          clientData: big,
          serverData: big.slice().reverse(),
        });
        assert.deepEqual(p.server.receivedBytes(), big);
        assert.deepEqual(p.client.receivedBytes(), big.slice().reverse());
        for (const e of [p.client, p.server]) {
          const records = e.sent.flatMap((b) => splitRecords(b));
          // AES-128-GCM: inner content type byte plus a 16-byte tag.
          for (const r of records) {
            assert.ok(r.bytes.length - 5 <= mfs + 17, `record ${r.bytes.length}`);
          }
          const appRecords = splitRecords(e.sent.find((b) => b.length > 10 * 1024)!);
          assert.equal(appRecords.length, Math.ceil(big.length / mfs));
          assert.ok(appRecords.every((r) => r.type === 23));
        }
        received(p.server, Math.ceil(big.length / mfs));
        received(p.client, Math.ceil(big.length / mfs));
      });
    }

    function received(e: Endpoint, records: number): void {
      assert.equal(e.received.length, records, "one ReadTraffic record per sent record");
    }
  });
});
