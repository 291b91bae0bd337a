/**
 * Server side of 0-RTT on the read path: the budget of accepted early data
 * (RFC 8446 4.2.10, max_early_data_size) and the skipping of refused early
 * data, whose records do not decrypt under the handshake key.
 *
 * @module
 */

import { tlsError } from "../error.ts";
import { AlertDescription } from "../msgs/enums.ts";
import type { RawRecord } from "../record/deframer.ts";
import type { RecordReader } from "../record/record_io.ts";

/** What a record reader returns for one record. */
export type Opened = Awaited<ReturnType<RecordReader["open"]>>;

/** The early-data budgets of one connection (nothing set on a client). */
export class EarlyDataInbound {
  /** Plaintext bytes of accepted 0-RTT data still allowed. */
  #remaining: number | undefined;
  /** Bytes of refused 0-RTT records still to skip. */
  #skipRemaining: number | undefined;

  /** 0-RTT was accepted: up to `budget` plaintext bytes of it may arrive. */
  accept(budget: number): void {
    this.#remaining = budget;
  }

  /** EndOfEarlyData arrived; no more early data is accepted. */
  end(): void {
    this.#remaining = undefined;
  }

  /** True while accepted early data may arrive. */
  get accepting(): boolean {
    return this.#remaining !== undefined;
  }

  /** 0-RTT was refused: up to `budget` bytes of records that do not decrypt are dropped. */
  skipRejected(budget: number): void {
    this.#skipRemaining = budget;
  }

  /** Refused early data can no longer arrive. */
  stopSkipping(): void {
    this.#skipRemaining = undefined;
  }

  /** True while refused early data is being skipped. */
  get skipping(): boolean {
    return this.#skipRemaining !== undefined;
  }

  /**
   * Counts `length` plaintext bytes of accepted early data against the
   * budget; more than max_early_data_size is unexpected_message.
   */
  consume(length: number): void {
    if (length > this.#remaining!) {
      throw tlsError(
        "PeerMisbehaved",
        "TooMuchEarlyDataReceived",
        "more early data than max_early_data_size",
        { alert: AlertDescription.unexpected_message },
      );
    }
    this.#remaining! -= length;
  }

  /**
   * While refused 0-RTT data is being skipped: opens `record` with `reader`,
   * or drops it (returning undefined) when it does not decrypt. The first
   * record that opens ends the skipping.
   */
  async trialOpen(reader: RecordReader, record: RawRecord): Promise<Opened | undefined> {
    if (reader.isProtected) {
      const opened = await reader.tryOpen(record.header, record.fragment);
      if (opened) {
        this.#skipRemaining = undefined;
        return opened;
      }
    }
    // Roughly the plaintext size; at least one so that empty records count too.
    const cost = Math.max(1, record.fragment.length - 17);
    if (cost > this.#skipRemaining!) {
      throw tlsError("PeerMisbehaved", "TooMuchEarlyDataReceived", "too much rejected early data", {
        alert: AlertDescription.unexpected_message,
      });
    }
    this.#skipRemaining! -= cost;
    return undefined;
  }
}
