// One end of a loopback bulk transfer over Node's native tls (OpenSSL); the
// same protocol as _bulk_peer.ts.
// Usage: node bench/_bulk_peer_node.mjs server|client BYTES DIR [PORT] [CIPHER]
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import process from "node:process";

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const printCpu = (since) => console.log(`CPU ${(cpuMs() - since).toFixed(0)}`);
import tls from "node:tls";

const [role, bytesArg, dir, portArg, cipher] = process.argv.slice(2);
const total = Number(bytesArg);
const CHUNK = 64 * 1024;

if (role === "server") {
  const server = tls.createServer({
    cert: readFileSync(`${dir}/cert.pem`),
    key: readFileSync(`${dir}/key.pem`),
  }, (socket) => {
    let got = 0;
    let start = 0;
    let cpu0 = 0;
    socket.on("data", (chunk) => {
      if (got === 0) {
        start = performance.now();
        cpu0 = cpuMs();
      }
      got += chunk.length;
      if (got >= total) {
        const seconds = (performance.now() - start) / 1000;
        console.log(`MBPS ${(total / 1e6 / seconds).toFixed(1)}`);
        printCpu(cpu0);
        process.exit(0);
      }
    });
  });
  server.listen(0, "127.0.0.1", () => console.log(`PORT ${server.address().port}`));
} else {
  const socket = tls.connect({
    host: "127.0.0.1",
    port: Number(portArg),
    ca: readFileSync(`${dir}/ca.pem`),
    servername: "localhost",
    ciphersuites: cipher ?? "TLS_AES_128_GCM_SHA256",
  }, () => {
    const data = randomBytes(CHUNK);
    const cpu0 = cpuMs();
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        sent += CHUNK;
        if (!socket.write(Buffer.from(data))) return socket.once("drain", pump);
      }
      printCpu(cpu0);
    };
    pump();
  });
  socket.on("error", () => {});
}
