// Bulk transfer helpers: deterministic data in 64 KiB chunks, hashed with
// SHA-256 as it is sent and as it arrives, so every byte is checked without
// keeping the data.
import { createHash, type Hash } from "node:crypto";

/** Size of each write. */
export const CHUNK = 64 * 1024;

const base = new Uint8Array(CHUNK);
for (let off = 0; off < CHUNK; off += 65536) {
  crypto.getRandomValues(base.subarray(off, Math.min(CHUNK, off + 65536)));
}

/** The `index`-th chunk: random bytes that differ from every other chunk in their first 8. */
export function chunkAt(index: number, length = CHUNK): Uint8Array {
  const out = base.slice(0, length);
  new DataView(out.buffer).setFloat64(0, index);
  return out;
}

/** A running SHA-256 with a byte count. */
export class Digest {
  readonly #hash: Hash = createHash("sha256");
  bytes = 0;
  /** Adds `chunk`. */
  update(chunk: Uint8Array): void {
    this.#hash.update(chunk);
    this.bytes += chunk.length;
  }
  /** The hex digest (once). */
  hex(): string {
    return this.#hash.digest("hex");
  }
}

/** Writes `total` bytes of chunks through `write`, hashing them into `digest`. */
export async function sendBulk(
  write: (chunk: Uint8Array) => Promise<void>,
  total: number,
  digest: Digest,
  first = 0,
): Promise<void> {
  for (let i = first, sent = 0; sent < total; i++) {
    const chunk = chunkAt(i, Math.min(CHUNK, total - sent));
    digest.update(chunk);
    await write(chunk);
    sent += chunk.length;
  }
}

/** Reads `readable` to its end, hashing into `digest`; `onChunk` sees the running count. */
export async function receiveBulk(
  readable: ReadableStream<Uint8Array>,
  digest: Digest,
  onChunk?: (received: number) => boolean | void,
): Promise<void> {
  const reader = readable.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    digest.update(value);
    if (onChunk?.(digest.bytes)) break;
  }
  reader.releaseLock();
}
