/**
 * ML-KEM-768 (FIPS 203) in plain TypeScript with its own SHA-3: key
 * generation from a 64-byte seed, encapsulation and decapsulation with
 * implicit rejection, and the input checks FIPS 203 section 7 requires.
 * Synchronous and dependency-free; randomness comes from
 * `globalThis.crypto.getRandomValues` unless a seed is given.
 *
 * @example Agree on a shared secret
 * ```ts
 * import { mlKem768 } from "@kerneltls/tls/ml-kem";
 *
 * const { encapsulationKey, decapsulationKey } = mlKem768.keygen();
 * const { ciphertext, sharedSecret } = mlKem768.encapsulate(encapsulationKey);
 * const received = mlKem768.decapsulate(decapsulationKey, ciphertext);
 * console.log(received.every((b, i) => b === sharedSecret[i])); // true
 * ```
 *
 * @module
 */

import {
  CT_BYTES,
  DK_PKE_BYTES,
  EK_BYTES,
  ekModulusOk,
  pkeDecrypt,
  pkeEncrypt,
  pkeKeyGen,
} from "./_ml_kem_pke.ts";
import { sha3_256, sha3_512, shake256 } from "./_sha3.ts";

const DK_BYTES = DK_PKE_BYTES + EK_BYTES + 64;

/**
 * An ML-KEM key pair in the FIPS 203 encodings.
 *
 * @example
 * ```ts
 * import { mlKem768 } from "@kerneltls/tls/ml-kem";
 * import type { MlKemKeyPair } from "@kerneltls/tls/ml-kem";
 * const pair: MlKemKeyPair = mlKem768.keygen();
 * console.log(pair.encapsulationKey.length, pair.decapsulationKey.length); // 1184 2400
 * ```
 */
export interface MlKemKeyPair {
  /** The public encapsulation key (1184 bytes for ML-KEM-768). */
  readonly encapsulationKey: Uint8Array;
  /** The expanded decapsulation key (2400 bytes): dk_PKE || ek || H(ek) || z. */
  readonly decapsulationKey: Uint8Array;
}

/**
 * The result of encapsulating to a key.
 *
 * @example
 * ```ts
 * import { mlKem768 } from "@kerneltls/tls/ml-kem";
 * import type { MlKemEncapsulation } from "@kerneltls/tls/ml-kem";
 * const { encapsulationKey } = mlKem768.keygen();
 * const enc: MlKemEncapsulation = mlKem768.encapsulate(encapsulationKey);
 * console.log(enc.ciphertext.length, enc.sharedSecret.length); // 1088 32
 * ```
 */
export interface MlKemEncapsulation {
  /** Ciphertext for the key's owner (1088 bytes for ML-KEM-768). */
  readonly ciphertext: Uint8Array;
  /** The 32-byte shared secret. */
  readonly sharedSecret: Uint8Array;
}

/**
 * A synchronous ML-KEM parameter set.
 *
 * @example
 * ```ts
 * import { mlKem768 } from "@kerneltls/tls/ml-kem";
 * import type { MlKem } from "@kerneltls/tls/ml-kem";
 * const kem: MlKem = mlKem768;
 * const { encapsulationKey, decapsulationKey } = kem.keygen();
 * const { ciphertext, sharedSecret } = kem.encapsulate(encapsulationKey);
 * const received = kem.decapsulate(decapsulationKey, ciphertext);
 * console.log(received.every((b, i) => b === sharedSecret[i])); // true
 * ```
 */
export interface MlKem {
  /** Parameter set name, `"ML-KEM-768"`. */
  readonly name: string;
  /** Encapsulation key length in bytes. */
  readonly encapsulationKeyLength: number;
  /** Decapsulation key length in bytes. */
  readonly decapsulationKeyLength: number;
  /** Ciphertext length in bytes. */
  readonly ciphertextLength: number;
  /** Shared secret length in bytes (32). */
  readonly sharedSecretLength: number;
  /** Key generation seed length in bytes (64: d || z). */
  readonly seedLength: number;
  /**
   * ML-KEM.KeyGen. With `seed` (64 bytes, d || z) the result is deterministic
   * (ML-KEM.KeyGen_internal); without it fresh random bytes are used. Throws
   * `TypeError` for a seed of the wrong length.
   */
  keygen(seed?: Uint8Array): MlKemKeyPair;
  /**
   * ML-KEM.Encaps. `m` (32 bytes) fixes the randomness, for tests only. Throws
   * `TypeError` when `encapsulationKey` fails the length or modulus check.
   */
  encapsulate(encapsulationKey: Uint8Array, m?: Uint8Array): MlKemEncapsulation;
  /**
   * ML-KEM.Decaps with implicit rejection: a ciphertext that does not
   * re-encrypt identically yields a pseudorandom secret, never an error.
   * Throws `TypeError` for a wrong ciphertext or key length, or a key whose
   * embedded H(ek) does not match (FIPS 203 section 7.3).
   */
  decapsulate(decapsulationKey: Uint8Array, ciphertext: Uint8Array): Uint8Array;
}

function randomBytes(n: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

function keygen(seed?: Uint8Array): MlKemKeyPair {
  if (seed !== undefined && seed.length !== 64) {
    throw new TypeError("ML-KEM-768: key generation seed must be 64 bytes");
  }
  const s = seed ?? randomBytes(64);
  const { ek, dkPke } = pkeKeyGen(s.subarray(0, 32));
  const dk = new Uint8Array(DK_BYTES);
  dk.set(dkPke, 0);
  dk.set(ek, DK_PKE_BYTES);
  dk.set(sha3_256(ek), DK_PKE_BYTES + EK_BYTES);
  dk.set(s.subarray(32, 64), DK_PKE_BYTES + EK_BYTES + 32);
  dkPke.fill(0);
  if (seed === undefined) s.fill(0);
  return { encapsulationKey: ek, decapsulationKey: dk };
}

function encapsulate(ek: Uint8Array, m?: Uint8Array): MlKemEncapsulation {
  if (ek.length !== EK_BYTES) {
    throw new TypeError("ML-KEM-768: encapsulation key must be 1184 bytes");
  }
  if (!ekModulusOk(ek)) {
    throw new TypeError("ML-KEM-768: encapsulation key is not reduced modulo q");
  }
  if (m !== undefined && m.length !== 32) {
    throw new TypeError("ML-KEM-768: encapsulation randomness must be 32 bytes");
  }
  const msg = m ?? randomBytes(32);
  const g = sha3_512(msg, sha3_256(ek));
  const sharedSecret = g.slice(0, 32);
  const ciphertext = pkeEncrypt(ek, msg, g.subarray(32));
  g.fill(0);
  if (m === undefined) msg.fill(0);
  return { ciphertext, sharedSecret };
}

function decapsulate(dk: Uint8Array, ct: Uint8Array): Uint8Array {
  if (ct.length !== CT_BYTES) throw new TypeError("ML-KEM-768: ciphertext must be 1088 bytes");
  if (dk.length !== DK_BYTES) {
    throw new TypeError("ML-KEM-768: decapsulation key must be 2400 bytes");
  }
  const ek = dk.subarray(DK_PKE_BYTES, DK_PKE_BYTES + EK_BYTES);
  const h = dk.subarray(DK_PKE_BYTES + EK_BYTES, DK_PKE_BYTES + EK_BYTES + 32);
  const z = dk.subarray(DK_PKE_BYTES + EK_BYTES + 32);
  const hCheck = sha3_256(ek);
  let hDiff = 0;
  for (let i = 0; i < 32; i++) hDiff |= hCheck[i] ^ h[i];
  if (hDiff !== 0) throw new TypeError("ML-KEM-768: decapsulation key hash check failed");

  const m = pkeDecrypt(dk.subarray(0, DK_PKE_BYTES), ct);
  const g = sha3_512(m, h);
  const rejected = shake256(32, z, ct);
  const reencrypted = pkeEncrypt(ek, m, g.subarray(32));
  let diff = 0;
  for (let i = 0; i < CT_BYTES; i++) diff |= reencrypted[i] ^ ct[i];
  // 0xff when the ciphertexts match, 0 otherwise; the select below never branches on it.
  const mask = -((diff - 1) >>> 31) & 0xff;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = rejected[i] ^ ((g[i] ^ rejected[i]) & mask);
  m.fill(0);
  g.fill(0);
  rejected.fill(0);
  return out;
}

/**
 * ML-KEM-768 (FIPS 203), the parameter set TLS uses (NIST category 3):
 * 1184-byte encapsulation keys, 2400-byte decapsulation keys, 1088-byte
 * ciphertexts, 32-byte shared secrets.
 *
 * @example Deterministic key generation from a seed
 * ```ts
 * import { mlKem768 } from "@kerneltls/tls/ml-kem";
 *
 * const seed = new Uint8Array(64); // d || z; use fresh random bytes in practice
 * const a = mlKem768.keygen(seed);
 * const b = mlKem768.keygen(seed);
 * console.log(a.encapsulationKey.length); // 1184
 * console.log(a.encapsulationKey.every((v, i) => v === b.encapsulationKey[i])); // true
 * ```
 */
export const mlKem768: MlKem = {
  name: "ML-KEM-768",
  encapsulationKeyLength: EK_BYTES,
  decapsulationKeyLength: DK_BYTES,
  ciphertextLength: CT_BYTES,
  sharedSecretLength: 32,
  seedLength: 64,
  keygen,
  encapsulate,
  decapsulate,
};
