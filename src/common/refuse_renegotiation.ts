/**
 * The TLS 1.2 connection after its handshake: renegotiation is refused by
 * the post-handshake policy's {@link RenegotiationRefusal}, the rule
 * `KernelRecordLayer` applies after the hand-off too.
 *
 * @module
 */

import type { ConnectionCore, HandshakeState } from "./core.ts";
import { AlertDescription, AlertLevel } from "../msgs/enums.ts";
import type { HandshakeMessage as RawHandshake } from "../record/handshake_joiner.ts";
import { RenegotiationRefusal } from "../post_handshake/inbound_policy.ts";

/**
 * After a TLS 1.2 handshake: a renegotiation request (`trigger`, HelloRequest
 * for a client, ClientHello for a server) is answered once with a
 * no_renegotiation warning (RFC 5746 is honoured by never renegotiating); a
 * second one is fatal. Anything else is unexpected.
 */
export class RefuseRenegotiation implements HandshakeState {
  /** State name. */
  readonly name = "ExpectTraffic12";
  readonly #refusal: RenegotiationRefusal;

  /** Watches for `trigger` (a HandshakeType), named `triggerName` in errors. */
  constructor(trigger: number, triggerName: string) {
    this.#refusal = new RenegotiationRefusal(trigger, triggerName);
  }

  /** Refuses the renegotiation request. */
  // deno-lint-ignore require-await
  async handle(cx: ConnectionCore, raw: RawHandshake): Promise<HandshakeState> {
    this.#refusal.take(raw);
    cx.sendAlert(AlertDescription.no_renegotiation, AlertLevel.warning);
    return this;
  }
}
