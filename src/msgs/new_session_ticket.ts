/**
 * NewSessionTicket, TLS 1.3 form (RFC 8446 section 4.6.1).
 *
 * @module
 */

import { decodeError } from "../error.ts";
import type { Reader, Writer } from "./codec.ts";
import { HandshakeType } from "./enums.ts";
import { readExtensions, writeExtensions } from "./extensions.ts";
import type { NewSessionTicketExtension } from "./extension_types.ts";

/** A TLS 1.3 NewSessionTicket. */
export interface NewSessionTicket {
  /** Always `HandshakeType.new_session_ticket`. */
  type: typeof HandshakeType.new_session_ticket;
  /** Seconds the ticket may be used for (servers send at most 604800). */
  ticketLifetime: number;
  /** Added (mod 2^32) to the ticket age the client reports. */
  ticketAgeAdd: number;
  /** Per-ticket nonce for deriving the resumption PSK, 0..255 bytes. */
  ticketNonce: Uint8Array;
  /** The opaque ticket, the PSK identity on resumption (non-empty). */
  ticket: Uint8Array;
  /** Extensions; early_data carries `maxEarlyDataSize`. */
  extensions: NewSessionTicketExtension[];
}

/**
 * Reads a NewSessionTicket body. An empty ticket is a `decode_error`.
 *
 * @example
 * ```ts
 * import { Reader } from "./codec.ts";
 * import { readNewSessionTicket } from "./new_session_ticket.ts";
 * const body = new Uint8Array([0, 0, 0x1c, 0x20, 0, 0, 0, 1, 1, 0, 0, 1, 0xaa, 0, 0]);
 * console.log(readNewSessionTicket(new Reader(body)).ticketLifetime); // 7200
 * ```
 */
export function readNewSessionTicket(r: Reader): NewSessionTicket {
  const ticketLifetime = r.u32();
  const ticketAgeAdd = r.u32();
  const ticketNonce = r.vec8();
  const ticket = r.vec16();
  if (ticket.length === 0) throw decodeError("NewSessionTicket: empty ticket", "EmptyList");
  const extensions = readExtensions(r, "NewSessionTicket");
  r.expectEnd("NewSessionTicket");
  return {
    type: HandshakeType.new_session_ticket,
    ticketLifetime,
    ticketAgeAdd,
    ticketNonce,
    ticket,
    extensions,
  };
}

/**
 * Writes a NewSessionTicket body.
 *
 * @example
 * ```ts
 * import { Writer } from "./codec.ts";
 * import { writeNewSessionTicket } from "./new_session_ticket.ts";
 * const w = new Writer();
 * writeNewSessionTicket(w, {
 *   type: 4, ticketLifetime: 7200, ticketAgeAdd: 1, ticketNonce: new Uint8Array([0]),
 *   ticket: new Uint8Array([0xaa]), extensions: [{ type: 42, maxEarlyDataSize: 1024 }],
 * });
 * console.log(w.length); // 23
 * ```
 */
export function writeNewSessionTicket(w: Writer, msg: NewSessionTicket): void {
  if (msg.ticket.length === 0) throw new RangeError("ticket must not be empty");
  w.u32(msg.ticketLifetime).u32(msg.ticketAgeAdd).vec8(msg.ticketNonce).vec16(msg.ticket);
  writeExtensions(w, msg.extensions, "NewSessionTicket");
}
