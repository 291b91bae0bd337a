/**
 * Write-behind for `TlsStream` (the `writeBatchSize` option): a write is
 * copied into the current batch and resolves at once, while one flush at a
 * time encrypts the batch before it (full records, many seals in flight) and
 * hands it to the transport in one write. So a sender that awaits every
 * write still keeps the AEAD busy, and small writes share records.
 *
 * @module
 */

/** The least a batch buffer starts at. */
const MIN_BUFFER = 16 * 1024;

/** Batches writes of up to `max` bytes for `flush`, one flush at a time. */
export class WriteBatcher {
  readonly #max: number;
  readonly #flush: (data: Uint8Array) => Promise<void>;
  readonly #failed: (e: unknown) => void;
  #buf: Uint8Array | undefined;
  #filled = 0;
  #running: Promise<void> | undefined;
  #error: { reason: unknown } | undefined;
  #waiting: (() => void)[] = [];

  /**
   * `flush(data)` sends one batch (resolving when the next may start);
   * `failed(e)` hears of the first failure of a flush.
   */
  constructor(
    max: number,
    flush: (data: Uint8Array) => Promise<void>,
    failed: (e: unknown) => void,
  ) {
    this.#max = max;
    this.#flush = flush;
    this.#failed = failed;
  }

  /**
   * Copies `chunk` into the batch (waiting for room while a full batch
   * waits for its flush); rejects once a flush failed or after `abandon`.
   */
  async push(chunk: Uint8Array): Promise<void> {
    for (let at = 0; at < chunk.length;) {
      this.#check();
      if (this.#filled === this.#max) {
        await new Promise<void>((resolve) => this.#waiting.push(resolve));
        continue;
      }
      const n = Math.min(this.#max - this.#filled, chunk.length - at);
      const buf = this.#room(n);
      buf.set(chunk.subarray(at, at + n), this.#filled);
      this.#filled += n;
      at += n;
      this.#running ??= this.#run();
    }
    this.#check();
  }

  /** Resolves once everything pushed was flushed; rejects if a flush failed. */
  async drained(): Promise<void> {
    while (this.#running) await this.#running;
    this.#check();
  }

  /** Drops what is queued; later pushes reject with `reason`. */
  abandon(reason: unknown): void {
    this.#error ??= { reason };
    this.#buf = undefined;
    this.#filled = 0;
    this.#wake();
  }

  #check(): void {
    if (this.#error) throw this.#error.reason;
  }

  /** The batch buffer with room for `n` more bytes (it grows by doubling up to `max`). */
  #room(n: number): Uint8Array {
    const buf = this.#buf;
    if (buf && buf.length - this.#filled >= n) return buf;
    let size = Math.max(MIN_BUFFER, buf?.length ?? 0);
    while (size < this.#filled + n) size *= 2;
    const grown = new Uint8Array(Math.min(this.#max, size));
    if (buf) grown.set(buf.subarray(0, this.#filled));
    this.#buf = grown;
    return grown;
  }

  #wake(): void {
    for (const resolve of this.#waiting.splice(0)) resolve();
  }

  async #run(): Promise<void> {
    try {
      while (this.#filled > 0 && !this.#error) {
        const data = this.#buf!.subarray(0, this.#filled);
        this.#buf = undefined;
        this.#filled = 0;
        this.#wake();
        await this.#flush(data);
      }
    } catch (e) {
      this.abandon(e);
      this.#failed(e);
    } finally {
      this.#running = undefined;
    }
  }
}
