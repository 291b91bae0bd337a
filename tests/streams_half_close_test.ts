// Issue 17 item 4: half-close on Deno TCP through halfCloseTransport. Our
// client against a Node TLS server that answers only after the TCP FIN
// (tests/peers/node_fin_server.mjs); our server answering a Deno.connectTls
// (rustls) client that half-closed first (Deno's own `readable` would have
// closed the socket at that EOF); and the adapter's calls on a structural
// fake.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ClientConfig } from "../src/client/config.ts";
import { ServerConfig } from "../src/server/config.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import {
  acceptTls,
  type ByteTransport,
  connectTls,
  type HalfClosable,
  halfCloseTransport,
} from "../src/streams/tls_stream.ts";
import { slabReads } from "../src/streams/half_close.ts";
import { testPki } from "../examples/_certgen.ts";
import { peerMissing, PeerProcess } from "./peers/_spawn.ts";

const FIN_SERVER = fileURLToPath(new URL("./peers/node_fin_server.mjs", import.meta.url));
const needsDeno = typeof Deno === "undefined"
  ? "needs Deno.listen / Deno.connect (skipped outside Deno)"
  : false;
const needsNode = needsDeno || (peerMissing("node") ?? false);
const pki = testPki(["localhost", "127.0.0.1"]);

async function clientConfig(): Promise<ClientConfig> {
  return new ClientConfig({ roots: RootCertStore.fromPem((await pki).ca.certPem) });
}

/** Runs `test` against node_fin_server.mjs, stopped by PID afterwards. */
async function withFinServer(test: (port: number, peer: PeerProcess) => Promise<void>) {
  const dir = mkdtempSync(join(tmpdir(), "kerneltls-fin-"));
  const { leaf } = await pki;
  writeFileSync(join(dir, "cert.pem"), leaf.certPem);
  writeFileSync(join(dir, "key.pem"), leaf.keyPem);
  const peer = new PeerProcess("node", [FIN_SERVER, join(dir, "cert.pem"), join(dir, "key.pem")]);
  try {
    const m = await peer.waitFor(/PORT (\d+)/) as RegExpMatchArray;
    await test(Number(m[1]), peer);
  } finally {
    await peer.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("issue 17 item 4: halfCloseTransport over Deno TCP", () => {
  it("our client: FIN right after close_notify, so a server that reads to EOF still answers", {
    skip: needsNode,
  }, async () => {
    await withFinServer(async (port, peer) => {
      const tcp = await Deno.connect({ hostname: "127.0.0.1", port });
      const tls = await connectTls(halfCloseTransport(tcp), await clientConfig(), "localhost");
      const answer = new Response(tls.readable).text();
      const writer = tls.writable.getWriter();
      await writer.write(new TextEncoder().encode("question"));
      await writer.close();
      assert.equal(await answer, "answer after FIN: question");
      await tls.closed;
      await peer.waitFor("ANSWERED");
      assert.match(peer.output, /FIN\nANSWERED/);
    });
  });

  it(
    "without the adapter the same server sees no FIN (the stream keeps a plain Deno socket open)",
    {
      skip: needsNode,
    },
    async () => {
      await withFinServer(async (port, peer) => {
        const tcp = await Deno.connect({ hostname: "127.0.0.1", port });
        const tls = await connectTls(tcp, await clientConfig(), "localhost");
        const writer = tls.writable.getWriter();
        await writer.write(new TextEncoder().encode("question"));
        await writer.close();
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.doesNotMatch(peer.output, /FIN/);
        await tls[Symbol.asyncDispose]();
        await peer.waitFor("FIN");
      });
    },
  );

  it("our server answers a Deno.connectTls client that half-closed first", {
    skip: needsDeno,
  }, async () => {
    const { ca, leaf } = await pki;
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    try {
      const served = (async () => {
        const tcp = await listener.accept();
        const config = new ServerConfig({
          certificateChain: leaf.certPem,
          privateKey: leaf.keyPem,
        });
        const tls = await acceptTls(halfCloseTransport(tcp), config);
        const question = await new Response(tls.readable).text(); // to the client's close_notify
        const writer = tls.writable.getWriter();
        await writer.write(new TextEncoder().encode(`answer to ${question}`));
        await writer.close();
        await tls.closed;
      })();
      const client = await Deno.connectTls({
        hostname: "127.0.0.1",
        port: listener.addr.port,
        caCerts: [ca.certPem],
      });
      await client.write(new TextEncoder().encode("question"));
      await client.closeWrite(); // close_notify and FIN
      assert.equal(await new Response(client.readable).text(), "answer to question");
      await served;
    } finally {
      listener.close();
    }
  });
});

/** A structural stand-in for a Deno.TcpConn that logs what the adapter calls. */
function fakeConn(withRead: boolean) {
  const calls: string[] = [];
  const incoming = new TransformStream<Uint8Array, Uint8Array>();
  const sent: Uint8Array[] = [];
  const feed = incoming.writable.getWriter();
  const conn: HalfClosable = {
    readable: withRead
      ? new ReadableStream({ pull: () => void calls.push("readable used") }, { highWaterMark: 0 })
      : incoming.readable,
    writable: new WritableStream<Uint8Array>({ write: (chunk) => void sent.push(chunk) }),
    closeWrite: () => {
      calls.push("closeWrite");
      return Promise.resolve();
    },
    close: () => void calls.push("close"),
  };
  if (withRead) {
    const reader = incoming.readable.getReader();
    conn.read = async (p: Uint8Array) => {
      const { value, done } = await reader.read();
      if (done) return null;
      p.set(value);
      return value.length;
    };
  }
  return { conn, calls, sent, feed };
}

describe("issue 17 item 4: halfCloseTransport calls", () => {
  for (const withRead of [true, false]) {
    it(`closeWrite on close, close once both directions are done (${withRead ? "read()" : "readable"})`, async () => {
      const { conn, calls, sent, feed } = fakeConn(withRead);
      const transport: ByteTransport = halfCloseTransport(conn);
      assert.equal(transport.halfClose, true);
      const writer = transport.writable.getWriter();
      await writer.write(Uint8Array.of(1, 2));
      await writer.close();
      assert.deepEqual(calls, ["closeWrite"]);
      assert.deepEqual(sent, [Uint8Array.of(1, 2)]);
      const reader = transport.readable.getReader();
      void feed.write(Uint8Array.of(3)); // settles once read
      assert.deepEqual((await reader.read()).value, Uint8Array.of(3));
      assert.deepEqual(calls, ["closeWrite"], "still open for reading");
      void feed.close();
      assert.equal((await reader.read()).done, true);
      assert.deepEqual(calls, ["closeWrite", "close"]);
    });
  }

  it("an aborted writable closes the connection at once", async () => {
    const { conn, calls } = fakeConn(true);
    const transport = halfCloseTransport(conn);
    await transport.writable.abort(new Error("gone"));
    assert.deepEqual(calls, ["close"]);
    await transport.readable.cancel();
    assert.deepEqual(calls, ["close"], "closed once");
  });
});

describe("issue 16 item 2: slab reads", () => {
  it("hands out chunks that are never overwritten, adjacent, growing to 256 KiB", async () => {
    const source = new Uint8Array(3_000_000).map((_, i) => (i * 7) & 0xff);
    let at = 0;
    const asked: number[] = [];
    const next = slabReads((p) => {
      asked.push(p.length);
      if (at === source.length) return Promise.resolve(null);
      const n = Math.min(p.length, source.length - at);
      p.set(source.subarray(at, at + n));
      at += n;
      return Promise.resolve(n);
    });
    const chunks: Uint8Array[] = [];
    for (let c = await next(); c; c = await next()) chunks.push(c);
    // Checked after every read: no later read wrote into an earlier chunk.
    let offset = 0;
    for (const c of chunks) {
      assert.deepEqual(c, source.subarray(offset, offset + c.length));
      offset += c.length;
    }
    assert.equal(offset, source.length);
    assert.equal(Math.max(...asked), 256 * 1024);
    assert.equal(asked[0], 16 * 1024);
    const adjacent = chunks.slice(1).filter((c, i) =>
      c.buffer === chunks[i].buffer && c.byteOffset === chunks[i].byteOffset + chunks[i].length
    );
    assert.ok(adjacent.length > chunks.length / 2, "most chunks follow the one before in memory");
  });

  it("asks for less again when reads come back short", async () => {
    const asked: number[] = [];
    let calls = 0;
    const next = slabReads((p) => {
      asked.push(p.length);
      // Four full reads, then a trickle of 100 bytes.
      return Promise.resolve(calls++ < 4 ? p.length : 100);
    });
    for (let i = 0; i < 10; i++) await next();
    assert.deepEqual(asked.slice(0, 5), [16384, 32768, 65536, 131072, 262144]);
    assert.equal(asked.at(-1), 16384);
  });
});
