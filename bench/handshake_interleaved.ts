// Full TLS 1.3 handshake rates, ours beside Deno's native TLS (rustls) and
// Node's native tls (OpenSSL), interleaved: each round runs a batch of every
// implementation for every key type, so all of them see the same load.
// X25519, AES-128-GCM, the client verifying a CA-signed leaf (ECDSA P-256 under
// a P-256 CA; Ed25519 under an Ed25519 CA), no resumption, one byte each way.
// Ours: client and server in this process, in memory through the public API;
// Deno native: Deno.listenTls / Deno.connectTls in this process over
// 127.0.0.1; Node: a child process over 127.0.0.1 (_handshake_node_worker.mjs).
// Prints per implementation the median rate over the rounds and its spread,
// and the median of the per-round ratios ours / Node and ours / Deno.
// Run: deno run -A bench/handshake_interleaved.ts [rounds] [handshakes per batch]
import { ClientConfig } from "../src/client/config.ts";
import { ServerConfig } from "../src/server/config.ts";
import { UnbufferedClientConnection, UnbufferedServerConnection } from "../src/conn/unbuffered.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { Endpoint, runPair } from "../tests/_pair.ts";
import { TestPki } from "../tests/_pki.ts";

const rounds = Number(Deno.args[0] ?? 8);
const batch = Number(Deno.args[1] ?? 40);

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

function ours(m: Material): Runner {
  const roots = new RootCertStore();
  roots.add(m.caDer);
  const client = new ClientConfig({ roots, kxGroups: [0x1d], resumption: false });
  const server = new ServerConfig({
    certificateChain: m.certPem,
    privateKey: m.keyPem,
    kxGroups: [0x1d],
    resumption: false,
  });
  return async (count) => {
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      const c = new Endpoint(await UnbufferedClientConnection.create(client, "localhost"));
      const s = new Endpoint(new UnbufferedServerConnection(server));
      c.pendingWrites.push(new Uint8Array([1]));
      s.pendingWrites.push(new Uint8Array([2]));
      await runPair(c, s);
      if (c.receivedBytes()[0] !== 2 || s.receivedBytes()[0] !== 1) throw new Error("no handshake");
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
  return Number(line);
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const load = () => Deno.loadavg().map((l) => l.toFixed(2)).join(" ");

try {
  const loadBefore = load();
  for (const [name, m] of material) {
    const runners: Record<string, Runner> = {
      ours: ours(m),
      deno: denoNative(m).run,
      node: (n) => nodeRun(name, n),
    };
    // Warm-up, not counted.
    for (const r of Object.values(runners)) await r(10);
    const rates: Record<string, number[]> = { ours: [], deno: [], node: [] };
    for (let r = 0; r < rounds; r++) {
      for (const [impl, run] of Object.entries(runners)) {
        rates[impl].push(batch / ((await run(batch)) / 1000));
      }
    }
    const ratio = (other: string) => median(rates.ours.map((o, i) => o / rates[other][i]));
    console.log(`X25519 + ${name}, ${rounds} rounds of ${batch} handshakes each:`);
    for (const [impl, rs] of Object.entries(rates)) {
      console.log(
        `  ${impl.padEnd(5)} median ${median(rs).toFixed(0)}/s (min ${
          Math.min(...rs).toFixed(0)
        }, max ${Math.max(...rs).toFixed(0)})`,
      );
    }
    console.log(
      `  ours / node ${ratio("node").toFixed(2)}, ours / deno ${
        ratio("deno").toFixed(2)
      } (median of per-round ratios)`,
    );
  }
  console.log(`load average before ${loadBefore}, after ${load()}`);
} finally {
  await nodeIn.write(new TextEncoder().encode("quit\n")).catch(() => {});
  await nodeIn.close().catch(() => {});
  await node.status;
  await Deno.remove(dir, { recursive: true });
  Deno.exit(0);
}
