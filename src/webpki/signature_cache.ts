/**
 * A bounded memory of certificate signatures already found valid: "this
 * certificate (its exact DER) is signed by the key in this SubjectPublicKeyInfo
 * (its exact DER)". A client that connects to the same servers again sees the
 * same leaf and intermediates each time; with this it checks each of their
 * signatures once instead of on every handshake.
 *
 * Only the signature check is remembered: validity dates, key usage, EKU,
 * basic and name constraints, revocation and the work budget are evaluated on
 * every verification as before, so a cached entry can never make a chain pass
 * that would fail without it. Only successes are stored, keyed by the full
 * bytes (compared exactly, not through a digest); at most `capacity` entries,
 * the least recently used dropped first. Everything stored is public
 * (certificates and public keys). One cache belongs to one verifier, whose
 * signature verifiers it memoizes.
 *
 * @module
 */

import { bytesEqual } from "../_bytes.ts";

interface Entry {
  readonly issuerSpki: Uint8Array;
  readonly certDer: Uint8Array;
}

/** Entries a verifier keeps by default. */
export const SIGNATURE_CACHE_CAPACITY = 64;

/**
 * Certificate signatures already verified, least recently used dropped first.
 *
 * @example
 * ```ts
 * import { SignatureCache } from "./signature_cache.ts";
 * const cache = new SignatureCache(2);
 * const spki = Uint8Array.of(1), cert = Uint8Array.of(2, 3);
 * cache.add(spki, cert, Uint8Array.of(3));
 * console.log(cache.has(spki, cert, Uint8Array.of(3)), cache.has(Uint8Array.of(9), cert, Uint8Array.of(3))); // true false
 * ```
 */
export class SignatureCache {
  readonly #capacity: number;
  // Keyed by the signature bytes (short, and distinct for distinct certificates);
  // the entry then has to match the issuer key and certificate exactly.
  readonly #entries = new Map<string, Entry>();

  /** Keeps at most `capacity` entries (0 disables the cache). */
  constructor(capacity: number = SIGNATURE_CACHE_CAPACITY) {
    if (!Number.isSafeInteger(capacity) || capacity < 0) {
      throw new RangeError("SignatureCache capacity must be a non-negative integer");
    }
    this.#capacity = capacity;
  }

  /** Entries held now. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Whether `certDer` (whose signature is `signature`) was found signed by the
   * key `issuerSpki`; a hit becomes the most recently used entry.
   */
  has(issuerSpki: Uint8Array, certDer: Uint8Array, signature: Uint8Array): boolean {
    const key = keyOf(signature);
    const entry = this.#entries.get(key);
    if (
      !entry || !bytesEqual(entry.issuerSpki, issuerSpki) || !bytesEqual(entry.certDer, certDer)
    ) {
      return false;
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return true;
  }

  /** Remembers a verified signature (the bytes are copied). */
  add(issuerSpki: Uint8Array, certDer: Uint8Array, signature: Uint8Array): void {
    if (this.#capacity === 0) return;
    const key = keyOf(signature);
    this.#entries.delete(key);
    this.#entries.set(key, { issuerSpki: issuerSpki.slice(), certDer: certDer.slice() });
    while (this.#entries.size > this.#capacity) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
  }
}

function keyOf(signature: Uint8Array): string {
  let s = "";
  for (let i = 0; i < signature.length; i++) s += String.fromCharCode(signature[i]);
  return s;
}
