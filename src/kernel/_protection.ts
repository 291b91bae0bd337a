/**
 * Per-record protection for the kernel record layer, with the sequence number
 * passed in by the caller so that many records can be sealed or opened at
 * once. One object per protocol version; TLS 1.2 (explicit nonce, different
 * AAD, no inner content type) slots in behind the same interface.
 *
 * @module
 */

import { TlsError } from "../error.ts";
import type { AeadKey } from "../crypto/types.ts";
import { AlertDescription, ContentType, ProtocolVersion } from "../msgs/enums.ts";
import { MAX_PLAINTEXT_LEN, RECORD_HEADER_LEN } from "../record/deframer.ts";
import type { AeadKind } from "../crypto/types.ts";
import { tls12Aad, tls12Nonce } from "../tls12/record_protection.ts";
import { parseInnerPlaintext } from "../record/tls13_protection.ts";

/** Key material of one direction, imported. */
export interface InstalledKey {
  /** The imported AEAD key. */
  readonly key: AeadKey;
  /** The 12-byte IV. */
  readonly iv: Uint8Array;
}

/** A record after its protection came off. */
export interface Unprotected {
  /** The real content type. */
  contentType: number;
  /** The content (padding removed), a view of the decrypted buffer. */
  plaintext: Uint8Array;
}

/** How one protocol version protects records. */
export interface RecordProtection {
  /** Wire length of a record carrying `payloadLen` content bytes. */
  recordLen(payloadLen: number): number;
  /**
   * Seals `payload` as `contentType` with sequence number `seq` into `out`,
   * which is exactly `recordLen(payload.length)` bytes.
   */
  seal(
    k: InstalledKey,
    seq: bigint,
    contentType: number,
    payload: Uint8Array,
    out: Uint8Array,
  ): Promise<void>;
  /**
   * Checks what can be checked before decryption (outer type). Throws the
   * TlsError to fail with.
   */
  precheck(header: Uint8Array): void;
  /** Decrypts; resolves to `null` when the record does not authenticate. Never rejects. */
  decrypt(
    k: InstalledKey,
    seq: bigint,
    header: Uint8Array,
    fragment: Uint8Array,
  ): Promise<Uint8Array | null>;
  /**
   * Turns decrypted bytes into content type and content (TLS 1.2 takes the
   * type from `header`); throws the TlsError to fail with.
   */
  unprotect(decrypted: Uint8Array, header: Uint8Array): Unprotected;
}

const TAG_LEN = 16;

/** nonce = iv XOR seq (64-bit big-endian, right-aligned). */
export function nonceFor(iv: Uint8Array, seq: bigint): Uint8Array {
  const nonce = iv.slice();
  const view = new DataView(nonce.buffer, nonce.byteOffset + nonce.length - 8, 8);
  view.setBigUint64(0, view.getBigUint64(0) ^ seq);
  return nonce;
}

function unexpected(message: string, detail: string): TlsError {
  return new TlsError("InappropriateMessage", message, {
    detail,
    alert: AlertDescription.UnexpectedMessage,
  });
}

/** RFC 8446 section 5.2: application_data outer type, inner type after zero padding. */
export const tls13Protection: RecordProtection = {
  recordLen(payloadLen: number): number {
    return RECORD_HEADER_LEN + payloadLen + 1 + TAG_LEN;
  },

  async seal(k, seq, contentType, payload, out): Promise<void> {
    const innerLen = payload.length + 1;
    const fragmentLen = innerLen + TAG_LEN;
    out[0] = ContentType.ApplicationData;
    out[1] = ProtocolVersion.TLSv1_2 >> 8;
    out[2] = ProtocolVersion.TLSv1_2 & 0xff;
    out[3] = fragmentLen >> 8;
    out[4] = fragmentLen & 0xff;
    // The inner plaintext is built in the output slot itself, saving a buffer:
    // the ciphertext only overwrites it once the AEAD is done reading it.
    const inner = out.subarray(RECORD_HEADER_LEN, RECORD_HEADER_LEN + innerLen);
    inner.set(payload);
    inner[payload.length] = contentType;
    const header = out.slice(0, RECORD_HEADER_LEN);
    const sealed = await k.key.seal(nonceFor(k.iv, seq), header, inner);
    out.set(sealed, RECORD_HEADER_LEN);
  },

  precheck(header: Uint8Array): void {
    // change_cipher_spec after the handshake is an unexpected record type too
    // (RFC 8446 section 5).
    if (header[0] !== ContentType.ApplicationData) {
      throw unexpected(
        `record of outer content type ${header[0]} after the handshake`,
        "InvalidOuterContentType",
      );
    }
  },

  async decrypt(k, seq, header, fragment): Promise<Uint8Array | null> {
    if (fragment.length <= TAG_LEN) return null;
    try {
      return await k.key.open(nonceFor(k.iv, seq), header, fragment);
    } catch {
      return null;
    }
  },

  unprotect(inner: Uint8Array): Unprotected {
    return parseInnerPlaintext(inner);
  },
};

/**
 * RFC 5246 6.2.3.3 with RFC 5288 (AES-GCM: 8-byte explicit nonce) or RFC
 * 7905 (ChaCha20-Poly1305: none). The nonce is the 12-byte IV XOR seq, as
 * the handshake's own TLS 1.2 writer computes it, so sealing continues the
 * same nonce sequence after the hand-off; received AES-GCM records carry
 * their own explicit nonce.
 */
export function tls12Protection(kind: AeadKind): RecordProtection {
  const explicit = kind === "Chacha20Poly1305" ? 0 : 8;
  return {
    recordLen(payloadLen: number): number {
      return RECORD_HEADER_LEN + explicit + payloadLen + TAG_LEN;
    },

    async seal(k, seq, contentType, payload, out): Promise<void> {
      const fragmentLen = explicit + payload.length + TAG_LEN;
      out[0] = contentType;
      out[1] = ProtocolVersion.TLSv1_2 >> 8;
      out[2] = ProtocolVersion.TLSv1_2 & 0xff;
      out[3] = fragmentLen >> 8;
      out[4] = fragmentLen & 0xff;
      const nonce = tls12Nonce(k.iv, seq);
      out.set(nonce.subarray(12 - explicit), RECORD_HEADER_LEN);
      const sealed = await k.key.seal(nonce, tls12Aad(seq, contentType, payload.length), payload);
      out.set(sealed, RECORD_HEADER_LEN + explicit);
    },

    precheck(header: Uint8Array): void {
      const type = header[0];
      if (
        type !== ContentType.ApplicationData && type !== ContentType.Alert &&
        type !== ContentType.Handshake
      ) {
        throw unexpected(
          `record of content type ${type} after the handshake`,
          "InvalidContentType",
        );
      }
    },

    async decrypt(k, seq, header, fragment): Promise<Uint8Array | null> {
      const plainLen = fragment.length - explicit - TAG_LEN;
      if (plainLen < 0) return null;
      let nonce: Uint8Array;
      if (explicit > 0) {
        nonce = new Uint8Array(12);
        nonce.set(k.iv.subarray(0, 12 - explicit));
        nonce.set(fragment.subarray(0, explicit), 12 - explicit);
      } else {
        nonce = tls12Nonce(k.iv, seq);
      }
      try {
        return await k.key.open(
          nonce,
          tls12Aad(seq, header[0], plainLen),
          fragment.subarray(explicit),
        );
      } catch {
        return null;
      }
    },

    unprotect(plaintext: Uint8Array, header: Uint8Array): Unprotected {
      if (plaintext.length > MAX_PLAINTEXT_LEN) {
        throw new TlsError("PeerMisbehaved", "plaintext exceeds 2^14 bytes", {
          detail: "RecordOverflow",
          alert: AlertDescription.RecordOverflow,
        });
      }
      return { contentType: header[0], plaintext };
    },
  };
}
