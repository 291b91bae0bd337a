/**
 * What every STARTTLS prelude does with the transport it holds: read the
 * next bytes, give up on a hostile peer.
 *
 * @module
 */

import { startTlsError } from "./errors.ts";

/** The next non-empty chunk; a transport that ends first is a `StartTlsClosed` failure. */
export async function readChunk(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  waitingFor: string,
): Promise<Uint8Array> {
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      throw startTlsError("StartTlsClosed", `the transport closed while waiting for ${waitingFor}`);
    }
    if (value.length > 0) return value;
  }
}

/** Closes both directions after a failed prelude (the connection cannot be trusted). */
export async function abandon(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  writer: WritableStreamDefaultWriter<Uint8Array>,
  reason: unknown,
): Promise<void> {
  await Promise.all([reader.cancel(reason).catch(() => {}), writer.abort(reason).catch(() => {})]);
}
