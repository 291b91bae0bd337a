// State transcripts of our client and server in memory: the exact state kinds
// processTlsRecords returns through a handshake, one exchange of data and a
// close (client first), and the handshake states each side walks through.
//
// Each move is one Endpoint.step(): processTlsRecords until the side is idle,
// encoding/sending what it asks for, writing queued data at the first chance
// (TransmitTlsData.mayEncryptAppData or WriteTraffic) and reading ReadTraffic.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  clientAuthVerifier,
  connectPair,
  makePairPki,
  type Pair,
  type PairOptions,
  type PairPki,
  text,
  utf8,
} from "./_pair_setup.ts";

let pki: PairPki;

type Move = ["client" | "server", string[]];

const E = "EncodeTlsData";
const T = "TransmitTlsData";
const B = "BlockedHandshake";
const W = "WriteTraffic";
const R = "ReadTraffic";
const P = "PeerClosed";
const C = "Closed";

/** The handshake part of a 1-RTT exchange (no HRR). */
const ONE_RTT: Move[] = [
  ["client", [E, T, B]], // ClientHello out
  ["server", [E, T, B]], // ServerHello .. Finished out; waits for the client's Finished
  ["client", [E, T, W]], // (CCS,) Finished out, with "ping" in the same flight
  ["server", [E, T, R, W]], // NewSessionTickets out with "pong"; then "ping" read
  ["client", [R, W]], // "pong" read
];

/** Client closes first, then the server. */
const CLOSE: Move[] = [
  ["client", [W, C]], // close_notify written; we closed (see note in the test)
  ["server", [P, W]], // the client's close_notify; the server may still write
  ["server", [W, C]], // server's close_notify
  ["client", [P, C]], // the server's close_notify
];

const HRR: Move[] = [
  ["client", [E, T, B]], // ClientHello with an X25519 share
  ["server", [E, T, B]], // HelloRetryRequest (plus CCS)
  ...ONE_RTT,
];

async function play(opts: PairOptions, moves: Move[]): Promise<Pair> {
  const p = await connectPair(pki, {
    ...opts,
    noRun: true,
    clientData: utf8("ping"),
    serverData: utf8("pong"),
  });
  p.client.peer = p.server;
  p.server.peer = p.client;
  let closing = false;
  for (const [who, expected] of moves) {
    const e = who === "client" ? p.client : p.server;
    if (expected[0] === W && expected[1] === C) e.closeAfterWrites = true;
    closing ||= e.closeAfterWrites;
    const before = e.allStates.length;
    await e.step();
    assert.deepEqual(e.allStates.slice(before), expected, `${who} move ${e.allStates.length}`);
  }
  assert.equal(text(p.server.receivedBytes()), "ping");
  assert.equal(text(p.client.receivedBytes()), "pong");
  assert.ok(closing);
  assert.equal(p.client.closed && p.server.closed, true);
  return p;
}

function flat(moves: Move[], who: "client" | "server"): string[] {
  return moves.filter((m) => m[0] === who).flatMap((m) => m[1]);
}

describe("state transcripts", () => {
  before(() => {
    pki = makePairPki(["p256"]);
  });
  after(() => pki.cleanup());

  it("full handshake, one exchange, close: state kinds on both sides", async () => {
    const p = await play({}, [...ONE_RTT, ...CLOSE]);
    // Written out in full, as the API user sees them.
    // Note: `Closed` comes right after our own close_notify, before the
    // peer's close_notify arrives (then PeerClosed, then Closed again).
    assert.deepEqual(p.client.allStates, [E, T, B, E, T, W, R, W, W, C, P, C]);
    assert.deepEqual(p.server.allStates, [E, T, B, E, T, R, W, P, W, W, C]);
    assert.deepEqual(p.client.allStates, flat([...ONE_RTT, ...CLOSE], "client"));
  });

  it("full handshake: handshake states", async () => {
    const p = await play({}, [...ONE_RTT, ...CLOSE]);
    const c = p.clientConn;
    const s = p.serverConn;
    assert.deepEqual(c.handshakeStates, [
      "ExpectServerHello",
      "ExpectEncryptedExtensions",
      "ExpectCertificateOrCertificateRequest",
      "ExpectCertificateVerify",
      "ExpectFinished",
      "ExpectTraffic",
    ]);
    assert.deepEqual(s.handshakeStates, ["ExpectClientHello", "ExpectFinished", "ExpectTraffic"]);
  });

  it("HelloRetryRequest: state kinds and handshake states", async () => {
    const p = await play({ server: { kxGroups: [0x18] } }, [...HRR, ...CLOSE]);
    assert.deepEqual(p.client.allStates, [E, T, B, E, T, B, E, T, W, R, W, W, C, P, C]);
    assert.deepEqual(p.server.allStates, [E, T, B, E, T, B, E, T, R, W, P, W, W, C]);
    const c = p.clientConn;
    const s = p.serverConn;
    // After the HRR the client awaits the ServerHello in its own state,
    // which refuses a second HRR; the server enters a fresh
    // ExpectClientHello for the second ClientHello.
    assert.deepEqual(c.handshakeStates, [
      "ExpectServerHello",
      "ExpectServerHelloAfterRetry",
      "ExpectEncryptedExtensions",
      "ExpectCertificateOrCertificateRequest",
      "ExpectCertificateVerify",
      "ExpectFinished",
      "ExpectTraffic",
    ]);
    assert.deepEqual(s.handshakeStates, [
      "ExpectClientHello",
      "ExpectClientHello",
      "ExpectFinished",
      "ExpectTraffic",
    ]);
  });

  it("client auth: state kinds and handshake states", async () => {
    const p = await play({
      server: { clientCertVerifier: clientAuthVerifier(pki, true) },
      client: { certificateChain: pki.client.certPem, privateKey: pki.client.keyPem },
    }, [...ONE_RTT, ...CLOSE]);
    assert.deepEqual(p.client.allStates, [E, T, B, E, T, W, R, W, W, C, P, C]);
    assert.deepEqual(p.server.allStates, [E, T, B, E, T, R, W, P, W, W, C]);
    const c = p.clientConn;
    const s = p.serverConn;
    assert.deepEqual(c.handshakeStates, [
      "ExpectServerHello",
      "ExpectEncryptedExtensions",
      "ExpectCertificateOrCertificateRequest",
      "ExpectCertificate",
      "ExpectCertificateVerify",
      "ExpectFinished",
      "ExpectTraffic",
    ]);
    assert.deepEqual(s.handshakeStates, [
      "ExpectClientHello",
      "ExpectCertificate",
      "ExpectCertificateVerify",
      "ExpectFinished",
      "ExpectTraffic",
    ]);
  });
});
