/**
 * HPKE's labelled HKDF (RFC 9180 section 4): every Extract and Expand is
 * bound to the protocol version "HPKE-v1" and a suite identifier, so keys
 * derived for one KEM or suite can never collide with another's.
 *
 * @module
 */

import { concat } from "../../_bytes.ts";
import { hkdfExpand, hkdfExtract } from "../hkdf.ts";
import type { Hmac } from "../types.ts";

const textEncoder = new TextEncoder();
const HPKE_V1 = textEncoder.encode("HPKE-v1");

/** I2OSP(n, w): `n` as a `w`-byte big-endian integer (w <= 6). */
export function i2osp(n: number, w: number): Uint8Array {
  const out = new Uint8Array(w);
  for (let i = w - 1; i >= 0; i--) {
    out[i] = n % 256;
    n = Math.floor(n / 256);
  }
  return out;
}

/** suite_id of a KEM: "KEM" || I2OSP(kem_id, 2) (RFC 9180 section 4.1). */
export function kemSuiteId(kemId: number): Uint8Array {
  return concat(textEncoder.encode("KEM"), i2osp(kemId, 2));
}

/** suite_id of a full suite: "HPKE" || kem_id || kdf_id || aead_id (section 5.1). */
export function hpkeSuiteId(kemId: number, kdfId: number, aeadId: number): Uint8Array {
  return concat(textEncoder.encode("HPKE"), i2osp(kemId, 2), i2osp(kdfId, 2), i2osp(aeadId, 2));
}

/** LabeledExtract(salt, label, ikm). */
export function labeledExtract(
  hmac: Hmac,
  suiteId: Uint8Array,
  salt: Uint8Array,
  label: string,
  ikm: Uint8Array,
): Promise<Uint8Array> {
  return hkdfExtract(hmac, salt, concat(HPKE_V1, suiteId, textEncoder.encode(label), ikm));
}

/** LabeledExpand(prk, label, info, L). */
export function labeledExpand(
  hmac: Hmac,
  suiteId: Uint8Array,
  prk: Uint8Array,
  label: string,
  info: Uint8Array,
  length: number,
): Promise<Uint8Array> {
  const labeledInfo = concat(
    i2osp(length, 2),
    HPKE_V1,
    suiteId,
    textEncoder.encode(label),
    info,
  );
  return hkdfExpand(hmac, prk, labeledInfo, length);
}
