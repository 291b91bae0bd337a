/**
 * The public types of the kernel record layer, re-exported by
 * `record_layer.ts`.
 *
 * @module
 */

import type { Aead } from "../crypto/types.ts";
import type { DirectionSecrets, KernelCipherSuite } from "../conn/kernel.ts";

/**
 * What the layer needs from a `KernelConnection`. A `KernelConnection`
 * (client or server) is one; a Worker can pass a proxy that forwards these
 * calls to the thread holding the real connection.
 *
 * @example
 * ```ts
 * import type { KernelConnectionLike } from "@kerneltls/tls/kernel-record-layer";
 * // A stand-in for a Worker that talks to the real KernelConnection elsewhere.
 * const remote: KernelConnectionLike = {
 *   protocolVersion: "TLSv1_3",
 *   negotiatedCipherSuite: {
 *     id: 0x1303,
 *     name: "TLS_CHACHA20_POLY1305_SHA256",
 *     kind: "Chacha20Poly1305",
 *     confidentialityLimit: 2n ** 64n - 1n,
 *   },
 *   updateTxSecret: () => Promise.reject(new Error("ask the owning thread")),
 *   updateRxSecret: () => Promise.reject(new Error("ask the owning thread")),
 * };
 * void remote;
 * ```
 */
export interface KernelConnectionLike {
  /** `"TLSv1_3"` (TLS 1.2 is refused for now). */
  readonly protocolVersion: "TLSv1_3" | "TLSv1_2";
  /** The negotiated suite; `kind` picks the AEAD, `confidentialityLimit` the rotation point. */
  readonly negotiatedCipherSuite: KernelCipherSuite;
  /**
   * Largest plaintext per record the peer accepts (after its RFC 8449
   * record_size_limit); records are cut to the smaller of this and the
   * layer's `maxFragmentSize`. Absent: 16384.
   */
  readonly maxFragmentSize?: number;
  /**
   * Our negotiated record_size_limit (RFC 8449): peer records that decrypt to
   * more bytes are record_overflow. Absent: only the protocol maximum holds.
   */
  readonly recordSizeLimit?: number;
  /** Next send keys, after our KeyUpdate went out under the old ones. */
  updateTxSecret(): Promise<DirectionSecrets>;
  /** Next receive keys, after the peer's KeyUpdate. */
  updateRxSecret(): Promise<DirectionSecrets>;
  /**
   * The peer's KeyUpdate allowance so far (a `KernelConnection` carries the
   * connection's): the layer takes at most `max - taken` more KeyUpdates.
   * Absent: `max` is the layer's `maxKeyUpdates` option, none taken.
   */
  readonly peerKeyUpdates?: { readonly max: number; readonly taken: number };
  /**
   * Client kernels only: store a NewSessionTicket body. Absent means the
   * layer acts as a server's: tickets are unexpected, and in TLS 1.2 the
   * renegotiation request it refuses with a warning is a ClientHello (a
   * client's is a HelloRequest).
   */
  handleNewSessionTicket?(body: Uint8Array): Promise<void>;
}

/**
 * Where AEADs come from: any `CryptoProvider` is one. Only the suites' `aead`
 * objects are used, matched by `kind`.
 *
 * @example
 * ```ts
 * import { webCryptoProvider } from "@kerneltls/tls";
 * import { chacha20Poly1305Pure } from "@kerneltls/tls/chacha20-poly1305";
 * import type { AeadSource } from "@kerneltls/tls/kernel-record-layer";
 * const fromProvider: AeadSource = await webCryptoProvider();
 * const pureChacha: AeadSource = { cipherSuites: [{ aead: chacha20Poly1305Pure }] };
 * void fromProvider, pureChacha;
 * ```
 */
export interface AeadSource {
  /** Suites whose AEADs may be used. */
  readonly cipherSuites: readonly { readonly aead: Aead }[];
}

/**
 * Options for `KernelRecordLayer.create`.
 *
 * @example
 * ```ts
 * import type { ExtractedSecrets } from "@kerneltls/tls";
 * import { KernelRecordLayer } from "@kerneltls/tls/kernel-record-layer";
 * import type {
 *   KernelConnectionLike,
 *   KernelRecordLayerOptions,
 * } from "@kerneltls/tls/kernel-record-layer";
 * async function start(secrets: ExtractedSecrets, conn: KernelConnectionLike): Promise<KernelRecordLayer> {
 *   const options: KernelRecordLayerOptions = { maxFragmentSize: 4096, maxInFlight: 4 };
 *   return await KernelRecordLayer.create(secrets, conn, options);
 * }
 * void start;
 * ```
 */
export interface KernelRecordLayerOptions {
  /** Where the AEAD comes from (default `webCryptoProvider()`). */
  provider?: AeadSource;
  /** Largest plaintext per sealed record, 1 to 16384 (default 16384). */
  maxFragmentSize?: number;
  /** AEAD operations started before waiting for the oldest (default 16). */
  maxInFlight?: number;
  /**
   * Records one send key may protect, KeyUpdate included, before it is
   * replaced. Defaults to the suite's `confidentialityLimit`; a smaller value
   * (at least 2) is for tests. Larger values are capped at the suite's.
   */
  confidentialityLimit?: bigint;
  /**
   * KeyUpdates the peer may make this connection take in all, those before
   * the hand-off included (default: the connection's `peerKeyUpdates.max`,
   * which is the config's `maxKeyUpdates`, else 1024). Whatever the total,
   * the peer gets 32 in a row and one more per 16 KiB of application data
   * received, the same budget the connection applies before the hand-off.
   */
  maxKeyUpdates?: number;
}

/**
 * What `KernelRecordLayer.open` produced.
 *
 * @example
 * ```ts
 * import type { KernelRecordLayer, OpenResult } from "@kerneltls/tls/kernel-record-layer";
 * async function onBytes(
 *   layer: KernelRecordLayer,
 *   bytes: Uint8Array,
 *   send: (b: Uint8Array) => Promise<void>,
 * ): Promise<Uint8Array[]> {
 *   const { data, toSend, peerClosed }: OpenResult = await layer.open(bytes);
 *   if (toSend.length > 0) await send(toSend); // our KeyUpdate answer
 *   if (peerClosed) await send(await layer.closeNotify());
 *   return data;
 * }
 * void onBytes;
 * ```
 */
export interface OpenResult {
  /** Application data, in order; views of decrypted buffers owned by the caller. */
  data: Uint8Array[];
  /** Records to send now (our answer to a KeyUpdate that asked for one), or empty. */
  toSend: Uint8Array;
  /** True once the peer's close_notify was read. */
  peerClosed: boolean;
}

/**
 * Counters, for logs and tests.
 *
 * @example
 * ```ts
 * import type { KernelRecordLayer, KernelRecordLayerStats } from "@kerneltls/tls/kernel-record-layer";
 * function report(layer: KernelRecordLayer): string {
 *   const s: KernelRecordLayerStats = layer.stats;
 *   return `sealed ${s.recordsSealed} opened ${s.recordsOpened} key updates ${s.txKeyUpdates}/${s.rxKeyUpdates}`;
 * }
 * void report;
 * ```
 */
export interface KernelRecordLayerStats {
  /** Records sealed, KeyUpdate and alerts included. */
  recordsSealed: number;
  /** Records opened. */
  recordsOpened: number;
  /** Our KeyUpdates sent (each one moved the send key forward). */
  txKeyUpdates: number;
  /** Peer KeyUpdates applied. */
  rxKeyUpdates: number;
  /** NewSessionTickets handed to the connection. */
  ticketsHandled: number;
}
