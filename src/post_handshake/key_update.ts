/**
 * Our KeyUpdate (RFC 8446 section 4.6.3): its bytes, and when the peer's
 * update_requested must be answered. The connection and `KernelRecordLayer`
 * both send through these.
 *
 * @module
 */

import { HandshakeType, KeyUpdateRequest } from "../msgs/enums.ts";
import { encodeHandshake } from "../msgs/handshake.ts";

/** The encoded KeyUpdate handshake message (header included) we send. */
export function keyUpdateMessage(requestPeer: boolean): Uint8Array {
  return encodeHandshake({
    type: HandshakeType.key_update,
    requestUpdate: requestPeer
      ? KeyUpdateRequest.update_requested
      : KeyUpdateRequest.update_not_requested,
  });
}

/** Our send side when the peer's KeyUpdate arrives. */
export interface SendSide {
  /** We sent close_notify: nothing more goes out. */
  closed: boolean;
  /** We have sent a KeyUpdate of our own and nothing since under its new key. */
  silentSinceOurUpdate: boolean;
}

/**
 * Whether the peer's KeyUpdate with `requestUpdate` needs our KeyUpdate now.
 * The answer must precede our next application data (4.6.3). A request that
 * arrives while we have been silent since our last KeyUpdate is answered by
 * that one (our current key has protected nothing the peer could tie to the
 * old one), so a burst of requests draws at most one answer.
 */
export function mustAnswerKeyUpdate(requestUpdate: number, send: SendSide): boolean {
  return requestUpdate === KeyUpdateRequest.update_requested && !send.closed &&
    !send.silentSinceOurUpdate;
}
