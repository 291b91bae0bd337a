/**
 * Resuming a byte transport after a plaintext prelude: the reader (and
 * writer) the prelude used and the bytes it read too far become a fresh
 * {@link ByteTransport} for `connectTls` / `acceptTls`.
 *
 * @module
 */

import type { ByteTransport } from "../streams/stream_types.ts";

/**
 * What the plaintext prelude left behind on a transport.
 *
 * @example
 * ```ts
 * import type { HeldTransport } from "@kerneltls/tls/starttls";
 * const { readable } = new TransformStream<Uint8Array, Uint8Array>();
 * const held: HeldTransport = {
 *   reader: readable.getReader(),
 *   buffered: new Uint8Array([0x16, 0x03, 0x01]), // a ClientHello's first bytes
 * };
 * console.log(held.buffered?.length); // 3
 * ```
 */
export interface HeldTransport {
  /**
   * The transport's reader, if the prelude took one (no read may be under
   * way on it). It is yours no longer: the resumed readable reads through it.
   */
  reader?: ReadableStreamDefaultReader<Uint8Array>;
  /** The transport's writer, if the prelude took one (it becomes the resumed writable's). */
  writer?: WritableStreamDefaultWriter<Uint8Array>;
  /**
   * Bytes already read past the prelude's last plaintext line: the resumed
   * readable yields them first (they are copied).
   */
  buffered?: Uint8Array;
}

/**
 * Resumes `transport` after plaintext: the returned transport's readable
 * yields `held.buffered` first, then what the same underlying reader yields
 * (no byte lost, no second reader: the held reader, or the transport's own
 * readable when there is none). Its writable writes through the held writer
 * (or is the transport's own). Cancelling the readable cancels the reader;
 * closing or aborting the writable closes or aborts the writer.
 *
 * @example
 * ```ts
 * import { resumeTransport } from "@kerneltls/tls/starttls";
 * import type { ByteTransport } from "@kerneltls/tls/streams";
 * // A server read "STARTTLS\r\n" and, in the same chunk, the start of the
 * // client's ClientHello: hand the extra bytes back in front of the rest.
 * const pipe = new TransformStream<Uint8Array, Uint8Array>();
 * const tcp: ByteTransport = { readable: pipe.readable, writable: pipe.writable };
 * const reader = tcp.readable.getReader();
 * const writer = tcp.writable.getWriter();
 * void writer.write(new TextEncoder().encode("STARTTLS\r\n\x16\x03\x01"));
 * const { value } = await reader.read();
 * const lineEnd = value!.indexOf(0x0a) + 1;
 * const resumed = resumeTransport(tcp, { reader, writer, buffered: value!.subarray(lineEnd) });
 * const first = await resumed.readable.getReader().read();
 * console.log(first.value); // Uint8Array(3) [ 22, 3, 1 ]
 * ```
 */
export function resumeTransport(transport: ByteTransport, held: HeldTransport = {}): ByteTransport {
  const { reader, writer } = held;
  let buffered = held.buffered?.length ? held.buffered.slice() : undefined;
  let readable = transport.readable;
  if (reader || buffered) {
    const source = reader ?? transport.readable.getReader();
    readable = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (buffered) {
          controller.enqueue(buffered);
          buffered = undefined;
          return;
        }
        const { value, done } = await source.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel: (reason) => source.cancel(reason),
    }, { highWaterMark: 0 });
  }
  const writable = writer
    ? new WritableStream<Uint8Array>({
      write: (chunk) => writer.write(chunk),
      close: () => writer.close(),
      abort: (reason) => writer.abort(reason),
    }, { highWaterMark: 1 })
    : transport.writable;
  return { readable, writable };
}
