/**
 * ChaCha20-Poly1305 (RFC 8439) in plain TypeScript, for runtimes whose Web
 * Crypto lacks it. Synchronous, no dependencies, no secret-dependent branches
 * or table lookups, and a constant-time tag check.
 *
 * @example Seal and open a message
 * ```ts
 * import { ChaCha20Poly1305 } from "@kerneltls/tls/chacha20-poly1305";
 *
 * const aead = new ChaCha20Poly1305(crypto.getRandomValues(new Uint8Array(32)));
 * const nonce = crypto.getRandomValues(new Uint8Array(12));
 * const sealed = aead.seal(nonce, new TextEncoder().encode("hello"));
 * const opened = aead.open(nonce, sealed);
 * console.log(new TextDecoder().decode(opened!)); // "hello"
 * ```
 *
 * @module
 */

import type { Aead, AeadKey } from "../types.ts";

export type { Aead, AeadKey, AeadKind } from "../types.ts";
import { chachaCore, chachaXorInPlace } from "./_chacha20.ts";
import {
  POLY1305_FULL_BLOCK,
  poly1305Blocks,
  poly1305Finish,
  poly1305Init,
  poly1305Reset,
  type Poly1305State,
} from "./_poly1305.ts";

const EMPTY = new Uint8Array(0);

function wordAt(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}

/**
 * A ChaCha20-Poly1305 key (RFC 8439 section 2.8): 32-byte key, 12-byte nonce,
 * 16-byte tag appended to the ciphertext.
 *
 * @example
 * ```ts
 * import { ChaCha20Poly1305 } from "@kerneltls/tls/chacha20-poly1305";
 *
 * const aead = new ChaCha20Poly1305(new Uint8Array(32));
 * const nonce = new Uint8Array(12);
 * const aad = new Uint8Array([1, 2, 3]);
 * const sealed = aead.seal(nonce, new Uint8Array([42]), aad);
 * console.log(sealed.length); // 17
 * console.log(aead.open(nonce, sealed, aad)); // Uint8Array(1) [ 42 ]
 * ```
 */
export class ChaCha20Poly1305 {
  /** ChaCha state template: constants, key, counter, nonce. */
  #state = new Uint32Array(16);
  #scratch = new Uint32Array(16);
  #polyKey = new Uint8Array(32);
  #block = new Uint8Array(16);
  #mac: Poly1305State = poly1305Init(new Uint8Array(32));

  /**
   * Imports a 32-byte key; the bytes are copied, so the caller may wipe theirs.
   *
   * @example
   * ```ts
   * import { ChaCha20Poly1305 } from "@kerneltls/tls/chacha20-poly1305";
   * const aead = new ChaCha20Poly1305(new Uint8Array(32));
   * console.log(aead.seal(new Uint8Array(12), new Uint8Array(0)).length); // 16
   * ```
   */
  constructor(key: Uint8Array) {
    if (!(key instanceof Uint8Array) || key.length !== 32) {
      throw new RangeError("ChaCha20-Poly1305 key must be 32 bytes");
    }
    const s = this.#state;
    s[0] = 0x61707865, s[1] = 0x3320646e, s[2] = 0x79622d32, s[3] = 0x6b206574;
    for (let i = 0; i < 8; i++) s[4 + i] = wordAt(key, 4 * i);
  }

  /**
   * Encrypts and authenticates: returns ciphertext || 16-byte tag.
   *
   * @example
   * ```ts
   * import { ChaCha20Poly1305 } from "@kerneltls/tls/chacha20-poly1305";
   * const aead = new ChaCha20Poly1305(new Uint8Array(32));
   * const sealed = aead.seal(new Uint8Array(12), new Uint8Array(5));
   * console.log(sealed.length); // 21
   * ```
   */
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array = EMPTY): Uint8Array {
    this.#start(nonce);
    const len = plaintext.length;
    const out = new Uint8Array(len + 16);
    out.set(plaintext);
    chachaXorInPlace(this.#state, out, 0, len, this.#scratch);
    this.#authenticate(aad, out, len, out, len);
    return out;
  }

  /**
   * Checks the tag and decrypts: returns the plaintext, or null when the tag
   * (or anything it covers) is wrong. The tag check runs in constant time.
   *
   * @example
   * ```ts
   * import { ChaCha20Poly1305 } from "@kerneltls/tls/chacha20-poly1305";
   * const aead = new ChaCha20Poly1305(new Uint8Array(32));
   * const nonce = new Uint8Array(12);
   * const sealed = aead.seal(nonce, new Uint8Array([7]));
   * sealed[0] ^= 1;
   * console.log(aead.open(nonce, sealed)); // null
   * ```
   */
  open(
    nonce: Uint8Array,
    ciphertextAndTag: Uint8Array,
    aad: Uint8Array = EMPTY,
  ): Uint8Array | null {
    this.#start(nonce);
    const len = ciphertextAndTag.length - 16;
    if (len < 0) return null;
    const tag = this.#block;
    this.#authenticate(aad, ciphertextAndTag, len, tag, 0);
    let diff = 0;
    for (let i = 0; i < 16; i++) diff |= tag[i] ^ ciphertextAndTag[len + i];
    if (diff !== 0) return null;
    const out = ciphertextAndTag.slice(0, len);
    chachaXorInPlace(this.#state, out, 0, len, this.#scratch);
    return out;
  }

  /** Loads the nonce, derives the one-time Poly1305 key (block 0), leaves the counter at 1. */
  #start(nonce: Uint8Array): void {
    if (nonce.length !== 12) throw new RangeError("ChaCha20-Poly1305 nonce must be 12 bytes");
    const s = this.#state, ks = this.#scratch, pk = this.#polyKey;
    s[12] = 0;
    s[13] = wordAt(nonce, 0), s[14] = wordAt(nonce, 4), s[15] = wordAt(nonce, 8);
    chachaCore(s, ks, 0, false);
    for (let i = 0; i < 32; i++) pk[i] = ks[i >> 2] >>> ((i & 3) << 3);
    poly1305Reset(this.#mac, pk, 0);
    pk.fill(0);
    s[12] = 1;
  }

  /** MACs aad, pad, ct[0..len), pad, lengths (RFC 8439 2.8) into out[off..off+16). */
  #authenticate(aad: Uint8Array, ct: Uint8Array, len: number, out: Uint8Array, off: number): void {
    const st = this.#mac, blk = this.#block;
    this.#padded(aad, aad.length);
    this.#padded(ct, len);
    const aadLen = aad.length;
    blk[0] = aadLen, blk[1] = aadLen >>> 8, blk[2] = aadLen >>> 16, blk[3] = aadLen >>> 24;
    const aadHi = Math.floor(aadLen / 0x100000000);
    blk[4] = aadHi, blk[5] = aadHi >>> 8, blk[6] = aadHi >>> 16, blk[7] = aadHi >>> 24;
    blk[8] = len, blk[9] = len >>> 8, blk[10] = len >>> 16, blk[11] = len >>> 24;
    const lenHi = Math.floor(len / 0x100000000);
    blk[12] = lenHi, blk[13] = lenHi >>> 8, blk[14] = lenHi >>> 16, blk[15] = lenHi >>> 24;
    poly1305Blocks(st, blk, 0, 16, POLY1305_FULL_BLOCK);
    poly1305Finish(st, out, off);
  }

  /** Absorbs data[0..len) zero-padded to a multiple of 16 bytes. */
  #padded(data: Uint8Array, len: number): void {
    const full = len & ~15;
    poly1305Blocks(this.#mac, data, 0, full, POLY1305_FULL_BLOCK);
    if (full < len) {
      const blk = this.#block;
      blk.fill(0);
      for (let i = full; i < len; i++) blk[i - full] = data[i];
      poly1305Blocks(this.#mac, blk, 0, 16, POLY1305_FULL_BLOCK);
    }
  }
}

/**
 * The pure-TypeScript ChaCha20-Poly1305 as a provider {@link Aead}, for
 * runtimes whose Web Crypto has no ChaCha20-Poly1305 (Node 20, older browsers).
 *
 * @example
 * ```ts
 * import { chacha20Poly1305Pure } from "@kerneltls/tls/chacha20-poly1305";
 *
 * const key = await chacha20Poly1305Pure.importKey(new Uint8Array(32));
 * const nonce = new Uint8Array(12);
 * const sealed = await key.seal(nonce, new Uint8Array(0), new Uint8Array([1, 2]));
 * console.log(await key.open(nonce, new Uint8Array(0), sealed)); // Uint8Array(2) [ 1, 2 ]
 * ```
 */
export const chacha20Poly1305Pure: Aead = {
  kind: "Chacha20Poly1305",
  keyLen: 32,
  nonceLen: 12,
  tagLen: 16,
  importKey(key: Uint8Array): Promise<AeadKey> {
    try {
      const aead = new ChaCha20Poly1305(key);
      const keyObj: AeadKey = {
        seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> {
          try {
            return Promise.resolve(aead.seal(nonce, plaintext, aad));
          } catch (e) {
            return Promise.reject(e);
          }
        },
        open(
          nonce: Uint8Array,
          aad: Uint8Array,
          ciphertextAndTag: Uint8Array,
        ): Promise<Uint8Array | null> {
          try {
            return Promise.resolve(aead.open(nonce, ciphertextAndTag, aad));
          } catch (e) {
            return Promise.reject(e);
          }
        },
      };
      return Promise.resolve(keyObj);
    } catch (e) {
      return Promise.reject(e);
    }
  },
};
