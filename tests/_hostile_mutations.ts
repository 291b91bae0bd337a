// Targeted hostile classes for tests/hostile_input_test.ts (issue 13): each
// builder takes a recorded stream and a seeded generator and returns an input
// that breaks one rule of RFC 8446, with the exact alert the victim must send.
// A builder returns undefined when its class does not apply to the victim.
import { ExtensionType, HandshakeType } from "../src/msgs/enums.ts";
import { appendEntryExtension, appendExtension, helloExtOffset } from "./_msg_edit.ts";
import { joinBytes } from "./_pair.ts";
import {
  clear,
  findMessage,
  handshakeRecords,
  header,
  prefix,
  type Rec,
  rest,
  type Rng,
  sealedAt,
  type Target,
  type Targeted,
  withMessage,
} from "./_hostile_records.ts";
import {
  clientLegacyVersion,
  secondHelloAllowed,
  secondHelloChange,
  serverLegacyVersion,
  serverSupportedVersions,
} from "./_hostile_hello_mutations.ts";

/**
 * RFC 8446 5.1: a record of another content type between two fragments of
 * one handshake message (clear or encrypted; also a synthetic KeyUpdate in
 * the application epoch) is unexpected_message. The re-sealed records take
 * the sequence numbers s, s+1 and s+2; the rest of the stream is dropped.
 */
export async function interleaved(t: Target, rng: Rng): Promise<Targeted | undefined> {
  const { stream } = t;
  const hs = await handshakeRecords(stream);
  const app = stream.records.findIndex((r) => r.epoch === "app");
  const pickKeyUpdate = app >= 0 && rng.int(4) === 0;
  let index: number;
  let rec: Rec;
  let p: Uint8Array;
  let inside: number[];
  if (pickKeyUpdate || hs.length === 0) {
    if (app < 0) return undefined;
    index = app;
    rec = stream.records[app];
    p = new Uint8Array([HandshakeType.key_update, 0, 0, 1, rng.int(2)]);
    inside = [1, 2, 3, 4];
  } else {
    const h = rng.pick(hs);
    index = h.index;
    rec = h.rec;
    p = h.plaintext;
    inside = [];
    for (const m of h.messages) for (let k = m.start + 1; k < m.end; k++) inside.push(k);
  }
  const cut = rng.pick(inside);
  const plain = rec.epoch === "plain";
  const intruders = plain
    ? ["clear alert", "clear CCS", "clear application data"]
    : ["application data", "user_canceled", "clear CCS"];
  const intruder = rng.pick(intruders);
  let seq = rec.seq;
  const frag = (q: Uint8Array): Promise<Uint8Array> =>
    plain ? Promise.resolve(clear(22, q)) : sealedAt(stream, rec.epoch, seq++, 22, q);
  const parts = [await frag(p.subarray(0, cut))];
  switch (intruder) {
    case "clear alert":
      parts.push(clear(21, new Uint8Array([1, 90])));
      break;
    case "clear CCS":
      parts.push(clear(20, new Uint8Array([1])));
      break;
    case "clear application data":
      parts.push(clear(23, rng.bytes(1 + rng.int(20))));
      break;
    case "application data":
      parts.push(await sealedAt(stream, rec.epoch, seq++, 23, rng.bytes(1 + rng.int(20))));
      break;
    default:
      parts.push(await sealedAt(stream, rec.epoch, seq++, 21, new Uint8Array([1, 90])));
  }
  parts.push(await frag(p.subarray(cut)));
  return {
    what: `${intruder} inside ${
      pickKeyUpdate ? "a KeyUpdate" : "a handshake message"
    } of ${rec.epoch} record ${index} (cut ${cut})`,
    input: joinBytes([...prefix(stream, index), ...parts]),
    alert: 10,
    keysIntact: !plain,
  };
}

const UNKNOWN_TYPES = [0x1234, 0x4242, 0xff02, 0x7a7a];

/** The messages RFC 8446 4.2 lists each extension the builder adds for. */
const ALLOWED_IN: Record<number, readonly string[]> = {
  [ExtensionType.max_fragment_length]: ["EE"],
  [ExtensionType.heartbeat]: ["EE"],
  [ExtensionType.record_size_limit]: ["EE"],
  [ExtensionType.status_request]: ["CT"],
  [ExtensionType.signed_certificate_timestamp]: ["CT"],
  [ExtensionType.pre_shared_key]: ["SH"],
};

/**
 * RFC 8446 4.2: an extension the client never offered, in ServerHello,
 * HelloRetryRequest, EncryptedExtensions or a certificate entry, is
 * unsupported_extension; the server says the same of the client's
 * certificate entries (the client-auth scenario).
 */
export async function unsolicited(t: Target, rng: Rng): Promise<Targeted | undefined> {
  const where: [string, number, number][] = t.side === "client"
    ? [["ServerHello", HandshakeType.server_hello, t.scenario === "HRR" ? 1 : 0], [
      "EncryptedExtensions",
      HandshakeType.encrypted_extensions,
      0,
    ], ["certificate entry", HandshakeType.certificate, 0]]
    : t.scenario === "client auth"
    ? [["client certificate entry", HandshakeType.certificate, 0]]
    : [];
  if (t.scenario === "HRR" && t.side === "client") where.push(["HelloRetryRequest", 2, 0]);
  if (where.length === 0) return undefined;
  const [name, type, nth] = rng.pick(where);
  const found = await findMessage(t.stream, type, nth);
  if (!found) throw new Error(`no ${name} in the recorded stream`);
  const entry = type === HandshakeType.certificate;
  const where2 = type === HandshakeType.encrypted_extensions
    ? "EE"
    : entry
    ? "CT"
    : name === "HelloRetryRequest"
    ? "HRR"
    : "SH";
  const candidates: [number, number[]][] = [
    [rng.pick(UNKNOWN_TYPES), entry ? [] : [0, 0]],
    [ExtensionType.max_fragment_length, [1]],
    [ExtensionType.heartbeat, [1]],
  ];
  for (
    const [ext, data] of [
      [ExtensionType.status_request, entry ? [1, 0, 0, 1, 0] : []],
      [ExtensionType.record_size_limit, [0x40, 0]],
      [ExtensionType.signed_certificate_timestamp, entry ? [0, 2, 0, 0] : []],
      [ExtensionType.pre_shared_key, [0, 0]],
    ] as [number, number[]][]
  ) {
    if (!t.offered.has(ext)) candidates.push([ext, data]);
  }
  const [ext, data] = rng.pick(candidates);
  // Where RFC 8446 4.2 (RFC 8449) lists the extension: a known one in another
  // message is illegal_parameter; in its own message, unsolicited, it is
  // unsupported_extension (so is an unknown type anywhere).
  const listed = ALLOWED_IN[ext];
  const alert = listed === undefined || listed.includes(where2) ? 110 : 47;
  const { r, m } = found;
  const msg = r.plaintext.subarray(m.start, m.end);
  const d = new Uint8Array(data);
  const edited = entry
    ? appendEntryExtension(msg, ext, d)
    : type === HandshakeType.encrypted_extensions
    ? appendExtension(msg, 4, ext, d)
    : appendExtension(msg, helloExtOffset(msg), ext, d);
  const record = await withMessage(t.stream, r, m, edited);
  const keep = rng.int(2) === 0 ? rest(t.stream, r.index + 1) : [];
  return {
    what: `extension ${ext} in ${name}`,
    input: joinBytes([...prefix(t.stream, r.index), record, ...keep]),
    alert,
    keysIntact: r.rec.epoch !== "plain",
  };
}

/**
 * A zero-length alert record, protected (RFC 8446 5.4) or in clear where the
 * victim still reads clear records (5.1: an alert record holds exactly one
 * alert): unexpected_message.
 */
export async function emptyAlert(t: Target, rng: Rng): Promise<Targeted | undefined> {
  const recs = t.stream.records;
  const enc = recs.map((r, i) => ({ r, i })).filter((x) => x.r.epoch !== "plain");
  if (rng.int(3) === 0) {
    // In clear, before the victim has read its first clear handshake record
    // through: the first record of the stream or the one after it.
    const i = rng.int(2);
    return {
      what: `empty clear alert at record ${i}`,
      input: joinBytes([...prefix(t.stream, i), header(21, 0)]),
      alert: 10,
      keysIntact: false,
    };
  }
  const { r, i } = rng.pick(enc);
  return {
    what: `empty protected alert at ${r.epoch} ${r.seq}`,
    input: joinBytes([
      ...prefix(t.stream, i),
      await sealedAt(t.stream, r.epoch, r.seq, 21, new Uint8Array(0)),
    ]),
    alert: 10,
    keysIntact: true,
  };
}

/** RFC 8446 4.4.4 and 6.2: a Finished whose length is not the hash length is decode_error. */
export async function finishedLength(t: Target, rng: Rng): Promise<Targeted | undefined> {
  const found = await findMessage(t.stream, HandshakeType.finished);
  if (!found || found.r.rec.epoch === "plain") throw new Error("no encrypted Finished recorded");
  const { r, m } = found;
  const body = r.plaintext.subarray(m.start + 4, m.end);
  const len = rng.pick([0, 1, body.length - 1, body.length + 1, 48, 64, rng.int(200)]);
  const n = len === body.length ? len + 1 : len;
  const b = new Uint8Array(n);
  b.set(body.subarray(0, Math.min(n, body.length)));
  if (n > body.length) b.set(rng.bytes(n - body.length), body.length);
  const edited = joinBytes([new Uint8Array([20, n >> 16, (n >> 8) & 0xff, n & 0xff]), b]);
  return {
    what: `Finished of ${n} bytes (not ${body.length})`,
    input: joinBytes([...prefix(t.stream, r.index), await withMessage(t.stream, r, m, edited)]),
    alert: 50,
    keysIntact: true,
  };
}

/** The targeted classes, by name (tallied by the suite). */
export const TARGETED = {
  interleaved,
  unsolicited,
  emptyAlert,
  finishedLength,
  clientLegacyVersion,
  serverLegacyVersion,
  serverSupportedVersions,
  secondHelloChange,
  secondHelloAllowed,
} as const;
