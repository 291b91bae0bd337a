// TlsStream over an in-memory byte transport: client and server both ours.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ClientConfig, type ClientConfigOptions } from "../src/client/config.ts";
import { ServerConfig } from "../src/server/config.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { acceptTls, type ByteTransport, connectTls } from "../src/streams/tls_stream.ts";
import { testPki } from "../examples/_certgen.ts";
import { joinBytes } from "./_pair.ts";

/** Two transports wired back to back. */
function transportPair(): [ByteTransport, ByteTransport] {
  const a = new TransformStream<Uint8Array, Uint8Array>();
  const b = new TransformStream<Uint8Array, Uint8Array>();
  return [
    { readable: a.readable, writable: b.writable },
    { readable: b.readable, writable: a.writable },
  ];
}

async function readAll(readable: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of readable) text += decoder.decode(chunk, { stream: true });
  return text;
}

async function configs(alpn?: string[], client: Partial<ClientConfigOptions> = {}) {
  const { ca, leaf } = await testPki(["localhost"]);
  return {
    client: new ClientConfig({
      roots: RootCertStore.fromPem(ca.certPem),
      alpnProtocols: alpn,
      enableSecretExtraction: true,
      ...client,
    }),
    server: new ServerConfig({
      certificateChain: leaf.certPem,
      privateKey: leaf.keyPem,
      alpnProtocols: alpn,
      enableSecretExtraction: true,
    }),
  };
}

describe("TlsStream", () => {
  it("moves data both ways and ends at close_notify", async () => {
    const { client, server } = await configs(["echo/1"]);
    const [ct, st] = transportPair();
    const [c, s] = await Promise.all([connectTls(ct, client, "localhost"), acceptTls(st, server)]);
    assert.equal(c.info.protocolVersion, "TLSv1_3");
    assert.equal(c.info.alpnProtocol, "echo/1");
    assert.equal(s.info.alpnProtocol, "echo/1");
    assert.equal(c.info.peerCertificates?.length, 1);

    const big = "x".repeat(50_000);
    const cw = c.writable.getWriter();
    const sw = s.writable.getWriter();
    const serverGot = readAll(s.readable);
    const clientGot = readAll(c.readable);
    await cw.write(new TextEncoder().encode("hello " + big));
    await sw.write(new TextEncoder().encode("world"));
    await cw.close();
    await sw.close();
    assert.equal(await serverGot, "hello " + big);
    assert.equal(await clientGot, "world");
  });

  for (const suite of [0xc02b, 0xc02c, 0xcca9, 0x1301, 0x1303]) {
    it(`issue 13 item 17: a 160 KiB write each way in one chunk (suite 0x${suite.toString(16)})`, async () => {
      const { client, server } = await configs(undefined, {
        versions: suite < 0x1400 ? ["TLSv1_3"] : ["TLSv1_2"],
        cipherSuites: [suite],
      });
      const [ct, st] = transportPair();
      const [c, s] = await Promise.all([
        connectTls(ct, client, "localhost"),
        acceptTls(st, server),
      ]);
      assert.equal(c.info.cipherSuite?.id, suite);
      const big = new Uint8Array(160 * 1024).map((_, i) => i * 7);
      const serverGot = new Response(s.readable).arrayBuffer();
      const clientGot = new Response(c.readable).arrayBuffer();
      const cw = c.writable.getWriter();
      const sw = s.writable.getWriter();
      await Promise.all([cw.write(big), sw.write(big.subarray(1))]);
      await Promise.all([cw.close(), sw.close()]);
      assert.deepEqual(new Uint8Array(await serverGot), big);
      assert.deepEqual(new Uint8Array(await clientGot), big.subarray(1));
    });
  }

  it("fails both sides with a TlsError on a bad certificate name", async () => {
    const { client, server } = await configs();
    const [ct, st] = transportPair();
    const results = await Promise.allSettled([
      connectTls(ct, client, "not-localhost.example"),
      acceptTls(st, server),
    ]);
    assert.equal(results[0].status, "rejected");
    const err = (results[0] as PromiseRejectedResult).reason;
    assert.equal(err.name, "TlsError");
    assert.equal(err.alert, 42);
    assert.equal(results[1].status, "rejected");
  });

  it("hands off to the kernel with matching secrets", async () => {
    const { client, server } = await configs();
    const [ct, st] = transportPair();
    const [c, s] = await Promise.all([connectTls(ct, client, "localhost"), acceptTls(st, server)]);
    const [ch, sh] = await Promise.all([c.handOff(), s.handOff()]);
    assert.deepEqual(ch.secrets.tx.secrets, sh.secrets.rx.secrets);
    assert.deepEqual(ch.secrets.rx.secrets.key, sh.secrets.tx.secrets.key);
    assert.equal(ch.connection.protocolVersion, "TLSv1_3");
    assert.equal(typeof ch.connection.handleNewSessionTicket, "function");
  });

  it("hand-off keeps the plaintext decrypted before it readable", async () => {
    const { client, server } = await configs();
    // Client to server through a pipe that can hold bytes back and release
    // them as one chunk, so the server decrypts several records in one go.
    let toServer!: ReadableStreamDefaultController<Uint8Array>;
    let held: Uint8Array[] | undefined;
    const c2sReadable = new ReadableStream<Uint8Array>({ start: (c) => void (toServer = c) });
    const c2sWritable = new WritableStream<Uint8Array>({
      write: (chunk) => void (held ? held.push(chunk.slice()) : toServer.enqueue(chunk.slice())),
    });
    const s2c = new TransformStream<Uint8Array, Uint8Array>();
    const [c, s] = await Promise.all([
      connectTls({ readable: s2c.readable, writable: c2sWritable }, client, "localhost"),
      acceptTls({ readable: c2sReadable, writable: s2c.writable }, server),
    ]);
    held = [];
    const cw = c.writable.getWriter();
    for (const word of ["one", "two", "three"]) await cw.write(new TextEncoder().encode(word));
    toServer.enqueue(joinBytes(held));
    held = undefined;
    const reader = s.readable.getReader();
    const first = await reader.read();
    assert.equal(new TextDecoder().decode(first.value), "one");
    const handOff = await s.handOff();
    const rest: string[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      rest.push(new TextDecoder().decode(r.value));
    }
    assert.deepEqual(rest, ["two", "three"]);
    assert.equal(handOff.buffered.length, 0);
  });

  it("keeps a Deno TCP connection readable after our close_notify", {
    skip: typeof Deno === "undefined" ? "needs Deno.listen (skipped outside Deno)" : false,
  }, async () => {
    const { client, server } = await configs();
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    try {
      const accepted = listener.accept();
      const tcp = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
      const [c, s] = await Promise.all([
        connectTls(tcp, client, "localhost"),
        accepted.then((conn) => acceptTls(conn, server)),
      ]);
      const clientGot = readAll(c.readable);
      await c.writable.close(); // client closes first, then the server answers
      assert.equal(await readAll(s.readable), "");
      const sw = s.writable.getWriter();
      await sw.write(new TextEncoder().encode("late reply"));
      await sw.close();
      assert.equal(await clientGot, "late reply");
    } finally {
      listener.close();
    }
  });
});
