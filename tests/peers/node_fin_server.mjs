// A TLS server (Node's tls over its own TCP socket) that answers only after
// the client's TCP FIN: it reads the plaintext to its end, waits until the
// TCP connection itself has reached EOF, then writes "answer after FIN: <what
// it read>" and closes. A client that keeps its write side open after its
// close_notify never gets an answer.
// Usage: node tests/peers/node_fin_server.mjs <cert.pem> <key.pem>
// Prints "PORT <n>", then "FIN" and "ANSWERED" per connection.
import { readFileSync } from "node:fs";
import net from "node:net";
import tls from "node:tls";
import { Duplex } from "node:stream";

const [certPath, keyPath] = process.argv.slice(2);
const secureContext = tls.createSecureContext({
  cert: readFileSync(certPath),
  key: readFileSync(keyPath),
});

const server = net.createServer({ allowHalfOpen: true }, (tcp) => {
  tcp.on("error", () => {});
  // TLS runs over this Duplex rather than over `tcp` itself, so that `tcp`'s
  // own "end" (the FIN) stays observable.
  const wire = new Duplex({
    allowHalfOpen: true,
    read() {},
    write(chunk, _encoding, callback) {
      tcp.write(chunk, callback);
    },
    final(callback) {
      tcp.end(callback);
    },
  });
  tcp.on("data", (chunk) => wire.push(chunk));
  let text = "";
  let tlsEnded = false;
  let finSeen = false;
  const answer = () => {
    if (!tlsEnded || !finSeen) return;
    socket.end(`answer after FIN: ${text}`);
    console.log("ANSWERED");
  };
  tcp.on("end", () => {
    finSeen = true;
    console.log("FIN");
    wire.push(null);
    answer();
  });
  const socket = new tls.TLSSocket(wire, { isServer: true, secureContext, allowHalfOpen: true });
  socket.on("error", (e) => console.log(`ERROR ${e.message}`));
  socket.on("data", (d) => text += d);
  socket.on("end", () => {
    tlsEnded = true;
    answer();
  });
});
server.listen(0, "127.0.0.1", () => console.log(`PORT ${server.address().port}`));
