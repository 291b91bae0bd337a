/**
 * Issuing TLS 1.3 tickets after the handshake (RFC 8446 section 4.6.1):
 * stateful (a random identifier, the session in the `ServerSessionStore`) or
 * stateless (the session sealed by the `Ticketer`).
 *
 * @module
 */

import type { ConnectionCore } from "../common/core.ts";
import type { Tls13CipherSuite } from "../crypto/types.ts";
import { ExtensionType, HandshakeType } from "../msgs/enums.ts";
import type { NewSessionTicketExtension } from "../msgs/extension_types.ts";
import { encodeHandshake } from "../msgs/handshake.ts";
import { resumptionPsk } from "../tls13/key_schedule.ts";
import type { ServerHandshakeData } from "./handshake_data.ts";
import { encodeServerSession, type ServerSessionValue } from "./session_value.ts";

/** Length of a stateful ticket identifier. */
const TICKET_ID_LEN = 32;

/** Queues the configured number of NewSessionTickets under the current (application) key. */
export async function sendTickets(
  cx: ConnectionCore,
  hs: ServerHandshakeData,
  suite: Tls13CipherSuite,
  resumptionSecret: Uint8Array,
): Promise<void> {
  const { config } = hs;
  if (!config.resumption) return;
  const ticketer = config.ticketer;
  const lifetimeSeconds = Math.min(
    ticketer ? ticketer.lifetimeSeconds : config.ticketLifetimeSeconds,
    604800,
  );
  if (lifetimeSeconds === 0) return;
  // Stateless tickets cannot be marked as used, so they never carry 0-RTT.
  const maxEarlyDataSize = ticketer ? 0 : config.maxEarlyDataSize;
  for (let i = 0; i < config.sendTls13Tickets; i++) {
    const nonce = new Uint8Array([i]);
    const r = config.randomBytes(4);
    const ageAdd = ((r[0] << 24) | (r[1] << 16) | (r[2] << 8) | r[3]) >>> 0;
    const session: ServerSessionValue = {
      suiteId: suite.id,
      psk: await resumptionPsk(suite.hmac, resumptionSecret, nonce),
      createdAt: config.now().getTime(),
      lifetimeSeconds,
      ageAdd,
      alpnProtocol: cx.info.alpnProtocol,
      serverName: cx.info.serverName,
      maxEarlyDataSize,
      peerCertificates: cx.info.peerCertificates,
    };
    let ticket: Uint8Array;
    if (ticketer) {
      ticket = await ticketer.encrypt(encodeServerSession(session));
    } else {
      ticket = config.randomBytes(TICKET_ID_LEN);
      if (!await config.sessionStore.put(ticket, session)) continue;
    }
    const extensions: NewSessionTicketExtension[] = maxEarlyDataSize > 0
      ? [{ type: ExtensionType.early_data, maxEarlyDataSize }]
      : [];
    cx.sendHandshake(encodeHandshake({
      type: HandshakeType.new_session_ticket,
      ticketLifetime: lifetimeSeconds,
      ticketAgeAdd: ageAdd,
      ticketNonce: nonce,
      ticket,
      extensions,
    }));
  }
}
