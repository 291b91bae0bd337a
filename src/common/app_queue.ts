/**
 * Decrypted application records waiting for the caller, with the bytes of the
 * caller's buffer they still occupy (those bytes may not be discarded until
 * the record is taken).
 *
 * @module
 */

import type { AppRecord } from "./core_types.ts";

/** Application records in arrival order; 0-RTT records are marked `early`. */
export class AppDataQueue {
  #records: AppRecord[] = [];
  #bytes = 0;

  /** Number of records waiting. */
  get length(): number {
    return this.#records.length;
  }

  /** Bytes of the caller's buffer held by the records waiting. */
  get heldBytes(): number {
    return this.#bytes;
  }

  /** True when the first record waiting is 0-RTT data; undefined when none waits. */
  get firstIsEarly(): boolean | undefined {
    return this.#records[0]?.early;
  }

  /** Queues `payload`, which occupied `discard` bytes of the caller's buffer. */
  push(payload: Uint8Array, discard: number, early: boolean): void {
    this.#records.push({ payload, discard, early });
    this.#bytes += discard;
  }

  /** Takes the next record when it is of the kind asked for (0-RTT data when `early`). */
  take(early: boolean): AppRecord | undefined {
    if (this.#records[0]?.early !== early) return undefined;
    const r = this.#records.shift();
    if (r) this.#bytes -= r.discard;
    return r;
  }

  /** Length of the next record when it is of the kind asked for. */
  peekLength(early: boolean): number | undefined {
    if (this.#records[0]?.early !== early) return undefined;
    return this.#records[0]?.payload.length;
  }
}
