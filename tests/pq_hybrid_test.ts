// Post-quantum key exchange in memory: our client and server negotiate
// X25519MLKEM768 for every TLS 1.3 suite with each ML-KEM backend (Web Crypto,
// pure, and one of each), fall back to the plain X25519 share without a
// HelloRetryRequest, retry to P-256 when the hybrid is all the client has, use
// SecP256r1MLKEM768 and MLKEM768 when asked by code point, and lead the next
// ClientHello with the group the server picked.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ClientConfig } from "../src/client/config.ts";
import { ServerConfig } from "../src/server/config.ts";
import type { CryptoProvider } from "../src/crypto/types.ts";
import { webCryptoProvider } from "../src/crypto/webcrypto/provider.ts";
import { detectWebCryptoMlKem } from "../src/crypto/hybrid.ts";
import { ExtensionType, NamedGroup } from "../src/msgs/enums.ts";
import { Reader } from "../src/msgs/codec.ts";
import { readClientHello } from "../src/msgs/client_hello.ts";
import { isGrease } from "../src/msgs/grease.ts";
import { connectPair, makePairPki, type Pair, type PairPki, text, utf8 } from "./_pair_setup.ts";
import type { RootCertStore } from "../src/webpki/root_store.ts";
import { UnbufferedClientConnection, UnbufferedServerConnection } from "../src/conn/unbuffered.ts";
import { Endpoint, runPair, splitRecords } from "./_pair.ts";

const SUITES = [0x1301, 0x1302, 0x1303];
const X25519 = NamedGroup.x25519;
const P256 = NamedGroup.secp256r1;
const HYBRID = NamedGroup.X25519MLKEM768;

const hasWebCryptoMlKem = await detectWebCryptoMlKem();
const noWebCrypto = hasWebCryptoMlKem
  ? undefined
  : "this runtime's Web Crypto has no ML-KEM-768; skipping the Web Crypto ML-KEM cases";
if (noWebCrypto) console.warn(noWebCrypto);

type Backend = "webcrypto" | "pure";

const providers = new Map<Backend, Promise<CryptoProvider>>();
function provider(mlkem: Backend): Promise<CryptoProvider> {
  let p = providers.get(mlkem);
  if (!p) providers.set(mlkem, p = webCryptoProvider({ mlkem }));
  return p;
}

/** The key_share groups of the first ClientHello the client sent. */
function clientHelloShares(pair: Pair): { group: number; length: number }[] {
  const record = splitRecords(pair.client.sent[0])[0].bytes;
  // Record header (5) + handshake header (4), then the ClientHello body.
  const bodyLength = (record[6] << 16) | (record[7] << 8) | record[8];
  const hello = readClientHello(new Reader(record.subarray(9, 9 + bodyLength)));
  const ext = hello.extensions.find((e) => e.type === ExtensionType.key_share);
  assert.ok(ext && "shares" in ext, "ClientHello has key_share");
  // The GREASE share (RFC 8701, tests/grease_test.ts) is not a key exchange.
  const shares = (ext as { shares: { group: number; keyExchange: Uint8Array }[] }).shares;
  return shares.filter((s) => !isGrease(s.group)).map((s) => ({
    group: s.group,
    length: s.keyExchange.length,
  }));
}

/** Asserts the application data went both ways. */
function assertData(pair: Pair): void {
  assert.equal(text(pair.server.receivedBytes()), "ping from client");
  assert.equal(text(pair.client.receivedBytes()), "pong from server");
}

const data = { clientData: utf8("ping from client"), serverData: utf8("pong from server") };

describe("X25519MLKEM768 in memory", () => {
  let pki: PairPki;
  before(() => {
    pki = makePairPki(["p256"]);
  });
  after(() => pki?.cleanup());

  const combos: { client: Backend; server: Backend }[] = [
    { client: "webcrypto", server: "webcrypto" },
    { client: "pure", server: "pure" },
    { client: "pure", server: "webcrypto" },
    { client: "webcrypto", server: "pure" },
  ];
  for (const combo of combos) {
    const needsWebCrypto = combo.client === "webcrypto" || combo.server === "webcrypto";
    for (const suite of SUITES) {
      it(
        `client ML-KEM ${combo.client}, server ${combo.server}, suite 0x${suite.toString(16)}`,
        { skip: needsWebCrypto ? noWebCrypto : undefined },
        async () => {
          const pair = await connectPair(pki, {
            client: { provider: provider(combo.client), cipherSuites: [suite] },
            server: { provider: provider(combo.server), cipherSuites: [suite] },
            ...data,
          });
          for (const conn of [pair.clientConn, pair.serverConn]) {
            assert.equal(conn.protocolVersion, "TLSv1_3");
            assert.equal(conn.negotiatedCipherSuite?.id, suite);
            assert.equal(conn.negotiatedKeyExchangeGroup?.group, HYBRID);
            assert.equal(conn.handshakeKind, "Full");
          }
          // Default groups: the hybrid (1184-byte key + 32) and X25519 beside it.
          assert.deepEqual(clientHelloShares(pair), [
            { group: HYBRID, length: 1216 },
            { group: X25519, length: 32 },
          ]);
          assertData(pair);
        },
      );
    }
  }

  it("default configs on both sides pick the hybrid", async () => {
    const pair = await connectPair(pki, data);
    assert.equal(pair.clientConn.negotiatedKeyExchangeGroup?.group, HYBRID);
    assert.equal(pair.serverConn.negotiatedKeyExchangeGroup?.group, HYBRID);
    assertData(pair);
  });

  it("among the shares offered, the server's own order decides", async () => {
    // Default server order puts the hybrid first; a server listing X25519 first
    // takes the X25519 share of the same ClientHello.
    const pair = await connectPair(pki, { server: { kxGroups: [X25519, HYBRID] }, ...data });
    assert.equal(clientHelloShares(pair).length, 2);
    assert.equal(pair.serverConn.negotiatedKeyExchangeGroup?.group, X25519);
    assert.equal(pair.clientConn.negotiatedKeyExchangeGroup?.group, X25519);
    assert.equal(pair.serverConn.handshakeKind, "Full");
  });

  it("server without PQ: the client's X25519 share is used, no HelloRetryRequest", async () => {
    const pair = await connectPair(pki, { server: { kxGroups: [X25519, P256] }, ...data });
    assert.equal(clientHelloShares(pair).length, 2);
    for (const conn of [pair.clientConn, pair.serverConn]) {
      assert.equal(conn.negotiatedKeyExchangeGroup?.group, X25519);
      assert.equal(conn.handshakeKind, "Full");
    }
    assertData(pair);
  });

  it("client with only the hybrid vs a P-256-only server: HelloRetryRequest to P-256", async () => {
    const pair = await connectPair(pki, {
      client: { kxGroups: [HYBRID, P256] },
      server: { kxGroups: [P256] },
      ...data,
    });
    assert.deepEqual(clientHelloShares(pair), [{ group: HYBRID, length: 1216 }]);
    for (const conn of [pair.clientConn, pair.serverConn]) {
      assert.equal(conn.negotiatedKeyExchangeGroup?.group, P256);
      assert.equal(conn.handshakeKind, "FullWithHelloRetryRequest");
    }
    assertData(pair);
  });

  for (
    const [name, group, shareLength] of [
      ["SecP256r1MLKEM768", NamedGroup.SecP256r1MLKEM768, 65 + 1184],
      ["MLKEM768", NamedGroup.MLKEM768, 1184],
    ] as const
  ) {
    for (const backend of ["pure", "webcrypto"] as const) {
      it(
        `${name} by code point (ML-KEM ${backend})`,
        { skip: backend === "webcrypto" ? noWebCrypto : undefined },
        async () => {
          const pair = await connectPair(pki, {
            client: { provider: provider(backend), kxGroups: [group] },
            server: { provider: provider(backend), kxGroups: [group] },
            ...data,
          });
          assert.deepEqual(clientHelloShares(pair), [{ group, length: shareLength }]);
          for (const conn of [pair.clientConn, pair.serverConn]) {
            assert.equal(conn.negotiatedKeyExchangeGroup?.group, group);
            assert.equal(conn.handshakeKind, "Full");
          }
          assertData(pair);
        },
      );
    }
  }

  /** Runs one handshake with a shared client config; returns the pair. */
  async function connectWith(client: ClientConfig, server: ServerConfig): Promise<Pair> {
    const clientConn = await UnbufferedClientConnection.create(client, "localhost");
    const serverConn = new UnbufferedServerConnection(server);
    const c = new Endpoint(clientConn);
    const s = new Endpoint(serverConn);
    c.pendingWrites.push(data.clientData);
    s.pendingWrites.push(data.serverData);
    await runPair(c, s);
    return { client: c, server: s, clientConn, serverConn, serverSchemes: [] };
  }

  function roots(): RootCertStore {
    return pki.roots();
  }

  function serverConfig(kxGroups?: number[]): ServerConfig {
    const leaf = pki.leaves.p256;
    return new ServerConfig({ certificateChain: leaf.certPem, privateKey: leaf.keyPem, kxGroups });
  }

  it("session store keeps the hint: after X25519 the next ClientHello offers X25519 only", async () => {
    const client = new ClientConfig({ roots: roots() });
    const server = serverConfig([X25519, P256]);
    const first = await connectWith(client, server);
    assert.equal(first.clientConn.negotiatedKeyExchangeGroup?.group, X25519);
    assert.deepEqual(clientHelloShares(first).map((s) => s.group), [HYBRID, X25519]);
    assert.equal(await client.sessionStore?.kxHint("localhost"), X25519);

    const second = await connectWith(client, server);
    assert.deepEqual(clientHelloShares(second), [{ group: X25519, length: 32 }]);
    assert.equal(second.clientConn.negotiatedKeyExchangeGroup?.group, X25519);
    assert.equal(second.clientConn.handshakeKind, "Resumed");
    assertData(second);
    // Smaller although it now carries a ticket: the 1216-byte share is gone.
    assert.ok(second.client.sent[0].length < first.client.sent[0].length - 1000);
  });

  it("session store keeps the hint: after the hybrid the next ClientHello leads with it", async () => {
    const client = new ClientConfig({ roots: roots(), kxGroups: [P256, HYBRID, X25519] });
    const server = serverConfig([HYBRID]);
    const first = await connectWith(client, server);
    // The client's own first preference is P-256, so it sends that share alone;
    // the hybrid-only server asks for the hybrid.
    assert.deepEqual(clientHelloShares(first).map((s) => s.group), [P256]);
    assert.equal(first.clientConn.negotiatedKeyExchangeGroup?.group, HYBRID);
    assert.equal(first.clientConn.handshakeKind, "FullWithHelloRetryRequest");
    assert.equal(await client.sessionStore?.kxHint("localhost"), HYBRID);

    // The hint now beats the config order: hybrid first, X25519 beside it.
    const second = await connectWith(client, server);
    assert.deepEqual(clientHelloShares(second).map((s) => s.group), [HYBRID, X25519]);
    assert.equal(second.clientConn.negotiatedKeyExchangeGroup?.group, HYBRID);
    assert.equal(second.clientConn.handshakeKind, "Resumed");
    assertData(second);
  });
});
