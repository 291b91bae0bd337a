/**
 * Types the connection core shares with the public API layer.
 *
 * @module
 */

/** What the core asks the public API to present next. */
export type CoreStep =
  | "EncodeTlsData"
  | "TransmitTlsData"
  | "ReadTraffic"
  | "ReadEarlyData"
  | "BlockedHandshake"
  | "WriteTraffic"
  | "PeerClosed"
  | "Closed";

/** A decrypted application record waiting for the caller. */
export interface AppRecord {
  /** The plaintext. */
  payload: Uint8Array;
  /** Bytes of the caller's buffer it occupied. */
  discard: number;
  /** True for 0-RTT data (server side, before EndOfEarlyData). */
  early: boolean;
}

/**
 * Client side of 0-RTT as the public API sees it: set by the client handshake
 * when it offers early data, read by `TransmitTlsData.mayEncryptEarlyData`.
 */
export interface EarlyDataSender {
  /** True while early data may still be written (before the ServerHello). */
  readonly open: boolean;
  /** Bytes of early data that may still be written. */
  readonly remaining: number;
  /** Encrypts up to `remaining` bytes of `data` into `out`. */
  encrypt(data: Uint8Array, out: Uint8Array): Promise<{ consumed: number; written: number }>;
}

/** Options fixed at construction. */
export interface CoreOptions {
  /** Largest plaintext fragment per record we send. */
  maxFragmentSize: number;
  /** Our side (only a client takes NewSessionTicket). */
  side: "client" | "server";
  /** KeyUpdates the peer may make us take in all (the config's `maxKeyUpdates`). */
  maxKeyUpdates: number;
}
