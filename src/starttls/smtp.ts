/**
 * SMTP STARTTLS, client side (RFC 3207 over RFC 5321): greeting, EHLO,
 * the STARTTLS capability, STARTTLS, 220, then TLS.
 *
 * @module
 */

import type { ByteTransport } from "../streams/stream_types.ts";
import { type LineLimits, Prelude } from "./_prelude.ts";
import { startTlsError } from "./errors.ts";

/**
 * Options for {@link smtpStartTls}.
 *
 * @example
 * ```ts
 * import type { SmtpStartTlsOptions } from "@kerneltls/tls/starttls";
 * const options: SmtpStartTlsOptions = { clientName: "client.example.com", maxLineLength: 512 };
 * console.log(options.clientName); // client.example.com
 * ```
 */
export interface SmtpStartTlsOptions extends LineLimits {
  /** Our name in EHLO: a domain or an address literal such as `[192.0.2.1]`. */
  clientName: string;
}

/** One SMTP reply: its code and the text of each line. */
interface Reply {
  code: number;
  lines: string[];
}

/** Reads one (possibly multi-line) reply: `ddd-text` lines, then `ddd text` (RFC 5321 4.2.1). */
async function readReply(p: Prelude, waitingFor: string): Promise<Reply> {
  const lines: string[] = [];
  let code: number | undefined;
  for (;;) {
    if (lines.length === p.maxReplyLines) {
      throw startTlsError(
        "StartTlsTooManyLines",
        `more than ${p.maxReplyLines} lines in ${waitingFor}`,
      );
    }
    const line = await p.readLine(waitingFor);
    const m = /^([2-5][0-9][0-9])([ -]|$)/.exec(line);
    if (!m || (code !== undefined && Number(m[1]) !== code)) {
      throw startTlsError(
        "StartTlsUnexpectedReply",
        `a malformed SMTP reply line in ${waitingFor}`,
      );
    }
    code = Number(m[1]);
    lines.push(line.slice(4));
    if (m[2] !== "-") return { code, lines };
  }
}

/** A reply that is not `expected`: a refusal when it is a 4yz/5yz answer, else a protocol error. */
function unexpected(reply: Reply, what: string) {
  return reply.code >= 400
    ? startTlsError("StartTlsRefused", `the SMTP server answered ${what} with ${reply.code}`)
    : startTlsError(
      "StartTlsUnexpectedReply",
      `the SMTP server answered ${what} with ${reply.code}`,
    );
}

/**
 * Runs the SMTP STARTTLS prelude on a fresh connection (RFC 3207): reads the
 * 220 greeting, sends `EHLO clientName`, checks that STARTTLS is offered,
 * sends STARTTLS and expects 220. Resolves to the transport, ready for
 * `connectTls(...)`; after the handshake, send EHLO again (RFC 3207 4.2:
 * what was learnt before TLS is forgotten).
 *
 * Failures are `TlsError`s with a `StartTlsErrorDetail`: a 4yz/5yz answer or
 * no STARTTLS capability is `StartTlsRefused` (the transport is left open and
 * unlocked, still in plaintext, if nothing unread was buffered); bytes sent
 * after the 220 to STARTTLS and before our ClientHello are
 * `StartTlsInjection` (CVE-2011-0411), and overlong lines or replies are
 * `StartTlsLineTooLong` / `StartTlsTooManyLines`: those close the transport.
 *
 * @example
 * ```ts
 * import { ClientConfig, RootCertStore } from "@kerneltls/tls";
 * import { smtpStartTls } from "@kerneltls/tls/starttls";
 * import { connectTls } from "@kerneltls/tls/streams";
 * import type { ByteTransport } from "@kerneltls/tls/streams";
 * async function submit(tcp: ByteTransport, caPem: string) {
 *   const ready = await smtpStartTls(tcp, { clientName: "client.example.com" });
 *   const config = new ClientConfig({ roots: RootCertStore.fromPem(caPem) });
 *   const tls = await connectTls(ready, config, "mail.example.com");
 *   const writer = tls.writable.getWriter();
 *   await writer.write(new TextEncoder().encode("EHLO client.example.com\r\n"));
 *   return tls;
 * }
 * void submit;
 * ```
 */
export async function smtpStartTls(
  transport: ByteTransport,
  options: SmtpStartTlsOptions,
): Promise<ByteTransport> {
  const { clientName } = options;
  if (!/^[\x21-\x7e]{1,255}$/.test(clientName)) {
    throw new TypeError("smtpStartTls: clientName must be 1 to 255 printable ASCII characters");
  }
  const p = new Prelude(transport, options);
  return await p.run(async () => {
    const greeting = await readReply(p, "the SMTP greeting");
    if (greeting.code !== 220) return await p.refuse(unexpected(greeting, "the connection"));
    await p.send(`EHLO ${clientName}`);
    const ehlo = await readReply(p, "the EHLO reply");
    if (ehlo.code !== 250) return await p.refuse(unexpected(ehlo, "EHLO"));
    // The first line is the server's name; each further one starts with a keyword.
    if (!ehlo.lines.slice(1).some((l) => /^STARTTLS(\s|$)/i.test(l))) {
      return await p.refuse(
        startTlsError("StartTlsRefused", "the SMTP server does not offer STARTTLS"),
      );
    }
    await p.send("STARTTLS");
    const go = await readReply(p, "the STARTTLS reply");
    if (go.code !== 220) return await p.refuse(unexpected(go, "STARTTLS"));
    return await p.clientReady("220");
  });
}
