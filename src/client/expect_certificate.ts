/**
 * The client awaits the server's CertificateRequest and Certificate (RFC 8446
 * sections 4.3.2 and 4.4.2).
 *
 * @module
 */

import { peerMisbehaved, unexpectedMessage } from "../error.ts";
import type { ConnectionCore, HandshakeState } from "../common/core.ts";
import { expectMessage } from "../common/expect.ts";
import { AlertDescription, ExtensionType, HandshakeType } from "../msgs/enums.ts";
import { checkSolicited, findExtension } from "../msgs/extensions.ts";
import type { HandshakeMessage as RawHandshake } from "../record/handshake_joiner.ts";
import type { ClientHandshakeData, SentClientHello } from "./handshake_data.ts";
import type { ClientAuthRequest, ClientHandshakeKeys } from "./handshake_keys.ts";
import { ExpectCertificateVerify } from "./expect_certificate_verify.ts";
import { verifyServerChain } from "./server_auth.ts";

/** Awaits CertificateRequest or Certificate. */
export class ExpectCertificateOrCertificateRequest implements HandshakeState {
  /** State name. */
  readonly name = "ExpectCertificateOrCertificateRequest";
  readonly #hs: ClientHandshakeData;
  readonly #keys: ClientHandshakeKeys;
  /** What the ClientHello the server answered offered. */
  readonly #sent: SentClientHello;

  /** Carries the handshake state and what the answered ClientHello offered. */
  constructor(hs: ClientHandshakeData, keys: ClientHandshakeKeys, sent: SentClientHello) {
    this.#hs = hs;
    this.#keys = keys;
    this.#sent = sent;
  }

  /** Dispatches on the message type. */
  handle(cx: ConnectionCore, raw: RawHandshake): Promise<HandshakeState> {
    if (raw.type === HandshakeType.certificate) {
      return new ExpectCertificate(this.#hs, this.#keys, undefined, this.#sent).handle(cx, raw);
    }
    if (raw.type !== HandshakeType.certificate_request) {
      throw unexpectedMessage("Certificate or CertificateRequest", raw.type);
    }
    const req = expectMessage(raw, HandshakeType.certificate_request, "CertificateRequest");
    // 4.3.2: the context is empty during the handshake (it names post-handshake requests).
    if (req.certificateRequestContext.length !== 0) {
      throw peerMisbehaved(
        "CertificateRequest in the handshake has a request context",
        "InvalidCertRequestContext",
      );
    }
    // RFC 8446 4.3.2: signature_algorithms is mandatory.
    const algs = findExtension(req.extensions, ExtensionType.signature_algorithms);
    if (!algs) {
      throw peerMisbehaved(
        "CertificateRequest without signature_algorithms",
        "MissingSignatureAlgorithms",
        AlertDescription.missing_extension,
      );
    }
    this.#hs.transcript.add(raw.encoded);
    return Promise.resolve(
      new ExpectCertificate(this.#hs, this.#keys, {
        context: req.certificateRequestContext,
        schemes: algs.schemes,
      }, this.#sent),
    );
  }
}

/** Awaits the server's Certificate and verifies the chain. */
export class ExpectCertificate implements HandshakeState {
  /** State name. */
  readonly name = "ExpectCertificate";
  readonly #hs: ClientHandshakeData;
  readonly #keys: ClientHandshakeKeys;
  readonly #authRequest: ClientAuthRequest | undefined;
  /** What the ClientHello the server answered offered. */
  readonly #sent: SentClientHello;

  /** Carries the handshake state, any client auth request and what the answered hello offered. */
  constructor(
    hs: ClientHandshakeData,
    keys: ClientHandshakeKeys,
    authRequest: ClientAuthRequest | undefined,
    sent: SentClientHello,
  ) {
    this.#sent = sent;
    this.#hs = hs;
    this.#keys = keys;
    this.#authRequest = authRequest;
  }

  /** RFC 8446 4.4.2.4: verify the chain against the name we connect to. */
  async handle(cx: ConnectionCore, raw: RawHandshake): Promise<HandshakeState> {
    const cert = expectMessage(raw, HandshakeType.certificate, "Certificate");
    if (cert.certificateRequestContext.length !== 0) {
      throw peerMisbehaved("server Certificate has a request context", "InvalidCertRequestContext");
    }
    if (cert.certificateList.length === 0) {
      throw peerMisbehaved(
        "server sent no certificate",
        "NoCertificatesPresented",
        AlertDescription.decode_error,
      );
    }
    // 4.4.2: entry extensions answer ClientHello extensions.
    for (const entry of cert.certificateList) {
      checkSolicited(entry.extensions, this.#sent.offered, "Certificate");
    }
    const chain = cert.certificateList.map((e) => e.cert);
    cx.recordNegotiated({ peerCertificates: chain });
    const verified = verifyServerChain(this.#hs, chain);
    this.#hs.transcript.add(raw.encoded);
    if (!cx.handshakeMessageQueued) {
      const cert = await verified;
      return new ExpectCertificateVerify(
        this.#hs,
        this.#keys,
        this.#authRequest,
        chain[0],
        cert,
        this.#sent,
      );
    }
    // The CertificateVerify is already here: its signature check runs while
    // the chain is verified, and the next state awaits the chain first, so a
    // refused chain is still the error reported.
    verified.catch(() => {});
    return new ExpectCertificateVerify(
      this.#hs,
      this.#keys,
      this.#authRequest,
      chain[0],
      verified,
      this.#sent,
    );
  }
}
