/**
 * A Web Streams adapter over the unbuffered connections: give it any
 * `{ readable, writable }` byte transport (what `Deno.connect`, Cloudflare's
 * `connect()` and Node's `Duplex.toWeb` return; on Deno TCP prefer
 * `halfCloseTransport(conn)`) and get the plaintext pair back. It is a thin
 * loop around `processTlsRecords`, not a second engine.
 *
 * @module
 */

import type { ClientConfig } from "../client/config.ts";
import type { TlsError } from "../error.ts";
import type { ServerConfig } from "../server/config.ts";
import { UnbufferedClientConnection, UnbufferedServerConnection } from "../conn/unbuffered.ts";
import { RecordPump } from "./_record_pump.ts";
import type {
  ByteTransport,
  StreamHandOff,
  TlsConnection,
  TlsStreamInfo,
  TlsStreamOptions,
} from "./stream_types.ts";
import { abortError, checkOptions, watchHandshake } from "./_handshake_guard.ts";
import { WriteBatcher } from "./_write_batch.ts";

export type {
  ByteTransport,
  StreamHandOff,
  TlsConnection,
  TlsStreamErrorDetail,
  TlsStreamInfo,
  TlsStreamOptions,
} from "./stream_types.ts";
export { type HalfClosable, halfCloseTransport } from "./half_close.ts";

/**
 * A TLS connection over a byte transport, with plaintext streams.
 *
 * Every use of the connection runs in one serial section that never waits
 * on the transport: records are handed to the transport's writer (which keeps
 * them in order) and a write waits for its bytes to leave only after the
 * section is released, so reading and writing at once cannot block each
 * other. When the connection fails, the fatal alert it queued is sent before
 * the transport is closed. `closed` settles once both directions are done;
 * `await using` closes the stream cleanly at the end of its block.
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
   * is closed once the peer has closed too (read `readable` to its end, or
   * cancel it). A transport with `halfClose` has its writable closed at once.
   */
  readonly writable: WritableStream<Uint8Array>;
  /**
   * Settles when both directions are done and the transport is closed:
   * resolves after a clean close (close_notify both ways, or `readable`
   * cancelled after our close) and at `handOff()`; rejects with the error
   * that ended the stream (a `TlsError` for protocol failures, aborts and
   * truncation). A rejection nobody awaits is not reported as unhandled.
   */
  readonly closed: Promise<void>;
  readonly #pump: RecordPump<C>;
  readonly #halfClose: boolean;
  /** Present with `writeBatchSize`: writes resolve once copied into a batch. */
  readonly #batcher: WriteBatcher | undefined;
  #readController!: ReadableStreamDefaultController<Uint8Array>;
  #writeController!: WritableStreamDefaultController;
  #resolveClosed!: () => void;
  #rejectClosed!: (e: unknown) => void;
  #closeSent = false;
  #failed = false;
  /** We are done reading: the peer's close_notify was passed on, or `readable` was cancelled. */
  #readDone = false;
  #markReady!: () => void;
  readonly #ready = new Promise<void>((resolve) => (this.#markReady = resolve));

  private constructor(conn: C, transport: ByteTransport, batch: number | undefined) {
    this.#pump = new RecordPump(
      conn,
      transport.readable.getReader(),
      transport.writable.getWriter(),
    );
    this.#halfClose = transport.halfClose === true;
    this.#batcher = batch === undefined
      ? undefined
      : new WriteBatcher(batch, (data) => this.#pump.write(data), (e) => void this.#fail(e));
    this.closed = new Promise<void>((resolve, reject) => {
      this.#resolveClosed = resolve;
      this.#rejectClosed = reject;
    });
    this.closed.catch(() => {}); // also reported through `readable` and `writable`
    this.readable = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#readController = controller;
      },
      pull: (controller) => this.#pull(controller),
      cancel: () => this.#cancelReading(),
    }, { highWaterMark: 1 });
    this.writable = new WritableStream<Uint8Array>({
      start: (controller) => {
        this.#writeController = controller;
      },
      write: (chunk) => this.#write(chunk),
      close: () => this.#close(),
      // After a hand-off the transport is the caller's: leave it alone.
      abort: (reason) => this.#pump.handedOff ? undefined : this.#fail(reason, false),
    });
  }

  /** @internal Runs the handshake under the limits of `options`. */
  static async start<C extends TlsConnection>(
    conn: C,
    transport: ByteTransport,
    options: TlsStreamOptions,
  ): Promise<TlsStream<C>> {
    const stream = new TlsStream(conn, transport, options.writeBatchSize);
    const { signal } = options;
    if (signal?.aborted) {
      // Nothing was sent yet: no alert, just the transport closed.
      const e = abortError(signal, true);
      await stream.#fail(e, false);
      throw e;
    }
    const watch = watchHandshake(options);
    try {
      const handshake = stream.#pump.until("handshake");
      handshake.catch(() => {}); // a cancelled handshake rejects once more, unobserved
      const stopped = await Promise.race([handshake.then(() => undefined), watch.fired]) ??
        (signal?.aborted ? abortError(signal, true) : undefined);
      if (stopped) throw await stream.#cancel(stopped);
    } catch (e) {
      await stream.#fail(e);
      throw e;
    } finally {
      watch.stop();
    }
    if (signal) {
      const onAbort = () => void stream.#abort(abortError(signal, false));
      signal.addEventListener("abort", onAbort, { once: true });
      const off = () => signal.removeEventListener("abort", onAbort);
      stream.closed.then(off, off);
    }
    stream.#markReady();
    return stream;
  }

  /**
   * Closes the stream cleanly, for `await using`: close_notify (unless sent
   * already), `readable` ended, the transport closed, without waiting for
   * the peer's close_notify. Resolves once `closed` settles and never
   * rejects; after a failure or a hand-off it does nothing more.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#failed && !this.#pump.handedOff) {
      try {
        await this.#batcher?.drained();
        if (!this.#closeSent) await this.#closeNotify();
        this.#writeController.error(new TypeError("the stream was disposed"));
        this.#endReading();
        await this.#finish();
      } catch (e) {
        await this.#fail(e);
      }
    }
    await this.closed.catch(() => {});
  }

  /** Handshake facts. */
  get info(): TlsStreamInfo {
    const c = this.#pump.conn;
    return {
      protocolVersion: c.protocolVersion,
      cipherSuite: c.negotiatedCipherSuite,
      alpnProtocol: c.alpnProtocol,
      peerCertificates: c.peerCertificates,
      handshakeKind: c.handshakeKind,
      echAccepted: c.echAccepted,
    };
  }

  /** The underlying unbuffered connection. */
  get connection(): C {
    return this.#pump.conn;
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
    return this.#pump.conn.exportKeyingMaterial(label, context, length);
  }

  /**
   * Ends this stream in the kernel hand-off: the transport and the traffic
   * keys become the caller's, and `closed` resolves. `readable` ends after
   * the plaintext decrypted before the hand-off (read it to its end first);
   * `writable` refuses further writes (await the pending ones before calling
   * this). Every byte the stream read from the transport and did not
   * process comes back, in order: first `buffered`, then what `reader`
   * yields (including a read that was under way at the hand-off). Records
   * the stream wrote are queued on `writer` ahead of anything written to it
   * from now on (with `writeBatchSize`, the batches still queued are sent
   * first).
   */
  async handOff(): Promise<
    StreamHandOff<Awaited<ReturnType<C["dangerousIntoKernelConnection"]>>["connection"]>
  > {
    await this.#batcher?.drained();
    return await this.#pump.handOff((plaintext) => {
      this.#resolveClosed();
      try {
        // Plaintext decrypted before the hand-off stays readable, then `readable` ends.
        for (const chunk of plaintext) this.#readController.enqueue(chunk);
        this.#readController.close();
      } catch { /* the reader cancelled `readable` */ }
    }, (e) => this.#fail(e));
  }

  async #pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    await this.#ready;
    const pump = this.#pump;
    try {
      if (pump.plaintext.length === 0 && !pump.peerClosed) await pump.until("data");
      // `handOff` enqueued the rest and closed `readable`; or it was cancelled or disposed.
      if (pump.handedOff || this.#readDone) return;
      const chunk = pump.plaintext.shift();
      if (chunk) controller.enqueue(chunk);
      else if (pump.peerClosed) {
        this.#endReading();
        if (this.#closeSent) await this.#finish();
      }
    } catch (e) {
      await this.#fail(e);
      throw e;
    }
  }

  async #write(chunk: Uint8Array): Promise<void> {
    try {
      if (!this.#batcher) await this.#pump.write(chunk);
      else if (this.#pump.handedOff) throw new TypeError("the connection is closed for writing");
      else await this.#batcher.push(chunk);
    } catch (e) {
      await this.#fail(e);
      throw e;
    }
  }

  async #close(): Promise<void> {
    await this.#batcher?.drained();
    await this.#closeNotify();
    // Many transports (Deno's TCP connections among them) close both
    // directions when their writable closes, which would lose the peer's last
    // data and close_notify: keep such a transport open until the peer closed too.
    const pump = this.#pump;
    if (this.#readDone || pump.peerClosed || pump.transportEnded) await this.#finish();
  }

  /** Sends close_notify; shuts our direction of a `halfClose` transport right after it. */
  async #closeNotify(): Promise<void> {
    try {
      await this.#pump.closeNotify();
    } finally {
      // Set once close_notify left: `#finish` must not close the writer before it.
      this.#closeSent = true;
    }
    if (this.#halfClose) await this.#pump.closeWriter();
  }

  /** `readable` ends here (plaintext already queued in it stays readable). */
  #endReading(): void {
    this.#readDone = true;
    try {
      this.#readController.close();
    } catch { /* already closed or errored */ }
  }

  async #cancelReading(): Promise<void> {
    this.#readDone = true;
    if (this.#closeSent) await this.#finish();
    else await this.#pump.cancelReader();
  }

  /** Both directions are done: closes the transport and resolves `closed`. */
  async #finish(): Promise<void> {
    await this.#pump.closeWriter();
    await this.#pump.cancelReader();
    this.#resolveClosed();
  }

  /**
   * The handshake's signal or timeout fired: gives the handshake up
   * (user_canceled, close_notify) and returns the error to fail with, which
   * is the connection's own if it failed first. A handshake that finished in
   * the meantime is closed with close_notify alone.
   */
  async #cancel(e: TlsError): Promise<TlsError> {
    const { detail, message, cause } = e;
    const conn = this.#pump.conn;
    const cancelled = await this.#pump.serial(async () =>
      conn.isHandshaking ? await conn.cancelHandshake({ detail, message, cause }) : undefined
    );
    if (cancelled) return cancelled;
    await this.#abort(e);
    return e;
  }

  /** Ends an established stream for `e`: close_notify out, the transport closed. */
  async #abort(e: unknown): Promise<void> {
    if (this.#failed || this.#pump.handedOff) return;
    this.#batcher?.abandon(e);
    if (!this.#closeSent) await this.#closeNotify().catch(() => {});
    await this.#fail(e);
  }

  /**
   * Ends the stream after an error: the connection's fatal alert (queued by
   * the failure that rejected `processTlsRecords`) goes out first unless
   * `flush` is false, then the transport is closed, the plaintext streams
   * error and `closed` rejects. Runs once.
   */
  async #fail(e: unknown, flush = true): Promise<void> {
    if (this.#failed || this.#pump.handedOff) return;
    this.#failed = true;
    this.#readDone = true;
    this.#batcher?.abandon(e);
    try {
      this.#readController.error(e);
    } catch { /* already closed */ }
    this.#writeController.error(e);
    if (flush) await this.#pump.flushAlert();
    await this.#pump.closeWriter();
    await this.#pump.cancelReader(e);
    this.#rejectClosed(e);
  }
}

/**
 * Connects as a client over `transport` and completes the handshake, within
 * `options.handshakeTimeoutMs` and until `options.signal` aborts (see
 * {@link TlsStreamOptions}). On any failure the transport is closed and the
 * promise rejects with a `TlsError`; `RangeError` / `TypeError` for unusable
 * options.
 *
 * @example
 * ```ts
 * import { ClientConfig, RootCertStore } from "@kerneltls/tls";
 * import { connectTls } from "@kerneltls/tls/streams";
 * import type { ByteTransport } from "@kerneltls/tls/streams";
 * async function fetchRoot(tcp: ByteTransport): Promise<string> {
 *   const config = new ClientConfig({ roots: new RootCertStore(), alpnProtocols: ["http/1.1"] });
 *   const tls = await connectTls(tcp, config, "example.com", { handshakeTimeoutMs: 10_000 });
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
  options: TlsStreamOptions = {},
): Promise<TlsStream<UnbufferedClientConnection>> {
  checkOptions(options);
  const conn = await UnbufferedClientConnection.create(config, serverName);
  return TlsStream.start(conn, transport, options);
}

/**
 * Accepts as a server over `transport` and completes the handshake, under
 * the same `options` and failure rules as {@link connectTls}.
 *
 * @example
 * ```ts
 * import { ServerConfig } from "@kerneltls/tls";
 * import { acceptTls } from "@kerneltls/tls/streams";
 * import type { ByteTransport } from "@kerneltls/tls/streams";
 * async function echo(tcp: ByteTransport, certPem: string, keyPem: string): Promise<void> {
 *   const config = new ServerConfig({ certificateChain: certPem, privateKey: keyPem });
 *   const tls = await acceptTls(tcp, config, { signal: AbortSignal.timeout(30_000) });
 *   console.log(tls.info.protocolVersion, tls.connection.serverName);
 *   await tls.readable.pipeTo(tls.writable);
 * }
 * void echo;
 * ```
 */
export async function acceptTls(
  transport: ByteTransport,
  config: ServerConfig,
  options: TlsStreamOptions = {},
): Promise<TlsStream<UnbufferedServerConnection>> {
  checkOptions(options);
  return await TlsStream.start(new UnbufferedServerConnection(config), transport, options);
}
