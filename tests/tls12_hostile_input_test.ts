// Hostile input for the TLS 1.2 states, from a fixed seed. Client and server
// use frozen randomness and frozen key shares, so a recorded handshake
// repeats byte for byte and the records one side sent are valid input for a
// fresh connection of the other side. The server key is RSA and the client
// offers only rsa_pkcs1_sha256, whose signatures are deterministic: the
// extended master secret covers the ServerKeyExchange signature. A victim is walked to
// each point of the handshake with genuine records and then fed a mutated
// one; every case must go on normally or end in a TlsError with an alert
// other than internal_error.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ClientConfig } from "../src/client/config.ts";
import { ServerConfig } from "../src/server/config.ts";
import { UnbufferedClientConnection, UnbufferedServerConnection } from "../src/conn/unbuffered.ts";
import { TlsError } from "../src/error.ts";
import { webCryptoProvider } from "../src/crypto/webcrypto/provider.ts";
import type { ActiveKeyExchange, CryptoProvider, KeyExchangeGroup } from "../src/crypto/types.ts";
import { type ServerCertVerifier, WebPkiServerVerifier } from "../src/webpki/verifier.ts";
import { SignatureScheme } from "../src/msgs/enums.ts";
import { makePairPki, type PairPki, utf8 } from "./_pair_setup.ts";
import { Endpoint, joinBytes, runPair, splitRecords } from "./_pair.ts";

function prng(seed: number): { int(n: number): number; bytes(n: number): Uint8Array } {
  let x = seed >>> 0 || 1;
  const next = (): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  return {
    int: (n) => next() % n,
    bytes: (n) => Uint8Array.from({ length: n }, () => next() & 0xff),
  };
}

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

describe("TLS 1.2 hostile input (seeded)", () => {
  let pki: PairPki;
  let provider: CryptoProvider;
  let clientConfig: ClientConfig;
  let serverConfig: ServerConfig;
  let fromServer: Uint8Array[];
  let fromClient: Uint8Array[];

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
    const client = new Endpoint(await UnbufferedClientConnection.create(clientConfig, "localhost"));
    const server = new Endpoint(new UnbufferedServerConnection(serverConfig));
    client.pendingWrites.push(utf8("client data"));
    server.pendingWrites.push(utf8("server data"));
    await runPair(client, server);
    fromServer = splitRecords(joinBytes(server.sent)).map((x) => x.bytes);
    fromClient = splitRecords(joinBytes(client.sent)).map((x) => x.bytes);
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
  });

  for (const side of ["client", "server"] as const) {
    it(`${side} victim: 150 mutations at every record position`, async () => {
      const r = prng(side === "client" ? 0x1202 : 0x1203);
      const records = side === "client" ? fromServer : fromClient;
      let failures = 0;
      for (let i = 0; i < 150; i++) {
        const at = r.int(records.length);
        const conn = side === "client"
          ? await UnbufferedClientConnection.create(clientConfig, "localhost")
          : new UnbufferedServerConnection(serverConfig);
        const err = await feed(conn, joinBytes(mutate(records, at, r)));
        if (err === undefined) continue;
        failures++;
        assert.ok(err instanceof TlsError, `case ${i}: ${String(err)}`);
        assert.notEqual(err.alert, 80, `case ${i}: internal_error: ${err.message}`);
        assert.ok(err.alert !== undefined, `case ${i}: no alert: ${err.message}`);
      }
      assert.ok(failures > 50, `most mutations must be caught (${failures})`);
    });
  }
});
