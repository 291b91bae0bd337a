/**
 * The content a TLS 1.3 CertificateVerify signs (RFC 8446 section 4.4.3):
 * 64 spaces, a context string, a zero byte, then the transcript hash.
 *
 * @module
 */

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
