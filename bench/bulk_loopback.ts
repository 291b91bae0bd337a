// Loopback bulk throughput, one direction, two processes per transfer: ours
// (TlsStream at both ends, and after the kernel hand-off with KernelRecordLayer
// at both ends) beside Node's native tls (OpenSSL), Deno's native TLS
// (rustls) and plain Deno TCP, interleaved round by round in one run.
// Run: deno run -A bench/bulk_loopback.ts [MiB per transfer (256)] [rounds (5)] [case regex]
// Besides MB/s it reports CPU time per MB at each end (user + system of the
// process: the receiver up to its last byte, the sender up to its last write).
import { testPki } from "../examples/_certgen.ts";

const mib = Number(Deno.args[0] ?? 256);
const rounds = Number(Deno.args[1] ?? 5);
const only = new RegExp(Deno.args[2] ?? "");
const bytes = mib * 1024 * 1024;
const here = new URL(".", import.meta.url).pathname;

interface Case {
  name: string;
  server: string[];
  client: (port: number) => string[];
}

const deno = (role: string, mode: string) => [
  "deno",
  "run",
  "-A",
  `${here}_bulk_peer.ts`,
  role,
  mode,
  String(bytes),
  dir,
];

const dir = await Deno.makeTempDir({ prefix: "kerneltls-bulk-" });
const { ca, leaf } = await testPki(["localhost", "127.0.0.1"]);
await Deno.writeTextFile(`${dir}/cert.pem`, leaf.certPem);
await Deno.writeTextFile(`${dir}/key.pem`, leaf.keyPem);
await Deno.writeTextFile(`${dir}/ca.pem`, ca.certPem);

const bun = (role: string, mode: string) => [
  "bun",
  `${here}_bulk_peer_bun.ts`,
  role,
  mode,
  String(bytes),
  dir,
];

function ours(mode: string, suite: number, label: string, runtime = "deno"): Case {
  const peer = runtime === "bun" ? bun : deno;
  return {
    server: peer("server", mode),
    client: (port) => [...peer("client", mode), String(port), String(suite)],
    name: `ours${runtime === "bun" ? " on Bun" : ""}, ${label}, ${
      {
        "ours-stream": "TlsStream",
        "ours-kernel": "KernelRecordLayer",
        "ours-stream-batch": "TlsStream, writeBatchSize 1 MiB",
        "ours-kernel-batch": "KernelRecordLayer, sender batching writes",
      }[mode]
    }`,
  };
}

function node(cipher: string, label: string): Case {
  const script = `${here}_bulk_peer_node.mjs`;
  return {
    name: `Node native tls, ${label}`,
    server: ["node", script, "server", String(bytes), dir],
    client: (port) => ["node", script, "client", String(bytes), dir, String(port), cipher],
  };
}

const cases: Case[] = ([
  ours("ours-stream", 0x1301, "AES-128-GCM"),
  ours("ours-kernel", 0x1301, "AES-128-GCM"),
  ours("ours-stream", 0x1303, "ChaCha20-Poly1305"),
  ours("ours-kernel", 0x1303, "ChaCha20-Poly1305"),
  ours("ours-stream-batch", 0x1301, "AES-128-GCM"),
  ours("ours-kernel-batch", 0x1301, "AES-128-GCM"),
  ours("ours-stream-batch", 0x1303, "ChaCha20-Poly1305"),
  ours("ours-kernel-batch", 0x1303, "ChaCha20-Poly1305"),
  ours("ours-stream", 0x1301, "AES-128-GCM", "bun"),
  ours("ours-kernel", 0x1301, "AES-128-GCM", "bun"),
  ours("ours-stream", 0x1303, "ChaCha20-Poly1305", "bun"),
  ours("ours-kernel", 0x1303, "ChaCha20-Poly1305", "bun"),
  node("TLS_AES_128_GCM_SHA256", "AES-128-GCM"),
  node("TLS_CHACHA20_POLY1305_SHA256", "ChaCha20-Poly1305"),
  {
    name: "Deno native TLS (rustls), its default suite",
    server: deno("server", "deno-native"),
    client: (port) => [...deno("client", "deno-native"), String(port)],
  },
  {
    name: "plain TCP, Bun, node:net through Duplex.toWeb",
    server: bun("server", "tcp"),
    client: (port) => [...bun("client", "tcp"), String(port)],
  },
  {
    name: "plain TCP, Deno",
    server: deno("server", "tcp"),
    client: (port) => [...deno("client", "tcp"), String(port)],
  },
  {
    name: "plain TCP, Deno, conn.read() into one 256 KiB buffer",
    server: deno("server", "tcp-read"),
    client: (port) => [...deno("client", "tcp-read"), String(port)],
  },
] as Case[]).filter((c) => only.test(c.name));

async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let text = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    text += chunk;
    let nl;
    while ((nl = text.indexOf("\n")) >= 0) {
      yield text.slice(0, nl);
      text = text.slice(nl + 1);
    }
  }
}

interface Run {
  mbps: number;
  /** CPU ms per MB: receiver, sender. */
  rxCpu: number;
  txCpu: number;
}

async function cpuLine(out: AsyncGenerator<string>): Promise<number> {
  for await (const line of out) {
    const m = line.match(/CPU (\d+)/);
    if (m) return Number(m[1]) / (bytes / 1e6);
  }
  return NaN;
}

async function once(c: Case): Promise<Run> {
  const server = new Deno.Command(c.server[0], {
    args: c.server.slice(1),
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const out = lines(server.stdout);
  const port = Number((await out.next()).value?.match(/PORT (\d+)/)?.[1]);
  const client = new Deno.Command(c.client(port)[0], {
    args: c.client(port).slice(1),
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const txCpu = cpuLine(lines(client.stdout));
  try {
    for await (const line of out) {
      const m = line.match(/MBPS ([\d.]+)/);
      if (m) return { mbps: Number(m[1]), rxCpu: await cpuLine(out), txCpu: await txCpu };
    }
    throw new Error(`${c.name}: the server ended without a result`);
  } finally {
    try {
      client.kill("SIGKILL");
    } catch { /* gone */ }
    await client.status;
    await server.status;
  }
}

const loadBefore = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
const results = new Map<string, Run[]>(cases.map((c) => [c.name, []]));
for (let r = 0; r < rounds; r++) {
  // Rotate the order each round, so no case always runs first or last.
  for (let i = 0; i < cases.length; i++) {
    const c = cases[(i + r) % cases.length];
    results.get(c.name)!.push(await once(c));
  }
}
const loadAfter = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
await Deno.remove(dir, { recursive: true });

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const nodeRuns = results.get("Node native tls, AES-128-GCM");
const nodeAes = nodeRuns ? median(nodeRuns.map((r) => r.mbps)) : NaN;
console.log(
  `${mib} MiB per transfer, 64 KiB writes, ${rounds} rounds; load ${loadBefore} -> ${loadAfter}\n`,
);
console.log(
  "| path | MB/s median | min - max | vs Node AES-128-GCM | CPU ms/MB receiver | CPU ms/MB sender |",
);
console.log("| --- | --- | --- | --- | --- | --- |");
for (const c of cases) {
  const runs = results.get(c.name)!;
  const xs = runs.map((r) => r.mbps);
  const m = median(xs);
  console.log(
    `| ${c.name} | ${m.toFixed(0)} | ${Math.min(...xs).toFixed(0)} - ${
      Math.max(...xs).toFixed(0)
    } | ${(m / nodeAes).toFixed(2)}x | ${median(runs.map((r) => r.rxCpu)).toFixed(1)} | ${
      median(runs.map((r) => r.txCpu)).toFixed(1)
    } |`,
  );
}
