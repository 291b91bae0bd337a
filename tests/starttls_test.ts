// issue 17 item 3: STARTTLS against real peers on 127.0.0.1, started by the test.
// Our clients (smtpStartTls, imapStartTls) against Dovecot (Debian dovecot-imapd
// and dovecot-submissiond, configured in a temp dir: IMAP and SMTP submission
// with STARTTLS); our servers (smtpServerStartTls, imapServerStartTls) against
// `openssl s_client -starttls smtp|imap`. TLS 1.3 and 1.2 each way.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect, createServer, type Server, type Socket } from "node:net";
import { Duplex } from "node:stream";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClientConfig } from "../src/client/config.ts";
import { ServerConfig } from "../src/server/config.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import {
  acceptTls,
  type ByteTransport,
  connectTls,
  type TlsStream,
} from "../src/streams/tls_stream.ts";
import {
  imapServerStartTls,
  imapStartTls,
  smtpServerStartTls,
  smtpStartTls,
} from "../src/starttls/mod.ts";
import { testPki } from "../examples/_certgen.ts";
import { smtpEhloOverTls } from "../examples/smtp_starttls.ts";
import { type Dovecot, startDovecot } from "./peers/_dovecot.ts";
import { peerMissing, PeerProcess } from "./peers/_spawn.ts";

const VERSIONS = ["TLSv1_3", "TLSv1_2"] as const;
const WAIT = { timeout: 20_000 };

/** A TCP connection to 127.0.0.1:`port` as a byte transport. */
async function tcp(port: number): Promise<{ transport: ByteTransport; socket: Socket }> {
  const socket = connect(port, "127.0.0.1");
  await new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  return { transport: Duplex.toWeb(socket) as ByteTransport, socket };
}

/** Reads `tls` until the text so far matches `re`; returns the text. */
async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  re: RegExp,
): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  while (!re.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`closed before ${re}; got ${JSON.stringify(text)}`);
    text += decoder.decode(value, { stream: true });
  }
  return text;
}

async function say(tls: TlsStream, text: string): Promise<void> {
  const w = tls.writable.getWriter();
  await w.write(new TextEncoder().encode(text));
  w.releaseLock();
}

const pki = await testPki(["localhost"]);

describe("issue 17 item 3: our STARTTLS clients against Dovecot", {
  skip: peerMissing("dovecot", ["--version"]),
}, () => {
  let dovecot: Dovecot;
  before(async () => {
    dovecot = await startDovecot(pki.leaf.certPem, pki.leaf.keyPem);
  });
  after(async () => {
    await dovecot?.stop();
  });

  const client = (version: (typeof VERSIONS)[number]) =>
    new ClientConfig({ roots: RootCertStore.fromPem(pki.ca.certPem), versions: [version] });

  it("the README's STARTTLS snippet is examples/smtp_starttls.ts, and it works", WAIT, async () => {
    const example = readFileSync(new URL("../examples/smtp_starttls.ts", import.meta.url), "utf8");
    const snippet = example.split("// README:begin\n")[1].split("// README:end")[0]
      .replace('"../mod.ts"', '"@kerneltls/tls"')
      .replace('"../src/starttls/mod.ts"', '"@kerneltls/tls/starttls"')
      .replace('"../src/streams/tls_stream.ts"', '"@kerneltls/tls/streams"');
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    assert.ok(readme.includes("```ts\n" + snippet + "```"), "README's snippet differs");
    const { transport, socket } = await tcp(dovecot.smtpPort);
    try {
      const reply = await smtpEhloOverTls(transport, pki.ca.certPem, "localhost");
      assert.match(reply, /^250-localhost\r\n(250-.*\r\n)*250 .*\r\n$/);
    } finally {
      socket.destroy();
    }
  });

  for (const version of VERSIONS) {
    it(`IMAP: imapStartTls, then ${version}, CAPABILITY and LOGOUT over TLS`, WAIT, async () => {
      const { transport, socket } = await tcp(dovecot.imapPort);
      try {
        const tls = await connectTls(await imapStartTls(transport), client(version), "localhost");
        assert.equal(tls.info.protocolVersion, version);
        const reader = tls.readable.getReader();
        await say(tls, "a002 CAPABILITY\r\n");
        const caps = await readUntil(reader, /^a002 OK.*\r\n/m);
        assert.match(caps, /^\* CAPABILITY .*AUTH=PLAIN/m);
        assert.doesNotMatch(caps, /STARTTLS|LOGINDISABLED/); // RFC 9051 6.2.1: not after TLS
        await say(tls, "a003 LOGOUT\r\n");
        assert.match(await readUntil(reader, /^a003 OK.*\r\n/m), /^\* BYE/m);
      } finally {
        socket.destroy();
      }
    });

    it(`SMTP submission: smtpStartTls, then ${version}, EHLO and QUIT over TLS`, WAIT, async () => {
      const { transport, socket } = await tcp(dovecot.smtpPort);
      try {
        const ready = await smtpStartTls(transport, { clientName: "client.test" });
        const tls = await connectTls(ready, client(version), "localhost");
        assert.equal(tls.info.protocolVersion, version);
        const reader = tls.readable.getReader();
        await say(tls, "EHLO client.test\r\n");
        const ehlo = await readUntil(reader, /^250 .*\r\n/m);
        assert.match(ehlo, /^250-localhost/m);
        assert.match(ehlo, /^250[- ]AUTH PLAIN/m);
        assert.doesNotMatch(ehlo, /STARTTLS/); // RFC 3207 4.2: not offered again
        await say(tls, "QUIT\r\n");
        assert.match(await readUntil(reader, /^221 .*\r\n/m), /^221 /m);
      } finally {
        socket.destroy();
      }
    });
  }
});

describe("issue 17 item 3: our STARTTLS servers against openssl s_client -starttls", {
  skip: peerMissing("openssl", ["version"]),
}, () => {
  let dir: string;
  let caFile: string;
  let server: Server;
  let port: number;
  /** What each accepted connection does: run the prelude, accept TLS. */
  let onConnection: (t: ByteTransport) => Promise<void>;
  const failures: unknown[] = [];
  const peers: PeerProcess[] = [];
  const sockets: Socket[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "kerneltls-starttls-"));
    caFile = join(dir, "ca.pem");
    writeFileSync(caFile, pki.ca.certPem);
    // allowHalfOpen, as ByteTransport asks of servers: without it node:net ends
    // our side at the client's FIN and Deno's toWeb adapter throws on close.
    server = createServer({ allowHalfOpen: true }, (socket) => {
      sockets.push(socket);
      socket.setNoDelay(true);
      onConnection(Duplex.toWeb(socket) as ByteTransport).catch((e) => {
        failures.push(e);
        socket.destroy();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
  });
  after(async () => {
    await Promise.all(peers.map((p) => p.stop()));
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const config = (version: (typeof VERSIONS)[number]) =>
    new ServerConfig({
      certificateChain: pki.leaf.certPem,
      privateKey: pki.leaf.keyPem,
      versions: [version],
    });
  const preludes = {
    smtp: (t: ByteTransport) => smtpServerStartTls(t, { serverName: "localhost" }),
    imap: (t: ByteTransport) => imapServerStartTls(t),
  };

  for (const proto of ["smtp", "imap"] as const) {
    for (const version of VERSIONS) {
      it(`-starttls ${proto}, ${version}: a line each way over TLS`, WAIT, async () => {
        const got = Promise.withResolvers<string>();
        onConnection = async (t) => {
          const tls = await acceptTls(await preludes[proto](t), config(version));
          assert.equal(tls.info.protocolVersion, version);
          got.resolve(await readUntil(tls.readable.getReader(), /\n/));
          await say(tls, `reply over ${proto} ${version}\n`);
        };
        const peer = new PeerProcess("stdbuf", [
          "-o0",
          "openssl",
          "s_client",
          "-connect",
          `127.0.0.1:${port}`,
          "-starttls",
          proto,
          "-servername",
          "localhost",
          "-CAfile",
          caFile,
          "-verify_return_error",
          "-ign_eof",
          version === "TLSv1_3" ? "-tls1_3" : "-tls1_2",
        ]);
        peers.push(peer);
        await peer.waitFor("Verify return code: 0 (ok)");
        peer.send(`hello over ${proto}\n`);
        assert.equal(await got.promise, `hello over ${proto}\n`);
        await peer.waitFor(`reply over ${proto} ${version}`);
        assert.deepEqual(failures, []);
        await peer.stop();
      });
    }
  }
});
