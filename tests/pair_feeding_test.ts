// How bytes reach the connection must not change the outcome: one byte per
// processTlsRecords call, a whole flight in one buffer, or random chunk sizes
// from a fixed seed all end in the same handshake and the same data.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { runPair, splitRecords } from "./_pair.ts";
import {
  clientAuthVerifier,
  connectPair,
  makePairPki,
  type Pair,
  type PairOptions,
  type PairPki,
} from "./_pair_setup.ts";
import { prng } from "./_prng.ts";

let pki: PairPki;

const clientData = new Uint8Array(3000).map((_, i) => i & 0xff);
const serverData = new Uint8Array(2000).map((_, i) => (i * 31) & 0xff);

interface Outcome {
  kind: [string | undefined, string | undefined];
  suite: [number | undefined, number | undefined];
  group: [number | undefined, number | undefined];
  alpn: [string | undefined, string | undefined];
  clientStates: readonly string[];
  serverStates: readonly string[];
  serverPeerCert: Uint8Array | undefined;
  toServer: Uint8Array;
  toClient: Uint8Array;
  closed: [boolean, boolean];
}

function outcome(p: Pair): Outcome {
  return {
    kind: [p.clientConn.handshakeKind, p.serverConn.handshakeKind],
    suite: [p.clientConn.negotiatedCipherSuite?.id, p.serverConn.negotiatedCipherSuite?.id],
    group: [
      p.clientConn.negotiatedKeyExchangeGroup?.group,
      p.serverConn.negotiatedKeyExchangeGroup?.group,
    ],
    alpn: [p.clientConn.alpnProtocol, p.serverConn.alpnProtocol],
    clientStates: p.clientConn.handshakeStates,
    serverStates: p.serverConn.handshakeStates,
    serverPeerCert: p.serverConn.peerCertificates?.[0],
    toServer: p.server.receivedBytes(),
    toClient: p.client.receivedBytes(),
    closed: [p.client.closed, p.server.closed],
  };
}

async function run(
  opts: PairOptions,
  setup: (p: Pair) => void,
): Promise<{ p: Pair; o: Outcome }> {
  const p = await connectPair(pki, { ...opts, noRun: true, clientData, serverData });
  setup(p);
  await runPair(p.client, p.server, 100_000);
  p.client.closeAfterWrites = true;
  await runPair(p.client, p.server, 100_000);
  p.server.closeAfterWrites = true;
  await runPair(p.client, p.server, 100_000);
  return { p, o: outcome(p) };
}

const SCENARIOS = [
  "full handshake with ALPN",
  "HelloRetryRequest",
  "client auth, no middlebox CCS",
];

function scenario(i: number): PairOptions {
  switch (i) {
    case 0:
      return { server: { alpnProtocols: ["h2"] }, client: { alpnProtocols: ["h2"] } };
    case 1:
      return { server: { kxGroups: [0x18] } };
    default:
      return {
        server: { clientCertVerifier: clientAuthVerifier(pki, true) },
        client: {
          middleboxCompat: false,
          certificateChain: pki.client.certPem,
          privateKey: pki.client.keyPem,
        },
      };
  }
}

describe("feeding", () => {
  before(() => {
    pki = makePairPki(["p256"]);
  });
  after(() => pki.cleanup());

  for (let i = 0; i < SCENARIOS.length; i++) {
    const name = SCENARIOS[i];
    describe(name, () => {
      let reference: Outcome;
      before(async () => {
        reference = (await run(scenario(i), () => {})).o;
        assert.deepEqual(reference.toServer, clientData);
        assert.deepEqual(reference.toClient, serverData);
        assert.deepEqual(reference.closed, [true, true]);
      });

      it("one byte per processTlsRecords call: same result", async () => {
        const { p, o } = await run(scenario(i), (p) => {
          p.client.chunk = p.server.chunk = 1;
        });
        assert.deepEqual(o, reference);
        // Every byte was really shown on its own.
        const sentToServer = p.client.sent.reduce((a, b) => a + b.length, 0);
        const sentToClient = p.server.sent.reduce((a, b) => a + b.length, 0);
        assert.ok(p.server.calls > sentToServer, `${p.server.calls} calls`);
        assert.ok(p.client.calls > sentToClient, `${p.client.calls} calls`);
      });

      it("random chunk sizes from a fixed seed: same result", async () => {
        for (const seed of [1, 7, 4242]) {
          const next = prng(seed).next;
          const { o } = await run(scenario(i), (p) => {
            p.client.chunkSizes = () => 1 + (next() % 700);
            p.server.chunkSizes = () => 1 + (next() % 700);
          });
          assert.deepEqual(o, reference, `seed ${seed}`);
        }
      });
    });
  }

  it("all of a flight's records in one buffer, and many data records at once", async () => {
    const { p, o } = await run(
      { client: { maxFragmentSize: 64 }, server: { maxFragmentSize: 64 } },
      () => {},
    );
    assert.deepEqual(o.toServer, clientData);
    assert.deepEqual(o.toClient, serverData);
    // The server's first flight went out as one buffer of several records and
    // was handed to the client in one piece.
    const flight = splitRecords(p.server.sent[0]);
    assert.ok(flight.length > 10, `${flight.length} records in the server's first flight`);
    assert.equal(flight.reduce((a, r) => a + r.bytes.length, 0), p.server.sent[0].length);
    // 3000 bytes in 64-byte records reached the server in one buffer and came
    // out as one ReadTraffic record each.
    assert.equal(p.server.received.length, Math.ceil(clientData.length / 64));
    assert.equal(p.client.received.length, Math.ceil(serverData.length / 64));
  });
});
