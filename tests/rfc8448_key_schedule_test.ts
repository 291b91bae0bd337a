// Every secret, traffic key/IV, Finished value, binder and resumption PSK of RFC
// 8448 sections 3-7, recomputed from the printed handshake messages and checked
// against the printed values. Also one KeyUpdate generation (given in issue 3).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { field, rfc8448Section, type TraceStep } from "./_rfc8448.ts";
import { fromHex, toHex } from "../src/_bytes.ts";
import { ExtensionType, HandshakeType } from "../src/msgs/enums.ts";
import { hmacSha256, sha256 } from "../src/crypto/webcrypto/hash.ts";
import { aes128Gcm } from "../src/crypto/webcrypto/aead.ts";
import { HandshakeJoiner, type HandshakeMessage } from "../src/record/handshake_joiner.ts";
import { Transcript } from "../src/tls13/transcript.ts";
import {
  binderValue,
  EarlySecret,
  finishedKey,
  finishedVerifyData,
  type HandshakeSecret,
  type MasterSecret,
  nextTrafficSecret,
  resumptionPsk,
  trafficKeys,
} from "../src/tls13/key_schedule.ts";

const hmac = hmacSha256;
const hash = sha256;

function eq(actual: Uint8Array, expected: Uint8Array, what: string): void {
  assert.equal(toHex(actual), toHex(expected), what);
}

/** Handshake messages in transcript order, from the printed record payloads. */
function handshakeMessages(section: number): HandshakeMessage[] {
  const joiner = new HandshakeJoiner();
  const out: HandshakeMessage[] = [];
  for (const step of rfc8448Section(section)) {
    if (step.title !== "send handshake record") continue;
    joiner.push(field(step, "payload"));
    for (let m = joiner.next(); m; m = joiner.next()) out.push(m);
    assert.ok(joiner.isEmpty, "records end on message boundaries");
  }
  return out;
}

/** Length of a ClientHello (encoded) up to, excluding, the PSK binders list. */
function binderOffset(encoded: Uint8Array): number {
  let p = 4 + 2 + 32;
  p += 1 + encoded[p]; // legacy_session_id
  p += 2 + ((encoded[p] << 8) | encoded[p + 1]); // cipher_suites
  p += 1 + encoded[p]; // legacy_compression_methods
  const end = p + 2 + ((encoded[p] << 8) | encoded[p + 1]);
  p += 2;
  let last = -1;
  let lastStart = 0;
  while (p < end) {
    last = (encoded[p] << 8) | encoded[p + 1];
    lastStart = p + 4;
    p += 4 + ((encoded[p + 2] << 8) | encoded[p + 3]);
  }
  assert.equal(last, ExtensionType.pre_shared_key, "pre_shared_key comes last");
  const identitiesLen = (encoded[lastStart] << 8) | encoded[lastStart + 1];
  return lastStart + 2 + identitiesLen;
}

async function isHelloRetryRequest(msg: HandshakeMessage): Promise<boolean> {
  // RFC 8446 4.1.3: the HRR random is SHA-256("HelloRetryRequest").
  const magic = await hash.digest(new TextEncoder().encode("HelloRetryRequest"));
  return toHex(msg.body.subarray(2, 34)) === toHex(magic);
}

function ticketNonce(body: Uint8Array): Uint8Array {
  const len = body[8]; // after ticket_lifetime (4) and ticket_age_add (4)
  return body.subarray(9, 9 + len);
}

/** Replays the key schedule of one section; returns how many printed values were checked. */
async function replay(section: number): Promise<number> {
  const steps = rfc8448Section(section);
  const printed = (who: "client" | "server" | undefined, prefix: string): TraceStep => {
    const s = steps.find((x) =>
      (who === undefined || x.who === who) && x.title.startsWith(prefix) && x.fields.length > 0
    );
    if (!s) throw new Error(`section ${section}: no printed step "${prefix}"`);
    return s;
  };
  const secrets = new Map<string, Uint8Array>(); // "tls13 c hs traffic" -> value
  const writeSecrets = new Map<string, Uint8Array>(); // "server handshake" -> value
  const finished = new Map<string, { base: Uint8Array; verify: Uint8Array }>();
  let checked = 0;

  let psk: Uint8Array | undefined;
  if (section === 4) {
    // The resumed handshake uses the ticket of section 3.
    psk = field(
      rfc8448Section(3).find((s) => s.title.startsWith('generate resumption secret "tls13'))!,
      "expanded",
    );
    eq(psk, field(printed(undefined, 'extract secret "early"'), "IKM"), "PSK from section 3");
    checked++;
  }
  const early = await EarlySecret.create(hmac, psk);
  const transcript = new Transcript();
  let handshake: HandshakeSecret | undefined;
  let master: MasterSecret | undefined;

  for (const msg of handshakeMessages(section)) {
    switch (msg.type) {
      case HandshakeType.client_hello: {
        if (psk) {
          const step = printed("client", "calculate PSK binder");
          const truncated = msg.encoded.subarray(0, binderOffset(msg.encoded));
          eq(truncated, field(step, "ClientHello prefix"), "truncated ClientHello");
          const binderHash = await transcript.hashWith(hash, truncated);
          eq(binderHash, field(step, "binder hash"), "binder hash");
          const binderKey = await early.binderKey("res");
          eq(binderKey, field(step, "PRK"), "binder key");
          eq(await finishedKey(hmac, binderKey), field(step, "expanded"), "binder finished key");
          const binder = await binderValue(hmac, binderKey, binderHash);
          eq(binder, field(step, "finished"), "PSK binder");
          eq(binder, msg.encoded.subarray(msg.encoded.length - 32), "binder in ClientHello");
          checked += 5;
        }
        transcript.add(msg.encoded);
        if (psk) {
          const h = await transcript.hash(hash);
          secrets.set("tls13 c e traffic", await early.clientEarlyTrafficSecret(h));
          secrets.set("tls13 e exp master", await early.earlyExporterMasterSecret(h));
          writeSecrets.set("client early application", secrets.get("tls13 c e traffic")!);
        }
        break;
      }
      case HandshakeType.server_hello: {
        if (await isHelloRetryRequest(msg)) {
          await transcript.rewriteForHelloRetryRequest(hash);
          assert.equal(transcript.byteLength, 4 + 32, "message_hash replaces ClientHello1");
          transcript.add(msg.encoded);
          break;
        }
        transcript.add(msg.encoded);
        const extractHs = printed("server", 'extract secret "handshake"');
        handshake = await early.toHandshake(field(extractHs, "IKM"));
        eq(handshake.dangerousExtractSecret(), field(extractHs, "secret"), "handshake secret");
        const h = await transcript.hash(hash);
        secrets.set("tls13 c hs traffic", await handshake.clientHandshakeTrafficSecret(h));
        secrets.set("tls13 s hs traffic", await handshake.serverHandshakeTrafficSecret(h));
        writeSecrets.set("client handshake", secrets.get("tls13 c hs traffic")!);
        writeSecrets.set("server handshake", secrets.get("tls13 s hs traffic")!);
        master = await handshake.toMaster();
        eq(
          master.dangerousExtractSecret(),
          field(printed("server", 'extract secret "master"'), "secret"),
          "master secret",
        );
        checked += 2;
        break;
      }
      case HandshakeType.finished: {
        const who = finished.has("server") ? "client" : "server";
        const base = secrets.get(`tls13 ${who[0]} hs traffic`)!;
        const verify = await finishedVerifyData(hmac, base, await transcript.hash(hash));
        eq(verify, msg.body, `${who} Finished body`);
        checked++;
        finished.set(who, { base, verify });
        transcript.add(msg.encoded);
        const h = await transcript.hash(hash);
        if (who === "server") {
          secrets.set("tls13 c ap traffic", await master!.clientApplicationTrafficSecret0(h));
          secrets.set("tls13 s ap traffic", await master!.serverApplicationTrafficSecret0(h));
          secrets.set("tls13 exp master", await master!.exporterMasterSecret(h));
          writeSecrets.set("client application", secrets.get("tls13 c ap traffic")!);
          writeSecrets.set("server application", secrets.get("tls13 s ap traffic")!);
        } else {
          secrets.set("tls13 res master", await master!.resumptionMasterSecret(h));
        }
        break;
      }
      case HandshakeType.new_session_ticket: {
        const rms = secrets.get("tls13 res master")!;
        secrets.set("tls13 resumption", await resumptionPsk(hmac, rms, ticketNonce(msg.body)));
        break;
      }
      default:
        transcript.add(msg.encoded);
    }
  }

  // Now every printed value of the trace must match what was computed.
  for (const step of steps) {
    if (step.fields.length === 0) continue;
    let m: RegExpExecArray | null;
    if ((m = /^extract secret "early"/.exec(step.title))) {
      eq(early.dangerousExtractSecret(), field(step, "secret"), "early secret");
      checked++;
    } else if ((m = /^derive secret "(tls13 [a-z ]+)"$/.exec(step.title))) {
      const mine = secrets.get(m[1]);
      assert.ok(mine, `computed ${m[1]}`);
      eq(mine, field(step, "expanded"), `${step.who} ${m[1]}`);
      checked++;
    } else if ((m = /^generate resumption secret "(tls13 resumption)"$/.exec(step.title))) {
      eq(secrets.get(m[1])!, field(step, "expanded"), "resumption PSK");
      checked++;
    } else if (
      (m = /^derive (write|read) traffic keys for (early application|handshake|application) data$/
        .exec(step.title))
    ) {
      const writer = m[1] === "write" ? step.who : step.who === "client" ? "server" : "client";
      const secret = writeSecrets.get(`${writer} ${m[2]}`);
      assert.ok(secret, `secret for ${writer} ${m[2]}`);
      eq(secret, field(step, "PRK"), `${step.title}: secret`);
      const { key, iv } = await trafficKeys(hmac, aes128Gcm, secret);
      eq(key, field(step, "key expanded"), `${step.title}: key`);
      eq(iv, field(step, "iv expanded"), `${step.title}: iv`);
      checked += 3;
    } else if (/^calculate finished "tls13 finished"$/.test(step.title)) {
      const mine = finished.get(step.who)!;
      eq(mine.base, field(step, "PRK"), `${step.who} finished base key`);
      eq(await finishedKey(hmac, mine.base), field(step, "expanded"), "finished key");
      eq(mine.verify, field(step, "finished"), `${step.who} verify_data`);
      checked += 3;
    } else if (
      /^(derive|extract|calculate|generate)/.test(step.title) &&
      !/^derive secret for (handshake|master) "tls13 derived"$/.test(step.title) &&
      !/^extract secret "(handshake|master)"$/.test(step.title) &&
      !/^calculate PSK binder$/.test(step.title)
    ) {
      assert.fail(`section ${section}: printed step not checked: ${step.title}`);
    }
  }
  return checked;
}

describe("RFC 8448 key schedule", () => {
  // Lower bounds on printed values checked, so a parser regression cannot pass silently.
  const minimum: Record<number, number> = { 3: 30, 4: 40, 5: 29, 6: 29, 7: 29 };
  for (const section of [3, 4, 5, 6, 7]) {
    it(`section ${section}: every secret, key, iv, Finished value`, async () => {
      const checked = await replay(section);
      assert.ok(checked >= minimum[section], `only ${checked} values checked`);
    });
  }

  it("section 5 replaces ClientHello1 with message_hash", async () => {
    const msgs = handshakeMessages(5);
    assert.equal(msgs[0].type, HandshakeType.client_hello);
    assert.ok(await isHelloRetryRequest(msgs[1]));
    const t = new Transcript();
    t.add(msgs[0].encoded);
    await t.rewriteForHelloRetryRequest(hash);
    const expected = new Uint8Array(36);
    expected.set([HandshakeType.message_hash, 0, 0, 32]);
    expected.set(await hash.digest(msgs[0].encoded), 4);
    eq(t.bytes(), expected, "message_hash");
  });

  it("one KeyUpdate generation (issue 3)", async () => {
    const next = await nextTrafficSecret(
      hmac,
      fromHex("c14a6d7976d8102b5a0c9951493fee87dcaff82c24cab214e8be71a8206dbda5"),
    );
    eq(next, fromHex("a8c713cb95053376505685bcd3d7924c45a8169a0eafc750122966064301249e"), "secret");
    const { key, iv } = await trafficKeys(hmac, aes128Gcm, next);
    eq(key, fromHex("d7fc961a8a8a7d86d5c6ef6bcdb9012b"), "key");
    eq(iv, fromHex("cbf2586d2fd1f022ace10dc0"), "iv");
  });
});
