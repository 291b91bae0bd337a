/**
 * The receive half of `KernelRecordLayer`: framing across calls, opening up
 * to `maxInFlight` records at once, routing each through the shared
 * post-handshake policy in order, and moving the receive key on the peer's
 * KeyUpdate.
 *
 * @module
 */

import type { Aead } from "../crypto/types.ts";
import { ContentType } from "../msgs/enums.ts";
import { dataAfterCloseNotify } from "../post_handshake/alerts.ts";
import { unexpectedChangeCipherSpec } from "../post_handshake/inbound_policy.ts";
import { type RawRecord, readRecord, RECORD_HEADER_LEN } from "../record/deframer.ts";
import { concat } from "../_bytes.ts";
import type { RecordProtection } from "../record/protection.ts";
import { ProtectedReader } from "../record/record_io.ts";
import { InboundRouter } from "./_inbound.ts";
import { checkSeq, install } from "./_keys.ts";
import type { KernelConnectionLike, KernelRecordLayerStats } from "./types.ts";

const EMPTY: Uint8Array = new Uint8Array(0);

/** What one call's bytes produced. */
export interface Received {
  /** Application data, in order. */
  data: Uint8Array[];
  /** The peer asked for our KeyUpdate. */
  answer: boolean;
  /** TLS 1.2: a renegotiation request to refuse with a warning. */
  refuse: boolean;
}

/** What the receiver shares with the layer. */
export interface ReceiverInit {
  conn: KernelConnectionLike;
  aead: Aead;
  protection: RecordProtection;
  reader: ProtectedReader;
  maxInFlight: number;
  maxKeyUpdates: number | undefined;
  /** The layer's counters (recordsOpened, rxKeyUpdates, ticketsHandled are ours). */
  stats: KernelRecordLayerStats;
}

/** Opens and routes the peer's records. Calls must not overlap. */
export class Receiver {
  readonly #init: ReceiverInit;
  readonly #router: InboundRouter;
  #rx: ProtectedReader;
  #partial: Uint8Array = EMPTY;
  #peerClosed = false;

  /** Starts under `init.reader`. */
  constructor(init: ReceiverInit) {
    this.#init = init;
    this.#rx = init.reader;
    const { conn, stats } = init;
    const tickets = conn.handleNewSessionTicket?.bind(conn);
    this.#router = new InboundRouter(
      tickets
        ? (async (body) => {
          await tickets(body);
          stats.ticketsHandled++;
        })
        : undefined,
      conn.protocolVersion,
      {
        max: init.maxKeyUpdates ?? conn.peerKeyUpdates?.max,
        taken: conn.peerKeyUpdates?.taken,
      },
    );
  }

  /**
   * Completes the record the last call left incomplete with the first bytes
   * of `bytes` (copied: `bytes` is the caller's). `used` counts the bytes
   * taken; without a `record` they were all taken and the record is still
   * incomplete (kept as the new partial).
   */
  #completePartial(bytes: Uint8Array): { record: RawRecord | undefined; used: number } {
    let joined = this.#partial;
    let used = 0;
    const take = (upTo: number) => {
      const n = Math.min(upTo - joined.length, bytes.length - used);
      if (n <= 0) return;
      joined = concat(joined, bytes.subarray(used, used + n));
      used += n;
    };
    take(RECORD_HEADER_LEN);
    // Checks the header (type, version, length limit) before taking the body.
    readRecord(joined);
    if (joined.length >= RECORD_HEADER_LEN) {
      take(RECORD_HEADER_LEN + ((joined[3] << 8) | joined[4]));
    }
    const record = readRecord(joined);
    this.#partial = record ? EMPTY : joined;
    if (record?.contentType === ContentType.change_cipher_spec) throw unexpectedChangeCipherSpec();
    return { record, used };
  }

  /** Sequence number of the next record under the current key. */
  get seq(): bigint {
    return this.#rx.seq;
  }

  /** True once the peer's close_notify was read. */
  get peerClosed(): boolean {
    return this.#peerClosed;
  }

  /**
   * Handles `bytes` after what an earlier call left over; a trailing partial
   * record (at most one) is kept for the next call.
   */
  async receive(bytes: Uint8Array): Promise<Received> {
    // Records before a framing error are still handled, so the error surfaces
    // in stream order (for example junk after close_notify).
    const records: RawRecord[] = [];
    let framingError: unknown;
    let rest = bytes;
    let off = 0;
    try {
      // Only the record left incomplete by the last call is copied to join
      // it; the rest are views of `bytes`.
      if (this.#partial.length > 0) {
        const joined = this.#completePartial(bytes);
        rest = bytes.subarray(joined.used);
        if (joined.record) records.push(joined.record);
      }
      for (let r = readRecord(rest); r; r = readRecord(rest.subarray(off))) {
        // Refused in stream order too, as the connection does.
        if (r.contentType === ContentType.change_cipher_spec) throw unexpectedChangeCipherSpec();
        records.push(r);
        off += r.length;
      }
    } catch (e) {
      framingError = e;
    }
    if (framingError !== undefined) this.#partial = EMPTY;
    else if (off < rest.length) this.#partial = rest.slice(off);

    const { conn, aead, protection, maxInFlight, stats } = this.#init;
    const got: Received = { data: [], answer: false, refuse: false };
    let i = 0;
    while (i < records.length) {
      if (this.#peerClosed) throw dataAfterCloseNotify();
      // One window slides over every record of the call (until a key change).
      const opened = this.#rx.openMany(records.slice(i), maxInFlight);
      for (const opening of opened) {
        const { contentType, plaintext } = await opening;
        stats.recordsOpened++;
        i++;
        const routed = await this.#router.route(contentType, plaintext, got.data);
        if (routed.closeNotify) this.#peerClosed = true;
        if (routed.refuseRenegotiation) got.refuse = true;
        if (routed.keyUpdate !== "none") {
          const next = await conn.updateRxSecret();
          const key = await install(aead, next.secrets);
          this.#rx = new ProtectedReader(protection, key, checkSeq(next.seq));
          stats.rxKeyUpdates++;
          if (routed.keyUpdate === "requested") got.answer = true;
          // Later records of this call were decrypted under the old key: redo them.
          break;
        }
        if (this.#peerClosed) break;
      }
    }
    if (framingError !== undefined) {
      if (this.#peerClosed) throw dataAfterCloseNotify();
      throw framingError;
    }
    if (this.#peerClosed && this.#partial.length > 0) throw dataAfterCloseNotify();
    return got;
  }
}
