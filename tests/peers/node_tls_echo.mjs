// A Node `tls` echo server on 127.0.0.1 (TLS 1.3 only), for interop tests.
// Usage: node node_tls_echo.mjs CERT_PEM KEY_PEM [ALPN,LIST]
// Prints "PORT <n>" once listening and "CONN reused=<bool> alpn=<p> cipher=<name>"
// per handshake. Echoes data; data ending in "BYE\n" is echoed, then the
// server closes the connection. Exits when its stdin closes, so it cannot outlive the test.
import { readFileSync } from "node:fs";
import process from "node:process";
import tls from "node:tls";

const [certPath, keyPath, alpn] = process.argv.slice(2);
const server = tls.createServer({
  cert: readFileSync(certPath),
  key: readFileSync(keyPath),
  minVersion: "TLSv1.3",
  ALPNProtocols: alpn ? alpn.split(",") : undefined,
}, (socket) => {
  process.stdout.write(
    `CONN reused=${socket.isSessionReused()} alpn=${socket.alpnProtocol} cipher=${socket.getCipher().standardName}\n`,
  );
  socket.on("error", () => {});
  // Echo; a chunk ending in "BYE\n" makes the server close (close_notify).
  socket.on("data", (chunk) => {
    socket.write(chunk);
    if (chunk.toString("latin1").endsWith("BYE\n")) socket.end();
  });
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`PORT ${server.address().port}\n`);
});
process.stdin.on("data", () => {});
process.stdin.on("end", () => process.exit(0));
