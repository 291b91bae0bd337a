/**
 * Facts a connection learns during the handshake, exposed through getters.
 *
 * @module
 */

import type { KeyExchangeGroup, SupportedCipherSuite } from "../crypto/types.ts";

/**
 * How the handshake went.
 *
 * @example
 * ```ts
 * import type { HandshakeKind } from "@kerneltls/tls";
 * function wasResumed(kind: HandshakeKind | undefined): boolean {
 *   return kind === "Resumed";
 * }
 * console.log(wasResumed("FullWithHelloRetryRequest")); // false
 * ```
 */
export type HandshakeKind = "Full" | "FullWithHelloRetryRequest" | "Resumed";

/** Negotiated parameters; undefined until known. */
export interface ConnectionInfo {
  /** `"TLSv1_3"` or `"TLSv1_2"`. */
  protocolVersion?: "TLSv1_3" | "TLSv1_2";
  /** The cipher suite. */
  cipherSuite?: SupportedCipherSuite;
  /** The key exchange group. */
  kxGroup?: KeyExchangeGroup;
  /** The ALPN protocol both sides agreed on. */
  alpnProtocol?: string;
  /** The peer's certificate chain, end entity first (DER). */
  peerCertificates?: Uint8Array[];
  /** Full, full with HelloRetryRequest, or resumed. */
  handshakeKind: HandshakeKind | undefined;
  /** Server side: the SNI host name the client sent (the inner one under ECH). */
  serverName?: string;
  /**
   * Whether Encrypted Client Hello was accepted: undefined when neither side
   * had it in play (no ECH offered, or a server without ECH keys).
   */
  echAccepted?: boolean;
}
