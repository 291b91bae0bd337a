// Issue 16 item 1: TlsStream under load. 64 MiB each way at once, over an
// in-memory transport and over Deno TCP; and a kernel hand-off at each end in
// the middle of such a transfer, after which KernelRecordLayer carries the
// rest. SHA-256 of every byte sent and received is compared at both ends.
// No timing is asserted: a stall shows as the test's timeout.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ClientConfig } from "../src/client/config.ts";
import { ServerConfig } from "../src/server/config.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import {
  acceptTls,
  type ByteTransport,
  connectTls,
  type TlsConnection,
  type TlsStream,
  type TlsStreamOptions,
} from "../src/streams/tls_stream.ts";
import { KernelRecordLayer } from "../src/kernel/record_layer.ts";
import { testPki } from "../examples/_certgen.ts";
import { Digest, receiveBulk, sendBulk } from "./_bulk.ts";

const MiB = 1024 * 1024;
const TOTAL = 64 * MiB;
const isDeno = typeof Deno !== "undefined";

function memoryPair(): Promise<[ByteTransport, ByteTransport, () => void]> {
  const a = new TransformStream<Uint8Array, Uint8Array>();
  const b = new TransformStream<Uint8Array, Uint8Array>();
  return Promise.resolve([
    { readable: a.readable, writable: b.writable },
    { readable: b.readable, writable: a.writable },
    () => {},
  ]);
}

async function tcpPair(): Promise<[ByteTransport, ByteTransport, () => void]> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const server = await accepted;
  return [client, server, () => listener.close()];
}

const transports = [
  { name: "in-memory", pair: memoryPair, skip: false },
  {
    name: "Deno TCP",
    pair: tcpPair,
    skip: isDeno ? false : "needs Deno.listen (skipped outside Deno)",
  },
] as const;

async function streams(
  pair: () => Promise<[ByteTransport, ByteTransport, () => void]>,
  options: { versions: ("TLSv1_3" | "TLSv1_2")[]; cipherSuites: number[] },
  streamOptions: TlsStreamOptions = {},
) {
  const { ca, leaf } = await testPki(["localhost"]);
  const [ct, st, done] = await pair();
  const [c, s] = await Promise.all([
    connectTls(
      ct,
      new ClientConfig({
        roots: RootCertStore.fromPem(ca.certPem),
        enableSecretExtraction: true,
        ...options,
      }),
      "localhost",
      streamOptions,
    ),
    acceptTls(
      st,
      new ServerConfig({
        certificateChain: leaf.certPem,
        privateKey: leaf.keyPem,
        enableSecretExtraction: true,
      }),
      streamOptions,
    ),
  ]);
  return { c, s, done };
}

/** Sends TOTAL and receives until close_notify through the plaintext streams. */
async function bothWays(tls: TlsStream, sent: Digest, received: Digest): Promise<void> {
  const writer = tls.writable.getWriter();
  await Promise.all([
    sendBulk((chunk) => writer.write(chunk), TOTAL, sent).then(() => writer.close()),
    receiveBulk(tls.readable, received),
  ]);
}

/**
 * One end of a transfer with a hand-off in the middle: it sends TOTAL bytes
 * and reads until the peer's close_notify, and once `handOffAt` bytes have
 * arrived it hands off (while its own sending goes on) and carries on with a
 * KernelRecordLayer over the same transport.
 */
async function withHandOff(
  tls: TlsStream<TlsConnection>,
  handOffAt: number,
  sent: Digest,
  received: Digest,
): Promise<void> {
  let handingOff: ReturnType<typeof startLayer> | undefined;
  const startLayer = async () => {
    const h = await tls.handOff();
    return { ...h, layer: await KernelRecordLayer.create(h.secrets, h.connection) };
  };
  const plainWriter = tls.writable.getWriter();
  const sending = (async () => {
    let layerEnd: Awaited<ReturnType<typeof startLayer>> | undefined;
    await sendBulk(
      async (chunk) => {
        if (handingOff && !layerEnd) layerEnd = await handingOff;
        if (layerEnd) await layerEnd.writer.write(await layerEnd.layer.seal(chunk));
        else await plainWriter.write(chunk);
      },
      TOTAL,
      sent,
    );
    handingOff ??= startLayer(); // the peer sent less than handOffAt: hand off now
    layerEnd ??= await handingOff;
    await layerEnd.writer.write(await layerEnd.layer.closeNotify());
  })();
  const receiving = (async () => {
    await receiveBulk(tls.readable, received, (n) => {
      if (n >= handOffAt) handingOff ??= startLayer();
    });
    handingOff ??= startLayer();
    const { layer, buffered, reader, writer } = await handingOff;
    let result = await layer.open(buffered);
    for (;;) {
      if (result.toSend.length > 0) writer.write(result.toSend);
      for (const d of result.data) received.update(d);
      if (result.peerClosed) break;
      const { value, done } = await reader.read();
      assert.equal(done, false, "the transport ended before close_notify");
      result = await layer.open(value!);
    }
  })();
  await Promise.all([sending, receiving]);
  const { writer } = await handingOff!;
  await writer.close().catch(() => {});
}

/** Digests: client sent, client received, server sent, server received. */
function checkDigests(d: Digest[]): void {
  assert.equal(d[1].bytes, TOTAL);
  assert.equal(d[3].bytes, TOTAL);
  assert.equal(d[3].hex(), d[0].hex(), "client to server");
  assert.equal(d[1].hex(), d[2].hex(), "server to client");
}

const SUITES = [
  { name: "TLS 1.3 AES-128-GCM", versions: ["TLSv1_3" as const], cipherSuites: [0x1301] },
  { name: "TLS 1.3 ChaCha20-Poly1305", versions: ["TLSv1_3" as const], cipherSuites: [0x1303] },
  { name: "TLS 1.2 AES-128-GCM", versions: ["TLSv1_2" as const], cipherSuites: [0xc02b] },
];

/** 64 MiB each way at once through the plaintext streams, SHA-256 at both ends. */
async function bothWaysAtOnce(
  pair: () => Promise<[ByteTransport, ByteTransport, () => void]>,
  suite: (typeof SUITES)[number],
  streamOptions: TlsStreamOptions = {},
): Promise<void> {
  const { c, s, done } = await streams(pair, suite, streamOptions);
  try {
    const d = Array.from({ length: 4 }, () => new Digest());
    await Promise.all([bothWays(c, d[0], d[1]), bothWays(s, d[2], d[3])]);
    checkDigests(d);
  } finally {
    done();
  }
}

/** Both ends hand off in the middle of a transfer each way, SHA-256 at both ends. */
async function bothHandOff(
  pair: () => Promise<[ByteTransport, ByteTransport, () => void]>,
  suite: (typeof SUITES)[number],
  streamOptions: TlsStreamOptions = {},
): Promise<void> {
  const { c, s, done } = await streams(pair, suite, streamOptions);
  try {
    const d = Array.from({ length: 4 }, () => new Digest());
    await Promise.all([
      withHandOff(c, Math.floor(TOTAL / 3), d[0], d[1]),
      withHandOff(s, Math.floor(TOTAL / 2) + 12345, d[2], d[3]),
    ]);
    checkDigests(d);
  } finally {
    done();
  }
}

describe("issue 16 item 1: TlsStream in both directions at once", () => {
  for (const t of transports) {
    for (const suite of SUITES.slice(0, 2)) {
      it(`${t.name}, ${suite.name}: 64 MiB each way at once, SHA-256 at both ends`, {
        skip: t.skip,
        timeout: 120_000,
      }, () => bothWaysAtOnce(t.pair, suite));
    }
  }
});

describe("issue 16 item 1: TlsStream.handOff() in the middle of a bulk transfer", () => {
  for (const t of transports) {
    for (const suite of [SUITES[0], SUITES[2]]) {
      it(`${t.name}, ${suite.name}: both ends hand off under load, SHA-256 at both ends`, {
        skip: t.skip,
        timeout: 120_000,
      }, () => bothHandOff(t.pair, suite));
    }
  }
});

describe("issue 16 item 2: the same with writeBatchSize (writes resolve once batched)", () => {
  const batched = { writeBatchSize: MiB };
  it("in-memory, TLS 1.3 AES-128-GCM: 64 MiB each way at once, SHA-256 at both ends", {
    timeout: 120_000,
  }, () => bothWaysAtOnce(memoryPair, SUITES[0], batched));

  for (const t of transports) {
    it(
      `${t.name}, TLS 1.3 ChaCha20-Poly1305: both ends hand off with batches queued, SHA-256 at both ends`,
      {
        skip: t.skip,
        timeout: 120_000,
      },
      () => bothHandOff(t.pair, SUITES[1], batched),
    );
  }
});
