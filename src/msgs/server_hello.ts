/**
 * ServerHello and HelloRetryRequest (RFC 8446 sections 4.1.3 and 4.1.4). They
 * share one handshake type; a HelloRetryRequest is the ServerHello whose random
 * is {@link HELLO_RETRY_REQUEST_RANDOM}, and its extensions have their own forms.
 *
 * @module
 */

import { decodeError } from "../error.ts";
import { bytesEqual } from "../_bytes.ts";
import type { Reader, Writer } from "./codec.ts";
import { HandshakeType } from "./enums.ts";
import { readExtensions, writeExtensions } from "./extensions.ts";
import type { HelloRetryRequestExtension, ServerHelloExtension } from "./extension_types.ts";
import { MAX_SESSION_ID_LENGTH, RANDOM_LENGTH } from "./client_hello.ts";

/** The fields a ServerHello and a HelloRetryRequest share. */
export interface ServerHelloFields {
  /** Always `HandshakeType.server_hello`. */
  type: typeof HandshakeType.server_hello;
  /** `legacy_version`; 0x0303 for TLS 1.3. */
  legacyVersion: number;
  /** 32 bytes; {@link HELLO_RETRY_REQUEST_RANDOM} marks a HelloRetryRequest. */
  random: Uint8Array;
  /** `legacy_session_id_echo`, 0..32 bytes. */
  legacySessionIdEcho: Uint8Array;
  /** The selected cipher suite. */
  cipherSuite: number;
  /** `legacy_compression_method`; must be 0 (checked by the handshake, not here). */
  legacyCompressionMethod: number;
}

/** A ServerHello that is not a HelloRetryRequest. */
export interface ServerHello extends ServerHelloFields {
  /** Extensions in wire order (`[]` when the block is absent, TLS 1.2 only). */
  extensions: ServerHelloExtension[];
}

/** A HelloRetryRequest: a ServerHello with the special random. */
export interface HelloRetryRequest extends ServerHelloFields {
  /** Extensions in wire order. */
  extensions: HelloRetryRequestExtension[];
}

/** SHA-256("HelloRetryRequest"), the random of every HelloRetryRequest. Do not modify. */
export const HELLO_RETRY_REQUEST_RANDOM: Uint8Array = new Uint8Array([
  0xcf,
  0x21,
  0xad,
  0x74,
  0xe5,
  0x9a,
  0x61,
  0x11,
  0xbe,
  0x1d,
  0x8c,
  0x02,
  0x1e,
  0x65,
  0xb8,
  0x91,
  0xc2,
  0xa2,
  0x11,
  0x16,
  0x7a,
  0xbb,
  0x8c,
  0x5e,
  0x07,
  0x9e,
  0x09,
  0xe2,
  0xc8,
  0xa8,
  0x33,
  0x9c,
]);

/** "DOWNGRD" in ASCII, the start of both downgrade sentinels. */
const DOWNGRD = [0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44];

/**
 * Last 8 bytes of a TLS 1.3-capable server's random when it negotiates TLS 1.2
 * (RFC 8446 section 4.1.3): "DOWNGRD" then 0x01. Do not modify.
 */
export const DOWNGRADE_TLS12_SENTINEL: Uint8Array = new Uint8Array([...DOWNGRD, 0x01]);

/** As {@link DOWNGRADE_TLS12_SENTINEL}, for TLS 1.1 or below: "DOWNGRD" then 0x00. */
export const DOWNGRADE_TLS11_SENTINEL: Uint8Array = new Uint8Array([...DOWNGRD, 0x00]);

/**
 * True when `hello` is a HelloRetryRequest (its random is the special value).
 *
 * @example
 * ```ts
 * import { decodeHandshake } from "./handshake.ts";
 * import { isHelloRetryRequest, HELLO_RETRY_REQUEST_RANDOM } from "./server_hello.ts";
 * const body = new Uint8Array([3, 3, ...HELLO_RETRY_REQUEST_RANDOM, 0, 0x13, 0x01, 0, 0, 6, 0, 51, 0, 2, 0, 23]);
 * const hello = decodeHandshake(2, body);
 * if (hello.type === 2 && isHelloRetryRequest(hello)) console.log(hello.extensions); // [ { type: 51, selectedGroup: 23 } ]
 * ```
 */
export function isHelloRetryRequest(
  hello: ServerHello | HelloRetryRequest,
): hello is HelloRetryRequest {
  return bytesEqual(hello.random, HELLO_RETRY_REQUEST_RANDOM);
}

/**
 * Reads a ServerHello body; the random selects ServerHello or HelloRetryRequest.
 *
 * @example
 * ```ts
 * import { Reader } from "./codec.ts";
 * import { readServerHello } from "./server_hello.ts";
 * const body = new Uint8Array([3, 3, ...new Uint8Array(32), 0, 0x13, 0x01, 0, 0, 6, 0, 43, 0, 2, 3, 4]);
 * console.log(readServerHello(new Reader(body)).cipherSuite); // 4865
 * ```
 */
export function readServerHello(r: Reader): ServerHello | HelloRetryRequest {
  const legacyVersion = r.u16();
  const random = r.bytes(RANDOM_LENGTH);
  const legacySessionIdEcho = r.vec8();
  if (legacySessionIdEcho.length > MAX_SESSION_ID_LENGTH) {
    throw decodeError(
      "ServerHello: legacy_session_id_echo longer than 32 bytes",
      "SessionIdTooLong",
    );
  }
  const fields: ServerHelloFields = {
    type: HandshakeType.server_hello,
    legacyVersion,
    random,
    legacySessionIdEcho,
    cipherSuite: r.u16(),
    legacyCompressionMethod: r.u8(),
  };
  if (bytesEqual(random, HELLO_RETRY_REQUEST_RANDOM)) {
    const hrr: HelloRetryRequest = {
      ...fields,
      extensions: readExtensions(r, "HelloRetryRequest"),
    };
    r.expectEnd("HelloRetryRequest");
    return hrr;
  }
  const hello: ServerHello = {
    ...fields,
    extensions: r.atEnd ? [] : readExtensions(r, "ServerHello"),
  };
  r.expectEnd("ServerHello");
  return hello;
}

/**
 * Writes a ServerHello or HelloRetryRequest body; the random decides which
 * extension forms are used.
 *
 * @example
 * ```ts
 * import { Writer } from "./codec.ts";
 * import { writeServerHello, HELLO_RETRY_REQUEST_RANDOM } from "./server_hello.ts";
 * const w = new Writer();
 * writeServerHello(w, {
 *   type: 2, legacyVersion: 0x0303, random: HELLO_RETRY_REQUEST_RANDOM,
 *   legacySessionIdEcho: new Uint8Array(0), cipherSuite: 0x1301, legacyCompressionMethod: 0,
 *   extensions: [{ type: 51, selectedGroup: 0x0017 }],
 * });
 * console.log(w.length); // 46
 * ```
 */
export function writeServerHello(w: Writer, msg: ServerHello | HelloRetryRequest): void {
  if (msg.random.length !== RANDOM_LENGTH) throw new RangeError("random must be 32 bytes");
  if (msg.legacySessionIdEcho.length > MAX_SESSION_ID_LENGTH) {
    throw new RangeError("legacy_session_id_echo longer than 32 bytes");
  }
  w.u16(msg.legacyVersion).bytes(msg.random).vec8(msg.legacySessionIdEcho);
  w.u16(msg.cipherSuite).u8(msg.legacyCompressionMethod);
  if (isHelloRetryRequest(msg)) writeExtensions(w, msg.extensions, "HelloRetryRequest");
  else writeExtensions(w, msg.extensions, "ServerHello");
}
