/**
 * Giving up a handshake for a reason of the caller's own (a timeout, a user's
 * abort), not a protocol failure.
 *
 * @module
 */

import type { TlsErrorDetail } from "../error_details.ts";
import { type TlsError, tlsError } from "../error.ts";
import { AlertDescription, AlertLevel } from "../msgs/enums.ts";
import type { ConnectionCore } from "./core.ts";

/**
 * What `cancelHandshake` records in the connection's error.
 *
 * @example
 * ```ts
 * import { ClientConfig, RootCertStore, UnbufferedClientConnection } from "@kerneltls/tls";
 * import type { CancelReason } from "@kerneltls/tls";
 * const client = await UnbufferedClientConnection.create(
 *   new ClientConfig({ roots: new RootCertStore() }),
 *   "example.com",
 * );
 * const reason: CancelReason = { detail: "HandshakeTimeout", message: "no answer in 10 s" };
 * const err = await client.cancelHandshake(reason);
 * console.log(err.detail, err.alertName); // HandshakeTimeout user_canceled
 * ```
 */
export interface CancelReason {
  /** The error's `detail` (default `"HandshakeCancelled"`; see `TlsErrorDetail`). */
  detail?: TlsErrorDetail;
  /** The error's message (default `"the handshake was cancelled"`). */
  message?: string;
  /** The error's `cause`, for example an `AbortSignal`'s reason. */
  cause?: unknown;
}

/**
 * Fails `core` with a `General` error carrying `reason` and queues
 * user_canceled then close_notify, both at warning level, under the current
 * write protection (RFC 8446 section 6.1; RFC 5246 section 7.2.1). A core
 * that already failed keeps its error and queues nothing; a finished
 * handshake is a `TypeError` (close with close_notify instead).
 */
export function cancelHandshake(core: ConnectionCore, reason: CancelReason = {}): TlsError {
  if (core.error) return core.error;
  if (core.handshakeComplete) {
    throw new TypeError("the handshake is complete: close the connection with close_notify");
  }
  const error = core.failWithoutAlert(
    tlsError(
      "General",
      reason.detail ?? "HandshakeCancelled",
      reason.message ?? "the handshake was cancelled",
      { alert: AlertDescription.user_canceled, cause: reason.cause },
    ),
  );
  core.sendAlert(AlertDescription.user_canceled, AlertLevel.warning);
  core.sendAlert(AlertDescription.close_notify, AlertLevel.warning);
  return error;
}
