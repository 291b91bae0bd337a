// Hostile input for the TLS 1.2 states, from a fixed seed. Client and server
// use frozen randomness and frozen key shares, so a recorded handshake
// repeats byte for byte and the records one side sent are valid input for a
// fresh connection of the other side. The server key is RSA and the client
// offers only rsa_pkcs1_sha256, whose signatures are deterministic: the
// extended master secret covers the ServerKeyExchange signature. A victim is walked to
// each point of the handshake with genuine records and then fed a mutated
// one; every case must go on normally or end in a TlsError with an alert
// other than internal_error. A third recording has the server ask for a
// client certificate (issue 18 item 8), so the client's Certificate and
// CertificateVerify get mutated too.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ClientConfig } from "../src/client/config.ts";
import { ServerConfig } from "../src/server/config.ts";
import { UnbufferedClientConnection, UnbufferedServerConnection } from "../src/conn/unbuffered.ts";
import { TlsError } from "../src/error.ts";
import { isTlsErrorDetail } from "../src/error_details.ts";
import { webCryptoProvider } from "../src/crypto/webcrypto/provider.ts";
import type { ActiveKeyExchange, CryptoProvider, KeyExchangeGroup } from "../src/crypto/types.ts";
import {
  type ServerCertVerifier,
  WebPkiClientVerifier,
  WebPkiServerVerifier,
} from "../src/webpki/verifier.ts";
import { SignatureScheme } from "../src/msgs/enums.ts";
import { ExtensionType, HandshakeType } from "../src/msgs/enums.ts";
import type { ClientHello } from "../src/msgs/client_hello.ts";
import { decodeHandshake, encodeHandshake } from "../src/msgs/handshake.ts";
import { makePairPki, type PairPki, utf8 } from "./_pair_setup.ts";
import { Endpoint, joinBytes, runPair, splitRecords } from "./_pair.ts";
import { clear, header, messagesOf } from "./_hostile_records.ts";
import { appendExtension, helloExtOffset } from "./_msg_edit.ts";
import { prng } from "./_prng.ts";

type Rng = { int(n: number): number; bytes(n: number): Uint8Array };

function frozen(base: CryptoProvider): CryptoProvider {
  const kxGroups = base.kxGroups.map((g): KeyExchangeGroup => {
    let active: Promise<ActiveKeyExchange> | undefined;
    const start = (): Promise<ActiveKeyExchange> => active ??= g.start();
    return {
      group: g.group,
      name: g.name,
      start,
      respond: async (peer) => {
        const a = await start();
        return { publicKey: a.publicKey, sharedSecret: await a.complete(peer) };
      },
    };
  });
  return { ...base, kxGroups };
}

type Conn = UnbufferedClientConnection | UnbufferedServerConnection;

/** Feeds `bytes` to `conn` until it blocks; returns the error it ended with, if any. */
async function feed(conn: Conn, bytes: Uint8Array): Promise<unknown> {
  let incoming = bytes;
  const out = new Uint8Array(1 << 17);
  try {
    for (let guard = 0; guard < 200; guard++) {
      const { discard, state } = await conn.processTlsRecords(incoming);
      let extra = 0;
      switch (state.kind) {
        case "EncodeTlsData":
          await state.encode(out);
          break;
        case "TransmitTlsData":
          state.done();
          break;
        case "ReadTraffic":
          for (let r = state.nextRecord(); r; r = state.nextRecord()) extra += r.discard;
          break;
        default:
          return undefined;
      }
      incoming = incoming.subarray(discard + extra);
    }
    throw new Error("victim made no progress");
  } catch (e) {
    return e;
  }
}

function mutate(records: Uint8Array[], at: number, r: ReturnType<typeof prng>): Uint8Array[] {
  const out = records.map((x) => x.slice());
  const victim = out[at];
  switch (r.int(7)) {
    case 0: // flip one bit
      victim[r.int(victim.length)] ^= 1 << r.int(8);
      break;
    case 1: // truncate the body, keeping the header's claim
      out[at] = victim.subarray(0, 5 + r.int(Math.max(1, victim.length - 5)));
      return out.slice(0, at + 1);
    case 2: // wrong length field (body unchanged)
      victim[3 + r.int(2)] ^= 1 + r.int(255);
      break;
    case 3: // duplicate
      out.splice(at, 0, victim.slice());
      break;
    case 4: // skip
      out.splice(at, 1);
      break;
    case 5: // garbage record of a random type
      out.splice(at, 0, new Uint8Array([20 + r.int(4), 3, 3, 0, 8, ...r.bytes(8)]));
      break;
    default: // change the content type
      victim[0] = 20 + r.int(4);
  }
  return out;
}

const pick = <T>(r: Rng, a: readonly T[]): T => a[r.int(a.length)];

/** One targeted TLS 1.2 case: the input, the victim and the alert it must send. */
interface Case12 {
  what: string;
  input: Uint8Array[];
  alert: number;
  /** The server configured for TLS 1.2 only (where TLS_FALLBACK_SCSV is fine). */
  tls12OnlyServer?: boolean;
}

/** Sets the u16 at `at` of a copy of the record `rec`. */
function withU16(rec: Uint8Array, at: number, v: number): Uint8Array {
  const c = rec.slice();
  c.set([v >> 8, v & 0xff], at);
  return c;
}

/** The ClientHello record with `change` applied to its message (re-encoded). */
function editedHello(records: Uint8Array[], change: (h: ClientHello) => void): Uint8Array {
  const msg = records[0].subarray(5);
  const hello = decodeHandshake(HandshakeType.client_hello, msg.subarray(4)) as ClientHello;
  assert.deepEqual(encodeHandshake(hello), msg, "the recorded ClientHello re-encodes");
  change(hello);
  return clear(22, encodeHandshake(hello));
}

/**
 * The issue 13 classes that apply to TLS 1.2: `records` is what the victim
 * receives; undefined when the class is not for this side.
 */
const CLASSES_12: Record<
  string,
  (records: Uint8Array[], side: "client" | "server", r: Rng) => Case12 | undefined
> = {
  // Appendix D.5 of RFC 8446, RFC 5246 E.1: SSL 3.0 and below are refused.
  clientLegacyVersion: (records, side, r) => {
    if (side !== "server") return undefined;
    const v = pick(r, [0x0300, 0x0200, 0x0100, 0x0002, r.int(0x0301)]);
    return {
      what: `ClientHello version 0x${v.toString(16)}`,
      input: [withU16(records[0], 9, v), ...(r.int(2) ? records.slice(1) : [])],
      alert: 70,
    };
  },
  // RFC 5246 7.4.1.3: a server version the client does not support.
  serverVersion: (records, side, r) => {
    if (side !== "client") return undefined;
    const v = pick(r, [0x0300, 0x0301, 0x0302, 0x0200, 0x0304, 0x7f1c]);
    return {
      what: `ServerHello version 0x${v.toString(16)}`,
      input: [withU16(records[0], 9, v), ...records.slice(1)],
      alert: 70,
    };
  },
  // RFC 7507 3: TLS_FALLBACK_SCSV to a server that supports a higher version.
  fallbackScsv: (records, side, r) => {
    if (side !== "server") return undefined;
    const at = r.int(2);
    return {
      what: `TLS_FALLBACK_SCSV (${at ? "last" : "first"} suite)`,
      input: [
        editedHello(
          records,
          (h) => void (at ? h.cipherSuites.push(0x5600) : h.cipherSuites.unshift(0x5600)),
        ),
        ...(r.int(2) ? records.slice(1) : []),
      ],
      alert: 86,
    };
  },
  // The same SCSV to a TLS 1.2-only server is no fallback: the handshake goes
  // on, and the changed hello (under the extended master secret) gives the
  // server other keys than the recorded client's: its Finished does not open.
  fallbackScsvAccepted: (records, side) => {
    if (side !== "server") return undefined;
    return {
      what: "TLS_FALLBACK_SCSV to a TLS 1.2-only server",
      input: [editedHello(records, (h) => h.cipherSuites.push(0x5600)), ...records.slice(1)],
      alert: 20,
      tls12OnlyServer: true,
    };
  },
  // RFC 5246 7.4.1.4: an extension the client did not offer.
  unsolicited: (records, side, r) => {
    if (side !== "client") return undefined;
    const p = records[0].subarray(5);
    const msgs = messagesOf(p);
    assert.ok(msgs && msgs[0].type === HandshakeType.server_hello, "ServerHello first");
    const sh = p.subarray(0, msgs[0].end);
    const [ext, data] = pick(r, [
      [0x1234, [0, 0]],
      [ExtensionType.heartbeat, [1]],
      [ExtensionType.max_fragment_length, [1]],
      [ExtensionType.status_request, []],
    ] as [number, number[]][]);
    const edited = appendExtension(sh, helloExtOffset(sh), ext, new Uint8Array(data));
    return {
      what: `extension ${ext} in ServerHello`,
      input: [clear(22, joinBytes([edited, p.subarray(msgs[0].end)])), ...records.slice(1)],
      alert: 110,
    };
  },
  // RFC 5246 6.2.1 (RFC 8446 5.1 for the same rule): nothing between the
  // fragments of one handshake message.
  interleaved: (records, _side, r) => {
    const hs = records.flatMap((rec, index) => {
      const msgs = rec[0] === 22 ? messagesOf(rec.subarray(5)) : undefined;
      return msgs ? [{ index, msgs }] : [];
    });
    const { index, msgs } = pick(r, hs);
    const m = pick(r, msgs);
    const cut = m.start + 1 + r.int(m.end - m.start - 1);
    const p = records[index].subarray(5);
    const [name, intruder] = pick(r, [
      ["user_canceled", clear(21, new Uint8Array([1, 90]))],
      ["change_cipher_spec", clear(20, new Uint8Array([1]))],
      ["application data", clear(23, r.bytes(1 + r.int(20)))],
    ] as [string, Uint8Array][]);
    return {
      what: `${name} inside message ${m.type} of record ${index}`,
      input: [
        ...records.slice(0, index),
        clear(22, p.subarray(0, cut)),
        intruder,
        clear(22, p.subarray(cut)),
      ],
      alert: 10,
    };
  },
  // An alert record holds exactly one alert: a zero-length one is unexpected_message.
  emptyAlert: (records) => ({ what: "empty alert", input: [records[0], header(21, 0)], alert: 10 }),
};

describe("TLS 1.2 hostile input (seeded)", () => {
  let pki: PairPki;
  let provider: CryptoProvider;
  let clientConfig: ClientConfig;
  let serverConfig: ServerConfig;
  let serverConfig12: ServerConfig;
  let fromServer: Uint8Array[];
  let fromClient: Uint8Array[];
  /** Client auth: a server that asks for a certificate, and a client that sends one. */
  let authServerConfig: ServerConfig;
  let fromAuthClient: Uint8Array[];

  before(async () => {
    pki = makePairPki(["rsa"]);
    provider = frozen(await webCryptoProvider());
    const randomBytes = (n: number): Uint8Array => new Uint8Array(n).fill(0x5a);
    const inner = new WebPkiServerVerifier({ roots: pki.roots() });
    const verifier: ServerCertVerifier = {
      verifyServerCert: (ee, im, name, now) => inner.verifyServerCert(ee, im, name, now),
      verifyTls13Signature: (m, ee, sc, sig) => inner.verifyTls13Signature(m, ee, sc, sig),
      verifyTls12Signature: (m, ee, sc, sig) => inner.verifyTls12Signature(m, ee, sc, sig),
      supportedVerifySchemes: () => [SignatureScheme.rsa_pkcs1_sha256],
    };
    clientConfig = new ClientConfig({
      verifier,
      versions: ["TLSv1_2"],
      provider,
      randomBytes,
      resumption: false,
      kxGroups: [0x1d],
    });
    serverConfig = new ServerConfig({
      certificateChain: pki.leaves.rsa.certPem,
      privateKey: pki.leaves.rsa.keyPem,
      provider,
      randomBytes,
      resumption: false,
    });
    serverConfig12 = new ServerConfig({
      certificateChain: pki.leaves.rsa.certPem,
      privateKey: pki.leaves.rsa.keyPem,
      provider,
      randomBytes,
      resumption: false,
      versions: ["TLSv1_2"],
    });
    const client = new Endpoint(await UnbufferedClientConnection.create(clientConfig, "localhost"));
    const server = new Endpoint(new UnbufferedServerConnection(serverConfig));
    client.pendingWrites.push(utf8("client data"));
    server.pendingWrites.push(utf8("server data"));
    await runPair(client, server);
    fromServer = splitRecords(joinBytes(server.sent)).map((x) => x.bytes);
    fromClient = splitRecords(joinBytes(client.sent)).map((x) => x.bytes);
    authServerConfig = new ServerConfig({
      certificateChain: pki.leaves.rsa.certPem,
      privateKey: pki.leaves.rsa.keyPem,
      provider,
      randomBytes,
      resumption: false,
      clientCertVerifier: new WebPkiClientVerifier({ roots: pki.roots() }),
    });
    const authClient = new Endpoint(
      await UnbufferedClientConnection.create(
        new ClientConfig({
          ...clientConfig.options,
          certificateChain: pki.client.certPem,
          privateKey: pki.client.keyPem,
        }),
        "localhost",
      ),
    );
    const authServer = new Endpoint(new UnbufferedServerConnection(authServerConfig));
    authClient.pendingWrites.push(utf8("client data"));
    await runPair(authClient, authServer);
    fromAuthClient = splitRecords(joinBytes(authClient.sent)).map((x) => x.bytes);
  });
  after(() => pki.cleanup());

  it("the recording replays: fresh victims finish with genuine records", async () => {
    const c = await UnbufferedClientConnection.create(clientConfig, "localhost");
    assert.equal(await feed(c, joinBytes(fromServer)), undefined);
    assert.equal(c.isHandshaking, false);
    assert.equal(c.protocolVersion, "TLSv1_2");
    const s = new UnbufferedServerConnection(serverConfig);
    assert.equal(await feed(s, joinBytes(fromClient)), undefined);
    assert.equal(s.isHandshaking, false);
    const a = new UnbufferedServerConnection(authServerConfig);
    assert.equal(await feed(a, joinBytes(fromAuthClient)), undefined);
    assert.equal(a.isHandshaking, false);
    assert.deepEqual(a.peerCertificates, [pki.client.der]);
  });

  // With client auth, the client's Certificate, ClientKeyExchange and
  // CertificateVerify travel in the clear after the ClientHello.
  const victims: [string, number, () => Uint8Array[], () => Conn | Promise<Conn>][] = [
    [
      "client victim",
      0x1202,
      () => fromServer,
      () => UnbufferedClientConnection.create(clientConfig, "localhost"),
    ],
    ["server victim", 0x1203, () => fromClient, () => new UnbufferedServerConnection(serverConfig)],
    [
      "server victim asking for a client certificate",
      0x1204,
      () => fromAuthClient,
      () => new UnbufferedServerConnection(authServerConfig),
    ],
  ];
  for (const [name, seed, recorded, victim] of victims) {
    it(`${name}: 150 mutations at every record position`, async () => {
      const r = prng(seed);
      const records = recorded();
      let failures = 0;
      for (let i = 0; i < 150; i++) {
        const at = r.int(records.length);
        const conn = await victim();
        const err = await feed(conn, joinBytes(mutate(records, at, r)));
        if (err === undefined) continue;
        failures++;
        assert.ok(err instanceof TlsError, `case ${i}: ${String(err)}`);
        assert.notEqual(err.alert, 80, `case ${i}: internal_error: ${err.message}`);
        assert.ok(err.alert !== undefined, `case ${i}: no alert: ${err.message}`);
        if (err.alertDirection === "sent") {
          assert.ok(
            isTlsErrorDetail(err.detail),
            `case ${i}: detail ${err.detail}: ${err.message}`,
          );
        }
      }
      assert.ok(failures > 50, `most mutations must be caught (${failures})`);
    });
  }

  const PER_CLASS = 10;
  const tally = new Map<string, number>();
  for (const side of ["client", "server"] as const) {
    it(`${side} victim: the issue 13 classes, ${PER_CLASS} cases each, exact alerts`, async () => {
      const records = side === "client" ? fromServer : fromClient;
      for (const [cls, build] of Object.entries(CLASSES_12)) {
        const r = prng(0x1213 + cls.length * 31 + (side === "client" ? 0 : 1));
        for (let i = 0; i < PER_CLASS; i++) {
          const c = build(records, side, r);
          if (!c) break;
          const conn = side === "client"
            ? await UnbufferedClientConnection.create(clientConfig, "localhost")
            : new UnbufferedServerConnection(c.tls12OnlyServer ? serverConfig12 : serverConfig);
          const err = await feed(conn, joinBytes(c.input));
          const label = `${side} ${cls} case ${i}: ${c.what}`;
          assert.ok(err instanceof TlsError, `${label}: ${String(err)}`);
          assert.equal(err.alertDirection, "sent", `${label}: ${err.message}`);
          assert.equal(err.alert, c.alert, `${label}: ${err.message}`);
          assert.ok(isTlsErrorDetail(err.detail), `${label}: detail ${err.detail}`);
          tally.set(cls, (tally.get(cls) ?? 0) + 1);
        }
      }
    });
  }

  it("every TLS 1.2 class was generated and ended in its alert", () => {
    for (const cls of Object.keys(CLASSES_12)) {
      assert.ok((tally.get(cls) ?? 0) >= PER_CLASS, `${cls}: ${JSON.stringify([...tally])}`);
    }
  });
});
