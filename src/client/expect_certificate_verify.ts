/**
 * The client awaits the server's CertificateVerify (RFC 8446 section 4.4.3).
 *
 * @module
 */

import type { ConnectionCore, HandshakeState } from "../common/core.ts";
import type { HandshakeMessage as RawHandshake } from "../record/handshake_joiner.ts";
import type { ClientHandshakeData, SentClientHello } from "./handshake_data.ts";
import type { ClientAuthRequest, ClientHandshakeKeys } from "./handshake_keys.ts";
import { ExpectFinished } from "./expect_finished.ts";
import { type ServerCertVerified, verifyServerSignature } from "./server_auth.ts";

/** Awaits CertificateVerify. */
export class ExpectCertificateVerify implements HandshakeState {
  /** State name. */
  readonly name = "ExpectCertificateVerify";
  readonly #hs: ClientHandshakeData;
  readonly #keys: ClientHandshakeKeys;
  readonly #authRequest: ClientAuthRequest | undefined;
  readonly #endEntity: Uint8Array;
  readonly #chainVerified: ServerCertVerified | Promise<ServerCertVerified>;
  /** What the ClientHello the server answered offered. */
  readonly #sent: SentClientHello;

  /**
   * Carries the end-entity certificate and the verification of its chain:
   * done, or still running when `chainVerified` is a promise; and `sent`,
   * what the answered ClientHello offered.
   */
  constructor(
    hs: ClientHandshakeData,
    keys: ClientHandshakeKeys,
    authRequest: ClientAuthRequest | undefined,
    endEntity: Uint8Array,
    chainVerified: ServerCertVerified | Promise<ServerCertVerified>,
    sent: SentClientHello,
  ) {
    this.#hs = hs;
    this.#keys = keys;
    this.#authRequest = authRequest;
    this.#endEntity = endEntity;
    this.#chainVerified = chainVerified;
    this.#sent = sent;
  }

  /**
   * The chain must verify (its refusal comes first), and the signature must
   * cover the transcript so far, made with a scheme we offered.
   */
  async handle(_cx: ConnectionCore, raw: RawHandshake): Promise<HandshakeState> {
    const signature = verifyServerSignature(this.#hs, this.#keys.suite, this.#endEntity, raw);
    signature.catch(() => {});
    const cert = await this.#chainVerified;
    const auth = { cert, signature: await signature };
    this.#hs.transcript.add(raw.encoded);
    return new ExpectFinished(this.#hs, this.#keys, this.#authRequest, auth, this.#sent);
  }
}
