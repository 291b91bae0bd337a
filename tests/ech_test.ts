// Issue 18 items 2 and 3: Encrypted Client Hello (RFC 9849) between our
// client and our server in memory: accepted (the inner name reaches the
// server, only the public name is on the wire), rejected with retry configs
// and retried with them, HelloRetryRequest with ECH, two keys at once for
// rotation, GREASE ECH against a server without ECH.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ClientConfig, type ClientConfigOptions } from "../src/client/config.ts";
import { ServerConfig, type ServerConfigOptions } from "../src/server/config.ts";
import { UnbufferedClientConnection, UnbufferedServerConnection } from "../src/conn/unbuffered.ts";
import { EchRejectedError, TlsError } from "../src/error.ts";
import { generateEchConfig } from "../src/server/ech_keys.ts";
import { encodeEchConfigList, readEchConfigList } from "../src/msgs/ech_config.ts";
import { loadCertifiedKey } from "../src/common/config_base.ts";
import type { CertifiedKey } from "../src/common/config_base.ts";
import { webCryptoProvider } from "../src/crypto/webcrypto/provider.ts";
import { WebPkiServerVerifier } from "../src/webpki/verifier.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { AlertDescription, ExtensionType, HandshakeType, NamedGroup } from "../src/msgs/enums.ts";
import { splitHandshakeMessages } from "../src/msgs/handshake.ts";
import { decodeHandshake } from "../src/msgs/handshake.ts";
import type { ClientHello } from "../src/msgs/client_hello.ts";
import { findExtension } from "../src/msgs/extensions.ts";
import { Endpoint, joinBytes, runPair, splitRecords } from "./_pair.ts";
import { TestPki } from "./_pki.ts";
import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import { acceptTls, connectTls } from "../src/streams/tls_stream.ts";
import { transportPair } from "./_transport_pair.ts";

const INNER = "private.test";
const PUBLIC = "public.test";

let pki: TestPki;
let roots: RootCertStore;
const certs = new Map<string, CertifiedKey>();

before(async () => {
  pki = new TestPki();
  const root = pki.root("ech test root");
  roots = new RootCertStore();
  roots.add(root.der);
  const provider = await webCryptoProvider();
  for (const name of [INNER, PUBLIC]) {
    const leaf = pki.leaf(root, `DNS:${name}`);
    certs.set(
      name,
      await loadCertifiedKey(
        provider,
        readFileSync(leaf.certPath, "utf8"),
        readFileSync(leaf.keyPath, "utf8"),
      ),
    );
  }
});
after(() => pki.cleanup());

interface EchRun {
  client: Endpoint;
  server: Endpoint;
  clientConn: UnbufferedClientConnection;
  serverConn: UnbufferedServerConnection;
  /** Everything the client put on the wire, joined. */
  wire: Uint8Array;
  /** The ClientHellos the client sent, decoded. */
  hellos: ClientHello[];
}

/** A server that holds certificates for the inner and the public name. */
function serverConfig(options: Partial<ServerConfigOptions> = {}): ServerConfig {
  return new ServerConfig({ certResolver: (h) => certs.get(h.serverName ?? ""), ...options });
}

function echRun(
  client: Partial<ClientConfigOptions>,
  server: ServerConfig,
  data = true,
): Promise<EchRun> {
  const config = new ClientConfig({
    verifier: new WebPkiServerVerifier({ roots }),
    resumption: false,
    ...client,
  });
  return echRunWith(config, server, data);
}

async function echRunWith(
  client: ClientConfig,
  server: ServerConfig,
  data = true,
): Promise<EchRun> {
  const clientConn = await UnbufferedClientConnection.create(client, INNER);
  const serverConn = new UnbufferedServerConnection(server);
  const c = new Endpoint(clientConn);
  const s = new Endpoint(serverConn);
  c.captureErrors = s.captureErrors = true;
  if (data) c.pendingWrites.push(new TextEncoder().encode("hello inner"));
  await runPair(c, s);
  const wire = joinBytes(c.sent);
  const hellos: ClientHello[] = [];
  for (const rec of splitRecords(wire)) {
    if (rec.bytes[0] !== 22) continue;
    for (const m of splitHandshakeMessages(rec.bytes.subarray(5))) {
      if (m.type === HandshakeType.client_hello) {
        hellos.push(decodeHandshake(m.type, m.body) as ClientHello);
      }
    }
  }
  return { client: c, server: s, clientConn, serverConn, wire, hellos };
}

function contains(hay: Uint8Array, needle: string): boolean {
  const n = new TextEncoder().encode(needle);
  outer: for (let i = 0; i + n.length <= hay.length; i++) {
    for (let j = 0; j < n.length; j++) if (hay[i + j] !== n[j]) continue outer;
    return true;
  }
  return false;
}

describe("issue 18 items 2-3: Encrypted Client Hello, our client and our server", () => {
  it("accepted: the server sees the inner name, the wire only the public name", async () => {
    const key = await generateEchConfig({ publicName: PUBLIC, configId: 7 });
    const run = await echRun(
      { ech: { configList: key.configList }, alpnProtocols: ["h2"] },
      serverConfig({ ech: { keys: [key] }, alpnProtocols: ["h2"] }),
    );
    assert.equal(run.client.error, undefined);
    assert.equal(run.server.error, undefined);
    assert.equal(run.serverConn.serverName, INNER);
    assert.equal(run.clientConn.echAccepted, true);
    assert.equal(run.serverConn.echAccepted, true);
    assert.equal(run.clientConn.alpnProtocol, "h2");
    assert.equal(new TextDecoder().decode(run.server.receivedBytes()), "hello inner");
    assert.equal(contains(run.wire, INNER), false, "the inner name never crosses the wire");
    assert.equal(contains(run.wire, PUBLIC), true);
    const [outer] = run.hellos;
    assert.equal(findExtension(outer.extensions, ExtensionType.server_name)?.hostName, PUBLIC);
    const ech = findExtension(outer.extensions, ExtensionType.encrypted_client_hello);
    assert.equal(ech?.kind, "outer");
    assert.equal(ech?.kind === "outer" && ech.configId, 7);
    assert.equal(
      findExtension(outer.extensions, ExtensionType.application_layer_protocol_negotiation),
      undefined,
      "ALPN stays in the inner hello",
    );
  });

  it("rejected: authenticated for the public name, EchRejectedError carries the retry configs, which then work", async () => {
    const stale = await generateEchConfig({ publicName: PUBLIC, configId: 1 });
    const current = await generateEchConfig({ publicName: PUBLIC, configId: 2 });
    const server = serverConfig({ ech: { keys: [current] } });
    const run = await echRun({ ech: { configList: stale.configList } }, server);
    const err = run.client.error;
    assert.ok(err instanceof EchRejectedError, `got ${err}`);
    assert.equal(err.detail, "EchRejected");
    assert.equal(err.alert, AlertDescription.ech_required);
    assert.deepEqual(err.retryConfigs, current.configList);
    assert.equal(run.clientConn.echAccepted, false);
    assert.equal(run.serverConn.echAccepted, false);
    assert.equal(run.serverConn.serverName, PUBLIC, "the server handshook with the outer hello");
    const serverErr = run.server.error as TlsError;
    assert.equal(serverErr.alert, AlertDescription.ech_required);
    assert.equal(serverErr.alertDirection, "received");
    assert.equal(run.server.received.length, 0, "no application data on a rejected connection");
    assert.equal(contains(run.wire, INNER), false);

    const retried = await echRun({ ech: { configList: err.retryConfigs! } }, server);
    assert.equal(retried.client.error, undefined);
    assert.equal(retried.clientConn.echAccepted, true);
    assert.equal(retried.serverConn.serverName, INNER);
    assert.equal(new TextDecoder().decode(retried.server.receivedBytes()), "hello inner");
  });

  it("rejected by a server without a certificate for the public name: a certificate error, not EchRejected", async () => {
    const stale = await generateEchConfig({ publicName: PUBLIC, configId: 1 });
    const current = await generateEchConfig({ publicName: PUBLIC, configId: 2 });
    // This server answers every name with the inner name's certificate.
    const server = new ServerConfig({
      certResolver: () => certs.get(INNER),
      ech: { keys: [current] },
    });
    const run = await echRun({ ech: { configList: stale.configList } }, server);
    const err = run.client.error;
    assert.ok(err instanceof TlsError && !(err instanceof EchRejectedError), `got ${err}`);
    assert.equal(err.kind, "InvalidCertificate");
  });

  it("HelloRetryRequest with ECH accepted: confirmed in the HRR and the ServerHello", async () => {
    const key = await generateEchConfig({ publicName: PUBLIC, configId: 9 });
    const run = await echRun(
      { ech: { configList: key.configList } },
      serverConfig({ ech: { keys: [key] }, kxGroups: [NamedGroup.secp256r1] }),
    );
    assert.equal(run.client.error, undefined);
    assert.equal(run.clientConn.handshakeKind, "FullWithHelloRetryRequest");
    assert.equal(run.clientConn.echAccepted, true);
    assert.equal(run.serverConn.serverName, INNER);
    assert.equal(run.hellos.length, 2);
    const second = findExtension(run.hellos[1].extensions, ExtensionType.encrypted_client_hello);
    assert.ok(second?.kind === "outer");
    assert.equal(second.enc.length, 0, "the second outer hello reuses the HPKE context");
    assert.equal(contains(run.wire, INNER), false);
    assert.equal(new TextDecoder().decode(run.server.receivedBytes()), "hello inner");
  });

  it("HelloRetryRequest with ECH rejected: still EchRejected with retry configs", async () => {
    const stale = await generateEchConfig({ publicName: PUBLIC, configId: 3 });
    const current = await generateEchConfig({ publicName: PUBLIC, configId: 4 });
    const run = await echRun(
      { ech: { configList: stale.configList } },
      serverConfig({ ech: { keys: [current] }, kxGroups: [NamedGroup.secp256r1] }),
    );
    const err = run.client.error;
    assert.ok(err instanceof EchRejectedError, `got ${err}`);
    assert.deepEqual(err.retryConfigs, current.configList);
    assert.equal(run.hellos.length, 2);
  });

  it("rotation: a server with two keys accepts either, and sends both as retry configs", async () => {
    const old = await generateEchConfig({ publicName: PUBLIC, configId: 10 });
    const next = await generateEchConfig({ publicName: PUBLIC, configId: 11, kem: "P-256" });
    const server = serverConfig({ ech: { keys: [next, old] } });
    for (const key of [old, next]) {
      const run = await echRun({ ech: { configList: key.configList } }, server);
      assert.equal(run.client.error, undefined);
      assert.equal(run.clientConn.echAccepted, true);
      assert.equal(run.serverConn.serverName, INNER);
    }
    const gone = await generateEchConfig({ publicName: PUBLIC, configId: 10 });
    const run = await echRun({ ech: { configList: gone.configList } }, server);
    const err = run.client.error;
    assert.ok(err instanceof EchRejectedError);
    assert.deepEqual(err.retryConfigs, encodeEchConfigList([next.config, old.config]));
    assert.deepEqual(
      readEchConfigList(err.retryConfigs!).map((c) => c.contents?.configId),
      [11, 10],
    );
  });

  it("the client skips configs it cannot use and takes the first usable one", async () => {
    const key = await generateEchConfig({ publicName: PUBLIC, configId: 12 });
    const unknownVersion = new Uint8Array([0xfe, 0x0c, 0, 2, 1, 2]);
    const badName = (await generateEchConfig({ publicName: "10.0.0.1", configId: 13 })).config;
    const list = encodeEchConfigList([unknownVersion, badName, key.config]);
    const run = await echRun({ ech: { configList: list } }, serverConfig({ ech: { keys: [key] } }));
    assert.equal(run.client.error, undefined);
    assert.equal(run.clientConn.echAccepted, true);
    const ech = findExtension(run.hellos[0].extensions, ExtensionType.encrypted_client_hello);
    assert.equal(ech?.kind === "outer" && ech.configId, 12);
  });

  it("GREASE ECH against a server without ECH: a plausible extension, ignored", async () => {
    const run = await echRun({ echGrease: true }, serverConfig());
    assert.equal(run.client.error, undefined);
    assert.equal(run.server.error, undefined);
    assert.equal(run.clientConn.echAccepted, undefined);
    assert.equal(run.serverConn.serverName, INNER);
    const ech = findExtension(run.hellos[0].extensions, ExtensionType.encrypted_client_hello);
    assert.ok(ech?.kind === "outer");
    assert.equal(ech.enc.length, 32, "an X25519 public key");
    assert.equal((ech.payload.length - 16) % 32, 0, "padded like a real inner hello");
    assert.ok(ech.payload.length >= 128);
  });

  it("GREASE ECH across a HelloRetryRequest: the second hello repeats the same extension", async () => {
    const run = await echRun(
      { echGrease: true },
      serverConfig({ kxGroups: [NamedGroup.secp256r1] }),
    );
    assert.equal(run.client.error, undefined);
    assert.equal(run.clientConn.handshakeKind, "FullWithHelloRetryRequest");
    assert.equal(run.hellos.length, 2);
    const first = findExtension(run.hellos[0].extensions, ExtensionType.encrypted_client_hello);
    const second = findExtension(run.hellos[1].extensions, ExtensionType.encrypted_client_hello);
    // RFC 9849 section 6.2: the GREASE extension is sent unchanged in both.
    assert.ok(first?.kind === "outer" && second?.kind === "outer");
    assert.deepEqual(second, first);
  });

  it("GREASE ECH against a server with ECH: retry configs sent, checked and ignored", async () => {
    const key = await generateEchConfig({ publicName: PUBLIC, configId: 5 });
    const run = await echRun({ echGrease: true }, serverConfig({ ech: { keys: [key] } }));
    assert.equal(run.client.error, undefined);
    assert.equal(run.serverConn.echAccepted, false);
    assert.equal(run.serverConn.serverName, INNER);
    assert.equal(new TextDecoder().decode(run.server.receivedBytes()), "hello inner");
  });

  it("without echGrease, no encrypted_client_hello is sent, and ECH is not in play", async () => {
    const key = await generateEchConfig({ publicName: PUBLIC, configId: 6 });
    const run = await echRun({}, serverConfig({ ech: { keys: [key] } }));
    assert.equal(
      findExtension(run.hellos[0].extensions, ExtensionType.encrypted_client_hello),
      undefined,
    );
    assert.equal(run.clientConn.echAccepted, undefined);
    assert.equal(run.serverConn.echAccepted, undefined);
  });

  it("TlsStream: info.echAccepted on both sides; a rejected client rejects with EchRejectedError", async () => {
    const key = await generateEchConfig({ publicName: PUBLIC, configId: 40 });
    const server = serverConfig({ ech: { keys: [key] } });
    const clientFor = (configList: Uint8Array) =>
      new ClientConfig({ verifier: new WebPkiServerVerifier({ roots }), ech: { configList } });
    {
      const [a, b] = transportPair();
      const [c, s] = await Promise.all([
        connectTls(a, clientFor(key.configList), INNER),
        acceptTls(b, server),
      ]);
      assert.equal(c.info.echAccepted, true);
      assert.equal(s.info.echAccepted, true);
      assert.equal(s.connection.serverName, INNER);
      await Promise.all([c[Symbol.asyncDispose](), s[Symbol.asyncDispose]()]);
    }
    {
      const stale = await generateEchConfig({ publicName: PUBLIC, configId: 41 });
      const [a, b] = transportPair();
      const [c, s] = await Promise.allSettled([
        connectTls(a, clientFor(stale.configList), INNER),
        acceptTls(b, server),
      ]);
      assert.equal(c.status, "rejected");
      assert.ok(c.reason instanceof EchRejectedError);
      assert.deepEqual(c.reason.retryConfigs, key.configList);
      assert.equal(s.status, "rejected");
    }
  });

  it("resumption under ECH: the ticket rides in the inner hello, a GREASE PSK in the outer", async () => {
    const key = await generateEchConfig({ publicName: PUBLIC, configId: 50 });
    const server = serverConfig({ ech: { keys: [key] } });
    const client = new ClientConfig({
      verifier: new WebPkiServerVerifier({ roots }),
      ech: { configList: key.configList },
    });
    const first = await echRunWith(client, server);
    assert.equal(first.client.error, undefined);
    assert.equal(first.clientConn.handshakeKind, "Full");
    const second = await echRunWith(client, server);
    assert.equal(second.client.error, undefined);
    assert.equal(second.clientConn.echAccepted, true);
    assert.equal(second.clientConn.handshakeKind, "Resumed");
    assert.equal(second.serverConn.handshakeKind, "Resumed");
    assert.equal(second.serverConn.serverName, INNER);
    const outerPsk = findExtension(second.hellos[0].extensions, ExtensionType.pre_shared_key);
    assert.ok(outerPsk, "the outer hello carries a pre_shared_key");
    assert.equal(second.hellos[0].extensions.at(-1)?.type, ExtensionType.pre_shared_key);
    assert.equal(contains(second.wire, INNER), false);

    // Rejected: the outer GREASE PSK resumes nothing, the handshake is a full one.
    const other = serverConfig({
      ech: { keys: [await generateEchConfig({ publicName: PUBLIC })] },
    });
    const third = await echRunWith(client, other);
    assert.ok(third.client.error instanceof EchRejectedError, `got ${third.client.error}`);
    assert.equal(third.serverConn.handshakeKind, "Full");
  });

  it("the server's ECH private keys never show in renderings of its configs", async () => {
    const key = await generateEchConfig({ publicName: PUBLIC, configId: 60 });
    const config = serverConfig({ ech: { keys: [key] } });
    const resolved = await config.resolve();
    assert.deepEqual(resolved.ech!.keys[0].privateKey, key.privateKey, "still usable");
    const hex = Array.from(key.privateKey, (b) => b.toString(16).padStart(2, "0")).join("");
    const bytes = [...key.privateKey].join(",");
    for (
      const text of [
        inspect(config.options, { depth: 8 }),
        inspect(resolved, { depth: 8 }),
        JSON.stringify(resolved.ech),
        JSON.stringify(config.options),
      ]
    ) {
      assert.equal(text.includes(hex), false);
      assert.equal(text.replaceAll(" ", "").replaceAll("\n", "").includes(bytes), false);
    }
  });
});
