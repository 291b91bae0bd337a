/**
 * Ephemeral key pairs made ahead of time, so a handshake does not wait for
 * its key share to be generated (and exported) before it can send its first
 * message. One pool per key exchange group of the default provider.
 *
 * The rules that keep this as safe as generating on demand:
 * - single use: `take()` removes the pair it returns; no pair is ever handed
 *   out twice, kept after use, or put back;
 * - bounded: at most `capacity` pairs (default {@link KEY_SHARE_POOL_SIZE})
 *   wait in a pool, and a pool only refills after a `take()`, so an idle
 *   process holds at most that many unused private keys per group it has
 *   used, and none for groups it never used;
 * - the private keys stay non-extractable `CryptoKey`s, as on demand;
 * - the refill runs in a later task (`setTimeout(0)`), so it fills the time a
 *   handshake spends waiting for Web Crypto instead of adding to it; when the
 *   pool is empty, `take()` generates on the spot as before.
 *
 * @module
 */

/** A private key and its public share in TLS key_share form. */
export interface PooledKeyPair {
  readonly privateKey: CryptoKey;
  readonly publicKey: Uint8Array;
}

/** Pairs kept ready per group. */
export const KEY_SHARE_POOL_SIZE = 2;

/**
 * A bounded queue of fresh single-use key pairs, refilled in the background.
 *
 * @example
 * ```ts
 * import { KeySharePool } from "./key_share_pool.ts";
 * const pool = new KeySharePool(async () => {
 *   const pair = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, false, [
 *     "deriveBits",
 *   ]) as CryptoKeyPair;
 *   const publicKey = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
 *   return { privateKey: pair.privateKey, publicKey };
 * });
 * const a = await pool.take(), b = await pool.take();
 * console.log(a.publicKey.length, a.publicKey !== b.publicKey); // 65 true
 * ```
 */
export class KeySharePool {
  readonly #make: () => Promise<PooledKeyPair>;
  readonly #capacity: number;
  #ready: PooledKeyPair[] = [];
  #refilling = false;

  /** `make` generates one fresh pair; `capacity` 0 generates every pair on demand. */
  constructor(make: () => Promise<PooledKeyPair>, capacity: number = KEY_SHARE_POOL_SIZE) {
    if (!Number.isSafeInteger(capacity) || capacity < 0) {
      throw new RangeError("KeySharePool capacity must be a non-negative integer");
    }
    this.#make = make;
    this.#capacity = capacity;
  }

  /** Pairs waiting now. */
  get size(): number {
    return this.#ready.length;
  }

  /** A pair nobody has had before, removed from the pool (oldest first). */
  take(): Promise<PooledKeyPair> {
    const pair = this.#ready.shift();
    this.#scheduleRefill();
    return pair ? Promise.resolve(pair) : this.#make();
  }

  #scheduleRefill(): void {
    if (this.#refilling || this.#capacity === 0) return;
    this.#refilling = true;
    setTimeout(() => void this.#refill(), 0);
  }

  async #refill(): Promise<void> {
    try {
      while (this.#ready.length < this.#capacity) this.#ready.push(await this.#make());
    } catch {
      // A failed generation leaves the pool short; take() then generates on demand.
    } finally {
      this.#refilling = false;
    }
  }
}
