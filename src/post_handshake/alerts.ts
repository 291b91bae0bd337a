/**
 * What a received alert means (RFC 8446 section 6, RFC 5246 section 7.2),
 * the same on the connection and on `KernelRecordLayer`.
 *
 * @module
 */

import { TlsError, tlsError } from "../error.ts";
import { decodeAlert, encodeAlert } from "../msgs/alert.ts";
import {
  AlertDescription,
  type AlertDescriptionValue,
  AlertLevel,
  alertName,
} from "../msgs/enums.ts";

/**
 * Classifies an alert record's payload: `"close_notify"`, a `"warning"` that
 * leaves the connection up, or a thrown `TlsError` (kind `AlertReceived` for
 * error alerts, `InvalidMessage` for a malformed alert).
 *
 * TLS 1.3 leaves only two alerts that are not errors: close_notify, and
 * user_canceled sent as a warning (it announces the close_notify that must
 * follow). user_canceled at fatal level is what it says: a fatal alert.
 */
export function interpretAlert(
  payload: Uint8Array,
  handshakeComplete: boolean,
  protocolVersion: "TLSv1_3" | "TLSv1_2" | undefined,
): "close_notify" | "warning" {
  const { level, description } = decodeAlert(payload);
  if (level !== AlertLevel.warning && level !== AlertLevel.fatal) {
    throw tlsError("InvalidMessage", "InvalidAlert", `alert with unknown level ${level}`, {
      alert: AlertDescription.illegal_parameter,
    });
  }
  if (description === AlertDescription.close_notify) {
    if (!handshakeComplete) {
      throw new TlsError("AlertReceived", "peer closed the connection during the handshake", {
        alert: description,
        alertDirection: "received",
      });
    }
    return "close_notify";
  }
  // TLS 1.2 (RFC 5246 7.2.2): warning alerts leave the connection up.
  const tls12Warning = level === AlertLevel.warning && protocolVersion === "TLSv1_2";
  if (
    tls12Warning || description === AlertDescription.user_canceled && level === AlertLevel.warning
  ) {
    return "warning";
  }
  // TLS 1.3 (RFC 8446 section 6): every other alert is an error alert,
  // whatever its level.
  throw new TlsError("AlertReceived", `peer sent alert ${alertName(description)}`, {
    // The peer's code point is kept as received, whether we name it or not.
    alert: description as AlertDescriptionValue,
    alertDirection: "received",
  });
}

/** The payload of our close_notify (a warning, RFC 8446 section 6.1). */
export function closeNotifyPayload(): Uint8Array {
  return encodeAlert({ level: AlertLevel.warning, description: AlertDescription.close_notify });
}

/** The payload of our TLS 1.2 renegotiation refusal (a warning, RFC 5746 section 4). */
export function noRenegotiationPayload(): Uint8Array {
  return encodeAlert({ level: AlertLevel.warning, description: AlertDescription.no_renegotiation });
}

/** The payload of a fatal alert we send. */
export function fatalAlertPayload(description: number): Uint8Array {
  return encodeAlert({ level: AlertLevel.fatal, description });
}

/** RFC 8446 section 6.1: nothing may follow the peer's close_notify. */
export function dataAfterCloseNotify(): TlsError {
  return tlsError("PeerMisbehaved", "DataAfterCloseNotify", "data received after close_notify", {
    alert: AlertDescription.unexpected_message,
  });
}
