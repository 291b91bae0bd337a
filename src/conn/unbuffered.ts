/**
 * The sans-IO connections: `UnbufferedClientConnection` and
 * `UnbufferedServerConnection`, modelled on rustls 0.23's unbuffered API.
 *
 * The caller owns two buffers. Incoming bytes are only ever appended at the
 * end of `incoming`; after each `processTlsRecords(incoming)` the caller
 * removes `discard` bytes from its front (plus the `discard` of every record
 * taken in `ReadTraffic`). Outgoing bytes are written by `encode`/`encrypt`
 * into a buffer the caller gives and sends.
 *
 * Each call picks its state in this order: records waiting to be encoded
 * (`EncodeTlsData`); encoded records not yet sent (`TransmitTlsData`); a
 * failed connection throws its error; decrypted application data
 * (`ReadTraffic`, or `ReadEarlyData` for 0-RTT data on a server); the peer's close_notify (`PeerClosed`, once); then it reads
 * records from `incoming` until one of those applies or the buffer holds no
 * whole record, ending in `WriteTraffic` (handshake done), `Closed` (both
 * sides closed) or `BlockedHandshake` (more bytes needed).
 *
 * A TLS 1.2 client (no False Start) goes EncodeTlsData (ClientHello),
 * TransmitTlsData, BlockedHandshake, EncodeTlsData (ClientKeyExchange,
 * ChangeCipherSpec, Finished), TransmitTlsData, BlockedHandshake (until the
 * server's Finished), then WriteTraffic: it writes no application data before
 * the server's Finished. A TLS 1.3 client reaches WriteTraffic right after
 * encoding its Finished.
 *
 * A failure rejects the call that hit it with a `TlsError`; the fatal alert is
 * then offered through `EncodeTlsData`/`TransmitTlsData`, and every later call
 * rejects with the same error.
 *
 * @module
 */

import type { ConnectionCore } from "../common/core.ts";
import type { ClientConfig } from "../client/config.ts";
import type { ServerConfig } from "../server/config.ts";
import { startClient } from "../client/start.ts";
import { startServer } from "../server/start.ts";
import { ClientKernelConnection, type ExtractedSecrets, KernelConnection } from "./kernel.ts";
import { ExpectTraffic as ClientExpectTraffic } from "../client/expect_traffic.ts";

import { UnbufferedConnectionCommon } from "./connection_common.ts";

export { UnbufferedConnectionCommon };

/**
 * A client connection without buffers or I/O.
 *
 * @example
 * ```ts
 * import { ClientConfig, RootCertStore, UnbufferedClientConnection } from "@kerneltls/tls";
 * const config = new ClientConfig({ roots: new RootCertStore() });
 * const client = await UnbufferedClientConnection.create(config, "example.com");
 * const { state } = await client.processTlsRecords(new Uint8Array(0));
 * console.log(state.kind); // EncodeTlsData: the ClientHello
 * ```
 */
export class UnbufferedClientConnection extends UnbufferedConnectionCommon {
  readonly #core: ConnectionCore;
  /** The config this connection was made from. */
  readonly config: ClientConfig;

  private constructor(config: ClientConfig, core: ConnectionCore) {
    super();
    this.config = config;
    this.#core = core;
  }

  /**
   * Starts a handshake with `serverName` (a DNS name or an IP address literal);
   * the ClientHello is ready to encode on the first `processTlsRecords` call.
   */
  static async create(
    config: ClientConfig,
    serverName: string,
  ): Promise<UnbufferedClientConnection> {
    if (typeof serverName !== "string" || serverName.length === 0) {
      throw new TypeError("serverName must be a non-empty string");
    }
    const resolved = await config.resolve();
    return new UnbufferedClientConnection(config, await startClient(resolved, serverName));
  }

  /**
   * Hands the traffic keys to another record layer and consumes this
   * connection (every later call on it throws `TypeError`).
   *
   * Reach a convertible state by driving the connection until
   * `WriteTraffic`, encoding every `EncodeTlsData` and reading every
   * `ReadTraffic` record on the way. Bytes still in your incoming buffer after
   * that were not processed: feed them to the new record layer.
   *
   * Refuses, in this order, with a `TlsError`: secret extraction is not
   * enabled in the config (`General`); the handshake is not complete
   * (`HandshakeNotComplete`); TLS records are still queued to be encoded
   * (`General`); the connection already failed (that error); close_notify
   * was sent or received (`General`); received application data was not
   * read yet (`General`). It rejects with a `TypeError` while another
   * operation on this connection is pending and once the connection was
   * handed off (a second call included).
   *
   * The connection is consumed, and both sequence numbers read, before the
   * call yields to anything else: a state taken earlier (an idle
   * `WriteTraffic` included) rejects with `TypeError` from then on, so no
   * record is ever protected twice under one nonce.
   */
  async dangerousIntoKernelConnection(): Promise<
    { secrets: ExtractedSecrets; connection: ClientKernelConnection }
  > {
    const { secrets, core, init } = await this.extractForKernel(this.config.enableSecretExtraction);
    const state = core.state;
    const tickets = state instanceof ClientExpectTraffic ? state.ticketContext(core) : undefined;
    return { secrets, connection: new ClientKernelConnection({ ...init, tickets }) };
  }

  /** @internal */
  protected getCore(): Promise<ConnectionCore> {
    return Promise.resolve(this.#core);
  }

  /** @internal */
  protected peekCore(): ConnectionCore {
    return this.#core;
  }
}

/**
 * A server connection without buffers or I/O.
 *
 * @example
 * ```ts
 * import { ServerConfig, UnbufferedServerConnection } from "@kerneltls/tls";
 * const server = new UnbufferedServerConnection(new ServerConfig({ certResolver: () => undefined }));
 * const { state } = await server.processTlsRecords(new Uint8Array(0));
 * console.log(state.kind); // BlockedHandshake: waiting for a ClientHello
 * ```
 */
export class UnbufferedServerConnection extends UnbufferedConnectionCommon {
  #core: ConnectionCore | undefined;
  #starting: Promise<ConnectionCore> | undefined;
  /** The config this connection was made from. */
  readonly config: ServerConfig;

  /** Creates a server connection waiting for a ClientHello. */
  constructor(config: ServerConfig) {
    super();
    this.config = config;
  }

  /** Like the constructor, but resolves the config first. */
  static async create(config: ServerConfig): Promise<UnbufferedServerConnection> {
    const conn = new UnbufferedServerConnection(config);
    await conn.getCore();
    return conn;
  }

  /** The SNI host name the client asked for, once received. */
  get serverName(): string | undefined {
    return this.#core?.info.serverName;
  }

  /**
   * Hands the traffic keys to another record layer and consumes this
   * connection. Same gate and contract as the client's method; the server's
   * kernel connection has no ticket handling.
   */
  async dangerousIntoKernelConnection(): Promise<
    { secrets: ExtractedSecrets; connection: KernelConnection }
  > {
    const { secrets, init } = await this.extractForKernel(this.config.enableSecretExtraction);
    return { secrets, connection: new KernelConnection(init) };
  }

  /** @internal */
  protected getCore(): Promise<ConnectionCore> {
    this.#starting ??= this.config.resolve().then((resolved) => {
      this.#core = startServer(resolved);
      return this.#core;
    });
    return this.#starting;
  }

  /** @internal */
  protected peekCore(): ConnectionCore | undefined {
    return this.#core;
  }
}
