/**
 * Sans-IO record deframing: finds the next complete TLS record at the front of
 * a byte buffer the caller owns. Nothing is copied or consumed here; the caller
 * drops `length` bytes from the front once it is done with the record.
 *
 * @module
 */

import { tlsError } from "../error.ts";
import { AlertDescription, ContentType } from "../msgs/enums.ts";

/** Bytes in a record header: type (1), legacy_record_version (2), length (2). */
export const RECORD_HEADER_LEN = 5;

/** Largest plaintext fragment a record may carry: 2^14 (RFC 8446 section 5.1). */
export const MAX_PLAINTEXT_LEN = 16384;

/**
 * Largest fragment the deframer accepts: 2^14 + 256, the TLS 1.3 ciphertext
 * limit (RFC 8446 section 5.2). TLS 1.2 would allow 2^14 + 2048, but that slack
 * exists for compression and CBC padding; the AEAD-only TLS 1.2 suites we speak
 * expand a record by 24 bytes at most, so one bound serves both versions.
 */
export const MAX_CIPHERTEXT_LEN: number = 16384 + 256;

/** Largest whole record on the wire (header plus {@link MAX_CIPHERTEXT_LEN}). */
export const MAX_RECORD_LEN: number = RECORD_HEADER_LEN + MAX_CIPHERTEXT_LEN;

/** One record found at the front of a buffer. */
export interface RawRecord {
  /** Outer content type (one of `ContentType`). */
  contentType: number;
  /** `legacy_record_version`, e.g. 0x0303; otherwise ignored (RFC 8446 section 5.1). */
  version: number;
  /** The 5 header bytes: the AAD for TLS 1.3 record protection. A view into the input. */
  header: Uint8Array;
  /** The record's payload. A view into the input: copy it before reusing those bytes. */
  fragment: Uint8Array;
  /** Total bytes this record occupies, header included: what the caller discards. */
  length: number;
}

function isKnownContentType(type: number): boolean {
  return type === ContentType.change_cipher_spec || type === ContentType.alert ||
    type === ContentType.handshake || type === ContentType.application_data;
}

/**
 * Reads the record at the front of `buf`, or returns `undefined` when `buf` does
 * not yet hold a whole record (including a partial header: that only means
 * "read more", never an error).
 *
 * Checks made as soon as the bytes are present, so a peer cannot make us wait
 * for up to 16 KiB of garbage:
 * - unknown content type: `unexpected_message` (RFC 8446 section 5);
 * - legacy_record_version whose major byte is not 0x03: `decode_error`. RFC 8446
 *   says to ignore the field, and we do ignore its minor byte (0x0301 is legal on
 *   an initial ClientHello), but a different major byte means the peer does not
 *   speak TLS at all (SSLv2, plain HTTP), so we fail fast;
 * - length above `maxFragmentLen` (default {@link MAX_CIPHERTEXT_LEN}):
 *   `record_overflow` (RFC 8446 section 5.2).
 *
 * @param buf Bytes received so far; only its front is looked at.
 * @param maxFragmentLen Largest acceptable record payload.
 * @returns The record (views into `buf`), or `undefined` when more bytes are needed.
 * @throws {TlsError} When the header is invalid; `alert` holds the alert to send.
 *
 * @example
 * ```ts
 * import { readRecord } from "./deframer.ts";
 * const buf = new Uint8Array([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28, 0x16]);
 * const rec = readRecord(buf)!;
 * console.log(rec.contentType, rec.fragment, rec.length); // 21 Uint8Array(2) [2, 40] 7
 * console.log(readRecord(buf.subarray(rec.length))); // undefined: need more bytes
 * ```
 */
export function readRecord(
  buf: Uint8Array,
  maxFragmentLen: number = MAX_CIPHERTEXT_LEN,
): RawRecord | undefined {
  if (buf.length >= 1 && !isKnownContentType(buf[0])) {
    throw tlsError(
      "InvalidMessage",
      "InvalidContentType",
      `unknown record content type ${buf[0]}`,
      { alert: AlertDescription.unexpected_message },
    );
  }
  if (buf.length >= 2 && buf[1] !== 0x03) {
    throw tlsError(
      "InvalidMessage",
      "InvalidRecordVersion",
      "record version major byte is not 3: not TLS",
      { alert: AlertDescription.decode_error },
    );
  }
  if (buf.length < RECORD_HEADER_LEN) return undefined;
  const fragmentLen = (buf[3] << 8) | buf[4];
  if (fragmentLen > maxFragmentLen) {
    throw tlsError(
      "PeerMisbehaved",
      "RecordOverflow",
      `record of ${fragmentLen} bytes exceeds the limit`,
      { alert: AlertDescription.record_overflow },
    );
  }
  const length = RECORD_HEADER_LEN + fragmentLen;
  if (buf.length < length) return undefined;
  return {
    contentType: buf[0],
    version: (buf[1] << 8) | buf[2],
    header: buf.subarray(0, RECORD_HEADER_LEN),
    fragment: buf.subarray(RECORD_HEADER_LEN, length),
    length,
  };
}

/**
 * Encodes a record header for `contentType`, `version` and a payload of
 * `fragmentLen` bytes. Throws `RangeError` when the length does not fit.
 *
 * @example
 * ```ts
 * import { encodeRecordHeader } from "./deframer.ts";
 * console.log(encodeRecordHeader(23, 0x0303, 17)); // Uint8Array(5) [23, 3, 3, 0, 17]
 * ```
 */
export function encodeRecordHeader(
  contentType: number,
  version: number,
  fragmentLen: number,
): Uint8Array {
  if (!Number.isInteger(fragmentLen) || fragmentLen < 0 || fragmentLen > 0xffff) {
    throw new RangeError(`record length ${fragmentLen} out of range`);
  }
  return new Uint8Array([contentType, version >> 8, version & 0xff, fragmentLen >> 8, fragmentLen]);
}
