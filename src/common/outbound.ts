/**
 * The queue of records waiting to be encoded. Each item remembers the record
 * writer (plaintext or a TLS 1.3 / 1.2 sealer) that was current when it was
 * queued, because keys change in the middle of a flight (the server's
 * ServerHello is plaintext, EncryptedExtensions is already protected).
 *
 * @module
 */

import { ContentType } from "../msgs/enums.ts";
import { InsufficientSizeError } from "../error.ts";
import type { RecordWriter } from "../record/record_io.ts";

interface Item {
  contentType: number;
  payload: Uint8Array;
  writer: RecordWriter;
}

/** Outbound records in order; handshake messages under one writer are coalesced. */
export class OutboundQueue {
  #items: Item[] = [];
  #maxFragment: number;

  /** `maxFragment` is the largest plaintext fragment per record. */
  constructor(maxFragment: number) {
    this.#maxFragment = maxFragment;
  }

  /** Cuts records queued from now on (and those still queued) to at most `max` bytes. */
  limitFragments(max: number): void {
    this.#maxFragment = max;
  }

  /** True when nothing waits to be encoded. */
  get isEmpty(): boolean {
    return this.#items.length === 0;
  }

  /** Queues a payload; consecutive handshake payloads under one writer share records. */
  push(contentType: number, payload: Uint8Array, writer: RecordWriter): void {
    const last = this.#items[this.#items.length - 1];
    if (
      last && contentType === ContentType.handshake && last.contentType === contentType &&
      last.writer === writer
    ) {
      const joined = new Uint8Array(last.payload.length + payload.length);
      joined.set(last.payload);
      joined.set(payload, last.payload.length);
      last.payload = joined;
      return;
    }
    this.#items.push({ contentType, payload, writer });
  }

  /** Bytes needed to encode everything queued. */
  requiredSize(): number {
    let total = 0;
    for (const item of this.#items) total += fragmentedSize(item, this.#maxFragment);
    return total;
  }

  /**
   * Encodes every queued record into `out` and empties the queue. Throws
   * {@link InsufficientSizeError} (nothing consumed) when `out` is too small.
   */
  async encodeInto(out: Uint8Array): Promise<number> {
    const required = this.requiredSize();
    if (out.length < required) throw new InsufficientSizeError(required);
    const items = this.#items;
    this.#items = [];
    let offset = 0;
    for (const item of items) {
      for (const fragment of fragments(item.payload, this.#maxFragment)) {
        const size = item.writer.recordSize(fragment.length);
        await item.writer.writeInto(
          item.contentType,
          fragment,
          out.subarray(offset, offset + size),
        );
        offset += size;
      }
    }
    return offset;
  }
}

/** Splits `payload` into fragments of at most `max` bytes (one empty fragment for empty input). */
export function fragments(payload: Uint8Array, max: number): Uint8Array[] {
  if (payload.length === 0) return [payload];
  const out: Uint8Array[] = [];
  for (let i = 0; i < payload.length; i += max) out.push(payload.subarray(i, i + max));
  return out;
}

function fragmentedSize(item: Item, max: number): number {
  let total = 0;
  for (const f of fragments(item.payload, max)) total += item.writer.recordSize(f.length);
  return total;
}
