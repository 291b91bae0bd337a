// Issue 13 item 15: KeyUpdates cost the peer traffic. A client that sends a
// KeyUpdate (update_requested) and one byte of data, over and over, is cut off
// after the burst; rotations between real amounts of data, a burst of 32,
// and many requests while we stay silent (answered once) are fine.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { aes128Gcm } from "../src/crypto/webcrypto/aead.ts";
import { hmacSha256 } from "../src/crypto/webcrypto/hash.ts";
import { Tls13Writer } from "../src/record/record_io.ts";
import { nextTrafficSecret, trafficKeys } from "../src/tls13/key_schedule.ts";
import { AlertDescription, ContentType } from "../src/msgs/enums.ts";
import { makePairPki, type PairPki, utf8 } from "./_pair_setup.ts";
import { type TamperedPair, tamperedPair } from "./_tamper.ts";
import { splitRecords } from "./_pair.ts";

let pki: PairPki;
before(() => {
  pki = makePairPki();
});
after(() => pki.cleanup());

type Step = "update" | "request" | number;

/** Records a client would send from its first application record on: KeyUpdates and data. */
async function clientRecords(secret0: Uint8Array, steps: readonly Step[]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  let secret = secret0;
  let writer: Tls13Writer | undefined;
  for (const step of steps) {
    if (!writer) {
      const { key, iv } = await trafficKeys(hmacSha256, aes128Gcm, secret);
      writer = await Tls13Writer.create(aes128Gcm, key, iv);
    }
    if (typeof step === "number") {
      out.push(await writer.write(ContentType.application_data, new Uint8Array(step).fill(0x61)));
      continue;
    }
    const ku = new Uint8Array([24, 0, 0, 1, step === "request" ? 1 : 0]);
    out.push(await writer.write(ContentType.handshake, ku));
    secret = await nextTrafficSecret(hmacSha256, secret);
    writer = undefined;
  }
  return out;
}

/** Replaces the client's first application record with `steps`. */
async function run(steps: readonly Step[], maxKeyUpdates?: number): Promise<TamperedPair> {
  const keys = new Map<string, Uint8Array>();
  let done = false;
  return await tamperedPair(pki, {
    keys,
    server: maxKeyUpdates === undefined ? {} : { maxKeyUpdates },
    clientData: utf8("x"),
    toServer: async (rec) => {
      if (done || !rec.protected || rec.type !== ContentType.application_data) return undefined;
      done = true;
      const raws = await clientRecords(keys.get("CLIENT_TRAFFIC_SECRET_0")!, steps);
      return raws.map((raw) => ({ ...rec, raw }));
    },
  });
}

/** Records the server sent after the handshake (its flight is the first two batches). */
function serverRecordsAfterHandshake(r: TamperedPair): number {
  return r.server.sent.slice(1).flatMap((b) => splitRecords(b)).length;
}

describe("item 15: KeyUpdates are bounded by the traffic that carries them", () => {
  it("item 15: a KeyUpdate per byte of data is cut off after the burst (unexpected_message)", async () => {
    const steps: Step[] = [];
    for (let i = 0; i < 400; i++) steps.push("request", 1);
    const r = await run(steps);
    assert.equal(r.serverError?.alert, AlertDescription.unexpected_message);
    assert.equal(r.serverError?.detail, "TooManyKeyUpdateRequests");
    assert.ok(r.server.receivedBytes().length <= 32, `${r.server.receivedBytes().length} bytes`);
  });

  it("item 15: 32 KeyUpdates in a row are taken, the 33rd is not", async () => {
    const ok = await run([...Array(32).fill("update"), 5]);
    assert.equal(ok.serverError, undefined);
    assert.equal(ok.server.receivedBytes().length, 5);
    const bad = await run([...Array(33).fill("update"), 5]);
    assert.equal(bad.serverError?.detail, "TooManyKeyUpdateRequests");
  });

  it("item 15: one KeyUpdate per 16 KiB of data goes on for as long as the data does", async () => {
    const steps: Step[] = [];
    for (let i = 0; i < 100; i++) steps.push("request", 16384);
    const r = await run(steps);
    assert.equal(r.serverError, undefined);
    assert.equal(r.server.receivedBytes().length, 100 * 16384);
  });

  it("item 15: maxKeyUpdates caps the connection whatever the data", async () => {
    const steps: Step[] = [];
    for (let i = 0; i < 6; i++) steps.push("update", 16384);
    const ok = await run(steps.slice(0, 10), 5);
    assert.equal(ok.serverError, undefined);
    const bad = await run(steps, 5);
    assert.equal(bad.serverError?.detail, "TooManyKeyUpdateRequests");
    assert.match(bad.serverError!.message, /more than 5 KeyUpdate/);
  });

  it("item 15: requests that arrive while we stay silent are answered by one KeyUpdate", async () => {
    const one = await run(["request", 1]);
    const many = await run(["request", "request", "request", "request", 1]);
    assert.equal(one.serverError, undefined);
    assert.equal(many.serverError, undefined);
    assert.equal(serverRecordsAfterHandshake(many), serverRecordsAfterHandshake(one));
  });
});
