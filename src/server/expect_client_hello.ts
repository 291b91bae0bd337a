/**
 * The server awaits a ClientHello (RFC 8446 sections 4.1.2, 4.1.4 and 4.2),
 * answers it with a HelloRetryRequest when the client sent no usable key
 * share, or with the whole server flight.
 *
 * @module
 */

import { peerIncompatible } from "../error.ts";
import type { ConnectionCore, HandshakeState } from "../common/core.ts";
import { expectMessage } from "../common/expect.ts";
import { ourRecordSizeLimit } from "../common/record_size_limit.ts";
import type { KeyExchangeGroup, Tls13CipherSuite } from "../crypto/types.ts";
import type { ClientHello } from "../msgs/client_hello.ts";
import { AlertDescription, ExtensionType, HandshakeType, ProtocolVersion } from "../msgs/enums.ts";
import { findExtension } from "../msgs/extensions.ts";
import type { EchHelloRetryRequestExtension, KeyShareEntry } from "../msgs/extension_types.ts";
import { encodeHandshake } from "../msgs/handshake.ts";
import { HELLO_RETRY_REQUEST_RANDOM, type HelloRetryRequest } from "../msgs/server_hello.ts";
import { helloRetryEchConfirmation } from "../tls13/ech_confirmation.ts";
import { offersEch, openEch, openRetryEch } from "./ech_accept.ts";
import type { HandshakeMessage as RawHandshake } from "../record/handshake_joiner.ts";
import {
  checkClientHello,
  chooseAlpn,
  chooseGroup,
  chooseScheme,
  chooseSuite,
} from "./client_hello_checks.ts";
import type { RetryChoice, ServerHandshakeData } from "./handshake_data.ts";
import { sendServerFlight } from "./server_flight.ts";
import { checkSecondHello } from "./second_client_hello.ts";
import { ExpectCertificate } from "./expect_certificate.ts";
import { ExpectFinished } from "./expect_finished.ts";
import { ExpectEndOfEarlyData } from "./expect_end_of_early_data.ts";
import { acceptPsk, acceptsEarlyData, choosePskMode } from "./psk.ts";
import { NoClientAuthRequired, tls13ClientAuth } from "./client_auth.ts";
import type { CertifiedKey } from "../common/config_base.ts";
import { handleTls12ClientHello, wantsTls12 } from "./tls12_client_hello.ts";

const decoder = new TextDecoder();

/** Refused early data skipped when 0-RTT is off (`maxEarlyDataSize: 0`). */
const REFUSED_EARLY_DATA_SKIP = 16384;

/** Awaits the first ClientHello, or the second one after a HelloRetryRequest. */
export class ExpectClientHello implements HandshakeState {
  /** State name. */
  readonly name = "ExpectClientHello";
  readonly #hs: ServerHandshakeData;
  readonly #retry: RetryChoice | undefined;

  /** Waits for the first ClientHello, or with `retry` for the second. */
  constructor(hs: ServerHandshakeData, retry?: RetryChoice) {
    this.#hs = hs;
    this.#retry = retry;
  }

  /** Negotiates from the ClientHello and sends our answer. */
  async handle(cx: ConnectionCore, raw: RawHandshake): Promise<HandshakeState> {
    const hs = this.#hs;
    const { config } = hs;
    const wire = expectMessage(raw, HandshakeType.ClientHello, "ClientHello");
    // RFC 9849 section 7.1: ECH is settled before anything else is negotiated;
    // accepted, the ClientHelloInner is the ClientHello from here on.
    const hello = await this.#openEch(cx, wire);
    const encoded = hello === wire ? raw.encoded : encodeHandshake(hello);
    // D.4: from the first ClientHello on, the peer may send a middlebox CCS.
    cx.allowMiddleboxCcs();
    // D.5: SSL 3.0 and older are refused outright, whatever else is offered.
    if (hello.legacyVersion < ProtocolVersion.TLSv1_0) {
      throw peerIncompatible(
        `ClientHello legacy_version 0x${hello.legacyVersion.toString(16).padStart(4, "0")}`,
        "UnsupportedVersion",
        AlertDescription.ProtocolVersion,
      );
    }
    if (!this.#retry && hello === wire && wantsTls12(hs, hello)) {
      return handleTls12ClientHello(hs, cx, raw, hello);
    }
    if (!config.versions.includes("TLSv1_3")) {
      throw peerIncompatible(
        "client offers no version we enabled",
        "UnsupportedVersion",
        AlertDescription.ProtocolVersion,
      );
    }
    checkClientHello(hello);

    const pskMode = choosePskMode(hs, hello);
    let suite: Tls13CipherSuite;
    let group: KeyExchangeGroup | undefined;
    let share: KeyShareEntry | undefined;
    if (this.#retry) {
      // 4.2.10: no early data follows the second ClientHello, so from here on
      // a record that does not decrypt is bad_record_mac, never skipped.
      cx.stopSkippingEarlyData();
      ({ suite, group } = this.#retry);
      share = checkSecondHello(hello, this.#retry);
    } else {
      hs.clientRandom = wire.random; // the one on the wire, under ECH too
      hs.sessionId = hello.legacySessionId;
      suite = chooseSuite(config, hello.cipherSuites);
      // A client asking for psk_ke alone may send no groups at all.
      const hasGroups = findExtension(hello.extensions, ExtensionType.supported_groups);
      if (hasGroups || pskMode !== "psk_ke") {
        const choice = chooseGroup(config, hello);
        if (!choice.share) {
          return this.#sendHelloRetryRequest(cx, encoded, hello, suite, choice.group);
        }
        group = choice.group;
        share = choice.share;
      }
    }

    // 4.2.11: resumption, before this ClientHello enters the transcript (binders).
    const psk = pskMode ? await acceptPsk(hs, hello, encoded, suite) : undefined;
    if (psk && pskMode === "psk_ke") group = share = undefined;
    if (!psk && !share) {
      throw peerIncompatible("no key exchange group in common", "NoKxGroupsInCommon");
    }
    hs.transcript.add(encoded);

    const serverName = findExtension(hello.extensions, ExtensionType.server_name)?.hostName;
    cx.recordNegotiated({ serverName });
    const offeredSchemes =
      findExtension(hello.extensions, ExtensionType.signature_algorithms)?.schemes ?? [];
    const offeredAlpn = findExtension(
      hello.extensions,
      ExtensionType.application_layer_protocol_negotiation,
    )?.protocols;
    const alpn = chooseAlpn(config, offeredAlpn);
    const alpnName = alpn && decoder.decode(alpn);

    // 4.4.2.2: the certificate is picked from what the client told us; a
    // resumed handshake is authenticated by the PSK and sends none.
    let certified: CertifiedKey | undefined;
    let scheme: number | undefined;
    if (!psk) {
      certified = await config.certResolver({
        serverName,
        signatureSchemes: offeredSchemes,
        alpnProtocols: (offeredAlpn ?? []).map((p) => decoder.decode(p)),
      });
      if (!certified) {
        throw peerIncompatible("no certificate for this ClientHello", "NoSuitableCertificate");
      }
      scheme = chooseScheme(certified.key, offeredSchemes);
    }
    const clientAuth = tls13ClientAuth(config, psk !== undefined);
    const requestFrom = clientAuth instanceof NoClientAuthRequired ? undefined : clientAuth;

    // 4.2.10: 0-RTT is taken or refused; refused early data is skipped.
    const earlyOffered = findExtension(hello.extensions, ExtensionType.early_data) !== undefined;
    const earlyData = earlyOffered && psk !== undefined &&
      acceptsEarlyData(hs, psk, suite, alpnName, this.#retry !== undefined);

    const offeredLimit = findExtension(hello.extensions, ExtensionType.record_size_limit)?.limit;
    const keys = await sendServerFlight(cx, hs, {
      suite,
      group,
      share,
      certified,
      scheme,
      alpn,
      sniUsed: serverName !== undefined,
      clientAuth: requestFrom,
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
      cx.recordNegotiated({ handshakeKind: this.#retry ? "FullWithHelloRetryRequest" : "Full" });
    }
    if (!(clientAuth instanceof NoClientAuthRequired)) {
      return new ExpectCertificate(hs, keys, clientAuth);
    }
    const next = new ExpectFinished(hs, keys, clientAuth);
    return earlyData ? new ExpectEndOfEarlyData(hs, keys, next) : next;
  }

  /**
   * RFC 9849 section 7.1 (7.1.1 for the second ClientHello): the inner hello
   * when our key opens the client's offer, else the hello as received, noting
   * the retry configs to send when the client offered ECH we cannot open.
   */
  async #openEch(cx: ConnectionCore, hello: ClientHello): Promise<ClientHello> {
    const hs = this.#hs;
    if (this.#retry) {
      return hs.echAccepted ? await openRetryEch(hs.echAccepted, hello) : hello;
    }
    const ech = hs.config.ech;
    if (!ech) return hello;
    const opened = await openEch(hs.config.provider, ech, hello);
    if (!opened) {
      if (offersEch(hello)) {
        hs.echRetryConfigs = ech.retryConfigs;
        cx.recordNegotiated({ echAccepted: false });
      }
      return hello;
    }
    cx.recordNegotiated({ echAccepted: true });
    hs.echAccepted = opened.accepted;
    hs.echInnerRandom = opened.inner.random;
    return opened.inner;
  }

  /**
   * 4.1.4: ask for a share of `group`. The transcript restarts from
   * message_hash(ClientHello1) (4.4.1).
   */
  async #sendHelloRetryRequest(
    cx: ConnectionCore,
    encoded: Uint8Array,
    hello: ClientHello,
    suite: Tls13CipherSuite,
    group: KeyExchangeGroup,
  ): Promise<HandshakeState> {
    const hs = this.#hs;
    hs.transcript.add(encoded);
    await hs.transcript.rewriteForHelloRetryRequest(suite.hash);
    const message: HelloRetryRequest = {
      type: HandshakeType.ServerHello,
      legacyVersion: ProtocolVersion.TLSv1_2,
      random: HELLO_RETRY_REQUEST_RANDOM,
      legacySessionIdEcho: hs.sessionId,
      cipherSuite: suite.id,
      legacyCompressionMethod: 0,
      // In the order of RFC 8448 section 5 (as the ServerHello, see server_flight.ts).
      extensions: [
        { type: ExtensionType.key_share, selectedGroup: group.group },
        { type: ExtensionType.supported_versions, version: ProtocolVersion.TLSv1_3 },
      ],
    };
    // RFC 9849 section 7.2.1: an accepted offer is confirmed in the extension.
    if (hs.echInnerRandom) {
      const ech: EchHelloRetryRequestExtension = {
        type: ExtensionType.encrypted_client_hello,
        confirmation: new Uint8Array(8),
      };
      message.extensions.push(ech);
      ech.confirmation = await helloRetryEchConfirmation(
        suite,
        hs.echInnerRandom,
        hs.transcript,
        message,
      );
    }
    const hrr = encodeHandshake(message);
    hs.transcript.add(hrr);
    cx.sendHandshake(hrr);
    // 4.2.10: early data sent with the first ClientHello is refused and skipped.
    if (findExtension(hello.extensions, ExtensionType.early_data)) {
      cx.skipRejectedEarlyData(rejectedEarlyDataBudget(hs));
    }
    if (hs.sessionId.length > 0 && !hs.sentChangeCipherSpec) {
      cx.sendChangeCipherSpec();
      hs.sentChangeCipherSpec = true;
    }
    return new ExpectClientHello(hs, { suite, group, firstHello: hello });
  }
}

/**
 * Bytes of refused 0-RTT data skipped (RFC 8446 4.2.10): our configured
 * allowance, or 16384 (one full record, as OpenSSL does) when we take no
 * early data at all, so a client holding a ticket from another server
 * instance still completes its handshake. The ticket's own allowance counts
 * too: it may predate a config change.
 */
function rejectedEarlyDataBudget(hs: ServerHandshakeData, ticketAllowance = 0): number {
  const configured = hs.config.maxEarlyDataSize;
  return Math.max(configured > 0 ? configured : REFUSED_EARLY_DATA_SKIP, ticketAllowance);
}
