/**
 * The record side of a `TlsStream`: the connection driven over the
 * transport's reader and writer in one serial section that never waits on
 * the network. `TlsStream` builds the public streams and their lifecycle on
 * top of it.
 *
 * @module
 */

import type { ConnectionState } from "../conn/states.ts";
import { concat } from "../_bytes.ts";
import { ReadBuffer } from "./_read_buffer.ts";
import { readerAfter } from "./_reader_after.ts";
import { flushAlert } from "./_flush_alert.ts";
import { streamError } from "./_handshake_guard.ts";
import type { StreamHandOff, TlsConnection } from "./stream_types.ts";

/** How far `drive` goes: the handshake done, plaintext (or the peer's close), or idle. */
export type Goal = "handshake" | "data" | "idle";
/** `drive` wants bytes from the transport. */
export const NEED_BYTES = Symbol("need bytes");
/** The stream was handed off: the connection and the transport are no longer ours. */
export const HANDED_OFF = Symbol("handed off");
/** What `drive` stops at. */
export type Driven = ConnectionState | typeof NEED_BYTES | typeof HANDED_OFF;

/** The kernel connection type `C` hands off to. */
export type KernelOf<C extends TlsConnection> = Awaited<
  ReturnType<C["dangerousIntoKernelConnection"]>
>["connection"];

/** A connection, its transport, and the bytes in between. */
export class RecordPump<C extends TlsConnection> {
  readonly conn: C;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #incoming = new ReadBuffer();
  /**
   * Chunks read from the transport, not yet in `#incoming`: they join it in
   * the serial section, never while the connection is reading a view of it.
   */
  #arrived: Uint8Array[] = [];
  #lock: Promise<unknown> = Promise.resolve();
  /** Plaintext decrypted and not yet taken. */
  readonly plaintext: Uint8Array[] = [];
  /** The peer's close_notify was processed. */
  peerClosed = false;
  /** The transport's readable ended. */
  transportEnded = false;
  /** The connection and the transport were handed off. */
  handedOff = false;
  #writerClosed = false;
  /** The transport read under way, if any (its bytes belong to a hand-off that comes first). */
  #pendingRead: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
  /** The last write handed to the transport. */
  #lastSend: Promise<void> = Promise.resolve();

  constructor(
    conn: C,
    reader: ReadableStreamDefaultReader<Uint8Array>,
    writer: WritableStreamDefaultWriter<Uint8Array>,
  ) {
    this.conn = conn;
    this.#reader = reader;
    this.#writer = writer;
  }

  /** Runs `task` after every task before it, settled or not. */
  serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(task, task);
    this.#lock = run.catch(() => {});
    return run;
  }

  /** Hands `bytes` to the transport (in order); the promise settles once they are written. */
  #send(bytes: Uint8Array): Promise<void> {
    const sent = this.#writer.write(bytes);
    sent.catch(() => {}); // a failed write also fails every later one, which is observed
    this.#lastSend = sent;
    return sent;
  }

  /**
   * Runs processTlsRecords until the goal is met: "handshake" (WriteTraffic),
   * "data" (plaintext available or the peer closed) or "idle" (nothing left to
   * do without reading). Returns `NEED_BYTES` instead of reading, so that the
   * serial section never waits on the network. Only called in the serial
   * section.
   */
  async drive(goal: Goal): Promise<Driven> {
    if (this.handedOff) return HANDED_OFF;
    for (const chunk of this.#arrived.splice(0)) this.#incoming.append(chunk);
    for (;;) {
      const { discard, state } = await this.conn.processTlsRecords(this.#incoming.view);
      let consumed = discard;
      switch (state.kind) {
        case "EncodeTlsData": {
          const out = new Uint8Array(state.requiredSize);
          const n = await state.encode(out);
          this.#send(out.subarray(0, n));
          break;
        }
        case "TransmitTlsData":
          state.done();
          break;
        case "ReadTraffic":
          for (let r = state.nextRecord(); r; r = state.nextRecord()) {
            this.plaintext.push(r.payload);
            consumed += r.discard;
          }
          break;
        case "PeerClosed":
          this.peerClosed = true;
          this.#incoming.discard(consumed);
          return state;
        case "Closed":
          // Our close_notify is out; the peer may still be sending.
          this.#incoming.discard(consumed);
          return goal === "data" && !this.peerClosed ? NEED_BYTES : state;
        case "WriteTraffic":
          this.#incoming.discard(consumed);
          return goal === "data" && this.plaintext.length === 0 ? NEED_BYTES : state;
        case "BlockedHandshake":
        case "ReadEarlyData":
          this.#incoming.discard(consumed);
          return NEED_BYTES;
      }
      this.#incoming.discard(consumed);
    }
  }

  /** Drives toward `goal`, reading from the transport outside the serial section. */
  async until(goal: Goal): Promise<Exclude<Driven, typeof NEED_BYTES>> {
    for (;;) {
      const state = await this.serial(() => this.drive(goal));
      if (state !== NEED_BYTES) return state;
      await this.#readMore();
    }
  }

  async #readMore(): Promise<void> {
    if (this.transportEnded) {
      throw streamError(
        "UnexpectedEof",
        "the transport closed without close_notify (possible truncation)",
      );
    }
    // A read started ahead (below) is taken first; it stays pending until here.
    const read = this.#pendingRead ?? this.#reader.read();
    this.#pendingRead = read;
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = await read;
    } finally {
      if (this.#pendingRead === read) this.#pendingRead = undefined;
    }
    // After a hand-off these bytes are the new owner's (see `readerAfter`).
    if (this.handedOff) return;
    if (result.done) {
      this.transportEnded = true;
      return;
    }
    this.#arrived.push(result.value);
    // Read ahead: the next chunk comes in while this one is decrypted.
    const ahead = this.#reader.read();
    ahead.catch(() => {}); // taken by the next call, or by a hand-off
    this.#pendingRead = ahead;
  }

  /**
   * Encrypts `chunk` and hands it to the transport; resolves once the write
   * before it has left (one write in flight: this chunk is sent while the
   * next one is encrypted).
   */
  async write(chunk: Uint8Array): Promise<void> {
    const sending = await this.serial(async () => {
      const state = await this.drive("idle");
      if (typeof state === "symbol" || state.kind !== "WriteTraffic") {
        throw new TypeError("the connection is closed for writing");
      }
      const out = new Uint8Array(state.encryptedSize(chunk.length));
      const n = await state.encrypt(chunk, out);
      const before = this.#lastSend;
      this.#send(out.subarray(0, n));
      // Wrapped: the serial section must not wait for the transport.
      return { before };
    });
    await sending.before;
  }

  /** Sends close_notify when the connection can still write; resolves once it left. */
  async closeNotify(): Promise<void> {
    const sending = await this.serial(async () => {
      const state = await this.drive("idle");
      if (typeof state === "symbol" || state.kind !== "WriteTraffic") return undefined;
      const out = new Uint8Array(64);
      const n = await state.queueCloseNotify(out);
      return { sent: this.#send(out.subarray(0, n)) };
    });
    await sending?.sent;
  }

  /** After a failure: sends the fatal alert the connection queued, if any. */
  flushAlert(): Promise<void> {
    return this.serial(() => flushAlert(this.conn, this.#incoming.view, (b) => this.#send(b)))
      .catch(() => {});
  }

  /** Closes the transport's writable once everything sent has left (once). */
  async closeWriter(): Promise<void> {
    if (this.#writerClosed) return;
    this.#writerClosed = true;
    await this.#lastSend.catch(() => {});
    await this.#writer.close().catch(() => {});
  }

  /** Cancels the transport's readable. */
  cancelReader(reason?: unknown): Promise<void> {
    return this.#reader.cancel(reason).catch(() => {});
  }

  /**
   * The kernel hand-off (see `TlsStream.handOff`). `taken` gets the
   * plaintext decrypted before it, in the serial section. A failure of the
   * connection itself (not a refusal of the gate) is reported to `failed`
   * before the promise rejects, so its alert goes out.
   */
  handOff(
    taken: (plaintext: Uint8Array[]) => void,
    failed: (e: unknown) => Promise<void>,
  ): Promise<StreamHandOff<KernelOf<C>>> {
    let failure: unknown;
    return this.serial(async () => {
      let state: Driven;
      try {
        state = await this.drive("idle");
      } catch (e) {
        failure = e;
        throw e;
      }
      if (state === HANDED_OFF) throw new TypeError("the stream was already handed off");
      const { secrets, connection } = await this.conn.dangerousIntoKernelConnection();
      this.handedOff = true;
      taken(this.plaintext.splice(0));
      const pending = this.#pendingRead;
      return {
        secrets,
        connection: connection as KernelOf<C>,
        buffered: concat(this.#incoming.view, ...this.#arrived),
        reader: pending ? readerAfter(pending, this.#reader) : this.#reader,
        writer: this.#writer,
      };
    }).catch(async (e) => {
      if (e === failure) await failed(e);
      throw e;
    });
  }
}
