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
import type { HandshakeKind } from "../common/info.ts";
import type { SupportedCipherSuite } from "../crypto/types.ts";
import { UnbufferedClientConnection, UnbufferedServerConnection } from "../conn/unbuffered.ts";
import type { ConnectionState } from "../conn/states.ts";
import type { ExtractedSecrets, KernelConnection } from "../conn/kernel.ts";

/**
 * A duplex byte transport.
 *
 * @example
 * ```ts
 * import type { ByteTransport } from "@kerneltls/tls/streams";
 * // Deno.connect(), Cloudflare's connect() and Node's Duplex.toWeb() give one;
 * // here a loopback made of one TransformStream.
 * const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
 * const loopback: ByteTransport = { readable, writable };
 * void loopback;
 * ```
 */
export interface ByteTransport {
  /** Bytes from the peer. */
  readable: ReadableStream<Uint8Array>;
  /** Bytes to the peer. */
  writable: WritableStream<Uint8Array>;
}

/**
 * Facts about the finished handshake.
 *
 * @example
 * ```ts
 * import type { TlsStreamInfo } from "@kerneltls/tls/streams";
 * function log(info: TlsStreamInfo): void {
 *   console.log(info.protocolVersion, info.cipherSuite?.name, info.alpnProtocol, info.handshakeKind);
 * }
 * void log;
 * ```
 */
export interface TlsStreamInfo {
  /** `"TLSv1_3"`. */
  protocolVersion: "TLSv1_3" | "TLSv1_2" | undefined;
  /** The negotiated suite. */
  cipherSuite: SupportedCipherSuite | undefined;
  /** The agreed ALPN protocol. */
  alpnProtocol: string | undefined;
  /** The peer's certificates, end entity first. */
  peerCertificates: readonly Uint8Array[] | undefined;
  /** Full, with HelloRetryRequest, or resumed. */
  handshakeKind: HandshakeKind | undefined;
}

/**
 * What `handOff()` returns: the kernel hand-off plus the transport, now yours.
 *
 * @example
 * ```ts
 * import type { ClientKernelConnection } from "@kerneltls/tls";
 * import { KernelRecordLayer } from "@kerneltls/tls/kernel-record-layer";
 * import type { StreamHandOff } from "@kerneltls/tls/streams";
 * async function toRecordLayer(handOff: StreamHandOff<ClientKernelConnection>): Promise<void> {
 *   const { secrets, connection, buffered, reader, writer } = handOff;
 *   const layer = await KernelRecordLayer.create(secrets, connection);
 *   const { data } = await layer.open(buffered); // bytes read before the hand-off come first
 *   console.log(data.length);
 *   await writer.write(await layer.seal(new TextEncoder().encode("ping")));
 *   void reader; // keep reading ciphertext from here
 * }
 * void toRecordLayer;
 * ```
 */
export interface StreamHandOff<K extends KernelConnection> {
  /** Traffic keys and sequence numbers. */
  secrets: ExtractedSecrets;
  /** The kernel connection. */
  connection: K;
  /** Ciphertext already read from the transport but not processed. */
  buffered: Uint8Array;
  /** The transport's reader (locked to you now). */
  reader: ReadableStreamDefaultReader<Uint8Array>;
  /** The transport's writer (locked to you now). */
  writer: WritableStreamDefaultWriter<Uint8Array>;
}

/**
 * The connections a {@link TlsStream} can wrap.
 *
 * @example
 * ```ts
 * import type { TlsConnection } from "@kerneltls/tls/streams";
 * function role(conn: TlsConnection): string {
 *   return "serverName" in conn ? "server" : "client";
 * }
 * void role;
 * ```
 */
export type TlsConnection = UnbufferedClientConnection | UnbufferedServerConnection;
type Goal = "handshake" | "data" | "idle";
const NEED_BYTES = Symbol("need bytes");

/**
 * A TLS connection over a byte transport, with plaintext streams.
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
  #incoming: Uint8Array = new Uint8Array(0);
  #lock: Promise<unknown> = Promise.resolve();
  #plaintext: Uint8Array[] = [];
  #peerClosed = false;
  #transportEnded = false;
  #readController!: ReadableStreamDefaultController<Uint8Array>;
  #handedOff = false;
  #closeSent = false;
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
      write: (chunk) => this.#serial(() => this.#write(chunk)),
      close: () => this.#serial(() => this.#close()),
      abort: () => this.#writer.abort().catch(() => {}),
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
      await stream.#writer.abort(e).catch(() => {});
      await stream.#reader.cancel(e).catch(() => {});
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
   * Ends this stream in the kernel hand-off: the transport and the traffic
   * keys become the caller's. Plaintext already decrypted and not yet read is
   * lost, so hand off before reading application data (or after draining it).
   */
  handOff(): Promise<
    StreamHandOff<Awaited<ReturnType<C["dangerousIntoKernelConnection"]>>["connection"]>
  > {
    return this.#serial(async () => {
      await this.#drive("idle");
      const { secrets, connection } = await this.#conn.dangerousIntoKernelConnection();
      this.#handedOff = true;
      this.#readController.close();
      return {
        secrets,
        connection: connection as Awaited<
          ReturnType<C["dangerousIntoKernelConnection"]>
        >["connection"],
        buffered: this.#incoming.slice(),
        reader: this.#reader,
        writer: this.#writer,
      };
    });
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(task, task);
    this.#lock = run.catch(() => {});
    return run;
  }

  /**
   * Runs processTlsRecords until the goal is met: "handshake" (WriteTraffic),
   * "data" (plaintext available or the peer closed) or "idle" (nothing left to
   * do without reading). Returns `NEED_BYTES` instead of reading, so that the
   * serial section never waits on the network.
   */
  async #drive(goal: Goal): Promise<ConnectionState | typeof NEED_BYTES> {
    for (;;) {
      const { discard, state } = await this.#conn.processTlsRecords(this.#incoming);
      let consumed = discard;
      switch (state.kind) {
        case "EncodeTlsData": {
          const out = new Uint8Array(state.requiredSize);
          const n = await state.encode(out);
          await this.#writer.write(out.subarray(0, n));
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
          this.#incoming = this.#incoming.subarray(consumed);
          return state;
        case "Closed":
          // Our close_notify is out; the peer may still be sending.
          this.#incoming = this.#incoming.subarray(consumed);
          return goal === "data" && !this.#peerClosed ? NEED_BYTES : state;
        case "WriteTraffic":
          this.#incoming = this.#incoming.subarray(consumed);
          return goal === "data" && this.#plaintext.length === 0 ? NEED_BYTES : state;
        case "BlockedHandshake":
        case "ReadEarlyData":
          this.#incoming = this.#incoming.subarray(consumed);
          return NEED_BYTES;
      }
      this.#incoming = this.#incoming.subarray(consumed);
    }
  }

  /** Drives toward `goal`, reading from the transport outside the serial section. */
  async #until(goal: Goal): Promise<ConnectionState> {
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
    const { value, done } = await this.#reader.read();
    if (done) {
      this.#transportEnded = true;
      return;
    }
    const merged = new Uint8Array(this.#incoming.length + value.length);
    merged.set(this.#incoming);
    merged.set(value, this.#incoming.length);
    this.#incoming = merged;
  }

  async #pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    try {
      await this.#ready;
      if (this.#handedOff) return;
      if (this.#plaintext.length === 0 && !this.#peerClosed) await this.#until("data");
      const chunk = this.#plaintext.shift();
      if (chunk) controller.enqueue(chunk);
      else if (this.#peerClosed) {
        controller.close();
        if (this.#closeSent) await this.#closeTransport();
      }
    } catch (e) {
      controller.error(e);
      await this.#writer.abort(e).catch(() => {});
      throw e;
    }
  }

  async #write(chunk: Uint8Array): Promise<void> {
    try {
      const state = await this.#drive("idle");
      if (state === NEED_BYTES || state.kind !== "WriteTraffic") {
        throw new TypeError("the connection is closed for writing");
      }
      const out = new Uint8Array(chunk.length + 64 + Math.ceil(chunk.length / 16384) * 22);
      const n = await state.encrypt(chunk, out);
      await this.#writer.write(out.subarray(0, n));
    } catch (e) {
      this.#readController.error(e);
      throw e;
    }
  }

  async #close(): Promise<void> {
    const state = await this.#drive("idle");
    if (state !== NEED_BYTES && state.kind === "WriteTraffic") {
      const out = new Uint8Array(64);
      const n = await state.queueCloseNotify(out);
      await this.#writer.write(out.subarray(0, n));
    }
    this.#closeSent = true;
    // Many transports (Deno's TCP connections among them) close both
    // directions when their writable closes, which would lose the peer's last
    // data and close_notify: keep the transport open until the peer closed too.
    if (this.#peerClosed || this.#transportEnded) await this.#closeTransport();
  }

  async #closeTransport(): Promise<void> {
    await this.#writer.close().catch(() => {});
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
