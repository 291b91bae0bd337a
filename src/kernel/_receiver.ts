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
import { type RawRecord, readRecord } from "../record/deframer.ts";
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
    let buf = bytes;
    if (this.#partial.length > 0) {
      buf = new Uint8Array(this.#partial.length + bytes.length);
      buf.set(this.#partial);
      buf.set(bytes, this.#partial.length);
    }
    // Records before a framing error are still handled, so the error surfaces
    // in stream order (for example junk after close_notify).
    const records: RawRecord[] = [];
    let framingError: unknown;
    let off = 0;
    try {
      for (let r = readRecord(buf); r; r = readRecord(buf.subarray(off))) {
        // Refused in stream order too, as the connection does.
        if (r.contentType === ContentType.ChangeCipherSpec) throw unexpectedChangeCipherSpec();
        records.push(r);
        off += r.length;
      }
    } catch (e) {
      framingError = e;
    }
    this.#partial = framingError === undefined && off < buf.length ? buf.slice(off) : EMPTY;

    const { conn, aead, protection, maxInFlight, stats } = this.#init;
    const got: Received = { data: [], answer: false, refuse: false };
    let i = 0;
    while (i < records.length) {
      if (this.#peerClosed) throw dataAfterCloseNotify();
      const end = Math.min(records.length, i + maxInFlight);
      const opened = this.#rx.openMany(records.slice(i, end));
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
          // Later records of this batch were decrypted under the old key: redo them.
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
