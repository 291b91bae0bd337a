/**
 * What the server does with a TLS 1.3 ClientHello, first or second (RFC
 * 8446 sections 4.1.2, 4.2.11 and 4.4.2.2): resumption, the certificate and
 * the whole server flight, shared by ExpectClientHello and
 * ExpectSecondClientHello.
 *
 * @module
 */

import { peerIncompatible } from "../error.ts";
import type { ConnectionCore, HandshakeState } from "../common/core.ts";
import { ourRecordSizeLimit } from "../common/record_size_limit.ts";
import type { KeyExchangeGroup, Tls13CipherSuite } from "../crypto/types.ts";
import type { ClientHello } from "../msgs/client_hello.ts";
import { AlertDescription, ExtensionType, ProtocolVersion } from "../msgs/enums.ts";
import { findExtension } from "../msgs/extensions.ts";
import type { KeyShareEntry } from "../msgs/extension_types.ts";
import type { CertifiedKey } from "../common/config_base.ts";
import {
  checkClientHello,
  chooseAlpn,
  chooseScheme,
  clientOffers,
  resolveCertificate,
} from "./client_hello_checks.ts";
import type { ResolvedServerConfig } from "./config.ts";
import type { ServerHandshakeData } from "./handshake_data.ts";
import { certificateRequest, sendServerFlight } from "./server_flight.ts";
import { ExpectCertificate } from "./expect_certificate.ts";
import { ExpectFinished } from "./expect_finished.ts";
import { ExpectEndOfEarlyData } from "./expect_end_of_early_data.ts";
import { acceptPsk, acceptsEarlyData, type PskMode, ResumedWithPsk } from "./psk.ts";
import { fullHandshakeClientAuth, NoClientAuthRequired } from "./client_auth.ts";

const decoder = new TextDecoder();

/** Refused early data skipped when 0-RTT is off (`maxEarlyDataSize: 0`). */
const REFUSED_EARLY_DATA_SKIP = 16384;

/**
 * Lets the peer's middlebox CCS in from the first ClientHello on (D.4) and
 * refuses SSL 3.0 and older outright, whatever else is offered (D.5).
 */
export function refuseAncientHello(cx: ConnectionCore, hello: ClientHello): void {
  cx.allowMiddleboxCcs();
  if (hello.legacyVersion < ProtocolVersion.TLSv1_0) {
    throw peerIncompatible(
      `ClientHello legacy_version 0x${hello.legacyVersion.toString(16).padStart(4, "0")}`,
      "UnsupportedVersion",
      AlertDescription.protocol_version,
    );
  }
}

/** A TLS 1.3 answer needs TLS 1.3 enabled, and a ClientHello that obeys 4.1.2. */
export function requireTls13Hello(config: ResolvedServerConfig, hello: ClientHello): void {
  if (!config.versions.includes("TLSv1_3")) {
    throw peerIncompatible(
      "client offers no version we enabled",
      "UnsupportedVersion",
      AlertDescription.protocol_version,
    );
  }
  checkClientHello(hello);
}

/** What the ClientHello settled before resumption is tried. */
export interface HelloChoice {
  /** The suite (from the HelloRetryRequest for the second ClientHello). */
  suite: Tls13CipherSuite;
  /** The key exchange group, unless psk_ke alone is offered. */
  group: KeyExchangeGroup | undefined;
  /** The client's share for `group`. */
  share: KeyShareEntry | undefined;
}

/**
 * Answers the (possibly ECH-opened) ClientHello `hello`, encoded as
 * `encoded`: resumption, then the server flight; returns the state that
 * awaits the client's flight.
 */
export async function answerClientHello(
  hs: ServerHandshakeData,
  cx: ConnectionCore,
  hello: ClientHello,
  encoded: Uint8Array,
  pskMode: PskMode | undefined,
  choice: HelloChoice,
  afterRetry: boolean,
): Promise<HandshakeState> {
  const { config } = hs;
  const { suite } = choice;
  let { group, share } = choice;
  // 4.2.11: resumption, before this ClientHello enters the transcript (binders).
  const psk = pskMode ? await acceptPsk(hs, hello, encoded, suite) : undefined;
  if (psk && pskMode === "psk_ke") group = share = undefined;
  if (!psk && !share) {
    throw peerIncompatible("no key exchange group in common", "NoKxGroupsInCommon");
  }
  hs.transcript.add(encoded);

  const offers = clientOffers(hello);
  const { serverName } = offers;
  cx.recordNegotiated({ serverName });
  const alpn = chooseAlpn(config, offers.alpn);
  const alpnName = alpn && decoder.decode(alpn);

  // 4.4.2.2: the certificate is picked from what the client told us; a
  // resumed handshake is authenticated by the PSK and sends none.
  let certified: CertifiedKey | undefined;
  let scheme: number | undefined;
  if (!psk) {
    certified = await resolveCertificate(config, offers);
    scheme = chooseScheme(certified.key, offers.schemes);
  }
  // A resumed handshake is authenticated by the PSK and asks for no certificate.
  const clientAuth = psk ? psk.evidence : fullHandshakeClientAuth(config);
  const requestFrom = clientAuth instanceof NoClientAuthRequired ||
      clientAuth instanceof ResumedWithPsk
    ? undefined
    : clientAuth;

  const request = requestFrom && certificateRequest(requestFrom);

  // 4.2.10: 0-RTT is taken or refused; refused early data is skipped.
  const earlyOffered = findExtension(hello.extensions, ExtensionType.early_data) !== undefined;
  const earlyData = earlyOffered && psk !== undefined &&
    acceptsEarlyData(hs, psk, suite, alpnName, afterRetry);

  const offeredLimit = findExtension(hello.extensions, ExtensionType.record_size_limit)?.limit;
  const keys = await sendServerFlight(cx, hs, {
    suite,
    group,
    share,
    certified,
    scheme,
    alpn,
    sniUsed: serverName !== undefined,
    certificateRequest: request?.message,
    afterRetry,
    psk: psk && { early: psk.early, index: psk.index },
    earlyData: earlyData
      ? Math.min(config.maxEarlyDataSize, psk!.session.maxEarlyDataSize)
      : undefined,
    echInnerRandom: hs.echInnerRandom,
    recordSizeLimit: offeredLimit === undefined
      ? undefined
      : { peer: offeredLimit, ours: ourRecordSizeLimit(config.recordSizeLimit, "TLSv1_3") },
    echRetryConfigs: hs.echRetryConfigs,
  });
  if (earlyOffered && !earlyData) {
    cx.skipRejectedEarlyData(rejectedEarlyDataBudget(hs, psk?.session.maxEarlyDataSize));
  }
  cx.recordNegotiated({
    protocolVersion: "TLSv1_3",
    cipherSuite: suite,
    kxGroup: group,
    alpnProtocol: alpnName,
  });
  if (psk) {
    cx.recordNegotiated({
      handshakeKind: "Resumed",
      peerCertificates: psk.session.peerCertificates,
    });
  } else {
    cx.recordNegotiated({ handshakeKind: afterRetry ? "FullWithHelloRetryRequest" : "Full" });
  }
  if (!(clientAuth instanceof NoClientAuthRequired) && !(clientAuth instanceof ResumedWithPsk)) {
    return new ExpectCertificate(hs, keys, clientAuth, request!.requested);
  }
  const next = new ExpectFinished(hs, keys, clientAuth);
  return earlyData ? new ExpectEndOfEarlyData(hs, keys, next) : next;
}

/**
 * Bytes of refused 0-RTT data skipped (RFC 8446 4.2.10): our configured
 * allowance, or 16384 (one full record, as OpenSSL does) when we take no
 * early data at all, so a client holding a ticket from another server
 * instance still completes its handshake. The ticket's own allowance counts
 * too: it may predate a config change.
 */
export function rejectedEarlyDataBudget(hs: ServerHandshakeData, ticketAllowance = 0): number {
  const configured = hs.config.maxEarlyDataSize;
  return Math.max(configured > 0 ? configured : REFUSED_EARLY_DATA_SKIP, ticketAllowance);
}
