/**
 * The 0-RTT states: `MayEncryptEarlyData` (client, writing early data after
 * the ClientHello) and `ReadEarlyData` (server, early data received).
 *
 * @module
 */

import type { StateContext } from "./state_context.ts";
import type { AppDataRecord } from "./traffic_states.ts";

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
