/**
 * TLS 1.2 client authentication on the server (RFC 5246 7.4.4, 7.4.6; RFC
 * 8422 5.5 for ECDSA and EdDSA keys): our CertificateRequest and the
 * client's Certificate that answers it. The chain goes to the config's
 * client verifier by the same rule as in TLS 1.3 (`client_auth.ts`); its
 * CertificateVerify is checked after ClientKeyExchange (`tls12_states.ts`).
 *
 * @module
 */

import { unexpectedMessage } from "../error.ts";
import type { ConnectionCore, HandshakeState } from "../common/core.ts";
import { AlertDescription, HandshakeType } from "../msgs/enums.ts";
import { decodeCertificate12, encodeCertificateRequest12 } from "../msgs/tls12_messages.ts";
import type { HandshakeMessage as RawHandshake } from "../record/handshake_joiner.ts";
import { certificateTypesFor } from "../tls12/negotiation.ts";
import type { ClientCertVerifier } from "../webpki/verifier.ts";
import { acceptClientChain, authorityHints, ClientCertVerified } from "./client_auth.ts";
import { ExpectClientKeyExchange, type Tls12ServerState } from "./tls12_states.ts";

/**
 * 7.4.4: the CertificateRequest for `verifier`: the certificate types its
 * CertificateVerify schemes sign with, those schemes, and its trust anchors'
 * subjects as certificate_authorities (empty when it gives none).
 */
export function certificateRequest12(verifier: ClientCertVerifier): Uint8Array {
  const schemes = [...verifier.supportedVerifySchemes()];
  return encodeCertificateRequest12({
    certificateTypes: certificateTypesFor(schemes),
    schemes,
    authorities: [...authorityHints(verifier)],
  });
}

/** Awaits the client's Certificate after our CertificateRequest. */
export class ExpectClientCertificate12 implements HandshakeState {
  /** State name. */
  readonly name = "ExpectClientCertificate12";
  readonly #st: Tls12ServerState;
  readonly #verifier: ClientCertVerifier;

  /** Continues `st`; `verifier` is the one whose request we sent. */
  constructor(st: Tls12ServerState, verifier: ClientCertVerifier) {
    this.#st = st;
    this.#verifier = verifier;
  }

  /** Verifies the chain, or accepts an empty one when client auth is optional. */
  async handle(cx: ConnectionCore, raw: RawHandshake): Promise<HandshakeState> {
    // 7.4.6: the client's first message after ServerHelloDone, even when empty.
    if (raw.type !== HandshakeType.certificate) throw unexpectedMessage("Certificate", raw.type);
    const st = this.#st;
    const chain = decodeCertificate12(raw.body);
    const presented = await acceptClientChain(
      cx,
      this.#verifier,
      chain,
      st.hs.config.now(),
      AlertDescription.handshake_failure,
    );
    st.hs.transcript.add(raw.encoded);
    return new ExpectClientKeyExchange(
      st,
      presented instanceof ClientCertVerified
        ? { verifier: this.#verifier, endEntity: chain[0], cert: presented }
        : presented,
    );
  }
}
