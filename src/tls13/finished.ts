/**
 * Checking the peer's Finished (RFC 8446 section 4.4.4), the same rule for
 * client and server.
 *
 * @module
 */

import { tlsError } from "../error.ts";
import type { Hmac, Tls13CipherSuite } from "../crypto/types.ts";
import { AlertDescription } from "../msgs/enums.ts";
import { constantTimeEqual } from "../_bytes.ts";
import { finishedVerifyData } from "./key_schedule.ts";
import type { Transcript } from "./transcript.ts";

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
import type { Transcript } from "./transcript.ts";
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
      { alert: AlertDescription.decode_error },
    );
  }
  const expected = await finishedVerifyData(hmac, baseKey, transcriptHash);
  if (!constantTimeEqual(expected, received)) {
    throw tlsError("DecryptError", "FinishedMismatch", `${sender} Finished is wrong`, {
      alert: AlertDescription.decrypt_error,
    });
  }
}

/** What Finished needs of a suite: its HMAC, and its hash for the transcript. */
export type FinishedSuite = Pick<Tls13CipherSuite, "hash" | "hmac">;

/**
 * Receives the peer's Finished: {@link checkPeerFinished} over the transcript
 * so far (hashed with `suite.hash`), then logs the message (`encoded`) in it.
 * The one rule for both sides.
 *
 * @example
 * ```ts
 * import { acceptPeerFinished, ownFinished } from "./finished.ts";
 * import { Transcript } from "./transcript.ts";
 * import { hmacSha256, sha256 } from "../crypto/webcrypto/hash.ts";
 * const suite = { hash: sha256, hmac: hmacSha256 };
 * const secret = new Uint8Array(32), t = new Transcript();
 * const verifyData = await ownFinished(suite, secret, t);
 * await acceptPeerFinished(suite, secret, t, verifyData, new Uint8Array(4), "server");
 * console.log(t.byteLength); // 4
 * ```
 */
export async function acceptPeerFinished(
  suite: FinishedSuite,
  baseKey: Uint8Array,
  transcript: Transcript,
  received: Uint8Array,
  encoded: Uint8Array,
  sender: "client" | "server",
): Promise<void> {
  const hash = await transcript.hash(suite.hash);
  await checkPeerFinished(suite.hmac, baseKey, hash, received, sender);
  transcript.add(encoded);
}

/**
 * The verify_data of our own Finished: over the transcript so far (hashed
 * with `suite.hash`), under our handshake traffic secret `baseKey`.
 *
 * @example
 * ```ts
 * import { ownFinished } from "./finished.ts";
 * import { Transcript } from "./transcript.ts";
 * import { hmacSha256, sha256 } from "../crypto/webcrypto/hash.ts";
 * const suite = { hash: sha256, hmac: hmacSha256 };
 * console.log((await ownFinished(suite, new Uint8Array(32), new Transcript())).length); // 32
 * ```
 */
export async function ownFinished(
  suite: FinishedSuite,
  baseKey: Uint8Array,
  transcript: Transcript,
): Promise<Uint8Array> {
  return finishedVerifyData(suite.hmac, baseKey, await transcript.hash(suite.hash));
}
