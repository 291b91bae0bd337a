/**
 * HKDF (RFC 5869) and TLS 1.3's HKDF-Expand-Label / Derive-Secret (RFC 8446
 * section 7.1), written once on top of HMAC. Web Crypto's own HKDF cannot run
 * Expand on its own, which the TLS key schedule needs.
 *
 * @module
 */

import type { Hmac, KeyedHmac } from "./types.ts";

const textEncoder = new TextEncoder();

/** HKDF-Extract(salt, IKM). An empty salt means HashLen zero bytes. */
export function hkdfExtract(hmac: Hmac, salt: Uint8Array, ikm: Uint8Array): Promise<Uint8Array> {
  const s = salt.length === 0 ? new Uint8Array(hmac.hash.outputLen) : salt;
  return hmac.sign(s, ikm);
}

/**
 * HMAC under `key`, in the provider's prepared form when it has one
 * (`Hmac.withKey`): for a secret that feeds several expansions.
 */
export function keyedHmac(hmac: Hmac, key: Uint8Array): KeyedHmac {
  return hmac.withKey?.(key) ?? { sign: (data) => hmac.sign(key, data) };
}

/**
 * HKDF-Expand(PRK, info, L); `prk` as bytes or already keyed (see
 * {@link keyedHmac}). Throws `RangeError` when L > 255 * HashLen.
 */
export async function hkdfExpand(
  hmac: Hmac,
  prk: Uint8Array | KeyedHmac,
  info: Uint8Array,
  length: number,
): Promise<Uint8Array> {
  const hashLen = hmac.hash.outputLen;
  if (!Number.isInteger(length) || length < 0 || length > 255 * hashLen) {
    throw new RangeError(`HKDF-Expand length ${length} out of range`);
  }
  const mac: KeyedHmac = prk instanceof Uint8Array ? { sign: (data) => hmac.sign(prk, data) } : prk;
  const out = new Uint8Array(length);
  let previous = new Uint8Array(0);
  let offset = 0;
  for (let counter = 1; offset < length; counter++) {
    const input = new Uint8Array(previous.length + info.length + 1);
    input.set(previous, 0);
    input.set(info, previous.length);
    input[input.length - 1] = counter;
    previous = await mac.sign(input) as Uint8Array<ArrayBuffer>;
    const take = Math.min(hashLen, length - offset);
    out.set(previous.subarray(0, take), offset);
    offset += take;
  }
  return out;
}

/** Builds the HkdfLabel structure of RFC 8446 section 7.1. */
export function hkdfLabel(label: string, context: Uint8Array, length: number): Uint8Array {
  const fullLabel = textEncoder.encode("tls13 " + label);
  if (fullLabel.length > 255 || context.length > 255 || length > 0xffff) {
    throw new RangeError("HkdfLabel field too long");
  }
  const out = new Uint8Array(2 + 1 + fullLabel.length + 1 + context.length);
  out[0] = length >> 8;
  out[1] = length & 0xff;
  out[2] = fullLabel.length;
  out.set(fullLabel, 3);
  out[3 + fullLabel.length] = context.length;
  out.set(context, 4 + fullLabel.length);
  return out;
}

/** HKDF-Expand-Label(Secret, Label, Context, Length). */
export function hkdfExpandLabel(
  hmac: Hmac,
  secret: Uint8Array | KeyedHmac,
  label: string,
  context: Uint8Array,
  length: number,
): Promise<Uint8Array> {
  return hkdfExpand(hmac, secret, hkdfLabel(label, context, length), length);
}

/** Derive-Secret(Secret, Label, TranscriptHash) with an already computed hash. */
export function deriveSecret(
  hmac: Hmac,
  secret: Uint8Array | KeyedHmac,
  label: string,
  transcriptHash: Uint8Array,
): Promise<Uint8Array> {
  return hkdfExpandLabel(hmac, secret, label, transcriptHash, hmac.hash.outputLen);
}
