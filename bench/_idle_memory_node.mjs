// Node's side of bench/idle_memory.ts: `n` idle native tls connections, both
// ends in this process over 127.0.0.1 (TLS 1.3, X25519, the same ECDSA P-256
// leaf, no tickets), each after one byte each way. Prints one JSON line.
// Run by idle_memory.ts: node --expose-gc _idle_memory_node.mjs <dir> <n>
import { readFileSync } from "node:fs";
import { once } from "node:events";
import process from "node:process";
import tls from "node:tls";
import { constants } from "node:crypto";

const [dir, count] = process.argv.slice(2);
const n = Number(count);
const read = (f) => readFileSync(`${dir}/${f}`);
const server = tls.createServer({
  cert: read("leaf.pem"),
  key: read("leaf.key"),
  ecdhCurve: "X25519",
  minVersion: "TLSv1.3",
  secureOptions: constants.SSL_OP_NO_TICKET,
});
const accepted = [];
server.on("secureConnection", (s) => {
  accepted.push(s);
  s.once("data", () => s.write(Buffer.from([2])));
});
server.listen(0, "127.0.0.1");
await once(server, "listening");
const { port } = server.address();

async function one() {
  const c = tls.connect({ host: "127.0.0.1", port, servername: "localhost", ca: read("ca.pem") });
  await once(c, "secureConnect");
  c.write(Buffer.from([1]));
  await once(c, "data");
  return c;
}

function sample() {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed + m.external };
}

const held = [await one()];
const before = sample();
for (let i = 0; i < n; i++) held.push(await one());
const after = sample();
const kib = (b) => (b / (2 * n) / 1024).toFixed(1);
console.log(JSON.stringify({
  name: "Node native tls (OpenSSL)",
  ends: 2 * n,
  rssKiB: kib(after.rss - before.rss),
  heapKiB: kib(after.heap - before.heap),
}));
for (const c of held) c.destroy();
for (const s of accepted) s.destroy();
server.close();
