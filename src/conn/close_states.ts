/**
 * The states after close_notify: `PeerClosed` (the peer closed) and `Closed`
 * (we closed).
 *
 * @module
 */

/**
 * The peer sent close_notify. Reported once; writing is still possible (half-close).
 *
 * @example
 * ```ts
 * import type { ConnectionState } from "@kerneltls/tls";
 * function onState(state: ConnectionState): void {
 *   if (state.kind === "PeerClosed") {
 *     console.log("peer sent close_notify; we may still write, then close too");
 *   }
 * }
 * void onState;
 * ```
 */
export class PeerClosed {
  /** Discriminant. */
  readonly kind = "PeerClosed" as const;
}

/**
 * We sent close_notify: nothing more can be written. Incoming records are
 * still read while the peer has not closed (its data arrives as `ReadTraffic`,
 * its close_notify as `PeerClosed`); once both sides have closed, every call
 * returns `Closed`.
 *
 * @example
 * ```ts
 * import type { ConnectionState } from "@kerneltls/tls";
 * function isFinished(state: ConnectionState): boolean {
 *   return state.kind === "Closed"; // both sides closed: release the transport
 * }
 * void isFinished;
 * ```
 */
export class Closed {
  /** Discriminant. */
  readonly kind = "Closed" as const;
}
