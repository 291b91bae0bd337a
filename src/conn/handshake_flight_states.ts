/**
 * The states of a flight of TLS records: `EncodeTlsData` (records wait to be
 * encoded), `TransmitTlsData` (encoded bytes wait to be sent) and
 * `BlockedHandshake` (the handshake waits for the peer).
 *
 * @module
 */

import type { StateContext } from "./state_context.ts";
import { MayEncryptEarlyData } from "./early_data_states.ts";
import { WriteTraffic } from "./traffic_states.ts";

/**
 * Handshake (or alert) records are waiting to be encoded. Call `encode(out)`
 * once; it returns the number of bytes written, or throws
 * `InsufficientSizeError` (with `requiredSize`) and keeps the records for a
 * retry with a bigger buffer. Then call `processTlsRecords` again.
 *
 * @example
 * ```ts
 * import { ClientConfig, RootCertStore, UnbufferedClientConnection } from "@kerneltls/tls";
 * const config = new ClientConfig({ roots: new RootCertStore() });
 * const client = await UnbufferedClientConnection.create(config, "example.com");
 * const { state } = await client.processTlsRecords(new Uint8Array(0));
 * if (state.kind === "EncodeTlsData") {
 *   const out = new Uint8Array(state.requiredSize);
 *   const n = await state.encode(out);
 *   console.log(n > 0); // true: a ClientHello to send
 * }
 * ```
 */
export class EncodeTlsData {
  /** Discriminant. */
  readonly kind = "EncodeTlsData" as const;
  readonly #cx: StateContext;
  #done = false;

  /** @ignore Created by `processTlsRecords`. */
  constructor(cx: StateContext) {
    this.#cx = cx;
  }

  /** Bytes `encode` needs. */
  get requiredSize(): number {
    return this.#cx.core.requiredEncodeSize();
  }

  /** Writes the queued records into `out`. */
  encode(out: Uint8Array): Promise<number> {
    return this.#cx.exclusive("EncodeTlsData", async () => {
      if (this.#done) throw new TypeError("EncodeTlsData: already encoded");
      const n = await this.#cx.core.encodeQueued(out);
      this.#done = true;
      return n;
    });
  }
}

/**
 * Encoded records must now be sent to the peer. Call `done()` once they are
 * handed to the transport, then `processTlsRecords` again.
 *
 * @example
 * ```ts
 * import type { TransmitTlsData } from "@kerneltls/tls";
 * async function transmit(
 *   state: TransmitTlsData,
 *   encoded: Uint8Array, // what EncodeTlsData wrote
 *   send: (bytes: Uint8Array) => Promise<void>,
 * ): Promise<void> {
 *   await send(encoded);
 *   state.done(); // then call processTlsRecords again
 * }
 * void transmit;
 * ```
 */
export class TransmitTlsData {
  /** Discriminant. */
  readonly kind = "TransmitTlsData" as const;
  readonly #cx: StateContext;

  /** @ignore Created by `processTlsRecords`. */
  constructor(cx: StateContext) {
    this.#cx = cx;
  }

  /** Marks the encoded records as sent. */
  done(): void {
    this.#cx.checkCurrent("TransmitTlsData");
    this.#cx.core.transmitted();
  }

  /**
   * When the handshake is complete, a `WriteTraffic` to send application data
   * in the same flight as the encoded records; otherwise `undefined`.
   */
  mayEncryptAppData(): WriteTraffic | undefined {
    this.#cx.checkCurrent("TransmitTlsData");
    const core = this.#cx.core;
    return core.handshakeComplete && !core.weClosed ? new WriteTraffic(this.#cx) : undefined;
  }

  /**
   * Client only: while 0-RTT data may be sent (the first flight carried an
   * early_data offer and no ServerHello has been read yet), a
   * {@link MayEncryptEarlyData} to send it right after the encoded
   * ClientHello; otherwise `undefined`.
   */
  mayEncryptEarlyData(): MayEncryptEarlyData | undefined {
    this.#cx.checkCurrent("TransmitTlsData");
    const early = this.#cx.core.earlyData;
    return early?.open && early.remaining > 0 ? new MayEncryptEarlyData(this.#cx) : undefined;
  }
}

/**
 * The handshake needs more bytes from the peer: append them and call again.
 *
 * @example
 * ```ts
 * import type { ConnectionState } from "@kerneltls/tls";
 * function needsBytes(state: ConnectionState): boolean {
 *   // Read more from the transport, append it to the incoming buffer, call again.
 *   return state.kind === "BlockedHandshake";
 * }
 * void needsBytes;
 * ```
 */
export class BlockedHandshake {
  /** Discriminant. */
  readonly kind = "BlockedHandshake" as const;
}
