/**
 * What the client's TLS 1.3 states hand each other after ServerHello: the
 * handshake-stage key material and the server's client-auth request.
 *
 * @module
 */

import type { Tls13CipherSuite } from "../crypto/types.ts";
import type { HandshakeSecret } from "../tls13/key_schedule.ts";

/** Handshake-stage key material carried to the Finished checks. */
export interface ClientHandshakeKeys {
  /** The negotiated suite. */
  suite: Tls13CipherSuite;
  /** The handshake secret stage, for the master secret. */
  handshake: HandshakeSecret;
  /** client_handshake_traffic_secret. */
  clientSecret: Uint8Array;
  /** server_handshake_traffic_secret. */
  serverSecret: Uint8Array;
}

/** What the server asked for in its CertificateRequest. */
export interface ClientAuthRequest {
  /** certificate_request_context, echoed in our Certificate. */
  context: Uint8Array;
  /** Schemes the server accepts for our CertificateVerify. */
  schemes: readonly number[];
}
