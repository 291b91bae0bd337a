/**
 * What a received alert means (RFC 8446 section 6, RFC 5246 section 7.2).
 *
 * @module
 */

import { TlsError } from "../error.ts";
import { decodeAlert } from "../msgs/alert.ts";
import { AlertDescription, AlertLevel } from "../msgs/enums.ts";

/**
 * Classifies an alert record's payload: `"close_notify"`, a `"warning"` that
 * leaves the connection up, or a thrown `TlsError` (kind `AlertReceived` for
 * error alerts, `InvalidMessage` for a malformed alert).
 */
export function interpretAlert(
  payload: Uint8Array,
  handshakeComplete: boolean,
  protocolVersion: "TLSv1_3" | "TLSv1_2" | undefined,
): "close_notify" | "warning" {
  const { level, description } = decodeAlert(payload);
  if (level !== AlertLevel.Warning && level !== AlertLevel.Fatal) {
    throw new TlsError("InvalidMessage", `alert with unknown level ${level}`, {
      detail: "InvalidAlert",
      alert: AlertDescription.IllegalParameter,
    });
  }
  if (description === AlertDescription.CloseNotify) {
    if (!handshakeComplete) {
      throw new TlsError("AlertReceived", "peer closed the connection during the handshake", {
        alert: description,
        alertDirection: "received",
      });
    }
    return "close_notify";
  }
  // TLS 1.2 (RFC 5246 7.2.2): warning alerts leave the connection up.
  const tls12Warning = level === AlertLevel.Warning && protocolVersion === "TLSv1_2";
  if (
    tls12Warning || description === AlertDescription.UserCanceled && level === AlertLevel.Warning
  ) {
    return "warning";
  }
  // TLS 1.3 (RFC 8446 section 6): every other alert is an error alert,
  // whatever its level.
  throw new TlsError("AlertReceived", `peer sent alert ${description}`, {
    alert: description,
    alertDirection: "received",
  });
}
