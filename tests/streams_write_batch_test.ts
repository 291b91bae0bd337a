// Issue 16 item 2: TlsStream's writeBatchSize. Writes resolve once copied
// into a batch, so a sender that awaits each write keeps the AEAD busy and
// small writes share records; the bytes, their order and the failures are
// those of unbatched writes. The transport is held still where a test needs
// to know what is batched, so nothing depends on timing.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ClientConfig } from "../src/client/config.ts";
import { ServerConfig } from "../src/server/config.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { acceptTls, connectTls, type TlsStream } from "../src/streams/tls_stream.ts";
import { testPki } from "../examples/_certgen.ts";
import { concat } from "../src/_bytes.ts";

const { ca, leaf } = await testPki(["localhost"]);
const clientConfig = new ClientConfig({
  roots: RootCertStore.fromPem(ca.certPem),
  enableSecretExtraction: true,
});
const serverConfig = new ServerConfig({
  certificateChain: leaf.certPem,
  privateKey: leaf.keyPem,
  enableSecretExtraction: true,
  sendTls13Tickets: 0,
});

/**
 * A client with `writeBatchSize` and a plain server, in memory. The client's
 * transport counts its writes, and holds them while `hold` is set (until
 * `release()`); `fail` makes its writes reject.
 */
async function pair(writeBatchSize: number) {
  const toServer = new TransformStream<Uint8Array, Uint8Array>();
  const toClient = new TransformStream<Uint8Array, Uint8Array>();
  const serverSide = toServer.writable.getWriter();
  const gate = { hold: false, fail: false, writes: 0, held: [] as (() => void)[] };
  const clientWritable = new WritableStream<Uint8Array>({
    async write(chunk) {
      gate.writes++;
      if (gate.fail) throw new Error("transport write failed");
      if (gate.hold) await new Promise<void>((resolve) => gate.held.push(resolve));
      await serverSide.write(chunk.slice());
    },
    close: () => serverSide.close(),
  });
  const [c, s] = await Promise.all([
    connectTls(
      { readable: toClient.readable, writable: clientWritable },
      clientConfig,
      "localhost",
      {
        writeBatchSize,
      },
    ),
    acceptTls({ readable: toServer.readable, writable: toClient.writable }, serverConfig),
  ]);
  const release = () => {
    gate.hold = false;
    for (const resolve of gate.held.splice(0)) resolve();
  };
  return { c, s, gate, release };
}

async function readAll(tls: TlsStream): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of tls.readable) chunks.push(chunk);
  return concat(...chunks);
}

describe("issue 16 item 2: TlsStream writeBatchSize", () => {
  it("1000 small writes resolve while the transport is held, and go out in a few records", async () => {
    const { c, s, gate, release } = await pair(1 << 20);
    const received = readAll(s);
    const writes = gate.writes;
    gate.hold = true;
    const w = c.writable.getWriter();
    // One buffer reused for every write: each must be copied when accepted.
    const buf = new Uint8Array(10);
    const expected = new Uint8Array(10_000);
    for (let i = 0; i < 1000; i++) {
      buf.fill(i & 0xff);
      expected.set(buf, i * 10);
      await w.write(buf);
    }
    // Every write resolved with the first transport write still held.
    assert.ok(gate.writes - writes <= 1, `${gate.writes - writes} transport writes started`);
    release();
    await w.close();
    assert.deepEqual(await received, expected);
    // The first batch, the one behind it, the rest, and close_notify.
    assert.ok(gate.writes - writes <= 4, `${gate.writes - writes} transport writes`);
    await c.readable.cancel();
    await c.closed;
  });

  it("a full batch waits for room; large writes are split across batches in order", async () => {
    const { c, s, gate, release } = await pair(50_000);
    const received = readAll(s);
    gate.hold = true;
    const w = c.writable.getWriter();
    const data = new Uint8Array(300_000).map((_, i) => (i * 13) >> 3);
    let done = false;
    const writing = w.write(data).then(() => (done = true));
    // Let the batcher fill what it can while the transport is held.
    for (let i = 0; i < 50; i++) await Promise.resolve();
    assert.equal(done, false, "a 300 KB write cannot be taken by 50 KB batches at once");
    release();
    await writing;
    await w.close();
    assert.deepEqual(await received, data);
  });

  it("a transport write that fails fails the stream: the next write, close and closed", async () => {
    const { c, gate } = await pair(1 << 20);
    gate.fail = true;
    const w = c.writable.getWriter();
    await w.write(new Uint8Array(100)); // accepted into a batch
    let caught: unknown;
    try {
      for (let i = 0; i < 100; i++) await w.write(new Uint8Array(100));
      await w.close();
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof Error, "a later write or close rejects");
    await assert.rejects(c.closed);
  });

  it("writes after handOff() are refused; the batches before it were sent first", async () => {
    const { c, s, gate, release } = await pair(1 << 20);
    gate.hold = true;
    const w = c.writable.getWriter();
    await w.write(new TextEncoder().encode("before the hand-off"));
    const handing = c.handOff();
    release();
    const h = await handing;
    await assert.rejects(w.write(new Uint8Array(1)), TypeError);
    const r = s.readable.getReader();
    assert.equal(new TextDecoder().decode((await r.read()).value), "before the hand-off");
    h.writer.releaseLock();
  });

  it("refuses a size that is not an integer from 1 to 2^24", async () => {
    for (const writeBatchSize of [0, -1, 1.5, 2 ** 24 + 1, NaN]) {
      await assert.rejects(
        connectTls(new TransformStream(), clientConfig, "localhost", { writeBatchSize }),
        RangeError,
      );
    }
  });
});
