// Issue 17 item 5: client sessions that outlive an isolate. A session is
// encoded as versioned text with its expiry and restored by another client
// config that shares nothing with the first but a string key-value store:
// the next connection resumes, against our server (TLS 1.3 and 1.2) and
// against openssl s_server (TLS 1.3 tickets, TLS 1.2 session IDs).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ClientConfig,
  decodeClientSession,
  encodeClientSession,
  KeyValueClientSessionStore,
  ServerConfig,
  type SessionKeyValue,
  type Tls12ClientSession,
  type Tls13ClientSession,
  type TlsVersion,
  UnbufferedClientConnection,
} from "../mod.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { connectPair, makePairPki, type PairPki } from "./_pair_setup.ts";
import { SocketDriver } from "./_client_drive.ts";
import { type TestCert, TestPki } from "./_pki.ts";
import { peerMissing } from "./peers/_spawn.ts";
import { exchange, OpenSslServer } from "./peers/_openssl_server.ts";

/** A key-value store that keeps only strings, like Workers KV, and logs TTLs. */
class StringKv implements SessionKeyValue {
  readonly map = new Map<string, string>();
  readonly ttls: number[] = [];
  get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.map.get(key));
  }
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void> {
    assert.equal(typeof value, "string");
    if (options?.expirationTtl !== undefined) this.ttls.push(options.expirationTtl);
    this.map.set(key, value);
    return Promise.resolve();
  }
  delete(key: string): Promise<void> {
    this.map.delete(key);
    return Promise.resolve();
  }
}

const tls13: Tls13ClientSession = {
  suiteId: 0x1302,
  ticket: Uint8Array.from({ length: 200 }, (_, i) => i),
  psk: new Uint8Array(48).fill(7),
  ageAdd: 0xfedcba98,
  lifetimeSeconds: 3600,
  receivedAt: 1_700_000_000_000,
  maxEarlyDataSize: 16384,
  alpnProtocol: "h2",
  kxGroup: 0x1d,
};
const tls12: Tls12ClientSession = {
  suiteId: 0xc02f,
  sessionId: new Uint8Array(32).fill(3),
  ticket: new Uint8Array([9, 8, 7]),
  masterSecret: new Uint8Array(48).fill(5),
  extendedMasterSecret: true,
  receivedAt: 1_700_000_000_000,
  lifetimeSeconds: 86400,
  peerCertificates: [new Uint8Array([0x30, 0x03, 1, 2, 3])],
};

describe("issue 17 item 5: session text", () => {
  it("round-trips both kinds through JSON text", () => {
    const t = encodeClientSession(tls13);
    assert.deepEqual(decodeClientSession(t, tls13.receivedAt + 1000), {
      kind: "tls13",
      session: tls13,
    });
    const u = encodeClientSession(tls12);
    assert.deepEqual(decodeClientSession(u, tls12.receivedAt), { kind: "tls12", session: tls12 });
    assert.equal(JSON.parse(t).v, 1);
    assert.equal(JSON.parse(t).expiresAt, tls13.receivedAt + 3600_000);
  });

  it("is undefined once expired, lifetimes capped at 7 days", () => {
    const t = encodeClientSession(tls13);
    assert.equal(decodeClientSession(t, tls13.receivedAt + 3600_000), undefined);
    const long = encodeClientSession({ ...tls13, lifetimeSeconds: 0xffffffff });
    assert.ok(decodeClientSession(long, tls13.receivedAt + 7 * 86400_000 - 1));
    assert.equal(decodeClientSession(long, tls13.receivedAt + 7 * 86400_000), undefined);
  });

  it("refuses other versions and damaged text with a TypeError", () => {
    const o = JSON.parse(encodeClientSession(tls13));
    const bad = (x: unknown) =>
      assert.throws(() => decodeClientSession(JSON.stringify(x), 0), TypeError);
    bad({ ...o, v: 2 });
    bad({ ...o, kind: "tls14" });
    bad({ ...o, psk: "not base64!" });
    bad({ ...o, psk: "" });
    bad({ ...o, ageAdd: -1 });
    bad({ ...o, suiteId: 0x10000 });
    bad({ ...JSON.parse(encodeClientSession(tls12)), masterSecret: "AAAA" });
    bad(null);
    assert.throws(() => decodeClientSession("{", 0), TypeError);
  });
});

describe("issue 17 item 5: KeyValueClientSessionStore", () => {
  let pki: PairPki;
  before(() => {
    pki = makePairPki(["p256"]);
  });
  after(() => pki.cleanup());

  for (const version of ["TLSv1_3", "TLSv1_2"] as const) {
    it(`a second client config over the same store resumes (${version})`, async () => {
      const kv = new StringKv();
      const leaf = pki.leaves.p256;
      const serverConfig = new ServerConfig({
        certificateChain: leaf.certPem,
        privateKey: leaf.keyPem,
      });
      const isolate = () =>
        new ClientConfig({
          roots: pki.roots(),
          versions: [version as TlsVersion],
          sessionStore: new KeyValueClientSessionStore(kv),
        });
      const first = await connectPair(pki, {
        clientConfig: isolate(),
        serverConfig,
        clientData: new Uint8Array([1]),
        serverData: new Uint8Array([2]),
      });
      assert.equal(first.clientConn.handshakeKind, "Full");
      assert.ok(kv.map.size > 0, "the store holds the session");
      for (const v of kv.map.values()) {
        assert.ok(!v.includes("[object"), "values are text, not objects");
      }
      assert.ok(kv.ttls.every((t) => t >= 60), "Workers KV's minimum TTL");
      const second = await connectPair(pki, { clientConfig: isolate(), serverConfig });
      assert.equal(second.clientConn.handshakeKind, "Resumed");
    });
  }

  it("drops a value of another format and does a full handshake", async () => {
    const kv = new StringKv();
    await kv.put("kerneltls:tls13:localhost", JSON.stringify(['{"v":99}']));
    await kv.put("kerneltls:tls12:localhost", "garbage");
    const store = new KeyValueClientSessionStore(kv);
    assert.equal(await store.takeTls13Ticket("localhost"), undefined);
    assert.equal(await store.tls12Session("localhost"), undefined);
    assert.equal(kv.map.has("kerneltls:tls12:localhost"), false);
  });

  it("hands out the newest ticket first, each once, and none once expired", async () => {
    const kv = new StringKv();
    let now = tls13.receivedAt;
    const store = new KeyValueClientSessionStore(kv, { now: () => now, ticketsPerServer: 2 });
    for (const n of [1, 2, 3]) {
      await store.insertTls13Ticket("a.test", { ...tls13, ticket: new Uint8Array([n]) });
    }
    assert.deepEqual((await store.takeTls13Ticket("a.test"))?.ticket, new Uint8Array([3]));
    now += 3600_000;
    assert.equal(await store.takeTls13Ticket("a.test"), undefined);
  });
});

const missing = peerMissing("openssl", ["version"]) ?? peerMissing("stdbuf", ["--version"]);
if (missing) console.warn(missing);

describe("issue 17 item 5: resumption across isolates against openssl s_server", {
  skip: missing,
}, () => {
  let pki: TestPki;
  let leaf: TestCert;
  let roots: RootCertStore;
  const peers: OpenSslServer[] = [];
  before(() => {
    pki = new TestPki();
    const ca = pki.root("kerneltls session persistence CA");
    leaf = pki.leaf(ca, "DNS:localhost");
    roots = new RootCertStore();
    roots.add(ca.der);
  });
  after(async () => {
    await Promise.all(peers.map((p) => p.stop()));
    pki?.cleanup();
  });

  for (const [version, flag] of [["TLSv1_3", "-tls1_3"], ["TLSv1_2", "-tls1_2"]] as const) {
    it(`the second isolate resumes (${version})`, async () => {
      const s = await OpenSslServer.start(["-cert", leaf.certPath, "-key", leaf.keyPath, flag]);
      peers.push(s);
      const kv = new StringKv();
      const connect = async () => {
        const cfg = new ClientConfig({
          roots,
          versions: [version],
          sessionStore: new KeyValueClientSessionStore(kv),
        });
        const client = await UnbufferedClientConnection.create(cfg, "localhost");
        const driver = await SocketDriver.connect(client, s.port);
        try {
          await driver.handshake();
          // TLS 1.3 tickets come after the handshake: one exchange reads them.
          await exchange(driver, s);
        } finally {
          await driver.close();
        }
        return client.handshakeKind;
      };
      assert.equal(await connect(), "Full");
      assert.ok(kv.map.size > 0);
      assert.equal(await connect(), "Resumed");
    });
  }
});
