/**
 * The write side of the connection core: the record writer in use, the
 * records queued under it (handshake messages, change_cipher_spec, alerts)
 * and whether encoded bytes still wait to be transmitted.
 *
 * @module
 */

import { AlertLevel, ContentType, ProtocolVersion } from "../msgs/enums.ts";
import { encodeAlert, encodeChangeCipherSpec } from "../msgs/alert.ts";
import { PlainWriter, type RecordWriter } from "../record/record_io.ts";
import { OutboundQueue } from "./outbound.ts";

/** Writers for records in clear; they hold no state, so they are shared. */
const PLAIN_WRITER = new PlainWriter(ProtocolVersion.TLSv1_2);
const INITIAL_HELLO_WRITER = new PlainWriter(ProtocolVersion.TLSv1_0);

/** Queued records, the writer that protects the next ones, and the transmit step. */
export class Outbound {
  readonly #queue: OutboundQueue;
  #maxFragment: number;
  #writer: RecordWriter = PLAIN_WRITER;
  #pendingTransmit = false;

  /** `maxFragmentSize` is the largest plaintext fragment per record. */
  constructor(maxFragmentSize: number) {
    this.#queue = new OutboundQueue(maxFragmentSize);
    this.#maxFragment = maxFragmentSize;
  }

  /** Largest plaintext fragment we send: the config's, or the peer's smaller limit. */
  get maxFragmentSize(): number {
    return this.#maxFragment;
  }

  /** Cuts records to at most `max` bytes of content from now on, when that is smaller. */
  limitFragments(max: number): void {
    this.#maxFragment = Math.min(this.#maxFragment, max);
    this.#queue.limitFragments(this.#maxFragment);
  }

  /** The current record writer. */
  get writer(): RecordWriter {
    return this.#writer;
  }

  /** Records queued from now on use `writer`. */
  setWriter(writer: RecordWriter): void {
    this.#writer = writer;
  }

  /** Queues an encoded handshake message under the current write protection. */
  sendHandshake(encoded: Uint8Array): void {
    this.#queue.push(ContentType.handshake, encoded, this.#writer);
  }

  /**
   * Client: queues the first ClientHello. Its record alone may say 0x0301
   * (RFC 8446 section 5.1), for servers that choke on 0x0303 there; every
   * other record in clear says 0x0303.
   */
  sendInitialClientHello(encoded: Uint8Array): void {
    this.#queue.push(ContentType.handshake, encoded, INITIAL_HELLO_WRITER);
  }

  /** Queues a change_cipher_spec record (always in clear, RFC 8446 D.4). */
  sendChangeCipherSpec(): void {
    this.#queue.push(
      ContentType.change_cipher_spec,
      encodeChangeCipherSpec(),
      this.#writer instanceof PlainWriter ? this.#writer : PLAIN_WRITER,
    );
  }

  /** Queues an alert under the current write protection. */
  sendAlert(description: number, level: number = AlertLevel.fatal): void {
    this.#queue.push(ContentType.alert, encodeAlert({ level, description }), this.#writer);
  }

  /** True when no record waits to be encoded. */
  get isEmpty(): boolean {
    return this.#queue.isEmpty;
  }

  /** True when encoded bytes wait for the caller to transmit them. */
  get pendingTransmit(): boolean {
    return this.#pendingTransmit;
  }

  /** Bytes needed to encode everything queued. */
  requiredSize(): number {
    return this.#queue.requiredSize();
  }

  /** Encodes every queued record into `out`; see {@link OutboundQueue.encodeInto}. */
  async encodeInto(out: Uint8Array): Promise<number> {
    const n = await this.#queue.encodeInto(out);
    this.#pendingTransmit = true;
    return n;
  }

  /** The caller has sent what was encoded. */
  transmitted(): void {
    this.#pendingTransmit = false;
  }
}
