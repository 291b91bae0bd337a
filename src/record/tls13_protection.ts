/**
 * TLS 1.3 record protection by whole records (RFC 8446 section 5): sealers
 * that return the complete record and openers that take header and fragment.
 * Thin forms of {@link ProtectedWriter} / {@link ProtectedReader} and the
 * plaintext writer and reader, which hold the one implementation; also the
 * "null" protection of the records sent before any key exists.
 *
 * @module
 */

import type { Aead } from "../crypto/types.ts";
import { ProtocolVersion } from "../msgs/enums.ts";
import { installKey, type OpenedRecord, tls13Protection } from "./protection.ts";
import { PlainReader, PlainWriter, ProtectedReader, ProtectedWriter } from "./record_io.ts";
import { redactInspection } from "./_redact.ts";

export { MAX_SEQ, type OpenedRecord, parseInnerPlaintext } from "./protection.ts";
export type { ProtectedRecord } from "./record_io.ts";

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
export class RecordSealer extends ProtectedWriter {
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
    return new RecordSealer(tls13Protection, await installKey(aead, key, iv, seq), seq);
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
    const out = new Uint8Array(this.protection.recordLen(plaintext.length, padding));
    await this.sealInto(contentType, plaintext, out, padding);
    return out;
  }
}
redactInspection(
  RecordSealer.prototype,
  (self: RecordSealer) => `RecordSealer { seq: ${self.seq} }`,
);

/**
 * Removes TLS 1.3 record protection under one traffic key; see
 * {@link ProtectedReader}.
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
export class RecordOpener extends ProtectedReader {
  /** Imports `key` for `aead`; `seq` is the number of records already received under it. */
  static async create(
    aead: Aead,
    key: Uint8Array,
    iv: Uint8Array,
    seq: bigint = 0n,
  ): Promise<RecordOpener> {
    return new RecordOpener(tls13Protection, await installKey(aead, key, iv, seq), seq);
  }
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
export class PlaintextSealer {
  readonly #writer: PlainWriter;

  /** Creates a sealer writing `version` into each header. */
  constructor(version: number = ProtocolVersion.TLSv1_2) {
    this.#writer = new PlainWriter(version);
  }

  /** `legacy_record_version` written into each header. */
  get version(): number {
    return this.#writer.version;
  }

  /**
   * Frames `plaintext` in clear. Only handshake, alert and change_cipher_spec
   * may be sent unprotected; `padding` must be 0.
   *
   * @throws {RangeError} For another content type, padding, or over 2^14 bytes.
   */
  async seal(contentType: number, plaintext: Uint8Array, padding = 0): Promise<Uint8Array> {
    if (padding !== 0) throw new RangeError("plaintext records cannot be padded");
    const out = new Uint8Array(this.#writer.recordSize(plaintext.length));
    await this.#writer.writeInto(contentType, plaintext, out);
    return out;
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
export class PlaintextOpener {
  readonly #reader = new PlainReader();

  /**
   * Checks one unprotected record. The plaintext is a view of `fragment`.
   *
   * @throws {TlsError} `unexpected_message` for application_data (or any other
   * type) in clear; `record_overflow` above 2^14 bytes.
   */
  open(header: Uint8Array, fragment: Uint8Array): Promise<OpenedRecord> {
    return this.#reader.open(header, fragment);
  }
}
