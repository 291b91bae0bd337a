// Runs under plain Node 20 against the library bundled for Node: TLS over a
// net.Socket wrapped with stream.Duplex.toWeb, both ways.
// Usage: node tests/peers/node_duplex_check.mjs <bundle.mjs> <dir with ca.pem, cert.pem, key.pem> <port>
// (a) client: net.connect to 127.0.0.1:<port> (an echo server that answers
//     after our close_notify), connectTls over Duplex.toWeb(socket) marked
//     halfClose, ping, close, read the answer, await `closed`;
// (b) server: net.createServer({ allowHalfOpen: true }), acceptTls over
//     Duplex.toWeb(socket), echoing one client; prints "LISTENING <port>".
// Prints one "OK ..." line per side; exits non-zero on any failure.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import net from "node:net";
import { once } from "node:events";
import { Duplex } from "node:stream";

const [bundlePath, pemDir, port] = process.argv.slice(2);
const lib = await import(pathToFileURL(bundlePath).href);
const pem = (name) => readFileSync(join(pemDir, name), "utf8");
const fail = (msg) => {
  console.error(`FAIL ${msg}`);
  process.exit(1);
};
const watchdog = setTimeout(() => fail("no result in 20 s"), 20_000);
process.on("unhandledRejection", (e) => fail(`unhandled rejection: ${e}`));

// (a) Our client over a Node socket.
{
  const socket = net.connect(Number(port), "127.0.0.1");
  socket.on("error", () => {});
  await once(socket, "connect");
  // Closing the toWeb writable ends the socket (a FIN) and reading goes on: a half-close.
  const transport = { ...Duplex.toWeb(socket), halfClose: true };
  const config = new lib.ClientConfig({ roots: lib.RootCertStore.fromPem(pem("ca.pem")) });
  const tls = await lib.connectTls(transport, config, "localhost", { handshakeTimeoutMs: 10_000 });
  const writer = tls.writable.getWriter();
  await writer.write(new TextEncoder().encode("ping from node"));
  await writer.close();
  const answer = await new Response(tls.readable).text();
  await tls.closed;
  if (answer !== "echo: ping from node") fail(`client got ${JSON.stringify(answer)}`);
  console.log(`OK client ${tls.info.protocolVersion} "${answer}"`);
}

// (b) Our server over a Node socket. allowHalfOpen: a client's FIN must not
// end our side before the answer is out.
{
  const config = new lib.ServerConfig({
    certificateChain: pem("cert.pem"),
    privateKey: pem("key.pem"),
  });
  const server = net.createServer({ allowHalfOpen: true });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  console.log(`LISTENING ${server.address().port}`);
  const [socket] = await once(server, "connection");
  socket.on("error", () => {});
  const tls = await lib.acceptTls(Duplex.toWeb(socket), config, { handshakeTimeoutMs: 10_000 });
  await tls.readable.pipeTo(tls.writable); // echo until the client's close_notify
  await tls.closed;
  console.log(`OK server ${tls.info.protocolVersion} ${tls.info.cipherSuite.name}`);
  server.close();
}
clearTimeout(watchdog);
