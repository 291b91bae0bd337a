// issue 17 item 3: SMTP STARTTLS (RFC 3207) in memory: our client against a
// scripted server and against our server, injection and hostile replies refused.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { smtpServerStartTls, smtpStartTls } from "../src/starttls/mod.ts";
import { transportPair } from "./_transport_pair.ts";
import {
  exchange,
  failedWithAlert,
  flood,
  fulfilled,
  pipelinedStartTls,
  ScriptedPeer,
  scriptedStartTls,
  startTlsFailure,
  startTlsPair,
} from "./_starttls_fake.ts";

const WAIT = { timeout: 10_000 }; // a lost byte shows as a stalled handshake

/** A scripted server up to EHLO: `greeting`, then `ehlo` as the EHLO reply. */
async function serverToEhlo(peer: ScriptedPeer, greeting: string, ehlo: string) {
  peer.say(greeting);
  assert.equal(await peer.line(), "EHLO client.test");
  peer.say(ehlo);
}

describe("issue 17 item 3: smtpStartTls", () => {
  it("multi-line greeting and EHLO reply, STARTTLS, 220, then TLS", WAIT, async () => {
    const { c, s } = await scriptedStartTls(async (peer) => {
      await serverToEhlo(
        peer,
        "220-mail.test ESMTP\r\n220-second line\r\n220 last\r\n",
        "250-mail.test\r\n250-PIPELINING\r\n250-starttls\r\n250 8BITMIME\r\n",
      );
      assert.equal(await peer.line(), "STARTTLS");
      peer.say("220 2.0.0 go ahead\r\n");
    }, (t) => smtpStartTls(t, { clientName: "client.test" }));
    await exchange(c, s, "EHLO client.test\r\n");
    await exchange(s, c, "250 mail.test\r\n");
  });

  it("refuses bytes after the 220 to STARTTLS (CVE-2011-0411) and closes the transport", async () => {
    const [ct, st] = transportPair();
    const peer = new ScriptedPeer(st);
    void (async () => {
      await serverToEhlo(peer, "220 mail.test\r\n", "250-mail.test\r\n250 STARTTLS\r\n");
      await peer.line();
      peer.say("220 go ahead\r\n250 injected\r\n");
    })();
    await assert.rejects(
      smtpStartTls(ct, { clientName: "client.test" }),
      startTlsFailure("StartTlsInjection"),
    );
    await assert.rejects(peer.reader.read(), startTlsFailure("StartTlsInjection"));
  });

  it("no STARTTLS capability, or 454 to STARTTLS: refused, the transport still plaintext", async () => {
    for (
      const [ehlo, answer] of [["250-mail.test\r\n250 AUTH PLAIN\r\n"], [
        "250-mail.test\r\n250 STARTTLS\r\n",
        "454 4.7.0 TLS not available\r\n",
      ]]
    ) {
      const [ct, st] = transportPair();
      const peer = new ScriptedPeer(st);
      void (async () => {
        await serverToEhlo(peer, "220 mail.test\r\n", ehlo);
        if (answer) {
          assert.equal(await peer.line(), "STARTTLS");
          peer.say(answer);
        }
      })();
      await assert.rejects(
        smtpStartTls(ct, { clientName: "client.test" }),
        startTlsFailure("StartTlsRefused"),
      );
      const w = ct.writable.getWriter(); // unlocked: the caller may go on in plaintext
      void w.write(new TextEncoder().encode("QUIT\r\n"));
      assert.equal(await peer.line(), "QUIT");
    }
  });

  it("malformed and mixed-code replies are StartTlsUnexpectedReply", async () => {
    for (const greeting of ["hello\r\n", "220-a\r\n221 b\r\n", "2200 x\r\n", "\r\n"]) {
      const [ct, st] = transportPair();
      new ScriptedPeer(st).say(greeting);
      await assert.rejects(
        smtpStartTls(ct, { clientName: "client.test" }),
        startTlsFailure("StartTlsUnexpectedReply"),
      );
    }
  });

  it("an endless line is refused after maxLineLength, having read a bounded amount", async () => {
    const [ct, st] = transportPair();
    const peer = new ScriptedPeer(st);
    const written = flood(peer, new Uint8Array(1000).fill(0x32));
    await assert.rejects(
      smtpStartTls(ct, { clientName: "client.test", maxLineLength: 512 }),
      startTlsFailure("StartTlsLineTooLong"),
    );
    assert.ok(written.count() <= 2, `${written.count()} chunks were taken`);
    // A complete but overlong line too.
    const [ct2, st2] = transportPair();
    new ScriptedPeer(st2).say(`220 ${"x".repeat(600)}\r\n`);
    await assert.rejects(
      smtpStartTls(ct2, { clientName: "client.test", maxLineLength: 512 }),
      startTlsFailure("StartTlsLineTooLong"),
    );
  });

  it("an endless multi-line reply is refused after maxReplyLines", async () => {
    const [ct, st] = transportPair();
    const peer = new ScriptedPeer(st);
    const lines = flood(peer, new TextEncoder().encode("220-more\r\n"));
    await assert.rejects(
      smtpStartTls(ct, { clientName: "client.test" }),
      startTlsFailure("StartTlsTooManyLines"),
    );
    assert.ok(lines.count() <= 129, `${lines.count()} lines were taken`);
  });

  it("a transport that ends early, and a bad clientName", async () => {
    const [ct, st] = transportPair();
    void st.writable.close();
    await assert.rejects(
      smtpStartTls(ct, { clientName: "client.test" }),
      startTlsFailure("StartTlsClosed"),
    );
    await assert.rejects(
      smtpStartTls(transportPair()[0], { clientName: "a\r\nRCPT TO:<x>" }),
      TypeError,
    );
  });
});

describe("issue 17 item 3: smtpServerStartTls", () => {
  it("our client against our server: TLS after STARTTLS", WAIT, async () => {
    const { c, s } = await startTlsPair(
      (t) => smtpStartTls(t, { clientName: "client.test" }),
      (t) => smtpServerStartTls(t, { serverName: "mail.test" }),
    );
    await exchange(c, s, "EHLO client.test\r\n");
  });

  it("a ClientHello pipelined right after STARTTLS reaches TLS", WAIT, async () => {
    const run = await pipelinedStartTls(
      (t) => smtpServerStartTls(t, { serverName: "mail.test" }),
      "STARTTLS\r\n",
    );
    assert.equal(run.greeting, "220 mail.test ESMTP");
    assert.equal(run.answer, "220 2.0.0 Ready to start TLS");
    await exchange(fulfilled(run.s), fulfilled(run.c), "250 mail.test\r\n");
  });

  it(
    "plaintext pipelined after STARTTLS is read as TLS records and refused, never run",
    WAIT,
    async () => {
      const run = await pipelinedStartTls(
        (t) => smtpServerStartTls(t, { serverName: "mail.test" }),
        "STARTTLS\r\nRCPT TO:<victim@mail.test>\r\n",
      );
      failedWithAlert(run.s); // the injected command is not a TLS record
      assert.equal(run.c.status, "rejected");
    },
  );

  it("answers EHLO, refuses mail before STARTTLS, ends on QUIT, bounds lines", async () => {
    const [ct, st] = transportPair();
    const peer = new ScriptedPeer(ct);
    const accepted = smtpServerStartTls(st, { serverName: "mail.test" });
    await peer.line();
    peer.say("EHLO client.test\r\n");
    assert.deepEqual([await peer.line(), await peer.line()], ["250-mail.test", "250 STARTTLS"]);
    peer.say("MAIL FROM:<a@b.test>\r\n");
    assert.match(await peer.line(), /^530 /);
    peer.say("STARTTLS now\r\n");
    assert.match(await peer.line(), /^501 /);
    peer.say("QUIT\r\n");
    assert.match(await peer.line(), /^221 /);
    await assert.rejects(accepted, startTlsFailure("StartTlsClosed"));

    const [ct2, st2] = transportPair();
    const accepted2 = smtpServerStartTls(st2, { serverName: "mail.test", maxLineLength: 100 });
    const peer2 = new ScriptedPeer(ct2);
    await peer2.line();
    peer2.say(`EHLO ${"x".repeat(200)}\r\n`);
    await assert.rejects(accepted2, startTlsFailure("StartTlsLineTooLong"));
  });
});
