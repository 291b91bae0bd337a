/**
 * The crypto provider contract. A provider is a plain object of algorithm
 * objects: users may swap or trim any list (`{ ...provider, cipherSuites: [...] }`)
 * and nothing in the TLS core switches on algorithm names.
 *
 * Everything that touches key material is async because Web Crypto is.
 *
 * @module
 */

import type { HpkeKem, HpkeKeyPair } from "./hpke_types.ts";

export type { HpkeKem, HpkeKeyPair };

/**
 * A one-shot hash function.
 *
 * @example
 * ```ts
 * import { webCryptoProvider } from "@kerneltls/tls";
 * import type { Hash } from "@kerneltls/tls";
 * const provider = await webCryptoProvider();
 * const sha256: Hash = provider.hashes.sha256;
 * console.log((await sha256.digest(new Uint8Array(0))).length); // 32
 * ```
 */
export interface Hash {
  /** Web Crypto name, `"SHA-256"` or `"SHA-384"`. */
  readonly name: "SHA-256" | "SHA-384";
  /** Output length in bytes. */
  readonly outputLen: number;
  /** Internal block length in bytes (64 or 128). */
  readonly blockLen: number;
  /** Hashes `data` in one go. */
  digest(data: Uint8Array): Promise<Uint8Array>;
  /**
   * Optional: starts an incremental computation, synchronously. The handshake
   * transcript then hashes each message once instead of the whole transcript
   * at every snapshot. Without it, `digest` is called over the whole log.
   */
  start?(): HashState;
}

/**
 * A hash computation in progress (see `Hash.start`).
 *
 * @example
 * ```ts
 * import { webCryptoProvider } from "@kerneltls/tls";
 * import type { HashState } from "@kerneltls/tls";
 * const provider = await webCryptoProvider();
 * const state: HashState | undefined = provider.hashes.sha256.start?.();
 * state?.update(new Uint8Array([1, 2]));
 * const soFar = state?.clone().digest(); // state itself goes on
 * state?.update(new Uint8Array([3]));
 * console.log(soFar?.length, state?.digest().length); // 32 32
 * ```
 */
export interface HashState {
  /** Absorbs `data`. */
  update(data: Uint8Array): void;
  /** An independent state at the same point. */
  clone(): HashState;
  /** The digest of everything absorbed; the state is spent afterwards. */
  digest(): Uint8Array;
}

/**
 * HMAC over one hash; keys of any length (including zero) are accepted.
 *
 * @example
 * ```ts
 * import { webCryptoProvider } from "@kerneltls/tls";
 * import type { Hmac } from "@kerneltls/tls";
 * const provider = await webCryptoProvider();
 * const hmac: Hmac = provider.hmacs.sha384;
 * const tag = await hmac.sign(new Uint8Array(0), new TextEncoder().encode("data"));
 * console.log(tag.length, hmac.hash.name); // 48 SHA-384
 * ```
 */
export interface Hmac {
  /** The hash HMAC is built on. */
  readonly hash: Hash;
  /** Computes HMAC(key, data). */
  sign(key: Uint8Array, data: Uint8Array): Promise<Uint8Array>;
  /**
   * Optional: HMAC under `key`, prepared once for several messages (the pure
   * HMAC absorbs the padded key once; Web Crypto imports it once). The key
   * schedule uses it for secrets that feed several HKDF expansions.
   */
  withKey?(key: Uint8Array): KeyedHmac;
}

/**
 * HMAC under one fixed key (see `Hmac.withKey`).
 *
 * @example
 * ```ts
 * import { webCryptoProvider } from "@kerneltls/tls";
 * import type { KeyedHmac } from "@kerneltls/tls";
 * const { hmacs } = await webCryptoProvider();
 * const key = new Uint8Array(32);
 * const mac: KeyedHmac | undefined = hmacs.sha256.withKey?.(key);
 * const data = new TextEncoder().encode("data");
 * console.log((await mac?.sign(data))?.length, (await hmacs.sha256.sign(key, data)).length); // 32 32
 * ```
 */
export interface KeyedHmac {
  /** Computes HMAC(key, data) under the fixed key. */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/**
 * The AEAD algorithms TLS uses, named as rustls names them.
 *
 * @example
 * ```ts
 * import type { AeadKind } from "@kerneltls/tls";
 * const keyLength: Record<AeadKind, number> = { Aes128Gcm: 16, Aes256Gcm: 32, Chacha20Poly1305: 32 };
 * console.log(keyLength.Aes256Gcm); // 32
 * ```
 */
export type AeadKind = "Aes128Gcm" | "Aes256Gcm" | "Chacha20Poly1305";

/**
 * An AEAD key ready for use. Nonces are always 12 bytes and tags 16 bytes.
 *
 * @example
 * ```ts
 * import { webCryptoProvider } from "@kerneltls/tls";
 * import type { AeadKey } from "@kerneltls/tls";
 * const provider = await webCryptoProvider();
 * const { aead } = provider.cipherSuites[0];
 * const key: AeadKey = await aead.importKey(new Uint8Array(aead.keyLen));
 * const nonce = new Uint8Array(12);
 * const aad = new TextEncoder().encode("header");
 * const sealed = await key.seal(nonce, aad, new TextEncoder().encode("hello"));
 * const opened = await key.open(nonce, aad, sealed);
 * console.log(opened && new TextDecoder().decode(opened)); // hello
 * sealed[0] ^= 1;
 * console.log(await key.open(nonce, aad, sealed)); // null: authentication failed
 * ```
 */
export interface AeadKey {
  /** Returns ciphertext || tag. */
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array>;
  /**
   * Returns the plaintext in a new array the caller owns (the record layer
   * hands it out without copying), or `null` when authentication fails. Never
   * throws for a bad tag; throws `RangeError` only for API misuse (wrong nonce
   * size).
   */
  open(
    nonce: Uint8Array,
    aad: Uint8Array,
    ciphertextAndTag: Uint8Array,
  ): Promise<Uint8Array | null>;
}

/**
 * An AEAD algorithm: imports raw keys once, non-extractable where possible.
 *
 * @example
 * ```ts
 * import { webCryptoProvider } from "@kerneltls/tls";
 * import type { Aead } from "@kerneltls/tls";
 * const provider = await webCryptoProvider();
 * const aead: Aead = provider.cipherSuites[0].aead;
 * const key = await aead.importKey(crypto.getRandomValues(new Uint8Array(aead.keyLen)));
 * const sealed = await key.seal(new Uint8Array(aead.nonceLen), new Uint8Array(0), new Uint8Array(5));
 * console.log(sealed.length); // 21: plaintext plus the 16-byte tag
 * ```
 */
export interface Aead {
  /** Which algorithm this is. */
  readonly kind: AeadKind;
  /** Key length in bytes (16 or 32). */
  readonly keyLen: number;
  /** Nonce length in bytes (always 12). */
  readonly nonceLen: 12;
  /** Tag length in bytes (always 16). */
  readonly tagLen: 16;
  /** Imports a raw key. */
  importKey(key: Uint8Array): Promise<AeadKey>;
}

/**
 * A key exchange in progress on our side: our share, waiting for the peer's.
 *
 * @example
 * ```ts
 * import { webCryptoProvider } from "@kerneltls/tls";
 * import type { ActiveKeyExchange } from "@kerneltls/tls";
 * const provider = await webCryptoProvider();
 * const group = provider.kxGroups[0];
 * const ours: ActiveKeyExchange = await group.start(); // the client's side
 * const answer = await group.respond(ours.publicKey); // the server's side
 * const secret = await ours.complete(answer.publicKey);
 * console.log(secret.every((b, i) => b === answer.sharedSecret[i])); // true
 * ```
 */
export interface ActiveKeyExchange {
  /** The group's IANA code point. */
  readonly group: number;
  /** Our public key share, as it goes into key_share. */
  readonly publicKey: Uint8Array;
  /**
   * Combines with the peer's share. Throws `TypeError` when the peer's share is
   * malformed or gives a forbidden result (for example an all-zero X25519 secret).
   */
  complete(peerPublicKey: Uint8Array): Promise<Uint8Array>;
}

/**
 * A key exchange group (X25519, secp256r1, ...).
 *
 * @example
 * ```ts
 * import { NamedGroup, webCryptoProvider } from "@kerneltls/tls";
 * import type { KeyExchangeGroup } from "@kerneltls/tls";
 * const provider = await webCryptoProvider();
 * const p256: KeyExchangeGroup | undefined = provider.kxGroups.find(
 *   (g) => g.group === NamedGroup.secp256r1,
 * );
 * console.log(p256?.name); // secp256r1
 * ```
 */
export interface KeyExchangeGroup {
  /** IANA code point (see `NamedGroup`). */
  readonly group: number;
  /** Human-readable name, for logs and getters. */
  readonly name: string;
  /** Starts an exchange as the initiator (the TLS client). */
  start(): Promise<ActiveKeyExchange>;
  /**
   * Answers an initiator's share as the responder (the TLS server): returns our
   * share and the shared secret. For Diffie-Hellman groups this is `start()`
   * followed by `complete()`; KEMs encapsulate instead.
   */
  respond(peerPublicKey: Uint8Array): Promise<{ publicKey: Uint8Array; sharedSecret: Uint8Array }>;
}

/**
 * A signature scheme we can verify (TLS CertificateVerify and X.509).
 *
 * @example
 * ```ts
 * import { webCryptoProvider } from "@kerneltls/tls";
 * import type { SignatureVerifier } from "@kerneltls/tls";
 * const provider = await webCryptoProvider();
 * const tls13Only: SignatureVerifier[] = provider.signatureVerifiers.filter((v) => v.tls13);
 * console.log(tls13Only.map((v) => v.name)); // [ "ecdsa_secp256r1_sha256", ... ]
 * ```
 */
export interface SignatureVerifier {
  /** IANA SignatureScheme code point. */
  readonly scheme: number;
  /** The scheme's RFC name, for example `"ecdsa_secp256r1_sha256"`. */
  readonly name: string;
  /** Whether TLS 1.3 allows it in CertificateVerify (PKCS#1 v1.5 is not). */
  readonly tls13: boolean;
  /**
   * Verifies `signature` (in the TLS / X.509 encoding: DER for ECDSA) over
   * `message` with the key in `spki` (a DER SubjectPublicKeyInfo). Returns false
   * for any bad signature, key/scheme mismatch or malformed input. May throw
   * `RangeError` for a well-formed key this implementation cannot use, such as
   * an RSA modulus above 4096 bits in Deno's Web Crypto; the certificate
   * verifiers report that as detail `UnsupportedRsaKeySize`.
   */
  verify(spki: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
  /**
   * Optional, ECDSA schemes only: verifies with this scheme's curve but
   * another SHA-2 `hash`. X.509 pairs any ECDSA curve with any hash (a P-384
   * CA signing with SHA-256 is common) and TLS 1.2 ECDSA schemes name only
   * the hash, while TLS 1.3 schemes pin both. Without it, such certificate
   * signatures are refused as unsupported. Same contract as `verify`.
   */
  verifyWithHash?(
    hash: "SHA-256" | "SHA-384" | "SHA-512",
    spki: Uint8Array,
    message: Uint8Array,
    signature: Uint8Array,
  ): Promise<boolean>;
}

/**
 * A private key that signs for a TLS server or client certificate.
 *
 * @example
 * ```ts
 * import { webCryptoProvider } from "@kerneltls/tls";
 * import type { SigningKey } from "@kerneltls/tls";
 * async function signWith(pkcs8Pem: string, message: Uint8Array): Promise<Uint8Array> {
 *   const provider = await webCryptoProvider();
 *   const key: SigningKey = await provider.loadSigningKey(pkcs8Pem);
 *   return key.sign(key.schemes[0], message); // DER for ECDSA
 * }
 * void signWith;
 * ```
 */
export interface SigningKey {
  /** Schemes this key can sign with, in our preference order. */
  readonly schemes: readonly number[];
  /** The algorithm family, for choosing a TLS 1.2 suite. */
  readonly algorithm: "ECDSA" | "RSA" | "Ed25519";
  /** Signs `message` with `scheme` (one of `schemes`); ECDSA output is DER. */
  sign(scheme: number, message: Uint8Array): Promise<Uint8Array>;
}

/**
 * A TLS 1.3 cipher suite: an AEAD and a hash.
 *
 * @example
 * ```ts
 * import { webCryptoProvider } from "@kerneltls/tls";
 * import type { Tls13CipherSuite } from "@kerneltls/tls";
 * const provider = await webCryptoProvider();
 * const tls13 = provider.cipherSuites.filter((s): s is Tls13CipherSuite => s.version === "TLSv1_3");
 * console.log(tls13.map((s) => s.name)); // [ "TLS_AES_128_GCM_SHA256", ... ]
 * ```
 */
export interface Tls13CipherSuite {
  /** Protocol version this suite belongs to. */
  readonly version: "TLSv1_3";
  /** IANA code point. */
  readonly id: number;
  /** IANA name, for example `"TLS_AES_128_GCM_SHA256"`. */
  readonly name: string;
  /** Hash for the key schedule and transcript. */
  readonly hash: Hash;
  /** HMAC over `hash`. */
  readonly hmac: Hmac;
  /** Record protection algorithm. */
  readonly aead: Aead;
  /** Records one key may protect before it must be replaced (RFC 8446 5.5). */
  readonly confidentialityLimit: bigint;
}

/**
 * A TLS 1.2 ECDHE cipher suite with an AEAD.
 *
 * @example
 * ```ts
 * import { webCryptoProvider } from "@kerneltls/tls";
 * import type { Tls12CipherSuite } from "@kerneltls/tls";
 * const provider = await webCryptoProvider();
 * const ecdsa = provider.cipherSuites.filter(
 *   (s): s is Tls12CipherSuite => s.version === "TLSv1_2" && s.sign === "ECDSA",
 * );
 * console.log(ecdsa.map((s) => s.name)); // [ "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", ... ]
 * ```
 */
export interface Tls12CipherSuite {
  /** Protocol version this suite belongs to. */
  readonly version: "TLSv1_2";
  /** IANA code point. */
  readonly id: number;
  /** IANA name. */
  readonly name: string;
  /** Hash for the PRF and transcript. */
  readonly hash: Hash;
  /** HMAC over `hash` (the PRF's P_hash). */
  readonly hmac: Hmac;
  /** Record protection algorithm. */
  readonly aead: Aead;
  /** Certificate key family this suite authenticates with. */
  readonly sign: "ECDSA" | "RSA";
  /** Records one key may protect (2^24 for AES-GCM, 2^64 - 1 for ChaCha20). */
  readonly confidentialityLimit: bigint;
}

/**
 * Either kind of suite.
 *
 * @example
 * ```ts
 * import type { SupportedCipherSuite } from "@kerneltls/tls";
 * function describe(suite: SupportedCipherSuite): string {
 *   return `${suite.name} (${suite.version}, ${suite.aead.kind})`;
 * }
 * void describe;
 * ```
 */
export type SupportedCipherSuite = Tls13CipherSuite | Tls12CipherSuite;

/**
 * Everything the TLS engine needs from cryptography.
 *
 * @example
 * ```ts
 * import { ClientConfig, RootCertStore, webCryptoProvider } from "@kerneltls/tls";
 * import type { CryptoProvider } from "@kerneltls/tls";
 * const base = await webCryptoProvider();
 * // Providers are plain objects: trim or swap any list.
 * const provider: CryptoProvider = {
 *   ...base,
 *   cipherSuites: base.cipherSuites.filter((s) => s.aead.kind !== "Aes128Gcm"),
 * };
 * const config = new ClientConfig({ roots: new RootCertStore(), provider });
 * void config;
 * ```
 */
export interface CryptoProvider {
  /** Cipher suites in preference order. */
  readonly cipherSuites: readonly SupportedCipherSuite[];
  /** Key exchange groups in preference order. */
  readonly kxGroups: readonly KeyExchangeGroup[];
  /** Signature schemes we verify, in preference order. */
  readonly signatureVerifiers: readonly SignatureVerifier[];
  /** SHA-256 and SHA-384. */
  readonly hashes: { readonly sha256: Hash; readonly sha384: Hash };
  /** HMAC over each hash. */
  readonly hmacs: { readonly sha256: Hmac; readonly sha384: Hmac };
  /** Loads a PKCS#8 private key (PEM text or DER bytes). */
  loadSigningKey(pkcs8: string | Uint8Array): Promise<SigningKey>;
  /** Fills a new array with `n` secure random bytes. */
  randomBytes(n: number): Uint8Array;
  /**
   * HPKE KEMs (RFC 9180) for Encrypted Client Hello, in preference order.
   * HPKE's KDFs and AEADs come from `hmacs` and the suites' `aead`s. Absent:
   * this provider cannot do ECH.
   */
  readonly hpkeKems?: readonly HpkeKem[];
}
