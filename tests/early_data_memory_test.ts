// TLS 1.3 0-RTT between our client and our server, in memory: accepted,
// truncated to the ticket's budget, rejected (server off, HelloRetryRequest,
// ALPN change, stateless ticket) with the client told, and replayed.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ClientConfig,
  type ClientConfigOptions,
  InMemoryClientSessionStore,
  InMemoryServerSessionStore,
  RootCertStore,
  RotatingTicketer,
  ServerConfig,
  type ServerConfigOptions,
  UnbufferedClientConnection,
  UnbufferedServerConnection,
} from "../mod.ts";
import { NamedGroup } from "../src/msgs/enums.ts";
import { type Issued, testPki } from "../examples/_certgen.ts";
import { run, Side, text } from "./_resumption_pair.ts";

let ca: Issued;
let leaf: Issued;
const enc = new TextEncoder();

function clientConfig(options: Partial<ClientConfigOptions> = {}): ClientConfig {
  const roots = new RootCertStore();
  roots.add(ca.certDer);
  return new ClientConfig({ roots, enableEarlyData: true, ...options });
}

function serverConfig(options: Partial<ServerConfigOptions> = {}): ServerConfig {
  return new ServerConfig({ certificateChain: leaf.certPem, privateKey: leaf.keyPem, ...options });
}

interface Result {
  client: UnbufferedClientConnection;
  server: UnbufferedServerConnection;
  c: Side;
  s: Side;
}

async function connect(cc: ClientConfig, sc: ServerConfig, early?: string): Promise<Result> {
  const client = await UnbufferedClientConnection.create(cc, "localhost");
  const server = new UnbufferedServerConnection(sc);
  const c = new Side(client);
  const s = new Side(server);
  if (early !== undefined) c.earlyToSend = enc.encode(early);
  c.pendingWrites.push(enc.encode("ping"));
  s.pendingWrites.push(enc.encode("pong"));
  await run(c, s);
  assert.equal(text(s.received), "ping");
  assert.equal(text(c.received), "pong");
  return { client, server, c, s };
}

describe("TLS 1.3 0-RTT in memory", () => {
  before(async () => {
    ({ ca, leaf } = await testPki(["localhost"]));
  });

  it("early data accepted", async () => {
    const cc = clientConfig();
    const sc = serverConfig({ maxEarlyDataSize: 1024 });
    const first = await connect(cc, sc, "too early");
    assert.equal(first.c.earlyConsumed, 0, "no ticket yet, no early data");
    assert.equal(first.client.earlyDataAccepted, undefined);
    const second = await connect(cc, sc, "GET / 0-RTT");
    assert.equal(second.c.earlyConsumed, 11);
    assert.equal(text(second.s.early), "GET / 0-RTT");
    assert.ok(second.s.kinds.has("ReadEarlyData"));
    assert.equal(second.client.earlyDataAccepted, true);
    assert.equal(second.client.earlyDataRejected, false);
    assert.equal(second.server.earlyDataAccepted, true);
    assert.equal(second.server.handshakeKind, "Resumed");
    assert.ok(second.server.handshakeStates.includes("ExpectEndOfEarlyData"));
  });

  it("early data beyond max_early_data_size is left to the caller", async () => {
    const cc = clientConfig();
    const sc = serverConfig({ maxEarlyDataSize: 100 });
    await connect(cc, sc);
    const second = await connect(cc, sc, "x".repeat(250));
    assert.equal(second.c.earlyConsumed, 100);
    assert.equal(text(second.s.early), "x".repeat(100));
    assert.equal(second.client.earlyDataAccepted, true);
  });

  it("rejected when the server has early data off; the client is told", async () => {
    const store = new InMemoryServerSessionStore();
    const cc = clientConfig();
    await connect(cc, serverConfig({ maxEarlyDataSize: 1024, sessionStore: store }));
    const off = serverConfig({ maxEarlyDataSize: 0, sessionStore: store });
    const second = await connect(cc, off, "dropped");
    assert.equal(second.c.earlyConsumed, 7, "the ticket allowed it, so it was sent");
    assert.equal(second.s.early.length, 0);
    assert.equal(second.client.earlyDataRejected, true);
    assert.equal(second.client.earlyDataAccepted, false);
    assert.equal(second.server.earlyDataAccepted, false);
    assert.equal(second.server.handshakeKind, "Resumed");
  });

  for (
    const [what, off] of [
      ["the ticket is unknown (another instance, 0-RTT off)", {}],
      ["resumption is disabled", { resumption: false }],
    ] as const
  ) {
    it(`item 3: refused 0-RTT when ${what} is skipped and the handshake completes`, async () => {
      const cc = clientConfig();
      await connect(cc, serverConfig({ maxEarlyDataSize: 1024 }));
      // connect() asserts that ping and pong went through after the handshake.
      const second = await connect(cc, serverConfig(off), "x".repeat(1000));
      assert.equal(second.c.earlyConsumed, 1000, "the ticket allowed it, so it was sent");
      assert.equal(second.s.early.length, 0);
      assert.equal(second.client.earlyDataRejected, true);
      assert.equal(second.server.handshakeKind, "Full");
    });
  }

  it("rejected after a HelloRetryRequest", async () => {
    const store = new InMemoryServerSessionStore();
    const cc = clientConfig({ kxGroups: [NamedGroup.x25519, NamedGroup.secp256r1] });
    await connect(cc, serverConfig({ maxEarlyDataSize: 1024, sessionStore: store }));
    // Our client sends one share (x25519, the group of last time); this server wants P-256.
    const p256 = serverConfig({
      maxEarlyDataSize: 1024,
      sessionStore: store,
      kxGroups: [NamedGroup.secp256r1],
    });
    const second = await connect(cc, p256, "dropped after HRR");
    assert.ok(second.c.earlyConsumed > 0);
    assert.equal(second.s.early.length, 0);
    assert.equal(second.client.earlyDataRejected, true);
    assert.equal(second.server.earlyDataAccepted, false);
    assert.equal(second.server.handshakeKind, "Resumed");
    assert.ok(second.client.handshakeStates.length > 0);
  });

  it("rejected when the ALPN protocol changes", async () => {
    const store = new InMemoryServerSessionStore();
    const cc = clientConfig({ alpnProtocols: ["h2", "http/1.1"] });
    const first = await connect(
      cc,
      serverConfig({ maxEarlyDataSize: 1024, sessionStore: store, alpnProtocols: ["h2"] }),
    );
    assert.equal(first.client.alpnProtocol, "h2");
    const second = await connect(
      cc,
      serverConfig({ maxEarlyDataSize: 1024, sessionStore: store, alpnProtocols: ["http/1.1"] }),
      "h2 request",
    );
    assert.equal(second.server.alpnProtocol, "http/1.1");
    assert.equal(second.s.early.length, 0);
    assert.equal(second.client.earlyDataRejected, true);
    assert.equal(second.server.handshakeKind, "Resumed");
  });

  it("stateless tickets never allow 0-RTT", async () => {
    const cc = clientConfig();
    const sc = serverConfig({ maxEarlyDataSize: 1024, ticketer: new RotatingTicketer() });
    await connect(cc, sc);
    const second = await connect(cc, sc, "not sent");
    assert.equal(second.server.handshakeKind, "Resumed");
    assert.equal(second.c.earlyConsumed, 0);
    assert.equal(second.client.earlyDataAccepted, undefined);
  });

  it("a replayed ClientHello with early data is refused the second time", async () => {
    const cc = clientConfig({ sessionStore: new InMemoryClientSessionStore() });
    const sc = serverConfig({ maxEarlyDataSize: 1024 });
    await connect(cc, sc);
    const original = await connect(cc, sc, "transfer 100");
    assert.equal(text(original.s.early), "transfer 100");
    // An attacker replays the client's first flight (ClientHello, CCS, early data).
    const firstFlight = original.c.sentLog.slice(0, 2);
    assert.equal(firstFlight.length, 2);
    const replayServer = new UnbufferedServerConnection(sc);
    const replay = new Side(replayServer);
    for (const b of firstFlight) replay.feed(b);
    await replay.step();
    assert.equal(replay.early.length, 0);
    assert.ok(!replay.kinds.has("ReadEarlyData"));
    assert.equal(replayServer.earlyDataAccepted, false);
    assert.equal(replayServer.handshakeKind, "Full");
    assert.equal(replay.incoming.length, 0, "the early data records were skipped");
  });
});
