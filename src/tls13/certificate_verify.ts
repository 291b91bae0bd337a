/**
 * The content a TLS 1.3 CertificateVerify signs (RFC 8446 section 4.4.3):
 * 64 spaces, a context string, a zero byte, then the transcript hash.
 *
 * @module
 */

import { tlsError } from "../error.ts";
import { AlertDescription } from "../msgs/enums.ts";

const encoder = new TextEncoder();
const SERVER_CONTEXT = encoder.encode("TLS 1.3, server CertificateVerify");
const CLIENT_CONTEXT = encoder.encode("TLS 1.3, client CertificateVerify");

/**
 * Builds the signed content for `side`'s CertificateVerify.
 *
 * @example
 * ```ts
 * import { certificateVerifyContent } from "./certificate_verify.ts";
 * const content = certificateVerifyContent("server", new Uint8Array(32));
 * console.log(content.length); // 64 + 33 + 1 + 32 = 130
 * ```
 */
export function certificateVerifyContent(
  side: "server" | "client",
  transcriptHash: Uint8Array,
): Uint8Array {
  const context = side === "server" ? SERVER_CONTEXT : CLIENT_CONTEXT;
  const out = new Uint8Array(64 + context.length + 1 + transcriptHash.length);
  out.fill(0x20, 0, 64);
  out.set(context, 64);
  out.set(transcriptHash, 64 + context.length + 1);
  return out;
}

/**
 * RFC 8446 4.4.3 and 4.2.3: whether `scheme` may sign a TLS 1.3
 * CertificateVerify. Of TLS 1.2's (hash, signature) pairs only ECDSA with
 * SHA-256, SHA-384 and SHA-512 carried over: RSASSA-PKCS1-v1_5 and SHA-1
 * (and SHA-224, DSA, anonymous) may be offered for certificates or TLS 1.2,
 * never used here. Our own signatures and the peer's obey the same rule.
 *
 * @example
 * ```ts
 * import { allowedInTls13CertificateVerify } from "./certificate_verify.ts";
 * console.log(allowedInTls13CertificateVerify(0x0403)); // true: ecdsa_secp256r1_sha256
 * console.log(allowedInTls13CertificateVerify(0x0203)); // false: ecdsa_sha1
 * console.log(allowedInTls13CertificateVerify(0x0401)); // false: rsa_pkcs1_sha256
 * ```
 */
export function allowedInTls13CertificateVerify(scheme: number): boolean {
  const hash = scheme >> 8;
  const signature = scheme & 0xff;
  if (hash <= 0x06 && signature <= 0x03) return signature === 0x03 && hash >= 0x04;
  return true;
}

/**
 * Refuses the peer's TLS 1.3 CertificateVerify `scheme` when
 * {@link allowedInTls13CertificateVerify} says no, whatever the verifier
 * would accept.
 *
 * @throws {TlsError} `illegal_parameter`, detail `UnsupportedSignatureScheme`.
 */
export function checkPeerTls13Scheme(scheme: number): void {
  if (!allowedInTls13CertificateVerify(scheme)) {
    throw tlsError(
      "PeerMisbehaved",
      "UnsupportedSignatureScheme",
      `signature scheme 0x${scheme.toString(16).padStart(4, "0")} is not allowed in TLS 1.3`,
      { alert: AlertDescription.illegal_parameter },
    );
  }
}
