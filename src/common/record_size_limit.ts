/**
 * RFC 8449 record_size_limit as both sides apply it once negotiated: each
 * side's value bounds the protected records the other sends.
 *
 * @module
 */

import { ExtensionType } from "../msgs/enums.ts";
import { MAX_RECORD_SIZE_LIMIT, type RecordSizeLimitExtension } from "../msgs/extension_types.ts";
import type { TlsVersion } from "./config_base.ts";
import type { ConnectionCore } from "./core.ts";

/** The value we advertise under `version`: the configured one, at most the version's maximum. */
export function ourRecordSizeLimit(configured: number, version: TlsVersion): number {
  return Math.min(configured, MAX_RECORD_SIZE_LIMIT[version]);
}

/**
 * Both values are exchanged: from now on we send records of at most what
 * `peerLimit` allows (section 4: in TLS 1.3 it counts the content type byte,
 * and a value above the version's maximum counts as the maximum), and the
 * peer's protected records are held to `ourLimit`.
 */
export function applyRecordSizeLimits(
  cx: ConnectionCore,
  version: TlsVersion,
  peerLimit: number,
  ourLimit: number,
): void {
  const peer = Math.min(peerLimit, MAX_RECORD_SIZE_LIMIT[version]);
  cx.limitSentRecords(version === "TLSv1_3" ? peer - 1 : peer);
  cx.limitReceivedRecords(ourLimit);
}

/**
 * Server: the extension answering the client's `offered` value (in
 * EncryptedExtensions for TLS 1.3, ServerHello for TLS 1.2), both limits
 * applied from now on.
 */
export function answerRecordSizeLimit(
  cx: ConnectionCore,
  version: TlsVersion,
  offered: number,
  configured: number,
): RecordSizeLimitExtension {
  const limit = ourRecordSizeLimit(configured, version);
  applyRecordSizeLimits(cx, version, offered, limit);
  return { type: ExtensionType.record_size_limit, limit };
}
