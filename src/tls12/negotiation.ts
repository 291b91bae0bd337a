/**
 * TLS 1.2 negotiation rules shared by client and server: which groups and
 * signature schemes go with an ECDHE suite, and the refusal of renegotiation.
 *
 * @module
 */

import type { ConnectionCore, HandshakeState } from "../common/core.ts";
import { peerMisbehaved, unexpectedMessage } from "../common/handshake_errors.ts";
import { AlertDescription, AlertLevel, NamedGroup, SignatureScheme } from "../msgs/enums.ts";
import type { HandshakeMessage as RawHandshake } from "../record/handshake_joiner.ts";

/** Groups usable for TLS 1.2 ECDHE (RFC 8422, RFC 7748); post-quantum hybrids are TLS 1.3 only. */
export const TLS12_GROUPS: ReadonlySet<number> = new Set([
  NamedGroup.secp256r1,
  NamedGroup.secp384r1,
  NamedGroup.secp521r1,
  NamedGroup.X25519,
  NamedGroup.X448,
]);

const ECDSA_SCHEMES: ReadonlySet<number> = new Set([
  SignatureScheme.ecdsa_secp256r1_sha256,
  SignatureScheme.ecdsa_secp384r1_sha384,
  SignatureScheme.ecdsa_secp521r1_sha512,
]);

const RSA_SCHEMES: ReadonlySet<number> = new Set([
  SignatureScheme.rsa_pss_rsae_sha256,
  SignatureScheme.rsa_pss_rsae_sha384,
  SignatureScheme.rsa_pss_rsae_sha512,
  SignatureScheme.rsa_pkcs1_sha256,
  SignatureScheme.rsa_pkcs1_sha384,
  SignatureScheme.rsa_pkcs1_sha512,
]);

/**
 * True when `scheme` signs for a suite authenticated by `sign` keys.
 *
 * @example
 * ```ts
 * import { schemeFitsSuite } from "./negotiation.ts";
 * console.log(schemeFitsSuite(0x0403, "ECDSA"), schemeFitsSuite(0x0403, "RSA")); // true false
 * ```
 */
export function schemeFitsSuite(scheme: number, sign: "ECDSA" | "RSA"): boolean {
  return (sign === "ECDSA" ? ECDSA_SCHEMES : RSA_SCHEMES).has(scheme);
}

/**
 * After a TLS 1.2 handshake: a renegotiation request (`trigger`, HelloRequest
 * for a client, ClientHello for a server) is answered once with a
 * no_renegotiation warning (RFC 5746 is honoured by never renegotiating); a
 * second one is fatal. Anything else is unexpected.
 */
export class RefuseRenegotiation implements HandshakeState {
  /** State name. */
  readonly name = "ExpectTraffic12";
  readonly #trigger: number;
  readonly #triggerName: string;
  #refused = false;

  /** Watches for `trigger` (a HandshakeType), named `triggerName` in errors. */
  constructor(trigger: number, triggerName: string) {
    this.#trigger = trigger;
    this.#triggerName = triggerName;
  }

  /** Refuses the renegotiation request. */
  // deno-lint-ignore require-await
  async handle(cx: ConnectionCore, raw: RawHandshake): Promise<HandshakeState> {
    if (raw.type !== this.#trigger) throw unexpectedMessage("no handshake message", raw.type);
    if (this.#refused) {
      throw peerMisbehaved(
        `second ${this.#triggerName} after a refused renegotiation`,
        "RenegotiationRefused",
        AlertDescription.NoRenegotiation,
      );
    }
    this.#refused = true;
    cx.sendAlert(AlertDescription.NoRenegotiation, AlertLevel.Warning);
    return this;
  }
}
