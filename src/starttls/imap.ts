/**
 * IMAP STARTTLS, client side (RFC 9051 6.2.1, RFC 3501 6.2.1): greeting,
 * optionally CAPABILITY, `a001 STARTTLS`, the tagged OK, then TLS.
 *
 * @module
 */

import type { ByteTransport } from "../streams/stream_types.ts";
import { type LineLimits, Prelude } from "./_prelude.ts";
import { startTlsError } from "./errors.ts";

/**
 * Options for {@link imapStartTls}.
 *
 * @example
 * ```ts
 * import type { ImapStartTlsOptions } from "@kerneltls/tls/starttls";
 * const options: ImapStartTlsOptions = { checkCapability: false, maxLineLength: 4096 };
 * console.log(options.checkCapability); // false
 * ```
 */
export interface ImapStartTlsOptions extends LineLimits {
  /**
   * Refuse servers that do not list STARTTLS (from the greeting's
   * `[CAPABILITY ...]`, or a `CAPABILITY` command when it has none).
   * Default true.
   */
  checkCapability?: boolean;
}

const CAPABILITY_TAG = "a000";
const STARTTLS_TAG = "a001";

/** Whether a capability list (atoms separated by spaces) holds STARTTLS. */
function listsStartTls(capabilities: string): boolean {
  return capabilities.toUpperCase().split(" ").includes("STARTTLS");
}

/**
 * Sends `tag command` and reads the untagged lines up to the tagged
 * response; returns that response's status (`OK`, `NO`, `BAD`) and the
 * untagged lines.
 */
async function command(p: Prelude, tag: string, cmd: string) {
  await p.send(`${tag} ${cmd}`);
  const untagged: string[] = [];
  for (;;) {
    const line = await p.readLine(`the answer to ${cmd}`);
    if (line.startsWith("* ")) {
      if (untagged.length === p.maxReplyLines) {
        throw startTlsError(
          "StartTlsTooManyLines",
          `more than ${p.maxReplyLines} lines before the answer to ${cmd}`,
        );
      }
      untagged.push(line.slice(2));
      continue;
    }
    const m = /^(\S+) (OK|NO|BAD)(\s|$)/i.exec(line);
    if (!m || m[1] !== tag) {
      throw startTlsError(
        "StartTlsUnexpectedReply",
        `an unexpected IMAP line in the answer to ${cmd}`,
      );
    }
    return { status: m[2].toUpperCase(), untagged };
  }
}

/**
 * Runs the IMAP STARTTLS prelude on a fresh connection: reads the `* OK`
 * greeting, checks STARTTLS is offered (unless `checkCapability` is false),
 * sends `a001 STARTTLS` and expects `a001 OK`. Resolves to the transport,
 * ready for `connectTls(...)`; after the handshake, ask for CAPABILITY again
 * (RFC 9051 6.2.1: what was learnt before TLS is forgotten).
 *
 * Failures are `TlsError`s with a `StartTlsErrorDetail`. A `PREAUTH` or
 * `BYE` greeting, no STARTTLS capability and a `NO`/`BAD` answer are
 * `StartTlsRefused` (a `PREAUTH` greeting skips the not-authenticated state
 * where STARTTLS is allowed, a known way to strip TLS, so it closes the
 * transport; the others leave it open in plaintext if nothing unread was
 * buffered). Bytes after the tagged OK and before our ClientHello are
 * `StartTlsInjection`, and overlong lines or responses are
 * `StartTlsLineTooLong` / `StartTlsTooManyLines`: those close the transport.
 *
 * @example
 * ```ts
 * import { ClientConfig, RootCertStore } from "@kerneltls/tls";
 * import { imapStartTls } from "@kerneltls/tls/starttls";
 * import { connectTls } from "@kerneltls/tls/streams";
 * import type { ByteTransport } from "@kerneltls/tls/streams";
 * async function open(tcp: ByteTransport, caPem: string) {
 *   const ready = await imapStartTls(tcp);
 *   const config = new ClientConfig({ roots: RootCertStore.fromPem(caPem) });
 *   const tls = await connectTls(ready, config, "imap.example.com");
 *   const writer = tls.writable.getWriter();
 *   await writer.write(new TextEncoder().encode("a002 CAPABILITY\r\n"));
 *   return tls;
 * }
 * void open;
 * ```
 */
export async function imapStartTls(
  transport: ByteTransport,
  options: ImapStartTlsOptions = {},
): Promise<ByteTransport> {
  const p = new Prelude(transport, options);
  return await p.run(async () => {
    const greeting = await p.readLine("the IMAP greeting");
    const m = /^\* (OK|PREAUTH|BYE)(?:\s|$)/i.exec(greeting);
    if (!m) throw startTlsError("StartTlsUnexpectedReply", "the IMAP greeting is not * OK");
    const status = m[1].toUpperCase();
    if (status !== "OK") {
      const error = startTlsError("StartTlsRefused", `the IMAP server greeted with ${status}`);
      return status === "PREAUTH" ? await p.fail(error) : await p.refuse(error);
    }
    if (options.checkCapability ?? true) {
      const code = /^\* OK \[CAPABILITY ([^\]]*)\]/i.exec(greeting);
      let offered = code ? listsStartTls(code[1]) : false;
      if (!code) {
        const answer = await command(p, CAPABILITY_TAG, "CAPABILITY");
        offered = answer.status === "OK" &&
          answer.untagged.some((l) => /^CAPABILITY /i.test(l) && listsStartTls(l.slice(11)));
      }
      if (!offered) {
        return await p.refuse(
          startTlsError("StartTlsRefused", "the IMAP server does not offer STARTTLS"),
        );
      }
    }
    const answer = await command(p, STARTTLS_TAG, "STARTTLS");
    if (answer.status !== "OK") {
      return await p.refuse(
        startTlsError("StartTlsRefused", `the IMAP server answered STARTTLS with ${answer.status}`),
      );
    }
    return await p.clientReady("tagged OK");
  });
}
