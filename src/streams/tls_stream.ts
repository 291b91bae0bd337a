/**
 * A Web Streams adapter over the unbuffered connections: give it any
 * `{ readable, writable }` byte transport (what `Deno.connect`, Cloudflare's
 * `connect()` and Node's `Duplex.toWeb` return) and get the plaintext pair
 * back. It is a thin loop around `processTlsRecords`, not a second engine.
 *
 * @module
 */

import type { ClientConfig } from "../client/config.ts";
import { TlsError } from "../error.ts";
import type { ServerConfig } from "../server/config.ts";
import { UnbufferedClientConnection, UnbufferedServerConnection } from "../conn/unbuffered.ts";
import type { ConnectionState } from "../conn/states.ts";
import { ReadBuffer } from "./_read_buffer.ts";
import { readerAfter } from "./_reader_after.ts";
import type { ByteTransport, StreamHandOff, TlsConnection, TlsStreamInfo } from "./stream_types.ts";
import { concat } from "../_bytes.ts";

export type { ByteTransport, StreamHandOff, TlsConnection, TlsStreamInfo } from "./stream_types.ts";

type Goal = "handshake" | "data" | "idle";
/** `#drive` wants bytes from the transport. */
const NEED_BYTES = Symbol("need bytes");
/** The stream was handed off: the connection and the transport are no longer ours. */
const HANDED_OFF = Symbol("handed off");
type Driven = ConnectionState | typeof NEED_BYTES | typeof HANDED_OFF;

/**
 * A TLS connection over a byte transport, with plaintext streams.
 *
 * Every use of the connection runs in one serial section that never waits
 * on the transport: records are handed to the transport's writer (which keeps
 * them in order) and a write waits for its bytes to leave only after the
 * section is released, so reading and writing at once cannot block each
 * other. When the connection fails, the fatal alert it queued is sent before
 * the transport is closed.
 *
 * @example
 * ```ts
 * import { ClientConfig, RootCertStore } from "@kerneltls/tls";
 * import { connectTls } from "@kerneltls/tls/streams";
 * async function get(transport: { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> }) {
 *   const tls = await connectTls(transport, new ClientConfig({ roots: new RootCertStore() }), "example.com");
 *   const writer = tls.writable.getWriter();
 *   await writer.write(new TextEncoder().encode("GET / HTTP/1.0\r\n\r\n"));
 *   for await (const chunk of tls.readable) console.log(chunk.length);
 * }
 * void get;
 * ```
 */
export class TlsStream<C extends TlsConnection = TlsConnection> {
  /** Plaintext from the peer. Ends at the peer's close_notify. */
  readonly readable: ReadableStream<Uint8Array>;
  /**
   * Plaintext to the peer. Closing it sends close_notify; the transport itself
   * is closed once the peer has closed too (read `readable` to its end).
   */
  readonly writable: WritableStream<Uint8Array>;
  readonly #conn: C;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #incoming = new ReadBuffer();
  /**
   * Chunks read from the transport, not yet in `#incoming`: they join it in
   * the serial section, never while the connection is reading a view of it.
   */
  #arrived: Uint8Array[] = [];
  #lock: Promise<unknown> = Promise.resolve();
  #plaintext: Uint8Array[] = [];
  #peerClosed = false;
  #transportEnded = false;
  #readController!: ReadableStreamDefaultController<Uint8Array>;
  #handedOff = false;
  #closeSent = false;
  #failed = false;
  /** The transport read under way, if any (its bytes belong to a hand-off that comes first). */
  #pendingRead: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
  /** The last write handed to the transport. */
  #lastSend: Promise<void> = Promise.resolve();
  #markReady!: () => void;
  readonly #ready = new Promise<void>((resolve) => (this.#markReady = resolve));

  private constructor(conn: C, transport: ByteTransport) {
    this.#conn = conn;
    this.#reader = transport.readable.getReader();
    this.#writer = transport.writable.getWriter();
    this.readable = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#readController = controller;
      },
      pull: (controller) => this.#pull(controller),
      cancel: () => this.#reader.cancel().catch(() => {}),
    }, { highWaterMark: 1 });
    this.writable = new WritableStream<Uint8Array>({
      write: (chunk) => this.#write(chunk),
      close: () => this.#close(),
      // After a hand-off the transport is the caller's: leave it alone.
      abort: () => this.#handedOff ? undefined : this.#writer.abort().catch(() => {}),
    });
  }

  /** @internal Runs the handshake. */
  static async start<C extends TlsConnection>(
    conn: C,
    transport: ByteTransport,
  ): Promise<TlsStream<C>> {
    const stream = new TlsStream(conn, transport);
    try {
      await stream.#until("handshake");
    } catch (e) {
      await stream.#fail(e);
      throw e;
    }
    stream.#markReady();
    return stream;
  }

  /** Handshake facts. */
  get info(): TlsStreamInfo {
    const c = this.#conn;
    return {
      protocolVersion: c.protocolVersion,
      cipherSuite: c.negotiatedCipherSuite,
      alpnProtocol: c.alpnProtocol,
      peerCertificates: c.peerCertificates,
      handshakeKind: c.handshakeKind,
    };
  }

  /** The underlying unbuffered connection. */
  get connection(): C {
    return this.#conn;
  }

  /**
   * Keying material (RFC 8446 7.5, RFC 5705): the connection's
   * `exportKeyingMaterial`, same rules and errors. After `handOff()`, ask the
   * kernel connection.
   */
  exportKeyingMaterial(
    label: string,
    context: Uint8Array | undefined,
    length: number,
  ): Promise<Uint8Array> {
    return this.#conn.exportKeyingMaterial(label, context, length);
  }

  /**
   * Ends this stream in the kernel hand-off: the transport and the traffic
   * keys become the caller's. `readable` ends after the plaintext decrypted
   * before the hand-off (read it to its end first); `writable` refuses
   * further writes (await the pending ones before calling this). Every byte
   * the stream read from the transport and did not process comes back, in
   * order: first `buffered`, then what `reader` yields (including a read that
   * was under way at the hand-off). Records the stream wrote are queued on
   * `writer` ahead of anything written to it from now on.
   */
  handOff(): Promise<
    StreamHandOff<Awaited<ReturnType<C["dangerousIntoKernelConnection"]>>["connection"]>
  > {
    let failure: unknown;
    return this.#serial(async () => {
      let state: Driven;
      try {
        state = await this.#drive("idle");
      } catch (e) {
        failure = e;
        throw e;
      }
      if (state === HANDED_OFF) throw new TypeError("the stream was already handed off");
      const { secrets, connection } = await this.#conn.dangerousIntoKernelConnection();
      this.#handedOff = true;
      try {
        // Plaintext decrypted before the hand-off stays readable, then `readable` ends.
        for (const chunk of this.#plaintext.splice(0)) this.#readController.enqueue(chunk);
        this.#readController.close();
      } catch { /* the reader cancelled `readable` */ }
      const pending = this.#pendingRead;
      return {
        secrets,
        connection: connection as Awaited<
          ReturnType<C["dangerousIntoKernelConnection"]>
        >["connection"],
        buffered: concat(this.#incoming.view, ...this.#arrived),
        reader: pending ? readerAfter(pending, this.#reader) : this.#reader,
        writer: this.#writer,
      };
    }).catch(async (e) => {
      // The connection failed (not a refusal of the gate): send its alert.
      if (e === failure) await this.#fail(e);
      throw e;
    });
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
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
  async #drive(goal: Goal): Promise<Driven> {
    if (this.#handedOff) return HANDED_OFF;
    for (const chunk of this.#arrived.splice(0)) this.#incoming.append(chunk);
    for (;;) {
      const { discard, state } = await this.#conn.processTlsRecords(this.#incoming.view);
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
            this.#plaintext.push(r.payload);
            consumed += r.discard;
          }
          break;
        case "PeerClosed":
          this.#peerClosed = true;
          this.#incoming.discard(consumed);
          return state;
        case "Closed":
          // Our close_notify is out; the peer may still be sending.
          this.#incoming.discard(consumed);
          return goal === "data" && !this.#peerClosed ? NEED_BYTES : state;
        case "WriteTraffic":
          this.#incoming.discard(consumed);
          return goal === "data" && this.#plaintext.length === 0 ? NEED_BYTES : state;
        case "BlockedHandshake":
        case "ReadEarlyData":
          this.#incoming.discard(consumed);
          return NEED_BYTES;
      }
      this.#incoming.discard(consumed);
    }
  }

  /** Drives toward `goal`, reading from the transport outside the serial section. */
  async #until(goal: Goal): Promise<Exclude<Driven, typeof NEED_BYTES>> {
    for (;;) {
      const state = await this.#serial(() => this.#drive(goal));
      if (state !== NEED_BYTES) return state;
      await this.#readMore();
    }
  }

  async #readMore(): Promise<void> {
    if (this.#transportEnded) {
      throw new TlsError(
        "General",
        "the transport closed without close_notify (possible truncation)",
        { detail: "UnexpectedEof" },
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
    if (this.#handedOff) return;
    if (result.done) {
      this.#transportEnded = true;
      return;
    }
    this.#arrived.push(result.value);
    // Read ahead: the next chunk comes in while this one is decrypted.
    const ahead = this.#reader.read();
    ahead.catch(() => {}); // taken by the next call, or by a hand-off
    this.#pendingRead = ahead;
  }

  async #pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    await this.#ready;
    try {
      if (this.#plaintext.length === 0 && !this.#peerClosed) await this.#until("data");
      if (this.#handedOff) return; // `handOff` enqueued the rest and closed `readable`
      const chunk = this.#plaintext.shift();
      if (chunk) controller.enqueue(chunk);
      else if (this.#peerClosed) {
        controller.close();
        if (this.#closeSent) await this.#closeTransport();
      }
    } catch (e) {
      await this.#fail(e);
      throw e;
    }
  }

  async #write(chunk: Uint8Array): Promise<void> {
    try {
      const sending = await this.#serial(async () => {
        const state = await this.#drive("idle");
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
      // Backpressure with one write in flight: this chunk is sent while the
      // next one is encrypted; `close` waits for the last.
      await sending.before;
    } catch (e) {
      await this.#fail(e);
      throw e;
    }
  }

  async #close(): Promise<void> {
    const sending = await this.#serial(async () => {
      const state = await this.#drive("idle");
      this.#closeSent = true;
      if (typeof state === "symbol" || state.kind !== "WriteTraffic") return undefined;
      const out = new Uint8Array(64);
      const n = await state.queueCloseNotify(out);
      return { sent: this.#send(out.subarray(0, n)) };
    });
    await sending?.sent;
    // Many transports (Deno's TCP connections among them) close both
    // directions when their writable closes, which would lose the peer's last
    // data and close_notify: keep the transport open until the peer closed too.
    if (this.#peerClosed || this.#transportEnded) await this.#closeTransport();
  }

  async #closeTransport(): Promise<void> {
    await this.#lastSend.catch(() => {});
    await this.#writer.close().catch(() => {});
  }

  /**
   * Ends the stream after an error: the connection's fatal alert (queued by
   * the failure that rejected `processTlsRecords`) goes out first, then the
   * transport is closed and the readable errors. Runs once.
   */
  async #fail(e: unknown): Promise<void> {
    if (this.#failed || this.#handedOff) return;
    this.#failed = true;
    try {
      this.#readController.error(e);
    } catch { /* already closed */ }
    await this.#serial(async () => {
      for (;;) {
        let state: ConnectionState;
        try {
          state = (await this.#conn.processTlsRecords(this.#incoming.view)).state;
        } catch {
          return; // the error again: the alert, if any, is out
        }
        if (state.kind === "EncodeTlsData") {
          const out = new Uint8Array(state.requiredSize);
          this.#send(out.subarray(0, await state.encode(out)));
        } else if (state.kind === "TransmitTlsData") state.done();
        else return; // no alert queued (a local failure)
      }
    }).catch(() => {});
    await this.#closeTransport();
    await this.#reader.cancel(e).catch(() => {});
  }
}

/**
 * Connects as a client over `transport` and completes the handshake.
 *
 * @example
 * ```ts
 * import { ClientConfig, RootCertStore } from "@kerneltls/tls";
 * import { connectTls } from "@kerneltls/tls/streams";
 * import type { ByteTransport } from "@kerneltls/tls/streams";
 * async function fetchRoot(tcp: ByteTransport): Promise<string> {
 *   const config = new ClientConfig({ roots: new RootCertStore(), alpnProtocols: ["http/1.1"] });
 *   const tls = await connectTls(tcp, config, "example.com");
 *   const writer = tls.writable.getWriter();
 *   await writer.write(new TextEncoder().encode("GET / HTTP/1.0\r\nHost: example.com\r\n\r\n"));
 *   await writer.close();
 *   return await new Response(tls.readable).text();
 * }
 * void fetchRoot;
 * ```
 */
export async function connectTls(
  transport: ByteTransport,
  config: ClientConfig,
  serverName: string,
): Promise<TlsStream<UnbufferedClientConnection>> {
  const conn = await UnbufferedClientConnection.create(config, serverName);
  return TlsStream.start(conn, transport);
}

/**
 * Accepts as a server over `transport` and completes the handshake.
 *
 * @example
 * ```ts
 * import { ServerConfig } from "@kerneltls/tls";
 * import { acceptTls } from "@kerneltls/tls/streams";
 * import type { ByteTransport } from "@kerneltls/tls/streams";
 * async function echo(tcp: ByteTransport, certPem: string, keyPem: string): Promise<void> {
 *   const config = new ServerConfig({ certificateChain: certPem, privateKey: keyPem });
 *   const tls = await acceptTls(tcp, config);
 *   console.log(tls.info.protocolVersion, tls.connection.serverName);
 *   await tls.readable.pipeTo(tls.writable);
 * }
 * void echo;
 * ```
 */
export function acceptTls(
  transport: ByteTransport,
  config: ServerConfig,
): Promise<TlsStream<UnbufferedServerConnection>> {
  return TlsStream.start(new UnbufferedServerConnection(config), transport);
}
