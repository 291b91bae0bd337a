/**
 * The GREASE values (RFC 8701) one client connection sends: drawn once, so
 * the second ClientHello after a HelloRetryRequest repeats them as RFC 8446
 * section 4.1.2 requires.
 *
 * @module
 */

import { greasePskMode, greaseValue } from "../msgs/grease.ts";

/** One connection's GREASE values, one per place they go. */
export interface ClientGrease {
  /** First in cipher_suites. */
  cipherSuite: number;
  /** An empty extension, first in the list. */
  firstExtension: number;
  /** A one-byte extension, last before pre_shared_key (differs from the first). */
  lastExtension: number;
  /** First in supported_groups, with a one-byte share first in key_share. */
  group: number;
  /** First in signature_algorithms. */
  signatureScheme: number;
  /** First in supported_versions. */
  version: number;
  /** Added to psk_key_exchange_modes. */
  pskMode: number;
}

/** Draws a connection's GREASE values from `randomBytes`. */
export function drawGrease(randomBytes: (n: number) => Uint8Array): ClientGrease {
  const r = randomBytes(7);
  const firstExtension = greaseValue(r[1]);
  let lastExtension = greaseValue(r[2]);
  // Two extensions of one type would make the ClientHello illegal.
  if (lastExtension === firstExtension) lastExtension ^= 0x1010;
  return {
    cipherSuite: greaseValue(r[0]),
    firstExtension,
    lastExtension,
    group: greaseValue(r[3]),
    signatureScheme: greaseValue(r[4]),
    version: greaseValue(r[5]),
    pskMode: greasePskMode(r[6]),
  };
}
