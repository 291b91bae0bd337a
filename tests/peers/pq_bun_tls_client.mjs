// A `node:tls` client run under Bun (BoringSSL), TLS 1.3 only, for the
// post-quantum interop tests.
// Usage: bun pq_bun_tls_client.mjs PORT CA_PEM MESSAGE [ECDH_CURVES]
// Connects to 127.0.0.1:PORT (SNI "localhost"), prints
// "CONNECTED <protocol> <cipher> kx=<ephemeral key info as JSON>", sends
// MESSAGE + "\n", prints every line it gets back as "GOT <line>", and exits 0
// when the server closes; any error prints "ERROR <message>" and exits 1.
import { readFileSync } from "node:fs";
import process from "node:process";
import tls from "node:tls";

const [port, caPath, message, curves] = process.argv.slice(2);
const options = {
  host: "127.0.0.1",
  port: Number(port),
  servername: "localhost",
  ca: readFileSync(caPath),
  minVersion: "TLSv1.3",
};
if (curves) options.ecdhCurve = curves;
const socket = tls.connect(options, () => {
  const kx = JSON.stringify(socket.getEphemeralKeyInfo?.() ?? null);
  process.stdout.write(
    `CONNECTED ${socket.getProtocol()} ${socket.getCipher()?.standardName} kx=${kx}\n`,
  );
  socket.write(`${message}\n`);
});
let buffered = "";
socket.on("data", (chunk) => {
  buffered += chunk.toString("utf8");
  for (let i = buffered.indexOf("\n"); i >= 0; i = buffered.indexOf("\n")) {
    process.stdout.write(`GOT ${buffered.slice(0, i)}\n`);
    buffered = buffered.slice(i + 1);
  }
});
socket.on("end", () => process.exit(0));
socket.on("close", () => process.exit(0));
socket.on("error", (e) => {
  process.stdout.write(`ERROR ${e.message}\n`);
  process.exit(1);
});
setTimeout(() => {
  process.stdout.write("ERROR timed out\n");
  process.exit(1);
}, 10_000).unref?.();
