// Node's native `tls` (OpenSSL) doing full TLS 1.3 handshakes, client and
// server in one process over 127.0.0.1, one at a time, X25519 with an ECDSA
// P-256 and with an Ed25519 certificate (the client verifies the chain against
// a CA). No resumption: the client never offers a session and the server sends
// no tickets. Each handshake also moves one byte each way, like
// handshake_bench.ts. Run: node bench/node_tls_handshake.mjs [seconds per case]
import { execFileSync } from "node:child_process";
import { constants } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import tls from "node:tls";

const seconds = Number(process.argv[2] ?? 3);
const dir = mkdtempSync(join(tmpdir(), "kerneltls-node-bench-"));
const openssl = (args) =>
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });

/** A CA and a leaf for "localhost", both with `keyArgs` keys. */
function pki(tag, keyArgs) {
  openssl(["genpkey", ...keyArgs, "-out", `${tag}-ca.key`]);
  openssl([
    "req",
    "-x509",
    "-new",
    "-key",
    `${tag}-ca.key`,
    "-out",
    `${tag}-ca.pem`,
    "-days",
    "30",
    "-subj",
    `/CN=${tag} bench CA`,
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign",
  ]);
  openssl(["genpkey", ...keyArgs, "-out", `${tag}.key`]);
  openssl(["req", "-new", "-key", `${tag}.key`, "-out", `${tag}.csr`, "-subj", "/CN=localhost"]);
  writeFileSync(
    join(dir, `${tag}.ext`),
    "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n" +
      "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost\n",
  );
  openssl([
    "x509",
    "-req",
    "-in",
    `${tag}.csr`,
    "-CA",
    `${tag}-ca.pem`,
    "-CAkey",
    `${tag}-ca.key`,
    "-CAcreateserial",
    "-out",
    `${tag}.pem`,
    "-days",
    "30",
    "-extfile",
    `${tag}.ext`,
  ]);
  const read = (f) => readFileSync(join(dir, f));
  return { ca: read(`${tag}-ca.pem`), cert: read(`${tag}.pem`), key: read(`${tag}.key`) };
}

const cases = [
  [
    "X25519 + ECDSA P-256",
    pki("p256", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]),
  ],
  ["X25519 + Ed25519", pki("ed25519", ["-algorithm", "ED25519"])],
];
rmSync(dir, { recursive: true, force: true });

async function bench(name, { ca, cert, key }) {
  const server = tls.createServer({
    cert,
    key,
    minVersion: "TLSv1.3",
    ecdhCurve: "X25519",
    // No session tickets, no session cache: nothing to resume with.
    secureOptions: constants.SSL_OP_NO_TICKET,
    sessionTimeout: 0,
  }, (socket) => {
    socket.on("error", () => {});
    socket.once("data", () => socket.end(Buffer.from([2])));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  const context = tls.createSecureContext({ ca, minVersion: "TLSv1.3", ecdhCurve: "X25519" });

  const one = () =>
    new Promise((resolve, reject) => {
      const socket = tls.connect({
        host: "127.0.0.1",
        port,
        servername: "localhost",
        secureContext: context,
      }, () => {
        if (!socket.authorized || socket.isSessionReused()) reject(new Error("bad handshake"));
        socket.write(Buffer.from([1]));
      });
      socket.setNoDelay(true);
      socket.on("data", (d) => {
        if (d[0] !== 2) reject(new Error("bad echo"));
        socket.destroy();
        resolve();
      });
      socket.on("error", reject);
    });

  for (let i = 0; i < 50; i++) await one(); // warm-up
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    await one();
    n++;
  }
  const ms = performance.now() - t0;
  server.close();
  const rate = n / (ms / 1000);
  console.log(
    `node tls ${name}: ${rate.toFixed(1)} handshakes/s (${(ms / n).toFixed(2)} ms each, ${n} in ${
      (ms / 1000).toFixed(1)
    } s)`,
  );
}

console.log(`Node ${process.version}, OpenSSL ${process.versions.openssl}`);
for (const [name, material] of cases) await bench(name, material);
