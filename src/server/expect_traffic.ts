/**
 * The server after the handshake: only KeyUpdate may arrive (RFC 8446 section
 * 4.6; a client sends no NewSessionTicket, and we never request post-handshake
 * authentication).
 *
 * @module
 */

import type { ConnectionCore, HandshakeState } from "../common/core.ts";
import type { HandshakeMessage as RawHandshake } from "../record/handshake_joiner.ts";
import type { ServerHandshakeData } from "./handshake_data.ts";

/** Handles post-handshake messages from the client. */
export class ExpectTraffic implements HandshakeState {
  /** State name. */
  readonly name = "ExpectTraffic";
  readonly #hs: ServerHandshakeData;
  readonly #resumptionSecret: Uint8Array;

  /** Keeps the resumption master secret for the tickets of a later issue. */
  constructor(hs: ServerHandshakeData, resumptionSecret: Uint8Array) {
    this.#hs = hs;
    this.#resumptionSecret = resumptionSecret;
  }

  /** The resumption master secret (RFC 8446 section 7.1). */
  get resumptionSecret(): Uint8Array {
    return this.#resumptionSecret;
  }

  /** The handshake data (config, transcript). */
  get handshakeData(): ServerHandshakeData {
    return this.#hs;
  }

  /**
   * 4.6.3: KeyUpdate rotates the receive key (and answers update_requested);
   * the shared post-handshake policy refuses anything else.
   */
  async handle(cx: ConnectionCore, raw: RawHandshake): Promise<HandshakeState> {
    const action = cx.inbound.afterHandshake(raw, "TLSv1_3");
    if (action.kind === "KeyUpdate") await cx.tls13!.receiveKeyUpdate(cx, action.requestUpdate);
    return this;
  }
}
