// issue 17 item 3: hostile plaintext before TLS, from a fixed seed. Valid
// STARTTLS transcripts, cut into random chunks and mutated (bytes flipped,
// inserted, deleted, truncated, overlong lines, garbage), against every
// STARTTLS helper, client and server side. Every outcome is success or a
// TlsError with a STARTTLS detail: never another error, a hang or a crash.
// Unmutated, every chunking must succeed and the server side must hand on
// exactly the bytes that followed the STARTTLS line.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TlsError } from "../src/error.ts";
import type { ByteTransport } from "../src/streams/stream_types.ts";
import {
  imapServerStartTls,
  imapStartTls,
  postgresSslRequest,
  smtpServerStartTls,
  smtpStartTls,
} from "../src/starttls/mod.ts";
import { transportPair } from "./_transport_pair.ts";
import { prng } from "./_prng.ts";

type Rng = ReturnType<typeof prng>;
type Prelude = (t: ByteTransport) => Promise<ByteTransport>;

const CASES = 150;
const DETAILS = new Set([
  "StartTlsRefused",
  "StartTlsInjection",
  "StartTlsUnexpectedReply",
  "StartTlsLineTooLong",
  "StartTlsTooManyLines",
  "StartTlsClosed",
]);
const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

function splice(b: Uint8Array, at: number, drop: number, insert: Uint8Array): Uint8Array {
  return new Uint8Array([...b.subarray(0, at), ...insert, ...b.subarray(at + drop)]);
}

/** One to three edits of `b`. */
function mutate(rng: Rng, b: Uint8Array): Uint8Array {
  for (let n = 1 + rng.int(3); n > 0; n--) {
    const at = rng.int(b.length + 1);
    switch (rng.int(8)) {
      case 0:
        if (at < b.length) b = splice(b, at, 1, Uint8Array.of(b[at] ^ (1 + rng.int(255))));
        break;
      case 1:
        b = splice(b, at, 0, rng.bytes(1 + rng.int(20)));
        break;
      case 2:
        b = splice(b, at, 1 + rng.int(10), new Uint8Array(0));
        break;
      case 3:
        b = b.slice(0, at);
        break;
      case 4:
        b = splice(b, at, 0, latin1(rng.pick(["\r\n", "\n", "\r", " ", "-"])));
        break;
      case 5:
        b = splice(b, at, 0, new Uint8Array(9000).fill(0x78)); // an overlong line
        break;
      case 6:
        b = splice(b, at, 0, b.slice(rng.int(b.length + 1)));
        break;
      default:
        b = rng.bytes(rng.int(64));
    }
  }
  return b;
}

/** `b` in random pieces. */
function chunks(rng: Rng, b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < b.length;) {
    const n = 1 + rng.int(Math.min(b.length - i, rng.pick([1, 3, 16, 4096])));
    out.push(b.slice(i, i + n));
    i += n;
  }
  return out;
}

/** The peer: sends `pieces` then closes, and reads whatever comes back. */
function peer(t: ByteTransport, pieces: Uint8Array[]): void {
  const reader = t.readable.getReader();
  void (async () => {
    try {
      while (!(await reader.read()).done);
    } catch { /* cancelled */ }
  })();
  const writer = t.writable.getWriter();
  void (async () => {
    for (const p of pieces) await writer.write(p);
    await writer.close();
  })().catch(() => {});
}

/** Runs `prelude` on one end against `input` from the other; returns the resumed transport. */
async function outcome(prelude: Prelude, input: Uint8Array[]): Promise<ByteTransport | undefined> {
  const [ours, theirs] = transportPair();
  peer(theirs, input);
  try {
    return await prelude(ours);
  } catch (e) {
    assert.ok(e instanceof TlsError, `not a TlsError: ${e}`);
    assert.ok(DETAILS.has(e.detail!), `detail ${e.detail}: ${e.message}`);
    assert.equal(e.alert, undefined);
    await ours.readable.cancel().catch(() => {}); // left unlocked by a refusal
    return undefined;
  }
}

async function readAll(readable: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: number[] = [];
  for await (const c of readable) parts.push(...c);
  return Uint8Array.from(parts);
}

const clients: [string, Prelude, string][] = [
  ["postgresSslRequest", postgresSslRequest, "S"],
  [
    "smtpStartTls",
    (t) => smtpStartTls(t, { clientName: "client.test" }),
    "220-mail.test ESMTP\r\n220 hi\r\n250-mail.test\r\n250-SIZE 100\r\n250 STARTTLS\r\n220 go\r\n",
  ],
  [
    "imapStartTls",
    (t) => imapStartTls(t),
    "* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n* OK more\r\na001 OK go\r\n",
  ],
  [
    "imapStartTls (CAPABILITY command)",
    (t) => imapStartTls(t),
    "* OK hi\r\n* CAPABILITY IMAP4rev1 STARTTLS\r\na000 OK\r\na001 OK go\r\n",
  ],
];

const servers: [string, Prelude, string][] = [
  [
    "smtpServerStartTls",
    (t) => smtpServerStartTls(t, { serverName: "mail.test" }),
    "EHLO client.test\r\nMAIL FROM:<a@b.test>\r\nNOOP\r\nSTARTTLS\r\n",
  ],
  [
    "imapServerStartTls",
    (t) => imapServerStartTls(t),
    "a1 CAPABILITY\r\na2 LOGIN u p\r\nbad\r\na3 STARTTLS\r\n",
  ],
];

describe("issue 17 item 3: hostile plaintext before TLS, from a fixed seed", () => {
  for (const [name, prelude, transcript] of clients) {
    it(`${name}: every chunking of the valid transcript succeeds; mutations fail typed`, async () => {
      const rng = prng(0x57a7 + name.length);
      for (let i = 0; i < CASES; i++) {
        const valid = await outcome(prelude, chunks(rng, latin1(transcript)));
        assert.ok(valid, `case ${i}: the valid transcript failed`);
        await valid.readable.cancel();
        const resumed = await outcome(prelude, chunks(rng, mutate(rng, latin1(transcript))));
        await resumed?.readable.cancel();
      }
    });
  }

  for (const [name, prelude, transcript] of servers) {
    it(`${name}: bytes after STARTTLS come out exactly; mutations fail typed`, async () => {
      const rng = prng(0x5e7e + name.length);
      for (let i = 0; i < CASES; i++) {
        const tail = rng.bytes(rng.int(300));
        const input = new Uint8Array([...latin1(transcript), ...tail]);
        const valid = await outcome(prelude, chunks(rng, input));
        assert.ok(valid, `case ${i}: the valid transcript failed`);
        assert.deepEqual(await readAll(valid.readable), tail, `case ${i}`);
        const resumed = await outcome(prelude, chunks(rng, mutate(rng, input)));
        if (resumed) await readAll(resumed.readable); // ends: the peer closed
      }
    });
  }
});
