// A `node:tls` echo server run under Bun (BoringSSL), TLS 1.3 only, for the
// post-quantum interop tests.
// Usage: bun pq_bun_tls_server.mjs CERT_PEM KEY_PEM [ECDH_CURVES]
// ECDH_CURVES is an OpenSSL-style list ("X25519MLKEM768:X25519"); without it
// Bun's defaults apply. Prints "PORT <n>" once listening and
// "CONN cipher=<name>" per handshake; echoes data. Exits when its stdin
// closes, so it cannot outlive the test.
import { readFileSync } from "node:fs";
import process from "node:process";
import tls from "node:tls";

const [certPath, keyPath, curves] = process.argv.slice(2);
const options = {
  cert: readFileSync(certPath),
  key: readFileSync(keyPath),
  minVersion: "TLSv1.3",
};
if (curves) options.ecdhCurve = curves;
const server = tls.createServer(options, (socket) => {
  process.stdout.write(`CONN cipher=${socket.getCipher()?.standardName}\n`);
  socket.on("error", () => {});
  socket.on("data", (chunk) => socket.write(chunk));
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`PORT ${server.address().port}\n`);
});
process.stdin.on("data", () => {});
process.stdin.on("end", () => process.exit(0));
