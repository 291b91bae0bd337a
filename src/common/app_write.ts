/**
 * Writing application data and close_notify straight into the caller's
 * buffer, with the automatic TLS 1.3 key refresh before the suite's
 * confidentiality limit and TLS 1.2's refusal to pass it.
 *
 * @module
 */

import { InsufficientSizeError, type TlsError, tlsError } from "../error.ts";
import { ContentType } from "../msgs/enums.ts";
import { closeNotifyPayload } from "../post_handshake/alerts.ts";
import type { Tls12Traffic } from "../tls12/traffic.ts";
import { fragments } from "./outbound.ts";
import type { KeyUpdateTarget, Tls13Traffic } from "./tls13_traffic.ts";

/** What writing application data reads of the connection (`ConnectionCore` is one). */
export interface AppWriteTarget extends KeyUpdateTarget {
  /** The failure that killed the connection, if any. */
  readonly error: TlsError | undefined;
  /** True once the handshake is complete. */
  readonly handshakeComplete: boolean;
  /** True when no record waits to be encoded. */
  readonly outboundEmpty: boolean;
  /** Largest plaintext fragment we send. */
  readonly maxFragmentSize: number;
  /** TLS 1.3 application traffic secrets, once the handshake is complete. */
  readonly tls13: Tls13Traffic | undefined;
  /** TLS 1.2 traffic keys (no KeyUpdate: the confidentiality limit ends the connection). */
  readonly tls12: Tls12Traffic | undefined;
}

function checkWritable(cx: AppWriteTarget): void {
  if (cx.error) throw cx.error;
  if (cx.weClosed) throw new TypeError("close_notify was already sent");
  if (!cx.handshakeComplete) {
    throw tlsError("HandshakeNotComplete", "HandshakeNotComplete", "the handshake is not complete");
  }
  if (!cx.outboundEmpty) {
    throw new TypeError("queued TLS records must be encoded first");
  }
}

/** Records of one write sealed at the same time. */
const SEALS_IN_FLIGHT = 16;

/** Bytes of a KeyUpdate handshake message (header and one byte of body). */
const KEY_UPDATE_LEN = 5;

/** Whether a write of `length` bytes now needs a KeyUpdate first, and its exact size. */
function plan(cx: AppWriteTarget, length: number): { refresh: boolean; required: number } {
  const writer = cx.writer;
  const max = cx.maxFragmentSize;
  const records = Math.max(1, Math.ceil(length / max));
  const refresh = cx.tls13?.needsRefresh(writer.seq, records) ?? false;
  const full = Math.floor(length / max);
  let required = full * writer.recordSize(max);
  if (length % max !== 0 || length === 0) required += writer.recordSize(length % max);
  if (refresh) required += writer.recordSize(KEY_UPDATE_LEN);
  return { refresh, required };
}

/** Exact bytes {@link encryptAppData} writes for `length` bytes of data now. */
export function encryptedSize(cx: AppWriteTarget, length: number): number {
  return plan(cx, length).required;
}

/**
 * Encrypts application data into `out` as one or more records. When the
 * current key is close to the suite's confidentiality limit, a KeyUpdate is
 * written first and the key rotated (TLS 1.3). Throws
 * `InsufficientSizeError` before writing anything when `out` is too small.
 */
export async function encryptAppData(
  cx: AppWriteTarget,
  data: Uint8Array,
  out: Uint8Array,
): Promise<number> {
  checkWritable(cx);
  const parts = fragments(data, cx.maxFragmentSize);
  const writer = cx.writer;
  const seq = writer.seq;
  const { refresh, required } = plan(cx, data.length);
  if (out.length < required) throw new InsufficientSizeError(required);
  let offset = 0;
  if (cx.tls12 && seq + BigInt(parts.length) > cx.tls12.suite.confidentialityLimit) {
    // TLS 1.2 has no KeyUpdate: the connection must end before the limit.
    throw tlsError(
      "EncryptError",
      "ConfidentialityLimitReached",
      "the key's confidentiality limit is reached",
    );
  }
  if (refresh && cx.tls13) {
    const update = cx.tls13.keyUpdateMessage(false);
    const size = writer.recordSize(update.length);
    await writer.writeInto(ContentType.handshake, update, out.subarray(offset, offset + size));
    offset += size;
    await cx.tls13.rotateTx(cx);
  }
  // Each record's place in `out` is known up front and the writer takes its
  // sequence number when called, so several records are sealed at once (Web
  // Crypto runs them off the JS thread) and still land in order.
  const current = cx.writer;
  const sealing: Promise<void>[] = [];
  try {
    for (const p of parts) {
      const at = offset;
      offset += current.recordSize(p.length);
      if (sealing.length >= SEALS_IN_FLIGHT) await sealing.shift();
      const sealed = current.writeInto(ContentType.application_data, p, out.subarray(at, offset));
      sealed.catch(() => {}); // observed below or by the shift above
      sealing.push(sealed);
    }
  } finally {
    await Promise.allSettled(sealing);
  }
  await Promise.all(sealing);
  return offset;
}

/** Writes a close_notify alert into `out`; the core then marks the connection closed for writing. */
export async function writeCloseNotify(cx: AppWriteTarget, out: Uint8Array): Promise<number> {
  checkWritable(cx);
  const required = cx.writer.recordSize(2);
  if (out.length < required) throw new InsufficientSizeError(required);
  await cx.writer.writeInto(ContentType.alert, closeNotifyPayload(), out.subarray(0, required));
  return required;
}
