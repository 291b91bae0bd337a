/**
 * HPKE base mode (RFC 9180 sections 5 and 6): a KEM, a KDF and an AEAD taken
 * from the crypto provider, the key schedule, and the sender / recipient
 * contexts with their sequence-numbered nonces and exporter.
 *
 * Only mode_base: Encrypted Client Hello needs nothing else.
 *
 * @module
 */

import { concat } from "../../_bytes.ts";
import type {
  Aead,
  AeadKey,
  AeadKind,
  CryptoProvider,
  Hmac,
  HpkeKem,
  HpkeKeyPair,
} from "../types.ts";
import { hpkeSuiteId, labeledExpand, labeledExtract } from "./labeled.ts";

/** HPKE KEM identifiers (RFC 9180 section 7.1) this library implements. */
export const HpkeKemId = { DhKemP256: 0x0010, DhKemX25519: 0x0020 } as const;

/** HPKE KDF identifiers (RFC 9180 section 7.2) this library implements. */
export const HpkeKdfId = { HkdfSha256: 0x0001, HkdfSha384: 0x0002 } as const;

/** HPKE AEAD identifiers (RFC 9180 section 7.3) this library implements. */
export const HpkeAeadId = {
  Aes128Gcm: 0x0001,
  Aes256Gcm: 0x0002,
  ChaCha20Poly1305: 0x0003,
} as const;

const AEAD_KIND_BY_ID: Readonly<Record<number, AeadKind>> = {
  [HpkeAeadId.Aes128Gcm]: "Aes128Gcm",
  [HpkeAeadId.Aes256Gcm]: "Aes256Gcm",
  [HpkeAeadId.ChaCha20Poly1305]: "Chacha20Poly1305",
};

/**
 * An HPKE KDF: HKDF over one HMAC.
 *
 * @example
 * ```ts
 * import { webCryptoProvider } from "@kerneltls/tls";
 * import type { HpkeKdf } from "@kerneltls/tls";
 * const kdf: HpkeKdf = { id: 0x0001, hmac: (await webCryptoProvider()).hmacs.sha256 };
 * console.log(kdf.hmac.hash.outputLen); // 32
 * ```
 */
export interface HpkeKdf {
  /** IANA KDF identifier. */
  readonly id: number;
  /** The HMAC HKDF runs on; its hash length is Nh. */
  readonly hmac: Hmac;
}

/**
 * An HPKE AEAD: one of the provider's AEADs under its HPKE identifier.
 *
 * @example
 * ```ts
 * import { webCryptoProvider } from "@kerneltls/tls";
 * import type { HpkeAead } from "@kerneltls/tls";
 * const provider = await webCryptoProvider();
 * const aead: HpkeAead = { id: 0x0001, aead: provider.cipherSuites[0].aead };
 * console.log(aead.aead.tagLen); // 16
 * ```
 */
export interface HpkeAead {
  /** IANA AEAD identifier. */
  readonly id: number;
  /** The algorithm itself. */
  readonly aead: Aead;
}

/**
 * A complete HPKE ciphersuite.
 *
 * @example
 * ```ts
 * import type { HpkeSuite } from "@kerneltls/tls";
 * function describe(suite: HpkeSuite): string {
 *   return `${suite.kem.name} / ${suite.kdf.id} / ${suite.aead.id}`;
 * }
 * void describe;
 * ```
 */
export interface HpkeSuite {
  /** The KEM. */
  readonly kem: HpkeKem;
  /** The KDF. */
  readonly kdf: HpkeKdf;
  /** The AEAD. */
  readonly aead: HpkeAead;
}

/**
 * The provider's implementation of the HPKE suite `(kemId, kdfId, aeadId)`,
 * or `undefined` when it lacks any part (ECH then skips that config).
 *
 * @example
 * ```ts
 * import { webCryptoProvider } from "../webcrypto/provider.ts";
 * import { hpkeSuite } from "./hpke.ts";
 * const suite = hpkeSuite(await webCryptoProvider(), 0x0020, 0x0001, 0x0001);
 * console.log(suite?.kem.name); // DHKEM(X25519, HKDF-SHA256)
 * ```
 */
export function hpkeSuite(
  provider: CryptoProvider,
  kemId: number,
  kdfId: number,
  aeadId: number,
): HpkeSuite | undefined {
  const kem = provider.hpkeKems?.find((k) => k.id === kemId);
  const hmac = kdfId === HpkeKdfId.HkdfSha256
    ? provider.hmacs.sha256
    : kdfId === HpkeKdfId.HkdfSha384
    ? provider.hmacs.sha384
    : undefined;
  const kind = AEAD_KIND_BY_ID[aeadId];
  const aead = kind === undefined
    ? undefined
    : provider.cipherSuites.find((s) => s.aead.kind === kind)?.aead;
  if (kem === undefined || hmac === undefined || aead === undefined) return undefined;
  return { kem, kdf: { id: kdfId, hmac }, aead: { id: aeadId, aead } };
}

const MODE_BASE = 0x00;
const EMPTY = new Uint8Array(0);

/** The values the key schedule produces (section 5.1), before key import. */
export interface HpkeKeyScheduleOutput {
  readonly key: Uint8Array;
  readonly baseNonce: Uint8Array;
  readonly exporterSecret: Uint8Array;
}

/** KeySchedule(mode_base, shared_secret, info, "", ""). */
export async function hpkeKeySchedule(
  suite: HpkeSuite,
  sharedSecret: Uint8Array,
  info: Uint8Array,
): Promise<HpkeKeyScheduleOutput> {
  const id = hpkeSuiteId(suite.kem.id, suite.kdf.id, suite.aead.id);
  const hmac = suite.kdf.hmac;
  const nh = hmac.hash.outputLen;
  const pskIdHash = await labeledExtract(hmac, id, EMPTY, "psk_id_hash", EMPTY);
  const infoHash = await labeledExtract(hmac, id, EMPTY, "info_hash", info);
  const context = concat(Uint8Array.of(MODE_BASE), pskIdHash, infoHash);
  const secret = await labeledExtract(hmac, id, sharedSecret, "secret", EMPTY);
  const { aead } = suite.aead;
  return {
    key: await labeledExpand(hmac, id, secret, "key", context, aead.keyLen),
    baseNonce: await labeledExpand(hmac, id, secret, "base_nonce", context, aead.nonceLen),
    exporterSecret: await labeledExpand(hmac, id, secret, "exp", context, nh),
  };
}

/**
 * One direction of an HPKE context: `seal` for the sender, `open` for the
 * recipient. Each call uses and advances the sequence number (section 5.2).
 */
export class HpkeContext {
  #seq = 0;
  readonly #key: AeadKey;
  readonly #baseNonce: Uint8Array;
  readonly #exporterSecret: Uint8Array;
  readonly #suite: HpkeSuite;

  private constructor(suite: HpkeSuite, key: AeadKey, out: HpkeKeyScheduleOutput) {
    this.#suite = suite;
    this.#key = key;
    this.#baseNonce = out.baseNonce;
    this.#exporterSecret = out.exporterSecret;
  }

  /** Runs the key schedule and imports the key. */
  static async create(
    suite: HpkeSuite,
    sharedSecret: Uint8Array,
    info: Uint8Array,
  ): Promise<HpkeContext> {
    const out = await hpkeKeySchedule(suite, sharedSecret, info);
    return new HpkeContext(suite, await suite.aead.aead.importKey(out.key), out);
  }

  /** The sequence number the next `seal` / `open` uses. */
  get seq(): number {
    return this.#seq;
  }

  #nextNonce(): Uint8Array {
    // The counter stays far below 2^53; the RFC's limit is 2^96 - 1.
    if (this.#seq >= Number.MAX_SAFE_INTEGER) throw new RangeError("HPKE MessageLimitReached");
    const nonce = this.#baseNonce.slice();
    let n = this.#seq;
    for (let i = nonce.length - 1; n > 0; i--) {
      nonce[i] ^= n % 256;
      n = Math.floor(n / 256);
    }
    return nonce;
  }

  /** ContextS.Seal(aad, pt). */
  async seal(aad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> {
    const ct = await this.#key.seal(this.#nextNonce(), aad, plaintext);
    this.#seq++;
    return ct;
  }

  /** ContextR.Open(aad, ct): the plaintext, or `null` when authentication fails. */
  async open(aad: Uint8Array, ciphertext: Uint8Array): Promise<Uint8Array | null> {
    const pt = await this.#key.open(this.#nextNonce(), aad, ciphertext);
    // A failed open leaves the sequence number alone (section 5.2).
    if (pt !== null) this.#seq++;
    return pt;
  }

  /** Context.Export(exporter_context, L) (section 5.3). */
  export(exporterContext: Uint8Array, length: number): Promise<Uint8Array> {
    const s = this.#suite;
    return labeledExpand(
      s.kdf.hmac,
      hpkeSuiteId(s.kem.id, s.kdf.id, s.aead.id),
      this.#exporterSecret,
      "sec",
      exporterContext,
      length,
    );
  }
}

/**
 * SetupBaseS(pkR, info): the encapsulated key to send and the sender's
 * context. `ephemeral` fixes the ephemeral key (known-answer tests only).
 *
 * @example
 * ```ts
 * import { webCryptoProvider } from "../webcrypto/provider.ts";
 * import { hpkeSuite, setupBaseReceiver, setupBaseSender } from "./hpke.ts";
 * const suite = hpkeSuite(await webCryptoProvider(), 0x0020, 0x0001, 0x0003)!;
 * const recipient = await suite.kem.generateKeyPair();
 * const info = new TextEncoder().encode("app");
 * const { enc, context } = await setupBaseSender(suite, recipient.publicKey, info);
 * const ct = await context.seal(new Uint8Array(0), new TextEncoder().encode("hi"));
 * const r = await setupBaseReceiver(suite, enc, recipient.privateKey, info);
 * console.log(new TextDecoder().decode((await r.open(new Uint8Array(0), ct))!)); // hi
 * ```
 */
export async function setupBaseSender(
  suite: HpkeSuite,
  recipientPublicKey: Uint8Array,
  info: Uint8Array,
  ephemeral?: HpkeKeyPair,
): Promise<{ enc: Uint8Array; context: HpkeContext }> {
  const { sharedSecret, enc } = await suite.kem.encap(recipientPublicKey, ephemeral);
  return { enc, context: await HpkeContext.create(suite, sharedSecret, info) };
}

/**
 * SetupBaseR(enc, skR, info): the recipient's context. Throws `TypeError`
 * when `enc` is not a usable public key.
 */
export async function setupBaseReceiver(
  suite: HpkeSuite,
  enc: Uint8Array,
  recipientPrivateKey: Uint8Array,
  info: Uint8Array,
): Promise<HpkeContext> {
  const sharedSecret = await suite.kem.decap(enc, recipientPrivateKey);
  return HpkeContext.create(suite, sharedSecret, info);
}
