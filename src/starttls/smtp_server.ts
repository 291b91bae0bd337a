/**
 * SMTP STARTTLS, server side (RFC 3207): greet, answer EHLO with the
 * STARTTLS keyword, refuse everything but STARTTLS until then, answer 220
 * and hand the connection to TLS.
 *
 * @module
 */

import type { ByteTransport } from "../streams/stream_types.ts";
import { type LineLimits, Prelude } from "./_prelude.ts";
import { startTlsError } from "./errors.ts";

/**
 * Options for {@link smtpServerStartTls}.
 *
 * @example
 * ```ts
 * import type { SmtpServerStartTlsOptions } from "@kerneltls/tls/starttls";
 * const options: SmtpServerStartTlsOptions = { serverName: "mail.example.com" };
 * console.log(options.serverName); // mail.example.com
 * ```
 */
export interface SmtpServerStartTlsOptions extends LineLimits {
  /** Our name in the greeting and the EHLO reply. */
  serverName: string;
}

/**
 * Runs the server side of SMTP STARTTLS on an accepted connection and
 * resolves to the transport, ready for `acceptTls(...)`. Before STARTTLS it
 * answers EHLO, HELO, NOOP and RSET, and every other command with
 * `530 5.7.0 Must issue a STARTTLS command first` (at most
 * `maxReplyLines` commands). Bytes the client sent right after STARTTLS (a
 * pipelined ClientHello) were read as part of the same chunk: they are
 * handed to TLS in front of the rest, as records, never run as commands
 * (the CVE-2011-0411 mistake).
 *
 * A client that quits, closes, or sends an overlong line or too many
 * commands is a `TlsError` with a `StartTlsErrorDetail` and the transport
 * is closed.
 *
 * @example
 * ```ts
 * import { ServerConfig } from "@kerneltls/tls";
 * import { smtpServerStartTls } from "@kerneltls/tls/starttls";
 * import { acceptTls } from "@kerneltls/tls/streams";
 * import type { ByteTransport } from "@kerneltls/tls/streams";
 * async function serve(tcp: ByteTransport, certPem: string, keyPem: string) {
 *   const ready = await smtpServerStartTls(tcp, { serverName: "mail.example.com" });
 *   const tls = await acceptTls(ready, new ServerConfig({ certificateChain: certPem, privateKey: keyPem }));
 *   return tls; // the client's EHLO comes next, over TLS
 * }
 * void serve;
 * ```
 */
export async function smtpServerStartTls(
  transport: ByteTransport,
  options: SmtpServerStartTlsOptions,
): Promise<ByteTransport> {
  const { serverName } = options;
  if (!/^[\x21-\x7e]{1,255}$/.test(serverName)) {
    throw new TypeError(
      "smtpServerStartTls: serverName must be 1 to 255 printable ASCII characters",
    );
  }
  const p = new Prelude(transport, options);
  return await p.run(async () => {
    await p.send(`220 ${serverName} ESMTP`);
    for (let n = 0; n < p.maxReplyLines; n++) {
      const line = await p.readLine("an SMTP command");
      const verb = /^[A-Za-z]+/.exec(line)?.[0].toUpperCase();
      if (verb === "STARTTLS" && line.length === verb.length) {
        await p.send("220 2.0.0 Ready to start TLS");
        return p.serverReady();
      }
      if (verb === "EHLO") await p.send(`250-${serverName}\r\n250 STARTTLS`);
      else if (verb === "HELO") await p.send(`250 ${serverName}`);
      else if (verb === "NOOP" || verb === "RSET") await p.send("250 2.0.0 OK");
      else if (verb === "QUIT") {
        await p.send("221 2.0.0 Bye");
        return await p.fail(
          startTlsError("StartTlsClosed", "the SMTP client quit before STARTTLS"),
        );
      } else if (verb === "STARTTLS") await p.send("501 5.5.4 Syntax: STARTTLS");
      else await p.send("530 5.7.0 Must issue a STARTTLS command first");
    }
    throw startTlsError(
      "StartTlsTooManyLines",
      `more than ${p.maxReplyLines} SMTP commands before STARTTLS`,
    );
  });
}
