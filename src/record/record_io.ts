/**
 * Record writers and readers: what the connection core and
 * `KernelRecordLayer` seal and open records with. Records in clear before any
 * key exists, and protected records of either version through the one
 * {@link RecordProtection}, each writer and reader owning its key and
 * sequence number.
 *
 * @module
 */

import { recordOverflow, tlsError } from "../error.ts";
import type { Aead } from "../crypto/types.ts";
import { AlertDescription, ContentType } from "../msgs/enums.ts";
import { encodeRecordHeader, MAX_PLAINTEXT_LEN, RECORD_HEADER_LEN } from "./deframer.ts";
import {
  type InstalledKey,
  installKey,
  limitRecordSize,
  MAX_SEQ,
  type OpenedRecord,
  protectionFor,
  type RecordProtection,
} from "./protection.ts";
import { redactInspection } from "./_redact.ts";

export type { OpenedRecord } from "./protection.ts";

/** A record still protected: its 5-byte header and its fragment. */
export interface ProtectedRecord {
  /** The record header. */
  header: Uint8Array;
  /** The record body. */
  fragment: Uint8Array;
}

/** Something that turns one fragment into one complete record. */
export interface RecordWriter {
  /** Records written so far under the current key (0n in clear). */
  readonly seq: bigint;
  /** Complete record size for a fragment of `payloadLength` bytes. */
  recordSize(payloadLength: number): number;
  /**
   * Seals one fragment into `out`, exactly `recordSize(payload.length)` bytes
   * at its start, taking the sequence number before the first await (so that
   * overlapping calls get distinct ones).
   */
  writeInto(contentType: number, payload: Uint8Array, out: Uint8Array): Promise<void>;
}

/** Something that reads records, with its sequence number when protected. */
export interface RecordReader {
  /** True once records are protected. */
  readonly isProtected: boolean;
  /** Records read so far under the current key (0n in clear). */
  readonly seq: bigint;
  /** Checks and unprotects one record given its 5-byte header and its fragment. */
  open(header: Uint8Array, fragment: Uint8Array): Promise<OpenedRecord>;
  /**
   * Like `open`, but a record that does not authenticate resolves to null
   * (the sequence number stays) instead of failing with bad_record_mac:
   * for the 0-RTT data a server refused (RFC 8446 section 4.2.10).
   */
  tryOpen(header: Uint8Array, fragment: Uint8Array): Promise<OpenedRecord | null>;
  /**
   * Opens consecutive records with their decryptions running at once, at
   * most `inFlight` at a time (all of them when absent): the decryption of
   * record `i` starts once result `i - inFlight` is accepted. Result `i`
   * settles after result `i - 1`, and the sequence number moves on only as
   * each one authenticates, so a caller that stops at the first rejection (or
   * drops the reader after a key change) leaves it exactly where one `open`
   * call per record would have. No other call may overlap it.
   */
  openMany?(records: readonly ProtectedRecord[], inFlight?: number): Promise<OpenedRecord>[];
}

/** Runs `f` and reports its result or exception through a promise, never a throw. */
function settle<T>(f: () => T): Promise<T> {
  try {
    return Promise.resolve(f());
  } catch (e) {
    return Promise.reject(e);
  }
}

/** Writes records in clear (before any key exists, and change_cipher_spec). */
export class PlainWriter implements RecordWriter {
  /** Always 0n: records in clear carry no sequence number. */
  readonly seq = 0n;
  /** `legacy_record_version` to write: 0x0303, or 0x0301 for an initial ClientHello. */
  readonly version: number;
  /** `version` is the legacy_record_version to put in headers. */
  constructor(version: number) {
    this.version = version;
  }
  /** Header plus payload. */
  recordSize(payloadLength: number): number {
    return RECORD_HEADER_LEN + payloadLength;
  }
  /**
   * Frames the payload in clear. Only handshake, alert and change_cipher_spec
   * may be sent unprotected.
   */
  writeInto(contentType: number, payload: Uint8Array, out: Uint8Array): Promise<void> {
    return settle(() => {
      if (
        contentType !== ContentType.handshake && contentType !== ContentType.alert &&
        contentType !== ContentType.change_cipher_spec
      ) {
        throw new RangeError(`content type ${contentType} cannot be sent in clear`);
      }
      if (payload.length > MAX_PLAINTEXT_LEN) {
        throw new RangeError("plaintext record exceeds 2^14 bytes");
      }
      out.set(encodeRecordHeader(contentType, this.version, payload.length));
      out.set(payload, RECORD_HEADER_LEN);
    });
  }
  /** Frames one fragment into a fresh buffer: the whole record. */
  async write(contentType: number, payload: Uint8Array): Promise<Uint8Array> {
    const out = new Uint8Array(this.recordSize(payload.length));
    await this.writeInto(contentType, payload, out);
    return out;
  }
}

/** Reads records in clear: handshake, alert and change_cipher_spec. */
export class PlainReader implements RecordReader {
  /** Always false. */
  readonly isProtected = false;
  /** Always 0n. */
  readonly seq = 0n;
  /**
   * Checks a record in clear; the plaintext is a view of `fragment`.
   * `unexpected_message` for application_data (or any other type) in clear;
   * `record_overflow` above 2^14 bytes.
   */
  open(header: Uint8Array, fragment: Uint8Array): Promise<OpenedRecord> {
    return settle(() => {
      if (header.length !== RECORD_HEADER_LEN) {
        throw new RangeError(`record header must be ${RECORD_HEADER_LEN} bytes`);
      }
      const contentType = header[0];
      if (
        contentType !== ContentType.handshake && contentType !== ContentType.alert &&
        contentType !== ContentType.change_cipher_spec
      ) {
        throw tlsError(
          "InappropriateMessage",
          "UnprotectedContentType",
          `content type ${contentType} received in clear`,
          { alert: AlertDescription.unexpected_message },
        );
      }
      if (fragment.length > MAX_PLAINTEXT_LEN) {
        throw recordOverflow("plaintext record exceeds 2^14 bytes");
      }
      return { contentType, plaintext: fragment };
    });
  }

  /** Records in clear have nothing to authenticate: the same as `open`. */
  tryOpen(header: Uint8Array, fragment: Uint8Array): Promise<OpenedRecord> {
    return this.open(header, fragment);
  }
}

/**
 * Seals records under one key. The sequence number is taken when `writeInto`
 * is called, so overlapping calls still get distinct nonces.
 */
export class ProtectedWriter implements RecordWriter {
  /** How records are protected. */
  readonly protection: RecordProtection;
  readonly #key: InstalledKey;
  readonly #padding: number;
  #seq: bigint;

  /** `seq` is the number of records already sent under `key`. */
  constructor(protection: RecordProtection, key: InstalledKey, seq: bigint, padding = 0) {
    this.protection = protection;
    this.#key = key;
    this.#seq = seq;
    this.#padding = padding;
  }

  /** Records sealed so far under this key: the sequence number of the next one. */
  get seq(): bigint {
    return this.#seq;
  }

  /** Header, payload, protection overhead. */
  recordSize(payloadLength: number): number {
    return this.protection.recordLen(payloadLength, this.#padding);
  }

  /**
   * Seals one fragment of at most 2^14 bytes into `out`.
   *
   * @throws {RangeError} For a larger fragment or a too small `out`.
   * @throws {TlsError} `EncryptError` once 2^64 records have been sealed.
   */
  writeInto(contentType: number, payload: Uint8Array, out: Uint8Array): Promise<void> {
    return this.sealInto(contentType, payload, out, this.#padding);
  }

  /**
   * Seals one fragment into a fresh buffer: the whole record, with `padding`
   * zero bytes (TLS 1.3; the writer's own padding unless given).
   */
  async write(
    contentType: number,
    payload: Uint8Array,
    padding: number = this.#padding,
  ): Promise<Uint8Array> {
    const out = new Uint8Array(this.protection.recordLen(payload.length, padding));
    await this.sealInto(contentType, payload, out, padding);
    return out;
  }

  /** {@link ProtectedWriter.writeInto} with `padding` zero bytes (TLS 1.3). */
  sealInto(
    contentType: number,
    payload: Uint8Array,
    out: Uint8Array,
    padding: number,
  ): Promise<void> {
    if (!Number.isInteger(padding) || padding < 0) {
      return Promise.reject(new RangeError("padding must be a non-negative integer"));
    }
    if (payload.length + padding > MAX_PLAINTEXT_LEN) {
      return Promise.reject(new RangeError("fragment exceeds 2^14 bytes"));
    }
    if (out.length < this.protection.recordLen(payload.length, padding)) {
      return Promise.reject(new RangeError("output buffer too small for the record"));
    }
    if (this.#seq > MAX_SEQ) {
      return Promise.reject(
        tlsError(
          "EncryptError",
          "SequenceNumberExhausted",
          "record sequence numbers exhausted for this key",
        ),
      );
    }
    const seq = this.#seq++;
    return this.protection.seal(this.#key, seq, contentType, payload, out, padding);
  }
}
redactInspection(
  ProtectedWriter.prototype,
  (self: ProtectedWriter) => `ProtectedWriter { seq: ${self.seq} }`,
);

/**
 * The ordering behind `openMany`: `decrypt(i)` starts for the first `inFlight`
 * records at once and for each later one when result `i - inFlight` was
 * accepted; `accept(result)` runs for each in turn once the one before it was
 * accepted; a rejection fails every later result too (and starts no more
 * decryptions). `done` runs when all results have settled.
 */
function openInOrder<T>(
  count: number,
  inFlight: number,
  decrypt: (i: number) => Promise<T>,
  accept: (result: T) => OpenedRecord,
  done: () => void,
): Promise<OpenedRecord>[] {
  const results: Promise<OpenedRecord>[] = [];
  let previous: Promise<unknown> = Promise.resolve();
  for (let i = 0; i < count; i++) {
    const decrypting = i < inFlight ? decrypt(i) : results[i - inFlight].then(() => decrypt(i));
    decrypting.catch(() => {}); // observed through its result
    const result = previous.then(() => decrypting).then(accept);
    result.catch(() => {}); // the caller may stop before this one
    results.push(result);
    previous = result;
  }
  previous.then(done, done);
  return results;
}

/**
 * Opens records under one key. The sequence number advances only when a
 * record authenticates, so a server skipping rejected 0-RTT records (RFC 8446
 * section 4.2.10) can keep trying with the same number. Calls must not
 * overlap: records are opened in order.
 */
export class ProtectedReader implements RecordReader {
  /** Always true. */
  readonly isProtected = true;
  /** How records are protected. */
  readonly protection: RecordProtection;
  readonly #key: InstalledKey;
  #seq: bigint;
  #busy = false;

  /** `seq` is the number of records already received under `key`. */
  constructor(protection: RecordProtection, key: InstalledKey, seq: bigint) {
    this.protection = protection;
    this.#key = key;
    this.#seq = seq;
  }

  /** Records opened so far under this key: the sequence number of the next one. */
  get seq(): bigint {
    return this.#seq;
  }

  /**
   * Authenticates and decrypts one record.
   *
   * @throws {TlsError} `record_overflow` for an oversized record or content;
   * `bad_record_mac` (kind `DecryptError`) when authentication fails;
   * `unexpected_message` for a content type the version does not allow.
   */
  async open(header: Uint8Array, fragment: Uint8Array): Promise<OpenedRecord> {
    return this.#accept(await this.#decryptOne(header, fragment), header);
  }

  /** See {@link RecordReader.tryOpen}. */
  async tryOpen(header: Uint8Array, fragment: Uint8Array): Promise<OpenedRecord | null> {
    const decrypted = await this.#decryptOne(header, fragment);
    return decrypted === null ? null : this.#accept(decrypted, header);
  }

  async #decryptOne(header: Uint8Array, fragment: Uint8Array): Promise<Uint8Array | null> {
    if (this.#busy) throw new TypeError("record reader calls must not overlap");
    this.#busy = true;
    try {
      return await this.#decrypt({ header, fragment }, this.#seq);
    } finally {
      this.#busy = false;
    }
  }

  /**
   * This reader (same key, same next sequence number) refusing records over
   * `limit` decrypted bytes with record_overflow (RFC 8449; see
   * `limitRecordSize`). Use it in place of this one, which must be idle.
   */
  withRecordSizeLimit(limit: number): ProtectedReader {
    if (this.#busy) throw new TypeError("record reader calls must not overlap");
    return new ProtectedReader(limitRecordSize(this.protection, limit), this.#key, this.#seq);
  }

  /** See {@link RecordReader.openMany}; the same checks as `open`, per record. */
  openMany(
    records: readonly ProtectedRecord[],
    inFlight = records.length,
  ): Promise<OpenedRecord>[] {
    if (this.#busy) throw new TypeError("record reader calls must not overlap");
    if (!Number.isInteger(inFlight) || inFlight < 1) {
      throw new RangeError("inFlight must be a positive integer");
    }
    this.#busy = true;
    const base = this.#seq;
    let accepted = 0;
    return openInOrder(
      records.length,
      inFlight,
      (i) => this.#decrypt(records[i], base + BigInt(i)),
      (decrypted) => this.#accept(decrypted, records[accepted++].header),
      () => (this.#busy = false),
    );
  }

  #decrypt({ header, fragment }: ProtectedRecord, seq: bigint): Promise<Uint8Array | null> {
    try {
      this.protection.precheck(header, fragment, seq);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.protection.decrypt(this.#key, seq, header, fragment);
  }

  /** Counts an authenticated record and parses it; refuses one that did not authenticate. */
  #accept(decrypted: Uint8Array | null, header: Uint8Array): OpenedRecord {
    if (decrypted === null) {
      throw tlsError("DecryptError", "BadRecordMac", "record failed authentication", {
        alert: AlertDescription.bad_record_mac,
      });
    }
    this.#seq++;
    return this.protection.unprotect(decrypted, header);
  }
}
redactInspection(
  ProtectedReader.prototype,
  (self: ProtectedReader) => `ProtectedReader { seq: ${self.seq} }`,
);

/** The protection of `version` and the key installed for it: what the four factories below share. */
async function installed(
  version: "TLSv1_3" | "TLSv1_2",
  aead: Aead,
  key: Uint8Array,
  iv: Uint8Array,
  seq: bigint,
): Promise<[RecordProtection, InstalledKey]> {
  return [protectionFor(version, aead.kind), await installKey(aead, key, iv, seq)];
}

/** Writes TLS 1.3 protected records. */
export class Tls13Writer extends ProtectedWriter {
  /** Imports the key (`iv` the 12-byte write IV); `seq` counts records already sent under it. */
  static async create(aead: Aead, key: Uint8Array, iv: Uint8Array, seq = 0n): Promise<Tls13Writer> {
    return new Tls13Writer(...await installed("TLSv1_3", aead, key, iv, seq), seq);
  }
}

/** Reads TLS 1.3 protected records. */
export class Tls13Reader extends ProtectedReader {
  /** Imports the key; `seq` counts records already read under it. */
  static async create(aead: Aead, key: Uint8Array, iv: Uint8Array, seq = 0n): Promise<Tls13Reader> {
    return new Tls13Reader(...await installed("TLSv1_3", aead, key, iv, seq), seq);
  }
}

/** Writes TLS 1.2 AEAD records. */
export class Tls12Writer extends ProtectedWriter {
  /** Imports the key (`iv` the 12-byte nonce base); `seq` counts records already sent. */
  static async create(aead: Aead, key: Uint8Array, iv: Uint8Array, seq = 0n): Promise<Tls12Writer> {
    return new Tls12Writer(...await installed("TLSv1_2", aead, key, iv, seq), seq);
  }
}

/** Reads TLS 1.2 AEAD records. */
export class Tls12Reader extends ProtectedReader {
  /** Imports the key; `seq` counts records already read. */
  static async create(aead: Aead, key: Uint8Array, iv: Uint8Array, seq = 0n): Promise<Tls12Reader> {
    return new Tls12Reader(...await installed("TLSv1_2", aead, key, iv, seq), seq);
  }
}
