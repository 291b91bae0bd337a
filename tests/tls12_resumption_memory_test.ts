// TLS 1.2 resumption in memory, our client against our server: session IDs
// (stateful store) and RFC 5077 tickets (stateless ticketer), the rules that
// send a client back to a full handshake, and the wall between TLS 1.2
// sessions and TLS 1.3 PSKs.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ClientConfig, type ClientConfigOptions } from "../src/client/config.ts";
import { ServerConfig, type ServerConfigOptions } from "../src/server/config.ts";
import { InMemoryClientSessionStore } from "../src/client/session_store.ts";
import { RotatingTicketer } from "../src/server/ticketer.ts";
import { WebPkiServerVerifier } from "../src/webpki/verifier.ts";
import { connectPair, makePairPki, type PairPki, text, utf8 } from "./_pair_setup.ts";

describe("TLS 1.2 resumption (in memory)", () => {
  let pki: PairPki;
  before(() => {
    pki = makePairPki(["p256"]);
  });
  after(() => pki.cleanup());

  function configs(
    client: Partial<ClientConfigOptions> = {},
    server: Partial<ServerConfigOptions> = {},
  ): { clientConfig: ClientConfig; serverConfig: ServerConfig; store: InMemoryClientSessionStore } {
    const store = new InMemoryClientSessionStore();
    return {
      store,
      clientConfig: new ClientConfig({
        verifier: new WebPkiServerVerifier({ roots: pki.roots() }),
        versions: ["TLSv1_2"],
        sessionStore: store,
        ...client,
      }),
      serverConfig: new ServerConfig({
        certificateChain: pki.leaves.p256.certPem,
        privateKey: pki.leaves.p256.keyPem,
        ...server,
      }),
    };
  }

  async function kinds(
    c: ReturnType<typeof configs>,
    n: number,
  ): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const p = await connectPair(pki, {
        clientConfig: c.clientConfig,
        serverConfig: c.serverConfig,
        clientData: utf8(`hello ${i}`),
        serverData: utf8(`world ${i}`),
      });
      assert.equal(p.clientConn.protocolVersion, "TLSv1_2");
      assert.equal(p.serverConn.handshakeKind, p.clientConn.handshakeKind);
      assert.equal(text(p.server.received[0]), `hello ${i}`);
      assert.equal(text(p.client.received[0]), `world ${i}`);
      assert.deepEqual(p.clientConn.peerCertificates?.[0], pki.leaves.p256.der);
      out.push(p.clientConn.handshakeKind!);
    }
    return out;
  }

  it("by session ID (stateful store)", async () => {
    const c = configs();
    assert.deepEqual(await kinds(c, 3), ["Full", "Resumed", "Resumed"]);
    const s = await c.store.tls12Session("localhost");
    assert.equal(s?.sessionId.length, 32);
    assert.equal(s?.ticket, undefined);
    assert.equal(s?.extendedMasterSecret, true);
  });

  it("by RFC 5077 ticket (stateless ticketer)", async () => {
    const c = configs({}, { ticketer: new RotatingTicketer() });
    assert.deepEqual(await kinds(c, 3), ["Full", "Resumed", "Resumed"]);
    const s = await c.store.tls12Session("localhost");
    assert.ok(s?.ticket && s.ticket.length > 0);
    assert.equal(s?.sessionId.length, 0);
  });

  it("a server without resumption, or another server, gives full handshakes", async () => {
    const c = configs({}, { resumption: false });
    assert.deepEqual(await kinds(c, 2), ["Full", "Full"]);
    const d = configs();
    await kinds(d, 1);
    // Same client store, a server with a fresh store: the ID is unknown there.
    const other = configs({ sessionStore: d.store });
    assert.deepEqual(await kinds(other, 2), ["Full", "Resumed"]);
  });

  it("the suite must be offered again; otherwise a full handshake", async () => {
    const c = configs({ cipherSuites: [0xc02b, 0xcca9] });
    assert.deepEqual(await kinds(c, 1), ["Full"]);
    const narrower = {
      ...c,
      clientConfig: new ClientConfig({
        verifier: new WebPkiServerVerifier({ roots: pki.roots() }),
        versions: ["TLSv1_2"],
        sessionStore: c.store,
        cipherSuites: [0xcca9],
      }),
    };
    assert.deepEqual(await kinds(narrower, 2), ["Full", "Resumed"]);
  });

  it("expired sessions are not offered", async () => {
    let now = Date.now();
    const c = configs({ now: () => new Date(now) }, { now: () => new Date(now) });
    await kinds(c, 1);
    now += 25 * 3600 * 1000;
    assert.deepEqual(await kinds(c, 1), ["Full"]);
  });

  it("a TLS 1.2 session is never taken as a TLS 1.3 PSK", async () => {
    const ticketer = new RotatingTicketer();
    const c = configs({}, { ticketer });
    await kinds(c, 1);
    // Same ticketer, a client that now prefers TLS 1.3: its TLS 1.3 store is empty,
    // so it offers no PSK; the server must not mistake anything for one either.
    const p = await connectPair(pki, {
      clientConfig: new ClientConfig({
        verifier: new WebPkiServerVerifier({ roots: pki.roots() }),
        sessionStore: c.store,
      }),
      serverConfig: c.serverConfig,
    });
    assert.equal(p.clientConn.protocolVersion, "TLSv1_3");
    assert.equal(p.clientConn.handshakeKind, "Full");
  });
});
