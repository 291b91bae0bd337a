/**
 * The client awaits the server's Finished, then sends its own flight (RFC 8446
 * sections 4.4.4 and 4.4.2 for client authentication).
 *
 * @module
 */

import type { ConnectionCore, HandshakeState } from "../common/core.ts";
import { expectMessage } from "../common/expect.ts";
import { Tls13Traffic } from "../common/tls13_traffic.ts";
import { Exporter } from "../common/exporter.ts";
import { HandshakeType } from "../msgs/enums.ts";
import { encodeHandshake } from "../msgs/handshake.ts";
import type { HandshakeMessage as RawHandshake } from "../record/handshake_joiner.ts";
import {
  allowedInTls13CertificateVerify,
  certificateVerifyContent,
} from "../tls13/certificate_verify.ts";
import { acceptPeerFinished, ownFinished } from "../tls13/finished.ts";
import type { ClientHandshakeData, SentClientHello } from "./handshake_data.ts";
import type { ClientAuthRequest, ClientHandshakeKeys } from "./handshake_keys.ts";
import type { ServerAuthenticated } from "./server_auth.ts";
import { ExpectTraffic } from "./expect_traffic.ts";
import { EchRejectedError } from "../error.ts";

/** Awaits the server's Finished. */
export class ExpectFinished implements HandshakeState {
  /** State name. */
  readonly name = "ExpectFinished";
  readonly #hs: ClientHandshakeData;
  readonly #keys: ClientHandshakeKeys;
  readonly #authRequest: ClientAuthRequest | undefined;
  /** What the answered ClientHello offered: its 0-RTT writer, its CCS. */
  readonly #sent: SentClientHello | undefined;

  /**
   * Carries the handshake state; `_auth` is the evidence that the server is
   * authenticated (its chain and signature verified, or our PSK accepted),
   * required here and minted only by `server_auth.ts`. `sent`: what the
   * answered ClientHello offered (its 0-RTT writer sends EndOfEarlyData when
   * the server took it; a CCS already sent is not sent again).
   */
  constructor(
    hs: ClientHandshakeData,
    keys: ClientHandshakeKeys,
    authRequest: ClientAuthRequest | undefined,
    _auth: ServerAuthenticated,
    sent?: SentClientHello,
  ) {
    this.#hs = hs;
    this.#keys = keys;
    this.#authRequest = authRequest;
    this.#sent = sent;
  }

  /** Verifies the server Finished, derives application secrets, sends our flight. */
  async handle(cx: ConnectionCore, raw: RawHandshake): Promise<HandshakeState> {
    const fin = expectMessage(raw, HandshakeType.finished, "Finished");
    const hs = this.#hs;
    const { suite, handshake, clientSecret, serverSecret } = this.#keys;
    await acceptPeerFinished(
      suite,
      serverSecret,
      hs.transcript,
      fin.verifyData,
      raw.encoded,
      "server",
    );
    // RFC 9849 section 6.1.6: authenticated for the public name only, the
    // connection is refused (ech_required) with what the caller can retry with.
    if (hs.ech?.status === "rejected") throw new EchRejectedError(hs.ech.retryConfigs);

    // Application secrets cover ClientHello..server Finished (RFC 8446 7.1).
    const master = await handshake.toMaster();
    const serverHash = await hs.transcript.hash(suite.hash);
    const clientApp = await master.clientApplicationTrafficSecret0(serverHash);
    const serverApp = await master.serverApplicationTrafficSecret0(serverHash);
    hs.keyLog("CLIENT_TRAFFIC_SECRET_0", clientApp);
    hs.keyLog("SERVER_TRAFFIC_SECRET_0", serverApp);
    const exporter = await Exporter.tls13FromMaster(
      master,
      serverHash,
      hs.config.keyLog && ((secret) => hs.keyLog("EXPORTER_SECRET", secret)),
    );
    const traffic = new Tls13Traffic(suite, clientApp, serverApp);
    // Both keys are imported at once; the writer is installed after our Finished.
    const reader = traffic.reader();
    const writer = traffic.writer();
    writer.catch(() => {}); // a rejection is taken where it is awaited
    cx.setReader(await reader);

    if (hs.config.middleboxCompat && !this.#sent?.sentCcs) cx.sendChangeCipherSpec();
    // 4.5: accepted early data ends with EndOfEarlyData under the early key.
    const earlyData = this.#sent?.earlyData;
    if (cx.earlyDataAccepted && earlyData) {
      const handshakeWriter = cx.writer;
      const eoed = encodeHandshake({ type: HandshakeType.end_of_early_data });
      cx.setWriter(earlyData.writer);
      cx.sendHandshake(eoed);
      cx.setWriter(handshakeWriter);
      hs.transcript.add(eoed);
    }
    if (this.#authRequest) await this.#sendClientAuth(cx, this.#authRequest);
    const verifyData = await ownFinished(suite, clientSecret, hs.transcript);
    const finished = encodeHandshake({ type: HandshakeType.finished, verifyData });
    cx.sendHandshake(finished);
    hs.transcript.add(finished);
    const resumptionSecret = await master.resumptionMasterSecret(
      await hs.transcript.hash(suite.hash),
    );

    cx.setWriter(await writer);
    cx.startTraffic({ tls13: traffic, exporter });
    return new ExpectTraffic(hs, resumptionSecret, suite);
  }

  /** RFC 8446 4.4.2: our Certificate (possibly empty) and CertificateVerify. */
  async #sendClientAuth(cx: ConnectionCore, req: ClientAuthRequest): Promise<void> {
    const hs = this.#hs;
    const auth = hs.config.clientAuth;
    const scheme = auth?.key.schemes.find((s) =>
      req.schemes.includes(s) && allowedInTls13CertificateVerify(s)
    );
    const chain = auth && scheme !== undefined ? auth.certChain : [];
    const certificate = encodeHandshake({
      type: HandshakeType.certificate,
      certificateRequestContext: req.context,
      certificateList: chain.map((cert) => ({ cert, extensions: [] })),
    });
    cx.sendHandshake(certificate);
    hs.transcript.add(certificate);
    if (!auth || scheme === undefined) return;
    const content = certificateVerifyContent(
      "client",
      await hs.transcript.hash(this.#keys.suite.hash),
    );
    const verify = encodeHandshake({
      type: HandshakeType.certificate_verify,
      scheme,
      signature: await auth.key.sign(scheme, content),
    });
    cx.sendHandshake(verify);
    hs.transcript.add(verify);
  }
}
