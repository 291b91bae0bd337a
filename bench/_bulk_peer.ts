// One end of a loopback bulk transfer, in its own Deno process (see
// bulk_loopback.ts). The server listens on 127.0.0.1, prints "PORT n", reads
// `bytes` bytes of application data and prints "MBPS x" for the time from the
// first byte to the last. The client connects and writes `bytes` in 64 KiB
// chunks. Each end prints "CPU ms" (user + system time of its process) when
// its part is done, counted from its first byte: the server up to the last
// byte, the client up to its last write accepted.
// Usage: deno run -A bench/_bulk_peer.ts server|client MODE BYTES DIR [PORT] [SUITE]
//   MODE: ours-stream | ours-kernel | deno-native | tcp | tcp-read
//   (tcp-read: plain TCP read with conn.read() into one reused 256 KiB buffer)
import { ClientConfig } from "../src/client/config.ts";
import { ServerConfig } from "../src/server/config.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import {
  acceptTls,
  connectTls,
  halfCloseTransport,
  type TlsStream,
} from "../src/streams/tls_stream.ts";
import { KernelRecordLayer } from "../src/kernel/record_layer.ts";
import { cpuUsage } from "node:process";

const [role, mode, bytesArg, dir, portArg, suiteArg] = Deno.args;
const total = Number(bytesArg);
const suite = Number(suiteArg ?? 0x1301);
const CHUNK = 64 * 1024;
const cert = () => Deno.readTextFileSync(`${dir}/cert.pem`);
const key = () => Deno.readTextFileSync(`${dir}/key.pem`);
const ca = () => Deno.readTextFileSync(`${dir}/ca.pem`);

type Reader = { read(): Promise<Uint8Array | undefined> };

/** CPU time of this process in ms; `printCpu(since)` prints what was used after `since`. */
const cpuMs = () => {
  const { user, system } = cpuUsage();
  return (user + system) / 1000;
};
const printCpu = (since: number) => console.log(`CPU ${(cpuMs() - since).toFixed(0)}`);

/** conn.read() into one reused buffer: each chunk is valid until the next read. */
function rawReader(conn: Deno.Conn): Reader {
  const buf = new Uint8Array(256 * 1024);
  return {
    read: async () => {
      const n = await conn.read(buf);
      return n === null ? undefined : buf.subarray(0, n);
    },
  };
}

function readerOf(readable: ReadableStream<Uint8Array>): Reader {
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

async function serve(): Promise<void> {
  const listener = mode === "deno-native"
    ? Deno.listenTls({ hostname: "127.0.0.1", port: 0, cert: cert(), key: key() })
    : Deno.listen({ hostname: "127.0.0.1", port: 0 });
  console.log(`PORT ${(listener.addr as Deno.NetAddr).port}`);
  const conn = await listener.accept();
  let reader: Reader;
  if (mode.startsWith("ours-")) {
    const config = new ServerConfig({
      certificateChain: cert(),
      privateKey: key(),
      enableSecretExtraction: true,
      sendTls13Tickets: 0,
    });
    // What the streams docs tell Deno TCP users to do (reads through conn.read()).
    const tls = await acceptTls(halfCloseTransport(conn as Deno.TcpConn), config);
    reader = mode.startsWith("ours-kernel") ? await kernelEnd(tls) : readerOf(tls.readable);
  } else if (mode === "tcp-read") {
    reader = rawReader(conn);
  } else {
    reader = readerOf(conn.readable);
  }
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
  Deno.exit(0);
}

async function send(): Promise<void> {
  const port = Number(portArg);
  const data = crypto.getRandomValues(new Uint8Array(CHUNK));
  let write: (chunk: Uint8Array) => Promise<void>;
  if (mode === "deno-native") {
    const conn = await Deno.connectTls({ hostname: "127.0.0.1", port, caCerts: [ca()] });
    const w = conn.writable.getWriter();
    write = (c) => w.write(c);
  } else if (mode === "tcp" || mode === "tcp-read") {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const w = conn.writable.getWriter();
    write = (c) => w.write(c);
  } else {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const config = new ClientConfig({
      roots: RootCertStore.fromPem(ca()),
      enableSecretExtraction: true,
      cipherSuites: [suite],
    });
    // ours-stream-batch: writes resolve once copied into a batch of 1 MiB.
    const tls = await connectTls(halfCloseTransport(conn), config, "localhost", {
      writeBatchSize: mode === "ours-stream-batch" ? 2 ** 20 : undefined,
    });
    if (mode === "ours-kernel") write = (await kernelEnd(tls)).write;
    else if (mode === "ours-kernel-batch") write = (await kernelEnd(tls)).batched;
    else {
      const w = tls.writable.getWriter();
      write = (c) => w.write(c);
    }
  }
  const cpu0 = cpuMs();
  for (let sent = 0; sent < total; sent += CHUNK) await write(data.slice());
  printCpu(cpu0);
  // The server exits when it has everything; the driver then stops this
  // process. Closing first could reset the connection before the last bytes.
  setInterval(() => {}, 1 << 30);
}

if (role === "server") await serve();
else await send();
