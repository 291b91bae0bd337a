/**
 * Checks the handshake signatures (CertificateVerify, ServerKeyExchange)
 * made with an end-entity certificate's key.
 *
 * @module
 */

import type { SignatureVerifier } from "../crypto/types.ts";
import { peerMisbehaved } from "../error.ts";
import { AlertDescription, SignatureScheme } from "../msgs/enums.ts";
import {
  callVerifier,
  checkRsaKeySize,
  ecdsaWithHash,
  keyTypeOf,
  RSA_KEY_BITS,
  schemeFitsKey,
} from "./algorithms.ts";
import { parseCertificate } from "./x509.ts";

/**
 * Verifies a TLS 1.3 (`tls13` true) or TLS 1.2 handshake signature by the key
 * of `endEntity`. Throws `TlsError` with detail `BadSignature` and alert
 * decrypt_error when it does not verify, or illegal_parameter when the scheme
 * is not one we offered or does not fit the key. An RSA key outside the size
 * policy (under `minRsaBits`, see `RSA_KEY_BITS`) is refused as a certificate
 * problem (detail `RsaKeyTooSmall` or `UnsupportedRsaKeySize`).
 */
export async function verifyHandshakeSignature(
  verifiers: readonly SignatureVerifier[],
  tls13: boolean,
  message: Uint8Array,
  endEntity: Uint8Array,
  scheme: number,
  signature: Uint8Array,
  minRsaBits: number = RSA_KEY_BITS.defaultMinimum,
): Promise<void> {
  const cert = parseCertificate(endEntity);
  const key = keyTypeOf(cert.spkiAlgorithm);
  checkRsaKeySize(cert.spki, key, minRsaBits);
  const v = verifiers.find((x) => x.scheme === scheme);
  if (!v || (tls13 && !v.tls13)) {
    throw peerMisbehaved(
      `signature scheme 0x${scheme.toString(16)} was not offered`,
      "UnsupportedSignatureScheme",
      AlertDescription.illegal_parameter,
    );
  }
  let ok: boolean | undefined;
  const ecdsaHash = scheme === SignatureScheme.ecdsa_secp256r1_sha256
    ? "SHA-256"
    : scheme === SignatureScheme.ecdsa_secp384r1_sha384
    ? "SHA-384"
    : undefined;
  if (schemeFitsKey(scheme, key)) {
    ok = await callVerifier(() => v.verify(cert.spki, message, signature));
  } else if (!tls13 && ecdsaHash && (key === "p256" || key === "p384")) {
    // TLS 1.2 ECDSA schemes name only the hash (RFC 5246 7.4.1.4.1).
    ok = await ecdsaWithHash(verifiers, key, ecdsaHash, cert.spki, message, signature);
    if (ok === undefined) {
      throw peerMisbehaved(
        `no verifier for ECDSA ${key} with ${ecdsaHash}`,
        "UnsupportedSignatureScheme",
        AlertDescription.illegal_parameter,
      );
    }
  } else {
    throw peerMisbehaved(
      "signature scheme does not fit the certificate key",
      "SignatureSchemeKeyMismatch",
      AlertDescription.illegal_parameter,
    );
  }
  if (!ok) {
    throw peerMisbehaved(
      "handshake signature does not verify",
      "BadSignature",
      AlertDescription.decrypt_error,
    );
  }
}
