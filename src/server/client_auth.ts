/**
 * Client authentication rules the server applies the same way in TLS 1.3
 * and TLS 1.2: what an empty or a non-empty client Certificate leads to,
 * which CertificateVerify schemes are acceptable, and which stored sessions
 * may resume under the config's client verifier.
 *
 * @module
 */

import { peerIncompatible, peerMisbehaved } from "../error.ts";
import type { ConnectionCore } from "../common/core.ts";
import type { AlertDescriptionValue } from "../msgs/enums.ts";
import type { ClientCertVerifier } from "../webpki/verifier.ts";
import type { ResolvedServerConfig } from "./config.ts";

/**
 * Bytes the certificate_authorities list may take on the wire. It is a u16
 * vector (RFC 5246 7.4.4), and in TLS 1.3 it shares the CertificateRequest's
 * u16 extensions block with signature_algorithms (RFC 8446 4.2.4); the
 * margin leaves room for those.
 */
const MAX_AUTHORITY_BYTES = 60_000;

/**
 * The trust anchors' subjects to name in a CertificateRequest, or none when
 * they do not fit (about 600 roots or more): an empty list is allowed in
 * both versions and leaves the choice of certificate to the client.
 */
export function authorityHints(verifier: ClientCertVerifier): readonly Uint8Array[] {
  const subjects = verifier.rootHintSubjects();
  let total = 0;
  for (const subject of subjects) total += 2 + subject.length;
  return total <= MAX_AUTHORITY_BYTES ? subjects : [];
}

const mint: unique symbol = Symbol("server evidence");

/** The client's chain verified with the config's client verifier. */
export class ClientCertVerified {
  declare private readonly brand: void;
  /** Only this module holds the argument. */
  constructor(_mint: typeof mint) {}
}

/**
 * No client certificate is needed: we did not ask for one (no verifier, or
 * a resumed handshake), or the client sent none and client auth is optional.
 */
export class NoClientAuthRequired {
  declare private readonly brand: void;
  /** Only this module holds the argument. */
  constructor(_mint: typeof mint) {}
}

/**
 * The verifier to send a CertificateRequest for in a full handshake (TLS
 * 1.3 or TLS 1.2), or the token that none is needed (no verifier, or one
 * that does not offer client auth).
 */
export function fullHandshakeClientAuth(
  config: ResolvedServerConfig,
): ClientCertVerifier | NoClientAuthRequired {
  const verifier = config.clientCertVerifier;
  return verifier?.offerClientAuth() ? verifier : new NoClientAuthRequired(mint);
}

/**
 * Checks the client's chain (end entity first) with `verifier` and records
 * it as the peer's certificates; an empty chain that the verifier lets
 * through (optional client auth) is `NoClientAuthRequired`.
 *
 * An empty chain under mandatory client auth is refused with
 * `noCertificateAlert`: certificate_required in TLS 1.3 (RFC 8446 4.4.2.4),
 * handshake_failure in TLS 1.2 (RFC 5246 7.4.6), which has no such alert.
 * OpenSSL 3.0 does the same (our client sees handshake_failure from
 * `s_server -Verify` over TLS 1.2 in tests/tls12_openssl_test.ts); rustls
 * sends certificate_required in both versions.
 *
 * @throws {TlsError} detail `NoCertificatesPresented`, or the verifier's refusal.
 */
export async function acceptClientChain(
  cx: ConnectionCore,
  verifier: ClientCertVerifier,
  chain: readonly Uint8Array[],
  now: Date,
  noCertificateAlert: AlertDescriptionValue,
): Promise<ClientCertVerified | NoClientAuthRequired> {
  if (chain.length === 0) {
    if (verifier.clientAuthMandatory()) {
      throw peerIncompatible(
        "client sent no certificate",
        "NoCertificatesPresented",
        noCertificateAlert,
      );
    }
    return new NoClientAuthRequired(mint);
  }
  await verifier.verifyClientCert(chain[0], chain.slice(1), now);
  cx.recordNegotiated({ peerCertificates: [...chain] });
  return new ClientCertVerified(mint);
}

/** The client's TLS 1.2 CertificateVerify verified under its certificate. */
export class Tls12CertificateVerifyValid {
  declare private readonly brand: void;
  /** Only this module holds the argument. */
  constructor(_mint: typeof mint) {}
}

/**
 * RFC 5246 7.4.8: the client's CertificateVerify is made with a scheme our
 * CertificateRequest offered, over every handshake message from ClientHello
 * through ClientKeyExchange (`transcript`), by `endEntity`'s key.
 *
 * @throws {TlsError} `SignedWithUnofferedScheme`, or the verifier's refusal.
 */
export async function verifyClientCertificateVerify12(
  verifier: ClientCertVerifier,
  transcript: Uint8Array,
  endEntity: Uint8Array,
  scheme: number,
  signature: Uint8Array,
): Promise<Tls12CertificateVerifyValid> {
  checkOfferedClientScheme(verifier, scheme);
  await verifier.verifyTls12Signature(transcript, endEntity, scheme, signature);
  return new Tls12CertificateVerifyValid(mint);
}

/**
 * Refuses a client CertificateVerify `scheme` that our CertificateRequest
 * did not offer (the verifier's schemes, in both versions).
 *
 * @throws {TlsError} illegal_parameter, detail `SignedWithUnofferedScheme`.
 */
export function checkOfferedClientScheme(verifier: ClientCertVerifier, scheme: number): void {
  if (!verifier.supportedVerifySchemes().includes(scheme)) {
    throw peerMisbehaved(
      "client signed with a scheme we did not offer",
      "SignedWithUnofferedScheme",
    );
  }
}

/**
 * Whether a stored session may resume under `config`: when client auth is
 * mandatory, only one whose client presented a certificate (resuming it
 * restores that identity).
 */
export function sessionMeetsClientAuth(
  config: ResolvedServerConfig,
  peerCertificates: readonly Uint8Array[] | undefined,
): boolean {
  return !config.clientCertVerifier?.clientAuthMandatory() || peerCertificates !== undefined;
}
