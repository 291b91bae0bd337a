/**
 * The limits a stream's handshake runs under (an `AbortSignal`, a timeout)
 * and the errors the stream raises itself.
 *
 * @module
 */

import { type TlsError, tlsError } from "../error.ts";
import type { TlsStreamErrorDetail, TlsStreamOptions } from "./stream_types.ts";

/** A `General` error of the stream's own. */
export function streamError(
  detail: TlsStreamErrorDetail,
  message: string,
  cause?: unknown,
): TlsError {
  return tlsError("General", detail, message, { cause });
}

/** The error for an aborted `signal`: detail `HandshakeAborted`, or `Aborted` after it. */
export function abortError(signal: AbortSignal, handshaking: boolean): TlsError {
  return handshaking
    ? streamError("HandshakeAborted", "the handshake was aborted", signal.reason)
    : streamError("Aborted", "the stream was aborted", signal.reason);
}

/** Throws `TypeError` / `RangeError` for options that cannot be used. */
export function checkOptions(options: TlsStreamOptions): void {
  const { signal, handshakeTimeoutMs: ms } = options;
  if (signal !== undefined && typeof signal?.addEventListener !== "function") {
    throw new TypeError("signal must be an AbortSignal");
  }
  if (ms !== undefined && !(typeof ms === "number" && ms > 0 && ms <= 2 ** 31 - 1)) {
    throw new RangeError("handshakeTimeoutMs must be a number of milliseconds, 1 to 2^31 - 1");
  }
  const batch = options.writeBatchSize;
  if (batch !== undefined && !(Number.isInteger(batch) && batch >= 1 && batch <= 2 ** 24)) {
    throw new RangeError("writeBatchSize must be an integer number of bytes, 1 to 2^24");
  }
}

/** Watches a handshake: `fired` resolves with the error once the signal aborts or time is up. */
export interface HandshakeWatch {
  /** Never rejects; stays pending when neither limit applies. */
  readonly fired: Promise<TlsError>;
  /** Clears the timer and the abort listener. */
  stop(): void;
}

/** Starts the handshake's clock and listens to its signal. */
export function watchHandshake(options: TlsStreamOptions): HandshakeWatch {
  const { signal, handshakeTimeoutMs } = options;
  let fire!: (e: TlsError) => void;
  const fired = new Promise<TlsError>((resolve) => (fire = resolve));
  const onAbort = () => fire(abortError(signal!, true));
  signal?.addEventListener("abort", onAbort, { once: true });
  const timer = handshakeTimeoutMs === undefined ? undefined : setTimeout(() => {
    fire(streamError("HandshakeTimeout", `no handshake within ${handshakeTimeoutMs} ms`));
  }, handshakeTimeoutMs);
  return {
    fired,
    stop() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    },
  };
}
