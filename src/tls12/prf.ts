/**
 * The TLS 1.2 key schedule (RFC 5246 section 5 and 6.3, RFC 7627): the PRF
 * over the suite's HMAC, the master secret (classic and extended), the key
 * block, and Finished verify_data.
 *
 * @module
 */

import type { Aead, Hmac } from "../crypto/types.ts";
import { concat } from "../_bytes.ts";

const encoder = new TextEncoder();

/** Length of the TLS 1.2 master secret. */
export const MASTER_SECRET_LENGTH = 48;

/**
 * PRF(secret, label, seed) = P_hash(secret, label || seed), truncated to
 * `length` bytes (RFC 5246 section 5).
 *
 * @example
 * ```ts
 * import { prf } from "./prf.ts";
 * import { hmacSha256 } from "../crypto/webcrypto/hash.ts";
 * const out = await prf(hmacSha256, new Uint8Array(16), "test label", new Uint8Array(8), 100);
 * console.log(out.length); // 100
 * ```
 */
export async function prf(
  hmac: Hmac,
  secret: Uint8Array,
  label: string,
  seed: Uint8Array,
  length: number,
): Promise<Uint8Array> {
  const fullSeed = concat(encoder.encode(label), seed);
  const out = new Uint8Array(length);
  let a = fullSeed;
  let filled = 0;
  while (filled < length) {
    a = await hmac.sign(secret, a);
    const block = await hmac.sign(secret, concat(a, fullSeed));
    const take = Math.min(block.length, length - filled);
    out.set(block.subarray(0, take), filled);
    filled += take;
  }
  return out;
}

/**
 * The master secret. With `sessionHash` (the transcript hash up to and
 * including ClientKeyExchange) it is the RFC 7627 extended master secret;
 * without, the classic RFC 5246 one over the two randoms.
 *
 * @example
 * ```ts
 * import { masterSecret } from "./prf.ts";
 * import { hmacSha256 } from "../crypto/webcrypto/hash.ts";
 * const ms = await masterSecret(hmacSha256, new Uint8Array(32), new Uint8Array(32), new Uint8Array(32), new Uint8Array(32));
 * console.log(ms.length); // 48
 * ```
 */
export function masterSecret(
  hmac: Hmac,
  preMasterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  sessionHash?: Uint8Array,
): Promise<Uint8Array> {
  return sessionHash
    ? prf(hmac, preMasterSecret, "extended master secret", sessionHash, MASTER_SECRET_LENGTH)
    : prf(
      hmac,
      preMasterSecret,
      "master secret",
      concat(clientRandom, serverRandom),
      MASTER_SECRET_LENGTH,
    );
}

/**
 * Finished verify_data (RFC 5246 section 7.4.9): 12 bytes of
 * PRF(master, "client finished" | "server finished", Hash(handshake)).
 *
 * @example
 * ```ts
 * import { verifyData } from "./prf.ts";
 * import { hmacSha256 } from "../crypto/webcrypto/hash.ts";
 * const vd = await verifyData(hmacSha256, new Uint8Array(48), "client", new Uint8Array(32));
 * console.log(vd.length); // 12
 * ```
 */
export function verifyData(
  hmac: Hmac,
  master: Uint8Array,
  side: "client" | "server",
  handshakeHash: Uint8Array,
): Promise<Uint8Array> {
  return prf(hmac, master, `${side} finished`, handshakeHash, 12);
}

/** Length of the fixed IV in the key block: the GCM salt, or the whole ChaCha20 IV (RFC 7905). */
export function fixedIvLength(aead: Aead): number {
  return aead.kind === "Chacha20Poly1305" ? 12 : 4;
}

/** Length of the explicit nonce carried in each record (8 for AES-GCM, none for ChaCha20). */
export function explicitNonceLength(aead: Aead): number {
  return aead.kind === "Chacha20Poly1305" ? 0 : 8;
}

/** The write keys of one direction. */
export interface Tls12DirectionKeys {
  /** The AEAD key. */
  key: Uint8Array;
  /**
   * The 12-byte nonce base. AES-GCM: the 4-byte salt from the key block then
   * the 8 bytes the key block yields after both salts (RFC 5288 leaves these
   * to the sender; we take them, as rustls does, so that the kernel hand-off
   * returns exactly this value). ChaCha20-Poly1305: the 12-byte write IV.
   */
  iv: Uint8Array;
}

/** Both directions' keys from one key block. */
export interface Tls12KeyBlock {
  /** client_write_key and its nonce base. */
  client: Tls12DirectionKeys;
  /** server_write_key and its nonce base. */
  server: Tls12DirectionKeys;
}

/**
 * Expands the key block (RFC 5246 section 6.3; AEAD suites have no MAC keys):
 * client key, server key, client fixed IV, server fixed IV, and for AES-GCM 8
 * more bytes that seed the explicit nonces.
 *
 * @example
 * ```ts
 * import { keyBlock } from "./prf.ts";
 * import { hmacSha256 } from "../crypto/webcrypto/hash.ts";
 * import { aes128Gcm } from "../crypto/webcrypto/aead.ts";
 * const kb = await keyBlock(hmacSha256, aes128Gcm, new Uint8Array(48), new Uint8Array(32), new Uint8Array(32));
 * console.log(kb.client.key.length, kb.client.iv.length); // 16 12
 * ```
 */
export async function keyBlock(
  hmac: Hmac,
  aead: Aead,
  master: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
): Promise<Tls12KeyBlock> {
  const keyLen = aead.keyLen;
  const fixed = fixedIvLength(aead);
  const explicit = explicitNonceLength(aead);
  const block = await prf(
    hmac,
    master,
    "key expansion",
    concat(serverRandom, clientRandom),
    2 * keyLen + 2 * fixed + explicit,
  );
  let at = 0;
  const take = (n: number): Uint8Array => block.slice(at, at += n);
  const clientKey = take(keyLen);
  const serverKey = take(keyLen);
  const clientFixed = take(fixed);
  const serverFixed = take(fixed);
  const extra = take(explicit);
  return {
    client: { key: clientKey, iv: concat(clientFixed, extra) },
    server: { key: serverKey, iv: concat(serverFixed, extra) },
  };
}
