/**
 * SHA-256, SHA-384, SHA-512 and HMAC over them in plain TypeScript.
 *
 * TLS hashes many small inputs (transcript snapshots, 24 HKDF steps per side
 * and handshake); through Web Crypto each of those is a promise round trip and,
 * for HMAC, a key import as well, which costs far more than the few
 * compressions inside. Computed synchronously here, the `Hash` and `Hmac`
 * objects resolve at once. SHA-2 has no data-dependent branches or table
 * indices, so secret keys and messages cannot steer timing.
 *
 * @module
 */

import type { Hash, Hmac, KeyedHmac } from "../types.ts";
import { Sha256 } from "./_sha256.ts";
import { Sha512 } from "./_sha512.ts";
import type { Sha2Stream } from "./_sha2_stream.ts";

/**
 * SHA-256 of `data`, synchronously.
 *
 * @example
 * ```ts
 * import { sha256Sync } from "./sha2.ts";
 * console.log(sha256Sync(new Uint8Array(0)).length); // 32
 * ```
 */
export function sha256Sync(data: Uint8Array): Uint8Array {
  return new Sha256().update(data).digest();
}

/**
 * SHA-384 of `data`, synchronously.
 *
 * @example
 * ```ts
 * import { sha384Sync } from "./sha2.ts";
 * console.log(sha384Sync(new Uint8Array(0)).length); // 48
 * ```
 */
export function sha384Sync(data: Uint8Array): Uint8Array {
  return new Sha512(48).update(data).digest();
}

/**
 * SHA-512 of `data`, synchronously.
 *
 * @example
 * ```ts
 * import { sha512Sync } from "./sha2.ts";
 * console.log(sha512Sync(new Uint8Array(0)).length); // 64
 * ```
 */
export function sha512Sync(data: Uint8Array): Uint8Array {
  return new Sha512(64).update(data).digest();
}

/**
 * HMAC (RFC 2104) over a SHA-2 stream constructor: `key` of any length,
 * including empty; keys longer than the block are hashed first.
 */
function hmacWith(
  start: () => Sha2Stream,
  blockLen: number,
  key: Uint8Array,
  data: Uint8Array,
): Uint8Array {
  const pad = new Uint8Array(blockLen);
  pad.set(key.length > blockLen ? start().update(key).digest() : key);
  for (let i = 0; i < blockLen; i++) pad[i] ^= 0x36;
  const inner = start().update(pad).update(data).digest();
  // 0x36 ^ 0x5c turns the inner pad into the outer one.
  for (let i = 0; i < blockLen; i++) pad[i] ^= 0x36 ^ 0x5c;
  const mac = start().update(pad).update(inner).digest();
  pad.fill(0);
  return mac;
}

/**
 * HMAC under a fixed `key`: the padded key is absorbed once into an inner and
 * an outer state, which each message then continues from a copy of.
 */
function keyedWith(start: () => Sha2Stream, blockLen: number, key: Uint8Array): KeyedHmac {
  const pad = new Uint8Array(blockLen);
  pad.set(key.length > blockLen ? start().update(key).digest() : key);
  for (let i = 0; i < blockLen; i++) pad[i] ^= 0x36;
  const inner = start().update(pad);
  for (let i = 0; i < blockLen; i++) pad[i] ^= 0x36 ^ 0x5c;
  const outer = start().update(pad);
  pad.fill(0);
  return {
    sign(data: Uint8Array): Promise<Uint8Array> {
      return Promise.resolve(outer.clone().update(inner.clone().update(data).digest()).digest());
    },
  };
}

const start256 = (): Sha2Stream => new Sha256();
const start384 = (): Sha2Stream => new Sha512(48);
const start512 = (): Sha2Stream => new Sha512(64);

/**
 * HMAC-SHA-256, synchronously.
 *
 * @example
 * ```ts
 * import { hmacSha256Sync } from "./sha2.ts";
 * console.log(hmacSha256Sync(new Uint8Array(32), new Uint8Array(0)).length); // 32
 * ```
 */
export function hmacSha256Sync(key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmacWith(start256, 64, key, data);
}

/**
 * HMAC-SHA-384, synchronously.
 *
 * @example
 * ```ts
 * import { hmacSha384Sync } from "./sha2.ts";
 * console.log(hmacSha384Sync(new Uint8Array(48), new Uint8Array(0)).length); // 48
 * ```
 */
export function hmacSha384Sync(key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmacWith(start384, 128, key, data);
}

/**
 * HMAC-SHA-512, synchronously.
 *
 * @example
 * ```ts
 * import { hmacSha512Sync } from "./sha2.ts";
 * console.log(hmacSha512Sync(new Uint8Array(64), new Uint8Array(0)).length); // 64
 * ```
 */
export function hmacSha512Sync(key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmacWith(start512, 128, key, data);
}

/** SHA-256 as a provider `Hash`, computed in TypeScript. */
export const sha256Pure: Hash = {
  name: "SHA-256",
  outputLen: 32,
  blockLen: 64,
  digest(data: Uint8Array): Promise<Uint8Array> {
    return Promise.resolve(sha256Sync(data));
  },
  start: start256,
};

/** SHA-384 as a provider `Hash`, computed in TypeScript. */
export const sha384Pure: Hash = {
  name: "SHA-384",
  outputLen: 48,
  blockLen: 128,
  digest(data: Uint8Array): Promise<Uint8Array> {
    return Promise.resolve(sha384Sync(data));
  },
  start: start384,
};

/** HMAC-SHA-256 as a provider `Hmac`, computed in TypeScript. */
export const hmacSha256Pure: Hmac = {
  hash: sha256Pure,
  sign(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
    return Promise.resolve(hmacSha256Sync(key, data));
  },
  withKey: (key) => keyedWith(start256, 64, key),
};

/** HMAC-SHA-384 as a provider `Hmac`, computed in TypeScript. */
export const hmacSha384Pure: Hmac = {
  hash: sha384Pure,
  sign(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
    return Promise.resolve(hmacSha384Sync(key, data));
  },
  withKey: (key) => keyedWith(start384, 128, key),
};

/**
 * The pure HMAC for `hash`'s algorithm, reporting `hash` as its hash: for
 * pairing pure HMAC with another SHA-2 `Hash` object (a suite requires
 * `hmac.hash === hash`).
 *
 * @example
 * ```ts
 * import { hmacPureFor, sha384Pure } from "./sha2.ts";
 * const hmac = hmacPureFor(sha384Pure);
 * console.log((await hmac.sign(new Uint8Array(0), new Uint8Array(0))).length); // 48
 * ```
 */
export function hmacPureFor(hash: Hash): Hmac {
  const pure = hash.name === "SHA-256" ? hmacSha256Pure : hmacSha384Pure;
  return { hash, sign: pure.sign, withKey: pure.withKey };
}
