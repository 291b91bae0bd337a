/**
 * `UnbufferedConnectionCommon`: the getters, the record loop entry point and
 * the kernel hand-off gate that `UnbufferedClientConnection` and
 * `UnbufferedServerConnection` share (see `unbuffered.ts` for the contract).
 *
 * @module
 */

import type { ConnectionCore } from "../common/core.ts";
import type { HandshakeKind } from "../common/info.ts";
import type { KeyExchangeGroup, SupportedCipherSuite } from "../crypto/types.ts";
import { type TlsError, tlsError } from "../error.ts";
import type { ExtractedSecrets, KernelInit } from "./kernel.ts";
import { checkKernelGate, extractSecrets } from "./_kernel_gate.ts";
import type { StateContext, UnbufferedStatus } from "./states.ts";
import { stateFor } from "./_state_for.ts";
import { cancelHandshake, type CancelReason } from "../common/cancel.ts";

/**
 * Getters and the record loop shared by client and server connections.
 *
 * @example
 * ```ts
 * import type { UnbufferedConnectionCommon } from "@kerneltls/tls";
 * function summary(conn: UnbufferedConnectionCommon): string {
 *   if (conn.isHandshaking) return "handshaking";
 *   return `${conn.protocolVersion} ${conn.negotiatedCipherSuite?.name} ${conn.alpnProtocol ?? "-"}`;
 * }
 * void summary;
 * ```
 */
export abstract class UnbufferedConnectionCommon {
  #generation = 0;
  #consumed = false;
  /** The operation now running (one at a time per connection), if any. */
  #busy: string | undefined;

  /** @ignore The engine; created by the subclass. */
  protected abstract getCore(): Promise<ConnectionCore>;

  /** @ignore The engine if it exists yet. */
  protected abstract peekCore(): ConnectionCore | undefined;

  /**
   * Processes `incoming` and returns what to do next plus how many bytes to
   * discard from its front. See the module documentation for the protocol.
   *
   * **After a rejection, call it again.** A failure caused by the peer (or by
   * the handshake) rejects with a `TlsError` and queues the fatal alert that
   * tells the peer why (`err.alert`). The next calls hand that alert out as
   * `EncodeTlsData` and `TransmitTlsData` like any other record; the call
   * after those rejects again with the same error. Send the alert, then close
   * the transport: a driver that closes right at the first rejection leaves
   * the peer with a bare EOF instead of the reason.
   *
   * One operation runs at a time on a connection: a call made while another
   * `processTlsRecords`, a state's `encode` / `encrypt` / `queueCloseNotify` /
   * `refreshTrafficKeys`, or the kernel hand-off is still pending rejects
   * with a `TypeError` and leaves the connection untouched. Calling it makes
   * every state returned earlier stale.
   */
  async processTlsRecords(incoming: Uint8Array): Promise<UnbufferedStatus> {
    if (!(incoming instanceof Uint8Array)) throw new TypeError("incoming must be a Uint8Array");
    this.checkUsable();
    this.#enter("processTlsRecords");
    const generation = ++this.#generation;
    try {
      const core = await this.getCore();
      const cx: StateContext = {
        core,
        checkCurrent: (what) => this.#checkCurrent(generation, what),
        exclusive: (what, task) => this.#exclusive(generation, what, task),
      };
      const { discard, step } = await core.process(incoming);
      return { discard, state: stateFor(step, cx) };
    } finally {
      this.#busy = undefined;
    }
  }

  #checkCurrent(generation: number, what: string): void {
    if (this.#consumed) {
      throw new TypeError(`${what} is stale: the connection was handed to the kernel`);
    }
    if (generation !== this.#generation) {
      throw new TypeError(`${what} is stale: processTlsRecords was called again`);
    }
  }

  /** Marks `what` as the running operation; throws `TypeError` when one already runs. */
  #enter(what: string): void {
    if (this.#busy !== undefined) {
      throw new TypeError(
        `${what} called while ${this.#busy} is still pending: one operation at a time`,
      );
    }
    this.#busy = what;
  }

  async #exclusive<T>(generation: number, what: string, task: () => Promise<T>): Promise<T> {
    this.#checkCurrent(generation, what);
    this.#enter(what);
    try {
      return await task();
    } finally {
      this.#busy = undefined;
    }
  }

  /**
   * Gives up the handshake for a reason of your own (a timeout, a user's
   * abort): the connection fails with a `TlsError` (kind `General`, alert
   * user_canceled, `detail` and `message` from `reason`) and queues
   * user_canceled then close_notify (RFC 8446 section 6.1) under the current
   * keys. Drive it as after any failure: the next calls hand out the two
   * alerts, then reject with that error, which this returns (an earlier
   * failure's error when there was one, queuing nothing). `TypeError` once
   * the handshake is complete (send close_notify instead) or while another
   * operation is pending.
   */
  cancelHandshake(reason?: CancelReason): Promise<TlsError> {
    return this.#exclusive(this.#generation, "cancelHandshake", async () => {
      return cancelHandshake(await this.getCore(), reason);
    });
  }

  /**
   * @ignore
   * Shared part of `dangerousIntoKernelConnection`: checks the gate in its
   * documented order, reads both sequence numbers and consumes the
   * connection before anything is awaited (so no record can be protected
   * between the read of `tx.seq` and the hand-off), then derives the keys.
   */
  protected async extractForKernel(
    enabled: boolean,
  ): Promise<{ secrets: ExtractedSecrets; core: ConnectionCore; init: KernelInit }> {
    this.checkUsable();
    if (this.#busy !== undefined) {
      throw new TypeError(
        `dangerousIntoKernelConnection called while ${this.#busy} is still pending`,
      );
    }
    if (!enabled) {
      throw tlsError("General", "SecretExtractionDisabled", "secret extraction is disabled");
    }
    const core = checkKernelGate(this.peekCore());
    // Consumed before anything is awaited: no record is protected after the
    // sequence numbers are read.
    return { ...(await extractSecrets(core, () => this.consume())), core };
  }

  /**
   * Keying material for `label` and `context` (RFC 8446 section 7.5 in TLS
   * 1.3, RFC 5705 in TLS 1.2), `length` bytes, once the handshake is
   * complete. Both ends of a connection get the same bytes; a different
   * label, context or connection gives unrelated ones.
   *
   * `context` undefined means no context. TLS 1.2 tells that apart from an
   * empty one; TLS 1.3 does not (both hash the empty string). Rejects with a
   * `TlsError`: `HandshakeNotComplete` before the handshake has finished, the
   * connection's own error after it failed, and `PeerIncompatible` (detail
   * `NoExtendedMasterSecret`) on TLS 1.2 without the extended master secret
   * (RFC 7627), where exported values are not bound to the connection.
   * Rejects with `RangeError` for a reserved label (`"client finished"`,
   * `"server finished"`, `"master secret"`, `"key expansion"`, `"extended
   * master secret"`; RFC 5705 section 4), a label over 249 bytes, or a
   * `length` outside 1 to 255 * Hash.length (TLS 1.3) or 1 to 65535 (TLS
   * 1.2). After the kernel hand-off, use the kernel connection's method.
   *
   * @example
   * ```ts
   * import type { UnbufferedClientConnection } from "@kerneltls/tls";
   * async function binding(conn: UnbufferedClientConnection): Promise<Uint8Array> {
   *   return await conn.exportKeyingMaterial("EXPORTER-my-protocol", undefined, 32);
   * }
   * void binding;
   * ```
   */
  async exportKeyingMaterial(
    label: string,
    context: Uint8Array | undefined,
    length: number,
  ): Promise<Uint8Array> {
    this.checkUsable();
    const core = this.peekCore();
    if (core?.error) throw core.error;
    if (!core?.handshakeComplete || !core.exporter) {
      throw tlsError(
        "HandshakeNotComplete",
        "HandshakeNotComplete",
        "exporters need a complete handshake",
      );
    }
    return await core.exporter.export(label, context, length);
  }

  /** Throws when the connection was handed off. */
  protected checkUsable(): void {
    if (this.#consumed) {
      throw new TypeError("this connection was converted into a kernel connection");
    }
  }

  /** Marks the connection as consumed by the kernel hand-off. */
  protected consume(): void {
    this.#consumed = true;
    this.#generation++;
  }

  /** True until the handshake has completed. */
  get isHandshaking(): boolean {
    return !(this.peekCore()?.handshakeComplete ?? false);
  }

  /** `"TLSv1_3"` or `"TLSv1_2"` once negotiated. */
  get protocolVersion(): "TLSv1_3" | "TLSv1_2" | undefined {
    return this.peekCore()?.info.protocolVersion;
  }

  /** The negotiated cipher suite. */
  get negotiatedCipherSuite(): SupportedCipherSuite | undefined {
    return this.peekCore()?.info.cipherSuite;
  }

  /** The negotiated key exchange group. */
  get negotiatedKeyExchangeGroup(): KeyExchangeGroup | undefined {
    return this.peekCore()?.info.kxGroup;
  }

  /** The agreed ALPN protocol, if any. */
  get alpnProtocol(): string | undefined {
    return this.peekCore()?.info.alpnProtocol;
  }

  /** The peer's certificates, end entity first (DER), once received. */
  get peerCertificates(): readonly Uint8Array[] | undefined {
    return this.peekCore()?.info.peerCertificates;
  }

  /** `"Full"`, `"FullWithHelloRetryRequest"` or `"Resumed"`, once known. */
  get handshakeKind(): HandshakeKind | undefined {
    return this.peekCore()?.info.handshakeKind;
  }

  /**
   * Whether Encrypted Client Hello (RFC 9849) was accepted, once the
   * ServerHello is settled: `undefined` when not in play (the client offered
   * none, or the server has no ECH keys), else `true` or `false`. A client
   * whose offer was rejected never completes: it fails with
   * `EchRejectedError`.
   */
  get echAccepted(): boolean | undefined {
    return this.peekCore()?.info.echAccepted;
  }

  /**
   * Whether 0-RTT data was accepted: `undefined` until known or when none was
   * offered, then `true` or `false`.
   */
  get earlyDataAccepted(): boolean | undefined {
    return this.peekCore()?.earlyDataAccepted;
  }

  /**
   * True when early data was offered and the server refused it: data sent
   * through `mayEncryptEarlyData` was dropped and must be sent again as
   * ordinary application data.
   */
  get earlyDataRejected(): boolean {
    return this.peekCore()?.earlyDataAccepted === false;
  }

  /** Names of the handshake states entered so far (for tests and debugging). */
  get handshakeStates(): readonly string[] {
    return this.peekCore()?.stateLog ?? [];
  }
}
