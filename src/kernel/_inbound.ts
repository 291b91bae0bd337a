/**
 * What a decrypted record means after the handshake: application data,
 * alerts (close_notify ends the stream, every other alert is an error), and
 * post-handshake handshake messages joined across records (KeyUpdate,
 * NewSessionTicket; anything else is unexpected).
 *
 * @module
 */

import { TlsError } from "../error.ts";
import { decodeAlert } from "../msgs/alert.ts";
import { Reader } from "../msgs/codec.ts";
import {
  AlertDescription,
  AlertLevel,
  alertName,
  ContentType,
  HandshakeType,
} from "../msgs/enums.ts";
import { readKeyUpdate } from "../msgs/simple_messages.ts";
import { HandshakeJoiner } from "../record/handshake_joiner.ts";

/** What one record asked of the record layer. */
export interface Routed {
  /** The peer's KeyUpdate: always the last message of its record. */
  keyUpdate: "none" | "requested" | "not_requested";
  /** The record was the peer's close_notify. */
  closeNotify: boolean;
}

/** An `unexpected_message` failure. */
export function unexpected(message: string, detail: string): TlsError {
  return new TlsError("InappropriateMessage", message, {
    detail,
    alert: AlertDescription.UnexpectedMessage,
  });
}

/** Routes decrypted records; owns the handshake message joiner. */
export class InboundRouter {
  readonly #joiner = new HandshakeJoiner();
  readonly #tickets: ((body: Uint8Array) => Promise<void>) | undefined;
  readonly #tls12: boolean;

  /**
   * `tickets` receives NewSessionTicket bodies; without it a ticket is
   * unexpected. With `tls12`, every handshake message is unexpected and
   * warning alerts other than close_notify are ignored (RFC 5246 7.2).
   */
  constructor(tickets: ((body: Uint8Array) => Promise<void>) | undefined, tls12 = false) {
    this.#tickets = tickets;
    this.#tls12 = tls12;
  }

  /**
   * Handles one record's content: application data is appended to `data`,
   * tickets go to the ticket handler; the result says what the layer must do.
   */
  async route(contentType: number, plaintext: Uint8Array, data: Uint8Array[]): Promise<Routed> {
    const routed: Routed = { keyUpdate: "none", closeNotify: false };
    if (contentType !== ContentType.Handshake && !this.#joiner.isEmpty) {
      // RFC 8446 section 5.1: handshake messages are not interleaved with other types.
      throw unexpected("record interleaved with a fragmented handshake message", "Interleaved");
    }
    if (contentType === ContentType.ApplicationData) {
      if (plaintext.length > 0) data.push(plaintext);
      return routed;
    }
    if (contentType === ContentType.Alert) {
      const alert = decodeAlert(plaintext);
      if (alert.description === AlertDescription.CloseNotify) {
        routed.closeNotify = true;
      } else if (
        alert.description !== AlertDescription.UserCanceled &&
        !(this.#tls12 && alert.level === AlertLevel.Warning)
      ) {
        // RFC 8446 section 6: every other alert is an error, whatever its level.
        throw new TlsError("AlertReceived", `peer sent alert ${alertName(alert.description)}`, {
          alert: alert.description,
          alertDirection: "received",
        });
      }
      return routed;
    }
    this.#joiner.push(plaintext);
    if (this.#tls12) {
      const msg = this.#joiner.next();
      if (msg) {
        throw unexpected(
          `handshake message ${msg.type} after a TLS 1.2 handshake (renegotiation is refused)`,
          "UnexpectedPostHandshakeMessage",
        );
      }
      return routed;
    }
    for (let msg = this.#joiner.next(); msg; msg = this.#joiner.next()) {
      if (msg.type === HandshakeType.KeyUpdate) {
        const ku = readKeyUpdate(new Reader(msg.body, "KeyUpdate"));
        this.#joiner.checkKeyChangeBoundary();
        routed.keyUpdate = ku.requestUpdate === 1 ? "requested" : "not_requested";
      } else if (msg.type === HandshakeType.NewSessionTicket) {
        if (!this.#tickets) {
          throw unexpected("NewSessionTicket sent to a server", "UnexpectedNewSessionTicket");
        }
        await this.#tickets(msg.body.slice());
      } else {
        throw unexpected(
          `handshake message ${msg.type} after the handshake`,
          "UnexpectedPostHandshakeMessage",
        );
      }
    }
    return routed;
  }
}
