// Issue 15 item 2: one post-handshake policy. Every row is run against both
// ways of reading the peer's records after the handshake: the connection
// (UnbufferedClientConnection / UnbufferedServerConnection) and
// KernelRecordLayer after dangerousIntoKernelConnection(). Both must reach the
// row's outcome: accepted with the same data, or the same error (kind, detail,
// alert). The peer's records are sealed under its real traffic keys.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  type Answer,
  type Forger,
  makePairPki,
  type Outcome,
  type Side,
  type Version,
  viaConnection,
  viaKernel,
  victimAndForger,
} from "./_policy_paths.ts";
import { joinBytes } from "./_pair.ts";
import { KernelRecordLayer } from "../src/kernel/record_layer.ts";
import { TlsError } from "../src/error.ts";

const HS = 22;
const ALERT = 21;
const DATA = 23;

const utf8 = (s: string) => new TextEncoder().encode(s);
const data = (f: Forger, s: string) => f.record(DATA, utf8(s));
const alert = (f: Forger, level: number, description: number) =>
  f.record(ALERT, [level, description]);

async function repeat(n: number, make: () => Promise<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) out.push(await make());
  return out;
}

/** A NewSessionTicket (RFC 8446 4.6.1): lifetime 3600 s, nonce 9, ticket "tkt". */
const NST_BODY = [0, 0, 0x0e, 0x10, 1, 2, 3, 4, 1, 9, 0, 3, 0x74, 0x6b, 0x74, 0, 0];
const NST = [4, 0, 0, NST_BODY.length, ...NST_BODY];

const ok = (text = "", peerClosed = false): Outcome => ({ accepted: true, data: text, peerClosed });
const refused = (kind: string, detail: string | undefined, alert: number): Outcome => ({
  accepted: false,
  kind,
  detail,
  alert,
});
const UNEXPECTED = 10;

interface Row {
  what: string;
  /** Who receives the forged records. */
  victim: Side;
  versions: readonly Version[];
  input: (f: Forger) => Promise<Uint8Array[]>;
  expect: Outcome;
}

const BOTH: readonly Version[] = ["TLSv1_3", "TLSv1_2"];
const TLS13: readonly Version[] = ["TLSv1_3"];
const TLS12: readonly Version[] = ["TLSv1_2"];

const rows: Row[] = [
  {
    what: "application data (baseline)",
    victim: "server",
    versions: BOTH,
    input: async (f) => [await data(f, "hello")],
    expect: ok("hello"),
  },
  {
    what: "32 empty records then data",
    victim: "server",
    versions: BOTH,
    input: async (f) => [...await repeat(32, () => data(f, "")), await data(f, "x")],
    expect: ok("x"),
  },
  {
    what: "33 empty records",
    victim: "server",
    versions: BOTH,
    input: (f) => repeat(33, () => data(f, "")),
    expect: refused("PeerMisbehaved", "TooManyEmptyRecords", UNEXPECTED),
  },
  {
    what: "empty records with data between them go on",
    victim: "client",
    versions: BOTH,
    input: async (f) => {
      const out: Uint8Array[] = [];
      for (let i = 0; i < 3; i++) {
        out.push(...await repeat(30, () => data(f, "")), await data(f, "y"));
      }
      return out;
    },
    expect: ok("yyy"),
  },
  {
    what: "user_canceled as warning then data",
    victim: "server",
    versions: BOTH,
    input: async (f) => [await alert(f, 1, 90), await data(f, "after")],
    expect: ok("after"),
  },
  {
    what: "user_canceled as warning then close_notify",
    victim: "client",
    versions: BOTH,
    input: async (f) => [await alert(f, 1, 90), await alert(f, 1, 0)],
    expect: ok("", true),
  },
  {
    what: "33 user_canceled warnings",
    victim: "server",
    versions: BOTH,
    input: (f) => repeat(33, () => alert(f, 1, 90)),
    expect: refused("PeerMisbehaved", "TooManyEmptyRecords", UNEXPECTED),
  },
  {
    what: "user_canceled as fatal",
    victim: "server",
    versions: BOTH,
    input: async (f) => [await alert(f, 2, 90), await data(f, "never")],
    expect: refused("AlertReceived", undefined, 90),
  },
  {
    what: "unknown warning alert (TLS 1.3: every alert but two is an error)",
    victim: "server",
    versions: TLS13,
    input: async (f) => [await alert(f, 1, 200), await data(f, "never")],
    expect: refused("AlertReceived", undefined, 200),
  },
  {
    what: "known non-closure warning alert in TLS 1.3",
    victim: "client",
    versions: TLS13,
    input: async (f) => [await alert(f, 1, 42)],
    expect: refused("AlertReceived", undefined, 42),
  },
  {
    what: "warning alerts in TLS 1.2 leave the connection up",
    victim: "server",
    versions: TLS12,
    input: async (f) => [await alert(f, 1, 200), await alert(f, 1, 42), await data(f, "z")],
    expect: ok("z"),
  },
  {
    what: "33 warning alerts in TLS 1.2",
    victim: "client",
    versions: TLS12,
    input: (f) => repeat(33, () => alert(f, 1, 100)),
    expect: refused("PeerMisbehaved", "TooManyEmptyRecords", UNEXPECTED),
  },
  {
    what: "fatal alert",
    victim: "client",
    versions: BOTH,
    input: async (f) => [await alert(f, 2, 40)],
    expect: refused("AlertReceived", undefined, 40),
  },
  {
    what: "alert of unknown level",
    victim: "server",
    versions: BOTH,
    input: async (f) => [await alert(f, 3, 90)],
    expect: refused("InvalidMessage", "InvalidAlert", 47),
  },
  {
    what: "empty alert",
    victim: "server",
    versions: BOTH,
    input: async (f) => [await f.record(ALERT, [])],
    expect: refused("InvalidMessage", "EmptyAlert", UNEXPECTED),
  },
  {
    what: "alert of three bytes",
    victim: "client",
    versions: BOTH,
    input: async (f) => [await f.record(ALERT, [1, 90, 0])],
    expect: refused("InvalidMessage", "InvalidAlertLength", 50),
  },
  {
    what: "close_notify at fatal level still closes",
    victim: "server",
    versions: BOTH,
    input: async (f) => [await data(f, "last"), await alert(f, 2, 0)],
    expect: ok("last", true),
  },
  {
    what: "data after close_notify",
    victim: "server",
    versions: BOTH,
    input: async (f) => [await alert(f, 1, 0), await data(f, "late")],
    expect: refused("PeerMisbehaved", "DataAfterCloseNotify", UNEXPECTED),
  },
  {
    what: "junk bytes after close_notify",
    victim: "client",
    versions: BOTH,
    input: async (f) => [await alert(f, 1, 0), new Uint8Array([0xff, 1, 2])],
    expect: refused("PeerMisbehaved", "DataAfterCloseNotify", UNEXPECTED),
  },
  {
    what: "change_cipher_spec after the handshake",
    victim: "server",
    versions: BOTH,
    input: () => Promise.resolve([new Uint8Array([20, 3, 3, 0, 1, 1])]),
    expect: refused("PeerMisbehaved", "IllegalMiddleboxChangeCipherSpec", UNEXPECTED),
  },
  {
    what: "KeyUpdate requesting an answer, then data",
    victim: "server",
    versions: TLS13,
    input: async (f) => [await f.keyUpdate(1), await data(f, "rotated")],
    expect: ok("rotated"),
  },
  {
    what: "32 KeyUpdates in a row then data",
    victim: "client",
    versions: TLS13,
    input: async (f) => [...await repeat(32, () => f.keyUpdate(1)), await data(f, "ok")],
    expect: ok("ok"),
  },
  {
    what: "KeyUpdate burst over the limit",
    victim: "server",
    versions: TLS13,
    input: async (f) => [...await repeat(33, () => f.keyUpdate(0)), await data(f, "never")],
    expect: refused("PeerMisbehaved", "TooManyKeyUpdateRequests", UNEXPECTED),
  },
  {
    what: "a KeyUpdate per byte of data runs out",
    victim: "server",
    versions: TLS13,
    input: async (f) => {
      const out: Uint8Array[] = [];
      for (let i = 0; i < 40; i++) out.push(await f.keyUpdate(1), await data(f, "b"));
      return out;
    },
    expect: refused("PeerMisbehaved", "TooManyKeyUpdateRequests", UNEXPECTED),
  },
  {
    what: "KeyUpdate with invalid request_update value",
    victim: "server",
    versions: TLS13,
    input: async (f) => [await f.record(HS, [24, 0, 0, 1, 2])],
    expect: refused("PeerMisbehaved", "IllegalKeyUpdateRequest", 47),
  },
  {
    what: "KeyUpdate with a second byte",
    victim: "client",
    versions: TLS13,
    input: async (f) => [await f.record(HS, [24, 0, 0, 2, 0, 0])],
    expect: refused("InvalidMessage", undefined, 50),
  },
  {
    what: "KeyUpdate followed by a fragment in its record",
    victim: "server",
    versions: TLS13,
    input: async (f) => [await f.record(HS, [24, 0, 0, 1, 0, 4, 0])],
    expect: refused("PeerMisbehaved", "KeyEpochWithPendingFragment", UNEXPECTED),
  },
  {
    what: "KeyUpdate in TLS 1.2",
    victim: "server",
    versions: TLS12,
    input: async (f) => [await f.record(HS, [24, 0, 0, 1, 0])],
    expect: refused("InappropriateMessage", "UnexpectedHandshakeMessage", UNEXPECTED),
  },
  {
    what: "handshake message fragment then application data interleaved",
    victim: "server",
    versions: BOTH,
    input: async (f) => [await f.record(HS, [24, 0, 0]), await data(f, "inside")],
    expect: refused("PeerMisbehaved", "InterleavedHandshakeFragment", UNEXPECTED),
  },
  {
    what: "handshake message fragment then user_canceled interleaved",
    victim: "client",
    versions: BOTH,
    input: async (f) => [await f.record(HS, NST.slice(0, 6)), await alert(f, 1, 90)],
    expect: refused("PeerMisbehaved", "InterleavedHandshakeFragment", UNEXPECTED),
  },
  {
    what: "handshake message fragment then close_notify interleaved",
    victim: "server",
    versions: BOTH,
    input: async (f) => [await f.record(HS, [24, 0]), await alert(f, 1, 0)],
    expect: refused("PeerMisbehaved", "InterleavedHandshakeFragment", UNEXPECTED),
  },
  {
    what: "empty handshake record",
    victim: "client",
    versions: BOTH,
    input: async (f) => [await f.record(HS, [])],
    expect: refused("InvalidMessage", "EmptyHandshakeFragment", UNEXPECTED),
  },
  {
    what: "NewSessionTicket to the client",
    victim: "client",
    versions: TLS13,
    input: async (f) => [await f.record(HS, NST), await data(f, "t")],
    expect: ok("t"),
  },
  {
    what: "NewSessionTicket split over two records",
    victim: "client",
    versions: TLS13,
    input: async (f) => [await f.record(HS, NST.slice(0, 7)), await f.record(HS, NST.slice(7))],
    expect: ok(),
  },
  {
    what: "malformed NewSessionTicket",
    victim: "client",
    versions: TLS13,
    input: async (f) => [await f.record(HS, [4, 0, 0, 2, 0, 0])],
    expect: refused("InvalidMessage", undefined, 50),
  },
  {
    what: "NewSessionTicket on server side",
    victim: "server",
    versions: TLS13,
    input: async (f) => [await f.record(HS, NST)],
    expect: refused("InappropriateMessage", "UnexpectedHandshakeMessage", UNEXPECTED),
  },
  {
    what: "NewSessionTicket after a TLS 1.2 handshake",
    victim: "client",
    versions: TLS12,
    input: async (f) => [await f.record(HS, NST)],
    expect: refused("InappropriateMessage", "UnexpectedHandshakeMessage", UNEXPECTED),
  },
  {
    what: "Finished after the handshake",
    victim: "client",
    versions: BOTH,
    input: async (f) => [await f.record(HS, [20, 0, 0, 1, 0])],
    expect: refused("InappropriateMessage", "UnexpectedHandshakeMessage", UNEXPECTED),
  },
  {
    what: "CertificateRequest after the handshake (no post-handshake auth offered)",
    victim: "client",
    versions: TLS13,
    input: async (f) => [await f.record(HS, [13, 0, 0, 0])],
    expect: refused("InappropriateMessage", "UnexpectedHandshakeMessage", UNEXPECTED),
  },
  {
    what: "HelloRequest is refused with a warning, and the data goes on",
    victim: "client",
    versions: TLS12,
    input: async (f) => [await f.record(HS, [0, 0, 0, 0]), await data(f, "still")],
    expect: ok("still"),
  },
  {
    what: "a second HelloRequest",
    victim: "client",
    versions: TLS12,
    input: async (f) => [await f.record(HS, [0, 0, 0, 0]), await f.record(HS, [0, 0, 0, 0])],
    expect: refused("PeerMisbehaved", "RenegotiationRefused", 100),
  },
  {
    what: "a client's renegotiating ClientHello, twice",
    victim: "server",
    versions: TLS12,
    input: async (f) => [await f.record(HS, [1, 0, 0, 0]), await f.record(HS, [1, 0, 0, 0])],
    expect: refused("PeerMisbehaved", "RenegotiationRefused", 100),
  },
  {
    what: "HelloRequest to a TLS 1.2 server",
    victim: "server",
    versions: TLS12,
    input: async (f) => [await f.record(HS, [0, 0, 0, 0])],
    expect: refused("InappropriateMessage", "UnexpectedHandshakeMessage", UNEXPECTED),
  },
];

const pki = makePairPki();

for (const version of ["TLSv1_3", "TLSv1_2"] as const) {
  describe(`issue 15 item 2: one post-handshake policy, ${version}, connection and kernel agree`, () => {
    for (const row of rows.filter((r) => r.versions.includes(version))) {
      it(`${row.what} (${row.victim} as victim)`, async () => {
        const outcomes: Outcome[] = [];
        const answers: Answer[] = [];
        for (const path of [viaConnection, viaKernel]) {
          const { victim, forger, listener } = await victimAndForger(pki, version, row.victim);
          const input = joinBytes(await row.input(forger));
          const { outcome, sent } = await path(victim, input);
          outcomes.push(outcome);
          answers.push(await listener.read(sent));
        }
        const [connection, kernel] = outcomes;
        assert.deepEqual(kernel, connection, "the kernel path differs from the connection");
        if (row.expect.accepted || row.expect.detail !== undefined) {
          assert.deepEqual(connection, row.expect);
        } else {
          assert.deepEqual({ ...connection, detail: undefined }, row.expect);
        }
        // The same alert on the wire: what the attacker reads back from the victim.
        const [heardFromConnection, heardFromKernel] = answers;
        if (connection.accepted) {
          // The same answers too (a KeyUpdate, a no_renegotiation warning), and no alert.
          assert.deepEqual(heardFromKernel, heardFromConnection, "answers differ");
          assert.equal(heardFromConnection.alert, undefined);
        } else if (connection.kind === "AlertReceived") {
          assert.equal(heardFromConnection.alert, undefined, "no alert answers an alert");
          assert.equal(heardFromKernel.alert, undefined, "no alert answers an alert");
        } else {
          assert.equal(
            heardFromConnection.alert,
            connection.alert,
            "connection's alert on the wire",
          );
          assert.equal(heardFromKernel.alert, connection.alert, "kernel's alert on the wire");
        }
      });
    }
  });
}

describe("issue 15 item 2: the KeyUpdate allowance carries over the hand-off", () => {
  it("maxKeyUpdates 3: two KeyUpdates before the hand-off, the second after it is refused", async () => {
    const limit = { maxKeyUpdates: 3 };
    // The connection alone: the 4th KeyUpdate is one too many.
    const alone = await victimAndForger(pki, "TLSv1_3", "server", limit);
    const four = joinBytes(await repeat(4, () => alone.forger.keyUpdate(0)));
    const onlyConnection = (await viaConnection(alone.victim, four)).outcome;
    assert.deepEqual(
      onlyConnection,
      refused("PeerMisbehaved", "TooManyKeyUpdateRequests", UNEXPECTED),
    );
    // Two on the connection, then the hand-off: the kernel layer takes one more, not two.
    const { victim, forger } = await victimAndForger(pki, "TLSv1_3", "server", limit);
    const two = joinBytes(await repeat(2, () => forger.keyUpdate(0)));
    assert.deepEqual((await viaConnection(victim, two)).outcome, ok());
    const third = await forger.keyUpdate(0);
    const fourth = await forger.keyUpdate(0);
    const { secrets, connection } = await victim.dangerousIntoKernelConnection();
    assert.deepEqual(connection.peerKeyUpdates, { max: 3, taken: 2 });
    const layer = await KernelRecordLayer.create(secrets, connection);
    assert.equal((await layer.open(third)).data.length, 0);
    await assert.rejects(layer.open(fourth), (e) => {
      assert.ok(e instanceof TlsError);
      assert.deepEqual(
        { accepted: false, kind: e.kind, detail: e.detail, alert: e.alert },
        onlyConnection,
      );
      assert.match(e.message, /more than 3 KeyUpdate/);
      return true;
    });
  });
});
