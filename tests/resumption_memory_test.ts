// TLS 1.3 resumption between our client and our server, in memory, through
// the public API: stateful and stateless tickets, suites sharing a hash,
// expiry, tampering, and ticket key rotation.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ClientConfig,
  type ClientConfigOptions,
  type ClientSessionStore,
  InMemoryClientSessionStore,
  InMemoryServerSessionStore,
  RootCertStore,
  RotatingTicketer,
  ServerConfig,
  type ServerConfigOptions,
  type ServerSessionStore,
  type ServerSessionValue,
  type Tls13ClientSession,
  TlsError,
  UnbufferedClientConnection,
  UnbufferedServerConnection,
} from "../mod.ts";
import { AlertDescription, CipherSuiteId } from "../src/msgs/enums.ts";
import { issue, type Issued, testPki } from "../examples/_certgen.ts";
import { run, Side, text } from "./_resumption_pair.ts";

let ca: Issued;
let leaf: Issued;
const enc = new TextEncoder();

function clientConfig(options: Partial<ClientConfigOptions> = {}): ClientConfig {
  const roots = new RootCertStore();
  roots.add(ca.certDer);
  return new ClientConfig({ roots, ...options });
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

async function connect(cc: ClientConfig, sc: ServerConfig): Promise<Result> {
  const client = await UnbufferedClientConnection.create(cc, "localhost");
  const server = new UnbufferedServerConnection(sc);
  const c = new Side(client);
  const s = new Side(server);
  c.pendingWrites.push(enc.encode("ping"));
  s.pendingWrites.push(enc.encode("pong"));
  await run(c, s);
  assert.equal(text(s.received), "ping");
  assert.equal(text(c.received), "pong");
  return { client, server, c, s };
}

/** A server store that counts lookups (a ticket offered or not). */
class CountingStore implements ServerSessionStore {
  readonly inner = new InMemoryServerSessionStore();
  lookups = 0;
  put(id: Uint8Array, v: ServerSessionValue): Promise<boolean> {
    return this.inner.put(id, v);
  }
  get(id: Uint8Array): Promise<ServerSessionValue | undefined> {
    this.lookups++;
    return this.inner.get(id);
  }
  take(id: Uint8Array): Promise<ServerSessionValue | undefined> {
    this.lookups++;
    return this.inner.take(id);
  }
}

/** A client store that alters every ticket taken from it. */
class TamperingStore implements ClientSessionStore {
  readonly inner = new InMemoryClientSessionStore();
  constructor(readonly tamper: (s: Tls13ClientSession) => Tls13ClientSession) {}
  insertTls13Ticket(name: string, s: Tls13ClientSession): Promise<void> {
    return this.inner.insertTls13Ticket(name, s);
  }
  async takeTls13Ticket(name: string): Promise<Tls13ClientSession | undefined> {
    const s = await this.inner.takeTls13Ticket(name);
    return s && this.tamper(s);
  }
  setKxHint(name: string, group: number): Promise<void> {
    return this.inner.setKxHint(name, group);
  }
  kxHint(name: string): Promise<number | undefined> {
    return this.inner.kxHint(name);
  }
}

function flipLast(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  copy[copy.length - 1] ^= 1;
  return copy;
}

describe("TLS 1.3 resumption in memory", () => {
  before(async () => {
    ({ ca, leaf } = await testPki(["localhost"]));
  });

  const suites: [string, number][] = [
    ["TLS_AES_128_GCM_SHA256", CipherSuiteId.TLS_AES_128_GCM_SHA256],
    ["TLS_AES_256_GCM_SHA384", CipherSuiteId.TLS_AES_256_GCM_SHA384],
    ["TLS_CHACHA20_POLY1305_SHA256", CipherSuiteId.TLS_CHACHA20_POLY1305_SHA256],
  ];
  for (const [name, id] of suites) {
    it(`full then resumed: ${name}`, async () => {
      const store = new InMemoryClientSessionStore();
      const cc = clientConfig({ cipherSuites: [id], sessionStore: store });
      const sc = serverConfig();
      const first = await connect(cc, sc);
      assert.equal(first.client.handshakeKind, "Full");
      assert.equal(first.server.handshakeKind, "Full");
      assert.equal(store.ticketCount("localhost"), 2, "two tickets by default");
      const second = await connect(cc, sc);
      assert.equal(second.client.handshakeKind, "Resumed");
      assert.equal(second.server.handshakeKind, "Resumed");
      assert.equal(second.server.negotiatedCipherSuite?.id, id);
      assert.ok(!second.server.handshakeStates.includes("ExpectCertificate"));
      assert.ok(!second.client.handshakeStates.includes("ExpectCertificateOrCertificateRequest"));
      // The resumed connection issued fresh tickets: one left + two new.
      assert.equal(store.ticketCount("localhost"), 3);
    });
  }

  it("sendTls13Tickets sets the number of tickets; 0 sends none", async () => {
    const store = new InMemoryClientSessionStore();
    await connect(clientConfig({ sessionStore: store }), serverConfig({ sendTls13Tickets: 3 }));
    assert.equal(store.ticketCount("localhost"), 3);
    const none = new InMemoryClientSessionStore();
    await connect(clientConfig({ sessionStore: none }), serverConfig({ sendTls13Tickets: 0 }));
    assert.equal(none.ticketCount("localhost"), 0);
  });

  it("resumes across suites of the same hash (AES-128-GCM then CHACHA20, SHA-256)", async () => {
    const store = new InMemoryClientSessionStore();
    const sc = serverConfig();
    const aes = clientConfig({
      cipherSuites: [CipherSuiteId.TLS_AES_128_GCM_SHA256],
      sessionStore: store,
    });
    await connect(aes, sc);
    const chacha = clientConfig({
      cipherSuites: [CipherSuiteId.TLS_CHACHA20_POLY1305_SHA256],
      sessionStore: store,
    });
    const second = await connect(chacha, sc);
    assert.equal(second.server.handshakeKind, "Resumed");
    assert.equal(
      second.server.negotiatedCipherSuite?.id,
      CipherSuiteId.TLS_CHACHA20_POLY1305_SHA256,
    );
  });

  it("a SHA-384 suite does not resume a SHA-256 ticket", async () => {
    const store = new InMemoryClientSessionStore();
    const sc = serverConfig();
    await connect(
      clientConfig({ cipherSuites: [CipherSuiteId.TLS_AES_128_GCM_SHA256], sessionStore: store }),
      sc,
    );
    const second = await connect(
      clientConfig({ cipherSuites: [CipherSuiteId.TLS_AES_256_GCM_SHA384], sessionStore: store }),
      sc,
    );
    assert.equal(second.server.handshakeKind, "Full");
  });

  it("a ticket past its lifetime is not offered", async () => {
    let skewMs = 0;
    const store = new InMemoryClientSessionStore();
    const cc = clientConfig({ sessionStore: store, now: () => new Date(Date.now() + skewMs) });
    const counting = new CountingStore();
    const sc = serverConfig({ sessionStore: counting, ticketLifetimeSeconds: 3600 });
    await connect(cc, sc);
    assert.equal(store.ticketCount("localhost"), 2);
    skewMs = 3601_000;
    const second = await connect(cc, sc);
    assert.equal(second.server.handshakeKind, "Full");
    assert.equal(counting.lookups, 0, "the server was offered no ticket");
  });

  it("the server refuses a ticket past its lifetime with a full handshake", async () => {
    let skewMs = 0;
    const sc = serverConfig({
      ticketLifetimeSeconds: 60,
      now: () => new Date(Date.now() + skewMs),
    });
    const cc = clientConfig();
    await connect(cc, sc);
    skewMs = 61_000;
    assert.equal((await connect(cc, sc)).server.handshakeKind, "Full");
  });

  it("a tampered stateful ticket falls back to a full handshake", async () => {
    const store = new TamperingStore((s) => ({ ...s, ticket: flipLast(s.ticket) }));
    const cc = clientConfig({ sessionStore: store });
    const sc = serverConfig();
    await connect(cc, sc);
    const second = await connect(cc, sc);
    assert.equal(second.server.handshakeKind, "Full");
    assert.equal(second.client.handshakeKind, "Full");
  });

  it("a tampered stateless ticket falls back to a full handshake", async () => {
    const store = new TamperingStore((s) => ({ ...s, ticket: flipLast(s.ticket) }));
    const cc = clientConfig({ sessionStore: store });
    const sc = serverConfig({ ticketer: new RotatingTicketer() });
    await connect(cc, sc);
    assert.equal((await connect(cc, sc)).server.handshakeKind, "Full");
  });

  it("a wrong binder is decrypt_error", async () => {
    const store = new TamperingStore((s) => ({ ...s, psk: flipLast(s.psk) }));
    const cc = clientConfig({ sessionStore: store });
    const sc = serverConfig();
    await connect(cc, sc);
    const client = await UnbufferedClientConnection.create(cc, "localhost");
    const server = new UnbufferedServerConnection(sc);
    await assert.rejects(run(new Side(client), new Side(server)), (e: unknown) => {
      assert.ok(e instanceof TlsError);
      assert.equal(e.alert, AlertDescription.decrypt_error);
      assert.equal(e.detail, "PskBinderMismatch");
      return true;
    });
  });

  it("two stateless servers sharing a key set resume each other's tickets", async () => {
    const secret = crypto.getRandomValues(new Uint8Array(32));
    const a = serverConfig({ ticketer: new RotatingTicketer({ secret }) });
    const b = serverConfig({ ticketer: new RotatingTicketer({ secret }) });
    const other = serverConfig({ ticketer: new RotatingTicketer() });
    const cc = clientConfig();
    await connect(cc, a);
    assert.equal((await connect(cc, b)).server.handshakeKind, "Resumed");
    assert.equal((await connect(cc, a)).server.handshakeKind, "Resumed");
    assert.equal((await connect(cc, other)).server.handshakeKind, "Full");
  });

  it("ticket key rotation: the previous period's key still opens tickets", async () => {
    const period = 3600;
    const start = Math.floor(Date.now() / 1000 / period) * period * 1000;
    // Issued one second before a rotation, used one second after it.
    let serverNow = start + period * 1000 - 1000;
    const secret = crypto.getRandomValues(new Uint8Array(32));
    const clock = (): Date => new Date(serverNow);
    const sc = serverConfig({
      ticketer: new RotatingTicketer({ secret, rotationPeriodSeconds: period, now: clock }),
      now: clock,
    });
    const cc = clientConfig();
    await connect(cc, sc);
    serverNow += 2000;
    assert.equal((await connect(cc, sc)).server.handshakeKind, "Resumed");
  });

  it("ticket keys: current and previous period open, older ones do not", async () => {
    let now = 1_000_000_000_000;
    const t = new RotatingTicketer({ rotationPeriodSeconds: 60, now: () => new Date(now) });
    const ticket = await t.encrypt(enc.encode("state"));
    assert.equal(new TextDecoder().decode(await t.decrypt(ticket)), "state");
    now += 60_000;
    assert.equal(new TextDecoder().decode(await t.decrypt(ticket)), "state");
    now += 60_000;
    assert.equal(await t.decrypt(ticket), undefined);
    now -= 120_000;
    assert.equal(await t.decrypt(flipLast(ticket)), undefined);
    assert.equal(await t.decrypt(ticket.subarray(0, 10)), undefined);
  });

  it("a client certificate is remembered by the resumed session", async () => {
    const clientLeaf = await issue({ commonName: "client", eku: ["clientAuth"] }, ca);
    const { WebPkiClientVerifier } = await import("../mod.ts");
    const roots = new RootCertStore();
    roots.add(ca.certDer);
    const sc = serverConfig({ clientCertVerifier: new WebPkiClientVerifier({ roots }) });
    const cc = clientConfig({
      certificateChain: clientLeaf.certPem,
      privateKey: clientLeaf.keyPem,
    });
    const first = await connect(cc, sc);
    assert.equal(first.server.peerCertificates?.length, 1);
    const second = await connect(cc, sc);
    assert.equal(second.server.handshakeKind, "Resumed");
    assert.deepEqual(second.server.peerCertificates, first.server.peerCertificates);
  });
});
