/**
 * The states `processTlsRecords` returns. Each is a short-lived view: it is
 * valid until the next `processTlsRecords` call on its connection, after which
 * its methods throw `TypeError`. Each group of states has its own file; this
 * one gathers them.
 *
 * @module
 */

import type {
  BlockedHandshake,
  EncodeTlsData,
  TransmitTlsData,
} from "./handshake_flight_states.ts";
import type { ReadEarlyData } from "./early_data_states.ts";
import type { ReadTraffic, WriteTraffic } from "./traffic_states.ts";
import type { Closed, PeerClosed } from "./close_states.ts";

export type { StateContext } from "./state_context.ts";
export { BlockedHandshake, EncodeTlsData, TransmitTlsData } from "./handshake_flight_states.ts";
export { MayEncryptEarlyData, ReadEarlyData } from "./early_data_states.ts";
export type { EarlyDataWritten } from "./early_data_states.ts";
export { ReadTraffic, WriteTraffic } from "./traffic_states.ts";
export type { AppDataRecord } from "./traffic_states.ts";
export { Closed, PeerClosed } from "./close_states.ts";

/**
 * Every state `processTlsRecords` can return.
 *
 * @example
 * ```ts
 * import type { ConnectionState } from "@kerneltls/tls";
 * function describe(state: ConnectionState): string {
 *   switch (state.kind) {
 *     case "EncodeTlsData":
 *       return `encode ${state.requiredSize} bytes`;
 *     case "TransmitTlsData":
 *       return "send what was encoded, then call done()";
 *     case "BlockedHandshake":
 *       return "read more bytes";
 *     case "WriteTraffic":
 *       return "idle: encrypt application data";
 *     case "ReadTraffic":
 *     case "ReadEarlyData":
 *       return "take records with nextRecord()";
 *     case "PeerClosed":
 *       return "peer closed";
 *     case "Closed":
 *       return "closed";
 *   }
 * }
 * void describe;
 * ```
 */
export type ConnectionState =
  | EncodeTlsData
  | TransmitTlsData
  | BlockedHandshake
  | WriteTraffic
  | ReadTraffic
  | ReadEarlyData
  | PeerClosed
  | Closed;

/**
 * What `processTlsRecords` resolves to.
 *
 * @example
 * ```ts
 * import { ClientConfig, RootCertStore, UnbufferedClientConnection } from "@kerneltls/tls";
 * import type { UnbufferedStatus } from "@kerneltls/tls";
 * const config = new ClientConfig({ roots: new RootCertStore() });
 * const client = await UnbufferedClientConnection.create(config, "example.com");
 * let incoming = new Uint8Array(0);
 * const status: UnbufferedStatus = await client.processTlsRecords(incoming);
 * incoming = incoming.subarray(status.discard);
 * console.log(status.state.kind); // EncodeTlsData
 * ```
 */
export interface UnbufferedStatus {
  /** Bytes to remove from the front of the incoming buffer. */
  discard: number;
  /** What to do next. */
  state: ConnectionState;
}
