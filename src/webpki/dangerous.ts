/**
 * Escape hatches that turn off certificate checks. Named `dangerous` so that
 * every use stands out in review.
 *
 * @module
 */

import type { SignatureVerifier } from "../crypto/types.ts";
import { signatureVerifiers } from "../crypto/webcrypto/verify.ts";
import { verifyHandshakeSignature } from "./tls_signatures.ts";
import type { ServerCertVerifier } from "./verifier.ts";

/**
 * A server verifier that accepts ANY certificate chain for ANY name, while
 * still checking that the handshake signature was made by the presented
 * leaf's key.
 *
 * Threat: anyone on the network path can present their own certificate and
 * read or change all traffic (a man in the middle). The signature check only
 * proves the peer holds the key of the certificate it chose to send, not who
 * it is. Use it for tests, or when you pin the leaf yourself afterwards.
 *
 * @example
 * ```ts
 * import { dangerousNoServerVerification } from "./dangerous.ts";
 * const verifier = dangerousNoServerVerification();
 * await verifier.verifyServerCert(new Uint8Array(0), [], "anything", new Date()); // accepted
 * ```
 */
export function dangerousNoServerVerification(
  verifiers: readonly SignatureVerifier[] = signatureVerifiers,
): ServerCertVerifier {
  return {
    verifyServerCert(): Promise<void> {
      return Promise.resolve();
    },
    verifyTls13Signature(message, endEntity, scheme, signature): Promise<void> {
      return verifyHandshakeSignature(verifiers, true, message, endEntity, scheme, signature);
    },
    verifyTls12Signature(message, endEntity, scheme, signature): Promise<void> {
      return verifyHandshakeSignature(verifiers, false, message, endEntity, scheme, signature);
    },
    supportedVerifySchemes(): readonly number[] {
      return verifiers.map((v) => v.scheme);
    },
  };
}
