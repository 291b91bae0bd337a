// PSK key exchange modes on our server (RFC 8446 4.2.9): psk_dhe_ke by
// default, psk_ke only when configured, pre_shared_key without modes is
// missing_extension. ClientHellos are built by hand around a real ticket.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ClientConfig,
  InMemoryClientSessionStore,
  RootCertStore,
  ServerConfig,
  type ServerConfigOptions,
  type Tls13ClientSession,
  TlsError,
  UnbufferedClientConnection,
  UnbufferedServerConnection,
} from "../mod.ts";
import type { Tls13CipherSuite } from "../src/crypto/types.ts";
import {
  AlertDescription,
  ExtensionType,
  HandshakeType,
  ProtocolVersion,
  PskKeyExchangeMode,
  SignatureScheme,
} from "../src/msgs/enums.ts";
import type { ClientHelloExtension } from "../src/msgs/extension_types.ts";
import { findExtension } from "../src/msgs/extensions.ts";
import { decodeHandshake, encodeHandshake, splitHandshakeMessages } from "../src/msgs/handshake.ts";
import type { ServerHello } from "../src/msgs/server_hello.ts";
import { readRecord } from "../src/record/deframer.ts";
import { Transcript } from "../src/tls13/transcript.ts";
import { bindClientHello } from "../src/client/resumption.ts";
import { type Issued, testPki } from "../examples/_certgen.ts";
import { run, Side } from "./_resumption_pair.ts";

let ca: Issued;
let leaf: Issued;

function serverConfig(options: Partial<ServerConfigOptions> = {}): ServerConfig {
  return new ServerConfig({ certificateChain: leaf.certPem, privateKey: leaf.keyPem, ...options });
}

/** A full handshake with our client; returns one ticket and its suite. */
async function ticketFrom(sc: ServerConfig): Promise<
  { session: Tls13ClientSession; suite: Tls13CipherSuite }
> {
  const roots = new RootCertStore();
  roots.add(ca.certDer);
  const store = new InMemoryClientSessionStore();
  const cc = new ClientConfig({ roots, sessionStore: store });
  const client = new Side(await UnbufferedClientConnection.create(cc, "localhost"));
  const server = new Side(new UnbufferedServerConnection(sc));
  await run(client, server);
  const session = (await store.takeTls13Ticket("localhost"))!;
  assert.ok(session);
  const suite = (await cc.resolve()).cipherSuites.find((s) => s.id === session.suiteId);
  return { session, suite: suite as Tls13CipherSuite };
}

/** A ClientHello offering the ticket with `modes` and no key share, bound to its PSK. */
async function helloRecord(
  session: Tls13ClientSession,
  suite: Tls13CipherSuite,
  modes: number[] | undefined,
): Promise<Uint8Array> {
  const extensions: ClientHelloExtension[] = [
    { type: ExtensionType.server_name, hostName: "localhost" },
    { type: ExtensionType.signature_algorithms, schemes: [SignatureScheme.ecdsa_secp256r1_sha256] },
    { type: ExtensionType.supported_versions, versions: [ProtocolVersion.TLSv1_3] },
  ];
  if (modes) extensions.push({ type: ExtensionType.psk_key_exchange_modes, modes });
  extensions.push({
    type: ExtensionType.pre_shared_key,
    identities: [{ identity: session.ticket, obfuscatedTicketAge: session.ageAdd }],
    binders: [new Uint8Array(suite.hash.outputLen)],
  });
  const hello = encodeHandshake({
    type: HandshakeType.client_hello,
    legacyVersion: ProtocolVersion.TLSv1_2,
    random: crypto.getRandomValues(new Uint8Array(32)),
    legacySessionId: new Uint8Array(0),
    cipherSuites: [suite.id],
    legacyCompressionMethods: new Uint8Array([0]),
    extensions,
  });
  await bindClientHello({ session, suite }, new Transcript(), hello);
  const record = new Uint8Array(5 + hello.length);
  record.set([22, 3, 1, hello.length >> 8, hello.length & 0xff]);
  record.set(hello, 5);
  return record;
}

/** Feeds one record to a fresh server; returns its ServerHello. */
async function serverHelloFor(sc: ServerConfig, record: Uint8Array): Promise<ServerHello> {
  const server = new UnbufferedServerConnection(sc);
  const { state } = await server.processTlsRecords(record);
  assert.equal(state.kind, "EncodeTlsData");
  if (state.kind !== "EncodeTlsData") throw new Error("unreachable");
  const out = new Uint8Array(state.requiredSize);
  await state.encode(out);
  const first = readRecord(out)!;
  const [msg] = splitHandshakeMessages(first.fragment);
  return decodeHandshake(msg.type, msg.body) as ServerHello;
}

describe("PSK key exchange modes on the server", () => {
  before(async () => {
    ({ ca, leaf } = await testPki(["localhost"]));
  });

  it("psk_ke is chosen when configured and asked for: no key_share in ServerHello", async () => {
    const sc = serverConfig({ allowPskKe: true });
    const { session, suite } = await ticketFrom(sc);
    const sh = await serverHelloFor(
      sc,
      await helloRecord(session, suite, [PskKeyExchangeMode.psk_ke]),
    );
    assert.equal(findExtension(sh.extensions, ExtensionType.pre_shared_key)?.selectedIdentity, 0);
    assert.equal(findExtension(sh.extensions, ExtensionType.key_share), undefined);
  });

  it("psk_ke is refused by default: no common group, handshake_failure", async () => {
    const sc = serverConfig();
    const { session, suite } = await ticketFrom(sc);
    const server = new UnbufferedServerConnection(sc);
    await assert.rejects(
      server.processTlsRecords(await helloRecord(session, suite, [PskKeyExchangeMode.psk_ke])),
      (e: unknown) => {
        assert.ok(e instanceof TlsError);
        assert.equal(e.detail, "NoKxGroupsInCommon");
        return true;
      },
    );
  });

  it("pre_shared_key without psk_key_exchange_modes is missing_extension", async () => {
    const sc = serverConfig();
    const { session, suite } = await ticketFrom(sc);
    const server = new UnbufferedServerConnection(sc);
    await assert.rejects(
      server.processTlsRecords(await helloRecord(session, suite, undefined)),
      (e: unknown) => {
        assert.ok(e instanceof TlsError);
        assert.equal(e.alert, AlertDescription.missing_extension);
        return true;
      },
    );
  });

  it("resumption: false refuses tickets and issues none", async () => {
    const on = serverConfig();
    const { session, suite } = await ticketFrom(on);
    const off = serverConfig({ resumption: false });
    const server = new UnbufferedServerConnection(off);
    // psk_ke alone and no groups: without resumption nothing is left to agree on.
    await assert.rejects(
      server.processTlsRecords(await helloRecord(session, suite, [PskKeyExchangeMode.psk_ke])),
      TlsError,
    );
    // And a full handshake with it leaves our client no ticket.
    const roots = new RootCertStore();
    roots.add(ca.certDer);
    const store = new InMemoryClientSessionStore();
    const cc = new ClientConfig({ roots, sessionStore: store });
    const client = new Side(await UnbufferedClientConnection.create(cc, "localhost"));
    await run(client, new Side(new UnbufferedServerConnection(off)));
    assert.ok(client.kinds.has("WriteTraffic"));
    assert.equal(store.ticketCount("localhost"), 0);
  });
});
