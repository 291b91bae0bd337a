/**
 * One connection's Encrypted Client Hello offer (RFC 9849 section 6.1): the
 * HPKE context, the ClientHelloInner random and transcript, and sealing an
 * EncodedClientHelloInner into a ClientHelloOuter. The same context seals
 * the second ClientHelloOuter after a HelloRetryRequest (section 6.1.5),
 * with an empty enc.
 *
 * @module
 */

import { type HpkeContext, setupBaseSender } from "../crypto/hpke/hpke.ts";
import { type ClientHello, writeClientHello } from "../msgs/client_hello.ts";
import { Writer } from "../msgs/codec.ts";
import { encodeEchInner } from "../msgs/ech_inner.ts";
import { echHpkeInfo } from "../msgs/ech_config.ts";
import { ExtensionType } from "../msgs/enums.ts";
import type { EchOuterClientHelloExtension } from "../msgs/extension_types.ts";
import { encodeHandshake } from "../msgs/handshake.ts";
import { Transcript } from "../tls13/transcript.ts";
import type { ChosenEchConfig } from "./ech_select.ts";

const EMPTY = new Uint8Array(0);

/** Where an offer stands: unknown until the server's first answer. */
export type EchOfferStatus = "offered" | "accepted" | "rejected";

/**
 * The extensions the inner hello takes from the outer one through
 * ech_outer_extensions (those rustls, BoringSSL and Go compress too, less
 * ALPN, which we keep private to the inner hello).
 */
export const ECH_COMPRESSED: ReadonlySet<number> = new Set([
  ExtensionType.supported_groups,
  ExtensionType.signature_algorithms,
  ExtensionType.supported_versions,
  ExtensionType.psk_key_exchange_modes,
  ExtensionType.cookie,
  ExtensionType.key_share,
]);

/** Section 6.1.3: name padding, then up to a multiple of 32 bytes. */
export function echPaddingLength(
  unpadded: number,
  innerName: string | undefined,
  maximumNameLength: number,
): number {
  const namePadding = innerName === undefined
    ? maximumNameLength + 9
    : Math.max(0, maximumNameLength - innerName.length);
  const length = unpadded + namePadding;
  return namePadding + 31 - ((length - 1) % 32);
}

/** The client's state for one ECH offer. */
export class EchOffer {
  /** The config encrypted to. */
  readonly config: ChosenEchConfig;
  /** ClientHelloInner.random (the outer one is drawn apart, section 6.1 rule 4). */
  readonly innerRandom: Uint8Array;
  /** The handshake transcript as if ClientHelloInner were the ClientHello. */
  readonly innerTranscript: Transcript = new Transcript();
  /** Accepted or rejected, once the ServerHello (or HelloRetryRequest) says. */
  status: EchOfferStatus = "offered";
  /** After a HelloRetryRequest: whether it confirmed ECH. */
  acceptedAtRetry: boolean | undefined;
  /** retry_configs from EncryptedExtensions, when rejected. */
  retryConfigs: Uint8Array | undefined;
  /** Extension types of the last ClientHelloInner and ClientHelloOuter. */
  innerExtensions: ReadonlySet<number> = new Set();
  outerExtensions: ReadonlySet<number> = new Set();
  readonly #enc: Uint8Array;
  readonly #context: HpkeContext;
  #greasePsk: { identity: Uint8Array; obfuscatedTicketAge: number } | undefined;
  readonly #randomBytes: (n: number) => Uint8Array;

  private constructor(
    config: ChosenEchConfig,
    innerRandom: Uint8Array,
    enc: Uint8Array,
    context: HpkeContext,
    randomBytes: (n: number) => Uint8Array,
  ) {
    this.#randomBytes = randomBytes;
    this.config = config;
    this.innerRandom = innerRandom;
    this.#enc = enc;
    this.#context = context;
  }

  /** SetupBaseS(pkR, "tls ech" || 0x00 || ECHConfig) for `config`. */
  static async create(
    config: ChosenEchConfig,
    randomBytes: (n: number) => Uint8Array,
  ): Promise<EchOffer> {
    const { enc, context } = await setupBaseSender(
      config.suite,
      config.contents.publicKey,
      echHpkeInfo(config.raw),
    );
    return new EchOffer(config, randomBytes(32), enc, context, randomBytes);
  }

  /**
   * Section 6.1.2: the outer hello's stand-in for the inner PSK: a random
   * identity of the same length and a random age, kept for the second
   * ClientHelloOuter after a HelloRetryRequest.
   */
  greasePsk<P extends { identity: Uint8Array; binderLength: number }>(
    real: P,
  ): { identity: Uint8Array; obfuscatedTicketAge: number; binderLength: number } {
    this.#greasePsk ??= {
      identity: this.#randomBytes(real.identity.length),
      obfuscatedTicketAge: this.#randomBytes(4).reduce((n, b) => n * 256 + b, 0),
    };
    return { ...this.#greasePsk, binderLength: real.binderLength };
  }

  /**
   * Logs `inner` in the inner transcript and returns the encoded
   * ClientHelloOuter: `outer` plus an encrypted_client_hello whose payload
   * seals the EncodedClientHelloInner, with the outer hello (payload
   * zeroed) as associated data (sections 5.2 and 6.1.1).
   */
  async seal(
    inner: ClientHello,
    innerName: string | undefined,
    outer: ClientHello,
    retry: boolean,
  ): Promise<Uint8Array> {
    this.innerTranscript.add(encodeHandshake(inner));
    const compressed = inner.extensions.map((e) => e.type).filter((t) => ECH_COMPRESSED.has(t));
    const unpadded = encodeEchInner(inner, compressed, 0).length;
    const padding = echPaddingLength(
      unpadded,
      innerName,
      this.config.contents.maximumNameLength,
    );
    const encoded = encodeEchInner(inner, compressed, padding);
    const ext: EchOuterClientHelloExtension = {
      type: ExtensionType.encrypted_client_hello,
      kind: "outer",
      cipherSuite: this.config.cipherSuite,
      configId: this.config.contents.configId,
      enc: retry ? EMPTY : this.#enc,
      payload: new Uint8Array(encoded.length + this.config.suite.aead.aead.tagLen),
    };
    // Before a (GREASE) pre_shared_key, which must stay last.
    const exts = [...outer.extensions];
    const last = exts[exts.length - 1];
    exts.splice(
      last?.type === ExtensionType.pre_shared_key ? exts.length - 1 : exts.length,
      0,
      ext,
    );
    const withPlaceholder = { ...outer, extensions: exts };
    const aad = new Writer();
    writeClientHello(aad, withPlaceholder);
    ext.payload = await this.#context.seal(aad.finish(), encoded);
    this.innerExtensions = new Set(inner.extensions.map((e) => e.type));
    this.outerExtensions = new Set(withPlaceholder.extensions.map((e) => e.type));
    return encodeHandshake(withPlaceholder);
  }
}
