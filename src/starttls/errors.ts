/**
 * The one way STARTTLS helpers fail: a {@link TlsError} whose `detail` says
 * what the plaintext peer did. No alert is sent or carried (`alert` is
 * undefined): TLS has not started yet.
 *
 * @module
 */

import type { TLS_ERROR_DETAIL_GROUPS } from "../error_details.ts";
import { type TlsError, tlsError, type TlsErrorKind } from "../error.ts";

/**
 * Why a STARTTLS prelude failed (the `detail` of the {@link TlsError}).
 *
 * - `StartTlsRefused`: the server declined TLS (PostgreSQL `N`, no STARTTLS
 *   capability, a non-OK answer to STARTTLS).
 * - `StartTlsInjection`: bytes arrived after the server's go-ahead and before
 *   our ClientHello (CVE-2011-0411, CVE-2021-23222): they are refused, never
 *   handed to TLS or to the application.
 * - `StartTlsUnexpectedReply`: an answer that does not follow the protocol.
 * - `StartTlsLineTooLong`, `StartTlsTooManyLines`: a reply over the limits.
 * - `StartTlsClosed`: the transport ended in the middle of the prelude.
 * - `StartTlsNoAlpn`: direct TLS without the required ALPN protocol.
 *
 * @example
 * ```ts
 * import { TlsError } from "@kerneltls/tls";
 * import type { StartTlsErrorDetail } from "@kerneltls/tls/starttls";
 * function refused(e: unknown): boolean {
 *   const detail: StartTlsErrorDetail = "StartTlsRefused";
 *   return e instanceof TlsError && e.detail === detail;
 * }
 * console.log(refused(new Error("x"))); // false
 * ```
 */
export type StartTlsErrorDetail = (typeof TLS_ERROR_DETAIL_GROUPS)["startTls"][number];

const KINDS: Record<StartTlsErrorDetail, TlsErrorKind> = {
  StartTlsRefused: "PeerIncompatible",
  StartTlsInjection: "PeerMisbehaved",
  StartTlsUnexpectedReply: "InvalidMessage",
  StartTlsLineTooLong: "InvalidMessage",
  StartTlsTooManyLines: "InvalidMessage",
  StartTlsClosed: "General",
  StartTlsNoAlpn: "NoApplicationProtocol",
};

/** @internal A STARTTLS failure (messages carry protocol words, never data). */
export function startTlsError(detail: StartTlsErrorDetail, message: string): TlsError {
  return tlsError(KINDS[detail], detail, message);
}
