/**
 * Handshake message framing (RFC 8446 section 4): the union of every TLS 1.3
 * handshake message, and encoding/decoding with the 4-byte header
 * (`msg_type` u8, `length` u24).
 *
 * @module
 */

import { tlsError } from "../error.ts";
import { Reader, Writer } from "./codec.ts";
import { AlertDescription, HandshakeType } from "./enums.ts";
import { type ClientHello, readClientHello, writeClientHello } from "./client_hello.ts";
import {
  type HelloRetryRequest,
  readServerHello,
  type ServerHello,
  writeServerHello,
} from "./server_hello.ts";
import {
  type Certificate,
  type CertificateRequest,
  type CertificateVerify,
  readCertificate,
  readCertificateRequest,
  readCertificateVerify,
  writeCertificate,
  writeCertificateRequest,
  writeCertificateVerify,
} from "./certificate.ts";
import {
  type NewSessionTicket,
  readNewSessionTicket,
  writeNewSessionTicket,
} from "./new_session_ticket.ts";
import {
  type EncryptedExtensions,
  type EndOfEarlyData,
  type Finished,
  type KeyUpdate,
  readEncryptedExtensions,
  readEndOfEarlyData,
  readFinished,
  readKeyUpdate,
  writeEncryptedExtensions,
  writeFinished,
  writeKeyUpdate,
} from "./simple_messages.ts";

/** Every TLS 1.3 handshake message, discriminated by `type` (`HandshakeType`). */
export type HandshakeMessage =
  | ClientHello
  | ServerHello
  | HelloRetryRequest
  | EncryptedExtensions
  | CertificateRequest
  | Certificate
  | CertificateVerify
  | Finished
  | NewSessionTicket
  | EndOfEarlyData
  | KeyUpdate;

/** Length of the handshake message header. */
export const HANDSHAKE_HEADER_LENGTH = 4;

/**
 * Encodes a handshake message with its 4-byte header. Throws `RangeError` on
 * fields that do not fit or that the decoder would refuse.
 *
 * @example
 * ```ts
 * import { encodeHandshake } from "./handshake.ts";
 * import { HandshakeType } from "./enums.ts";
 * const bytes = encodeHandshake({ type: HandshakeType.key_update, requestUpdate: 1 });
 * console.log(bytes); // Uint8Array(5) [ 24, 0, 0, 1, 1 ]
 * ```
 */
export function encodeHandshake(msg: HandshakeMessage): Uint8Array {
  const w = new Writer();
  w.u8(msg.type).lengthPrefixed(3, (body) => {
    switch (msg.type) {
      case HandshakeType.client_hello:
        return writeClientHello(body, msg);
      case HandshakeType.server_hello:
        return writeServerHello(body, msg);
      case HandshakeType.encrypted_extensions:
        return writeEncryptedExtensions(body, msg);
      case HandshakeType.certificate_request:
        return writeCertificateRequest(body, msg);
      case HandshakeType.certificate:
        return writeCertificate(body, msg);
      case HandshakeType.certificate_verify:
        return writeCertificateVerify(body, msg);
      case HandshakeType.finished:
        return writeFinished(body, msg);
      case HandshakeType.new_session_ticket:
        return writeNewSessionTicket(body, msg);
      case HandshakeType.end_of_early_data:
        return;
      case HandshakeType.key_update:
        return writeKeyUpdate(body, msg);
      default:
        throw new RangeError(`cannot encode handshake type ${(msg as { type: number }).type}`);
    }
  });
  return w.finish();
}

const NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(HandshakeType).map(([name, code]) => [code, name]),
);

/**
 * Decodes a handshake body of the given `msg_type`. The body is copied first, so
 * the result stays valid when the caller reuses its buffer. Types that are not
 * TLS 1.3 handshake messages give `unexpected_message`; malformed bodies give
 * `decode_error` or `illegal_parameter`.
 *
 * @example
 * ```ts
 * import { decodeHandshake } from "./handshake.ts";
 * import { HandshakeType } from "./enums.ts";
 * const msg = decodeHandshake(HandshakeType.key_update, new Uint8Array([0]));
 * if (msg.type === HandshakeType.key_update) console.log(msg.requestUpdate); // 0
 * ```
 */
export function decodeHandshake(type: number, body: Uint8Array): HandshakeMessage {
  const name = NAMES[type] ?? `handshake type ${type}`;
  const r = new Reader(body.slice(), name);
  switch (type) {
    case HandshakeType.client_hello:
      return readClientHello(r);
    case HandshakeType.server_hello:
      return readServerHello(r);
    case HandshakeType.encrypted_extensions:
      return readEncryptedExtensions(r);
    case HandshakeType.certificate_request:
      return readCertificateRequest(r);
    case HandshakeType.certificate:
      return readCertificate(r);
    case HandshakeType.certificate_verify:
      return readCertificateVerify(r);
    case HandshakeType.finished:
      return readFinished(r);
    case HandshakeType.new_session_ticket:
      return readNewSessionTicket(r);
    case HandshakeType.end_of_early_data:
      return readEndOfEarlyData(r);
    case HandshakeType.key_update:
      return readKeyUpdate(r);
    default:
      throw tlsError(
        "InappropriateMessage",
        "UnexpectedHandshakeType",
        `unexpected ${name} message`,
        { alert: AlertDescription.unexpected_message },
      );
  }
}

/** One framed handshake message, as found in a byte string. */
export interface FramedHandshake {
  /** `msg_type`. */
  type: number;
  /** The body (a view into the input). */
  body: Uint8Array;
  /** Header and body (a view into the input), as the transcript needs it. */
  encoded: Uint8Array;
}

/**
 * Splits a byte string made of whole handshake messages (for example a
 * reassembled flight) into framed messages. A partial message at the end is a
 * `decode_error`; joining messages that span records is the deframer's job.
 *
 * @example
 * ```ts
 * import { splitHandshakeMessages } from "./handshake.ts";
 * const parts = splitHandshakeMessages(new Uint8Array([5, 0, 0, 0, 24, 0, 0, 1, 0]));
 * console.log(parts.map((p) => p.type)); // [ 5, 24 ]
 * ```
 */
export function splitHandshakeMessages(bytes: Uint8Array): FramedHandshake[] {
  const r = new Reader(bytes, "handshake messages");
  const out: FramedHandshake[] = [];
  while (!r.atEnd) {
    const start = r.offset;
    const type = r.u8();
    const body = r.vec24();
    out.push({ type, body, encoded: bytes.subarray(start, r.offset) });
  }
  return out;
}

/**
 * The synthetic `message_hash` message that replaces ClientHello1 in the
 * transcript after a HelloRetryRequest (RFC 8446 section 4.4.1).
 *
 * @example
 * ```ts
 * import { encodeMessageHash } from "./handshake.ts";
 * console.log(encodeMessageHash(new Uint8Array(32)).subarray(0, 4)); // Uint8Array(4) [ 254, 0, 0, 32 ]
 * ```
 */
export function encodeMessageHash(clientHello1Hash: Uint8Array): Uint8Array {
  return new Writer().u8(HandshakeType.message_hash).vec24(clientHello1Hash).finish();
}
