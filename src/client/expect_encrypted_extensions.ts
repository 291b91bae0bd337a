/**
 * The client awaits EncryptedExtensions (RFC 8446 section 4.3.1).
 *
 * @module
 */

import { peerMisbehaved } from "../error.ts";
import type { ConnectionCore, HandshakeState } from "../common/core.ts";
import { expectMessage } from "../common/expect.ts";
import { AlertDescription, ExtensionType, HandshakeType } from "../msgs/enums.ts";
import { checkSolicited, findExtension } from "../msgs/extensions.ts";
import type { HandshakeMessage as RawHandshake } from "../record/handshake_joiner.ts";
import { bytesEqual } from "../_bytes.ts";
import { applyRecordSizeLimits } from "../common/record_size_limit.ts";
import { offeredRecordSizeLimit } from "./client_hello.ts";
import type { ClientHandshakeData, SentClientHello } from "./handshake_data.ts";
import type { ClientHandshakeKeys } from "./handshake_keys.ts";
import { ExpectCertificateOrCertificateRequest } from "./expect_certificate.ts";
import { ExpectFinished } from "./expect_finished.ts";
import type { ResumedWithPsk } from "./server_auth.ts";

const decoder = new TextDecoder();

/** Awaits EncryptedExtensions. */
export class ExpectEncryptedExtensions implements HandshakeState {
  /** State name. */
  readonly name = "ExpectEncryptedExtensions";
  readonly #hs: ClientHandshakeData;
  readonly #keys: ClientHandshakeKeys;
  readonly #resumed: ResumedWithPsk | undefined;
  /** What the ClientHello the server answered offered (with ECH, the inner or outer one). */
  readonly #sent: SentClientHello;

  /**
   * Carries the handshake state, the PSK's acceptance when resuming, and
   * what the answered ClientHello offered.
   */
  constructor(
    hs: ClientHandshakeData,
    keys: ClientHandshakeKeys,
    resumed: ResumedWithPsk | undefined,
    sent: SentClientHello,
  ) {
    this.#hs = hs;
    this.#keys = keys;
    this.#resumed = resumed;
    this.#sent = sent;
  }

  /** Checks the server's choices (ALPN) and moves to the certificate. */
  handle(cx: ConnectionCore, raw: RawHandshake): Promise<HandshakeState> {
    const ee = expectMessage(raw, HandshakeType.encrypted_extensions, "EncryptedExtensions");
    checkSolicited(ee.extensions, this.#sent.offered, "EncryptedExtensions");
    const alpn = findExtension(ee.extensions, ExtensionType.application_layer_protocol_negotiation);
    if (alpn) {
      // RFC 7301 section 3.1: exactly one protocol, and one we offered.
      const offered = this.#hs.config.alpnProtocols;
      if (alpn.protocols.length !== 1 || !offered.some((p) => bytesEqual(p, alpn.protocols[0]))) {
        throw peerMisbehaved(
          "server selected an ALPN protocol we did not offer",
          "SelectedUnofferedApplicationProtocol",
        );
      }
      cx.recordNegotiated({ alpnProtocol: decoder.decode(alpn.protocols[0]) });
    }
    this.#checkEarlyData(cx, findExtension(ee.extensions, ExtensionType.early_data) !== undefined);
    // RFC 8449 section 4: the server's limit bounds our protected records
    // from here on (the rest of our handshake flight included), ours its.
    const limit = findExtension(ee.extensions, ExtensionType.record_size_limit);
    if (limit) {
      applyRecordSizeLimits(cx, "TLSv1_3", limit.limit, offeredRecordSizeLimit(this.#hs.config));
    }
    const retry = findExtension(ee.extensions, ExtensionType.encrypted_client_hello);
    if (retry && this.#hs.ech) {
      // RFC 9849 section 5: retry configs answer only a ClientHelloOuter.
      if (this.#hs.ech.status === "accepted") {
        throw peerMisbehaved(
          "server accepted ECH and sent retry configs",
          "UnsolicitedEchRetryConfigs",
          AlertDescription.unsupported_extension,
        );
      }
      this.#hs.ech.retryConfigs = retry.retryConfigs.slice();
    }
    // Section 6.2.1: with GREASE ECH they were checked to decode, and are ignored.
    this.#hs.transcript.add(raw.encoded);
    // A resumed handshake authenticates through the PSK: no certificates (RFC 8446 2.2).
    if (this.#resumed) {
      return Promise.resolve(
        new ExpectFinished(this.#hs, this.#keys, undefined, this.#resumed, this.#sent),
      );
    }
    return Promise.resolve(
      new ExpectCertificateOrCertificateRequest(this.#hs, this.#keys, this.#sent),
    );
  }

  /** 4.2.10: the server's answer to our 0-RTT offer. */
  #checkEarlyData(cx: ConnectionCore, accepted: boolean): void {
    if (!accepted) {
      if (this.#sent.earlyData && cx.earlyDataAccepted === undefined) {
        cx.recordEarlyDataOutcome(false);
      }
      return;
    }
    if (!this.#sent.earlyData || !this.#resumed) {
      throw peerMisbehaved(
        "server accepted early data we did not offer",
        "UnsolicitedEarlyDataExtension",
        AlertDescription.unsupported_extension,
      );
    }
    if (this.#sent.offer!.session.suiteId !== this.#keys.suite.id) {
      throw peerMisbehaved(
        "server accepted early data under another suite",
        "EarlyDataWithDifferentSuite",
      );
    }
    cx.recordEarlyDataOutcome(true);
  }
}
