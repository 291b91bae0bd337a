/**
 * How the client learns who the server is (RFC 8446 sections 4.4.2.4,
 * 4.4.3 and 4.2.11; RFC 5246 7.4.2, 7.4.3 and 7.3 for TLS 1.2): the
 * certificate chain verified for the name we connect to and the
 * CertificateVerify (TLS 1.2: ServerKeyExchange) signature, or a session we
 * offered. Each check mints a token here, and the client's ExpectFinished
 * (TLS 1.2: ExpectServerFinished12) cannot be built without them.
 *
 * @module
 */

import { expectMessage } from "../common/expect.ts";
import { peerIncompatible, peerMisbehaved } from "../error.ts";
import type { Tls12CipherSuite, Tls13CipherSuite } from "../crypto/types.ts";
import { HandshakeType } from "../msgs/enums.ts";
import { serverKeyExchangeParams, type Tls12ServerKeyExchange } from "../msgs/tls12_messages.ts";
import { concat } from "../_bytes.ts";
import { schemeFitsSuite } from "../tls12/negotiation.ts";
import type { HandshakeMessage as RawHandshake } from "../record/handshake_joiner.ts";
import { checkPeerTls13Scheme } from "../tls13/certificate_verify.ts";
import {
  type HandshakeSignatureValid,
  verifyCertificateVerify,
} from "../tls13/signature_evidence.ts";
import type { ClientHandshakeData } from "./handshake_data.ts";
import type { Tls12ClientSession } from "./session_store.ts";
import type { OfferedSession } from "./resumption.ts";

const mint: unique symbol = Symbol("client evidence");

/** The server's chain verified for the name we connect to. */
export class ServerCertVerified {
  declare private readonly brand: void;
  /** Only this module holds the argument. */
  constructor(_mint: typeof mint) {}
}

/** The server accepted the PSK we offered: the handshake is authenticated by it. */
export class ResumedWithPsk {
  declare private readonly brand: void;
  /** Only this module holds the argument. */
  constructor(_mint: typeof mint) {}
}

/** What lets the client accept the server's Finished. */
export type ServerAuthenticated =
  | { cert: ServerCertVerified; signature: HandshakeSignatureValid }
  | ResumedWithPsk;

/** The TLS 1.2 ServerKeyExchange is signed by the server's certificate key. */
export class ServerKeyExchangeSignatureValid {
  declare private readonly brand: void;
  /** Only this module holds the argument. */
  constructor(_mint: typeof mint) {}
}

/** The server resumed the TLS 1.2 session we offered (by session ID or ticket). */
export class ResumedTls12Session {
  declare private readonly brand: void;
  /** Only this module holds the argument. */
  constructor(_mint: typeof mint) {}
}

/** What lets the client accept the server's TLS 1.2 Finished. */
export type Tls12ServerAuthenticated =
  | { cert: ServerCertVerified; signature: ServerKeyExchangeSignatureValid }
  | ResumedTls12Session;

/**
 * RFC 8446 4.4.2.4: verifies `chain` (end entity first) against the name we
 * connect to (with ECH rejected, the public name: RFC 9849 section 6.1.7).
 *
 * @throws {TlsError} the verifier's refusal.
 */
export async function verifyServerChain(
  hs: ClientHandshakeData,
  chain: readonly Uint8Array[],
): Promise<ServerCertVerified> {
  const { config, verifyName } = hs;
  await config.verifier.verifyServerCert(chain[0], chain.slice(1), verifyName, config.now());
  return new ServerCertVerified(mint);
}

/**
 * RFC 8446 4.4.3: the server's CertificateVerify covers the transcript so
 * far, made with a TLS 1.3 scheme we offered.
 *
 * @throws {TlsError} `SignedWithUnofferedScheme`, or the verifier's refusal.
 */
export async function verifyServerSignature(
  hs: ClientHandshakeData,
  suite: Tls13CipherSuite,
  endEntity: Uint8Array,
  raw: RawHandshake,
): Promise<HandshakeSignatureValid> {
  const cv = expectMessage(raw, HandshakeType.certificate_verify, "CertificateVerify");
  const { config, transcript } = hs;
  checkPeerTls13Scheme(cv.scheme);
  if (!config.verifier.supportedVerifySchemes().includes(cv.scheme)) {
    throw peerMisbehaved(
      "server signed with a scheme we did not offer",
      "SignedWithUnofferedScheme",
    );
  }
  return verifyCertificateVerify(
    "server",
    config.verifier,
    await transcript.hash(suite.hash),
    endEntity,
    cv.scheme,
    cv.signature,
  );
}

/**
 * RFC 8446 4.2.11: the server's pre_shared_key must select the identity we
 * offered, whose hash must be the chosen suite's.
 *
 * @throws {TlsError} `SelectedInvalidPsk` or
 * `ResumptionOfferedWithIncompatibleCipherSuite`.
 */
export function acceptSelectedPsk(
  offer: OfferedSession | undefined,
  selectedIdentity: number,
  suite: Tls13CipherSuite,
): ResumedWithPsk {
  if (!offer || selectedIdentity !== 0) {
    throw peerMisbehaved("server selected a PSK we did not offer", "SelectedInvalidPsk");
  }
  if (offer.suite.hash.name !== suite.hash.name) {
    throw peerMisbehaved(
      "resumed with a suite of another hash",
      "ResumptionOfferedWithIncompatibleCipherSuite",
    );
  }
  return new ResumedWithPsk(mint);
}

/**
 * RFC 5246 7.4.3, RFC 8422 5.4: the ServerKeyExchange is signed with a
 * scheme we offered that fits the suite, over both randoms and the ECDHE
 * parameters, by `serverCert`'s key.
 *
 * @throws {TlsError} `SignedWithUnofferedScheme`, or the verifier's refusal.
 */
export async function verifyServerKeyExchange(
  hs: ClientHandshakeData,
  suite: Tls12CipherSuite,
  serverRandom: Uint8Array,
  serverCert: Uint8Array,
  ske: Tls12ServerKeyExchange,
): Promise<ServerKeyExchangeSignatureValid> {
  const { verifier } = hs.config;
  if (
    !verifier.supportedVerifySchemes().includes(ske.scheme) ||
    !schemeFitsSuite(ske.scheme, suite.sign)
  ) {
    throw peerMisbehaved(
      "ServerKeyExchange signed with a scheme we did not offer or that does not fit the suite",
      "SignedWithUnofferedScheme",
    );
  }
  const signed = concat(hs.random, serverRandom, serverKeyExchangeParams(ske));
  await verifier.verifyTls12Signature(signed, serverCert, ske.scheme, ske.signature);
  return new ServerKeyExchangeSignatureValid(mint);
}

/**
 * RFC 5246 7.4.1.3, RFC 7627 5.3: the server resumed the TLS 1.2 session
 * we offered with its suite and its extended master secret state.
 *
 * @throws {TlsError} `ResumptionOfferedWithIncompatibleCipherSuite` or
 * `ResumedSessionChangesExtendedMasterSecret`.
 */
export function acceptTls12Resumption(
  offer: Tls12ClientSession,
  suite: Tls12CipherSuite,
  ems: boolean,
): ResumedTls12Session {
  if (offer.suiteId !== suite.id) {
    throw peerMisbehaved(
      "resumed session with another suite",
      "ResumptionOfferedWithIncompatibleCipherSuite",
    );
  }
  if (offer.extendedMasterSecret !== ems) {
    throw peerIncompatible(
      "resumed session changes the extended master secret",
      "ResumedSessionChangesExtendedMasterSecret",
    );
  }
  return new ResumedTls12Session(mint);
}
