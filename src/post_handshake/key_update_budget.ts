/**
 * How many KeyUpdates a peer may make us process (RFC 8446 section 4.6.3 sets
 * no limit, but each one costs a key derivation and an answered one a second
 * derivation and a record, so a peer sending a few bytes per update could
 * keep us busy indefinitely).
 *
 * @module
 */

import { tlsError } from "../error.ts";
import { AlertDescription } from "../msgs/enums.ts";

/** KeyUpdates taken in a row before application data must earn more. */
export const KEY_UPDATE_BURST = 32;

/** Received application data bytes that earn one more KeyUpdate. */
export const KEY_UPDATE_REFILL_BYTES = 16384;

/** Default of the `maxKeyUpdates` option: KeyUpdates accepted per connection. */
export const DEFAULT_MAX_KEY_UPDATES = 1024;

/**
 * A token bucket for the peer's KeyUpdates: {@link KEY_UPDATE_BURST} at
 * first, one more per {@link KEY_UPDATE_REFILL_BYTES} of application data
 * received (never more than the burst), and `maxTotal` in all. A KeyUpdate
 * beyond either bound is `unexpected_message`. So 100 KB of hostile input
 * buys at most a few dozen derivations, while a peer that rotates its key
 * every few megabytes, or a few dozen times in a row, is never refused.
 *
 * @example
 * ```ts
 * import { KeyUpdateBudget } from "./key_update_budget.ts";
 * const budget = new KeyUpdateBudget(1024);
 * for (let i = 0; i < 32; i++) budget.spend();
 * budget.noteData(16384);
 * budget.spend(); // earned by a full record of data
 * try {
 *   budget.spend();
 * } catch (e) {
 *   console.log((e as Error).message); // too many KeyUpdate messages for the data received
 * }
 * ```
 */
export class KeyUpdateBudget {
  readonly #maxTotal: number;
  #tokens = KEY_UPDATE_BURST;
  #dataBytes = 0;
  #total = 0;

  /**
   * `maxTotal` bounds the KeyUpdates of the whole connection, of which
   * `taken` were taken already (by the connection before a kernel hand-off).
   */
  constructor(maxTotal: number, taken = 0) {
    this.#maxTotal = maxTotal;
    this.#total = taken;
  }

  /** The bound on the whole connection. */
  get maxTotal(): number {
    return this.#maxTotal;
  }

  /** KeyUpdates taken so far. */
  get total(): number {
    return this.#total;
  }

  /** Application data bytes arrived. */
  noteData(bytes: number): void {
    if (this.#tokens >= KEY_UPDATE_BURST) return;
    this.#dataBytes += bytes;
    const earned = Math.floor(this.#dataBytes / KEY_UPDATE_REFILL_BYTES);
    if (earned === 0) return;
    this.#dataBytes -= earned * KEY_UPDATE_REFILL_BYTES;
    this.#tokens = Math.min(KEY_UPDATE_BURST, this.#tokens + earned);
    if (this.#tokens === KEY_UPDATE_BURST) this.#dataBytes = 0;
  }

  /** Takes one KeyUpdate, or throws when the peer has run out. */
  spend(): void {
    if (this.#total >= this.#maxTotal) {
      throw tlsError(
        "PeerMisbehaved",
        "TooManyKeyUpdateRequests",
        `more than ${this.#maxTotal} KeyUpdate messages on one connection`,
        { alert: AlertDescription.unexpected_message },
      );
    }
    if (this.#tokens === 0) {
      throw tlsError(
        "PeerMisbehaved",
        "TooManyKeyUpdateRequests",
        "too many KeyUpdate messages for the data received",
        { alert: AlertDescription.unexpected_message },
      );
    }
    this.#tokens--;
    this.#total++;
  }
}
