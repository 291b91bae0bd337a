/**
 * The client's reading of a TLS 1.2 ServerHello (RFC 5246 7.4.1.3): the
 * checks, the suite, and the extensions a TLS 1.2 server may answer with.
 *
 * @module
 */

import { peerIncompatible, peerMisbehaved } from "../error.ts";
import type { ConnectionCore, HandshakeState } from "../common/core.ts";
import type { Tls12CipherSuite } from "../crypto/types.ts";
import { AlertDescription, ExtensionType, ProtocolVersion } from "../msgs/enums.ts";
import { checkSolicited, findExtension } from "../msgs/extensions.ts";
import { extensionName } from "../msgs/_ext_codecs.ts";
import {
  DOWNGRADE_TLS11_SENTINEL,
  DOWNGRADE_TLS12_SENTINEL,
  type ServerHello,
} from "../msgs/server_hello.ts";
import type { HandshakeMessage as RawHandshake } from "../record/handshake_joiner.ts";
import { bytesEqual } from "../_bytes.ts";
import { applyRecordSizeLimits } from "../common/record_size_limit.ts";
import { offeredRecordSizeLimit } from "./client_hello.ts";
import type { ClientHandshakeData, SentClientHello } from "./handshake_data.ts";
import { acceptTls12Resumption } from "./server_auth.ts";
import { ExpectCertificate12, resumeTls12, type Tls12ClientState } from "./tls12_states.ts";

const decoder = new TextDecoder();

/** ServerHello extensions a TLS 1.2 server may send back to our ClientHello. */
const ANSWERABLE: ReadonlySet<number> = new Set([
  ExtensionType.server_name,
  ExtensionType.application_layer_protocol_negotiation,
  ExtensionType.extended_master_secret,
  ExtensionType.renegotiation_info,
  ExtensionType.ec_point_formats,
  ExtensionType.session_ticket,
  ExtensionType.record_size_limit,
]);

/**
 * Handles a ServerHello without supported_versions: the server chose TLS
 * 1.2. Throws unless TLS 1.2 is enabled, and (RFC 8446 4.1.3) when a server
 * random carries a downgrade sentinel while we offered TLS 1.3. `sent`: what
 * our ClientHello offered.
 */
export function handleTls12ServerHello(
  hs: ClientHandshakeData,
  cx: ConnectionCore,
  raw: RawHandshake,
  sh: ServerHello,
  sent: SentClientHello,
): Promise<HandshakeState> {
  const { config } = hs;
  const tail = sh.random.subarray(24);
  if (
    config.versions.includes("TLSv1_3") &&
    (bytesEqual(tail, DOWNGRADE_TLS12_SENTINEL) || bytesEqual(tail, DOWNGRADE_TLS11_SENTINEL))
  ) {
    throw peerMisbehaved(
      "server random carries a downgrade sentinel",
      "AttemptedDowngradeToTls12WhenTls13IsSupported",
    );
  }
  if (sh.legacyVersion !== ProtocolVersion.TLSv1_2 || !config.versions.includes("TLSv1_2")) {
    throw peerIncompatible(
      `server selected version 0x${sh.legacyVersion.toString(16)}`,
      "UnsupportedVersion",
      AlertDescription.protocol_version,
    );
  }
  if (sh.legacyCompressionMethod !== 0) {
    throw peerMisbehaved("ServerHello selected compression", "SelectedCompression");
  }
  // An echo of our session ID means resumption (RFC 5246 7.4.1.3, RFC 5077
  // 3.4); without a session on offer the ID was random and cannot be echoed.
  const offer = hs.tls12Offer;
  const resumed = hs.sessionId.length > 0 && bytesEqual(sh.legacySessionIdEcho, hs.sessionId);
  if (resumed && !offer) {
    throw peerMisbehaved("server resumed a session we did not offer", "ServerEchoedWrongSessionId");
  }
  const suite = config.cipherSuites.find((s) => s.id === sh.cipherSuite);
  if (!suite || suite.version !== "TLSv1_2") {
    throw peerMisbehaved(
      "server selected a cipher suite we did not offer",
      "SelectedUnofferedCipherSuite",
    );
  }
  checkSolicited(sh.extensions, sent.offered, "ServerHello");
  for (const ext of sh.extensions) {
    if (!ANSWERABLE.has(ext.type)) {
      throw peerMisbehaved(
        `ServerHello has unsolicited ${extensionName(ext.type)}`,
        "UnsolicitedExtension",
        AlertDescription.unsupported_extension,
      );
    }
  }
  const reneg = findExtension(sh.extensions, ExtensionType.renegotiation_info);
  if (reneg && reneg.renegotiatedConnection.length !== 0) {
    throw peerMisbehaved("non-empty renegotiation_info", "InvalidRenegotiationInfo", 40);
  }
  const ems = findExtension(sh.extensions, ExtensionType.extended_master_secret) !== undefined;
  if (!ems && config.requireExtendedMasterSecret) {
    throw peerIncompatible(
      "server does not support the extended master secret",
      "ExtendedMasterSecretExtensionRequired",
    );
  }
  const alpn = findExtension(sh.extensions, ExtensionType.application_layer_protocol_negotiation);
  if (alpn) {
    const offered = config.alpnProtocols;
    if (alpn.protocols.length !== 1 || !offered.some((p) => bytesEqual(p, alpn.protocols[0]))) {
      throw peerMisbehaved(
        "server chose an ALPN protocol we did not offer",
        "SelectedUnofferedApplicationProtocol",
      );
    }
    cx.recordNegotiated({ alpnProtocol: decoder.decode(alpn.protocols[0]) });
  }
  const limit = findExtension(sh.extensions, ExtensionType.record_size_limit);
  if (limit) applyRecordSizeLimits(cx, "TLSv1_2", limit.limit, offeredRecordSizeLimit(config));
  const resumption = resumed && offer
    ? acceptTls12Resumption(offer, suite as Tls12CipherSuite, ems)
    : undefined;
  sent.earlyData?.close();
  if (sent.earlyData) cx.recordEarlyDataOutcome(false);
  hs.transcript.add(raw.encoded);
  // From here a CCS is only welcome where the TLS 1.2 states expect it.
  cx.refuseMiddleboxCcs();
  cx.recordNegotiated({
    protocolVersion: "TLSv1_2",
    cipherSuite: suite,
    handshakeKind: resumed ? "Resumed" : "Full",
  });
  const state: Tls12ClientState = {
    hs,
    suite: suite as Tls12CipherSuite,
    serverRandom: sh.random.slice(),
    ems,
    ticketExpected: findExtension(sh.extensions, ExtensionType.session_ticket) !== undefined,
    serverCert: new Uint8Array(0),
    certificateRequested: false,
    serverSessionId: sh.legacySessionIdEcho.slice(),
    ticket: undefined,
    ticketLifetime: 0,
  };
  if (resumption && offer) {
    cx.recordNegotiated({ peerCertificates: offer.peerCertificates });
    return resumeTls12(cx, state, offer.masterSecret, resumption);
  }
  return Promise.resolve(new ExpectCertificate12(state));
}
