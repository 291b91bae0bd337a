// In-memory TLS 1.2 pairs: our client against our server for the six ECDHE
// AEAD suites, version selection both ways, the downgrade sentinel, and
// renegotiation refused.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { TlsError } from "../src/error.ts";
import { connectPair, makePairPki, type PairPki, text, utf8 } from "./_pair_setup.ts";
import { runPair } from "./_pair.ts";
import { webCryptoProvider } from "../src/crypto/webcrypto/provider.ts";
import type { ServerConfigOptions } from "../src/server/config.ts";
import { DOWNGRADE_TLS12_SENTINEL } from "../src/msgs/server_hello.ts";
import { ContentType, ExtensionType, HandshakeType } from "../src/msgs/enums.ts";

const SUITES = [
  { id: 0xc02b, leaf: "p256" },
  { id: 0xc02c, leaf: "p256" },
  { id: 0xcca9, leaf: "p256" },
  { id: 0xc02f, leaf: "rsa" },
  { id: 0xc030, leaf: "rsa" },
  { id: 0xcca8, leaf: "rsa" },
] as const;

describe("TLS 1.2 in-memory pairs", () => {
  let pki: PairPki;
  before(() => {
    pki = makePairPki(["p256", "p384", "rsa"]);
  });
  after(() => pki.cleanup());

  for (const suite of SUITES) {
    it(`suite 0x${suite.id.toString(16)} (${suite.leaf} certificate), data both ways`, async () => {
      const p = await connectPair(pki, {
        leaf: suite.leaf,
        client: { versions: ["TLSv1_2"], cipherSuites: [suite.id] },
        clientData: utf8("ping from client"),
        serverData: utf8("pong from server"),
      });
      for (const conn of [p.clientConn, p.serverConn]) {
        assert.equal(conn.protocolVersion, "TLSv1_2");
        assert.equal(conn.negotiatedCipherSuite?.id, suite.id);
      }
      assert.equal(text(p.server.received[0]), "ping from client");
      assert.equal(text(p.client.received[0]), "pong from server");
      assert.deepEqual(p.clientConn.peerCertificates?.[0], pki.leaves[suite.leaf].der);
      assert.ok(p.client.states.includes("WriteTraffic"));
    });
  }

  it("a server limited to TLS 1.2 and a default client settle on TLS 1.2", async () => {
    const p = await connectPair(pki, {
      server: { versions: ["TLSv1_2"] },
      clientData: utf8("a".repeat(40000)),
    });
    assert.equal(p.clientConn.protocolVersion, "TLSv1_2");
    assert.equal(p.server.received.reduce((n, b) => n + b.length, 0), 40000);
  });

  it("both sides with both versions still pick TLS 1.3", async () => {
    const p = await connectPair(pki, {});
    assert.equal(p.clientConn.protocolVersion, "TLSv1_3");
  });

  it("ALPN and the P-384 leaf work over TLS 1.2", async () => {
    const p = await connectPair(pki, {
      leaf: "p384",
      server: { versions: ["TLSv1_2"], alpnProtocols: ["h2", "http/1.1"] },
      client: { alpnProtocols: ["http/1.1"], kxGroups: [0x18] },
    });
    assert.equal(p.clientConn.protocolVersion, "TLSv1_2");
    assert.equal(p.clientConn.alpnProtocol, "http/1.1");
    assert.equal(p.serverConn.alpnProtocol, "http/1.1");
    assert.equal(p.clientConn.negotiatedKeyExchangeGroup?.group, 0x18);
  });

  it("a TLS 1.2 ServerHello with the downgrade sentinel aborts a TLS 1.3 client", async () => {
    // A TLS 1.2-only server that (wrongly, or as an attacker's relay) carries
    // the sentinel in its random.
    const randomBytes = (n: number): Uint8Array => {
      const out = crypto.getRandomValues(new Uint8Array(n));
      if (n === 32) out.set(DOWNGRADE_TLS12_SENTINEL, 24);
      return out;
    };
    const p = await connectPair(pki, {
      server: { versions: ["TLSv1_2"], randomBytes },
      captureErrors: true,
    });
    assert.ok(p.client.error instanceof TlsError);
    assert.equal(p.client.error.alert, 47);
    assert.equal(
      (p.client.error as TlsError).detail,
      "AttemptedDowngradeToTls12WhenTls13IsSupported",
    );
    // A client that only enables TLS 1.2 has nothing to be downgraded from.
    const ok = await connectPair(pki, {
      server: { versions: ["TLSv1_2"], randomBytes },
      client: { versions: ["TLSv1_2"] },
    });
    assert.equal(ok.clientConn.protocolVersion, "TLSv1_2");
  });

  it("the TLS 1.3 server sets the sentinel when it negotiates TLS 1.2", async () => {
    const p = await connectPair(pki, { client: { versions: ["TLSv1_2"] } });
    const serverHello = p.server.sent[0];
    // record header 5, handshake header 4, version 2, then the random.
    assert.equal(serverHello[0], ContentType.handshake);
    assert.equal(serverHello[5], HandshakeType.server_hello);
    assert.deepEqual(serverHello.subarray(11 + 24, 11 + 32), DOWNGRADE_TLS12_SENTINEL);
  });

  it("version mismatch: TLS 1.2-only client vs TLS 1.3-only server fails", async () => {
    const p = await connectPair(pki, {
      server: { versions: ["TLSv1_3"] },
      client: { versions: ["TLSv1_2"] },
      captureErrors: true,
    });
    assert.ok(p.server.error instanceof TlsError);
    assert.equal(p.server.error.alert, 70);
  });

  it("an RSA-only suite list with an ECDSA certificate finds no suite", async () => {
    const p = await connectPair(pki, {
      client: { versions: ["TLSv1_2"], cipherSuites: [0xc02f] },
      captureErrors: true,
    });
    assert.ok(p.server.error instanceof TlsError);
    assert.equal(p.server.error.alert, 40);
  });

  it("state sequences: the client writes nothing before the server Finished (no False Start)", async () => {
    const p = await connectPair(pki, { client: { versions: ["TLSv1_2"] } });
    assert.deepEqual(p.clientConn.handshakeStates, [
      "ExpectServerHello",
      "ExpectCertificate12",
      "ExpectServerKeyExchange",
      "ExpectServerHelloDone",
      "ExpectServerFinished12",
      "ExpectTraffic12",
    ]);
    assert.deepEqual(p.serverConn.handshakeStates, [
      "ExpectClientHello",
      "ExpectClientKeyExchange",
      "ExpectClientFinished12",
      "ExpectTraffic12",
    ]);
    assert.deepEqual(p.client.states, [
      "EncodeTlsData",
      "TransmitTlsData",
      "BlockedHandshake",
      "EncodeTlsData",
      "TransmitTlsData",
      "BlockedHandshake",
      "WriteTraffic",
    ]);
  });

  it("the key log gets CLIENT_RANDOM with the 48-byte master secret on both sides", async () => {
    const logs: string[] = [];
    const keyLog = (label: string, random: Uint8Array, secret: Uint8Array) =>
      logs.push(`${label} ${random.length} ${secret.length}`);
    await connectPair(pki, {
      client: { versions: ["TLSv1_2"], keyLog },
      server: { keyLog },
    });
    assert.deepEqual(logs, ["CLIENT_RANDOM 32 48", "CLIENT_RANDOM 32 48"]);
  });

  describe("extended master secret", () => {
    // Renames the ClientHello's extended_master_secret extension (type 23,
    // empty) to an unknown type, in the bytes on their way to the server.
    function stripEms(record: Uint8Array): void {
      let at = 5 + 4 + 2 + 32;
      at += 1 + record[at];
      at += 2 + ((record[at] << 8) | record[at + 1]);
      at += 1 + record[at];
      const end = at + 2 + ((record[at] << 8) | record[at + 1]);
      for (at += 2; at < end;) {
        const type = (record[at] << 8) | record[at + 1];
        const len = (record[at + 2] << 8) | record[at + 3];
        if (type === ExtensionType.extended_master_secret) {
          record[at] = 0xfa;
          return;
        }
        at += 4 + len;
      }
      assert.fail("no extended_master_secret in the ClientHello");
    }

    async function withoutClientEms(server: Partial<ServerConfigOptions>) {
      const p = await connectPair(pki, {
        client: { versions: ["TLSv1_2"] },
        server,
        captureErrors: true,
        noRun: true,
      });
      p.client.peer = p.server;
      p.server.peer = p.client;
      await p.client.step();
      stripEms(p.server.incoming);
      await runPair(p.client, p.server);
      return p;
    }

    it("a server requiring it refuses a client without it: handshake_failure", async () => {
      const p = await withoutClientEms({});
      assert.ok(p.server.error instanceof TlsError);
      assert.equal(p.server.error.alert, 40);
      assert.equal(p.server.error.detail, "ExtendedMasterSecretExtensionRequired");
      assert.ok(p.client.error instanceof TlsError);
      assert.equal(p.client.error.alert, 40);
      assert.equal(p.client.error.alertDirection, "received");
    });

    it("a client requiring it refuses a server that does not answer it: handshake_failure", async () => {
      const p = await withoutClientEms({ requireExtendedMasterSecret: false });
      assert.ok(p.client.error instanceof TlsError);
      assert.equal(p.client.error.alert, 40);
      assert.equal(p.client.error.detail, "ExtendedMasterSecretExtensionRequired");
      assert.ok(p.server.error instanceof TlsError);
      assert.equal(p.server.error.alertDirection, "received");
    });
  });

  it("a tampered ClientHello is caught by the Finished check (decrypt_error)", async () => {
    const p = await connectPair(pki, {
      client: { versions: ["TLSv1_2"] },
      captureErrors: true,
      noRun: true,
    });
    p.client.peer = p.server;
    p.server.peer = p.client;
    await p.client.step();
    // Flip one bit of the client random: both sides still derive keys, but
    // over different transcripts and randoms.
    p.server.incoming[5 + 4 + 2 + 5] ^= 1;
    await runPair(p.client, p.server);
    assert.ok(p.client.error instanceof TlsError || p.server.error instanceof TlsError);
    // The server signed over the random it saw: the client's signature check fails first.
    assert.ok(p.client.error instanceof TlsError);
    assert.equal(p.client.error.alert, 51);
  });

  it("no KeyUpdate in TLS 1.2: writing past the confidentiality limit is refused", async () => {
    const base = await webCryptoProvider();
    const provider = {
      ...base,
      cipherSuites: base.cipherSuites.map((s) =>
        s.id === 0xc02b ? { ...s, confidentialityLimit: 5n } : s
      ),
    };
    const p = await connectPair(pki, {
      client: { versions: ["TLSv1_2"], cipherSuites: [0xc02b], provider, maxFragmentSize: 32 },
    });
    const { state } = await p.clientConn.processTlsRecords(new Uint8Array(0));
    assert.equal(state.kind, "WriteTraffic");
    if (state.kind !== "WriteTraffic") return;
    const out = new Uint8Array(4096);
    // The Finished was record 0: four more fit under the limit of five.
    assert.ok(await state.encrypt(new Uint8Array(4 * 32), out) > 0);
    await assert.rejects(
      state.encrypt(new Uint8Array(1), out),
      (e) => e instanceof TlsError && e.detail === "ConfidentialityLimitReached",
    );
  });
});
