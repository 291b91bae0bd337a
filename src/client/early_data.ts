/**
 * The client's 0-RTT writer (RFC 8446 sections 2.3 and 4.2.10): application
 * data protected under client_early_traffic_secret, sent after the first
 * ClientHello, limited to the ticket's max_early_data_size.
 *
 * @module
 */

import type { EarlyDataSender } from "../common/core.ts";
import { fragments } from "../common/outbound.ts";
import type { RecordWriter } from "../record/record_io.ts";
import { InsufficientSizeError } from "../error.ts";
import { ContentType } from "../msgs/enums.ts";

/** Early data state for one connection. */
export class ClientEarlyData implements EarlyDataSender {
  /** The writer under the early traffic key (EndOfEarlyData uses it too). */
  readonly writer: RecordWriter;
  #open = true;
  #remaining: number;
  readonly #maxFragment: number;

  /** `budget` is the ticket's max_early_data_size. */
  constructor(writer: RecordWriter, budget: number, maxFragment: number) {
    this.writer = writer;
    this.#remaining = budget;
    this.#maxFragment = maxFragment;
  }

  /** True until the server's answer arrives. */
  get open(): boolean {
    return this.#open;
  }

  /** Bytes still allowed. */
  get remaining(): number {
    return this.#remaining;
  }

  /** No more early data: the ServerHello (or HelloRetryRequest) is here. */
  close(): void {
    this.#open = false;
  }

  /** Encrypts what the budget allows of `data`; the rest is left to the caller. */
  async encrypt(data: Uint8Array, out: Uint8Array): Promise<{ consumed: number; written: number }> {
    if (!this.#open) throw new TypeError("early data can no longer be sent");
    const consumed = Math.min(data.length, this.#remaining);
    if (consumed === 0) return { consumed: 0, written: 0 };
    const parts = fragments(data.subarray(0, consumed), this.#maxFragment);
    let required = 0;
    for (const p of parts) required += this.writer.recordSize(p.length);
    if (out.length < required) throw new InsufficientSizeError(required);
    let written = 0;
    for (const p of parts) {
      const size = this.writer.recordSize(p.length);
      await this.writer.writeInto(
        ContentType.application_data,
        p,
        out.subarray(written, written + size),
      );
      written += size;
    }
    this.#remaining -= consumed;
    return { consumed, written };
  }
}
