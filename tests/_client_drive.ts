// Drives any unbuffered connection (client or server) over a node:net socket,
// so the same loop runs under Deno, Bun and Node. Every wait is bounded.
import { connect, type Socket } from "node:net";
import type { ConnectionState } from "../src/conn/states.ts";
import { InsufficientSizeError } from "../src/error.ts";

/** What the driver needs from a connection. */
export interface DrivenConnection {
  processTlsRecords(incoming: Uint8Array): Promise<{ discard: number; state: ConnectionState }>;
  readonly isHandshaking: boolean;
}

/** Default bound on every wait for the peer, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 10_000;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A connection bound to a socket; collects what the peer sends. */
export class SocketDriver {
  readonly conn: DrivenConnection;
  readonly socket: Socket;
  /** Application data received so far, concatenated. */
  received: Uint8Array = new Uint8Array(0);
  /** State kinds seen, consecutive duplicates collapsed. */
  readonly states: string[] = [];
  /** True once the peer's close_notify was processed. */
  peerClosed = false;
  /** True once the transport reported end of stream or closed. */
  eof = false;
  #incoming: Uint8Array = new Uint8Array(0);
  #pendingWrites: Uint8Array[] = [];
  #keyUpdate = false;
  #closeNotify = false;
  #socketError: Error | undefined;
  #wake: (() => void) | undefined;
  // Counts transport events, so a wake-up that lands mid-pump is not lost.
  #events = 0;

  constructor(conn: DrivenConnection, socket: Socket) {
    this.conn = conn;
    this.socket = socket;
    socket.on("data", (chunk: Uint8Array) => {
      const merged = new Uint8Array(this.#incoming.length + chunk.length);
      merged.set(this.#incoming);
      merged.set(chunk, this.#incoming.length);
      this.#incoming = merged;
      this.#notify();
    });
    socket.on("end", () => {
      this.eof = true;
      this.#notify();
    });
    socket.on("close", () => {
      this.eof = true;
      this.#notify();
    });
    socket.on("error", (e: Error) => {
      this.#socketError = e;
      this.#notify();
    });
  }

  /** Connects to `host:port` and wraps the socket. */
  static connect(
    conn: DrivenConnection,
    port: number,
    host = "127.0.0.1",
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<SocketDriver> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out`));
      }, timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.setNoDelay(true);
        resolve(new SocketDriver(conn, socket));
      });
      socket.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  #notify(): void {
    this.#events++;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Resolves when new bytes or EOF arrive; rejects after `ms`. */
  #waitForPeer(ms: number, what: string, seen: number): Promise<void> {
    if (this.#socketError) return Promise.reject(this.#socketError);
    if (this.#events !== seen) return Promise.resolve();
    if (this.eof) return Promise.reject(new Error(`peer closed the transport while ${what}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#wake = undefined;
        reject(new Error(`timed out after ${ms} ms while ${what}`));
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  #send(bytes: Uint8Array): void {
    if (bytes.length > 0 && !this.socket.destroyed) this.socket.write(bytes);
  }

  /**
   * Runs processTlsRecords until the connection needs more bytes or has
   * nothing left to do. On a TlsError, flushes the queued alert and rethrows.
   */
  async pump(): Promise<string> {
    for (let guard = 0; guard < 10_000; guard++) {
      let status;
      try {
        status = await this.conn.processTlsRecords(this.#incoming);
      } catch (e) {
        await this.#flushAlert();
        throw e;
      }
      const { discard, state } = status;
      if (this.states[this.states.length - 1] !== state.kind) this.states.push(state.kind);
      let consumed = discard;
      switch (state.kind) {
        case "EncodeTlsData": {
          this.#send(await encodeAll(state));
          break;
        }
        case "TransmitTlsData":
          state.done();
          break;
        case "ReadTraffic":
          for (let r = state.nextRecord(); r; r = state.nextRecord()) {
            this.#append(r.payload);
            consumed += r.discard;
          }
          break;
        case "PeerClosed":
          this.peerClosed = true;
          break;
        case "WriteTraffic":
          if (this.#keyUpdate) {
            this.#keyUpdate = false;
            await state.refreshTrafficKeys();
          } else if (this.#pendingWrites.length > 0) {
            const data = this.#pendingWrites.shift()!;
            this.#send(await sized((out) => state.encrypt(data, out), data.length + 1024));
          } else if (this.#closeNotify) {
            this.#closeNotify = false;
            this.#send(await sized((out) => state.queueCloseNotify(out), 64));
          } else {
            this.#incoming = this.#incoming.subarray(consumed);
            return state.kind;
          }
          break;
        case "BlockedHandshake":
        case "Closed":
        case "ReadEarlyData":
          this.#incoming = this.#incoming.subarray(consumed);
          return state.kind;
      }
      this.#incoming = this.#incoming.subarray(consumed);
    }
    throw new Error("pump: no progress after 10000 steps");
  }

  async #flushAlert(): Promise<void> {
    for (let i = 0; i < 4; i++) {
      let state: ConnectionState;
      try {
        state = (await this.conn.processTlsRecords(this.#incoming)).state;
      } catch {
        return;
      }
      if (state.kind === "EncodeTlsData") this.#send(await encodeAll(state));
      else if (state.kind === "TransmitTlsData") state.done();
      else return;
    }
  }

  #append(payload: Uint8Array): void {
    const merged = new Uint8Array(this.received.length + payload.length);
    merged.set(this.received);
    merged.set(payload, this.received.length);
    this.received = merged;
  }

  /** Pumps and reads until `done()` holds; rejects after `timeoutMs` of silence. */
  async until(done: () => boolean, what: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = this.#events;
      const kind = await this.pump();
      if (done()) return;
      if (kind === "Closed") throw new Error(`connection closed while ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms while ${what}`);
      await this.#waitForPeer(left, what, seen);
    }
  }

  /** Completes the handshake. */
  handshake(timeoutMs?: number): Promise<void> {
    return this.until(() => !this.conn.isHandshaking, "handshaking", timeoutMs);
  }

  /** Queues application data and sends it. */
  async write(data: Uint8Array | string): Promise<void> {
    this.#pendingWrites.push(typeof data === "string" ? encoder.encode(data) : data);
    await this.until(() => this.#pendingWrites.length === 0, "writing");
  }

  /** Sends a KeyUpdate that asks the peer to update too. */
  async refreshTrafficKeys(): Promise<void> {
    this.#keyUpdate = true;
    await this.until(() => !this.#keyUpdate, "sending KeyUpdate");
  }

  /** Waits until at least `n` application bytes were received. */
  async readAtLeast(n: number, timeoutMs?: number): Promise<Uint8Array> {
    await this.until(() => this.received.length >= n, `reading ${n} bytes`, timeoutMs);
    return this.received;
  }

  /** Waits until the received text contains `needle`. */
  async readUntilText(needle: string, timeoutMs?: number): Promise<string> {
    await this.until(() => this.text.includes(needle), `waiting for ${needle}`, timeoutMs);
    return this.text;
  }

  /** Returns and forgets what was received so far. */
  take(): Uint8Array {
    const out = this.received;
    this.received = new Uint8Array(0);
    return out;
  }

  /** Everything received, as UTF-8 text. */
  get text(): string {
    return decoder.decode(this.received);
  }

  /** Sends close_notify (when still possible) and ends the socket. */
  async close(): Promise<void> {
    if (!this.conn.isHandshaking && !this.socket.destroyed) {
      this.#closeNotify = true;
      try {
        await this.until(() => !this.#closeNotify, "sending close_notify", 2000);
      } catch { /* the peer may be gone already */ }
    }
    this.destroy();
  }

  /** Drops the socket without a TLS close. */
  destroy(): void {
    this.socket.destroy();
  }
}

/** Encodes queued records, growing the buffer once if it is too small. */
function encodeAll(
  state: { requiredSize: number; encode(out: Uint8Array): Promise<number> },
): Promise<Uint8Array> {
  return sized((out) => state.encode(out), Math.max(state.requiredSize, 1));
}

async function sized(
  write: (out: Uint8Array) => Promise<number>,
  guess: number,
): Promise<Uint8Array> {
  let out = new Uint8Array(guess);
  try {
    return out.subarray(0, await write(out));
  } catch (e) {
    if (!(e instanceof InsufficientSizeError)) throw e;
    out = new Uint8Array(e.requiredSize);
    return out.subarray(0, await write(out));
  }
}

/** Random test data of any length (getRandomValues caps one call at 64 KiB). */
export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let off = 0; off < n; off += 65536) {
    crypto.getRandomValues(out.subarray(off, Math.min(n, off + 65536)));
  }
  return out;
}
