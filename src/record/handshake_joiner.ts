/**
 * Reassembles handshake messages from handshake-record payloads: several
 * messages in one record, one message across many records, or both.
 *
 * @module
 */

import { tlsError } from "../error.ts";
import { AlertDescription } from "../msgs/enums.ts";
import { HANDSHAKE_HEADER_LENGTH as HANDSHAKE_HEADER_LEN } from "../msgs/handshake.ts";

/**
 * Default bound on a handshake message body: 256 KiB. The common ceiling of
 * 64 KiB is too small for some real Certificate messages (long chains, large
 * RSA or post-quantum keys, stapled OCSP per certificate); 256 KiB is the bound
 * Go's crypto/tls uses for Certificate and still caps what a peer can make us
 * buffer well below the 16 MiB a 24-bit length allows.
 */
export const DEFAULT_MAX_HANDSHAKE_MESSAGE_LEN: number = 256 * 1024;

/** One complete handshake message. */
export interface HandshakeMessage {
  /** `msg_type` (one of `HandshakeType`, or an unknown number). */
  type: number;
  /** The body, without the 4-byte header. A view into `encoded`. */
  body: Uint8Array;
  /** Header and body as received: what goes into the transcript. */
  encoded: Uint8Array;
}

/** Options for {@link HandshakeJoiner}. */
export interface HandshakeJoinerOptions {
  /** Largest body length accepted (default {@link DEFAULT_MAX_HANDSHAKE_MESSAGE_LEN}). */
  maxMessageLen?: number;
}

/**
 * Accumulates handshake fragments and hands out complete messages, one per
 * {@link HandshakeJoiner.next} call, so the engine can change keys between two
 * messages of one record and then check {@link HandshakeJoiner.isEmpty}.
 *
 * A declared length above the bound is refused with `decode_error`: the RFC
 * sets no limit, so the peer broke none of its rules, but the length field is
 * out of the range we can decode.
 *
 * A zero-length handshake fragment is refused with `unexpected_message`: RFC
 * 8446 section 5.1 forbids sending one but names no alert. It is a record-layer
 * framing violation rather than a message whose fields fail to parse
 * (`decode_error`), and the neighbouring framing rules of the same section
 * (records of an unexpected type, handshake messages spanning a key change, and
 * an all-zero TLSInnerPlaintext in 5.4) all call for `unexpected_message`.
 *
 * @example
 * ```ts
 * import { HandshakeJoiner } from "./handshake_joiner.ts";
 * const joiner = new HandshakeJoiner();
 * joiner.push(new Uint8Array([20, 0, 0, 2, 0xaa]));
 * console.log(joiner.next()); // undefined: one body byte still missing
 * joiner.push(new Uint8Array([0xbb]));
 * const msg = joiner.next()!;
 * console.log(msg.type, msg.body, joiner.isEmpty); // 20 Uint8Array(2) [170, 187] true
 * ```
 */
export class HandshakeJoiner {
  readonly #maxMessageLen: number;
  #buf: Uint8Array = new Uint8Array(0);
  #start = 0;
  #end = 0;
  /** Offset (from #start) up to which message headers have been validated. */
  #checked = 0;

  /** Creates an empty joiner. */
  constructor(options: HandshakeJoinerOptions = {}) {
    const max = options.maxMessageLen ?? DEFAULT_MAX_HANDSHAKE_MESSAGE_LEN;
    if (!Number.isInteger(max) || max < 0 || max > 0xffffff) {
      throw new RangeError("maxMessageLen must be an integer in [0, 2^24 - 1]");
    }
    this.#maxMessageLen = max;
  }

  /** True when no partial message is buffered. */
  get isEmpty(): boolean {
    return this.#end === this.#start;
  }

  /** True when {@link HandshakeJoiner.next} would return a message now. */
  get hasCompleteMessage(): boolean {
    const available = this.#end - this.#start;
    if (available < HANDSHAKE_HEADER_LEN) return false;
    const b = this.#buf;
    const s = this.#start;
    return available >= HANDSHAKE_HEADER_LEN + ((b[s + 1] << 16) | (b[s + 2] << 8) | b[s + 3]);
  }

  /** Bytes buffered and not yet returned by {@link HandshakeJoiner.next}. */
  get bufferedLength(): number {
    return this.#end - this.#start;
  }

  /**
   * Appends the payload of one handshake record (it is copied). Every message
   * header that becomes visible is checked against the size bound at once, so an
   * oversized message fails before its body is buffered.
   *
   * @throws {TlsError} `unexpected_message` for an empty fragment; `decode_error`
   * (detail `HandshakeMessageTooLarge`) for a declared length above the bound.
   */
  push(fragment: Uint8Array): void {
    if (fragment.length === 0) {
      throw tlsError("InvalidMessage", "EmptyHandshakeFragment", "zero-length handshake fragment", {
        alert: AlertDescription.unexpected_message,
      });
    }
    this.#append(fragment);
    this.#checkHeaders();
  }

  /** Returns the next complete message, or `undefined` when more fragments are needed. */
  next(): HandshakeMessage | undefined {
    const available = this.#end - this.#start;
    if (available < HANDSHAKE_HEADER_LEN) return undefined;
    const b = this.#buf;
    const s = this.#start;
    const bodyLen = (b[s + 1] << 16) | (b[s + 2] << 8) | b[s + 3];
    const total = HANDSHAKE_HEADER_LEN + bodyLen;
    if (available < total) return undefined;
    const encoded = b.slice(s, s + total);
    this.#start += total;
    this.#checked = Math.max(0, this.#checked - total);
    if (this.#start === this.#end) {
      this.#start = 0;
      this.#end = 0;
    }
    return { type: encoded[0], body: encoded.subarray(HANDSHAKE_HEADER_LEN), encoded };
  }

  /**
   * Enforces RFC 8446 section 5.1: handshake messages must not span a key
   * change. Call right after handling a message that changes keys (ServerHello,
   * Finished, EndOfEarlyData, KeyUpdate): anything still buffered arrived under
   * the old key.
   *
   * @throws {TlsError} `unexpected_message` when bytes are still buffered.
   */
  checkKeyChangeBoundary(): void {
    if (!this.isEmpty) {
      throw tlsError(
        "PeerMisbehaved",
        "KeyEpochWithPendingFragment",
        "handshake message spans a key change",
        { alert: AlertDescription.unexpected_message },
      );
    }
  }

  /**
   * Enforces RFC 8446 section 5.1 (RFC 5246 6.2.1 likewise): a handshake
   * message is not interleaved with records of another type. Call for every
   * record of `contentType` other than handshake, before it is acted on.
   *
   * @throws {TlsError} `unexpected_message` when a partial message is buffered.
   */
  checkNotInterleaved(contentType: number): void {
    if (!this.isEmpty) {
      throw tlsError(
        "PeerMisbehaved",
        "InterleavedHandshakeFragment",
        `record of content type ${contentType} inside a fragmented handshake message`,
        { alert: AlertDescription.unexpected_message },
      );
    }
  }

  #append(fragment: Uint8Array): void {
    const used = this.#end - this.#start;
    const needed = used + fragment.length;
    if (this.#end + fragment.length > this.#buf.length) {
      if (needed <= this.#buf.length) {
        this.#buf.copyWithin(0, this.#start, this.#end);
      } else {
        const grown = new Uint8Array(Math.max(needed, this.#buf.length * 2, 1024));
        grown.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = grown;
      }
      this.#start = 0;
      this.#end = used;
    }
    this.#buf.set(fragment, this.#end);
    this.#end += fragment.length;
  }

  #checkHeaders(): void {
    const b = this.#buf;
    for (;;) {
      const at = this.#start + this.#checked;
      if (this.#end - at < HANDSHAKE_HEADER_LEN) return;
      const bodyLen = (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];
      if (bodyLen > this.#maxMessageLen) {
        throw tlsError(
          "InvalidMessage",
          "HandshakeMessageTooLarge",
          `handshake message of ${bodyLen} bytes exceeds the ${this.#maxMessageLen}-byte limit`,
          { alert: AlertDescription.decode_error },
        );
      }
      this.#checked += HANDSHAKE_HEADER_LEN + bodyLen;
    }
  }
}
