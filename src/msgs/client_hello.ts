/**
 * ClientHello (RFC 8446 section 4.1.2) and the PSK binder helpers of section
 * 4.2.11.2: the offset of the binders in an encoded ClientHello, and patching
 * them in place once they are computed over the bytes before them.
 *
 * @module
 */

import { decodeError } from "../error.ts";
import { Reader, type Writer } from "./codec.ts";
import { ExtensionType, HandshakeType } from "./enums.ts";
import { findExtension, readExtensions, writeExtensions } from "./extensions.ts";
import type { ClientHelloExtension } from "./extension_types.ts";

/** A ClientHello. */
export interface ClientHello {
  /** Always `HandshakeType.client_hello`. */
  type: typeof HandshakeType.client_hello;
  /** `legacy_version`; 0x0303 for TLS 1.3. */
  legacyVersion: number;
  /** 32 random bytes. */
  random: Uint8Array;
  /** `legacy_session_id`, 0..32 bytes. */
  legacySessionId: Uint8Array;
  /** Offered cipher suites (non-empty). */
  cipherSuites: number[];
  /** `legacy_compression_methods` (non-empty; `[0]` in TLS 1.3). */
  legacyCompressionMethods: Uint8Array;
  /**
   * Extensions in wire order. A hello without an extensions block (old TLS 1.2
   * clients) decodes as `[]` and would re-encode with an empty block.
   */
  extensions: ClientHelloExtension[];
}

/** Length of `Random` (RFC 8446 section 4.1.2). */
export const RANDOM_LENGTH = 32;
/** Longest `legacy_session_id`. */
export const MAX_SESSION_ID_LENGTH = 32;

/**
 * Reads a ClientHello body (without the 4-byte handshake header).
 *
 * @example
 * ```ts
 * import { Reader } from "./codec.ts";
 * import { readClientHello } from "./client_hello.ts";
 * const body = new Uint8Array([3, 3, ...new Uint8Array(32), 0, 0, 2, 0x13, 0x01, 1, 0, 0, 0]);
 * console.log(readClientHello(new Reader(body)).cipherSuites); // [ 4865 ]
 * ```
 */
export function readClientHello(r: Reader): ClientHello {
  const hello = readClientHelloPrefix(r);
  r.expectEnd("ClientHello");
  return hello;
}

/**
 * Reads a ClientHello body from the front of `r`, leaving whatever follows
 * (the padding of an EncodedClientHelloInner, RFC 9849 section 5.1).
 */
export function readClientHelloPrefix(r: Reader): ClientHello {
  const legacyVersion = r.u16();
  const random = r.bytes(RANDOM_LENGTH);
  const legacySessionId = r.vec8();
  if (legacySessionId.length > MAX_SESSION_ID_LENGTH) {
    throw decodeError("ClientHello: legacy_session_id longer than 32 bytes", "SessionIdTooLong");
  }
  const suites = r.sub16("ClientHello cipher_suites");
  if (suites.atEnd) throw decodeError("ClientHello: empty cipher_suites", "EmptyList");
  if (suites.remaining % 2 !== 0) {
    throw decodeError("ClientHello: odd cipher_suites length", "OddLength");
  }
  const cipherSuites: number[] = [];
  while (!suites.atEnd) cipherSuites.push(suites.u16());
  const legacyCompressionMethods = r.vec8();
  if (legacyCompressionMethods.length === 0) {
    throw decodeError("ClientHello: empty legacy_compression_methods", "EmptyList");
  }
  const extensions = r.atEnd ? [] : readExtensions(r, "ClientHello");
  return {
    type: HandshakeType.client_hello,
    legacyVersion,
    random,
    legacySessionId,
    cipherSuites,
    legacyCompressionMethods,
    extensions,
  };
}

/**
 * Writes a ClientHello body. Throws `RangeError` for fields that do not fit or
 * lists the decoder would refuse.
 *
 * @example
 * ```ts
 * import { Writer } from "./codec.ts";
 * import { writeClientHello } from "./client_hello.ts";
 * const w = new Writer();
 * writeClientHello(w, {
 *   type: 1, legacyVersion: 0x0303, random: new Uint8Array(32), legacySessionId: new Uint8Array(0),
 *   cipherSuites: [0x1301], legacyCompressionMethods: new Uint8Array([0]), extensions: [],
 * });
 * console.log(w.length); // 43
 * ```
 */
export function writeClientHello(w: Writer, msg: ClientHello): void {
  if (msg.random.length !== RANDOM_LENGTH) throw new RangeError("random must be 32 bytes");
  if (msg.legacySessionId.length > MAX_SESSION_ID_LENGTH) {
    throw new RangeError("legacy_session_id longer than 32 bytes");
  }
  if (msg.cipherSuites.length === 0) throw new RangeError("cipher_suites must not be empty");
  if (msg.legacyCompressionMethods.length === 0) {
    throw new RangeError("legacy_compression_methods must not be empty");
  }
  w.u16(msg.legacyVersion).bytes(msg.random).vec8(msg.legacySessionId);
  w.lengthPrefixed(2, (list) => {
    for (const suite of msg.cipherSuites) list.u16(suite);
  });
  w.vec8(msg.legacyCompressionMethods);
  writeExtensions(w, msg.extensions, "ClientHello");
}

/** Size of the binders list: its u16 length plus each binder's u8 length and bytes. */
function bindersLength(binders: readonly Uint8Array[]): number {
  let length = 2;
  for (const binder of binders) length += 1 + binder.length;
  return length;
}

function decodeFramedClientHello(encoded: Uint8Array): ClientHello {
  const r = new Reader(encoded, "ClientHello");
  if (r.u8() !== HandshakeType.client_hello) {
    throw decodeError("not a ClientHello handshake message", "UnexpectedType");
  }
  const body = r.sub24("ClientHello");
  r.expectEnd();
  return readClientHello(body);
}

/**
 * Length of the part of an encoded ClientHello handshake message (4-byte header
 * included) that the PSK binders are computed over: everything up to, not
 * including, the binders list (RFC 8446 section 4.2.11.2). Throws a `TlsError`
 * when the bytes are not a well-formed ClientHello with a pre_shared_key.
 *
 * @example
 * ```ts
 * import { clientHelloBindersOffset, writeBinders } from "./client_hello.ts";
 * import { encodeHandshake } from "./handshake.ts";
 * import { ExtensionType, HandshakeType } from "./enums.ts";
 * // Encode with a zero placeholder binder of the hash length...
 * const encoded = encodeHandshake({
 *   type: HandshakeType.client_hello, legacyVersion: 0x0303, random: new Uint8Array(32),
 *   legacySessionId: new Uint8Array(0), cipherSuites: [0x1301],
 *   legacyCompressionMethods: new Uint8Array([0]),
 *   extensions: [{
 *     type: ExtensionType.pre_shared_key,
 *     identities: [{ identity: new Uint8Array([1, 2, 3]), obfuscatedTicketAge: 0 }],
 *     binders: [new Uint8Array(32)],
 *   }],
 * });
 * // ...compute the binder over the truncated hello, then patch it in.
 * const truncated = encoded.subarray(0, clientHelloBindersOffset(encoded));
 * console.log(encoded.length - truncated.length); // 35
 * writeBinders(encoded, [new Uint8Array(32).fill(7)]);
 * ```
 */
export function clientHelloBindersOffset(encodedClientHello: Uint8Array): number {
  const hello = decodeFramedClientHello(encodedClientHello);
  const psk = findExtension(hello.extensions, ExtensionType.pre_shared_key);
  if (psk === undefined) {
    throw decodeError("ClientHello has no pre_shared_key extension", "MissingPsk");
  }
  // pre_shared_key is last and its binders end it, so they end the message.
  return encodedClientHello.length - bindersLength(psk.binders);
}

/**
 * Overwrites, in place, the binders of an encoded ClientHello (written with
 * placeholder binders of the right lengths). Throws `RangeError` when the count
 * or a length differs from the placeholders.
 *
 * @example
 * ```ts
 * import { clientHelloBindersOffset, writeBinders } from "./client_hello.ts";
 * import { encodeHandshake } from "./handshake.ts";
 * import { ExtensionType, HandshakeType } from "./enums.ts";
 * // Encode with a zero placeholder binder of the hash length...
 * const encoded = encodeHandshake({
 *   type: HandshakeType.client_hello, legacyVersion: 0x0303, random: new Uint8Array(32),
 *   legacySessionId: new Uint8Array(0), cipherSuites: [0x1301],
 *   legacyCompressionMethods: new Uint8Array([0]),
 *   extensions: [{
 *     type: ExtensionType.pre_shared_key,
 *     identities: [{ identity: new Uint8Array([1, 2, 3]), obfuscatedTicketAge: 0 }],
 *     binders: [new Uint8Array(32)],
 *   }],
 * });
 * // ...compute the binder over the truncated hello, then patch it in.
 * const truncated = encoded.subarray(0, clientHelloBindersOffset(encoded));
 * console.log(encoded.length - truncated.length); // 35
 * writeBinders(encoded, [new Uint8Array(32).fill(7)]);
 * ```
 */
export function writeBinders(encodedClientHello: Uint8Array, binders: readonly Uint8Array[]): void {
  const hello = decodeFramedClientHello(encodedClientHello);
  const psk = findExtension(hello.extensions, ExtensionType.pre_shared_key);
  if (psk === undefined) throw new RangeError("ClientHello has no pre_shared_key extension");
  if (psk.binders.length !== binders.length) {
    throw new RangeError(`expected ${psk.binders.length} binders, got ${binders.length}`);
  }
  binders.forEach((binder, i) => {
    if (binder.length !== psk.binders[i].length) {
      throw new RangeError(`binder ${i} must be ${psk.binders[i].length} bytes`);
    }
  });
  let at = encodedClientHello.length - bindersLength(psk.binders) + 2;
  for (const binder of binders) {
    at += 1;
    encodedClientHello.set(binder, at);
    at += binder.length;
  }
}
