/**
 * TLS 1.3 application traffic keys after the handshake: KeyUpdate in both
 * directions (RFC 8446 section 4.6.3), the automatic refresh before a suite's
 * confidentiality limit (section 5.5), and the current secrets for the kernel
 * hand-off.
 *
 * @module
 */

import type { Tls13CipherSuite } from "../crypto/types.ts";
import { HandshakeType, KeyUpdateRequest } from "../msgs/enums.ts";
import { encodeHandshake } from "../msgs/handshake.ts";
import { nextTrafficSecret, trafficKeys } from "../tls13/key_schedule.ts";
import type { ConnectionCore } from "./core.ts";
import { Tls13Reader, Tls13Writer } from "../record/record_io.ts";
import { DEFAULT_MAX_KEY_UPDATES, KeyUpdateBudget } from "./key_update_budget.ts";

/** Records kept in reserve below the confidentiality limit before we rotate. */
const REFRESH_MARGIN = 1024n;

/** The live TLS 1.3 traffic secrets of one connection. */
export class Tls13Traffic {
  /** The negotiated suite. */
  readonly suite: Tls13CipherSuite;
  #tx: Uint8Array;
  #rx: Uint8Array;
  readonly #peerUpdates: KeyUpdateBudget;
  #awaitingPeerUpdate = false;
  #txUpdated = false;

  /**
   * Starts from the application traffic secrets of generation 0; the peer
   * may make us take `maxKeyUpdates` KeyUpdates (see {@link KeyUpdateBudget}).
   */
  constructor(
    suite: Tls13CipherSuite,
    txSecret: Uint8Array,
    rxSecret: Uint8Array,
    maxKeyUpdates: number = DEFAULT_MAX_KEY_UPDATES,
  ) {
    this.suite = suite;
    this.#tx = txSecret;
    this.#rx = rxSecret;
    this.#peerUpdates = new KeyUpdateBudget(maxKeyUpdates);
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

  /** `bytes` of application data arrived: they earn the peer more KeyUpdates. */
  noteApplicationData(bytes: number): void {
    this.#peerUpdates.noteData(bytes);
  }

  /** True when sending `records` more under the current key would cross the limit. */
  needsRefresh(seq: bigint, records: number): boolean {
    return seq + BigInt(records) + REFRESH_MARGIN >= this.suite.confidentialityLimit;
  }

  /** Encoded KeyUpdate message for our side. */
  keyUpdateMessage(requestPeer: boolean): Uint8Array {
    if (requestPeer) this.#awaitingPeerUpdate = true;
    return encodeHandshake({
      type: HandshakeType.KeyUpdate,
      requestUpdate: requestPeer
        ? KeyUpdateRequest.update_requested
        : KeyUpdateRequest.update_not_requested,
    });
  }

  /**
   * Queues our KeyUpdate under the current key, then moves our send key one
   * generation forward. At most one update_requested is outstanding.
   */
  async sendKeyUpdate(cx: ConnectionCore, requestPeer: boolean): Promise<void> {
    cx.sendHandshake(this.keyUpdateMessage(requestPeer && !this.#awaitingPeerUpdate));
    await this.rotateTx(cx);
  }

  /** Moves the send secret forward and installs a writer for it. */
  async rotateTx(cx: ConnectionCore): Promise<void> {
    this.#tx = await nextTrafficSecret(this.suite.hmac, this.#tx);
    cx.setWriter(await this.writer());
    this.#txUpdated = true;
  }

  /**
   * Handles the peer's KeyUpdate (already decoded), within the peer's
   * {@link KeyUpdateBudget}.
   */
  async receiveKeyUpdate(cx: ConnectionCore, requestUpdate: number): Promise<void> {
    this.#peerUpdates.spend();
    this.#rx = await nextTrafficSecret(this.suite.hmac, this.#rx);
    cx.setReader(await this.reader());
    this.#awaitingPeerUpdate = false;
    // The answer must come before our next application data (RFC 8446 4.6.3),
    // even when our own earlier KeyUpdate crossed the peer's request. Requests
    // that arrive while we stay silent after our last KeyUpdate are answered
    // by that one: our current key has protected nothing yet.
    const silentSinceUpdate = this.#txUpdated && cx.writer.seq === 0n;
    if (
      requestUpdate === KeyUpdateRequest.update_requested && !cx.weClosed && !silentSinceUpdate
    ) {
      await this.sendKeyUpdate(cx, false);
    }
  }
}
