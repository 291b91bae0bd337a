/**
 * The crypto provider contract. A provider is a plain object of algorithm
 * objects: users may swap or trim any list (`{ ...provider, cipherSuites: [...] }`)
 * and nothing in the TLS core switches on algorithm names.
 *
 * Everything that touches key material is async because Web Crypto is.
 *
 * @module
 */

/** A one-shot hash function. */
export interface Hash {
  /** Web Crypto name, `"SHA-256"` or `"SHA-384"`. */
  readonly name: "SHA-256" | "SHA-384";
  /** Output length in bytes. */
  readonly outputLen: number;
  /** Internal block length in bytes (64 or 128). */
  readonly blockLen: number;
  /** Hashes `data` in one go. */
  digest(data: Uint8Array): Promise<Uint8Array>;
}

/** HMAC over one hash; keys of any length (including zero) are accepted. */
export interface Hmac {
  /** The hash HMAC is built on. */
  readonly hash: Hash;
  /** Computes HMAC(key, data). */
  sign(key: Uint8Array, data: Uint8Array): Promise<Uint8Array>;
}

/** The AEAD algorithms TLS uses, named as rustls names them. */
export type AeadKind = "Aes128Gcm" | "Aes256Gcm" | "Chacha20Poly1305";

/** An AEAD key ready for use. Nonces are always 12 bytes and tags 16 bytes. */
export interface AeadKey {
  /** Returns ciphertext || tag. */
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array>;
  /**
   * Returns the plaintext, or `null` when authentication fails. Never throws
   * for a bad tag; throws `RangeError` only for API misuse (wrong nonce size).
   */
  open(
    nonce: Uint8Array,
    aad: Uint8Array,
    ciphertextAndTag: Uint8Array,
  ): Promise<Uint8Array | null>;
}

/** An AEAD algorithm: imports raw keys once, non-extractable where possible. */
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

/** A key exchange in progress on our side: our share, waiting for the peer's. */
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

/** A key exchange group (X25519, secp256r1, ...). */
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

/** A signature scheme we can verify (TLS CertificateVerify and X.509). */
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
   * for any bad signature, key/scheme mismatch or malformed input.
   */
  verify(spki: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

/** A private key that signs for a TLS server or client certificate. */
export interface SigningKey {
  /** Schemes this key can sign with, in our preference order. */
  readonly schemes: readonly number[];
  /** The algorithm family, for choosing a TLS 1.2 suite. */
  readonly algorithm: "ECDSA" | "RSA" | "Ed25519";
  /** Signs `message` with `scheme` (one of `schemes`); ECDSA output is DER. */
  sign(scheme: number, message: Uint8Array): Promise<Uint8Array>;
}

/** A TLS 1.3 cipher suite: an AEAD and a hash. */
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

/** A TLS 1.2 ECDHE cipher suite with an AEAD. */
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

/** Either kind of suite. */
export type SupportedCipherSuite = Tls13CipherSuite | Tls12CipherSuite;

/** Everything the TLS engine needs from cryptography. */
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
}
