// The runtime-neutral part of a bulk peer (see bulk_loopback.ts): ours at
// either end over any ByteTransport, the receive loop that times it and the
// send loop, and CPU accounting. bench/_bulk_peer.ts (Deno) and
// bench/_bulk_peer_bun.ts (Bun, node:net) bring the sockets.
import { ClientConfig } from "../src/client/config.ts";
import { ServerConfig } from "../src/server/config.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import {
  acceptTls,
  type ByteTransport,
  connectTls,
  type TlsStream,
} from "../src/streams/tls_stream.ts";
import { KernelRecordLayer } from "../src/kernel/record_layer.ts";
import { cpuUsage } from "node:process";

/** Size of each write. */
export const CHUNK = 64 * 1024;

/** Something chunks are read from (undefined at the end). */
export type Reader = { read(): Promise<Uint8Array | undefined> };

/** CPU time of this process in ms; `printCpu(since)` prints what was used after `since`. */
export const cpuMs = () => {
  const { user, system } = cpuUsage();
  return (user + system) / 1000;
};
export const printCpu = (since: number) => console.log(`CPU ${(cpuMs() - since).toFixed(0)}`);

export function readerOf(readable: ReadableStream<Uint8Array>): Reader {
  const r = readable.getReader();
  return { read: async () => (await r.read()).value };
}

/**
 * Write-behind for a sender that awaits each write (what TlsStream's
 * writeBatchSize does, here in front of KernelRecordLayer): chunks are copied
 * into a batch of up to `max` bytes that `flush` takes while the previous
 * batch is under way, so one flush (one seal call, one transport write)
 * carries many chunks.
 */
function batching(
  flush: (data: Uint8Array) => Promise<void>,
  max = 1 << 20,
): (chunk: Uint8Array) => Promise<void> {
  let buf = new Uint8Array(max);
  let filled = 0;
  let running: Promise<void> | undefined;
  let taken = () => {};
  const run = async () => {
    while (filled > 0) {
      const data = buf.subarray(0, filled);
      buf = new Uint8Array(max);
      filled = 0;
      taken();
      await flush(data);
    }
    running = undefined;
  };
  return async (chunk) => {
    while (filled + chunk.length > max) await new Promise<void>((r) => (taken = r));
    buf.set(chunk, filled);
    filled += chunk.length;
    running ??= run();
  };
}

/** The kernel hand-off of a finished TlsStream, as a plaintext reader / writer. */
async function kernelEnd(tls: TlsStream) {
  const { secrets, connection, buffered, reader, writer } = await tls.handOff();
  const layer = await KernelRecordLayer.create(secrets, connection);
  let pending: Uint8Array[] = (await layer.open(buffered)).data;
  let previous: Promise<void> = Promise.resolve();
  return {
    read: async (): Promise<Uint8Array | undefined> => {
      while (pending.length === 0) {
        const { value, done } = await reader.read();
        if (done) return undefined;
        const r = await layer.open(value);
        if (r.toSend.length > 0) writer.write(r.toSend);
        pending = r.data;
      }
      return pending.shift();
    },
    // Seals the next chunk while the previous one is written (sends stay in
    // order: seal takes sequence numbers in call order, writes are queued).
    write: async (chunk: Uint8Array) => {
      const sealing = layer.seal(chunk);
      await previous;
      previous = writer.write(await sealing);
    },
    /** The same, with one seal call and one transport write per batch of writes. */
    batched: batching(async (data) => {
      const sealing = layer.seal(data);
      await previous;
      previous = writer.write(await sealing);
    }),
  };
}

/** Our server end over `transport` for `mode` (ours-stream, ours-kernel, ...). */
export async function oursServer(
  transport: ByteTransport,
  mode: string,
  pem: { cert: string; key: string },
): Promise<Reader> {
  const config = new ServerConfig({
    certificateChain: pem.cert,
    privateKey: pem.key,
    enableSecretExtraction: true,
    sendTls13Tickets: 0,
  });
  const tls = await acceptTls(transport, config);
  return mode.startsWith("ours-kernel") ? await kernelEnd(tls) : readerOf(tls.readable);
}

/** Our client end over `transport` for `mode`, as a write function. */
export async function oursClient(
  transport: ByteTransport,
  mode: string,
  caPem: string,
  suite: number,
): Promise<(chunk: Uint8Array) => Promise<void>> {
  const config = new ClientConfig({
    roots: RootCertStore.fromPem(caPem),
    enableSecretExtraction: true,
    cipherSuites: [suite],
  });
  // ours-stream-batch: writes resolve once copied into a batch of 1 MiB.
  const tls = await connectTls(transport, config, "localhost", {
    writeBatchSize: mode === "ours-stream-batch" ? 2 ** 20 : undefined,
  });
  if (mode === "ours-kernel") return (await kernelEnd(tls)).write;
  if (mode === "ours-kernel-batch") return (await kernelEnd(tls)).batched;
  const w = tls.writable.getWriter();
  return (c) => w.write(c);
}

/** Reads `total` bytes; prints MB/s from the first byte to the last, and the CPU used. */
export async function receiveTimed(reader: Reader, total: number): Promise<void> {
  let got = 0;
  let start = 0;
  let cpu0 = 0;
  while (got < total) {
    const chunk = await reader.read();
    if (!chunk) throw new Error(`ended after ${got} bytes`);
    if (got === 0) {
      start = performance.now();
      cpu0 = cpuMs();
    }
    got += chunk.length;
  }
  const seconds = (performance.now() - start) / 1000;
  console.log(`MBPS ${(total / 1e6 / seconds).toFixed(1)}`);
  printCpu(cpu0);
}

/** Writes `total` bytes in CHUNK-sized writes (each awaited); prints the CPU used. */
export async function sendAll(
  write: (chunk: Uint8Array) => Promise<void>,
  total: number,
): Promise<void> {
  const data = crypto.getRandomValues(new Uint8Array(CHUNK));
  const cpu0 = cpuMs();
  for (let sent = 0; sent < total; sent += CHUNK) await write(data.slice());
  printCpu(cpu0);
}
