/**
 * Constructors for the errors handshake states raise most often.
 *
 * @module
 */

import type { TlsErrorDetail } from "../error_details.ts";
import { TlsError } from "../error.ts";
import { AlertDescription, type AlertDescriptionValue, handshakeName } from "../msgs/enums.ts";

/** A handshake message of the wrong type for the current state. */
export function unexpectedMessage(expected: string, got: number): TlsError {
  return new TlsError(
    "InappropriateMessage",
    `expected ${expected}, got ${handshakeName(got)}`,
    { detail: "UnexpectedHandshakeMessage", alert: AlertDescription.UnexpectedMessage },
  );
}

/** The peer broke a rule; `alert` defaults to illegal_parameter. */
export function peerMisbehaved(
  message: string,
  detail: TlsErrorDetail,
  alert: AlertDescriptionValue = AlertDescription.IllegalParameter,
): TlsError {
  return new TlsError("PeerMisbehaved", message, { detail, alert });
}

/** The peer offered nothing we can use; `alert` defaults to handshake_failure. */
export function peerIncompatible(
  message: string,
  detail: TlsErrorDetail,
  alert: AlertDescriptionValue = AlertDescription.HandshakeFailure,
): TlsError {
  return new TlsError("PeerIncompatible", message, { detail, alert });
}
