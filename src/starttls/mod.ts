/**
 * STARTTLS: start TLS on a transport that has already carried plaintext.
 * `resumeTransport` hands the bytes and the reader a plaintext prelude used
 * to `connectTls` / `acceptTls`; the helpers run the preludes of
 * PostgreSQL (SSLRequest, and PostgreSQL 17's direct TLS), SMTP (RFC 3207)
 * and IMAP (RFC 9051). Every helper refuses bytes the server sent after its
 * go-ahead and before our ClientHello (STARTTLS injection).
 *
 * @example
 * ```ts
 * import { ClientConfig, RootCertStore } from "@kerneltls/tls";
 * import { postgresSslRequest } from "@kerneltls/tls/starttls";
 * import { connectTls } from "@kerneltls/tls/streams";
 * import type { ByteTransport } from "@kerneltls/tls/streams";
 * async function open(tcp: ByteTransport, caPem: string) {
 *   const config = new ClientConfig({ roots: RootCertStore.fromPem(caPem) });
 *   return await connectTls(await postgresSslRequest(tcp), config, "db.example.com");
 * }
 * void open;
 * ```
 *
 * @module
 */

export { type StartTlsErrorDetail } from "./errors.ts";
export { type HeldTransport, resumeTransport } from "./transport.ts";
export { postgresSslRequest } from "./postgres.ts";
export { POSTGRES_ALPN, postgresDirectTls } from "./postgres_direct.ts";
export { type LineLimits } from "./_prelude.ts";
export { smtpStartTls, type SmtpStartTlsOptions } from "./smtp.ts";
export { imapStartTls, type ImapStartTlsOptions } from "./imap.ts";
export { smtpServerStartTls, type SmtpServerStartTlsOptions } from "./smtp_server.ts";
export { imapServerStartTls } from "./imap_server.ts";
