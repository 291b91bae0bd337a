// A Node `tls` client (OpenSSL) for our server's interop tests.
// Usage: node server_peer_node_client.mjs PORT CA_PEM LINE [ALPN,LIST|-] [SUITES|-] [GROUPS|-]
// Connects to 127.0.0.1:PORT (SNI "localhost", TLS 1.3 only, chain checked
// against CA_PEM), sends LINE plus "\n", reads one reply line, then prints
// "RESULT <json>" with the reply and the negotiated protocol, cipher and ALPN.
// Exits when the server closes; a 10 s timer bounds the whole run.
import { readFileSync } from "node:fs";
import process from "node:process";
import tls from "node:tls";

const [port, caPath, line, alpn, suites, groups] = process.argv.slice(2);
const given = (v) => v !== undefined && v !== "-";

const timer = setTimeout(() => {
  process.stdout.write("TIMEOUT\n");
  process.exit(3);
}, 10_000);

const socket = tls.connect({
  host: "127.0.0.1",
  port: Number(port),
  servername: "localhost",
  ca: readFileSync(caPath),
  minVersion: "TLSv1.3",
  maxVersion: "TLSv1.3",
  ALPNProtocols: given(alpn) ? alpn.split(",") : undefined,
  // Node takes TLS 1.3 suite names in `ciphers` too; `ciphersuites` is ignored here.
  ciphers: given(suites) ? suites : undefined,
  ecdhCurve: given(groups) ? groups : undefined,
  // No resumption is expected from our server yet.
  session: undefined,
}, () => {
  socket.write(line + "\n");
});

let buffered = "";
let reported = false;
socket.setEncoding("utf8");
socket.on("data", (chunk) => {
  buffered += chunk;
  const nl = buffered.indexOf("\n");
  if (nl >= 0 && !reported) {
    reported = true;
    const cipher = socket.getCipher();
    process.stdout.write(
      `RESULT ${
        JSON.stringify({
          got: buffered.slice(0, nl),
          protocol: socket.getProtocol(),
          cipher: cipher.standardName ?? cipher.name,
          alpn: socket.alpnProtocol,
          authorized: socket.authorized,
          reused: socket.isSessionReused(),
        })
      }\n`,
    );
  }
});
socket.on("end", () => {
  process.stdout.write("END\n");
  socket.end();
});
socket.on("close", () => {
  clearTimeout(timer);
  process.exit(reported ? 0 : 2);
});
socket.on("error", (e) => {
  process.stdout.write(`ERROR ${e.code ?? ""} ${e.message}\n`);
  clearTimeout(timer);
  process.exit(1);
});
