/**
 * The server awaits the client's Certificate after asking for one (RFC 8446
 * section 4.4.2, with 4.4.2.4 for an empty list).
 *
 * @module
 */

import { peerMisbehaved } from "../error.ts";
import type { ConnectionCore, HandshakeState } from "../common/core.ts";
import { expectMessage } from "../common/expect.ts";
import { AlertDescription, HandshakeType } from "../msgs/enums.ts";
import { checkSolicited } from "../msgs/extensions.ts";
import type { HandshakeMessage as RawHandshake } from "../record/handshake_joiner.ts";
import type { ClientCertVerifier } from "../webpki/verifier.ts";
import type { ServerHandshakeData, ServerHandshakeKeys } from "./handshake_data.ts";
import { ExpectCertificateVerify } from "./expect_certificate_verify.ts";
import { ExpectFinished } from "./expect_finished.ts";
import { acceptClientChain, NoClientAuthRequired } from "./client_auth.ts";

/** Awaits the client's Certificate. */
export class ExpectCertificate implements HandshakeState {
  /** State name. */
  readonly name = "ExpectCertificate";
  readonly #hs: ServerHandshakeData;
  readonly #keys: ServerHandshakeKeys;
  readonly #verifier: ClientCertVerifier;
  readonly #requested: ReadonlySet<number>;

  /**
   * Carries the handshake keys, the verifier that asked and the extension
   * types of our CertificateRequest (what the client may answer).
   */
  constructor(
    hs: ServerHandshakeData,
    keys: ServerHandshakeKeys,
    verifier: ClientCertVerifier,
    requested: ReadonlySet<number>,
  ) {
    this.#hs = hs;
    this.#keys = keys;
    this.#verifier = verifier;
    this.#requested = requested;
  }

  /** Verifies the chain, or accepts an empty one when client auth is optional. */
  async handle(cx: ConnectionCore, raw: RawHandshake): Promise<HandshakeState> {
    const cert = expectMessage(raw, HandshakeType.certificate, "Certificate");
    const hs = this.#hs;
    // 4.4.2: the context echoes our CertificateRequest's, which was empty.
    if (cert.certificateRequestContext.length !== 0) {
      throw peerMisbehaved(
        "client Certificate has the wrong request context",
        "InvalidCertRequestContext",
      );
    }
    // 4.4.2: entry extensions answer the extensions of our CertificateRequest.
    for (const entry of cert.certificateList) {
      checkSolicited(entry.extensions, this.#requested, "Certificate");
    }
    // 4.4.2.4: no certificate is the client's answer; whether it is enough is ours.
    const chain = cert.certificateList.map((e) => e.cert);
    const verified = await acceptClientChain(
      cx,
      this.#verifier,
      chain,
      hs.config.now(),
      AlertDescription.certificate_required,
    );
    hs.transcript.add(raw.encoded);
    if (verified instanceof NoClientAuthRequired) {
      return new ExpectFinished(hs, this.#keys, verified);
    }
    return new ExpectCertificateVerify(hs, this.#keys, this.#verifier, chain[0], verified);
  }
}
