/**
 * TLS 1.3 application traffic keys after the handshake: KeyUpdate in both
 * directions (RFC 8446 section 4.6.3), the automatic refresh before a suite's
 * confidentiality limit (section 5.5), and the current secrets for the kernel
 * hand-off.
 *
 * @module
 */

import type { Tls13CipherSuite } from "../crypto/types.ts";
import { nextTrafficSecret, trafficKeys } from "../tls13/key_schedule.ts";
import {
  type RecordReader,
  type RecordWriter,
  Tls13Reader,
  Tls13Writer,
} from "../record/record_io.ts";
import { keyUpdateMessage, mustAnswerKeyUpdate } from "../post_handshake/key_update.ts";

/** What a key update changes on the connection (`ConnectionCore` is one). */
export interface KeyUpdateTarget {
  /** The current record writer. */
  readonly writer: RecordWriter;
  /** True once we sent close_notify. */
  readonly weClosed: boolean;
  /** Queues an encoded handshake message under the current write protection. */
  sendHandshake(encoded: Uint8Array): void;
  /** Records queued from now on use `writer`. */
  setWriter(writer: RecordWriter): void;
  /** Records read from now on use `reader`. */
  setReader(reader: RecordReader): void;
}

/** Records kept in reserve below the confidentiality limit before we rotate. */
const REFRESH_MARGIN = 1024n;

/** The live TLS 1.3 traffic secrets of one connection. */
export class Tls13Traffic {
  /** The negotiated suite. */
  readonly suite: Tls13CipherSuite;
  #tx: Uint8Array;
  #rx: Uint8Array;
  #awaitingPeerUpdate = false;
  #txUpdated = false;

  /** Starts from the application traffic secrets of generation 0. */
  constructor(suite: Tls13CipherSuite, txSecret: Uint8Array, rxSecret: Uint8Array) {
    this.suite = suite;
    this.#tx = txSecret;
    this.#rx = rxSecret;
  }

  /** Current send secret (for the kernel hand-off only). */
  get txSecret(): Uint8Array {
    return this.#tx;
  }

  /** Current receive secret (for the kernel hand-off only). */
  get rxSecret(): Uint8Array {
    return this.#rx;
  }

  /** Builds a writer for the current send secret. */
  async writer(seq = 0n): Promise<Tls13Writer> {
    const { key, iv } = await trafficKeys(this.suite.hmac, this.suite.aead, this.#tx);
    return Tls13Writer.create(this.suite.aead, key, iv, seq);
  }

  /** Builds a reader for the current receive secret. */
  async reader(seq = 0n): Promise<Tls13Reader> {
    const { key, iv } = await trafficKeys(this.suite.hmac, this.suite.aead, this.#rx);
    return Tls13Reader.create(this.suite.aead, key, iv, seq);
  }

  /** True when sending `records` more under the current key would cross the limit. */
  needsRefresh(seq: bigint, records: number): boolean {
    return seq + BigInt(records) + REFRESH_MARGIN >= this.suite.confidentialityLimit;
  }

  /** Encoded KeyUpdate message for our side. */
  keyUpdateMessage(requestPeer: boolean): Uint8Array {
    if (requestPeer) this.#awaitingPeerUpdate = true;
    return keyUpdateMessage(requestPeer);
  }

  /**
   * Queues our KeyUpdate under the current key, then moves our send key one
   * generation forward. At most one update_requested is outstanding.
   */
  async sendKeyUpdate(cx: KeyUpdateTarget, requestPeer: boolean): Promise<void> {
    cx.sendHandshake(this.keyUpdateMessage(requestPeer && !this.#awaitingPeerUpdate));
    await this.rotateTx(cx);
  }

  /** Moves the send secret forward and installs a writer for it. */
  async rotateTx(cx: KeyUpdateTarget): Promise<void> {
    this.#tx = await nextTrafficSecret(this.suite.hmac, this.#tx);
    cx.setWriter(await this.writer());
    this.#txUpdated = true;
  }

  /**
   * Handles the peer's KeyUpdate, which the post-handshake policy has
   * decoded and charged to the peer's budget.
   */
  async receiveKeyUpdate(cx: KeyUpdateTarget, requestUpdate: number): Promise<void> {
    this.#rx = await nextTrafficSecret(this.suite.hmac, this.#rx);
    cx.setReader(await this.reader());
    this.#awaitingPeerUpdate = false;
    // Answered even when our own earlier KeyUpdate crossed the peer's request.
    const silentSinceOurUpdate = this.#txUpdated && cx.writer.seq === 0n;
    if (mustAnswerKeyUpdate(requestUpdate, { closed: cx.weClosed, silentSinceOurUpdate })) {
      await this.sendKeyUpdate(cx, false);
    }
  }
}
