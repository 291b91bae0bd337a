/**
 * PostgreSQL's SSLRequest (protocol 3.0, "SSL Session Encryption"): ask the
 * server to start TLS on a fresh connection before the StartupMessage.
 *
 * @module
 */

import type { ByteTransport } from "../streams/stream_types.ts";
import { Prelude } from "./_prelude.ts";
import { startTlsError } from "./errors.ts";

/** Int32 length 8, Int32 request code 80877103 (1234 << 16 | 5679). */
const SSL_REQUEST = Uint8Array.of(0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f);
const YES = 0x53; // 'S'
const NO = 0x4e; // 'N'

/**
 * Sends PostgreSQL's SSLRequest on `transport` (nothing else may have been
 * sent on it) and reads exactly the one-byte answer.
 *
 * - `S`: resolves to the transport, ready for `connectTls(...)`.
 * - `N`: the server refuses TLS; rejects with a `TlsError` whose detail is
 *   `StartTlsRefused`. The transport is left open and unlocked, so a caller
 *   whose policy allows it (`sslmode=prefer`) may go on in plaintext.
 * - Anything else, the transport ending, or any byte after the `S` that
 *   arrived before our ClientHello (CVE-2021-23222: bytes injected by a
 *   man in the middle before TLS): rejects with a `TlsError`
 *   (`StartTlsUnexpectedReply`, `StartTlsClosed`, `StartTlsInjection`) and
 *   closes the transport. Bytes that arrive later are read by TLS as
 *   records and fail authentication there.
 *
 * For PostgreSQL 17's direct TLS (no SSLRequest) use `postgresDirectTls`.
 *
 * @example
 * ```ts
 * import { ClientConfig, RootCertStore } from "@kerneltls/tls";
 * import { postgresSslRequest } from "@kerneltls/tls/starttls";
 * import { connectTls } from "@kerneltls/tls/streams";
 * import type { ByteTransport } from "@kerneltls/tls/streams";
 * async function open(tcp: ByteTransport, caPem: string) {
 *   const ready = await postgresSslRequest(tcp);
 *   const config = new ClientConfig({ roots: RootCertStore.fromPem(caPem) });
 *   const tls = await connectTls(ready, config, "db.example.com");
 *   return tls; // send the StartupMessage over tls.writable
 * }
 * void open;
 * ```
 */
export function postgresSslRequest(transport: ByteTransport): Promise<ByteTransport> {
  const p = new Prelude(transport);
  return p.run(async () => {
    await p.sendBytes(SSL_REQUEST);
    const answer = await p.readByte("the answer to SSLRequest");
    if (answer === YES) return await p.clientReady("S");
    if (answer === NO) {
      return await p.refuse(
        startTlsError("StartTlsRefused", "the PostgreSQL server refused TLS (answered N)"),
      );
    }
    throw startTlsError(
      "StartTlsUnexpectedReply",
      `the PostgreSQL server answered SSLRequest with byte 0x${
        answer.toString(16).padStart(2, "0")
      }, not S or N`,
    );
  });
}
