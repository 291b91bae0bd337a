/**
 * The client awaits ServerHello or HelloRetryRequest (RFC 8446 sections 4.1.3,
 * 4.1.4 and 4.2.8).
 *
 * @module
 */

import { peerMisbehaved } from "../error.ts";
import type { ConnectionCore, HandshakeState } from "../common/core.ts";
import { expectMessage } from "../common/expect.ts";
import { Tls13Reader, Tls13Writer } from "../record/record_io.ts";
import type { KeyExchangeGroup, Tls13CipherSuite } from "../crypto/types.ts";
import { AlertDescription, ExtensionType, HandshakeType, ProtocolVersion } from "../msgs/enums.ts";
import { checkSolicited, checkTls13Extensions, findExtension } from "../msgs/extensions.ts";
import {
  DOWNGRADE_TLS11_SENTINEL,
  DOWNGRADE_TLS12_SENTINEL,
  type HelloRetryRequest,
  isHelloRetryRequest,
  type ServerHello,
} from "../msgs/server_hello.ts";
import type { HandshakeMessage as RawHandshake } from "../record/handshake_joiner.ts";
import { EarlySecret, trafficKeys } from "../tls13/key_schedule.ts";
import { bytesEqual } from "../_bytes.ts";
import { buildClientHello } from "./client_hello.ts";
import type { ClientHandshakeData, SentClientHello } from "./handshake_data.ts";
import { ExpectEncryptedExtensions } from "./expect_encrypted_extensions.ts";
import { handleTls12ServerHello } from "./tls12_server_hello.ts";
import { readRetryEchSignal, readServerHelloEchSignal } from "./ech_accept.ts";
import { acceptSelectedPsk } from "./server_auth.ts";

/** Awaits ServerHello or HelloRetryRequest (the first answer to our ClientHello). */
export class ExpectServerHello implements HandshakeState {
  /** State name. */
  readonly name = "ExpectServerHello";
  readonly #hs: ClientHandshakeData;
  /** What the first ClientHello offered. */
  readonly #sent: SentClientHello;

  /** Waits on behalf of `hs`, whose first ClientHello offered `sent`. */
  constructor(hs: ClientHandshakeData, sent: SentClientHello) {
    this.#hs = hs;
    this.#sent = sent;
  }

  /** Handles ServerHello or HelloRetryRequest. */
  handle(cx: ConnectionCore, raw: RawHandshake): Promise<HandshakeState> {
    const msg = expectMessage(raw, HandshakeType.server_hello, "ServerHello");
    const hs = this.#hs;
    // Without supported_versions the server chose TLS 1.2 or older.
    // Under ECH neither hello offered TLS 1.2 (RFC 9849 section 6.1).
    if (
      hs.config.versions.includes("TLSv1_2") && !hs.ech &&
      !isHelloRetryRequest(msg) &&
      findExtension(
          msg.extensions as ServerHello["extensions"],
          ExtensionType.supported_versions,
        ) ===
        undefined
    ) {
      return handleTls12ServerHello(hs, cx, raw, msg as ServerHello, this.#sent);
    }
    checkCommonFields(hs, msg);
    return isHelloRetryRequest(msg)
      ? this.#handleRetry(cx, raw, msg as HelloRetryRequest)
      : handleServerHello(hs, cx, raw, msg as ServerHello, this.#sent);
  }

  /** RFC 8446 4.1.4: answer a HelloRetryRequest with a second ClientHello. */
  async #handleRetry(
    cx: ConnectionCore,
    raw: RawHandshake,
    hrr: HelloRetryRequest,
  ): Promise<HandshakeState> {
    const hs = this.#hs;
    checkTls13Extensions(hrr.extensions, "HelloRetryRequest");
    checkSolicited(hrr.extensions, this.#sent.offered, "HelloRetryRequest");
    const suite = offeredSuite(hs, hrr.cipherSuite);
    const selected = findExtension(hrr.extensions, ExtensionType.key_share)?.selectedGroup;
    const cookie = findExtension(hrr.extensions, ExtensionType.cookie)?.cookie;
    let group: KeyExchangeGroup | undefined;
    if (selected !== undefined) {
      group = hs.config.kxGroups.find((g) => g.group === selected);
      if (!group || this.#sent.keyShares.some((k) => k.group === selected)) {
        throw peerMisbehaved(
          "HelloRetryRequest selected an unusable group",
          "IllegalHelloRetryRequestWithUnofferedNamedGroup",
        );
      }
    } else if (!cookie) {
      throw peerMisbehaved(
        "HelloRetryRequest changes nothing",
        "IllegalHelloRetryRequestWithNoChanges",
      );
    }
    await readRetryEchSignal(hs, suite, hrr, raw.encoded);
    // The transcript now starts with message_hash(ClientHello1) (RFC 8446 4.4.1).
    await hs.transcript.rewriteForHelloRetryRequest(suite.hash);
    hs.transcript.add(raw.encoded);
    const keyShares = group ? [await group.start()] : this.#sent.keyShares;
    // A ticket whose hash differs from the chosen suite's cannot be offered again.
    const first = this.#sent.offer;
    const offer = first && first.suite.hash.name === suite.hash.name
      ? { ...first, suite }
      : undefined;
    // 4.2.10: early data is refused by a HelloRetryRequest; the second
    // ClientHello offers none.
    if (this.#sent.earlyData) {
      this.#sent.earlyData.close();
      cx.recordEarlyDataOutcome(false);
    }
    const echGrease = this.#sent.echGrease;
    const { hello, offered } = await buildClientHello(hs, offer, {
      shares: keyShares.map((k) => ({ group: k.group, keyExchange: k.publicKey })),
      cookie,
      afterRetry: true,
      echGrease,
    });
    hs.transcript.add(hello);
    if (hs.config.middleboxCompat && !this.#sent.sentCcs) cx.sendChangeCipherSpec();
    cx.sendHandshake(hello);
    cx.recordNegotiated({ handshakeKind: "FullWithHelloRetryRequest" });
    return new ExpectServerHelloAfterRetry(hs, suite, {
      offered,
      keyShares,
      offer,
      earlyData: undefined,
      sentCcs: hs.config.middleboxCompat,
      echGrease,
    });
  }
}

/**
 * Awaits the ServerHello that answers our second ClientHello: a second
 * HelloRetryRequest is refused (RFC 8446 4.1.4), and TLS 1.2 is no longer
 * an answer.
 */
export class ExpectServerHelloAfterRetry implements HandshakeState {
  /** State name. */
  readonly name = "ExpectServerHelloAfterRetry";
  readonly #hs: ClientHandshakeData;
  /** The suite the HelloRetryRequest named (RFC 8446 4.1.4). */
  readonly #suite: Tls13CipherSuite;
  /** What the second ClientHello offered. */
  readonly #sent: SentClientHello;

  /**
   * Waits on behalf of `hs`, whose second ClientHello (offering `sent`) is
   * sent; the ServerHello keeps `suite`.
   */
  constructor(hs: ClientHandshakeData, suite: Tls13CipherSuite, sent: SentClientHello) {
    this.#suite = suite;
    this.#hs = hs;
    this.#sent = sent;
  }

  /** Handles the ServerHello; refuses another HelloRetryRequest. */
  handle(cx: ConnectionCore, raw: RawHandshake): Promise<HandshakeState> {
    const msg = expectMessage(raw, HandshakeType.server_hello, "ServerHello");
    checkCommonFields(this.#hs, msg);
    if (isHelloRetryRequest(msg)) {
      throw peerMisbehaved(
        "second HelloRetryRequest",
        "SecondHelloRetryRequest",
        AlertDescription.unexpected_message,
      );
    }
    return handleServerHello(this.#hs, cx, raw, msg as ServerHello, this.#sent, this.#suite);
  }
}

/** RFC 8446 4.1.3 and 7.1: check the ServerHello, then derive handshake keys. */
async function handleServerHello(
  hs: ClientHandshakeData,
  cx: ConnectionCore,
  raw: RawHandshake,
  sh: ServerHello,
  sent: SentClientHello,
  retrySuite?: Tls13CipherSuite,
): Promise<HandshakeState> {
  checkTls13Extensions(sh.extensions, "ServerHello");
  checkSolicited(sh.extensions, sent.offered, "ServerHello");
  sent.earlyData?.close();
  const suite = offeredSuite(hs, sh.cipherSuite);
  if (retrySuite && retrySuite !== suite) {
    throw peerMisbehaved(
      "ServerHello suite differs from HelloRetryRequest",
      "SelectedDifferentCipherSuiteAfterRetry",
    );
  }
  const share = findExtension(sh.extensions, ExtensionType.key_share)?.share;
  if (!share) {
    throw peerMisbehaved(
      "ServerHello has no key_share",
      "MissingKeyShare",
      AlertDescription.missing_extension,
    );
  }
  const ours = sent.keyShares.find((k) => k.group === share.group);
  if (!ours) {
    throw peerMisbehaved(
      "ServerHello key_share for a group we did not send",
      "WrongGroupForKeyShare",
    );
  }
  const psk = findExtension(sh.extensions, ExtensionType.pre_shared_key);
  const resumed = psk && acceptSelectedPsk(sent.offer, psk.selectedIdentity, suite);
  let shared: Uint8Array;
  try {
    shared = await ours.complete(share.keyExchange);
  } catch {
    throw peerMisbehaved("invalid server key share", "InvalidKeyShare");
  }
  // With ECH, the hello the server answered decides what it may send next.
  const answerable =
    await readServerHelloEchSignal(hs, cx, suite, raw.encoded, resumed !== undefined) ??
      sent.offered;
  hs.transcript.add(raw.encoded);
  const helloHash = await hs.transcript.hash(suite.hash);
  const early = await EarlySecret.create(
    suite.hmac,
    resumed ? sent.offer!.session.psk : undefined,
  );
  const handshake = await early.toHandshake(shared);
  const clientSecret = await handshake.clientHandshakeTrafficSecret(helloHash);
  const serverSecret = await handshake.serverHandshakeTrafficSecret(helloHash);
  hs.keyLog("CLIENT_HANDSHAKE_TRAFFIC_SECRET", clientSecret);
  hs.keyLog("SERVER_HANDSHAKE_TRAFFIC_SECRET", serverSecret);
  const serverKeys = await trafficKeys(suite.hmac, suite.aead, serverSecret);
  const clientKeys = await trafficKeys(suite.hmac, suite.aead, clientSecret);
  const [reader, writer] = await Promise.all([
    Tls13Reader.create(suite.aead, serverKeys.key, serverKeys.iv),
    Tls13Writer.create(suite.aead, clientKeys.key, clientKeys.iv),
  ]);
  cx.setReader(reader);
  cx.setWriter(writer);
  cx.recordNegotiated({
    protocolVersion: "TLSv1_3",
    cipherSuite: suite,
    kxGroup: hs.config.kxGroups.find((g) => g.group === share.group),
  });
  if (resumed) cx.recordNegotiated({ handshakeKind: "Resumed" });
  // Without resumption the early data cannot have been accepted.
  if (sent.earlyData && !resumed) cx.recordEarlyDataOutcome(false);
  if (cx.info.handshakeKind === undefined) cx.recordNegotiated({ handshakeKind: "Full" });
  if (!resumed) await hs.config.sessionStore?.setKxHint(hs.serverName, share.group);
  return new ExpectEncryptedExtensions(
    hs,
    { suite, handshake, clientSecret, serverSecret },
    resumed,
    { ...sent, offered: answerable },
  );
}

/** Checks shared by ServerHello and HelloRetryRequest (RFC 8446 4.1.3). */
function checkCommonFields(hs: ClientHandshakeData, msg: ServerHello | HelloRetryRequest): void {
  const version = findExtension(
    msg.extensions as ServerHello["extensions"],
    ExtensionType.supported_versions,
  )?.version;
  // 4.2.1: a supported_versions naming anything but a version we offered
  // (and TLS 1.3 is the only one it may name) is illegal_parameter.
  if (
    version !== undefined &&
    (version !== ProtocolVersion.TLSv1_3 || !hs.config.versions.includes("TLSv1_3"))
  ) {
    throw peerMisbehaved(
      `server selected version 0x${version.toString(16)} in supported_versions`,
      "UnsupportedVersion",
    );
  }
  if (version === undefined) {
    // Without supported_versions the server chose TLS 1.2 or older.
    const tail = msg.random.subarray(24);
    if (bytesEqual(tail, DOWNGRADE_TLS12_SENTINEL) || bytesEqual(tail, DOWNGRADE_TLS11_SENTINEL)) {
      throw peerMisbehaved(
        "server random carries a downgrade sentinel",
        "AttemptedDowngradeToTls12WhenTls13IsSupported",
      );
    }
    throw peerMisbehaved(
      "server did not negotiate TLS 1.3",
      "UnsupportedVersion",
      AlertDescription.protocol_version,
    );
  }
  // 4.2.1: with supported_versions present, legacy_version is ignored.
  if (!bytesEqual(msg.legacySessionIdEcho, hs.sessionId)) {
    throw peerMisbehaved("ServerHello did not echo our session ID", "ServerEchoedWrongSessionId");
  }
  if (msg.legacyCompressionMethod !== 0) {
    throw peerMisbehaved("ServerHello selected compression", "SelectedCompression");
  }
}

/** The suite the server picked, which must be one we offered. */
function offeredSuite(hs: ClientHandshakeData, id: number): Tls13CipherSuite {
  const suite = hs.config.cipherSuites.find((s) => s.id === id);
  if (!suite || suite.version !== "TLSv1_3") {
    throw peerMisbehaved(
      "server selected a cipher suite we did not offer",
      "SelectedUnofferedCipherSuite",
    );
  }
  return suite;
}
