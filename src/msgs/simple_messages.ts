/**
 * The small TLS 1.3 handshake messages: EncryptedExtensions, Finished,
 * EndOfEarlyData and KeyUpdate (RFC 8446 sections 4.3.1, 4.4.4, 4.5, 4.6.3).
 *
 * @module
 */

import { illegalParameter } from "../error.ts";
import type { Reader, Writer } from "./codec.ts";
import { HandshakeType, KeyUpdateRequest } from "./enums.ts";
import { readExtensions, writeExtensions } from "./extensions.ts";
import type { EncryptedExtension } from "./extension_types.ts";

/** EncryptedExtensions. */
export interface EncryptedExtensions {
  /** Always `HandshakeType.encrypted_extensions`. */
  type: typeof HandshakeType.encrypted_extensions;
  /** Extensions in wire order (may be empty). */
  extensions: EncryptedExtension[];
}

/** Finished. */
export interface Finished {
  /** Always `HandshakeType.finished`. */
  type: typeof HandshakeType.finished;
  /**
   * The whole body: its length is the suite's hash length, which only the
   * handshake knows, so it is compared there (in constant time).
   */
  verifyData: Uint8Array;
}

/** EndOfEarlyData (empty body). */
export interface EndOfEarlyData {
  /** Always `HandshakeType.end_of_early_data`. */
  type: typeof HandshakeType.end_of_early_data;
}

/** KeyUpdate. */
export interface KeyUpdate {
  /** Always `HandshakeType.key_update`. */
  type: typeof HandshakeType.key_update;
  /** Whether the peer must answer with its own KeyUpdate (`KeyUpdateRequest`). */
  requestUpdate: 0 | 1;
}

/**
 * Reads an EncryptedExtensions body. A server's ALPN answer must name exactly
 * one protocol (RFC 7301 section 3.1), else `illegal_parameter`.
 *
 * @example
 * ```ts
 * import { Reader } from "./codec.ts";
 * import { readEncryptedExtensions } from "./simple_messages.ts";
 * console.log(readEncryptedExtensions(new Reader(new Uint8Array([0, 4, 0, 0, 0, 0]))).extensions);
 * // [ { type: 0 } ]
 * ```
 */
export function readEncryptedExtensions(r: Reader): EncryptedExtensions {
  const extensions = readExtensions(r, "EncryptedExtensions");
  r.expectEnd("EncryptedExtensions");
  for (const ext of extensions) {
    if ("protocols" in ext && ext.protocols.length !== 1) {
      throw illegalParameter("EncryptedExtensions: ALPN must name one protocol", "AlpnNotSingle");
    }
  }
  return { type: HandshakeType.encrypted_extensions, extensions };
}

/**
 * Writes an EncryptedExtensions body.
 *
 * @example
 * ```ts
 * import { Writer } from "./codec.ts";
 * import { writeEncryptedExtensions } from "./simple_messages.ts";
 * const w = new Writer();
 * writeEncryptedExtensions(w, { type: 8, extensions: [] });
 * console.log(w.finish()); // Uint8Array(2) [ 0, 0 ]
 * ```
 */
export function writeEncryptedExtensions(w: Writer, msg: EncryptedExtensions): void {
  writeExtensions(w, msg.extensions, "EncryptedExtensions");
}

/**
 * Reads a Finished body: all of it is `verify_data`.
 *
 * @example
 * ```ts
 * import { Reader } from "./codec.ts";
 * import { readFinished } from "./simple_messages.ts";
 * console.log(readFinished(new Reader(new Uint8Array(32))).verifyData.length); // 32
 * ```
 */
export function readFinished(r: Reader): Finished {
  return { type: HandshakeType.finished, verifyData: r.rest() };
}

/**
 * Writes a Finished body.
 *
 * @example
 * ```ts
 * import { Writer } from "./codec.ts";
 * import { writeFinished } from "./simple_messages.ts";
 * const w = new Writer();
 * writeFinished(w, { type: 20, verifyData: new Uint8Array(32) });
 * console.log(w.length); // 32
 * ```
 */
export function writeFinished(w: Writer, msg: Finished): void {
  w.bytes(msg.verifyData);
}

/**
 * Reads an EndOfEarlyData body, which must be empty.
 *
 * @example
 * ```ts
 * import { Reader } from "./codec.ts";
 * import { readEndOfEarlyData } from "./simple_messages.ts";
 * console.log(readEndOfEarlyData(new Reader(new Uint8Array(0)))); // { type: 5 }
 * ```
 */
export function readEndOfEarlyData(r: Reader): EndOfEarlyData {
  r.expectEnd("EndOfEarlyData");
  return { type: HandshakeType.end_of_early_data };
}

/**
 * Reads a KeyUpdate body: one byte, 0 or 1; other values are `illegal_parameter`.
 *
 * @example
 * ```ts
 * import { Reader } from "./codec.ts";
 * import { readKeyUpdate } from "./simple_messages.ts";
 * console.log(readKeyUpdate(new Reader(new Uint8Array([1])))); // { type: 24, requestUpdate: 1 }
 * ```
 */
export function readKeyUpdate(r: Reader): KeyUpdate {
  const value = r.u8();
  r.expectEnd("KeyUpdate");
  if (
    value !== KeyUpdateRequest.update_not_requested && value !== KeyUpdateRequest.update_requested
  ) {
    throw illegalParameter(`KeyUpdate: request_update ${value}`, "IllegalKeyUpdateRequest");
  }
  return { type: HandshakeType.key_update, requestUpdate: value };
}

/**
 * Writes a KeyUpdate body.
 *
 * @example
 * ```ts
 * import { Writer } from "./codec.ts";
 * import { writeKeyUpdate } from "./simple_messages.ts";
 * const w = new Writer();
 * writeKeyUpdate(w, { type: 24, requestUpdate: 0 });
 * console.log(w.finish()); // Uint8Array(1) [ 0 ]
 * ```
 */
export function writeKeyUpdate(w: Writer, msg: KeyUpdate): void {
  if (msg.requestUpdate !== 0 && msg.requestUpdate !== 1) {
    throw new RangeError("requestUpdate must be 0 or 1");
  }
  w.u8(msg.requestUpdate);
}
