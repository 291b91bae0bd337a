// TlsStream over an in-memory byte transport: client and server both ours.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ClientConfig } from "../src/client/config.ts";
import { ServerConfig } from "../src/server/config.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { acceptTls, type ByteTransport, connectTls } from "../src/streams/tls_stream.ts";
import { testPki } from "../examples/_certgen.ts";

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

async function configs(alpn?: string[]) {
  const { ca, leaf } = await testPki(["localhost"]);
  return {
    client: new ClientConfig({
      roots: RootCertStore.fromPem(ca.certPem),
      alpnProtocols: alpn,
      enableSecretExtraction: true,
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
