/**
 * The server awaits the client's Finished (RFC 8446 section 4.4.4), which
 * completes the handshake.
 *
 * @module
 */

import type { ConnectionCore, HandshakeState } from "../common/core.ts";
import { expectMessage } from "../common/expect.ts";
import { HandshakeType } from "../msgs/enums.ts";
import type { HandshakeMessage as RawHandshake } from "../record/handshake_joiner.ts";
import { acceptPeerFinished } from "../tls13/finished.ts";
import type { ServerHandshakeData, ServerHandshakeKeys } from "./handshake_data.ts";
import { ExpectTraffic } from "./expect_traffic.ts";
import type { ClientCertVerified, NoClientAuthRequired } from "./client_auth.ts";
import type { ResumedWithPsk } from "./psk.ts";
import type { HandshakeSignatureValid } from "../tls13/signature_evidence.ts";

/** What lets the server accept the client's Finished (TLS 1.3). */
export type ClientAuthenticated =
  | NoClientAuthRequired
  | ResumedWithPsk
  | { cert: ClientCertVerified; signature: HandshakeSignatureValid };
import { sendTickets } from "./tickets.ts";

/** Awaits the client's Finished. */
export class ExpectFinished implements HandshakeState {
  /** State name. */
  readonly name = "ExpectFinished";
  readonly #hs: ServerHandshakeData;
  readonly #keys: ServerHandshakeKeys;

  /**
   * Carries the handshake keys; `_auth` is the evidence that the client is
   * authenticated as far as we asked, minted only by `client_auth.ts`,
   * `psk.ts` (the binder) and `tls13/signature_evidence.ts` (its
   * CertificateVerify).
   */
  constructor(hs: ServerHandshakeData, keys: ServerHandshakeKeys, _auth: ClientAuthenticated) {
    this.#hs = hs;
    this.#keys = keys;
  }

  /** Checks verify_data, then switches the reader to the client application key. */
  async handle(cx: ConnectionCore, raw: RawHandshake): Promise<HandshakeState> {
    const fin = expectMessage(raw, HandshakeType.finished, "Finished");
    const hs = this.#hs;
    const { suite, clientHandshakeSecret, traffic, master, exporter } = this.#keys;
    await acceptPeerFinished(
      suite,
      clientHandshakeSecret,
      hs.transcript,
      fin.verifyData,
      raw.encoded,
      "client",
    );
    // 7.1: the resumption master secret covers the client's Finished too; it
    // is kept for issuing tickets later.
    const resumptionSecret = await master.resumptionMasterSecret(
      await hs.transcript.hash(suite.hash),
    );
    cx.setReader(await traffic.reader());
    cx.startTraffic({ tls13: traffic, exporter });
    // 4.6.1: tickets go out once the client is authenticated.
    await sendTickets(cx, hs, suite, resumptionSecret);
    return new ExpectTraffic(hs, resumptionSecret);
  }
}
