/**
 * The server awaits the client's CertificateVerify (RFC 8446 section 4.4.3).
 *
 * @module
 */

import type { ConnectionCore, HandshakeState } from "../common/core.ts";
import { expectMessage } from "../common/expect.ts";
import { HandshakeType } from "../msgs/enums.ts";
import type { HandshakeMessage as RawHandshake } from "../record/handshake_joiner.ts";
import { checkPeerTls13Scheme } from "../tls13/certificate_verify.ts";
import { verifyCertificateVerify } from "../tls13/signature_evidence.ts";
import type { ClientCertVerifier } from "../webpki/verifier.ts";
import type { ServerHandshakeData, ServerHandshakeKeys } from "./handshake_data.ts";
import { ExpectFinished } from "./expect_finished.ts";
import { checkOfferedClientScheme, type ClientCertVerified } from "./client_auth.ts";

/** Awaits CertificateVerify for the client certificate just verified. */
export class ExpectCertificateVerify implements HandshakeState {
  /** State name. */
  readonly name = "ExpectCertificateVerify";
  readonly #hs: ServerHandshakeData;
  readonly #keys: ServerHandshakeKeys;
  readonly #verifier: ClientCertVerifier;
  readonly #endEntity: Uint8Array;
  readonly #cert: ClientCertVerified;

  /** Carries the end-entity certificate whose chain `cert` says verified. */
  constructor(
    hs: ServerHandshakeData,
    keys: ServerHandshakeKeys,
    verifier: ClientCertVerifier,
    endEntity: Uint8Array,
    cert: ClientCertVerified,
  ) {
    this.#hs = hs;
    this.#keys = keys;
    this.#verifier = verifier;
    this.#endEntity = endEntity;
    this.#cert = cert;
  }

  /** The signature covers the transcript through the client's Certificate. */
  async handle(_cx: ConnectionCore, raw: RawHandshake): Promise<HandshakeState> {
    const cv = expectMessage(raw, HandshakeType.certificate_verify, "CertificateVerify");
    const hs = this.#hs;
    // 4.4.3: only a TLS 1.3 scheme from our CertificateRequest's signature_algorithms.
    checkPeerTls13Scheme(cv.scheme);
    checkOfferedClientScheme(this.#verifier, cv.scheme);
    const signature = await verifyCertificateVerify(
      "client",
      this.#verifier,
      await hs.transcript.hash(this.#keys.suite.hash),
      this.#endEntity,
      cv.scheme,
      cv.signature,
    );
    hs.transcript.add(raw.encoded);
    return new ExpectFinished(hs, this.#keys, { cert: this.#cert, signature });
  }
}
