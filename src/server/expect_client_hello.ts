/**
 * The server awaits the first ClientHello (RFC 8446 sections 4.1.2, 4.1.4
 * and 4.2), answers it with a HelloRetryRequest when the client sent no
 * usable key share (the second ClientHello then has its own state,
 * ExpectSecondClientHello), or with the whole server flight.
 *
 * @module
 */

import type { ConnectionCore, HandshakeState } from "../common/core.ts";
import { expectMessage } from "../common/expect.ts";
import type { KeyExchangeGroup, Tls13CipherSuite } from "../crypto/types.ts";
import type { ClientHello } from "../msgs/client_hello.ts";
import { ExtensionType, HandshakeType, ProtocolVersion } from "../msgs/enums.ts";
import { findExtension } from "../msgs/extensions.ts";
import type { EchHelloRetryRequestExtension, KeyShareEntry } from "../msgs/extension_types.ts";
import { encodeHandshake } from "../msgs/handshake.ts";
import { HELLO_RETRY_REQUEST_RANDOM, type HelloRetryRequest } from "../msgs/server_hello.ts";
import { helloRetryEchConfirmation } from "../tls13/ech_confirmation.ts";
import { offersEch, openEch } from "./ech_accept.ts";
import type { HandshakeMessage as RawHandshake } from "../record/handshake_joiner.ts";
import { chooseGroup, chooseSuite } from "./client_hello_checks.ts";
import { type FirstHelloFacts, ServerHandshakeData } from "./handshake_data.ts";
import type { ResolvedServerConfig } from "./config.ts";
import { ExpectSecondClientHello } from "./second_client_hello.ts";
import { choosePskMode } from "./psk.ts";
import {
  answerClientHello,
  refuseAncientHello,
  rejectedEarlyDataBudget,
  requireTls13Hello,
} from "./client_hello_answer.ts";
import { handleTls12ClientHello, wantsTls12 } from "./tls12_client_hello.ts";

/** Awaits the first ClientHello. */
export class ExpectClientHello implements HandshakeState {
  /** State name. */
  readonly name = "ExpectClientHello";
  readonly #config: ResolvedServerConfig;

  /** Waits for the first ClientHello. */
  constructor(config: ResolvedServerConfig) {
    this.#config = config;
  }

  /** Negotiates from the ClientHello and sends our answer. */
  async handle(cx: ConnectionCore, raw: RawHandshake): Promise<HandshakeState> {
    const config = this.#config;
    const wire = expectMessage(raw, HandshakeType.client_hello, "ClientHello");
    // RFC 9849 section 7.1: ECH is settled before anything else is negotiated;
    // accepted, the ClientHelloInner is the ClientHello from here on.
    const { hello, ech } = await this.#openEch(cx, wire);
    const hs = new ServerHandshakeData(config, {
      clientRandom: wire.random, // the one on the wire, under ECH too
      sessionId: hello.legacySessionId,
      ...ech,
    });
    const encoded = hello === wire ? raw.encoded : encodeHandshake(hello);
    refuseAncientHello(cx, hello);
    if (hello === wire && wantsTls12(hs, hello)) {
      return handleTls12ClientHello(hs, cx, raw, hello);
    }
    requireTls13Hello(config, hello);

    const pskMode = choosePskMode(hs, hello);
    let group: KeyExchangeGroup | undefined;
    let share: KeyShareEntry | undefined;
    const suite = chooseSuite(config, hello.cipherSuites);
    // A client asking for psk_ke alone may send no groups at all.
    const hasGroups = findExtension(hello.extensions, ExtensionType.supported_groups);
    if (hasGroups || pskMode !== "psk_ke") {
      const choice = chooseGroup(config, hello);
      if (!choice.share) {
        return this.#sendHelloRetryRequest(hs, cx, encoded, hello, suite, choice.group);
      }
      group = choice.group;
      share = choice.share;
    }
    return answerClientHello(hs, cx, hello, encoded, pskMode, { suite, group, share }, false);
  }

  /**
   * RFC 9849 section 7.1: the inner hello
   * when our key opens the client's offer, else the hello as received, with
   * the retry configs to send when the client offered ECH we cannot open.
   */
  async #openEch(
    cx: ConnectionCore,
    hello: ClientHello,
  ): Promise<{ hello: ClientHello; ech: Partial<FirstHelloFacts> }> {
    const ech = this.#config.ech;
    if (!ech) return { hello, ech: {} };
    const opened = await openEch(this.#config.provider, ech, hello);
    if (!opened) {
      if (!offersEch(hello)) return { hello, ech: {} };
      cx.recordNegotiated({ echAccepted: false });
      return { hello, ech: { echRetryConfigs: ech.retryConfigs } };
    }
    cx.recordNegotiated({ echAccepted: true });
    const inner = opened.inner;
    return { hello: inner, ech: { echAccepted: opened.accepted, echInnerRandom: inner.random } };
  }

  /**
   * 4.1.4: ask for a share of `group`. The transcript restarts from
   * message_hash(ClientHello1) (4.4.1).
   */
  async #sendHelloRetryRequest(
    hs: ServerHandshakeData,
    cx: ConnectionCore,
    encoded: Uint8Array,
    hello: ClientHello,
    suite: Tls13CipherSuite,
    group: KeyExchangeGroup,
  ): Promise<HandshakeState> {
    hs.transcript.add(encoded);
    await hs.transcript.rewriteForHelloRetryRequest(suite.hash);
    const message: HelloRetryRequest = {
      type: HandshakeType.server_hello,
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
    // D.4: our first flight message is this one; the flight after it sends no second CCS.
    if (hs.sessionId.length > 0) cx.sendChangeCipherSpec();
    return new ExpectSecondClientHello(hs, { suite, group, firstHello: hello });
  }
}
