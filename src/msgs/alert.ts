/**
 * Alert and ChangeCipherSpec payloads (RFC 8446 sections 6 and 5).
 *
 * @module
 */

import { decodeError, tlsError } from "../error.ts";
import { AlertDescription } from "./enums.ts";

/** An alert: `AlertLevel` and `AlertDescription` code points. */
export interface Alert {
  /** `AlertLevel` (1 warning, 2 fatal); other values are kept as numbers. */
  level: number;
  /** `AlertDescription` code point. */
  description: number;
}

/**
 * Encodes an alert payload (2 bytes).
 *
 * @example
 * ```ts
 * import { encodeAlert } from "./alert.ts";
 * import { AlertDescription, AlertLevel } from "./enums.ts";
 * const bytes = encodeAlert({ level: AlertLevel.warning, description: AlertDescription.close_notify });
 * console.log(bytes); // Uint8Array(2) [ 1, 0 ]
 * ```
 */
export function encodeAlert(alert: Alert): Uint8Array {
  for (const v of [alert.level, alert.description]) {
    if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new RangeError(`alert byte ${v}`);
  }
  return new Uint8Array([alert.level, alert.description]);
}

/**
 * Decodes an alert payload. An empty one is an `unexpected_message`: a
 * zero-length alert record is a framing violation (RFC 8446 sections 5.1 and
 * 5.4, tlsfuzzer's reading); any other length but 2 is a `decode_error`.
 *
 * @example
 * ```ts
 * import { decodeAlert } from "./alert.ts";
 * console.log(decodeAlert(new Uint8Array([2, 40]))); // { level: 2, description: 40 }
 * ```
 */
export function decodeAlert(payload: Uint8Array): Alert {
  if (payload.length === 0) {
    throw tlsError("InvalidMessage", "EmptyAlert", "empty alert record", {
      alert: AlertDescription.unexpected_message,
    });
  }
  if (payload.length !== 2) {
    throw decodeError(`alert of ${payload.length} bytes`, "InvalidAlertLength");
  }
  return { level: payload[0], description: payload[1] };
}

/** The only valid ChangeCipherSpec payload. */
export const CHANGE_CIPHER_SPEC_PAYLOAD = 0x01;

/**
 * Encodes the ChangeCipherSpec payload sent in middlebox compatibility mode.
 *
 * @example
 * ```ts
 * import { encodeChangeCipherSpec } from "./alert.ts";
 * console.log(encodeChangeCipherSpec()); // Uint8Array(1) [ 1 ]
 * ```
 */
export function encodeChangeCipherSpec(): Uint8Array {
  return new Uint8Array([CHANGE_CIPHER_SPEC_PAYLOAD]);
}

/**
 * Checks a ChangeCipherSpec payload: anything but the single byte 0x01 is an
 * `unexpected_message` (RFC 8446 section 5).
 *
 * @example
 * ```ts
 * import { checkChangeCipherSpec } from "./alert.ts";
 * checkChangeCipherSpec(new Uint8Array([1]));
 * ```
 */
export function checkChangeCipherSpec(payload: Uint8Array): void {
  if (payload.length !== 1 || payload[0] !== CHANGE_CIPHER_SPEC_PAYLOAD) {
    throw tlsError(
      "PeerMisbehaved",
      "InvalidChangeCipherSpec",
      "invalid change_cipher_spec payload",
      { alert: AlertDescription.unexpected_message },
    );
  }
}
