/**
 * Turning a TLS 1.3 NewSessionTicket into a stored session (RFC 8446 section
 * 4.6.1). Used both during the connection and after the kernel hand-off.
 *
 * @module
 */

import type { Tls13CipherSuite } from "../crypto/types.ts";
import { ExtensionType } from "../msgs/enums.ts";
import { findExtension } from "../msgs/extensions.ts";
import type { NewSessionTicket } from "../msgs/new_session_ticket.ts";
import { resumptionPsk } from "../tls13/key_schedule.ts";
import type { ClientSessionStore, Tls13ClientSession } from "./session_store.ts";

/** Longest ticket lifetime honoured: 7 days (RFC 8446 section 4.6.1). */
export const MAX_TICKET_LIFETIME_SECONDS = 604800;

/** What a stored ticket needs from the connection it arrived on. */
export interface TicketContext {
  /** The store, or undefined when resumption is off. */
  store: ClientSessionStore | undefined;
  /** Server name the tickets belong to. */
  serverName: string;
  /** Negotiated suite. */
  suite: Tls13CipherSuite;
  /** resumption_master_secret. */
  resumptionSecret: Uint8Array;
  /** Clock. */
  now: () => Date;
  /** Negotiated ALPN protocol. */
  alpnProtocol: string | undefined;
  /** Negotiated group. */
  kxGroup: number | undefined;
}

/** Derives the PSK and stores the ticket; a zero lifetime means "do not store". */
export async function storeTicket(cx: TicketContext, nst: NewSessionTicket): Promise<void> {
  if (!cx.store || nst.ticketLifetime === 0) return;
  const session: Tls13ClientSession = {
    suiteId: cx.suite.id,
    ticket: nst.ticket.slice(),
    psk: await resumptionPsk(cx.suite.hmac, cx.resumptionSecret, nst.ticketNonce),
    ageAdd: nst.ticketAgeAdd,
    lifetimeSeconds: Math.min(nst.ticketLifetime, MAX_TICKET_LIFETIME_SECONDS),
    receivedAt: cx.now().getTime(),
    maxEarlyDataSize: findExtension(nst.extensions, ExtensionType.early_data)?.maxEarlyDataSize ??
      0,
    alpnProtocol: cx.alpnProtocol,
    kxGroup: cx.kxGroup,
  };
  await cx.store.insertTls13Ticket(cx.serverName, session);
}
