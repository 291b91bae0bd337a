// Full and resumed TLS 1.3 handshake rates, ours beside Deno's native TLS
// (rustls) and Node's native tls (OpenSSL), interleaved: each round runs a
// batch of every implementation for every case, so all of them see the same
// load (the order rotates each round). X25519, AES-128-GCM, the client verifying a CA-signed leaf (ECDSA
// P-256 under a P-256 CA; Ed25519 under an Ed25519 CA), one byte each way.
// Full: no tickets, no session cache. Resumed: every handshake resumes the
// session of the one before (a ticket each time, psk_dhe_ke); Deno's TLS API
// cannot resume, so it has no resumed row.
// Ours: client and server in this process, in memory through the public API;
// Deno native: Deno.listenTls / Deno.startTls in this process over
// 127.0.0.1; Node: a child process over 127.0.0.1 (_handshake_node_worker.mjs).
// With --before=<tree> (another checkout, e.g. `git worktree add --detach
// /tmp/before main`) that tree's engine runs as a fourth implementation in the
// same rounds, for before/after in one run.
// Prints per implementation the median rate over the rounds and its spread,
// and the median of the per-round ratios of ours to each other one.
// Run: deno run -A bench/handshake_interleaved.ts [rounds] [batch] [--before=<tree>]
import process from "node:process";
import { TestPki } from "../tests/_pki.ts";

const flags = Deno.args.filter((a) => a.startsWith("--"));
const positional = Deno.args.filter((a) => !a.startsWith("--"));
const rounds = Number(positional[0] ?? 8);
const batch = Number(positional[1] ?? 40);
const beforeTree = flags.find((f) => f.startsWith("--before="))?.slice("--before=".length);

interface Material {
  caPem: string;
  caDer: Uint8Array;
  certPem: string;
  keyPem: string;
}

const dir = await Deno.makeTempDir({ prefix: "kerneltls-hs-bench-" });
const pki = new TestPki();
const material = new Map<string, Material>();
for (const [name, alg] of [["p256", "p256"], ["ed25519", "ed25519"]] as const) {
  const ca = pki.root(`kerneltls bench ${name} CA`, alg);
  const leaf = pki.leaf(ca, "DNS:localhost", { alg });
  const m: Material = {
    caPem: await Deno.readTextFile(ca.certPath),
    caDer: ca.der,
    certPem: await Deno.readTextFile(leaf.certPath),
    keyPem: await Deno.readTextFile(leaf.keyPath),
  };
  material.set(name, m);
  await Deno.writeTextFile(`${dir}/${name}-ca.pem`, m.caPem);
  await Deno.writeTextFile(`${dir}/${name}.pem`, m.certPem);
  await Deno.writeTextFile(`${dir}/${name}.key`, m.keyPem);
}
pki.cleanup();

type Runner = (count: number) => Promise<number>;

/** Our engine from the tree at `root` (this checkout by default), full or resumed. */
async function ours(m: Material, resumed: boolean, root?: string): Promise<Runner> {
  const base = root ? `file://${root}/` : new URL("..", import.meta.url).href;
  const { ClientConfig } = await import(`${base}src/client/config.ts`);
  const { ServerConfig } = await import(`${base}src/server/config.ts`);
  const { UnbufferedClientConnection, UnbufferedServerConnection } = await import(
    `${base}src/conn/unbuffered.ts`
  );
  const { RootCertStore } = await import(`${base}src/webpki/root_store.ts`);
  const { Endpoint, runPair } = await import(`${base}tests/_pair.ts`);
  const roots = new RootCertStore();
  roots.add(m.caDer);
  const client = new ClientConfig({ roots, kxGroups: [0x1d], resumption: resumed });
  const server = new ServerConfig({
    certificateChain: m.certPem,
    privateKey: m.keyPem,
    kxGroups: [0x1d],
    resumption: resumed,
  });
  const one = async (): Promise<string> => {
    const conn = await UnbufferedClientConnection.create(client, "localhost");
    const c = new Endpoint(conn);
    const s = new Endpoint(new UnbufferedServerConnection(server));
    c.pendingWrites.push(new Uint8Array([1]));
    s.pendingWrites.push(new Uint8Array([2]));
    await runPair(c, s);
    if (c.receivedBytes()[0] !== 2 || s.receivedBytes()[0] !== 1) throw new Error("no handshake");
    return conn.handshakeKind;
  };
  if (resumed) await one(); // the first session to resume
  return async (count) => {
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      const kind = await one();
      if (kind !== (resumed ? "Resumed" : "Full")) throw new Error(`${kind} handshake`);
    }
    return performance.now() - t0;
  };
}

function denoNative(m: Material): { run: Runner; close(): void } {
  const listener = Deno.listenTls({
    hostname: "127.0.0.1",
    port: 0,
    cert: m.certPem,
    key: m.keyPem,
  });
  const { port } = listener.addr;
  const caCerts = [m.caPem];
  const serve = async (conn: Deno.TlsConn) => {
    try {
      const b = new Uint8Array(1);
      await conn.read(b);
      await conn.write(new Uint8Array([2]));
    } catch {
      /* the client went away */
    } finally {
      try {
        conn.close();
      } catch { /* closed */ }
    }
  };
  (async () => {
    for await (const conn of listener) serve(conn);
  })().catch(() => {});
  return {
    run: async (count) => {
      const t0 = performance.now();
      for (let i = 0; i < count; i++) {
        // TCP_NODELAY first (Deno.connectTls has no such option): otherwise
        // Nagle holds the data behind the client's Finished for a delayed ACK.
        const tcp = await Deno.connect({ hostname: "127.0.0.1", port });
        tcp.setNoDelay(true);
        const c = await Deno.startTls(tcp, { hostname: "localhost", caCerts });
        await c.write(new Uint8Array([1]));
        const b = new Uint8Array(1);
        await c.read(b);
        if (b[0] !== 2) throw new Error("no echo");
        c.close();
      }
      return performance.now() - t0;
    },
    close: () => listener.close(),
  };
}

const node = new Deno.Command("node", {
  args: [new URL("./_handshake_node_worker.mjs", import.meta.url).pathname, dir],
  stdin: "piped",
  stdout: "piped",
}).spawn();
const nodeIn = node.stdin.getWriter();
const nodeLines = node.stdout.pipeThrough(new TextDecoderStream()).getReader();
let nodeBuffered = "";
let lastNodeCpuMs = 0;
async function nodeRun(name: string, count: number): Promise<number> {
  await nodeIn.write(new TextEncoder().encode(`${name} ${count}\n`));
  while (!nodeBuffered.includes("\n")) {
    const { value, done } = await nodeLines.read();
    if (done) throw new Error("node worker exited");
    nodeBuffered += value;
  }
  const at = nodeBuffered.indexOf("\n");
  const line = nodeBuffered.slice(0, at);
  nodeBuffered = nodeBuffered.slice(at + 1);
  const [ms, cpu] = line.split(" ").map(Number);
  lastNodeCpuMs = cpu;
  return ms;
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const load = () => Deno.loadavg().map((l) => l.toFixed(2)).join(" ");

try {
  const loadBefore = load();
  for (const [name, m] of material) {
    for (const resumed of [false, true]) {
      const runners: Record<string, Runner> = { ours: await ours(m, resumed) };
      if (beforeTree) runners.before = await ours(m, resumed, beforeTree);
      if (!resumed) runners.deno = denoNative(m).run;
      runners.node = (n) => nodeRun(`${name}${resumed ? "-resumed" : ""}`, n);
      // Warm-up, not counted.
      for (const r of Object.values(runners)) await r(10);
      // Handshakes per second of wall time, and per second of CPU time (user +
      // system of the process doing the batch: this one, or Node's child),
      // which the load of other jobs on the machine disturbs much less.
      const rates: Record<string, number[]> = {};
      const perCpu: Record<string, number[]> = {};
      for (const impl of Object.keys(runners)) rates[impl] = [];
      for (const impl of Object.keys(runners)) perCpu[impl] = [];
      // The order rotates every round: no implementation always runs first.
      const order = Object.entries(runners);
      for (let r = 0; r < rounds; r++) {
        for (let k = 0; k < order.length; k++) {
          const [impl, run] = order[(r + k) % order.length];
          const cpu0 = process.cpuUsage();
          const wallMs = await run(batch);
          const used = process.cpuUsage(cpu0);
          const cpuMs = impl === "node" ? lastNodeCpuMs : (used.user + used.system) / 1000;
          rates[impl].push(batch / (wallMs / 1000));
          perCpu[impl].push(batch / (cpuMs / 1000));
        }
      }
      const ratio = (a: string, b: string) => median(rates[a].map((o, i) => o / rates[b][i]));
      const cpuRatio = (a: string, b: string) => median(perCpu[a].map((o, i) => o / perCpu[b][i]));
      const kind = resumed ? "resumed" : "full";
      console.log(`X25519 + ${name}, ${kind}, ${rounds} rounds of ${batch} handshakes each:`);
      for (const [impl, rs] of Object.entries(rates)) {
        console.log(
          `  ${impl.padEnd(6)} median ${median(rs).toFixed(0)}/s (min ${
            Math.min(...rs).toFixed(0)
          }, max ${Math.max(...rs).toFixed(0)}); ${
            (1000 / median(perCpu[impl])).toFixed(2)
          } ms CPU per handshake`,
        );
      }
      const pairs = Object.keys(rates).filter((k) => k !== "ours").map((k) => ["ours", k]);
      if (beforeTree) pairs.push(["before", "node"]);
      console.log(
        `  wall: ${pairs.map(([a, b]) => `${a} / ${b} ${ratio(a, b).toFixed(2)}`).join(", ")}`,
      );
      console.log(
        `  per CPU second: ${
          pairs.map(([a, b]) => `${a} / ${b} ${cpuRatio(a, b).toFixed(2)}`).join(", ")
        } (medians of per-round ratios)`,
      );
    }
  }
  console.log(`load average before ${loadBefore}, after ${load()}`);
} finally {
  await nodeIn.write(new TextEncoder().encode("quit\n")).catch(() => {});
  await nodeIn.close().catch(() => {});
  await node.status;
  await Deno.remove(dir, { recursive: true });
  Deno.exit(0);
}
