/**
 * Evidence that the peer's TLS 1.3 CertificateVerify verified (RFC 8446
 * section 4.4.3). The token is minted only here, where the signature is
 * checked, and the states after CertificateVerify require it, so no path
 * can reach Finished with the check left out.
 *
 * @module
 */

import type { ServerCertVerifier } from "../webpki/verifier.ts";
import { certificateVerifyContent } from "./certificate_verify.ts";

const mint: unique symbol = Symbol("HandshakeSignatureValid");

/** The peer's CertificateVerify signature covers the transcript, under its certificate. */
export class HandshakeSignatureValid {
  declare private readonly brand: void;
  /** Only this module holds the argument. */
  constructor(_mint: typeof mint) {}
}

/** What checks a TLS 1.3 CertificateVerify signature (either side's verifier). */
export type Tls13SignatureVerifier = Pick<ServerCertVerifier, "verifyTls13Signature">;

/**
 * Verifies `peer`'s CertificateVerify over `transcriptHash` with
 * `endEntity`'s key (the scheme already checked by the caller).
 *
 * @throws {TlsError} the verifier's refusal.
 */
export async function verifyCertificateVerify(
  peer: "server" | "client",
  verifier: Tls13SignatureVerifier,
  transcriptHash: Uint8Array,
  endEntity: Uint8Array,
  scheme: number,
  signature: Uint8Array,
): Promise<HandshakeSignatureValid> {
  const content = certificateVerifyContent(peer, transcriptHash);
  await verifier.verifyTls13Signature(content, endEntity, scheme, signature);
  return new HandshakeSignatureValid(mint);
}
