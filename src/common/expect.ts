/**
 * Decoding a handshake message that a state awaits.
 *
 * @module
 */

import { unexpectedMessage } from "../error.ts";
import type { HandshakeMessage as RawHandshake } from "../record/handshake_joiner.ts";
import { decodeHandshake, type HandshakeMessage } from "../msgs/handshake.ts";

/** Decodes `raw` as a message of `type`, or throws unexpected_message naming `expected`. */
export function expectMessage<T extends number>(
  raw: RawHandshake,
  type: T,
  expected: string,
): Extract<HandshakeMessage, { type: T }> {
  if (raw.type !== type) throw unexpectedMessage(expected, raw.type);
  return decodeHandshake(raw.type, raw.body) as Extract<HandshakeMessage, { type: T }>;
}
