/**
 * A `Deno.TcpConn` as a byte transport that half-closes. Closing
 * `conn.writable` closes the whole socket in Deno, but after our
 * close_notify TLS still has to read the peer's last records and its
 * close_notify, so closing the writable here only shuts down our write side.
 *
 * @module
 */

import type { ByteTransport } from "../src/streams/tls_stream.ts";

/**
 * Wraps `conn` for `connectTls` / `acceptTls`.
 *
 * @example
 * ```ts
 * import { tcpTransport } from "./_tcp_transport.ts";
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: 443 });
 * const transport = tcpTransport(conn);
 * await transport.writable.close();
 * ```
 */
export function tcpTransport(conn: Deno.TcpConn): ByteTransport {
  return {
    readable: conn.readable,
    writable: new WritableStream<Uint8Array>({
      async write(chunk) {
        for (let off = 0; off < chunk.length;) off += await conn.write(chunk.subarray(off));
      },
      async close() {
        await conn.closeWrite();
      },
      abort() {
        try {
          conn.close();
        } catch { /* already closed */ }
      },
    }),
  };
}
