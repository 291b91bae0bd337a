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
import { halfCloseTransport } from "../src/streams/tls_stream.ts";
import {
  oursClient,
  oursServer,
  type Reader,
  readerOf,
  receiveTimed,
  sendAll,
} from "./_bulk_ours.ts";

const [role, mode, bytesArg, dir, portArg, suiteArg] = Deno.args;
const total = Number(bytesArg);
const suite = Number(suiteArg ?? 0x1301);
const cert = () => Deno.readTextFileSync(`${dir}/cert.pem`);
const key = () => Deno.readTextFileSync(`${dir}/key.pem`);
const ca = () => Deno.readTextFileSync(`${dir}/ca.pem`);

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

async function serve(): Promise<void> {
  const listener = mode === "deno-native"
    ? Deno.listenTls({ hostname: "127.0.0.1", port: 0, cert: cert(), key: key() })
    : Deno.listen({ hostname: "127.0.0.1", port: 0 });
  console.log(`PORT ${(listener.addr as Deno.NetAddr).port}`);
  const conn = await listener.accept();
  let reader: Reader;
  if (mode.startsWith("ours-")) {
    // What the streams docs tell Deno TCP users to do (reads through conn.read()).
    reader = await oursServer(halfCloseTransport(conn as Deno.TcpConn), mode, {
      cert: cert(),
      key: key(),
    });
  } else if (mode === "tcp-read") {
    reader = rawReader(conn);
  } else {
    reader = readerOf(conn.readable);
  }
  await receiveTimed(reader, total);
  Deno.exit(0);
}

async function send(): Promise<void> {
  const port = Number(portArg);
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
    write = await oursClient(halfCloseTransport(conn), mode, ca(), suite);
  }
  await sendAll(write, total);
  // The server exits when it has everything; the driver then stops this
  // process. Closing first could reset the connection before the last bytes.
  setInterval(() => {}, 1 << 30);
}

if (role === "server") await serve();
else await send();
