// Replays one side of an RFC 8448 trace through the public unbuffered API:
// the peer's printed records go in, and every record our side emits is
// compared, in order, with the record the trace prints for that side.
import assert from "node:assert/strict";
import { field, type PrintedRecord, printedRecords } from "./_rfc8448.ts";
import type { ConnectionState } from "../src/conn/states.ts";
import { bytesEqual, concat, toHex } from "../src/_bytes.ts";
import { ContentType } from "../src/msgs/enums.ts";
import {
  decodeHandshake,
  type HandshakeMessage,
  splitHandshakeMessages,
} from "../src/msgs/handshake.ts";
import { readRecord } from "../src/record/deframer.ts";
import { Tls13Reader } from "../src/record/record_io.ts";
import { aes128Gcm } from "../src/crypto/webcrypto/aead.ts";

/** What the replay drives. */
export interface Replayable {
  processTlsRecords(incoming: Uint8Array): Promise<{ discard: number; state: ConnectionState }>;
  readonly isHandshaking: boolean;
}

/** The one message the trace prints in `encoded` (with its header). */
export function oneMessage(encoded: Uint8Array): HandshakeMessage {
  const parts = splitHandshakeMessages(encoded);
  assert.equal(parts.length, 1);
  return decodeHandshake(parts[0].type, parts[0].body);
}

const json = (v: unknown): string =>
  JSON.stringify(v, (_k, x) => x instanceof Uint8Array ? toHex(x) : x);

/**
 * How two encodings of the same handshake message differ, one line per
 * difference: `field X`, `only the trace has extension N`, `only we have
 * extension N`, `extension N differs`, `extension order`.
 */
export function messageDifferences(ours: Uint8Array, trace: Uint8Array): string[] {
  const a = oneMessage(ours) as unknown as Record<string, unknown>;
  const b = oneMessage(trace) as unknown as Record<string, unknown>;
  const out: string[] = [];
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (key !== "extensions" && json(a[key]) !== json(b[key])) out.push(`field ${key}`);
  }
  type Ext = { type: number };
  const ea = (a.extensions ?? []) as Ext[];
  const eb = (b.extensions ?? []) as Ext[];
  for (const e of eb) {
    if (!ea.some((x) => x.type === e.type)) out.push(`only the trace has extension ${e.type}`);
  }
  for (const e of ea) {
    if (!eb.some((x) => x.type === e.type)) out.push(`only we have extension ${e.type}`);
  }
  for (const e of ea) {
    const t = eb.find((x) => x.type === e.type);
    if (t && json(t) !== json(e)) out.push(`extension ${e.type} differs`);
  }
  const common = (list: Ext[], other: Ext[]) =>
    list.filter((e) => other.some((x) => x.type === e.type)).map((e) => e.type).join();
  if (common(ea, eb) !== common(eb, ea)) out.push("extension order");
  return out;
}

/**
 * The differences a message type may show: one list for every message of
 * the type, or one list per message in order.
 */
export type Differs = string[] | string[][];

/** One of our records, as compared with the trace's. */
export interface RecordOutcome {
  /** `${who} ${title}` of the trace step. */
  step: string;
  /** "exact", or the handshake types whose messages differ, with how. */
  outcome: string;
}

/** Drives `conn` through `section` as `side`; see the file comment. */
export class Replay {
  readonly outcomes: RecordOutcome[] = [];
  /** Application data our side received. */
  readonly received: Uint8Array[] = [];
  /** Every record our side sent, in order. */
  readonly sent: Uint8Array[] = [];
  /** 0-RTT data to write as soon as the connection offers it. */
  earlyData: Uint8Array | undefined;
  #incoming: Uint8Array = new Uint8Array(0);
  #emitted: Uint8Array[] = [];
  #out: Uint8Array[] = [];

  constructor(
    readonly conn: Replayable,
    readonly section: number,
    readonly side: "client" | "server",
  ) {}

  /**
   * Runs the trace. `input` may change a peer record before it is fed (it
   * returns the record unchanged by default); `differs` lists, by handshake
   * type, the differences a message of that type may show (checked exactly).
   */
  async run(options: {
    input?: (rec: PrintedRecord) => Uint8Array | Promise<Uint8Array>;
    differs?: Record<number, Differs>;
    /** Differences tolerated wherever they show (and whether or not they do). */
    tolerated?: string[];
    /** Stop after this many of the trace's records (to replay a prefix). */
    records?: number;
  } = {}): Promise<void> {
    const all = printedRecords(this.section);
    const records = all.slice(0, options.records ?? all.length);
    const seen = new Map<number, number>();
    for (const rec of records) {
      const what = `${rec.step.who} ${rec.step.title}`;
      if (rec.writer !== this.side) {
        assert.deepEqual(this.#emitted.map(toHex), [], `we sent more before ${what}`);
        this.#incoming = concat(
          this.#incoming,
          await (options.input ?? ((r) => field(r.step, "complete record")))(rec),
        );
        continue;
      }
      if (this.#emitted.length === 0) await this.pump(this.#intentFor(rec));
      const ours = this.#emitted.shift();
      assert.ok(ours, `we sent nothing where the trace has ${what}`);
      this.outcomes.push({
        step: what,
        outcome: await compareRecord(
          ours,
          rec,
          options.differs ?? {},
          options.tolerated ?? [],
          seen,
        ),
      });
    }
    await this.pump();
    assert.deepEqual(this.#emitted.map(toHex), [], "we sent records the trace does not have");
    assert.equal(this.#incoming.length, 0, "trace bytes left unread");
  }

  #intentFor(rec: PrintedRecord): { data?: Uint8Array; close?: boolean } {
    if (rec.innerType === ContentType.alert) return { close: true };
    if (rec.innerType === ContentType.application_data && rec.phase === "application") {
      return { data: field(rec.step, "payload") };
    }
    return {};
  }

  /** Calls processTlsRecords until the connection waits; collects what it sends. */
  async pump(intent: { data?: Uint8Array; close?: boolean } = {}): Promise<void> {
    let { data, close } = intent;
    for (let guard = 0; guard < 100; guard++) {
      const { discard, state } = await this.conn.processTlsRecords(this.#incoming);
      let extra = 0;
      let again = true;
      switch (state.kind) {
        case "EncodeTlsData": {
          const out = new Uint8Array(state.requiredSize);
          this.#out.push(out.subarray(0, await state.encode(out)));
          break;
        }
        case "TransmitTlsData": {
          const early = this.earlyData && state.mayEncryptEarlyData();
          if (early && this.earlyData) {
            const out = new Uint8Array(this.earlyData.length + 64);
            const { written } = await early.encrypt(this.earlyData, out);
            this.#out.push(out.subarray(0, written));
            this.earlyData = undefined;
          }
          state.done();
          break;
        }
        case "ReadTraffic":
        case "ReadEarlyData":
          for (let r = state.nextRecord(); r; r = state.nextRecord()) {
            this.received.push(r.payload);
            extra += r.discard;
          }
          break;
        case "WriteTraffic":
          if (data) {
            const out = new Uint8Array(data.length + 64);
            this.#out.push(out.subarray(0, await state.encrypt(data, out)));
            data = undefined;
          } else if (close) {
            const out = new Uint8Array(64);
            this.#out.push(out.subarray(0, await state.queueCloseNotify(out)));
            close = false;
          } else again = false;
          break;
        case "PeerClosed":
          // Our close_notify, when due, is written from the next WriteTraffic.
          again = close === true;
          break;
        default:
          again = false;
      }
      this.#incoming = this.#incoming.slice(discard + extra);
      if (!again) break;
    }
    for (const bytes of this.#out.splice(0)) {
      for (let rest = bytes; rest.length > 0;) {
        const rec = readRecord(rest);
        assert.ok(rec, "we sent a partial record");
        this.#emitted.push(rest.subarray(0, rec.length));
        this.sent.push(rest.subarray(0, rec.length));
        rest = rest.subarray(rec.length);
      }
    }
  }
}

const TYPE_NAMES: Record<number, string> = {
  1: "ClientHello",
  2: "ServerHello",
  4: "NewSessionTicket",
  8: "EncryptedExtensions",
};

/**
 * "exact" when the record is the trace's byte for byte; otherwise the record
 * must hold the trace's content type and handshake messages, each one exact
 * or differing exactly as `differs` says, and the outcome names them.
 */
async function compareRecord(
  ours: Uint8Array,
  rec: PrintedRecord,
  differs: Record<number, Differs>,
  tolerated: string[],
  seen: Map<number, number>,
): Promise<string> {
  const complete = field(rec.step, "complete record");
  if (bytesEqual(ours, complete)) return "exact";
  const what = `${rec.step.who} ${rec.step.title}`;
  assert.equal(toHex(ours.subarray(0, 3)), toHex(complete.subarray(0, 3)), `${what}: header`);
  let plaintext: Uint8Array;
  if (rec.phase === undefined) {
    plaintext = ours.subarray(5);
  } else {
    // Our keys are the trace's (the secrets are compared through every exact record).
    const opener = await Tls13Reader.create(aes128Gcm, rec.key!, rec.iv!, rec.seq);
    const raw = readRecord(ours)!;
    const opened = await opener.open(raw.header, raw.fragment);
    assert.equal(opened.contentType, rec.innerType, `${what}: content type`);
    plaintext = opened.plaintext;
  }
  assert.equal(rec.innerType, ContentType.handshake, `${what}: differs but holds no handshake`);
  const a = splitHandshakeMessages(plaintext);
  const b = splitHandshakeMessages(field(rec.step, "payload"));
  assert.deepEqual(a.map((m) => m.type), b.map((m) => m.type), `${what}: message types`);
  const notes: string[] = [];
  for (const [i, m] of a.entries()) {
    if (bytesEqual(m.encoded, b[i].encoded)) continue;
    const name = TYPE_NAMES[m.type] ?? String(m.type);
    const found = messageDifferences(m.encoded, b[i].encoded).filter((d) => !tolerated.includes(d));
    const occurrence = seen.get(m.type) ?? 0;
    seen.set(m.type, occurrence + 1);
    const spec = differs[m.type] ?? [];
    const listed = typeof spec[0] === "string" || spec.length === 0
      ? spec as string[]
      : (spec as string[][])[occurrence] ?? [];
    const expected = listed.filter((d) => !tolerated.includes(d));
    assert.deepEqual(found, expected, `${what}: ${name}`);
    notes.push(name);
  }
  assert.ok(notes.length > 0, `${what}: same messages, different record`);
  return `${notes.join(", ")} differ as expected`;
}
