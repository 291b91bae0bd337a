/**
 * Checking the peer's Finished (RFC 8446 section 4.4.4), the same rule for
 * client and server.
 *
 * @module
 */

import { tlsError } from "../error.ts";
import type { Hmac } from "../crypto/types.ts";
import { AlertDescription } from "../msgs/enums.ts";
import { constantTimeEqual } from "../_bytes.ts";
import { finishedVerifyData } from "./key_schedule.ts";

/**
 * Throws unless `received` is the verify_data `sender` owes for
 * `transcriptHash` under `baseKey` (its handshake traffic secret). A
 * verify_data whose length is not Hash.length is malformed, so
 * `decode_error` (sections 4.4.4 and 6.2); a wrong value of the right length
 * is `decrypt_error`, found by a constant-time comparison.
 *
 * @example
 * ```ts
 * import { checkPeerFinished } from "./finished.ts";
 * import { finishedVerifyData } from "./key_schedule.ts";
 * import { hmacSha256 } from "../crypto/webcrypto/hash.ts";
 * const secret = new Uint8Array(32), hash = new Uint8Array(32);
 * const good = await finishedVerifyData(hmacSha256, secret, hash);
 * await checkPeerFinished(hmacSha256, secret, hash, good, "server"); // passes
 * ```
 */
export async function checkPeerFinished(
  hmac: Hmac,
  baseKey: Uint8Array,
  transcriptHash: Uint8Array,
  received: Uint8Array,
  sender: "client" | "server",
): Promise<void> {
  if (received.length !== hmac.hash.outputLen) {
    throw tlsError(
      "InvalidMessage",
      "FinishedWrongLength",
      `${sender} Finished is ${received.length} bytes, not ${hmac.hash.outputLen}`,
      { alert: AlertDescription.DecodeError },
    );
  }
  const expected = await finishedVerifyData(hmac, baseKey, transcriptHash);
  if (!constantTimeEqual(expected, received)) {
    throw tlsError("DecryptError", "FinishedMismatch", `${sender} Finished is wrong`, {
      alert: AlertDescription.DecryptError,
    });
  }
}
