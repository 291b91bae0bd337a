/**
 * The one record protection of the library, for TLS 1.3 (RFC 8446 section 5)
 * and the TLS 1.2 AEAD suites (RFC 5246 6.2.3.3 with RFC 5288 for AES-GCM's
 * 8-byte explicit nonce, RFC 7905 for ChaCha20-Poly1305 without one). The
 * sequence number is passed in and records are sealed straight into the
 * caller's output slot, so many records can be in flight at once. The
 * connection's record writers and readers and `KernelRecordLayer` are all
 * built on it.
 *
 * @module
 */

import { inappropriateMessage, recordOverflow, tlsError } from "../error.ts";
import type { Aead, AeadKey, AeadKind } from "../crypto/types.ts";
import { AlertDescription, ContentType, ProtocolVersion } from "../msgs/enums.ts";
import { MAX_CIPHERTEXT_LEN, MAX_PLAINTEXT_LEN, RECORD_HEADER_LEN } from "./deframer.ts";

/** Highest sequence number a key may use: 2^64 - 1 (RFC 8446 section 5.3). */
export const MAX_SEQ: bigint = (1n << 64n) - 1n;

/** Every AEAD we speak has a 16-byte tag. */
const TAG_LEN = 16;

/** Key material of one direction, imported. */
export interface InstalledKey {
  /** The imported AEAD key. */
  readonly key: AeadKey;
  /** The 12-byte IV (TLS 1.3) or nonce base (TLS 1.2). */
  readonly iv: Uint8Array;
}

/** A record after removing its protection. */
export interface OpenedRecord {
  /** The real content type (the inner one for TLS 1.3). */
  contentType: number;
  /** The content, padding removed; a view of the decrypted buffer. */
  plaintext: Uint8Array;
}

/** How one protocol version protects records. */
export interface RecordProtection {
  /** Wire length of a record carrying `payloadLen` content bytes and `padding` zeros. */
  recordLen(payloadLen: number, padding?: number): number;
  /**
   * Seals `payload` as `contentType` with sequence number `seq` into `out`
   * (at least `recordLen(payload.length, padding)` bytes). Padding exists in
   * TLS 1.3 only.
   */
  seal(
    k: InstalledKey,
    seq: bigint,
    contentType: number,
    payload: Uint8Array,
    out: Uint8Array,
    padding?: number,
  ): Promise<void>;
  /**
   * What can be checked before decryption (header size, content type, record
   * size, sequence number); throws the TlsError to fail with.
   */
  precheck(header: Uint8Array, fragment: Uint8Array, seq: bigint): void;
  /** Decrypts; resolves to `null` when the record does not authenticate. Never rejects. */
  decrypt(
    k: InstalledKey,
    seq: bigint,
    header: Uint8Array,
    fragment: Uint8Array,
  ): Promise<Uint8Array | null>;
  /** Turns decrypted bytes into content type and content; throws the TlsError to fail with. */
  unprotect(decrypted: Uint8Array, header: Uint8Array): OpenedRecord;
}

/**
 * The per-record nonce of both versions: `iv` with the 64-bit big-endian
 * sequence number XORed into its last 8 bytes (RFC 8446 5.3; RFC 7905 for
 * TLS 1.2 ChaCha20-Poly1305; for TLS 1.2 AES-GCM we send those 8 bytes as the
 * explicit nonce, as RFC 5288 allows).
 */
export function recordNonce(iv: Uint8Array, seq: bigint): Uint8Array {
  const nonce = iv.slice();
  const view = new DataView(nonce.buffer, nonce.byteOffset + nonce.length - 8, 8);
  view.setBigUint64(0, view.getBigUint64(0) ^ seq);
  return nonce;
}

/** TLS 1.2 additional data: seq_num || type || version || length. */
export function tls12Aad(seq: bigint, contentType: number, length: number): Uint8Array {
  const aad = new Uint8Array(13);
  const view = new DataView(aad.buffer);
  view.setBigUint64(0, seq);
  aad[8] = contentType;
  view.setUint16(9, ProtocolVersion.TLSv1_2);
  view.setUint16(11, length);
  return aad;
}

/** Imports `key` for `aead` after checking the key, the IV and the starting `seq`. */
export async function installKey(
  aead: Aead,
  key: Uint8Array,
  iv: Uint8Array,
  seq: bigint,
): Promise<InstalledKey> {
  if (!(key instanceof Uint8Array) || key.length !== aead.keyLen) {
    throw new RangeError(`key must be ${aead.keyLen} bytes`);
  }
  if (!(iv instanceof Uint8Array) || iv.length !== aead.nonceLen) {
    throw new RangeError(`iv must be ${aead.nonceLen} bytes`);
  }
  if (typeof seq !== "bigint" || seq < 0n || seq > MAX_SEQ + 1n) {
    throw new RangeError("sequence number out of range");
  }
  return { key: await aead.importKey(key), iv: iv.slice() };
}

function writeHeader(out: Uint8Array, contentType: number, fragmentLen: number): void {
  out[0] = contentType;
  out[1] = ProtocolVersion.TLSv1_2 >> 8;
  out[2] = ProtocolVersion.TLSv1_2 & 0xff;
  out[3] = fragmentLen >> 8;
  out[4] = fragmentLen & 0xff;
}

/** The checks both versions make before decrypting a record. */
function checkRecord(header: Uint8Array, fragment: Uint8Array, seq: bigint): void {
  if (header.length !== RECORD_HEADER_LEN) {
    throw new RangeError(`record header must be ${RECORD_HEADER_LEN} bytes`);
  }
  if (fragment.length > MAX_CIPHERTEXT_LEN) {
    throw recordOverflow("protected record exceeds 2^14 + 256 bytes");
  }
  if (seq > MAX_SEQ) {
    throw tlsError(
      "DecryptError",
      "SequenceNumberExhausted",
      "record sequence numbers exhausted for this key",
      { alert: AlertDescription.bad_record_mac },
    );
  }
}

async function openOrNull(
  k: InstalledKey,
  nonce: Uint8Array,
  aad: Uint8Array,
  ciphertext: Uint8Array,
): Promise<Uint8Array | null> {
  try {
    return await k.key.open(nonce, aad, ciphertext);
  } catch {
    return null;
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
    throw recordOverflow("TLSInnerPlaintext exceeds 2^14 + 1 bytes");
  }
  let i = inner.length - 1;
  while (i >= 0 && inner[i] === 0) i--;
  if (i < 0) {
    throw inappropriateMessage("protected record has no content type", "AllZeroInnerPlaintext");
  }
  const contentType = inner[i];
  if (
    contentType !== ContentType.handshake && contentType !== ContentType.alert &&
    contentType !== ContentType.application_data
  ) {
    throw inappropriateMessage(
      `protected record has inner content type ${contentType}`,
      "InvalidInnerContentType",
    );
  }
  return { contentType, plaintext: inner.subarray(0, i) };
}

/** RFC 8446 section 5.2: application_data outer type, inner type after zero padding. */
export const tls13Protection: RecordProtection = {
  recordLen(payloadLen: number, padding = 0): number {
    return RECORD_HEADER_LEN + payloadLen + 1 + padding + TAG_LEN;
  },

  async seal(k, seq, contentType, payload, out, padding = 0): Promise<void> {
    const innerLen = payload.length + 1 + padding;
    writeHeader(out, ContentType.application_data, innerLen + TAG_LEN);
    // The inner plaintext is built in the output slot itself, saving a buffer:
    // the ciphertext only overwrites it once the AEAD is done reading it.
    const inner = out.subarray(RECORD_HEADER_LEN, RECORD_HEADER_LEN + innerLen);
    inner.set(payload);
    inner[payload.length] = contentType;
    if (padding > 0) inner.fill(0, payload.length + 1);
    const header = out.slice(0, RECORD_HEADER_LEN);
    const sealed = await k.key.seal(recordNonce(k.iv, seq), header, inner);
    out.set(sealed, RECORD_HEADER_LEN);
  },

  precheck(header: Uint8Array, fragment: Uint8Array, seq: bigint): void {
    // change_cipher_spec under protection is an unexpected record type too
    // (RFC 8446 section 5).
    if (header[0] !== ContentType.application_data) {
      throw inappropriateMessage(
        `protected record has outer content type ${header[0]}`,
        "InvalidOuterContentType",
      );
    }
    checkRecord(header, fragment, seq);
  },

  decrypt(k, seq, header, fragment): Promise<Uint8Array | null> {
    // Too short to hold a tag and a content type byte: it cannot authenticate.
    if (fragment.length <= TAG_LEN) return Promise.resolve(null);
    return openOrNull(k, recordNonce(k.iv, seq), header, fragment);
  },

  unprotect(inner: Uint8Array): OpenedRecord {
    return parseInnerPlaintext(inner);
  },
};

function makeTls12Protection(explicit: number): RecordProtection {
  return {
    recordLen(payloadLen: number): number {
      return RECORD_HEADER_LEN + explicit + payloadLen + TAG_LEN;
    },

    async seal(k, seq, contentType, payload, out, padding = 0): Promise<void> {
      if (padding !== 0) throw new RangeError("TLS 1.2 records cannot be padded");
      writeHeader(out, contentType, explicit + payload.length + TAG_LEN);
      const nonce = recordNonce(k.iv, seq);
      out.set(nonce.subarray(12 - explicit), RECORD_HEADER_LEN);
      const sealed = await k.key.seal(nonce, tls12Aad(seq, contentType, payload.length), payload);
      out.set(sealed, RECORD_HEADER_LEN + explicit);
    },

    precheck(header: Uint8Array, fragment: Uint8Array, seq: bigint): void {
      const type = header[0];
      if (
        type !== ContentType.application_data && type !== ContentType.alert &&
        type !== ContentType.handshake
      ) {
        throw inappropriateMessage(`protected record of type ${type}`, "InvalidContentType");
      }
      checkRecord(header, fragment, seq);
    },

    decrypt(k, seq, header, fragment): Promise<Uint8Array | null> {
      const plainLen = fragment.length - explicit - TAG_LEN;
      if (plainLen < 0) return Promise.resolve(null);
      let nonce: Uint8Array;
      if (explicit > 0) {
        // The sender chose the explicit part; only the salt is ours.
        nonce = new Uint8Array(12);
        nonce.set(k.iv.subarray(0, 12 - explicit));
        nonce.set(fragment.subarray(0, explicit), 12 - explicit);
      } else {
        nonce = recordNonce(k.iv, seq);
      }
      const aad = tls12Aad(seq, header[0], plainLen);
      return openOrNull(k, nonce, aad, fragment.subarray(explicit));
    },

    unprotect(plaintext: Uint8Array, header: Uint8Array): OpenedRecord {
      if (plaintext.length > MAX_PLAINTEXT_LEN) {
        throw recordOverflow("plaintext exceeds 2^14 bytes");
      }
      return { contentType: header[0], plaintext };
    },
  };
}

const TLS12_GCM = makeTls12Protection(8);
const TLS12_CHACHA = makeTls12Protection(0);

/** TLS 1.2 protection for `kind`: AES-GCM with an explicit nonce, ChaCha20-Poly1305 without. */
export function tls12Protection(kind: AeadKind): RecordProtection {
  return kind === "Chacha20Poly1305" ? TLS12_CHACHA : TLS12_GCM;
}

/**
 * `protection` that also refuses, with record_overflow, a record whose
 * decrypted content is longer than `limit`: the record_size_limit we
 * advertised (RFC 8449 section 4). In TLS 1.3 that length counts the inner
 * content type byte and any padding, in TLS 1.2 the plaintext alone.
 */
export function limitRecordSize(protection: RecordProtection, limit: number): RecordProtection {
  return {
    ...protection,
    unprotect(decrypted: Uint8Array, header: Uint8Array): OpenedRecord {
      if (decrypted.length > limit) {
        throw recordOverflow(`record of ${decrypted.length} bytes exceeds our record_size_limit`);
      }
      return protection.unprotect(decrypted, header);
    },
  };
}

/** The protection of `version` for `kind`. */
export function protectionFor(version: "TLSv1_3" | "TLSv1_2", kind: AeadKind): RecordProtection {
  return version === "TLSv1_2" ? tls12Protection(kind) : tls13Protection;
}
