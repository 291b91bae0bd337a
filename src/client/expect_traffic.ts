/**
 * The client after the handshake: NewSessionTicket and KeyUpdate (RFC 8446
 * section 4.6).
 *
 * @module
 */

import type { ConnectionCore, HandshakeState } from "../common/core.ts";
import type { Tls13CipherSuite } from "../crypto/types.ts";
import { expectMessage } from "../common/expect.ts";
import { HandshakeType } from "../msgs/enums.ts";
import type { HandshakeMessage as RawHandshake } from "../record/handshake_joiner.ts";
import type { ClientHandshakeData } from "./handshake_data.ts";
import { storeTicket, type TicketContext } from "./tickets.ts";

/** Handles post-handshake messages from the server. */
export class ExpectTraffic implements HandshakeState {
  /** State name. */
  readonly name = "ExpectTraffic";
  readonly #hs: ClientHandshakeData;
  readonly #resumptionSecret: Uint8Array;
  /** The negotiated suite, whose hash the tickets' PSKs use. */
  readonly #suite: Tls13CipherSuite;

  /** Keeps the resumption master secret and the negotiated suite for tickets. */
  constructor(hs: ClientHandshakeData, resumptionSecret: Uint8Array, suite: Tls13CipherSuite) {
    this.#hs = hs;
    this.#resumptionSecret = resumptionSecret;
    this.#suite = suite;
  }

  /** The resumption master secret (for the kernel hand-off's ticket handling). */
  get resumptionSecret(): Uint8Array {
    return this.#resumptionSecret;
  }

  /** The handshake data (config, server name). */
  get handshakeData(): ClientHandshakeData {
    return this.#hs;
  }

  /** What storing a ticket from this connection needs. */
  ticketContext(cx: ConnectionCore): TicketContext {
    const { config, serverName } = this.#hs;
    return {
      store: config.sessionStore,
      serverName,
      suite: this.#suite,
      resumptionSecret: this.#resumptionSecret,
      now: config.now,
      alpnProtocol: cx.info.alpnProtocol,
      kxGroup: cx.info.kxGroup?.group,
    };
  }

  /**
   * What the shared post-handshake policy allows: KeyUpdate rotates the
   * receive key; NewSessionTicket is recorded.
   */
  async handle(cx: ConnectionCore, raw: RawHandshake): Promise<HandshakeState> {
    const action = cx.inbound.afterHandshake(raw, "TLSv1_3");
    if (action.kind === "KeyUpdate") {
      await cx.tls13!.receiveKeyUpdate(cx, action.requestUpdate);
    } else if (action.kind === "NewSessionTicket") {
      const ticket = expectMessage(raw, HandshakeType.new_session_ticket, "NewSessionTicket");
      await storeTicket(this.ticketContext(cx), ticket);
    }
    return this;
  }
}
