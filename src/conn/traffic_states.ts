/**
 * The states of an established connection: `WriteTraffic` (open for
 * application data) and `ReadTraffic` (application data received).
 *
 * @module
 */

import type { StateContext } from "./state_context.ts";

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
