/**
 * The client awaits the server's CertificateVerify (RFC 8446 section 4.4.3).
 *
 * @module
 */

import { peerMisbehaved } from "../error.ts";
import type { ConnectionCore, HandshakeState } from "../common/core.ts";
import { expectMessage } from "../common/expect.ts";
import { HandshakeType } from "../msgs/enums.ts";
import type { HandshakeMessage as RawHandshake } from "../record/handshake_joiner.ts";
import { certificateVerifyContent, checkPeerTls13Scheme } from "../tls13/certificate_verify.ts";
import type { ClientHandshakeData } from "./handshake_data.ts";
import type { ClientAuthRequest, ClientHandshakeKeys } from "./handshake_keys.ts";
import { ExpectFinished } from "./expect_finished.ts";

/** Awaits CertificateVerify. */
export class ExpectCertificateVerify implements HandshakeState {
  /** State name. */
  readonly name = "ExpectCertificateVerify";
  readonly #hs: ClientHandshakeData;
  readonly #keys: ClientHandshakeKeys;
  readonly #authRequest: ClientAuthRequest | undefined;
  readonly #endEntity: Uint8Array;
  readonly #chainVerified: Promise<void>;

  /**
   * Carries the end-entity certificate and the verification of its chain:
   * done, or still running when `chainVerified` is given.
   */
  constructor(
    hs: ClientHandshakeData,
    keys: ClientHandshakeKeys,
    authRequest: ClientAuthRequest | undefined,
    endEntity: Uint8Array,
    chainVerified: Promise<void> = Promise.resolve(),
  ) {
    this.#hs = hs;
    this.#keys = keys;
    this.#authRequest = authRequest;
    this.#endEntity = endEntity;
    this.#chainVerified = chainVerified;
  }

  /**
   * The chain must verify (its refusal comes first), and the signature must
   * cover the transcript so far, made with a scheme we offered.
   */
  async handle(_cx: ConnectionCore, raw: RawHandshake): Promise<HandshakeState> {
    const signature = this.#verifySignature(raw);
    signature.catch(() => {});
    await this.#chainVerified;
    await signature;
    this.#hs.transcript.add(raw.encoded);
    return new ExpectFinished(this.#hs, this.#keys, this.#authRequest);
  }

  async #verifySignature(raw: RawHandshake): Promise<void> {
    const cv = expectMessage(raw, HandshakeType.CertificateVerify, "CertificateVerify");
    const { config, transcript } = this.#hs;
    checkPeerTls13Scheme(cv.scheme);
    if (!config.verifier.supportedVerifySchemes().includes(cv.scheme)) {
      throw peerMisbehaved(
        "server signed with a scheme we did not offer",
        "SignedWithUnofferedScheme",
      );
    }
    const content = certificateVerifyContent(
      "server",
      await transcript.hash(this.#keys.suite.hash),
    );
    await config.verifier.verifyTls13Signature(content, this.#endEntity, cv.scheme, cv.signature);
  }
}
