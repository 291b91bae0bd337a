/**
 * IMAP STARTTLS, server side (RFC 9051 6.2.1): greet with the STARTTLS
 * capability and LOGINDISABLED, answer CAPABILITY, NOOP and LOGOUT, refuse
 * logging in, answer STARTTLS with a tagged OK and hand the connection to TLS.
 *
 * @module
 */

import type { ByteTransport } from "../streams/stream_types.ts";
import { type LineLimits, Prelude } from "./_prelude.ts";
import { startTlsError } from "./errors.ts";

const CAPABILITIES = "IMAP4rev1 IMAP4rev2 STARTTLS LOGINDISABLED";

/**
 * Runs the server side of IMAP STARTTLS on an accepted connection and
 * resolves to the transport, ready for `acceptTls(...)`. Before STARTTLS it
 * answers CAPABILITY, NOOP and LOGOUT, refuses LOGIN and AUTHENTICATE with
 * `NO [PRIVACYREQUIRED]` and anything else with `BAD` (at most
 * `maxReplyLines` commands). Bytes the client sent right after its
 * STARTTLS line (a pipelined ClientHello) are handed to TLS in front of the
 * rest, as records, never run as commands.
 *
 * A client that logs out, closes, or sends an overlong line or too many
 * commands is a `TlsError` with a `StartTlsErrorDetail` and the transport
 * is closed.
 *
 * @example
 * ```ts
 * import { ServerConfig } from "@kerneltls/tls";
 * import { imapServerStartTls } from "@kerneltls/tls/starttls";
 * import { acceptTls } from "@kerneltls/tls/streams";
 * import type { ByteTransport } from "@kerneltls/tls/streams";
 * async function serve(tcp: ByteTransport, certPem: string, keyPem: string) {
 *   const ready = await imapServerStartTls(tcp);
 *   const tls = await acceptTls(ready, new ServerConfig({ certificateChain: certPem, privateKey: keyPem }));
 *   return tls; // the client's next command comes over TLS
 * }
 * void serve;
 * ```
 */
export async function imapServerStartTls(
  transport: ByteTransport,
  limits: LineLimits = {},
): Promise<ByteTransport> {
  const p = new Prelude(transport, limits);
  return await p.run(async () => {
    await p.send(`* OK [CAPABILITY ${CAPABILITIES}] ready`);
    for (let n = 0; n < p.maxReplyLines; n++) {
      const line = await p.readLine("an IMAP command");
      // A tag is ASTRING-CHARs without "+" (RFC 9051 9); only those are echoed back.
      const m = /^([\x21-\x7e]+) ([A-Za-z]+)(?: |$)/.exec(line);
      const tag = m?.[1];
      if (!m || !tag || /[(){%*"\\\]+]/.test(tag)) {
        await p.send("* BAD malformed command");
        continue;
      }
      const cmd = m[2].toUpperCase();
      if (cmd === "STARTTLS") {
        await p.send(`${tag} OK Begin TLS negotiation now`);
        return p.serverReady();
      }
      if (cmd === "CAPABILITY") {
        await p.send(`* CAPABILITY ${CAPABILITIES}\r\n${tag} OK CAPABILITY completed`);
      } else if (cmd === "NOOP") await p.send(`${tag} OK NOOP completed`);
      else if (cmd === "LOGOUT") {
        await p.send(`* BYE logging out\r\n${tag} OK LOGOUT completed`);
        return await p.fail(
          startTlsError("StartTlsClosed", "the IMAP client logged out before STARTTLS"),
        );
      } else if (cmd === "LOGIN" || cmd === "AUTHENTICATE") {
        await p.send(`${tag} NO [PRIVACYREQUIRED] STARTTLS first`);
      } else await p.send(`${tag} BAD STARTTLS first`);
    }
    throw startTlsError(
      "StartTlsTooManyLines",
      `more than ${p.maxReplyLines} IMAP commands before STARTTLS`,
    );
  });
}
