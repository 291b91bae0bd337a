// RFC 8448 replayed through the engine: each side on its own against the
// trace. Our client, fed the trace's server records, must emit the trace's
// client records; our server, fed the trace's client records, must emit the
// trace's server records; every record is compared in order. The randomness,
// key shares and signatures come from the trace (tests/_rfc8448_provider.ts).
//
// Where our options cannot reproduce a printed message (listed per test with
// the reason), the test checks that message field by field, requires exactly
// the listed differences, and lets the transcript hash see the trace's
// message instead of ours, so that every later secret, signature, Finished
// and record is still compared byte for byte. The differences:
// - our ClientHello puts its extensions in our order, not NSS's, and sends
//   no renegotiation_info and session_ticket (TLS 1.2 extensions: we send
//   them only when TLS 1.2 is enabled, which would also add 0x0303 to
//   supported_versions) and no padding (NSS pads to 512 bytes: section 4 and
//   section 5's second ClientHello); its record_size_limit is the trace's
//   (16385);
// - our EncryptedExtensions carries no supported_groups (RFC 8446 4.2.7
//   makes it optional);
// - our NewSessionTicket nonce is one byte (NSS: two), and a stateless
//   ticket (the only kind that can carry the trace's ticket bytes) never
//   allows 0-RTT, so it has no early_data extension;
// - our HelloRetryRequest carries no cookie (RFC 8446 4.2.2: optional), so
//   our server is fed section 5's second ClientHello without the cookie it
//   never sent (it rightly refuses one); and it asks for P-256 only with
//   X25519 disabled, since it takes any offered share it supports.
// Our client is fed the trace's server records unchanged; the expected bytes
// all come from the RFC text.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { field, findStep } from "./_rfc8448.ts";
import { Replay } from "./_rfc8448_replay.ts";
import {
  clientFor,
  clientHelloDifferences,
  clientSubstitutions,
  extensionOf,
  identity,
  keyPair,
  msg,
  pinnedVerifier,
  printed,
  runClient,
  SERVER_EE_DIFFERS,
  serverFor,
  traceClientHello,
  traceTicket,
  withoutCookie,
} from "./_rfc8448_sides.ts";
import { InMemoryServerSessionStore } from "../src/server/session_store.ts";
import { UnbufferedClientConnection } from "../src/conn/unbuffered.ts";
import { concat } from "../src/_bytes.ts";
import { ExtensionType, HandshakeType } from "../src/msgs/enums.ts";

describe("RFC 8448 replayed: our server against the trace's client", () => {
  it("section 3: simple 1-RTT handshake", async () => {
    const nst = traceTicket();
    const { trace, conn } = await serverFor(3, {
      x25519: [keyPair(3, "server", "x25519")],
      random: [
        Uint8Array.of(
          nst.ticketAgeAdd >>> 24,
          nst.ticketAgeAdd >>> 16 & 255,
          nst.ticketAgeAdd >>> 8 & 255,
          nst.ticketAgeAdd & 255,
        ),
      ],
      extra: {
        sendTls13Tickets: 1,
        ticketer: {
          lifetimeSeconds: nst.ticketLifetime,
          encrypt: () => Promise.resolve(nst.ticket),
          decrypt: () => Promise.resolve(undefined),
        },
      },
    });
    trace.substitute(HandshakeType.encrypted_extensions, [
      printed(3, "server", "EncryptedExtensions"),
    ]);
    const replay = new Replay(conn, 3, "server");
    await replay.run({
      differs: {
        ...SERVER_EE_DIFFERS,
        [HandshakeType.new_session_ticket]: [
          "field ticketNonce",
          `only the trace has extension ${ExtensionType.early_data}`,
        ],
      },
    });
    assert.deepEqual(replay.outcomes.map((o) => o.outcome), [
      "exact", // ServerHello
      "EncryptedExtensions differ as expected", // then Certificate, CertificateVerify, Finished exact
      "NewSessionTicket differ as expected",
      "exact", // application data
      "exact", // close_notify
    ]);
    assert.deepEqual([...trace.substituted], ["8 0"]);
    assert.deepEqual(trace.unusedRandom, []);
    assert.deepEqual(trace.unusedSignatures, []);
    assert.equal(concat(...replay.received).length, 50);
  });

  it("section 7: compatibility mode (session ID echoed, change_cipher_spec)", async () => {
    const { trace, conn } = await serverFor(7, { x25519: [keyPair(7, "server", "x25519")] });
    trace.substitute(HandshakeType.encrypted_extensions, [
      printed(7, "server", "EncryptedExtensions"),
    ]);
    const replay = new Replay(conn, 7, "server");
    await replay.run({ differs: SERVER_EE_DIFFERS });
    assert.deepEqual(replay.outcomes.map((o) => o.outcome), [
      "exact", // ServerHello
      "exact", // change_cipher_spec
      "EncryptedExtensions differ as expected",
      "exact", // close_notify
    ]);
    assert.deepEqual([...trace.substituted], ["8 0"]);
    assert.deepEqual(trace.unusedSignatures, []);
  });

  it("section 6: client authentication (ECDSA server, RSA client)", async () => {
    const client = identity(6, "client");
    const cr = msg(printed(6, "server", "CertificateRequest"), HandshakeType.certificate_request);
    const schemes = extensionOf(cr.extensions, ExtensionType.signature_algorithms);
    const { trace, conn } = await serverFor(6, {
      x25519: [keyPair(6, "server", "x25519")],
      verifier: (p) =>
        pinnedVerifier(client.certificate, "schemes" in schemes ? schemes.schemes : [], p),
    });
    trace.substitute(HandshakeType.encrypted_extensions, [
      printed(6, "server", "EncryptedExtensions"),
    ]);
    const replay = new Replay(conn, 6, "server");
    await replay.run({ differs: SERVER_EE_DIFFERS });
    assert.deepEqual(replay.outcomes.map((o) => o.outcome), [
      "exact", // ServerHello
      "EncryptedExtensions differ as expected", // CertificateRequest .. Finished exact
      "exact", // close_notify
    ]);
    assert.deepEqual([...trace.substituted], ["8 0"]);
    assert.deepEqual(trace.unusedSignatures, []);
  });
  it("section 5: HelloRetryRequest for secp256r1", async () => {
    // Our server takes any offered share it supports, so it asks for P-256
    // only with X25519 disabled (NSS preferred P-256 over an offered X25519).
    const { trace, conn } = await serverFor(5, {
      secp256r1: [keyPair(5, "server", "P-256")],
      extra: { kxGroups: [0x0017, 0x0018] },
    });
    trace.substitute(HandshakeType.server_hello, [printed(5, "server", "ServerHello", 0)]);
    trace.substitute(HandshakeType.client_hello, [traceClientHello(5), traceClientHello(5, 1)]);
    trace.substitute(HandshakeType.encrypted_extensions, [
      printed(5, "server", "EncryptedExtensions"),
    ]);
    const replay = new Replay(conn, 5, "server");
    await replay.run({
      input: withoutCookie,
      differs: {
        ...SERVER_EE_DIFFERS,
        // Our HelloRetryRequest carries no cookie (RFC 8446 4.2.2 makes it optional).
        [HandshakeType.server_hello]: [`only the trace has extension ${ExtensionType.cookie}`],
      },
    });
    assert.deepEqual(replay.outcomes.map((o) => o.outcome), [
      "ServerHello differ as expected", // the HelloRetryRequest
      "exact", // ServerHello
      "EncryptedExtensions differ as expected",
      "exact", // close_notify
    ]);
    assert.deepEqual([...trace.substituted].sort(), ["1 1", "2 0", "8 0"]);
    assert.deepEqual(trace.unusedSignatures, []);
  });

  it("section 4: resumption with 0-RTT (the trace's ticket in our session store)", async () => {
    const nst = traceTicket();
    const ch4 = msg(traceClientHello(4), HandshakeType.client_hello);
    const psk = extensionOf(ch4.extensions, ExtensionType.pre_shared_key);
    const offered = "identities" in psk ? psk.identities[0] : undefined;
    assert.ok(offered);
    const issued = Date.UTC(2019, 0, 1);
    const sessionStore = new InMemoryServerSessionStore();
    await sessionStore.put(nst.ticket, {
      suiteId: 0x1301,
      // The PSK the trace derives from section 3's resumption secret and nonce.
      psk: field(findStep(4, "client", 'extract secret "early"'), "IKM"),
      createdAt: issued,
      lifetimeSeconds: nst.ticketLifetime,
      ageAdd: nst.ticketAgeAdd,
      serverName: "server",
      maxEarlyDataSize: 1024,
    });
    const { trace, conn } = await serverFor(4, {
      x25519: [keyPair(4, "server", "x25519")],
      extra: {
        sessionStore,
        maxEarlyDataSize: 1024,
        now: () => new Date(issued + ((offered.obfuscatedTicketAge - nst.ticketAgeAdd) >>> 0)),
      },
    });
    trace.substitute(HandshakeType.encrypted_extensions, [
      printed(4, "server", "EncryptedExtensions"),
    ]);
    const replay = new Replay(conn, 4, "server");
    await replay.run({ differs: SERVER_EE_DIFFERS });
    assert.deepEqual(replay.outcomes.map((o) => o.outcome), [
      "exact", // ServerHello
      "EncryptedExtensions differ as expected", // Finished exact
      "exact", // application data
      "exact", // close_notify
    ]);
    assert.deepEqual([...trace.substituted], ["8 0"]);
    assert.deepEqual(
      replay.received.map((r) => new TextDecoder().decode(r).slice(0, 6)),
      ["ABCDEF", "\x00\x01\x02\x03\x04\x05"],
    );
  });
});

describe("RFC 8448 replayed: our client against the trace's server", () => {
  it("section 3: simple 1-RTT handshake", async () => {
    const { trace, conn } = await clientFor(3, { x25519: [keyPair(3, "client", "x25519")] });
    const replay = new Replay(conn, 3, "client");
    await runClient(replay);
    assert.deepEqual(replay.outcomes.map((o) => o.outcome), [
      "ClientHello differ as expected",
      "exact", // Finished
      "exact", // application data
      "exact", // close_notify
    ]);
    assert.deepEqual([...trace.substituted].sort(), ["1 0"].sort());
    assert.deepEqual(trace.unusedRandom, []);
    assert.equal(concat(...replay.received).length, 50);
  });

  it("section 7: compatibility mode (session ID, change_cipher_spec)", async () => {
    const { trace, conn } = await clientFor(7, { x25519: [keyPair(7, "client", "x25519")] });
    const replay = new Replay(conn, 7, "client");
    await runClient(replay);
    assert.deepEqual(replay.outcomes.map((o) => o.outcome), [
      "ClientHello differ as expected",
      "exact", // change_cipher_spec
      "exact", // Finished
      "exact", // close_notify
    ]);
    assert.deepEqual([...trace.substituted].sort(), ["1 0"].sort());
    assert.deepEqual(trace.unusedRandom, []);
  });

  it("section 6: client authentication (RSA-PSS CertificateVerify)", async () => {
    const client = identity(6, "client");
    const { trace, conn } = await clientFor(6, {
      x25519: [keyPair(6, "client", "x25519")],
      signatures: [client],
      extra: {
        certificateChain: [client.certificate],
        privateKey: "unused: the trace signer answers",
      },
    });
    const replay = new Replay(conn, 6, "client");
    await runClient(replay);
    assert.deepEqual(replay.outcomes.map((o) => o.outcome), [
      "ClientHello differ as expected",
      "exact", // Certificate, CertificateVerify, Finished
      "exact", // close_notify
    ]);
    assert.deepEqual([...trace.substituted].sort(), ["1 0"].sort());
    assert.deepEqual(trace.unusedSignatures, []);
  });
  it("section 5: HelloRetryRequest (cookie echoed, secp256r1 share)", async () => {
    const { trace, conn } = await clientFor(5, {
      x25519: [keyPair(5, "client", "x25519")],
      secp256r1: [keyPair(5, "client", "P-256")],
    });
    const replay = new Replay(conn, 5, "client");
    await runClient(replay, {
      [HandshakeType.client_hello]: [clientHelloDifferences(5), clientHelloDifferences(5, 1)],
    });
    assert.deepEqual(replay.outcomes.map((o) => o.outcome), [
      "ClientHello differ as expected",
      "ClientHello differ as expected", // the second: cookie and P-256 share equal the trace's
      "exact", // Finished
      "exact", // close_notify
    ]);
    assert.deepEqual([...trace.substituted].sort(), ["1 0", "1 1"].sort());
    assert.deepEqual(trace.unusedRandom, []);
  });

  it("section 4: resumption with 0-RTT, the ticket taken from the section 3 replay", async () => {
    const nst = traceTicket();
    const ch4 = msg(traceClientHello(4), HandshakeType.client_hello);
    const psk = extensionOf(ch4.extensions, ExtensionType.pre_shared_key);
    const obfuscated = "identities" in psk ? psk.identities[0].obfuscatedTicketAge : 0;
    let clock = Date.UTC(2019, 0, 1);
    const { trace, config, conn } = await clientFor(3, {
      x25519: [keyPair(3, "client", "x25519"), keyPair(4, "client", "x25519")],
      random: [ch4.random],
      extra: { enableEarlyData: true, now: () => new Date(clock) },
    });
    const first = new Replay(conn, 3, "client");
    await runClient(first);
    // The ticket is as old as the trace's obfuscated_ticket_age says (RFC 8446 4.2.11.1).
    clock += (obfuscated - nst.ticketAgeAdd) >>> 0;
    clientSubstitutions(trace, 4);
    trace.substituted.clear();
    const replay = new Replay(
      await UnbufferedClientConnection.create(config, "server"),
      4,
      "client",
    );
    replay.earlyData = field(findStep(4, "client", "send application_data record"), "payload");
    await runClient(replay);
    assert.deepEqual(replay.outcomes.map((o) => o.outcome), [
      "ClientHello differ as expected", // identity, age and binder equal the trace's
      "exact", // early data
      "exact", // EndOfEarlyData
      "exact", // Finished
      "exact", // application data
      "exact", // close_notify
    ]);
    assert.deepEqual(
      [...trace.substituted].sort(),
      ["1 0", "1 0 (binders cut)"].sort(),
    );
    assert.deepEqual(trace.unusedRandom, []);
    assert.equal(concat(...replay.received).length, 50); // the server's application data
  });
});
