/**
 * TLS 1.3 record protection (RFC 8446 section 5): the inner plaintext with its
 * content type and zero padding, the per-record nonce (iv XOR sequence number),
 * the record header as AAD, and the size limits with the alert each maps to.
 * Also the "null" protection used for the records sent before any key exists.
 *
 * @module
 */

import { TlsError } from "../error.ts";
import { AlertDescription, ContentType, ProtocolVersion } from "../msgs/enums.ts";
import type { Aead, AeadKey } from "../crypto/types.ts";
import {
  encodeRecordHeader,
  MAX_CIPHERTEXT_LEN,
  MAX_PLAINTEXT_LEN,
  RECORD_HEADER_LEN,
} from "./deframer.ts";
import { redactInspection } from "./_redact.ts";

/** Highest sequence number a key may use: 2^64 - 1 (RFC 8446 section 5.3). */
export const MAX_SEQ: bigint = (1n << 64n) - 1n;

/** A record after removing its protection. */
export interface OpenedRecord {
  /** The real content type (the inner one for protected records). */
  contentType: number;
  /** The content, padding removed. */
  plaintext: Uint8Array;
}

/** Something that turns content into a complete record on the wire. */
export interface RecordEncrypter {
  /** Returns the whole record (header included) carrying `plaintext` as `contentType`. */
  seal(contentType: number, plaintext: Uint8Array, padding?: number): Promise<Uint8Array>;
}

/** A record still protected: its 5-byte header and its fragment. */
export interface ProtectedRecord {
  /** The record header. */
  header: Uint8Array;
  /** The record body. */
  fragment: Uint8Array;
}

/** Something that removes a record's protection. */
export interface RecordDecrypter {
  /** Checks and unprotects one record given its 5-byte header and its fragment. */
  open(header: Uint8Array, fragment: Uint8Array): Promise<OpenedRecord>;
  /**
   * Opens consecutive records with their decryptions running at once. Result
   * `i` settles after result `i - 1`, and the sequence number moves on only as
   * each one authenticates, so a caller that stops at the first rejection (or
   * drops the decrypter after a key change) leaves it exactly where one
   * `open` call per record would have. No other call may overlap it.
   */
  openMany?(records: readonly ProtectedRecord[]): Promise<OpenedRecord>[];
}

/**
 * The ordering behind `openMany`: `decrypt(i)` starts for every record at
 * once, `accept(result)` runs for each in turn once the one before it was
 * accepted; a rejection fails every later result too. `done` runs when all
 * results have settled.
 */
export function openInOrder<T>(
  count: number,
  decrypt: (i: number) => Promise<T>,
  accept: (result: T) => OpenedRecord,
  done: () => void,
): Promise<OpenedRecord>[] {
  const results: Promise<OpenedRecord>[] = [];
  let previous: Promise<unknown> = Promise.resolve();
  for (let i = 0; i < count; i++) {
    const decrypting = decrypt(i);
    decrypting.catch(() => {}); // observed through its result
    const result = previous.then(() => decrypting).then(accept);
    result.catch(() => {}); // the caller may stop before this one
    results.push(result);
    previous = result;
  }
  previous.then(done, done);
  return results;
}

function checkKeyMaterial(aead: Aead, key: Uint8Array, iv: Uint8Array, seq: bigint): void {
  if (key.length !== aead.keyLen) throw new RangeError(`key must be ${aead.keyLen} bytes`);
  if (iv.length !== aead.nonceLen) throw new RangeError(`iv must be ${aead.nonceLen} bytes`);
  if (typeof seq !== "bigint" || seq < 0n || seq > MAX_SEQ + 1n) {
    throw new RangeError("sequence number out of range");
  }
}

/** nonce = iv XOR seq, seq as 64-bit big-endian left-padded to the iv length. */
function nonceFor(iv: Uint8Array, seq: bigint): Uint8Array {
  const nonce = iv.slice();
  const view = new DataView(nonce.buffer, nonce.byteOffset + nonce.length - 8, 8);
  view.setBigUint64(0, view.getBigUint64(0) ^ seq);
  return nonce;
}

/** Runs `f` and reports its result or exception through a promise, never a throw. */
function settle<T>(f: () => T): Promise<T> {
  try {
    return Promise.resolve(f());
  } catch (e) {
    return Promise.reject(e);
  }
}

function overflow(message: string): TlsError {
  return new TlsError("PeerMisbehaved", message, {
    detail: "RecordOverflow",
    alert: AlertDescription.RecordOverflow,
  });
}

function unexpected(message: string, detail: string): TlsError {
  return new TlsError("InappropriateMessage", message, {
    detail,
    alert: AlertDescription.UnexpectedMessage,
  });
}

/**
 * Protects outgoing TLS 1.3 records under one traffic key. The sequence number
 * is taken when `seal` is called, so overlapping calls still get distinct nonces.
 *
 * @example
 * ```ts
 * import { RecordSealer } from "./tls13_protection.ts";
 * import { aes128Gcm } from "../crypto/webcrypto/aead.ts";
 * const sealer = await RecordSealer.create(aes128Gcm, new Uint8Array(16), new Uint8Array(12));
 * const record = await sealer.seal(23, new TextEncoder().encode("hi"));
 * console.log(record.length, sealer.seq); // 24 1n
 * ```
 */
export class RecordSealer implements RecordEncrypter {
  readonly #key: AeadKey;
  readonly #iv: Uint8Array;
  readonly #tagLen: number;
  #seq: bigint;

  private constructor(key: AeadKey, iv: Uint8Array, tagLen: number, seq: bigint) {
    this.#key = key;
    this.#iv = iv;
    this.#tagLen = tagLen;
    this.#seq = seq;
  }

  /**
   * Imports `key` for `aead`. `iv` is the 12-byte write IV; `seq` is the number
   * of records already sent under this key (0 for a fresh key).
   */
  static async create(
    aead: Aead,
    key: Uint8Array,
    iv: Uint8Array,
    seq: bigint = 0n,
  ): Promise<RecordSealer> {
    checkKeyMaterial(aead, key, iv, seq);
    return new RecordSealer(await aead.importKey(key), iv.slice(), aead.tagLen, seq);
  }

  /** Records sealed so far under this key: the sequence number of the next one. */
  get seq(): bigint {
    return this.#seq;
  }

  /**
   * Seals `plaintext` as a record of real type `contentType` with `padding` zero
   * bytes, returning the whole record: header (application_data, 0x0303,
   * length) followed by the AEAD output.
   *
   * @throws {RangeError} When the TLSInnerPlaintext would exceed 2^14 + 1 bytes.
   * @throws {TlsError} `EncryptError` once 2^64 records have been sealed.
   */
  async seal(contentType: number, plaintext: Uint8Array, padding = 0): Promise<Uint8Array> {
    if (!Number.isInteger(padding) || padding < 0) {
      throw new RangeError("padding must be a non-negative integer");
    }
    const innerLen = plaintext.length + 1 + padding;
    if (innerLen > MAX_PLAINTEXT_LEN + 1) {
      throw new RangeError("TLSInnerPlaintext would exceed 2^14 + 1 bytes");
    }
    if (this.#seq > MAX_SEQ) {
      throw new TlsError("EncryptError", "record sequence numbers exhausted for this key", {
        detail: "SequenceNumberExhausted",
      });
    }
    // Taken before the first await, so overlapping calls get distinct nonces.
    const seq = this.#seq++;
    const inner = new Uint8Array(innerLen);
    inner.set(plaintext);
    inner[plaintext.length] = contentType;
    const header = encodeRecordHeader(
      ContentType.ApplicationData,
      ProtocolVersion.TLSv1_2,
      innerLen + this.#tagLen,
    );
    const ciphertext = await this.#key.seal(nonceFor(this.#iv, seq), header, inner);
    const record = new Uint8Array(RECORD_HEADER_LEN + ciphertext.length);
    record.set(header);
    record.set(ciphertext, RECORD_HEADER_LEN);
    return record;
  }
}
redactInspection(
  RecordSealer.prototype,
  (self: RecordSealer) => `RecordSealer { seq: ${self.seq} }`,
);

/**
 * Removes TLS 1.3 record protection under one traffic key. The sequence number
 * advances only when a record authenticates, so a server skipping rejected
 * 0-RTT records (RFC 8446 section 4.2.10) can keep trying with the same number.
 * Calls must not overlap: records are opened in order.
 *
 * @example
 * ```ts
 * import { RecordOpener, RecordSealer } from "./tls13_protection.ts";
 * import { readRecord } from "./deframer.ts";
 * import { aes128Gcm } from "../crypto/webcrypto/aead.ts";
 * const key = new Uint8Array(16), iv = new Uint8Array(12);
 * const sealer = await RecordSealer.create(aes128Gcm, key, iv);
 * const opener = await RecordOpener.create(aes128Gcm, key, iv);
 * const rec = readRecord(await sealer.seal(22, new Uint8Array([20, 0, 0, 0]), 3))!;
 * const { contentType, plaintext } = await opener.open(rec.header, rec.fragment);
 * console.log(contentType, plaintext); // 22 Uint8Array(4) [20, 0, 0, 0]
 * ```
 */
export class RecordOpener implements RecordDecrypter {
  readonly #key: AeadKey;
  readonly #iv: Uint8Array;
  readonly #tagLen: number;
  #seq: bigint;
  #busy = false;

  private constructor(key: AeadKey, iv: Uint8Array, tagLen: number, seq: bigint) {
    this.#key = key;
    this.#iv = iv;
    this.#tagLen = tagLen;
    this.#seq = seq;
  }

  /** Imports `key` for `aead`; `seq` is the number of records already received under it. */
  static async create(
    aead: Aead,
    key: Uint8Array,
    iv: Uint8Array,
    seq: bigint = 0n,
  ): Promise<RecordOpener> {
    checkKeyMaterial(aead, key, iv, seq);
    return new RecordOpener(await aead.importKey(key), iv.slice(), aead.tagLen, seq);
  }

  /** Records opened so far under this key: the sequence number of the next one. */
  get seq(): bigint {
    return this.#seq;
  }

  /**
   * Authenticates and decrypts one record (RFC 8446 sections 5.2 and 5.4).
   *
   * @param header The record's 5 header bytes, exactly as received (the AAD).
   * @param fragment The encrypted_record.
   * @throws {TlsError} `record_overflow` for a fragment above 2^14 + 256 bytes or
   * an inner plaintext above 2^14 + 1; `bad_record_mac` (kind `DecryptError`) when
   * authentication fails; `unexpected_message` when the outer type is not
   * application_data, the inner plaintext is all zeros, or the inner type is not
   * handshake, alert or application_data.
   */
  async open(header: Uint8Array, fragment: Uint8Array): Promise<OpenedRecord> {
    if (this.#busy) throw new TypeError("RecordOpener.open calls must not overlap");
    this.#busy = true;
    let inner: Uint8Array | null;
    try {
      inner = await this.#decrypt({ header, fragment }, this.#seq);
    } finally {
      this.#busy = false;
    }
    return this.#accept(inner);
  }

  /** See {@link RecordDecrypter.openMany}; the same checks as `open`, per record. */
  openMany(records: readonly ProtectedRecord[]): Promise<OpenedRecord>[] {
    if (this.#busy) throw new TypeError("RecordOpener.open calls must not overlap");
    this.#busy = true;
    const base = this.#seq;
    return openInOrder(
      records.length,
      (i) => this.#decrypt(records[i], base + BigInt(i)),
      (inner) => this.#accept(inner),
      () => (this.#busy = false),
    );
  }

  /** The record's plaintext under sequence number `seq`, or null when it does not authenticate. */
  async #decrypt({ header, fragment }: ProtectedRecord, seq: bigint): Promise<Uint8Array | null> {
    if (header.length !== RECORD_HEADER_LEN) {
      throw new RangeError(`record header must be ${RECORD_HEADER_LEN} bytes`);
    }
    if (header[0] !== ContentType.ApplicationData) {
      throw unexpected(
        `protected record has outer content type ${header[0]}`,
        "InvalidOuterContentType",
      );
    }
    if (fragment.length > MAX_CIPHERTEXT_LEN) {
      throw overflow("protected record exceeds 2^14 + 256 bytes");
    }
    if (seq > MAX_SEQ) {
      throw new TlsError("DecryptError", "record sequence numbers exhausted for this key", {
        detail: "SequenceNumberExhausted",
        alert: AlertDescription.BadRecordMac,
      });
    }
    // Too short to hold a tag and a content type byte: it cannot authenticate.
    if (fragment.length <= this.#tagLen) return null;
    return await this.#key.open(nonceFor(this.#iv, seq), header, fragment);
  }

  /** Counts an authenticated record and parses it; refuses one that did not authenticate. */
  #accept(inner: Uint8Array | null): OpenedRecord {
    if (inner === null) {
      throw new TlsError("DecryptError", "record failed authentication", {
        detail: "BadRecordMac",
        alert: AlertDescription.BadRecordMac,
      });
    }
    this.#seq++;
    return parseInnerPlaintext(inner);
  }
}

/**
 * Splits a decrypted TLSInnerPlaintext (RFC 8446 section 5.2) into its real
 * content type and content, removing the zero padding.
 *
 * @throws {TlsError} `record_overflow` above 2^14 + 1 bytes; `unexpected_message`
 * when it is all zeros or the inner type is not handshake, alert or
 * application_data.
 */
export function parseInnerPlaintext(inner: Uint8Array): OpenedRecord {
  if (inner.length > MAX_PLAINTEXT_LEN + 1) {
    throw overflow("TLSInnerPlaintext exceeds 2^14 + 1 bytes");
  }
  let i = inner.length - 1;
  while (i >= 0 && inner[i] === 0) i--;
  if (i < 0) throw unexpected("protected record has no content type", "AllZeroInnerPlaintext");
  const contentType = inner[i];
  if (
    contentType !== ContentType.Handshake && contentType !== ContentType.Alert &&
    contentType !== ContentType.ApplicationData
  ) {
    throw unexpected(
      `protected record has inner content type ${contentType}`,
      "InvalidInnerContentType",
    );
  }
  return { contentType, plaintext: inner.subarray(0, i) };
}
redactInspection(
  RecordOpener.prototype,
  (self: RecordOpener) => `RecordOpener { seq: ${self.seq} }`,
);

/**
 * The "null" protection of the records sent before keys exist (and of the
 * compatibility-mode change_cipher_spec): content in clear.
 *
 * @example
 * ```ts
 * import { PlaintextSealer } from "./tls13_protection.ts";
 * const rec = await new PlaintextSealer().seal(21, new Uint8Array([2, 40]));
 * console.log(rec); // Uint8Array(7) [21, 3, 3, 0, 2, 2, 40]
 * ```
 */
export class PlaintextSealer implements RecordEncrypter {
  /** `legacy_record_version` to write: 0x0303, or 0x0301 for an initial ClientHello. */
  readonly version: number;

  /** Creates a sealer writing `version` into each header. */
  constructor(version: number = ProtocolVersion.TLSv1_2) {
    this.version = version;
  }

  /**
   * Frames `plaintext` in clear. Only handshake, alert and change_cipher_spec
   * may be sent unprotected; `padding` must be 0.
   *
   * @throws {RangeError} For another content type, padding, or over 2^14 bytes.
   */
  seal(contentType: number, plaintext: Uint8Array, padding = 0): Promise<Uint8Array> {
    return settle(() => this.#frame(contentType, plaintext, padding));
  }

  #frame(contentType: number, plaintext: Uint8Array, padding: number): Uint8Array {
    if (
      contentType !== ContentType.Handshake && contentType !== ContentType.Alert &&
      contentType !== ContentType.ChangeCipherSpec
    ) {
      throw new RangeError(`content type ${contentType} cannot be sent in clear`);
    }
    if (padding !== 0) throw new RangeError("plaintext records cannot be padded");
    if (plaintext.length > MAX_PLAINTEXT_LEN) {
      throw new RangeError("plaintext record exceeds 2^14 bytes");
    }
    const record = new Uint8Array(RECORD_HEADER_LEN + plaintext.length);
    record.set(encodeRecordHeader(contentType, this.version, plaintext.length));
    record.set(plaintext, RECORD_HEADER_LEN);
    return record;
  }
}

/**
 * Accepts records in clear: handshake, alert and change_cipher_spec.
 *
 * @example
 * ```ts
 * import { PlaintextOpener } from "./tls13_protection.ts";
 * const opened = await new PlaintextOpener().open(
 *   new Uint8Array([21, 3, 3, 0, 2]),
 *   new Uint8Array([2, 40]),
 * );
 * console.log(opened.contentType, opened.plaintext); // 21 Uint8Array(2) [2, 40]
 * ```
 */
export class PlaintextOpener implements RecordDecrypter {
  /**
   * Checks one unprotected record. The plaintext is a view of `fragment`.
   *
   * @throws {TlsError} `unexpected_message` for application_data (or any other
   * type) in clear; `record_overflow` above 2^14 bytes.
   */
  open(header: Uint8Array, fragment: Uint8Array): Promise<OpenedRecord> {
    return settle(() => checkPlaintext(header, fragment));
  }
}

function checkPlaintext(header: Uint8Array, fragment: Uint8Array): OpenedRecord {
  if (header.length !== RECORD_HEADER_LEN) {
    throw new RangeError(`record header must be ${RECORD_HEADER_LEN} bytes`);
  }
  const contentType = header[0];
  if (
    contentType !== ContentType.Handshake && contentType !== ContentType.Alert &&
    contentType !== ContentType.ChangeCipherSpec
  ) {
    throw unexpected(`content type ${contentType} received in clear`, "UnprotectedContentType");
  }
  if (fragment.length > MAX_PLAINTEXT_LEN) throw overflow("plaintext record exceeds 2^14 bytes");
  return { contentType, plaintext: fragment };
}
