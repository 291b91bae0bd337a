// issue 17 item 3: resumeTransport and PostgreSQL's SSLRequest / direct TLS, in memory.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ClientConfig } from "../src/client/config.ts";
import { ServerConfig } from "../src/server/config.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { acceptTls, type ByteTransport, connectTls } from "../src/streams/tls_stream.ts";
import {
  POSTGRES_ALPN,
  postgresDirectTls,
  postgresSslRequest,
  resumeTransport,
} from "../src/starttls/mod.ts";
import { testPki } from "../examples/_certgen.ts";
import { transportPair } from "./_transport_pair.ts";
import { startTlsFailure } from "./_starttls_fake.ts";

const SSL_REQUEST = [0, 0, 0, 8, 4, 210, 22, 47];

async function configs(alpn?: string[]) {
  const { ca, leaf } = await testPki(["localhost"]);
  return {
    client: (clientAlpn = alpn) =>
      new ClientConfig({ roots: RootCertStore.fromPem(ca.certPem), alpnProtocols: clientAlpn }),
    server: new ServerConfig({
      certificateChain: leaf.certPem,
      privateKey: leaf.keyPem,
      alpnProtocols: alpn,
    }),
  };
}

/** Reads exactly `n` bytes; returns them and what came after in the last chunk. */
async function readExactly(reader: ReadableStreamDefaultReader<Uint8Array>, n: number) {
  const got: number[] = [];
  let rest = new Uint8Array(0);
  while (got.length < n) {
    const { value, done } = await reader.read();
    assert.ok(!done, "closed early");
    const take = Math.min(n - got.length, value.length);
    got.push(...value.subarray(0, take));
    rest = value.slice(take);
  }
  return { got, rest };
}

/** A fake PostgreSQL server's prelude: checks the SSLRequest and answers `answer`. */
async function fakePrelude(t: ByteTransport, answer: Uint8Array) {
  const reader = t.readable.getReader();
  const writer = t.writable.getWriter();
  const { got, rest } = await readExactly(reader, 8);
  assert.deepEqual(got, SSL_REQUEST);
  await writer.write(answer);
  return { reader, writer, rest };
}

/** The fake server after "S": TLS with our acceptTls, on the bytes the prelude read too. */
async function fakeTlsServer(t: ByteTransport, config: ServerConfig) {
  const { reader, writer, rest } = await fakePrelude(t, Uint8Array.of(0x53));
  const tls = await acceptTls(resumeTransport(t, { reader, writer, buffered: rest }), config);
  const w = tls.writable.getWriter();
  await w.write(new TextEncoder().encode("R"));
  await w.close();
  return tls;
}

describe("issue 17 item 3: resumeTransport", () => {
  it("yields the held bytes first, then the rest through the same reader", async () => {
    const [a, b] = transportPair();
    const w = a.writable.getWriter();
    void w.write(new TextEncoder().encode("HELLO\r\nrest1"));
    const reader = b.readable.getReader();
    const { value } = await reader.read();
    const cut = value!.indexOf(0x0a) + 1;
    const resumed = resumeTransport(b, { reader, buffered: value!.subarray(cut) });
    value!.fill(0); // the held bytes were copied
    void w.write(new TextEncoder().encode("rest2")).then(() => w.close());
    assert.equal(await new Response(resumed.readable).text(), "rest1rest2");
  });

  it("propagates cancel to the reader and close/abort to the writer", async () => {
    const cancelled: unknown[] = [];
    const closed: string[] = [];
    const transport: ByteTransport = {
      readable: new ReadableStream({ cancel: (r) => void cancelled.push(r) }),
      writable: new WritableStream({
        write: (c) => void closed.push(`write ${c.length}`),
        close: () => void closed.push("close"),
      }),
    };
    const reader = transport.readable.getReader();
    const writer = transport.writable.getWriter();
    const resumed = resumeTransport(transport, { reader, writer });
    await resumed.readable.cancel("bye");
    assert.deepEqual(cancelled, ["bye"]);
    const rw = resumed.writable.getWriter();
    await rw.write(new Uint8Array(3));
    await rw.close();
    assert.deepEqual(closed, ["write 3", "close"]);

    const aborted: unknown[] = [];
    const t2: ByteTransport = {
      readable: new ReadableStream(),
      writable: new WritableStream({ abort: (r) => void aborted.push(r) }),
    };
    await resumeTransport(t2, { writer: t2.writable.getWriter() }).writable.abort("gone");
    assert.deepEqual(aborted, ["gone"]);
  });

  it("with nothing held, is the transport itself", () => {
    const [a] = transportPair();
    const resumed = resumeTransport(a);
    assert.equal(resumed.readable, a.readable);
    assert.equal(resumed.writable, a.writable);
  });
});

describe("issue 17 item 3: postgresSslRequest", () => {
  it("S: TLS with our acceptTls as the fake server", async () => {
    const { client, server } = await configs();
    const [ct, st] = transportPair();
    const served = fakeTlsServer(st, server);
    const tls = await connectTls(await postgresSslRequest(ct), client(), "localhost");
    assert.equal(tls.info.protocolVersion, "TLSv1_3");
    await tls.writable.close();
    assert.equal(await new Response(tls.readable).text(), "R");
    await served;
  });

  it("N: refused with a typed error, the transport left usable in plaintext", async () => {
    const [ct, st] = transportPair();
    const served = fakePrelude(st, Uint8Array.of(0x4e));
    await assert.rejects(
      postgresSslRequest(ct),
      startTlsFailure("StartTlsRefused", "PeerIncompatible"),
    );
    const { reader } = await served;
    const w = ct.writable.getWriter(); // unlocked again
    const wrote = w.write(Uint8Array.of(1, 2));
    assert.deepEqual([...(await reader.read()).value!], [1, 2]);
    await wrote;
  });

  it("bytes after S before the ClientHello are refused (CVE-2021-23222) and the transport closed", async () => {
    const [ct, st] = transportPair();
    const reader = st.readable.getReader();
    await Promise.all([
      readExactly(reader, 8).then(() =>
        st.writable.getWriter().write(new TextEncoder().encode("SZ\0\0\0\x05I")).catch(() => {})
      ),
      assert.rejects(
        postgresSslRequest(ct),
        startTlsFailure("StartTlsInjection", "PeerMisbehaved"),
      ),
    ]);
    // The client aborted its side with the error: the server sees it, not a StartupMessage.
    await assert.rejects(reader.read(), startTlsFailure("StartTlsInjection"));
  });

  it("anything but S or N, and a transport that ends, are typed errors", async () => {
    for (const answer of ["E", "s", "\0"]) {
      const [ct, st] = transportPair();
      const served = fakePrelude(st, new TextEncoder().encode(answer));
      await assert.rejects(postgresSslRequest(ct), startTlsFailure("StartTlsUnexpectedReply"));
      await assert.rejects((await served).reader.read()); // closed by the client
    }
    {
      // N with bytes behind it: still a refusal, but the transport is closed, not handed back.
      const [ct, st] = transportPair();
      const served = fakePrelude(st, new TextEncoder().encode("NX"));
      await assert.rejects(postgresSslRequest(ct), startTlsFailure("StartTlsRefused"));
      await assert.rejects((await served).reader.read());
      assert.throws(() => ct.writable.getWriter(), TypeError); // still locked: nothing to fall back on
    }
    const [ct, st] = transportPair();
    const served = (async () => {
      const reader = st.readable.getReader();
      await readExactly(reader, 8);
      await st.writable.close();
    })();
    await assert.rejects(postgresSslRequest(ct), startTlsFailure("StartTlsClosed"));
    await served;
  });
});

describe("issue 17 item 3: PostgreSQL 17 direct TLS", () => {
  it("negotiates ALPN postgresql with no SSLRequest", async () => {
    const { client, server } = await configs([POSTGRES_ALPN]);
    const [ct, st] = transportPair();
    const [c, s] = await Promise.all([
      postgresDirectTls(ct, client(), "localhost"),
      acceptTls(st, server),
    ]);
    assert.equal(c.info.alpnProtocol, POSTGRES_ALPN);
    assert.equal(s.info.alpnProtocol, POSTGRES_ALPN);
  });

  it("refuses a server that did not agree on ALPN, and a config that does not offer it", async () => {
    const { client, server } = await configs(); // the server knows no ALPN
    const [ct, st] = transportPair();
    const accepted = acceptTls(st, server);
    await assert.rejects(
      postgresDirectTls(ct, client([POSTGRES_ALPN]), "localhost"),
      startTlsFailure("StartTlsNoAlpn", "NoApplicationProtocol"),
    );
    const s = await accepted;
    await assert.rejects(new Response(s.readable).text()); // closed without close_notify
    await assert.rejects(
      postgresDirectTls(transportPair()[0], client(), "localhost"),
      TypeError,
    );
  });
});
