/**
 * The types `TlsStream` takes and gives: the byte transport, the handshake
 * facts, the hand-off. Re-exported by `tls_stream.ts` (the `./streams` entry
 * point).
 *
 * @module
 */

import type { HandshakeKind } from "../common/info.ts";
import type { SupportedCipherSuite } from "../crypto/types.ts";
import type { UnbufferedClientConnection, UnbufferedServerConnection } from "../conn/unbuffered.ts";
import type { ExtractedSecrets, KernelConnection } from "../conn/kernel.ts";
import type { TLS_ERROR_DETAIL_GROUPS } from "../error_details.ts";

/**
 * A duplex byte transport.
 *
 * On Node, wrap a `net.Socket` with `stream.Duplex.toWeb(socket)`. Closing
 * that writable ends the socket (a FIN) while reading goes on, so mark it
 * `{ ...Duplex.toWeb(socket), halfClose: true }`. A server's sockets need
 * `net.createServer({ allowHalfOpen: true })`: otherwise Node ends our side
 * as soon as a client half-closes, before the answer is out. On Deno, use
 * `halfCloseTransport(conn)`; Cloudflare's `connect()` socket is a
 * transport as it is.
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
  /**
   * True when closing `writable` shuts only our direction (a TCP FIN) and
   * `readable` keeps delivering, as with `halfCloseTransport()`: the
   * stream then closes `writable` right after its close_notify, so a peer
   * that reads to EOF before it answers gets its EOF. Otherwise the stream
   * keeps `writable` open until the peer has closed too, because many
   * transports (Deno's TCP connections among them) close both directions
   * with it.
   */
  halfClose?: boolean;
}

/**
 * Options of `connectTls` and `acceptTls`.
 *
 * @example
 * ```ts
 * import type { TlsStreamOptions } from "@kerneltls/tls/streams";
 * const options: TlsStreamOptions = {
 *   signal: AbortSignal.timeout(30_000),
 *   handshakeTimeoutMs: 10_000,
 * };
 * void options;
 * ```
 */
export interface TlsStreamOptions {
  /**
   * Aborts the handshake: the call rejects with a `TlsError` (detail
   * `HandshakeAborted`, the signal's reason as `cause`), user_canceled and
   * close_notify go to the peer and the transport is closed. An already
   * aborted signal rejects at once, before anything is sent. Aborted after the
   * handshake, it closes the stream: close_notify goes out, the transport is
   * closed without waiting for the peer's close_notify, and `readable`,
   * `writable` and `closed` fail with a `TlsError` (detail `Aborted`).
   */
  signal?: AbortSignal;
  /**
   * Milliseconds the handshake may take, counted from its start: after them
   * it fails like an abort, with detail `HandshakeTimeout`. The timer is
   * cleared when the handshake ends either way.
   */
  handshakeTimeoutMs?: number;
  /**
   * Write-behind, for bulk senders: with a size (bytes, 1 to 2^24), a write
   * to `writable` resolves as soon as its bytes are copied into the current
   * batch (of at most this many bytes; a full batch waits for room), while
   * the batch before it is encrypted in one go (full records, many AEAD
   * operations at once) and handed to the transport in one write. Small
   * writes then share records. A batch that fails fails the stream, and the
   * next write, `close()` or `closed` reports it; `close()`, `handOff()` and
   * `await using` send the queued batches first. Without it (the default),
   * each write resolves once its own records were handed to the transport.
   * 1 MiB (`2 ** 20`) is a good size for bulk transfer.
   */
  writeBatchSize?: number;
}

/**
 * The `detail` of a `TlsError` raised by the stream itself (not by the
 * connection): `HandshakeAborted` and `HandshakeTimeout` (the handshake was
 * given up; alert user_canceled sent), `Aborted` (the signal fired after the
 * handshake; close_notify sent), `UnexpectedEof` (the transport ended without
 * close_notify: possible truncation). All are of kind `General`.
 *
 * @example
 * ```ts
 * import { TlsError } from "@kerneltls/tls";
 * import type { TlsStreamErrorDetail } from "@kerneltls/tls/streams";
 * function timedOut(e: unknown): boolean {
 *   const detail: TlsStreamErrorDetail = "HandshakeTimeout";
 *   return e instanceof TlsError && e.detail === detail;
 * }
 * console.log(timedOut(new Error("x"))); // false
 * ```
 */
export type TlsStreamErrorDetail = (typeof TLS_ERROR_DETAIL_GROUPS)["stream"][number];

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
  /**
   * Whether Encrypted Client Hello was accepted; undefined when not in play
   * (a client whose offer is rejected fails with `EchRejectedError` instead).
   */
  echAccepted: boolean | undefined;
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
