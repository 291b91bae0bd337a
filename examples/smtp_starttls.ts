/**
 * SMTP STARTTLS with our client: the README's STARTTLS snippet, verbatim
 * between the README markers (tests/starttls_test.ts checks that and runs it
 * against Dovecot).
 *
 * @module
 */

// README:begin
import { ClientConfig, RootCertStore } from "../mod.ts";
import { smtpStartTls } from "../src/starttls/mod.ts";
import { type ByteTransport, connectTls } from "../src/streams/tls_stream.ts";

/** Upgrades a fresh SMTP connection to TLS and says EHLO again over it; returns the reply. */
export async function smtpEhloOverTls(tcp: ByteTransport, caPem: string, host: string) {
  // 220 greeting, EHLO, STARTTLS offered?, STARTTLS, 220; nothing may follow the 220.
  const ready = await smtpStartTls(tcp, { clientName: "client.example" });
  const config = new ClientConfig({ roots: RootCertStore.fromPem(caPem) });
  const tls = await connectTls(ready, config, host);
  const writer = tls.writable.getWriter();
  await writer.write(new TextEncoder().encode("EHLO client.example\r\n")); // RFC 3207 4.2
  let reply = "";
  for await (const text of tls.readable.pipeThrough(new TextDecoderStream())) {
    reply += text;
    if (/^250 /m.test(reply)) break; // the last line of the reply
  }
  return reply;
}
// README:end
