// One end of a loopback bulk transfer with ours under Bun (or any runtime
// with node:net), the same protocol as _bulk_peer.ts: node:net sockets as Web
// Streams through Duplex.toWeb, marked halfClose.
// Usage: bun bench/_bulk_peer_bun.ts server|client MODE BYTES DIR [PORT] [SUITE]
//   MODE: ours-stream | ours-kernel | ours-stream-batch | ours-kernel-batch | tcp
//   (tcp: the same sockets through Duplex.toWeb without TLS, for what they cost alone)
import net from "node:net";
import { readFileSync } from "node:fs";
import process from "node:process";
import { Duplex } from "node:stream";
import type { ByteTransport } from "../src/streams/tls_stream.ts";
import { oursClient, oursServer, readerOf, receiveTimed, sendAll } from "./_bulk_ours.ts";

const [role, mode, bytesArg, dir, portArg, suiteArg] = process.argv.slice(2);
const total = Number(bytesArg);
const suite = Number(suiteArg ?? 0x1301);

function transport(socket: net.Socket): ByteTransport {
  const { readable, writable } = Duplex.toWeb(socket);
  return {
    readable: readable as ReadableStream<Uint8Array>,
    writable: writable as WritableStream<Uint8Array>,
    halfClose: true,
  };
}

if (role === "server") {
  const server = net.createServer({ allowHalfOpen: true }, async (socket) => {
    const reader = mode === "tcp" ? readerOf(transport(socket).readable) : await oursServer(
      transport(socket),
      mode,
      {
        cert: readFileSync(`${dir}/cert.pem`, "utf8"),
        key: readFileSync(`${dir}/key.pem`, "utf8"),
      },
    );
    await receiveTimed(reader, total);
    process.exit(0);
  });
  server.listen(0, "127.0.0.1", () => {
    console.log(`PORT ${(server.address() as net.AddressInfo).port}`);
  });
} else {
  const socket = net.connect(Number(portArg), "127.0.0.1");
  await new Promise((resolve) => socket.once("connect", resolve));
  let write: (chunk: Uint8Array) => Promise<void>;
  if (mode === "tcp") {
    const w = transport(socket).writable.getWriter();
    write = (c) => w.write(c);
  } else {
    write = await oursClient(transport(socket), mode, readFileSync(`${dir}/ca.pem`, "utf8"), suite);
  }
  await sendAll(write, total);
  setInterval(() => {}, 1 << 30); // stopped by the driver once the server is done
}
