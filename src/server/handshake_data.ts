/**
 * What the server carries from one handshake state to the next.
 *
 * @module
 */

import type { KeyExchangeGroup, Tls13CipherSuite } from "../crypto/types.ts";
import type { ClientHello } from "../msgs/client_hello.ts";
import type { MasterSecret } from "../tls13/key_schedule.ts";
import { Transcript } from "../tls13/transcript.ts";
import type { Tls13Traffic } from "../common/tls13_traffic.ts";
import type { Exporter } from "../common/exporter.ts";
import type { ResolvedServerConfig } from "./config.ts";
import type { AcceptedEch } from "./ech_accept.ts";

/** Server-side handshake facts shared by the `Expect*` states. */
export class ServerHandshakeData {
  /** The resolved config. */
  readonly config: ResolvedServerConfig;
  /** Handshake transcript. */
  readonly transcript: Transcript = new Transcript();
  /** The client's random from its first ClientHello (for the key log). */
  readonly clientRandom: Uint8Array;
  /** The client's legacy_session_id, echoed in ServerHello. */
  readonly sessionId: Uint8Array;
  /** Encrypted Client Hello we accepted: the handshake runs on the inner hello. */
  readonly echAccepted: AcceptedEch | undefined;
  /** ClientHelloInner.random, for the acceptance signals. */
  readonly echInnerRandom: Uint8Array | undefined;
  /** Set when the client offered ECH we could not open: sent as retry_configs. */
  readonly echRetryConfigs: Uint8Array | undefined;

  /** Starts the handshake for `config` with what the first ClientHello fixed. */
  constructor(config: ResolvedServerConfig, first: FirstHelloFacts) {
    this.config = config;
    this.clientRandom = first.clientRandom;
    this.sessionId = first.sessionId;
    this.echAccepted = first.echAccepted;
    this.echInnerRandom = first.echInnerRandom;
    this.echRetryConfigs = first.echRetryConfigs;
  }

  /** Reports a secret to the key log, if one is configured. */
  keyLog(label: string, secret: Uint8Array): void {
    this.config.keyLog?.(label, this.clientRandom, secret);
  }
}

/** What the first ClientHello (and the ECH decision on it) fixed for the whole handshake. */
export interface FirstHelloFacts {
  /** The random on the wire (the outer one under ECH). */
  clientRandom: Uint8Array;
  /** legacy_session_id of the hello the handshake runs on. */
  sessionId: Uint8Array;
  /** The ECH offer we opened, if any. */
  echAccepted?: AcceptedEch;
  /** ClientHelloInner.random, when `echAccepted`. */
  echInnerRandom?: Uint8Array;
  /** Our ECHConfigList, when the client offered ECH we could not open. */
  echRetryConfigs?: Uint8Array;
}

/** What a HelloRetryRequest fixed for the second ClientHello. */
export interface RetryChoice {
  /** The suite named in the HelloRetryRequest. */
  suite: Tls13CipherSuite;
  /** The group the client must now send a share for. */
  group: KeyExchangeGroup;
  /** The first ClientHello, which the second must repeat (RFC 8446 4.1.2). */
  firstHello: ClientHello;
}

/** Secrets derived once the server's flight is sent, needed until client Finished. */
export interface ServerHandshakeKeys {
  /** The negotiated suite. */
  suite: Tls13CipherSuite;
  /** client_handshake_traffic_secret: keys the client's flight and its Finished. */
  clientHandshakeSecret: Uint8Array;
  /** Application traffic secrets of generation 0 (server tx already in use). */
  traffic: Tls13Traffic;
  /** The master secret stage, for the resumption master secret. */
  master: MasterSecret;
  /** The exporter, usable once the client's Finished is in. */
  exporter: Exporter;
}
