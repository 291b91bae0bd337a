// Recorded TLS 1.3 streams for the hostile-input suites: records, their
// keys, re-sealing at any sequence number, and where the handshake messages
// lie (tests/hostile_input_test.ts, tests/_hostile_mutations.ts).
import { aes128Gcm } from "../src/crypto/webcrypto/aead.ts";
import { hmacSha256 } from "../src/crypto/webcrypto/hash.ts";
import { trafficKeys } from "../src/tls13/key_schedule.ts";
import { Tls13Reader, Tls13Writer } from "../src/common/record_io.ts";
import { joinBytes } from "./_pair.ts";

export type Epoch = "plain" | "hs" | "app";

export interface Rec {
  bytes: Uint8Array;
  epoch: Epoch;
  /** Sequence number within its epoch (encrypted records). */
  seq: number;
}

export interface Stream {
  records: Rec[];
  /** Secrets of the sender, by epoch. */
  secrets: { hs: Uint8Array; app: Uint8Array };
}

/** The seeded generator of the suites. */
export interface Rng {
  int(n: number): number;
  pick<T>(a: readonly T[]): T;
  bytes(n: number): Uint8Array;
}

/** Opens an encrypted record of `stream` (AES-128-GCM, SHA-256). */
export async function opened(
  stream: Stream,
  rec: Rec,
): Promise<{ type: number; plaintext: Uint8Array }> {
  const { key, iv } = await trafficKeys(hmacSha256, aes128Gcm, stream.secrets[rec.epoch as "hs"]);
  const reader = await Tls13Reader.create(aes128Gcm, key, iv, BigInt(rec.seq));
  const { contentType, plaintext } = await reader.open(
    rec.bytes.subarray(0, 5),
    rec.bytes.subarray(5),
  );
  return { type: contentType, plaintext: plaintext.slice() };
}

/** Seals `plaintext` as a record of inner `type` in `epoch` at sequence number `seq`. */
export async function sealedAt(
  stream: Stream,
  epoch: Epoch,
  seq: number,
  type: number,
  plaintext: Uint8Array,
): Promise<Uint8Array> {
  const { key, iv } = await trafficKeys(hmacSha256, aes128Gcm, stream.secrets[epoch as "hs"]);
  const writer = await Tls13Writer.create(aes128Gcm, key, iv, BigInt(seq));
  return writer.write(type, plaintext);
}

export function header(type: number, length: number): Uint8Array {
  return new Uint8Array([type, 3, 3, length >> 8, length & 0xff]);
}

/** A clear record of `type` around `body`. */
export function clear(type: number, body: Uint8Array): Uint8Array {
  return joinBytes([header(type, body.length), body]);
}

/** One targeted case: the whole input and the alert the victim must send. */
export interface Targeted {
  what: string;
  input: Uint8Array;
  alert: number;
  /** The victim's keys are the recorded ones (its encrypted alert can be opened). */
  keysIntact: boolean;
}

/** What a builder may look at. */
export interface Target {
  side: "server" | "client";
  scenario: "full" | "HRR" | "client auth";
  /** What the victim receives. */
  stream: Stream;
  /** Extension types the recorded client offered in its first ClientHello. */
  offered: ReadonlySet<number>;
  /** A fresh, valid P-256 public key (for an allowed key_share change). */
  otherP256Share: Uint8Array;
}

/** The handshake messages of one record's plaintext, when the record holds whole messages. */
export function messagesOf(
  p: Uint8Array,
): { type: number; start: number; end: number }[] | undefined {
  const out: { type: number; start: number; end: number }[] = [];
  let at = 0;
  while (at + 4 <= p.length) {
    const end = at + 4 + ((p[at + 1] << 16) | (p[at + 2] << 8) | p[at + 3]);
    if (end > p.length) return undefined;
    out.push({ type: p[at], start: at, end });
    at = end;
  }
  return at === p.length && out.length > 0 ? out : undefined;
}

/** A record of the stream with its handshake plaintext (clear or opened). */
export interface HsRecord {
  index: number;
  rec: Rec;
  plaintext: Uint8Array;
  messages: { type: number; start: number; end: number }[];
}

/** Every record that carries whole handshake messages, clear and encrypted. */
export async function handshakeRecords(stream: Stream): Promise<HsRecord[]> {
  const out: HsRecord[] = [];
  for (const [index, rec] of stream.records.entries()) {
    let plaintext: Uint8Array;
    if (rec.epoch === "plain") {
      if (rec.bytes[0] !== 22) continue;
      plaintext = rec.bytes.subarray(5);
    } else {
      const o = await opened(stream, rec);
      if (o.type !== 22) continue;
      plaintext = o.plaintext;
    }
    const messages = messagesOf(plaintext);
    if (messages) out.push({ index, rec, plaintext, messages });
  }
  return out;
}

/** The record holding the first handshake message of `type` (the `nth` one). */
export async function findMessage(
  stream: Stream,
  type: number,
  nth = 0,
): Promise<{ r: HsRecord; m: { start: number; end: number } } | undefined> {
  let seen = 0;
  for (const r of await handshakeRecords(stream)) {
    for (const m of r.messages) if (m.type === type && seen++ === nth) return { r, m };
  }
  return undefined;
}

/** The records before `index`, as bytes. */
export function prefix(stream: Stream, index: number): Uint8Array[] {
  return stream.records.slice(0, index).map((r) => r.bytes);
}

export function rest(stream: Stream, from: number): Uint8Array[] {
  return stream.records.slice(from).map((r) => r.bytes);
}

/** Replaces message `m` of record `r` by `edited`, re-sealing an encrypted record at its place. */
export function withMessage(
  stream: Stream,
  r: HsRecord,
  m: { start: number; end: number },
  edited: Uint8Array,
): Promise<Uint8Array> {
  const p = joinBytes([r.plaintext.subarray(0, m.start), edited, r.plaintext.subarray(m.end)]);
  return r.rec.epoch === "plain"
    ? Promise.resolve(clear(22, p))
    : sealedAt(stream, r.rec.epoch, r.rec.seq, 22, p);
}

/** Sets bytes `at`, `at + 1` of a copy of `b` to `v`. */
export function withU16(b: Uint8Array, at: number, v: number): Uint8Array {
  const c = b.slice();
  c[at] = v >> 8;
  c[at + 1] = v & 0xff;
  return c;
}

/** The record index of the `nth` clear handshake record. */
export function clearHandshake(stream: Stream, nth: number): number {
  const all = stream.records.flatMap((r, i) => r.epoch === "plain" && r.bytes[0] === 22 ? [i] : []);
  return all[nth];
}

/** Extension types of an encoded ClientHello (4-byte header included). */
export function offeredExtensions(encoded: Uint8Array): Set<number> {
  let at = 4 + 2 + 32;
  at += 1 + encoded[at];
  at += 2 + ((encoded[at] << 8) | encoded[at + 1]);
  at += 1 + encoded[at];
  const end = at + 2 + ((encoded[at] << 8) | encoded[at + 1]);
  const out = new Set<number>();
  for (at += 2; at + 4 <= end; at += 4 + ((encoded[at + 2] << 8) | encoded[at + 3])) {
    out.add((encoded[at] << 8) | encoded[at + 1]);
  }
  return out;
}
