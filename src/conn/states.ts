/**
 * The states `processTlsRecords` returns. Each is a short-lived view: it is
 * valid until the next `processTlsRecords` call on its connection, after which
 * its methods throw `TypeError`.
 *
 * @module
 */

import type { ConnectionCore } from "../common/core.ts";

/** Shared by the states: the core and the call generation they belong to. */
export interface StateContext {
  /** The connection's engine. */
  readonly core: ConnectionCore;
  /** Throws `TypeError` when the state is no longer current. */
  checkCurrent(what: string): void;
  /**
   * Runs `task` as the connection's one pending operation: rejects with
   * `TypeError` when the state is stale or another operation is pending.
   */
  exclusive<T>(what: string, task: () => Promise<T>): Promise<T>;
}

/**
 * Handshake (or alert) records are waiting to be encoded. Call `encode(out)`
 * once; it returns the number of bytes written, or throws
 * `InsufficientSizeError` (with `requiredSize`) and keeps the records for a
 * retry with a bigger buffer. Then call `processTlsRecords` again.
 *
 * @example
 * ```ts
 * import { ClientConfig, RootCertStore, UnbufferedClientConnection } from "@kerneltls/tls";
 * const config = new ClientConfig({ roots: new RootCertStore() });
 * const client = await UnbufferedClientConnection.create(config, "example.com");
 * const { state } = await client.processTlsRecords(new Uint8Array(0));
 * if (state.kind === "EncodeTlsData") {
 *   const out = new Uint8Array(state.requiredSize);
 *   const n = await state.encode(out);
 *   console.log(n > 0); // true: a ClientHello to send
 * }
 * ```
 */
export class EncodeTlsData {
  /** Discriminant. */
  readonly kind = "EncodeTlsData" as const;
  readonly #cx: StateContext;
  #done = false;

  /** @ignore Created by `processTlsRecords`. */
  constructor(cx: StateContext) {
    this.#cx = cx;
  }

  /** Bytes `encode` needs. */
  get requiredSize(): number {
    return this.#cx.core.requiredEncodeSize();
  }

  /** Writes the queued records into `out`. */
  encode(out: Uint8Array): Promise<number> {
    return this.#cx.exclusive("EncodeTlsData", async () => {
      if (this.#done) throw new TypeError("EncodeTlsData: already encoded");
      const n = await this.#cx.core.encodeQueued(out);
      this.#done = true;
      return n;
    });
  }
}

/**
 * Encoded records must now be sent to the peer. Call `done()` once they are
 * handed to the transport, then `processTlsRecords` again.
 *
 * @example
 * ```ts
 * import type { TransmitTlsData } from "@kerneltls/tls";
 * async function transmit(
 *   state: TransmitTlsData,
 *   encoded: Uint8Array, // what EncodeTlsData wrote
 *   send: (bytes: Uint8Array) => Promise<void>,
 * ): Promise<void> {
 *   await send(encoded);
 *   state.done(); // then call processTlsRecords again
 * }
 * void transmit;
 * ```
 */
export class TransmitTlsData {
  /** Discriminant. */
  readonly kind = "TransmitTlsData" as const;
  readonly #cx: StateContext;

  /** @ignore Created by `processTlsRecords`. */
  constructor(cx: StateContext) {
    this.#cx = cx;
  }

  /** Marks the encoded records as sent. */
  done(): void {
    this.#cx.checkCurrent("TransmitTlsData");
    this.#cx.core.transmitted();
  }

  /**
   * When the handshake is complete, a `WriteTraffic` to send application data
   * in the same flight as the encoded records; otherwise `undefined`.
   */
  mayEncryptAppData(): WriteTraffic | undefined {
    this.#cx.checkCurrent("TransmitTlsData");
    const core = this.#cx.core;
    return core.handshakeComplete && !core.weClosed ? new WriteTraffic(this.#cx) : undefined;
  }

  /**
   * Client only: while 0-RTT data may be sent (the first flight carried an
   * early_data offer and no ServerHello has been read yet), a
   * {@link MayEncryptEarlyData} to send it right after the encoded
   * ClientHello; otherwise `undefined`.
   */
  mayEncryptEarlyData(): MayEncryptEarlyData | undefined {
    this.#cx.checkCurrent("TransmitTlsData");
    const early = this.#cx.core.earlyData;
    return early?.open && early.remaining > 0 ? new MayEncryptEarlyData(this.#cx) : undefined;
  }
}

/**
 * What {@link MayEncryptEarlyData.encrypt} did.
 *
 * @example
 * ```ts
 * import type { EarlyDataWritten } from "@kerneltls/tls";
 * const result: EarlyDataWritten = { consumed: 4, written: 26 };
 * const request = new TextEncoder().encode("GET /");
 * // What did not fit in the ticket's budget goes out after the handshake.
 * console.log(request.subarray(result.consumed).length); // 1
 * ```
 */
export interface EarlyDataWritten {
  /** Bytes of the input taken (less than its length when the budget ran out). */
  consumed: number;
  /** Bytes of records written into `out`. */
  written: number;
}

/**
 * Client only: writes 0-RTT application data (RFC 8446 section 2.3). The
 * server may still refuse it: check `earlyDataAccepted` /
 * `earlyDataRejected` on the connection once the handshake is done, and send
 * the data again after the handshake when it was rejected. 0-RTT data can be
 * replayed by an attacker; send only requests that are safe to repeat.
 *
 * @example
 * ```ts
 * import type { TransmitTlsData } from "@kerneltls/tls";
 * async function sendEarly(state: TransmitTlsData, request: Uint8Array): Promise<Uint8Array> {
 *   const early = state.mayEncryptEarlyData();
 *   if (!early) return new Uint8Array(0); // no 0-RTT now: send after the handshake
 *   const out = new Uint8Array(request.length + 256);
 *   const { consumed, written } = await early.encrypt(request, out);
 *   console.log(consumed === request.length, early.remaining);
 *   return out.subarray(0, written); // send right after the ClientHello
 * }
 * void sendEarly;
 * ```
 */
export class MayEncryptEarlyData {
  readonly #cx: StateContext;

  /** @ignore Created by `processTlsRecords`. */
  constructor(cx: StateContext) {
    this.#cx = cx;
  }

  /** Early data bytes the ticket still allows (its max_early_data_size minus what was sent). */
  get remaining(): number {
    return this.#cx.core.earlyData?.remaining ?? 0;
  }

  /**
   * Encrypts as much of `data` as the ticket's max_early_data_size still
   * allows into `out`. Data beyond the budget is silently left out: compare
   * `consumed` with `data.length` and send the rest after the handshake.
   * Throws `InsufficientSizeError` when `out` is too small (nothing consumed).
   */
  encrypt(data: Uint8Array, out: Uint8Array): Promise<EarlyDataWritten> {
    return this.#cx.exclusive("MayEncryptEarlyData", () => {
      const early = this.#cx.core.earlyData;
      if (!early?.open) throw new TypeError("early data can no longer be sent");
      return early.encrypt(data, out);
    });
  }
}

/**
 * The handshake needs more bytes from the peer: append them and call again.
 *
 * @example
 * ```ts
 * import type { ConnectionState } from "@kerneltls/tls";
 * function needsBytes(state: ConnectionState): boolean {
 *   // Read more from the transport, append it to the incoming buffer, call again.
 *   return state.kind === "BlockedHandshake";
 * }
 * void needsBytes;
 * ```
 */
export class BlockedHandshake {
  /** Discriminant. */
  readonly kind = "BlockedHandshake" as const;
}

/**
 * The connection is idle and open for application data.
 *
 * @example
 * ```ts
 * import type { WriteTraffic } from "@kerneltls/tls";
 * async function sendText(state: WriteTraffic, text: string): Promise<Uint8Array> {
 *   const data = new TextEncoder().encode(text);
 *   const out = new Uint8Array(data.length + 1024); // room for record headers and tags
 *   const n = await state.encrypt(data, out);
 *   return out.subarray(0, n); // ciphertext for the transport
 * }
 * void sendText;
 * ```
 */
export class WriteTraffic {
  /** Discriminant. */
  readonly kind = "WriteTraffic" as const;
  readonly #cx: StateContext;

  /** @ignore Created by `processTlsRecords`. */
  constructor(cx: StateContext) {
    this.#cx = cx;
  }

  /**
   * Bytes `encrypt` writes for `length` bytes of data right now: every
   * record's header, content type byte, explicit nonce and tag, plus a
   * KeyUpdate when the key is about to reach its confidentiality limit.
   */
  encryptedSize(length: number): number {
    this.#cx.checkCurrent("WriteTraffic");
    if (!Number.isInteger(length) || length < 0) {
      throw new RangeError("length must be a non-negative integer");
    }
    return this.#cx.core.encryptedSize(length);
  }

  /**
   * Encrypts `data` into `out` (one record per `maxFragmentSize` bytes) and
   * returns the bytes written. Rejects with `InsufficientSizeError` when
   * `out` is smaller than {@link WriteTraffic.encryptedSize}; nothing is
   * consumed then. A stale state rejects with `TypeError`.
   */
  encrypt(data: Uint8Array, out: Uint8Array): Promise<number> {
    return this.#cx.exclusive("WriteTraffic", () => this.#cx.core.encryptAppData(data, out));
  }

  /** Writes a close_notify alert into `out`; no data may be sent after it. */
  queueCloseNotify(out: Uint8Array): Promise<number> {
    return this.#cx.exclusive("WriteTraffic", () => this.#cx.core.writeCloseNotify(out));
  }

  /**
   * Arranges a TLS 1.3 KeyUpdate that also asks the peer to update. The
   * message comes out of the next `processTlsRecords` as `EncodeTlsData`.
   */
  refreshTrafficKeys(): Promise<void> {
    return this.#cx.exclusive("WriteTraffic", async () => {
      const { core } = this.#cx;
      if (!core.tls13) throw new TypeError("key updates need a TLS 1.3 connection");
      await core.tls13.sendKeyUpdate(core, true);
    });
  }
}

/**
 * One decrypted application data record and the bytes it occupied.
 *
 * @example
 * ```ts
 * import type { AppDataRecord } from "@kerneltls/tls";
 * const record: AppDataRecord = { payload: new TextEncoder().encode("hi"), discard: 24 };
 * console.log(new TextDecoder().decode(record.payload)); // hi
 * ```
 */
export interface AppDataRecord {
  /** The plaintext. */
  payload: Uint8Array;
  /** Bytes to remove from the front of the incoming buffer for this record. */
  discard: number;
}

/**
 * Application data arrived. Take records with `nextRecord()` until it
 * returns `undefined`, adding each `discard` to the call's `discard`. Data is
 * consumed only by `nextRecord`.
 *
 * @example
 * ```ts
 * import type { ReadTraffic } from "@kerneltls/tls";
 * function drain(state: ReadTraffic): { chunks: Uint8Array[]; discard: number } {
 *   const chunks: Uint8Array[] = [];
 *   let discard = 0;
 *   for (let record = state.nextRecord(); record; record = state.nextRecord()) {
 *     chunks.push(record.payload);
 *     discard += record.discard;
 *   }
 *   return { chunks, discard }; // add discard to the status's discard
 * }
 * void drain;
 * ```
 */
export class ReadTraffic {
  /** Discriminant. */
  readonly kind = "ReadTraffic" as const;
  readonly #cx: StateContext;

  /** @ignore Created by `processTlsRecords`. */
  constructor(cx: StateContext) {
    this.#cx = cx;
  }

  /** Length of the next record's payload, without taking it. */
  peekLen(): number | undefined {
    this.#cx.checkCurrent("ReadTraffic");
    return this.#cx.core.peekAppLength();
  }

  /** Takes the next record. */
  nextRecord(): AppDataRecord | undefined {
    this.#cx.checkCurrent("ReadTraffic");
    return this.#cx.core.nextAppRecord();
  }
}

/**
 * Server only: 0-RTT data arrived (a resumed handshake whose early data was
 * accepted). Take records with `nextRecord()` like in {@link ReadTraffic};
 * the handshake goes on afterwards. The data may be a replay by an
 * attacker: act on it only when that is safe (RFC 8446 section 8).
 *
 * @example
 * ```ts
 * import type { ConnectionState } from "@kerneltls/tls";
 * function takeEarly(state: ConnectionState): Uint8Array[] {
 *   const chunks: Uint8Array[] = [];
 *   if (state.kind !== "ReadEarlyData") return chunks;
 *   while (state.peekLen() !== undefined) chunks.push(state.nextRecord()!.payload);
 *   return chunks; // may be a replay: only act on idempotent requests
 * }
 * void takeEarly;
 * ```
 */
export class ReadEarlyData {
  /** Discriminant. */
  readonly kind = "ReadEarlyData" as const;
  readonly #cx: StateContext;

  /** @ignore Created by `processTlsRecords`. */
  constructor(cx: StateContext) {
    this.#cx = cx;
  }

  /** Length of the next early record's payload, without taking it. */
  peekLen(): number | undefined {
    this.#cx.checkCurrent("ReadEarlyData");
    return this.#cx.core.peekAppLength(true);
  }

  /** Takes the next early data record. */
  nextRecord(): AppDataRecord | undefined {
    this.#cx.checkCurrent("ReadEarlyData");
    return this.#cx.core.nextAppRecord(true);
  }
}

/**
 * The peer sent close_notify. Reported once; writing is still possible (half-close).
 *
 * @example
 * ```ts
 * import type { ConnectionState } from "@kerneltls/tls";
 * function onState(state: ConnectionState): void {
 *   if (state.kind === "PeerClosed") {
 *     console.log("peer sent close_notify; we may still write, then close too");
 *   }
 * }
 * void onState;
 * ```
 */
export class PeerClosed {
  /** Discriminant. */
  readonly kind = "PeerClosed" as const;
}

/**
 * We sent close_notify: nothing more can be written. Incoming records are
 * still read while the peer has not closed (its data arrives as `ReadTraffic`,
 * its close_notify as `PeerClosed`); once both sides have closed, every call
 * returns `Closed`.
 *
 * @example
 * ```ts
 * import type { ConnectionState } from "@kerneltls/tls";
 * function isFinished(state: ConnectionState): boolean {
 *   return state.kind === "Closed"; // both sides closed: release the transport
 * }
 * void isFinished;
 * ```
 */
export class Closed {
  /** Discriminant. */
  readonly kind = "Closed" as const;
}

/**
 * Every state `processTlsRecords` can return.
 *
 * @example
 * ```ts
 * import type { ConnectionState } from "@kerneltls/tls";
 * function describe(state: ConnectionState): string {
 *   switch (state.kind) {
 *     case "EncodeTlsData":
 *       return `encode ${state.requiredSize} bytes`;
 *     case "TransmitTlsData":
 *       return "send what was encoded, then call done()";
 *     case "BlockedHandshake":
 *       return "read more bytes";
 *     case "WriteTraffic":
 *       return "idle: encrypt application data";
 *     case "ReadTraffic":
 *     case "ReadEarlyData":
 *       return "take records with nextRecord()";
 *     case "PeerClosed":
 *       return "peer closed";
 *     case "Closed":
 *       return "closed";
 *   }
 * }
 * void describe;
 * ```
 */
export type ConnectionState =
  | EncodeTlsData
  | TransmitTlsData
  | BlockedHandshake
  | WriteTraffic
  | ReadTraffic
  | ReadEarlyData
  | PeerClosed
  | Closed;

/**
 * What `processTlsRecords` resolves to.
 *
 * @example
 * ```ts
 * import { ClientConfig, RootCertStore, UnbufferedClientConnection } from "@kerneltls/tls";
 * import type { UnbufferedStatus } from "@kerneltls/tls";
 * const config = new ClientConfig({ roots: new RootCertStore() });
 * const client = await UnbufferedClientConnection.create(config, "example.com");
 * let incoming = new Uint8Array(0);
 * const status: UnbufferedStatus = await client.processTlsRecords(incoming);
 * incoming = incoming.subarray(status.discard);
 * console.log(status.state.kind); // EncodeTlsData
 * ```
 */
export interface UnbufferedStatus {
  /** Bytes to remove from the front of the incoming buffer. */
  discard: number;
  /** What to do next. */
  state: ConnectionState;
}
