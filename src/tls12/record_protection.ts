/**
 * TLS 1.2 AEAD record protection: AES-GCM with an 8-byte explicit nonce
 * (RFC 5288) and ChaCha20-Poly1305 without one (RFC 7905). Both compute the
 * nonce as the 12-byte nonce base XOR the sequence number, so an AES-GCM
 * record's explicit nonce is the last 8 bytes of that XOR; the additional
 * data is seq || type || 0x0303 || plaintext length (RFC 5246 6.2.3.3).
 *
 * The writer and reader plug into the connection core as its
 * `RecordWriter` / `RecordReader`.
 *
 * @module
 */

import { TlsError } from "../error.ts";
import type { Aead, AeadKey } from "../crypto/types.ts";
import { AlertDescription, ContentType, ProtocolVersion } from "../msgs/enums.ts";
import { encodeRecordHeader, MAX_PLAINTEXT_LEN, RECORD_HEADER_LEN } from "../record/deframer.ts";
import type { OpenedRecord, ProtectedRecord } from "../record/tls13_protection.ts";
import { MAX_SEQ, openInOrder } from "../record/tls13_protection.ts";
import { redactInspection } from "../record/_redact.ts";
import type { RecordWriter } from "../common/outbound.ts";
import type { RecordReader } from "../common/record_io.ts";
import { explicitNonceLength } from "./prf.ts";

/** The nonce for record `seq`: `iv` with `seq` XORed into its last 8 bytes. */
export function tls12Nonce(iv: Uint8Array, seq: bigint): Uint8Array {
  const nonce = iv.slice();
  const view = new DataView(nonce.buffer, nonce.byteOffset + 4, 8);
  view.setBigUint64(0, view.getBigUint64(0) ^ seq);
  return nonce;
}

/** The additional data: seq_num || type || version || length. */
export function tls12Aad(seq: bigint, contentType: number, length: number): Uint8Array {
  const aad = new Uint8Array(13);
  const view = new DataView(aad.buffer);
  view.setBigUint64(0, seq);
  aad[8] = contentType;
  view.setUint16(9, ProtocolVersion.TLSv1_2);
  view.setUint16(11, length);
  return aad;
}

function checkKeys(aead: Aead, key: Uint8Array, iv: Uint8Array, seq: bigint): void {
  if (key.length !== aead.keyLen) throw new RangeError(`key must be ${aead.keyLen} bytes`);
  if (iv.length !== 12) throw new RangeError("iv must be 12 bytes");
  if (typeof seq !== "bigint" || seq < 0n || seq > MAX_SEQ + 1n) {
    throw new RangeError("sequence number out of range");
  }
}

/** Seals TLS 1.2 records under one write key. */
export class Tls12Writer implements RecordWriter {
  readonly #key: AeadKey;
  readonly #iv: Uint8Array;
  readonly #explicit: number;
  readonly #tagLen: number;
  #seq: bigint;

  private constructor(key: AeadKey, iv: Uint8Array, aead: Aead, seq: bigint) {
    this.#key = key;
    this.#iv = iv;
    this.#explicit = explicitNonceLength(aead);
    this.#tagLen = aead.tagLen;
    this.#seq = seq;
  }

  /** Imports `key`; `iv` is the 12-byte nonce base, `seq` the records already sent. */
  static async create(aead: Aead, key: Uint8Array, iv: Uint8Array, seq = 0n): Promise<Tls12Writer> {
    checkKeys(aead, key, iv, seq);
    return new Tls12Writer(await aead.importKey(key), iv.slice(), aead, seq);
  }

  /** Records sealed so far: the sequence number of the next one. */
  get seq(): bigint {
    return this.#seq;
  }

  /** Header, explicit nonce, payload and tag. */
  recordSize(payloadLength: number): number {
    return RECORD_HEADER_LEN + this.#explicit + payloadLength + this.#tagLen;
  }

  /** Seals one fragment of at most 2^14 bytes into a whole record. */
  async write(contentType: number, payload: Uint8Array): Promise<Uint8Array> {
    if (payload.length > MAX_PLAINTEXT_LEN) throw new RangeError("fragment exceeds 2^14 bytes");
    if (this.#seq > MAX_SEQ) {
      throw new TlsError("EncryptError", "record sequence numbers exhausted for this key", {
        detail: "SequenceNumberExhausted",
      });
    }
    // Taken before the first await so that overlapping calls get distinct nonces.
    const seq = this.#seq++;
    const nonce = tls12Nonce(this.#iv, seq);
    const sealed = await this.#key.seal(
      nonce,
      tls12Aad(seq, contentType, payload.length),
      payload,
    );
    const bodyLen = this.#explicit + sealed.length;
    const record = new Uint8Array(RECORD_HEADER_LEN + bodyLen);
    record.set(encodeRecordHeader(contentType, ProtocolVersion.TLSv1_2, bodyLen));
    record.set(nonce.subarray(12 - this.#explicit), RECORD_HEADER_LEN);
    record.set(sealed, RECORD_HEADER_LEN + this.#explicit);
    return record;
  }
}
redactInspection(Tls12Writer.prototype, (self: Tls12Writer) => `Tls12Writer { seq: ${self.seq} }`);

/** Opens TLS 1.2 records under one read key. */
export class Tls12Reader implements RecordReader {
  /** Always true. */
  readonly isProtected = true;
  readonly #key: AeadKey;
  readonly #iv: Uint8Array;
  readonly #explicit: number;
  readonly #tagLen: number;
  #seq: bigint;
  #busy = false;

  private constructor(key: AeadKey, iv: Uint8Array, aead: Aead, seq: bigint) {
    this.#key = key;
    this.#iv = iv;
    this.#explicit = explicitNonceLength(aead);
    this.#tagLen = aead.tagLen;
    this.#seq = seq;
  }

  /** Imports `key`; `iv` is the 12-byte nonce base, `seq` the records already read. */
  static async create(aead: Aead, key: Uint8Array, iv: Uint8Array, seq = 0n): Promise<Tls12Reader> {
    checkKeys(aead, key, iv, seq);
    return new Tls12Reader(await aead.importKey(key), iv.slice(), aead, seq);
  }

  /** Records opened so far: the sequence number of the next one. */
  get seq(): bigint {
    return this.#seq;
  }

  /**
   * Authenticates and decrypts one record. Throws `bad_record_mac` when it
   * does not authenticate, `record_overflow` for a plaintext above 2^14 bytes,
   * `unexpected_message` for a content type other than handshake, alert or
   * application_data.
   */
  async open(header: Uint8Array, fragment: Uint8Array): Promise<OpenedRecord> {
    if (this.#busy) throw new TypeError("Tls12Reader.open calls must not overlap");
    this.#busy = true;
    let opened: OpenedRecord | null;
    try {
      opened = await this.#decrypt({ header, fragment }, this.#seq);
    } finally {
      this.#busy = false;
    }
    return this.#accept(opened);
  }

  /** See `RecordDecrypter.openMany`; the same checks as `open`, per record. */
  openMany(records: readonly ProtectedRecord[]): Promise<OpenedRecord>[] {
    if (this.#busy) throw new TypeError("Tls12Reader.open calls must not overlap");
    this.#busy = true;
    const base = this.#seq;
    return openInOrder(
      records.length,
      (i) => this.#decrypt(records[i], base + BigInt(i)),
      (opened) => this.#accept(opened),
      () => (this.#busy = false),
    );
  }

  /** The record opened under sequence number `seq`, or null when it does not authenticate. */
  async #decrypt(
    { header, fragment }: ProtectedRecord,
    seq: bigint,
  ): Promise<OpenedRecord | null> {
    if (header.length !== RECORD_HEADER_LEN) throw new RangeError("record header must be 5 bytes");
    const contentType = header[0];
    if (
      contentType !== ContentType.Handshake && contentType !== ContentType.Alert &&
      contentType !== ContentType.ApplicationData
    ) {
      throw new TlsError("InappropriateMessage", `protected record of type ${contentType}`, {
        detail: "InvalidContentType",
        alert: AlertDescription.UnexpectedMessage,
      });
    }
    if (seq > MAX_SEQ) {
      throw new TlsError("DecryptError", "record sequence numbers exhausted for this key", {
        detail: "SequenceNumberExhausted",
        alert: AlertDescription.BadRecordMac,
      });
    }
    const plainLen = fragment.length - this.#explicit - this.#tagLen;
    if (plainLen < 0) return null;
    let nonce: Uint8Array;
    if (this.#explicit > 0) {
      nonce = new Uint8Array(12);
      nonce.set(this.#iv.subarray(0, 12 - this.#explicit));
      nonce.set(fragment.subarray(0, this.#explicit), 12 - this.#explicit);
    } else {
      nonce = tls12Nonce(this.#iv, seq);
    }
    const plaintext = await this.#key.open(
      nonce,
      tls12Aad(seq, contentType, plainLen),
      fragment.subarray(this.#explicit),
    );
    return plaintext === null ? null : { contentType, plaintext };
  }

  /** Counts an authenticated record and checks its size; refuses one that did not authenticate. */
  #accept(opened: OpenedRecord | null): OpenedRecord {
    if (opened === null) {
      throw new TlsError("DecryptError", "record failed authentication", {
        detail: "BadRecordMac",
        alert: AlertDescription.BadRecordMac,
      });
    }
    this.#seq++;
    if (opened.plaintext.length > MAX_PLAINTEXT_LEN) {
      throw new TlsError("PeerMisbehaved", "plaintext exceeds 2^14 bytes", {
        detail: "RecordOverflow",
        alert: AlertDescription.RecordOverflow,
      });
    }
    return opened;
  }
}
redactInspection(Tls12Reader.prototype, (self: Tls12Reader) => `Tls12Reader { seq: ${self.seq} }`);
