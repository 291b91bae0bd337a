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
 */
export interface KernelConnectionLike {
  /** `"TLSv1_3"` (TLS 1.2 is refused for now). */
  readonly protocolVersion: "TLSv1_3" | "TLSv1_2";
  /** The negotiated suite; `kind` picks the AEAD, `confidentialityLimit` the rotation point. */
  readonly negotiatedCipherSuite: KernelCipherSuite;
  /** Next send keys, after our KeyUpdate went out under the old ones. */
  updateTxSecret(): Promise<DirectionSecrets>;
  /** Next receive keys, after the peer's KeyUpdate. */
  updateRxSecret(): Promise<DirectionSecrets>;
  /** Client kernels only: store a NewSessionTicket body. Absent means tickets are unexpected. */
  handleNewSessionTicket?(body: Uint8Array): Promise<void>;
}

/**
 * Where AEADs come from: any `CryptoProvider` is one. Only the suites' `aead`
 * objects are used, matched by `kind`.
 */
export interface AeadSource {
  /** Suites whose AEADs may be used. */
  readonly cipherSuites: readonly { readonly aead: Aead }[];
}

/** Options for `KernelRecordLayer.create`. */
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
}

/** What `KernelRecordLayer.open` produced. */
export interface OpenResult {
  /** Application data, in order; views of decrypted buffers owned by the caller. */
  data: Uint8Array[];
  /** Records to send now (our answer to a KeyUpdate that asked for one), or empty. */
  toSend: Uint8Array;
  /** True once the peer's close_notify was read. */
  peerClosed: boolean;
}

/** Counters, for logs and tests. */
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
