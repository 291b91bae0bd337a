// Node's side of bench/handshake_interleaved.ts. Started with a directory
// holding <case>-ca.pem, <case>.pem and <case>.key; then reads lines
// "<case> <count>" on stdin, does <count> TLS 1.3 handshakes of that case
// (client and server in this process over 127.0.0.1, X25519, one byte each
// way) and answers one line: the milliseconds of wall and of CPU time. "<name>" is a full handshake
// (no tickets, no session cache); "<name>-resumed" resumes the session of the
// handshake before (tickets on, the client passes the last session it got).
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { constants } from "node:crypto";
import process from "node:process";
import tls from "node:tls";

const dir = process.argv[2];
const servers = new Map();

async function setup(key) {
  const resumed = key.endsWith("-resumed");
  const name = resumed ? key.slice(0, -"-resumed".length) : key;
  const read = (f) => readFileSync(`${dir}/${f}`);
  const server = tls.createServer({
    cert: read(`${name}.pem`),
    key: read(`${name}.key`),
    minVersion: "TLSv1.3",
    ecdhCurve: "X25519",
    ...(resumed ? {} : { secureOptions: constants.SSL_OP_NO_TICKET, sessionTimeout: 0 }),
  }, (socket) => {
    socket.on("error", () => {});
    socket.once("data", () => socket.end(Buffer.from([2])));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const context = tls.createSecureContext({
    ca: read(`${name}-ca.pem`),
    minVersion: "TLSv1.3",
    ecdhCurve: "X25519",
  });
  const s = { port: server.address().port, context, server, resumed, session: undefined };
  servers.set(key, s);
  if (resumed) await one(s); // the first session to resume
  return s;
}

function one(s) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: "127.0.0.1",
      port: s.port,
      servername: "localhost",
      secureContext: s.context,
      session: s.session,
    }, () => {
      const reused = socket.isSessionReused();
      if (!socket.authorized || (s.session !== undefined) !== reused) {
        reject(new Error("bad handshake"));
      }
      socket.write(Buffer.from([1]));
    });
    socket.setNoDelay(true);
    if (s.resumed) socket.on("session", (session) => s.session = session);
    socket.on("data", (d) => {
      if (d[0] !== 2) reject(new Error("bad echo"));
      socket.destroy();
      resolve();
    });
    socket.on("error", reject);
  });
}

for await (const line of createInterface({ input: process.stdin })) {
  const [name, count] = line.trim().split(" ");
  if (name === "quit") break;
  const s = servers.get(name) ?? await setup(name);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < Number(count); i++) await one(s);
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  process.stdout.write(`${(performance.now() - t0).toFixed(3)} ${cpuMs.toFixed(3)}\n`);
}
for (const s of servers.values()) s.server.close();
