/**
 * The TLS 1.2 traffic keys a finished handshake leaves behind, kept for the
 * kernel hand-off.
 *
 * @module
 */

import type { Tls12CipherSuite } from "../crypto/types.ts";
import type { Tls12DirectionKeys } from "./prf.ts";

/** Both directions' keys of a TLS 1.2 connection, seen from our side. */
export interface Tls12Traffic {
  /** The negotiated suite. */
  readonly suite: Tls12CipherSuite;
  /** Our write key and nonce base. */
  readonly tx: Tls12DirectionKeys;
  /** The peer's write key and nonce base. */
  readonly rx: Tls12DirectionKeys;
}
