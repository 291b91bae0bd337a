// Runs under plain Node 20 against the library bundled for Node.
// Usage: node tests/peers/node_bundle_check.mjs <bundle.mjs> <dir with ca.pem, cert.pem, key.pem>
// (a) in-memory client + server handshake, hand-off on both sides, client tx == server rx;
// (b) our client against Node's own tls.createServer, data both ways.
// Prints one "OK ..." line per check; exits non-zero on any failure.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import net from "node:net";
import tls from "node:tls";
import { Duplex } from "node:stream";

const [bundlePath, pemDir] = process.argv.slice(2);
const lib = await import(pathToFileURL(bundlePath).href);
const caPem = readFileSync(join(pemDir, "ca.pem"), "utf8");
const certPem = readFileSync(join(pemDir, "cert.pem"), "utf8");
const keyPem = readFileSync(join(pemDir, "key.pem"), "utf8");
const hex = (b) => Buffer.from(b).toString("hex");
const fail = (msg) => {
  console.error(`FAIL ${msg}`);
  process.exit(1);
};
const watchdog = setTimeout(() => fail("no result in 20 s"), 20_000);

const clientConfig = () =>
  new lib.ClientConfig({
    roots: lib.RootCertStore.fromPem(caPem),
    enableSecretExtraction: true,
  });

// (a) In memory.
{
  const a = new TransformStream();
  const b = new TransformStream();
  const serverConfig = new lib.ServerConfig({
    certificateChain: certPem,
    privateKey: keyPem,
    enableSecretExtraction: true,
  });
  const [c, s] = await Promise.all([
    lib.connectTls({ readable: a.readable, writable: b.writable }, clientConfig(), "localhost"),
    lib.acceptTls({ readable: b.readable, writable: a.writable }, serverConfig),
  ]);
  const [ch, sh] = await Promise.all([c.handOff(), s.handOff()]);
  const same = (x, y) =>
    x.seq === y.seq && x.secrets.kind === y.secrets.kind &&
    hex(x.secrets.key) === hex(y.secrets.key) && hex(x.secrets.iv) === hex(y.secrets.iv);
  if (!same(ch.secrets.tx, sh.secrets.rx)) fail("client tx secrets differ from server rx");
  if (!same(sh.secrets.tx, ch.secrets.rx)) fail("server tx secrets differ from client rx");
  if (hex(ch.secrets.tx.secrets.key) === hex(ch.secrets.rx.secrets.key)) {
    fail("tx and rx keys are equal");
  }
  console.log(
    `OK in-memory ${c.info.protocolVersion} ${c.info.cipherSuite.name} hand-off, ` +
      `tx seq ${ch.secrets.tx.seq}, key ${ch.secrets.tx.secrets.key.length} bytes`,
  );
}

// (b) Node's TLS server.
{
  const server = tls.createServer({ key: keyPem, cert: certPem }, (socket) => {
    socket.on("error", () => {});
    socket.on("data", (d) => socket.write(Buffer.concat([Buffer.from("node:"), d])));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const socket = net.connect(server.address().port, "127.0.0.1");
  socket.on("error", () => {});
  await new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const stream = await lib.connectTls(Duplex.toWeb(socket), clientConfig(), "localhost");
  const writer = stream.writable.getWriter();
  await writer.write(new TextEncoder().encode("ping from the bundle"));
  const reader = stream.readable.getReader();
  let got = "";
  const want = "node:ping from the bundle";
  while (got.length < want.length) {
    const { value, done } = await reader.read();
    if (done) break;
    got += new TextDecoder().decode(value);
  }
  if (got !== want) fail(`echo mismatch: ${JSON.stringify(got)}`);
  console.log(
    `OK node tls server ${stream.info.protocolVersion} ${stream.info.cipherSuite.name}: "${got}"`,
  );
  reader.cancel().catch(() => {});
  socket.destroy();
  server.close();
}
clearTimeout(watchdog);
