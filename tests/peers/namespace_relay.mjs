// Runs inside a server's private network namespace (for servers that bind
// every interface, such as selfserv and gnutls-serv, see
// tests/peers/_namespace_server.ts): listens on a Unix socket in the shared
// file system and joins each connection to 127.0.0.1:PORT in there.
// Usage: node namespace_relay.mjs SOCKET_PATH PORT
import { connect, createServer } from "node:net";
import process from "node:process";

const [path, port] = process.argv.slice(2);

/** Connects to the server, retrying while it starts up (bounded). */
function dial(deadline) {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port: Number(port) });
    s.once("connect", () => resolve(s));
    s.once("error", (e) => {
      if (Date.now() > deadline) return reject(e);
      setTimeout(() => dial(deadline).then(resolve, reject), 50);
    });
  });
}

const server = createServer({ allowHalfOpen: true }, async (outer) => {
  outer.pause();
  let inner;
  try {
    inner = await dial(Date.now() + 5000);
  } catch (e) {
    console.error(`relay: cannot reach the server: ${e.message}`);
    outer.destroy();
    return;
  }
  outer.pipe(inner);
  inner.pipe(outer);
  outer.on("error", () => inner.destroy());
  inner.on("error", () => outer.destroy());
  outer.resume();
});

server.listen(path, async () => {
  // Ready once the server accepts TCP too, so the first test does not race it.
  (await dial(Date.now() + 5000)).destroy();
  console.log("RELAY READY");
});
