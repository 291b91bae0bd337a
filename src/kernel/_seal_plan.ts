/**
 * Planning one `KernelRecordLayer.seal` call: the data cut into records, with
 * our KeyUpdate wherever the next record would reach the send key's
 * confidentiality limit (TLS 1.2, which has no KeyUpdate, refuses instead).
 *
 * @module
 */

import { tlsError } from "../error.ts";
import { ContentType } from "../msgs/enums.ts";
import { keyUpdateMessage } from "../post_handshake/key_update.ts";

/** A planned record of one `seal` call. */
export interface Planned {
  contentType: number;
  payload: Uint8Array;
  /** A KeyUpdate we send to stay under the confidentiality limit. */
  rotate: boolean;
}

/** How records are cut and when the key must move. */
export interface PlanLimits {
  maxFragment: number;
  /** Records one key may protect, the KeyUpdate included. */
  limit: bigint;
  tls12: boolean;
}

/** The records for `data`, starting at send sequence number `seq`. */
export function planSeal(data: Uint8Array, seq: bigint, limits: PlanLimits): Planned[] {
  const plan: Planned[] = [];
  const { maxFragment, limit, tls12 } = limits;
  for (let at = 0; at < data.length; at += maxFragment) {
    // The KeyUpdate itself is the last record the old key protects.
    if (seq >= limit - 1n) {
      if (tls12) {
        // Nothing sealed yet: the caller may still send close_notify.
        throw tlsError(
          "EncryptError",
          "ConfidentialityLimitReached",
          "the key's confidentiality limit is reached",
        );
      }
      plan.push({
        contentType: ContentType.handshake,
        payload: keyUpdateMessage(false),
        rotate: true,
      });
      seq = 0n;
    }
    const payload = data.subarray(at, Math.min(data.length, at + maxFragment));
    plan.push({ contentType: ContentType.application_data, payload, rotate: false });
    seq++;
  }
  return plan;
}
