/**
 * The HPKE (RFC 9180) part of the crypto provider contract, used by
 * Encrypted Client Hello; re-exported by `types.ts`.
 *
 * @module
 */

/**
 * An HPKE key pair in its serialized form (RFC 9180 section 7.1.1):
 * `SerializePrivateKey(sk)` and `SerializePublicKey(pk)`.
 *
 * @example
 * ```ts
 * import { webCryptoProvider } from "@kerneltls/tls";
 * import type { HpkeKeyPair } from "@kerneltls/tls";
 * const provider = await webCryptoProvider();
 * const kem = provider.hpkeKems?.[0];
 * const pair: HpkeKeyPair | undefined = await kem?.generateKeyPair();
 * console.log(pair?.publicKey.length); // 32 for DHKEM(X25519, HKDF-SHA256)
 * ```
 */
export interface HpkeKeyPair {
  /** The private key (32 bytes for both DHKEMs here). Keep it secret. */
  readonly privateKey: Uint8Array;
  /** The public key: 32 raw bytes (X25519) or `04 || X || Y` (P-256). */
  readonly publicKey: Uint8Array;
}

/**
 * An HPKE key encapsulation mechanism (RFC 9180 section 4), used by
 * Encrypted Client Hello.
 *
 * @example
 * ```ts
 * import { webCryptoProvider } from "@kerneltls/tls";
 * import type { HpkeKem } from "@kerneltls/tls";
 * const provider = await webCryptoProvider();
 * const kem: HpkeKem = provider.hpkeKems![0];
 * const recipient = await kem.generateKeyPair();
 * const { enc, sharedSecret } = await kem.encap(recipient.publicKey);
 * const again = await kem.decap(enc, recipient.privateKey);
 * console.log(again.every((b, i) => b === sharedSecret[i])); // true
 * ```
 */
export interface HpkeKem {
  /** IANA KEM identifier: 0x0020 DHKEM(X25519, HKDF-SHA256), 0x0010 DHKEM(P-256, HKDF-SHA256). */
  readonly id: number;
  /** Name as RFC 9180 writes it. */
  readonly name: string;
  /** Nenc: length of an encapsulated key (equal to the public key length). */
  readonly encLen: number;
  /** Nsk: length of a serialized private key. */
  readonly privateKeyLen: number;
  /** A fresh random key pair. */
  generateKeyPair(): Promise<HpkeKeyPair>;
  /** DeriveKeyPair(ikm): the same key pair for the same input keying material. */
  deriveKeyPair(ikm: Uint8Array): Promise<HpkeKeyPair>;
  /**
   * Encap(pkR): a shared secret and its encapsulation for the holder of
   * `publicKey`. `ephemeral` fixes the ephemeral key pair (known-answer
   * tests only). Throws `TypeError` for a malformed or unusable public key.
   */
  encap(
    publicKey: Uint8Array,
    ephemeral?: HpkeKeyPair,
  ): Promise<{ sharedSecret: Uint8Array; enc: Uint8Array }>;
  /** Decap(enc, skR). Throws `TypeError` for a malformed or unusable `enc`. */
  decap(enc: Uint8Array, privateKey: Uint8Array): Promise<Uint8Array>;
}
