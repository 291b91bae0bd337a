/**
 * What the client carries from one handshake state to the next.
 *
 * @module
 */

import type { ActiveKeyExchange } from "../crypto/types.ts";
import type { ResolvedClientConfig } from "./config.ts";
import type { OfferedSession } from "./resumption.ts";
import { Transcript } from "../tls13/transcript.ts";
import type { ServerName } from "../webpki/name.ts";
import type { ClientEarlyData } from "./early_data.ts";
import type { Tls12ClientSession } from "./session_store.ts";
import type { ClientGrease } from "./grease.ts";
import type { EchOffer } from "./ech_offer.ts";
import type { EchOuterClientHelloExtension } from "../msgs/extension_types.ts";

/**
 * The facts of the first ClientHello, fixed before the handshake data exists:
 * drawn in this order by `startClient` so that seeded runs stay the same.
 */
export interface ClientHelloFacts {
  /** Our ClientHello random. */
  readonly random: Uint8Array;
  /** Our legacy_session_id (see {@link ClientHandshakeData.sessionId}). */
  readonly sessionId: Uint8Array;
  /** The GREASE values of both ClientHellos, when the config sends them. */
  readonly grease: ClientGrease | undefined;
  /** The Encrypted Client Hello offer, when the config has an ECHConfig. */
  readonly ech: EchOffer | undefined;
  /** The TLS 1.2 session offered (by session ID or ticket), if any. */
  readonly tls12Offer: Tls12ClientSession | undefined;
}

/** What a ClientHello that was sent offered: the server's answer must fit it. */
export interface SentClientHello {
  /** Extension types the server may answer (RFC 8446 section 4.2). */
  readonly offered: ReadonlySet<number>;
  /** Our key shares, by group. */
  readonly keyShares: readonly ActiveKeyExchange[];
  /** The ticket offered, if any (with ECH, in the inner hello). */
  readonly offer: OfferedSession | undefined;
  /**
   * The 0-RTT writer when this ClientHello offered early data (never the
   * second one: a HelloRetryRequest refuses it, RFC 8446 4.2.10).
   */
  readonly earlyData: ClientEarlyData | undefined;
  /** Whether our middlebox change_cipher_spec went out with this hello or before it. */
  readonly sentCcs: boolean;
  /** The GREASE encrypted_client_hello sent in both ClientHellos, if any. */
  readonly echGrease: EchOuterClientHelloExtension | undefined;
}

/** Client-side handshake facts shared by the `Expect*` states. */
export class ClientHandshakeData {
  /** The resolved config. */
  readonly config: ResolvedClientConfig;
  /** The name we connect to, as given. */
  readonly serverName: string;
  /** The parsed name (DNS or IP), for SNI and verification. */
  readonly parsedName: ServerName;
  /** Our ClientHello random. */
  readonly random: Uint8Array;
  /**
   * Our legacy_session_id: 32 random bytes in middlebox compatibility mode,
   * or the ID of a TLS 1.2 session we offer to resume.
   */
  readonly sessionId: Uint8Array;
  /** The GREASE values of both ClientHellos, when the config sends them. */
  readonly grease: ClientGrease | undefined;
  /** The transcript of the plain (or, with ECH, the outer) ClientHello's handshake. */
  readonly #transcript = new Transcript();
  /** The Encrypted Client Hello offer, when the config has an ECHConfig. */
  readonly ech: EchOffer | undefined;
  /** The TLS 1.2 session offered (by session ID or ticket), if any. */
  readonly tls12Offer: Tls12ClientSession | undefined;

  /** Takes the first ClientHello's facts, fixed for the whole handshake. */
  constructor(
    config: ResolvedClientConfig,
    serverName: string,
    parsedName: ServerName,
    facts: ClientHelloFacts,
  ) {
    this.config = config;
    this.serverName = serverName;
    this.parsedName = parsedName;
    this.random = facts.random;
    this.sessionId = facts.sessionId;
    this.grease = facts.grease;
    this.ech = facts.ech;
    this.tls12Offer = facts.tls12Offer;
  }

  /**
   * Handshake transcript; with ECH the outer one until the server accepts
   * (RFC 9849 section 6.1.4), the inner one from then on.
   */
  get transcript(): Transcript {
    return this.ech?.status === "accepted" ? this.ech.innerTranscript : this.#transcript;
  }

  /** The host name for server_name: a DNS name when SNI is on. */
  get sniName(): string | undefined {
    return this.config.enableSni && this.parsedName.kind === "dns"
      ? this.parsedName.name
      : undefined;
  }

  /**
   * The name the server's certificate must be valid for: ours, or the
   * ECHConfig's public name once the server has rejected ECH (RFC 9849
   * section 6.1.7).
   */
  get verifyName(): string {
    return this.ech?.status === "rejected" ? this.ech.config.contents.publicName : this.serverName;
  }

  /** Reports a secret to the key log, if one is configured. */
  keyLog(label: string, secret: Uint8Array): void {
    this.config.keyLog?.(label, this.random, secret);
  }
}
