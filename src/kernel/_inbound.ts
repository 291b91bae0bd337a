/**
 * What a decrypted record means after the hand-off, decided by the shared
 * {@link InboundPolicy} (the connection core asks the same one): application
 * data, alerts, and post-handshake messages joined across records.
 *
 * @module
 */

import { ContentType } from "../msgs/enums.ts";
import { InboundPolicy } from "../post_handshake/inbound_policy.ts";

/** What one record asked of the record layer. */
export interface Routed {
  /** The peer's KeyUpdate: always the last message of its record. */
  keyUpdate: "none" | "requested" | "not_requested";
  /** The record was the peer's close_notify. */
  closeNotify: boolean;
  /** TLS 1.2: a renegotiation request to refuse with a no_renegotiation warning. */
  refuseRenegotiation: boolean;
}

/** Routes decrypted records through the policy. */
export class InboundRouter {
  readonly #policy: InboundPolicy;
  readonly #tickets: ((body: Uint8Array) => Promise<void>) | undefined;
  readonly #version: "TLSv1_3" | "TLSv1_2";

  /**
   * `tickets` receives NewSessionTicket bodies: present on a client, absent
   * on a server (where a ticket is unexpected).
   */
  constructor(
    tickets: ((body: Uint8Array) => Promise<void>) | undefined,
    version: "TLSv1_3" | "TLSv1_2",
    keyUpdates: { max: number | undefined; taken: number | undefined },
  ) {
    this.#tickets = tickets;
    this.#version = version;
    this.#policy = new InboundPolicy({
      side: tickets ? "client" : "server",
      maxKeyUpdates: keyUpdates.max,
      keyUpdatesTaken: keyUpdates.taken,
    });
  }

  /**
   * Handles one record's content: application data is appended to `data`,
   * tickets go to the ticket handler; the result says what the layer must do.
   */
  async route(contentType: number, plaintext: Uint8Array, data: Uint8Array[]): Promise<Routed> {
    const routed: Routed = { keyUpdate: "none", closeNotify: false, refuseRenegotiation: false };
    const policy = this.#policy;
    if (contentType !== ContentType.handshake) policy.checkNotInterleaved(contentType);
    if (contentType === ContentType.application_data) {
      if (policy.applicationData(plaintext.length)) data.push(plaintext);
      return routed;
    }
    if (contentType === ContentType.alert) {
      routed.closeNotify = policy.alert(plaintext, true, this.#version) === "close_notify";
      return routed;
    }
    // The record protection admits no other content type.
    policy.handshakeFragment(plaintext);
    for (let msg = policy.nextMessage(); msg; msg = policy.nextMessage()) {
      const action = policy.afterHandshake(msg, this.#version);
      switch (action.kind) {
        case "KeyUpdate":
          routed.keyUpdate = action.requestUpdate === 1 ? "requested" : "not_requested";
          break;
        case "NewSessionTicket":
          await this.#tickets!(action.body.slice());
          break;
        case "RefuseRenegotiation":
          routed.refuseRenegotiation = true;
      }
    }
    return routed;
  }
}
