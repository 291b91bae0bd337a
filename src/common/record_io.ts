/**
 * Adapters between the record layer's sealers/openers and the connection core.
 *
 * @module
 */

import { RECORD_HEADER_LEN } from "../record/deframer.ts";
import {
  type OpenedRecord,
  PlaintextOpener,
  PlaintextSealer,
  type ProtectedRecord,
  type RecordDecrypter,
  RecordOpener,
  RecordSealer,
} from "../record/tls13_protection.ts";
import type { Aead } from "../crypto/types.ts";
import type { RecordWriter } from "./outbound.ts";

/** Writes records in clear (before any key exists). */
export class PlainWriter implements RecordWriter {
  /** Always 0n: records in clear carry no sequence number. */
  readonly seq = 0n;
  readonly #sealer: PlaintextSealer;
  /** `version` is the legacy_record_version to put in headers. */
  constructor(version: number) {
    this.#sealer = new PlaintextSealer(version);
  }
  /** Header plus payload. */
  recordSize(payloadLength: number): number {
    return RECORD_HEADER_LEN + payloadLength;
  }
  /** Frames the payload in clear. */
  write(contentType: number, payload: Uint8Array): Promise<Uint8Array> {
    return this.#sealer.seal(contentType, payload);
  }
}

/** Writes TLS 1.3 protected records. */
export class Tls13Writer implements RecordWriter {
  readonly #sealer: RecordSealer;
  readonly #tagLen: number;
  private constructor(sealer: RecordSealer, tagLen: number) {
    this.#sealer = sealer;
    this.#tagLen = tagLen;
  }
  /** Imports the key; `seq` counts records already sent under it. */
  static async create(aead: Aead, key: Uint8Array, iv: Uint8Array, seq = 0n): Promise<Tls13Writer> {
    return new Tls13Writer(await RecordSealer.create(aead, key, iv, seq), aead.tagLen);
  }
  /** Records written so far under this key. */
  get seq(): bigint {
    return this.#sealer.seq;
  }
  /** Header, payload, inner content type byte and tag. */
  recordSize(payloadLength: number): number {
    return RECORD_HEADER_LEN + payloadLength + 1 + this.#tagLen;
  }
  /** Seals one fragment. */
  write(contentType: number, payload: Uint8Array): Promise<Uint8Array> {
    return this.#sealer.seal(contentType, payload);
  }
}

/** Something that reads records, with its sequence number when protected. */
export interface RecordReader extends RecordDecrypter {
  /** True once records are protected. */
  readonly isProtected: boolean;
  /** Records read so far under the current key (0n in clear). */
  readonly seq: bigint;
}

/** Reads records in clear. */
export class PlainReader implements RecordReader {
  readonly #opener = new PlaintextOpener();
  /** Always false. */
  readonly isProtected = false;
  /** Always 0n. */
  readonly seq = 0n;
  /** Checks a record in clear. */
  open(header: Uint8Array, fragment: Uint8Array): ReturnType<RecordDecrypter["open"]> {
    return this.#opener.open(header, fragment);
  }
}

/** Reads TLS 1.3 protected records. */
export class Tls13Reader implements RecordReader {
  readonly #opener: RecordOpener;
  /** Always true. */
  readonly isProtected = true;
  private constructor(opener: RecordOpener) {
    this.#opener = opener;
  }
  /** Imports the key; `seq` counts records already read under it. */
  static async create(aead: Aead, key: Uint8Array, iv: Uint8Array, seq = 0n): Promise<Tls13Reader> {
    return new Tls13Reader(await RecordOpener.create(aead, key, iv, seq));
  }
  /** Records read so far under this key. */
  get seq(): bigint {
    return this.#opener.seq;
  }
  /** Opens one protected record. */
  open(header: Uint8Array, fragment: Uint8Array): ReturnType<RecordDecrypter["open"]> {
    return this.#opener.open(header, fragment);
  }
  /** Opens consecutive protected records at once, results in order. */
  openMany(records: readonly ProtectedRecord[]): Promise<OpenedRecord>[] {
    return this.#opener.openMany(records);
  }
}
