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
}

/**
 * Handshake (or alert) records are waiting to be encoded. Call `encode(out)`
 * once; it returns the number of bytes written, or throws
 * `InsufficientSizeError` (with `requiredSize`) and keeps the records for a
 * retry with a bigger buffer. Then call `processTlsRecords` again.
 */
export class EncodeTlsData {
  /** Discriminant. */
  readonly kind = "EncodeTlsData" as const;
  readonly #cx: StateContext;
  #done = false;

  /** @internal */
  constructor(cx: StateContext) {
    this.#cx = cx;
  }

  /** Bytes `encode` needs. */
  get requiredSize(): number {
    return this.#cx.core.requiredEncodeSize();
  }

  /** Writes the queued records into `out`. */
  async encode(out: Uint8Array): Promise<number> {
    this.#cx.checkCurrent("EncodeTlsData");
    if (this.#done) throw new TypeError("EncodeTlsData: already encoded");
    const n = await this.#cx.core.encodeQueued(out);
    this.#done = true;
    return n;
  }
}

/**
 * Encoded records must now be sent to the peer. Call `done()` once they are
 * handed to the transport, then `processTlsRecords` again.
 */
export class TransmitTlsData {
  /** Discriminant. */
  readonly kind = "TransmitTlsData" as const;
  readonly #cx: StateContext;

  /** @internal */
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
}

/** The handshake needs more bytes from the peer: append them and call again. */
export class BlockedHandshake {
  /** Discriminant. */
  readonly kind = "BlockedHandshake" as const;
}

/** The connection is idle and open for application data. */
export class WriteTraffic {
  /** Discriminant. */
  readonly kind = "WriteTraffic" as const;
  readonly #cx: StateContext;

  /** @internal */
  constructor(cx: StateContext) {
    this.#cx = cx;
  }

  /**
   * Encrypts `data` into `out` (one record per `maxFragmentSize` bytes) and
   * returns the bytes written. Throws `InsufficientSizeError` when `out` is
   * too small; nothing is consumed then.
   */
  encrypt(data: Uint8Array, out: Uint8Array): Promise<number> {
    this.#cx.checkCurrent("WriteTraffic");
    return this.#cx.core.encryptAppData(data, out);
  }

  /** Writes a close_notify alert into `out`; no data may be sent after it. */
  queueCloseNotify(out: Uint8Array): Promise<number> {
    this.#cx.checkCurrent("WriteTraffic");
    return this.#cx.core.writeCloseNotify(out);
  }

  /**
   * Arranges a TLS 1.3 KeyUpdate that also asks the peer to update. The
   * message comes out of the next `processTlsRecords` as `EncodeTlsData`.
   */
  async refreshTrafficKeys(): Promise<void> {
    this.#cx.checkCurrent("WriteTraffic");
    const { core } = this.#cx;
    if (!core.tls13) throw new TypeError("key updates need a TLS 1.3 connection");
    await core.tls13.sendKeyUpdate(core, true);
  }
}

/** One decrypted application data record and the bytes it occupied. */
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
 */
export class ReadTraffic {
  /** Discriminant. */
  readonly kind = "ReadTraffic" as const;
  readonly #cx: StateContext;

  /** @internal */
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

/** Server only: 0-RTT data arrived (resumption with early data). */
export class ReadEarlyData {
  /** Discriminant. */
  readonly kind = "ReadEarlyData" as const;
}

/** The peer sent close_notify. Reported once; writing is still possible (half-close). */
export class PeerClosed {
  /** Discriminant. */
  readonly kind = "PeerClosed" as const;
}

/** Both sides sent close_notify. */
export class Closed {
  /** Discriminant. */
  readonly kind = "Closed" as const;
}

/** Every state `processTlsRecords` can return. */
export type ConnectionState =
  | EncodeTlsData
  | TransmitTlsData
  | BlockedHandshake
  | WriteTraffic
  | ReadTraffic
  | ReadEarlyData
  | PeerClosed
  | Closed;

/** What `processTlsRecords` resolves to. */
export interface UnbufferedStatus {
  /** Bytes to remove from the front of the incoming buffer. */
  discard: number;
  /** What to do next. */
  state: ConnectionState;
}
