/**
 * One policy for what the peer may send once records are protected, used by
 * the connection core and by `KernelRecordLayer` alike, so the same input
 * gets the same outcome and the same alert on both paths:
 *
 * - RFC 8446 section 5.1: no record of another type inside a fragmented
 *   handshake message, and no handshake message across a key change;
 * - alerts and their levels (see {@link interpretAlert});
 * - records that carry no progress (empty data, warning alerts, dropped
 *   change_cipher_spec): at most {@link MAX_IDLE_RECORDS} in a row;
 * - after the handshake: KeyUpdate within its {@link KeyUpdateBudget},
 *   NewSessionTicket for a client only, a TLS 1.2 renegotiation request
 *   refused once with a warning and then fatally, anything else unexpected.
 *
 * @module
 */

import { inappropriateMessage, type TlsError, tlsError } from "../error.ts";
import { Reader } from "../msgs/codec.ts";
import { AlertDescription, handshakeName, HandshakeType } from "../msgs/enums.ts";
import { readKeyUpdate } from "../msgs/simple_messages.ts";
import { HandshakeJoiner, type HandshakeMessage } from "../record/handshake_joiner.ts";
import { interpretAlert } from "./alerts.ts";
import { DEFAULT_MAX_KEY_UPDATES, KeyUpdateBudget } from "./key_update_budget.ts";

/** Consecutive records that carry no progress (empty data, CCS, warnings) tolerated. */
export const MAX_IDLE_RECORDS = 32;

/** What a post-handshake message asks of the record layer. */
export type PostHandshakeAction =
  /** TLS 1.3: move the receive key forward; answer when {@link mustAnswerKeyUpdate}. */
  | { kind: "KeyUpdate"; requestUpdate: 0 | 1 }
  /** TLS 1.3, client: store the ticket (`body` without the 4-byte header). */
  | { kind: "NewSessionTicket"; body: Uint8Array }
  /** TLS 1.2: send a no_renegotiation warning and carry on. */
  | { kind: "RefuseRenegotiation" };

/** Options for {@link InboundPolicy}. */
export interface InboundPolicyOptions {
  /** Our side: only a client takes NewSessionTicket. */
  side: "client" | "server";
  /** KeyUpdates the peer may make us take in all (default {@link DEFAULT_MAX_KEY_UPDATES}). */
  maxKeyUpdates?: number;
  /** KeyUpdates of `maxKeyUpdates` already taken (before a kernel hand-off). */
  keyUpdatesTaken?: number;
}

/**
 * TLS 1.2 after the handshake: the renegotiation request `trigger`
 * (HelloRequest to a client, ClientHello to a server) is refused once with a
 * no_renegotiation warning (RFC 5746 is honoured by never renegotiating); a
 * second one is fatal no_renegotiation; any other message is unexpected.
 */
export class RenegotiationRefusal {
  readonly #trigger: number;
  readonly #triggerName: string;
  #refused = false;

  /** Watches for `trigger`, a `HandshakeType`, named `triggerName` in errors. */
  constructor(trigger: number, triggerName: string) {
    this.#trigger = trigger;
    this.#triggerName = triggerName;
  }

  /** Takes one post-handshake message; returns when a warning must be sent. */
  take(msg: HandshakeMessage): void {
    if (msg.type !== this.#trigger) {
      throw inappropriateMessage(
        `expected no handshake message, got ${handshakeName(msg.type)}`,
        "UnexpectedHandshakeMessage",
      );
    }
    if (this.#refused) {
      throw tlsError(
        "PeerMisbehaved",
        "RenegotiationRefused",
        `second ${this.#triggerName} after a refused renegotiation`,
        { alert: AlertDescription.no_renegotiation },
      );
    }
    this.#refused = true;
  }
}

/** The peer's records as the policy sees them; one per connection (or record layer). */
export class InboundPolicy {
  readonly #joiner = new HandshakeJoiner();
  readonly #side: "client" | "server";
  readonly #keyUpdates: KeyUpdateBudget;
  readonly #renegotiation: RenegotiationRefusal;
  #idle = 0;

  /** A policy for `options.side`. */
  constructor(options: InboundPolicyOptions) {
    this.#side = options.side;
    this.#keyUpdates = new KeyUpdateBudget(
      options.maxKeyUpdates ?? DEFAULT_MAX_KEY_UPDATES,
      options.keyUpdatesTaken,
    );
    const trigger = options.side === "client"
      ? HandshakeType.hello_request
      : HandshakeType.client_hello;
    this.#renegotiation = new RenegotiationRefusal(trigger, handshakeName(trigger));
  }

  /** The peer's KeyUpdate allowance: the bound and how much of it is used. */
  get peerKeyUpdates(): { max: number; taken: number } {
    return { max: this.#keyUpdates.maxTotal, taken: this.#keyUpdates.total };
  }

  /** True when a complete handshake message is buffered. */
  get hasCompleteMessage(): boolean {
    return this.#joiner.hasCompleteMessage;
  }

  /** RFC 8446 5.1: call for every record of a type other than handshake, before acting on it. */
  checkNotInterleaved(contentType: number): void {
    this.#joiner.checkNotInterleaved(contentType);
  }

  /** RFC 8446 5.1: call when the read key changes; nothing may be buffered. */
  checkKeyChangeBoundary(): void {
    this.#joiner.checkKeyChangeBoundary();
  }

  /** A handshake record's payload: it makes progress; take its messages with {@link nextMessage}. */
  handshakeFragment(fragment: Uint8Array): void {
    this.#idle = 0;
    this.#joiner.push(fragment);
  }

  /** The next complete handshake message, if any. */
  nextMessage(): HandshakeMessage | undefined {
    return this.#joiner.next();
  }

  /** An alert record's payload; a warning that leaves the connection up counts as idle. */
  alert(
    payload: Uint8Array,
    handshakeComplete: boolean,
    protocolVersion: "TLSv1_3" | "TLSv1_2" | undefined,
  ): "close_notify" | "warning" {
    const kind = interpretAlert(payload, handshakeComplete, protocolVersion);
    if (kind === "warning") this.idle("warning alerts");
    return kind;
  }

  /**
   * `length` bytes of application data (0-RTT data when `early`): true when
   * there is something to deliver; an empty record counts as idle. Received
   * data earns the peer KeyUpdates.
   */
  applicationData(length: number, early = false): boolean {
    if (length === 0) {
      this.idle(early ? "empty early data records" : "empty application data records");
      return false;
    }
    this.#idle = 0;
    if (!early) this.#keyUpdates.noteData(length);
    return true;
  }

  /** A record that carried nothing (`what`, plural, names it in the error). */
  idle(what: string): void {
    if (++this.#idle > MAX_IDLE_RECORDS) {
      throw tlsError("PeerMisbehaved", "TooManyEmptyRecords", `too many consecutive ${what}`, {
        alert: AlertDescription.unexpected_message,
      });
    }
  }

  /** A handshake message after the handshake completed: what to do with it. */
  afterHandshake(
    msg: HandshakeMessage,
    protocolVersion: "TLSv1_3" | "TLSv1_2",
  ): PostHandshakeAction {
    if (protocolVersion === "TLSv1_2") {
      this.#renegotiation.take(msg);
      return { kind: "RefuseRenegotiation" };
    }
    switch (msg.type) {
      case HandshakeType.key_update: {
        const { requestUpdate } = readKeyUpdate(new Reader(msg.body, "KeyUpdate"));
        this.#joiner.checkKeyChangeBoundary();
        this.#keyUpdates.spend();
        return { kind: "KeyUpdate", requestUpdate };
      }
      case HandshakeType.new_session_ticket:
        if (this.#side === "client") return { kind: "NewSessionTicket", body: msg.body };
        break;
    }
    const expected = this.#side === "client" ? "KeyUpdate or NewSessionTicket" : "KeyUpdate";
    throw inappropriateMessage(
      `expected ${expected}, got ${handshakeName(msg.type)}`,
      "UnexpectedHandshakeMessage",
    );
  }
}

/**
 * A change_cipher_spec record where none may come: in TLS 1.3 outside the
 * handshake's compatibility window (RFC 8446 section 5), in TLS 1.2 where no
 * key change is due.
 */
export function unexpectedChangeCipherSpec(): TlsError {
  return tlsError(
    "PeerMisbehaved",
    "IllegalMiddleboxChangeCipherSpec",
    "unexpected change_cipher_spec",
    { alert: AlertDescription.unexpected_message },
  );
}
