/**
 * The one error class for protocol failures, the constructors the library
 * raises them with, and the error for short output buffers.
 *
 * @module
 */

import {
  AlertDescription,
  type AlertDescriptionValue,
  alertName,
  handshakeName,
} from "./msgs/enums.ts";
import type { TlsErrorDetail } from "./error_details.ts";

/**
 * What went wrong, broadly. `detail` narrows it down.
 *
 * @example
 * ```ts
 * import { TlsError } from "@kerneltls/tls";
 * import type { TlsErrorKind } from "@kerneltls/tls";
 * function kindOf(e: unknown): TlsErrorKind | undefined {
 *   return e instanceof TlsError ? e.kind : undefined;
 * }
 * console.log(kindOf(new TlsError("DecryptError", "bad record MAC"))); // DecryptError
 * ```
 */
export type TlsErrorKind =
  /** The peer sent bytes that do not decode (maps to `decode_error`). */
  | "InvalidMessage"
  /** The peer sent a message that is not allowed at this point. */
  | "InappropriateMessage"
  /** The peer broke a protocol rule (maps to `illegal_parameter` or similar). */
  | "PeerMisbehaved"
  /** The peer offered nothing we can use (maps to `handshake_failure` or similar). */
  | "PeerIncompatible"
  /** The peer's certificate was refused; `detail` says why. */
  | "InvalidCertificate"
  /** The peer sent a fatal alert; `alert` holds its description. */
  | "AlertReceived"
  /** A record or Finished message failed authentication. */
  | "DecryptError"
  /** A record could not be protected (for example the sequence space is exhausted). */
  | "EncryptError"
  /** An operation needs a finished handshake. */
  | "HandshakeNotComplete"
  /** The peer did not agree on an application protocol. */
  | "NoApplicationProtocol"
  /** Anything else, including refusals of the API itself. */
  | "General";

/**
 * Options for constructing a {@link TlsError}.
 *
 * @example
 * ```ts
 * import { AlertDescription, TlsError } from "@kerneltls/tls";
 * import type { TlsErrorOptions } from "@kerneltls/tls";
 * const options: TlsErrorOptions = {
 *   detail: "InvalidKeyShare",
 *   alert: AlertDescription.illegal_parameter,
 *   alertDirection: "sent",
 * };
 * const err = new TlsError("PeerMisbehaved", "invalid key share", options);
 * console.log(err.alert); // 47
 * ```
 */
export interface TlsErrorOptions {
  /** A narrower, stable reason, for example `"UnknownIssuer"` (see {@link TlsErrorDetail}). */
  detail?: TlsErrorDetail;
  /** The alert description sent to (or received from) the peer, if any. */
  alert?: AlertDescriptionValue;
  /** Whether `alert` was sent by us or received from the peer. */
  alertDirection?: "sent" | "received";
  /** The underlying cause, when there is one that is safe to keep. */
  cause?: unknown;
}

/**
 * A TLS protocol failure. Every peer-caused failure surfaces as one of these,
 * with the fatal alert that was queued for the peer in `alert`.
 *
 * Messages never contain secret material.
 *
 * @example
 * ```ts
 * import { TlsError } from "@kerneltls/tls";
 * const err = new TlsError("InvalidMessage", "truncated ClientHello", { alert: 50 });
 * console.log(err.kind, err.alertName); // InvalidMessage decode_error
 * ```
 */
export class TlsError extends Error {
  /** Broad category of the failure. */
  readonly kind: TlsErrorKind;
  /** Narrower reason, when one is known: one of `TLS_ERROR_DETAILS`. */
  readonly detail: TlsErrorDetail | undefined;
  /**
   * Alert description sent or received, when one applies. Alerts we send are
   * always an {@link AlertDescription} value; a received one (kind
   * `AlertReceived`) keeps the peer's code point, which may be one we do not name.
   */
  readonly alert: AlertDescriptionValue | undefined;
  /** Whether the alert was sent by us or received from the peer. */
  readonly alertDirection: "sent" | "received" | undefined;

  /** Creates an error of the given kind with a human-readable message. */
  constructor(kind: TlsErrorKind, message: string, options: TlsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TlsError";
    this.kind = kind;
    this.detail = options.detail;
    this.alert = options.alert;
    this.alertDirection = options.alert === undefined
      ? undefined
      : options.alertDirection ?? "sent";
  }

  /** The RFC name of `alert` (for example `"DecodeError"`), or undefined. */
  get alertName(): string | undefined {
    return this.alert === undefined ? undefined : alertName(this.alert);
  }
}

/** What {@link tlsError} takes besides the kind, detail and message. */
export type TlsErrorFields = Pick<TlsErrorOptions, "alert" | "cause">;

/**
 * @internal The one constructor the library raises its errors with: `kind`,
 * the failure's `detail`, a message without secrets, and the alert queued
 * for the peer (`alertDirection` "sent"). Only a received alert, which has
 * no detail, is built elsewhere (`post_handshake/alerts.ts`).
 */
export function tlsError(
  kind: TlsErrorKind,
  detail: TlsErrorDetail,
  message: string,
  fields: TlsErrorFields = {},
): TlsError {
  return new TlsError(kind, message, { detail, ...fields });
}

/** @internal The peer's bytes do not decode (`InvalidMessage`, decode_error). */
export function decodeError(message: string, detail: TlsErrorDetail = "DecodeError"): TlsError {
  return tlsError("InvalidMessage", detail, message, { alert: AlertDescription.decode_error });
}

/** @internal The bytes decode but break a structural rule (`PeerMisbehaved`, illegal_parameter). */
export function illegalParameter(
  message: string,
  detail: TlsErrorDetail = "IllegalParameter",
): TlsError {
  return tlsError("PeerMisbehaved", detail, message, { alert: AlertDescription.illegal_parameter });
}

/** @internal The peer broke a rule; `alert` defaults to illegal_parameter. */
export function peerMisbehaved(
  message: string,
  detail: TlsErrorDetail,
  alert: AlertDescriptionValue = AlertDescription.illegal_parameter,
): TlsError {
  return tlsError("PeerMisbehaved", detail, message, { alert });
}

/** @internal The peer offered nothing we can use; `alert` defaults to handshake_failure. */
export function peerIncompatible(
  message: string,
  detail: TlsErrorDetail,
  alert: AlertDescriptionValue = AlertDescription.handshake_failure,
): TlsError {
  return tlsError("PeerIncompatible", detail, message, { alert });
}

/** @internal A message not allowed here (`InappropriateMessage`, unexpected_message). */
export function inappropriateMessage(message: string, detail: TlsErrorDetail): TlsError {
  return tlsError("InappropriateMessage", detail, message, {
    alert: AlertDescription.unexpected_message,
  });
}

/** @internal The record_overflow failure of every record size check. */
export function recordOverflow(message: string): TlsError {
  return peerMisbehaved(message, "RecordOverflow", AlertDescription.record_overflow);
}

/** @internal A handshake message of the wrong type for the current state. */
export function unexpectedMessage(expected: string, got: number): TlsError {
  return inappropriateMessage(
    `expected ${expected}, got ${handshakeName(got)}`,
    "UnexpectedHandshakeMessage",
  );
}

/**
 * The server rejected our Encrypted Client Hello (RFC 9849 section 6.1.6):
 * the handshake was completed and authenticated for the ECHConfig's public
 * name only, so the connection is refused with ech_required. Retry on a new
 * connection with `retryConfigs` (the server's ECHConfigList) when present;
 * when absent, the server has securely turned ECH off. Retry once: a second
 * rejection of configs the server itself just sent means it is
 * misconfigured (section 6.1.6), and retrying again would loop.
 *
 * @example
 * ```ts
 * import { EchRejectedError } from "@kerneltls/tls";
 * const err = new EchRejectedError(new Uint8Array([0, 4, 0xfe, 0x0d, 0, 0]));
 * console.log(err.detail, err.alert, err.retryConfigs?.length); // EchRejected 121 6
 * ```
 */
export class EchRejectedError extends TlsError {
  /** The server's retry_configs (an ECHConfigList), if it sent any. */
  readonly retryConfigs: Uint8Array | undefined;

  /** Creates the error with the server's retry configs. */
  constructor(retryConfigs: Uint8Array | undefined) {
    super("PeerIncompatible", "the server rejected Encrypted Client Hello", {
      detail: "EchRejected",
      alert: AlertDescription.ech_required,
    });
    this.name = "EchRejectedError";
    this.retryConfigs = retryConfigs;
  }
}

/**
 * Thrown by `encode`/`encrypt` when the output buffer is too small. Nothing was
 * written; retry with a buffer of at least `requiredSize` bytes.
 *
 * @example
 * ```ts
 * import { InsufficientSizeError } from "@kerneltls/tls";
 * const err = new InsufficientSizeError(517);
 * console.log(err.requiredSize); // 517
 * ```
 */
export class InsufficientSizeError extends RangeError {
  /** The number of bytes the output buffer must hold. */
  readonly requiredSize: number;

  /** Creates the error for a buffer that needed `requiredSize` bytes. */
  constructor(requiredSize: number) {
    super(`output buffer too small: ${requiredSize} bytes required`);
    this.name = "InsufficientSizeError";
    this.requiredSize = requiredSize;
  }
}
