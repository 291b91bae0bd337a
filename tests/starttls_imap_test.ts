// issue 17 item 3: IMAP STARTTLS (RFC 9051 6.2.1) in memory: our client against a
// scripted server and against our server, injection and hostile responses refused.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { imapServerStartTls, imapStartTls } from "../src/starttls/mod.ts";
import { transportPair } from "./_transport_pair.ts";
import {
  exchange,
  failedWithAlert,
  fulfilled,
  pipelinedStartTls,
  ScriptedPeer,
  scriptedStartTls,
  startTlsFailure,
  startTlsPair,
} from "./_starttls_fake.ts";

const WAIT = { timeout: 10_000 }; // a lost byte shows as a stalled handshake

describe("issue 17 item 3: imapStartTls", () => {
  it(
    "greeting without capabilities: CAPABILITY, a001 STARTTLS, tagged OK, then TLS",
    WAIT,
    async () => {
      const { c, s } = await scriptedStartTls(async (peer) => {
        peer.say("* OK imap.test ready\r\n");
        assert.equal(await peer.line(), "a000 CAPABILITY");
        peer.say("* CAPABILITY IMAP4rev2 STARTTLS LOGINDISABLED\r\na000 OK done\r\n");
        assert.equal(await peer.line(), "a001 STARTTLS");
        peer.say("* OK an untagged line first\r\na001 OK Begin TLS negotiation now\r\n");
      }, (t) => imapStartTls(t));
      await exchange(c, s, "a002 CAPABILITY\r\n");
    },
  );

  it("refuses bytes after the tagged OK before the ClientHello, and closes the transport", async () => {
    const [ct, st] = transportPair();
    const peer = new ScriptedPeer(st);
    void (async () => {
      peer.say("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n");
      assert.equal(await peer.line(), "a001 STARTTLS");
      peer.say("a001 OK go\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n");
    })();
    await assert.rejects(imapStartTls(ct), startTlsFailure("StartTlsInjection"));
    await assert.rejects(peer.reader.read(), startTlsFailure("StartTlsInjection"));
  });

  it("PREAUTH and BYE greetings, NO to STARTTLS, no STARTTLS capability are refused", async () => {
    const cases: [string, string | undefined, boolean][] = [
      ["* PREAUTH [CAPABILITY IMAP4rev1] logged in\r\n", undefined, false],
      ["* BYE go away\r\n", undefined, true],
      ["* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n", "a001 NO not now\r\n", true],
      ["* OK [CAPABILITY IMAP4rev1 XSTARTTLS] ready\r\n", undefined, true],
    ];
    for (const [greeting, answer, leftOpen] of cases) {
      const [ct, st] = transportPair();
      const peer = new ScriptedPeer(st);
      peer.say(greeting);
      if (answer) void peer.line().then(() => peer.say(answer));
      await assert.rejects(imapStartTls(ct), startTlsFailure("StartTlsRefused"));
      if (leftOpen) {
        void ct.writable.getWriter().write(new TextEncoder().encode("a9 LOGOUT\r\n"));
        assert.equal(await peer.line(), "a9 LOGOUT");
      } else {
        // PREAUTH skips the state where STARTTLS is allowed: the connection is dropped.
        await assert.rejects(peer.reader.read(), startTlsFailure("StartTlsRefused"));
      }
    }
  });

  it("checkCapability: false sends STARTTLS without looking", async () => {
    const [ct, st] = transportPair();
    const peer = new ScriptedPeer(st);
    peer.say("* OK ready\r\n");
    const ready = imapStartTls(ct, { checkCapability: false });
    assert.equal(await peer.line(), "a001 STARTTLS");
    peer.say("a001 OK go\r\n");
    await ready;
  });

  it("malformed, wrongly tagged, overlong and endless responses are typed errors", async () => {
    const hi = "* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n";
    // [greeting, answer to a001 STARTTLS, detail, limits]
    const cases: [string, string | undefined, string, object?][] = [
      ["hello\r\n", undefined, "StartTlsUnexpectedReply"],
      [hi, "a002 OK wrong tag\r\n", "StartTlsUnexpectedReply"],
      [hi, "+ go on\r\n", "StartTlsUnexpectedReply"],
      [`* OK ${"x".repeat(300)}\r\n`, undefined, "StartTlsLineTooLong", { maxLineLength: 256 }],
      [hi, "* x\r\n".repeat(20), "StartTlsTooManyLines", { maxReplyLines: 10 }],
    ];
    for (const [greeting, answer, detail, limits] of cases) {
      const [ct, st] = transportPair();
      const peer = new ScriptedPeer(st);
      peer.say(greeting);
      if (answer) void peer.line().then(() => peer.say(answer));
      await assert.rejects(imapStartTls(ct, limits), startTlsFailure(detail));
    }
  });
});

describe("issue 17 item 3: imapServerStartTls", () => {
  it("our client against our server: TLS after STARTTLS", WAIT, async () => {
    const { c, s } = await startTlsPair((t) => imapStartTls(t), (t) => imapServerStartTls(t));
    await exchange(s, c, "* OK [CAPABILITY IMAP4rev2 AUTH=PLAIN] over TLS\r\n");
  });

  it("a ClientHello pipelined right after a001 STARTTLS reaches TLS", WAIT, async () => {
    const run = await pipelinedStartTls((t) => imapServerStartTls(t), "a001 STARTTLS\r\n");
    assert.match(run.greeting, /^\* OK \[CAPABILITY [^\]]*STARTTLS/);
    assert.equal(run.answer, "a001 OK Begin TLS negotiation now");
    await exchange(fulfilled(run.c), fulfilled(run.s), "a002 LOGIN user pass\r\n");
  });

  it(
    "plaintext pipelined after STARTTLS is read as TLS records and refused, never run",
    WAIT,
    async () => {
      const run = await pipelinedStartTls(
        (t) => imapServerStartTls(t),
        "a001 STARTTLS\r\na002 DELETE INBOX\r\n",
      );
      failedWithAlert(run.s); // the injected command is not a TLS record
      assert.equal(run.c.status, "rejected");
    },
  );

  it("answers CAPABILITY, refuses LOGIN before TLS, ends on LOGOUT", async () => {
    const [ct, st] = transportPair();
    const peer = new ScriptedPeer(ct);
    const accepted = imapServerStartTls(st);
    await peer.line();
    peer.say("t1 CAPABILITY\r\n");
    assert.match(await peer.line(), /^\* CAPABILITY .*STARTTLS/);
    assert.equal(await peer.line(), "t1 OK CAPABILITY completed");
    peer.say("t2 LOGIN user pass\r\n");
    assert.match(await peer.line(), /^t2 NO \[PRIVACYREQUIRED\]/);
    peer.say("t3 SELECT INBOX\r\n");
    assert.match(await peer.line(), /^t3 BAD /);
    peer.say("no-command\r\n");
    assert.match(await peer.line(), /^\* BAD /);
    peer.say("t4 LOGOUT\r\n");
    assert.match(await peer.line(), /^\* BYE/);
    assert.equal(await peer.line(), "t4 OK LOGOUT completed");
    await assert.rejects(accepted, startTlsFailure("StartTlsClosed"));
  });
});
