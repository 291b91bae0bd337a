// Hostile input at every handshake state, from a fixed seed.
//
// A client and a server with frozen randomness and frozen key shares (and an
// Ed25519 server key, whose signatures are deterministic) repeat the same
// handshake byte for byte. So the records one side sent in a recorded run
// are valid input for a fresh connection of the other side, and a victim can
// be walked to any point of the handshake with genuine records before it is
// fed mutated ones: truncated, bit-flipped, reordered, skipped, duplicated,
// oversized, zero-length, garbage, junk after close_notify, and re-encrypted
// records whose plaintext was changed (huge handshake lengths, wrong message
// types, wrong inner content types).
//
// Every case must end in a normal continuation, or in a TlsError with an
// alert (never internal_error, never another error type, never a hang);
// a failed connection then offers exactly one alert record once and rejects
// every later call with the same error.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ClientConfig } from "../src/client/config.ts";
import { ServerConfig } from "../src/server/config.ts";
import { UnbufferedClientConnection, UnbufferedServerConnection } from "../src/conn/unbuffered.ts";
import { TlsError } from "../src/error.ts";
import { isTlsErrorDetail } from "../src/error_details.ts";
import { webCryptoProvider } from "../src/crypto/webcrypto/provider.ts";
import { aes128Gcm } from "../src/crypto/webcrypto/aead.ts";
import { hmacSha256 } from "../src/crypto/webcrypto/hash.ts";
import type { ActiveKeyExchange, CryptoProvider, KeyExchangeGroup } from "../src/crypto/types.ts";
import { trafficKeys } from "../src/tls13/key_schedule.ts";
import { Tls13Reader } from "../src/record/record_io.ts";
import {
  type Epoch,
  header,
  offeredExtensions,
  opened,
  type Rec,
  sealedAt,
  type Stream,
  type Target,
} from "./_hostile_records.ts";
import { TARGETED } from "./_hostile_mutations.ts";
import { clientAuthVerifier, makePairPki, type PairPki, utf8 } from "./_pair_setup.ts";
import { Endpoint, joinBytes, runPair, splitRecords } from "./_pair.ts";
import { prng } from "./_prng.ts";

/** Every key exchange reuses one key pair per group, so handshakes repeat exactly. */
function frozenProvider(base: CryptoProvider): CryptoProvider {
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

const fixedRandom = (n: number): Uint8Array => new Uint8Array(n).fill(0x5a);

interface Scenario {
  name: string;
  clientConfig: ClientConfig;
  serverConfig: ServerConfig;
  /** What the client sent (input for a server victim). */
  toServer: Stream;
  /** What the server sent (input for a client victim). */
  toClient: Stream;
}

function annotate(batches: readonly Uint8Array[], secrets: Stream["secrets"]): Stream {
  const records: Rec[] = [];
  let firstEncryptedBatch = -1;
  const seqs = { hs: 0, app: 0 };
  batches.forEach((batch, b) => {
    for (const r of splitRecords(batch)) {
      let epoch: Epoch = "plain";
      if (r.type === 23) {
        if (firstEncryptedBatch < 0) firstEncryptedBatch = b;
        epoch = b === firstEncryptedBatch ? "hs" : "app";
      }
      records.push({ bytes: r.bytes, epoch, seq: epoch === "plain" ? 0 : seqs[epoch]++ });
    }
  });
  return { records, secrets };
}

async function record(
  name: string,
  serverOpts: Record<string, unknown>,
  clientOpts: Record<string, unknown>,
  pki: PairPki,
  provider: CryptoProvider,
): Promise<Scenario> {
  const keys = new Map<string, Uint8Array>();
  const keyLog = (label: string, _r: Uint8Array, secret: Uint8Array): void => {
    keys.set(label, secret.slice());
  };
  const leaf = pki.leaves.ed25519;
  const serverConfig = new ServerConfig({
    provider,
    randomBytes: fixedRandom,
    cipherSuites: [0x1301],
    certificateChain: leaf.certPem,
    privateKey: leaf.keyPem,
    keyLog,
    ...serverOpts,
  });
  const clientConfig = new ClientConfig({
    provider,
    randomBytes: fixedRandom,
    cipherSuites: [0x1301],
    roots: pki.roots(),
    resumption: false,
    keyLog,
    now: () => new Date(),
    ...clientOpts,
  });
  const client = new Endpoint(await UnbufferedClientConnection.create(clientConfig, "localhost"));
  const server = new Endpoint(new UnbufferedServerConnection(serverConfig));
  client.pendingWrites.push(utf8("ping"));
  server.pendingWrites.push(utf8("pong"));
  await runPair(client, server);
  client.closeAfterWrites = true;
  await runPair(client, server);
  server.closeAfterWrites = true;
  await runPair(client, server);
  assert.equal(server.peerClosed && client.peerClosed, true, `${name}: recorded run completed`);
  const k = (label: string): Uint8Array => {
    const v = keys.get(label);
    assert.ok(v, label);
    return v;
  };
  return {
    name,
    clientConfig,
    serverConfig,
    toServer: annotate(client.sent, {
      hs: k("CLIENT_HANDSHAKE_TRAFFIC_SECRET"),
      app: k("CLIENT_TRAFFIC_SECRET_0"),
    }),
    toClient: annotate(server.sent, {
      hs: k("SERVER_HANDSHAKE_TRAFFIC_SECRET"),
      app: k("SERVER_TRAFFIC_SECRET_0"),
    }),
  };
}

const sealed = (stream: Stream, rec: Rec, type: number, plaintext: Uint8Array) =>
  sealedAt(stream, rec.epoch, rec.seq, type, plaintext);

/** One hostile case: the input and what we may assert about its alert. */
interface Case {
  what: string;
  input: Uint8Array;
  /** The exact alert this case must end in, when there is one. */
  alert?: number;
  /**
   * True when every handshake record in clear reached the victim unchanged,
   * so its keys are the recorded ones (otherwise a changed hello gives it
   * other keys, and its encrypted alert cannot be opened here).
   */
  keysIntact: boolean;
}

type Rng = ReturnType<typeof prng>;

const MUTATIONS = [
  "truncate",
  "truncateFixLength",
  "flipHeader",
  "flipBody",
  "swap",
  "skip",
  "duplicate",
  "oversize",
  "garbage",
  "unknownType",
  "zeroLength",
  "alert",
  "innerTruncate",
  "innerFlip",
  "innerHugeLength",
  "innerType",
  "innerContentType",
  "innerEmpty",
  "innerOtherMessage",
  "plainHugeLength",
  "plainType",
] as const;

async function makeCase(stream: Stream, rng: Rng): Promise<Case> {
  const recs = stream.records;
  const n = recs.length;
  const i = rng.int(n + 1);
  const prefix = recs.slice(0, i).map((r) => r.bytes);
  const rec = recs[i] as Rec | undefined;
  const rest = (from: number): Uint8Array[] =>
    rng.int(2) === 0 ? recs.slice(from).map((r) => r.bytes) : [];
  const at = `record ${i}/${n}`;
  let lastClearHandshake = -1;
  recs.forEach((r, k) => {
    if (r.epoch === "plain" && r.bytes[0] === 22) lastClearHandshake = k;
  });
  const done = (what: string, parts: Uint8Array[], alert?: number): Case => ({
    what: `${what} at ${at}`,
    input: joinBytes([...prefix, ...parts]),
    alert,
    keysIntact: i > lastClearHandshake,
  });
  if (!rec) {
    // After the last record (the close_notify): anything more is junk.
    const junk = rng.int(2) === 0
      ? joinBytes([header(rng.pick([21, 22, 23]), 20), rng.bytes(20)])
      : rng.bytes(1 + rng.int(40));
    // A junk prefix shorter than a header is not yet a record; the rule needs bytes.
    return done("junk after close_notify", [junk], 10);
  }
  const m = rng.pick(MUTATIONS);
  const b = rec.bytes;
  const enc = rec.epoch !== "plain";
  switch (m) {
    case "truncate":
      return done(m, [b.subarray(0, 1 + rng.int(b.length - 1))]);
    case "truncateFixLength": {
      const cut = b.slice(0, 5 + rng.int(b.length - 5));
      cut[3] = (cut.length - 5) >> 8;
      cut[4] = (cut.length - 5) & 0xff;
      return done(m, [cut, ...rest(i + 1)]);
    }
    case "flipHeader": {
      const c = b.slice();
      c[rng.int(5)] ^= 1 << rng.int(8);
      return done(m, [c, ...rest(i + 1)]);
    }
    case "flipBody": {
      if (b.length <= 5) return done(m, [b]);
      const c = b.slice();
      c[5 + rng.int(b.length - 5)] ^= 1 << rng.int(8);
      return done(m, [c, ...rest(i + 1)], enc ? 20 : undefined);
    }
    case "swap":
      return i + 1 < n ? done(m, [recs[i + 1].bytes, b, ...rest(i + 2)]) : done(m, [b]);
    case "skip":
      return done(m, recs.slice(i + 1).map((r) => r.bytes));
    case "duplicate":
      return done(m, [b, b, ...rest(i + 1)]);
    case "oversize": {
      const c = b.slice();
      const len = 16641 + rng.int(65535 - 16641);
      c[3] = len >> 8;
      c[4] = len & 0xff;
      return done(m, [c, ...rest(i + 1)], 22);
    }
    case "garbage": {
      const len = rng.int(300);
      return done(m, [header(rng.pick([20, 21, 22, 23]), len), rng.bytes(len), ...rest(i)]);
    }
    case "unknownType": {
      const t = rng.pick([0, 19, 24, 25, 0x80, 0xff]);
      return done(m, [header(t, 4), rng.bytes(4)], 10);
    }
    case "zeroLength":
      return done(m, [header(rng.pick([20, 21, 22, 23]), 0), ...rest(i)]);
    case "alert": {
      const body = new Uint8Array([rng.pick([1, 2, 3]), rng.pick([0, 10, 40, 90, 255])]);
      if (!enc) return done(m, [header(21, 2), body, ...rest(i)]);
      return done(m, [await sealed(stream, rec, 21, body)]);
    }
    default:
      break;
  }
  if (m.startsWith("inner")) {
    if (!enc) return done(`${m} (plain: duplicate)`, [b, b]);
    const { type, plaintext: p } = await opened(stream, rec);
    const reseal = (t: number, q: Uint8Array): Promise<Uint8Array> => sealed(stream, rec, t, q);
    switch (m) {
      case "innerTruncate":
        return done(m, [await reseal(type, p.subarray(0, rng.int(p.length))), ...rest(i + 1)]);
      case "innerFlip": {
        const q = p.slice();
        if (q.length > 0) q[rng.int(q.length)] ^= 1 << rng.int(8);
        return done(m, [await reseal(type, q), ...rest(i + 1)]);
      }
      case "innerHugeLength": {
        const q = p.slice();
        if (q.length >= 4) {
          const len = rng.int(2) === 0 ? 0xffffff : 0x40000 + rng.int(0xbffff);
          q.set([len >> 16, (len >> 8) & 0xff, len & 0xff], 1);
        }
        return done(m, [await reseal(type, q), ...rest(i + 1)]);
      }
      case "innerType": {
        const q = p.slice();
        if (q.length > 0) q[0] = rng.pick([0, 1, 2, 4, 5, 8, 11, 13, 15, 20, 24, 254]);
        return done(m, [await reseal(type, q), ...rest(i + 1)]);
      }
      case "innerContentType":
        return done(m, [await reseal(rng.pick([0, 20, 21, 22, 23, 24, 0x7f]), p), ...rest(i + 1)]);
      case "innerEmpty":
        return done(m, [await reseal(type, new Uint8Array(0)), ...rest(i + 1)]);
      default: {
        // Another record's plaintext in this record's slot: a message out of order.
        const others = recs.filter((r) => r.epoch !== "plain" && r !== rec);
        if (others.length === 0) return done(m, [b]);
        const o = rng.pick(others);
        const { type: t2, plaintext: q } = await opened(stream, o);
        return done(`${m} (${o.epoch} ${o.seq})`, [await reseal(t2, q), ...rest(i + 1)]);
      }
    }
  }
  // plainHugeLength / plainType: handshake records in clear.
  if (enc || rec.bytes[0] !== 22 || b.length < 9) return done(`${m} (not clear handshake)`, [b, b]);
  const c = b.slice();
  if (m === "plainHugeLength") {
    const len = rng.int(2) === 0 ? 0xffffff : 0x40000 + rng.int(0xbffff);
    c.set([len >> 16, (len >> 8) & 0xff, len & 0xff], 6);
  } else {
    c[5] = rng.pick([0, 2, 4, 8, 11, 13, 15, 20, 24, 254]);
  }
  return done(m, [c, ...rest(i + 1)]);
}

/** The connection under test. */
type Victim = UnbufferedClientConnection | UnbufferedServerConnection;

interface Outcome {
  error?: TlsError;
  settled?: string;
  calls: number;
}

const MAX_CALLS = 500;

/** Issue 15 item 5: an error we raise names its failure with a listed detail. */
function assertListedDetail(e: TlsError, label: string): void {
  if (e.alertDirection === "received") return;
  assert.ok(isTlsErrorDetail(e.detail), `${label}: detail ${e.detail} (${e.message})`);
}

/** Drives `conn` over `input` (in chunks when `chunks` is set) until it settles or fails. */
async function drive(conn: Victim, input: Uint8Array, chunks: Rng | undefined): Promise<Outcome> {
  let shown = chunks ? 0 : input.length;
  let start = 0;
  for (let calls = 1; calls <= MAX_CALLS; calls++) {
    let status;
    try {
      status = await conn.processTlsRecords(input.subarray(start, shown));
    } catch (e) {
      if (!(e instanceof TlsError)) throw e;
      return { error: e, calls };
    }
    const { state } = status;
    let used = status.discard;
    switch (state.kind) {
      case "EncodeTlsData": {
        const out = new Uint8Array(state.requiredSize);
        await state.encode(out);
        start += used;
        continue;
      }
      case "TransmitTlsData":
        state.done();
        start += used;
        continue;
      case "ReadTraffic":
        for (let r = state.nextRecord(); r; r = state.nextRecord()) used += r.discard;
        start += used;
        continue;
      case "PeerClosed":
        start += used;
        continue;
      default:
        start += used;
        if (used > 0) continue;
        if (shown < input.length) {
          shown = Math.min(input.length, shown + 1 + chunks!.int(64));
          continue;
        }
        return { settled: state.kind, calls };
    }
  }
  assert.fail("no progress bound: the connection did not settle");
}

const ALERT_RECORD_PLAIN = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02];

/** After a failure: one alert record once, then the same error forever. */
/** Opens the victim's encrypted alert: tries its send secrets at the first few sequence numbers. */
async function openAlert(
  record: Uint8Array,
  secrets: Stream["secrets"],
): Promise<{ type: number; plaintext: Uint8Array } | undefined> {
  for (const secret of [secrets.hs, secrets.app]) {
    const { key, iv } = await trafficKeys(hmacSha256, aes128Gcm, secret);
    for (let seq = 0n; seq < 8n; seq++) {
      const reader = await Tls13Reader.create(aes128Gcm, key, iv, seq);
      try {
        const { contentType, plaintext } = await reader.open(
          record.subarray(0, 5),
          record.subarray(5),
        );
        return { type: contentType, plaintext: plaintext.slice() };
      } catch {
        // Not this key or sequence number.
      }
    }
  }
  return undefined;
}

async function checkDead(
  conn: Victim,
  err: TlsError,
  sendSecrets: Stream["secrets"] | undefined,
): Promise<"plain" | "encrypted" | "none"> {
  let kind: "plain" | "encrypted" | "none" = "none";
  if (err.alertDirection === "sent") {
    const { state } = await conn.processTlsRecords(new Uint8Array(0));
    assert.equal(state.kind, "EncodeTlsData", "the fatal alert is offered");
    if (state.kind !== "EncodeTlsData") return kind;
    const out = new Uint8Array(state.requiredSize);
    const n = await state.encode(out);
    const records = splitRecords(out.subarray(0, n));
    assert.equal(records.length, 1, "exactly one alert record");
    assert.equal(records[0].bytes.length, n);
    if (out[0] === 0x15) {
      assert.deepEqual([...out.subarray(0, n)], [...ALERT_RECORD_PLAIN, err.alert]);
      kind = "plain";
    } else {
      // AES-128-GCM: 2 alert bytes, the inner content type, a 16-byte tag.
      assert.deepEqual([...out.subarray(0, 5)], [0x17, 0x03, 0x03, 0x00, 19]);
      assert.equal(n, 24);
      if (sendSecrets) {
        const alert = await openAlert(out.subarray(0, n), sendSecrets);
        assert.ok(alert, "the alert record opens under the victim's send keys");
        assert.equal(alert.type, 21);
        assert.deepEqual([...alert.plaintext], [2, err.alert]);
        kind = "encrypted";
      } else kind = "encrypted";
    }
    const next = await conn.processTlsRecords(new Uint8Array(0));
    assert.equal(next.state.kind, "TransmitTlsData");
    if (next.state.kind === "TransmitTlsData") next.state.done();
  } else {
    assert.equal(err.kind, "AlertReceived");
  }
  for (let k = 0; k < 2; k++) {
    await assert.rejects(
      conn.processTlsRecords(new Uint8Array([0x16, 3, 3, 0, 1, 1])),
      (e) => e === err,
    );
  }
  return kind;
}

describe("hostile input from a fixed seed", () => {
  let pki: PairPki;
  const scenarios: Scenario[] = [];
  let otherP256Share: Uint8Array;

  before(async () => {
    pki = makePairPki(["ed25519"]);
    const base = await webCryptoProvider();
    const provider = frozenProvider(base);
    const p256 = base.kxGroups.find((g) => g.group === 0x17);
    assert.ok(p256, "P-256 key exchange");
    otherP256Share = (await p256.start()).publicKey;
    scenarios.push(
      await record("full", {}, { kxGroups: [0x1d] }, pki, provider),
      await record("HRR", { kxGroups: [0x17] }, { kxGroups: [0x1d, 0x17] }, pki, provider),
      await record(
        "client auth",
        { clientCertVerifier: clientAuthVerifier(pki, true) },
        {
          kxGroups: [0x1d],
          certificateChain: pki.client.certPem,
          privateKey: pki.client.keyPem,
        },
        pki,
        provider,
      ),
    );
  });
  after(() => pki.cleanup());

  it("the recorded streams replay cleanly to fresh connections", async () => {
    for (const s of scenarios) {
      const server = new UnbufferedServerConnection(s.serverConfig);
      const a = await drive(server, joinBytes(s.toServer.records.map((r) => r.bytes)), undefined);
      assert.equal(a.error, undefined, `${s.name} server: ${a.error?.message}`);
      assert.equal(server.isHandshaking, false);
      const client = await UnbufferedClientConnection.create(s.clientConfig, "localhost");
      const b = await drive(client, joinBytes(s.toClient.records.map((r) => r.bytes)), undefined);
      assert.equal(b.error, undefined, `${s.name} client: ${b.error?.message}`);
      assert.equal(client.isHandshaking, false);
      assert.ok(s.toServer.records.some((r) => r.epoch === "hs"));
      assert.ok(s.toClient.records.some((r) => r.epoch === "app"));
    }
  });

  // One seed per victim, so each case list is fixed on its own.
  const VICTIMS = [0, 1, 2].flatMap((sc) =>
    (["server", "client"] as const).map((side) => ({ sc, side }))
  );
  const CASES_PER_VICTIM = 500;
  const tally = new Map<string, number>();
  const count = (k: string): void => {
    tally.set(k, (tally.get(k) ?? 0) + 1);
  };
  let cases = 0;

  for (const { sc, side } of VICTIMS) {
    it(
      `scenario ${sc} (${
        ["full", "HRR", "client auth"][sc]
      }), ${side} as victim: ${CASES_PER_VICTIM} mutated inputs`,
      {
        timeout: 120_000,
      },
      async () => {
        const s = scenarios[sc];
        const rng = prng(0x5eed + sc * 2 + (side === "server" ? 0 : 1));
        const stream = side === "server" ? s.toServer : s.toClient;
        for (let c = 0; c < CASES_PER_VICTIM; c++) {
          const hostile = await makeCase(stream, rng);
          const label = `${s.name} ${side} case ${c}: ${hostile.what}`;
          const conn: Victim = side === "server"
            ? new UnbufferedServerConnection(s.serverConfig)
            : await UnbufferedClientConnection.create(s.clientConfig, "localhost");
          const chunks = rng.int(4) === 0 ? prng(rng.int(1 << 30)) : undefined;
          const out = await drive(conn, hostile.input, chunks);
          cases++;
          if (out.error) {
            const e = out.error;
            assert.ok(e.alert !== undefined, `${label}: no alert on ${e.kind} ${e.message}`);
            assertListedDetail(e, label);
            assert.notEqual(
              e.alert,
              80,
              `${label}: internal_error (${e.message}; ${String(e.cause)})`,
            );
            if (hostile.alert !== undefined && e.alertDirection === "sent") {
              assert.equal(e.alert, hostile.alert, `${label}: ${e.message}`);
            }
            count(`alert ${e.alert} ${e.alertDirection}`);
            // The victim sends with the other direction's secrets.
            const own = side === "server" ? s.toClient.secrets : s.toServer.secrets;
            const kind = await checkDead(conn, e, hostile.keysIntact ? own : undefined);
            count(`record ${kind}${kind === "encrypted" && hostile.keysIntact ? " opened" : ""}`);
          } else {
            assert.equal(hostile.alert, undefined, `${label}: expected alert ${hostile.alert}`);
            count(`settled ${out.settled}`);
          }
        }
      },
    );
  }

  it("the mix reached failures under both record protections", () => {
    assert.equal(cases, VICTIMS.length * CASES_PER_VICTIM);
    const t = JSON.stringify([...tally].sort());
    assert.ok((tally.get("record plain") ?? 0) > 50, t);
    assert.ok((tally.get("record encrypted opened") ?? 0) > 50, t);
    assert.ok((tally.get("alert 20 sent") ?? 0) > 20, t);
    assert.ok((tally.get("settled BlockedHandshake") ?? 0) > 20, t);
    if (globalThis.process?.env?.HOSTILE_TALLY) console.log(t);
  });

  // Issue 13: one class per rule, a fixed number of cases per applicable
  // victim, each asserting the exact alert the RFC names.
  const PER_CLASS = 12;
  const classTally = new Map<string, { generated: number; expected: number }>();
  for (const { sc, side } of VICTIMS) {
    it(`scenario ${sc}, ${side} as victim: targeted classes, ${PER_CLASS} cases each`, {
      timeout: 120_000,
    }, async () => {
      const s = scenarios[sc];
      const stream = side === "server" ? s.toServer : s.toClient;
      const target: Target = {
        side,
        scenario: s.name as Target["scenario"],
        stream,
        offered: offeredExtensions(s.toServer.records[0].bytes.subarray(5)),
        otherP256Share,
      };
      for (const [cls, build] of Object.entries(TARGETED)) {
        const rng = prng(0x13c0 + sc * 2 + (side === "server" ? 0 : 1) + cls.length * 97);
        for (let c = 0; c < PER_CLASS; c++) {
          const hostile = await build(target, rng);
          if (!hostile) break;
          const t = classTally.get(cls) ?? { generated: 0, expected: 0 };
          classTally.set(cls, t);
          t.generated++;
          const label = `${s.name} ${side} ${cls} case ${c}: ${hostile.what}`;
          const conn: Victim = side === "server"
            ? new UnbufferedServerConnection(s.serverConfig)
            : await UnbufferedClientConnection.create(s.clientConfig, "localhost");
          const chunks = rng.int(4) === 0 ? prng(rng.int(1 << 30)) : undefined;
          const out = await drive(conn, hostile.input, chunks);
          assert.ok(out.error, `${label}: settled ${out.settled}, expected alert ${hostile.alert}`);
          const e = out.error;
          assert.equal(e.alertDirection, "sent", `${label}: ${e.message}`);
          assert.equal(e.alert, hostile.alert, `${label}: ${e.message}`);
          assertListedDetail(e, label);
          const own = side === "server" ? s.toClient.secrets : s.toServer.secrets;
          await checkDead(conn, e, hostile.keysIntact ? own : undefined);
          t.expected++;
          count(`${cls} ${e.alert}`);
        }
      }
    });
  }

  it("every targeted class was generated and ended in its alert", () => {
    const t = JSON.stringify([...classTally].sort());
    for (const cls of Object.keys(TARGETED)) {
      const got = classTally.get(cls);
      assert.ok(got && got.generated >= PER_CLASS, `${cls} generated: ${t}`);
      assert.equal(got.expected, got.generated, `${cls}: ${t}`);
    }
    // Both halves of RFC 8446 4.2: unsolicited (110), and known but in the wrong message (47).
    const u = JSON.stringify([...tally].filter(([k]) => k.startsWith("unsolicited")));
    assert.ok((tally.get("unsolicited 110") ?? 0) >= 16, u);
    assert.ok((tally.get("unsolicited 47") ?? 0) >= 8, u);
    if (globalThis.process?.env?.HOSTILE_TALLY) console.log(t);
  });
});
