// Handshake rates of kerneltls trees side by side in one process (ours only,
// in memory, X25519, no resumption), interleaved: each round runs a batch of
// every tree in turn for each key type, so all see the same load. For A/B of
// checkouts, e.g. `git worktree add --detach /tmp/base main`, then
//   deno run -A bench/handshake_tree_ab.ts [rounds] [batch] /tmp/base "$PWD"
// Prints per tree and key type the median rate with min and max, and the
// median of the per-round ratios to the first tree. Runs under Deno and Bun
// (`bun bench/handshake_tree_ab.ts ...`).
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import process from "node:process";

const args = process.argv.slice(2);
const rounds = Number(args[0] ?? 10);
const batch = Number(args[1] ?? 40);
const roots = args.slice(2);
if (roots.length === 0) roots.push(new URL("..", import.meta.url).pathname);

type Runner = (n: number) => Promise<number>;

async function treeRunners(root: string): Promise<Record<string, Runner>> {
  const { ClientConfig } = await import(`${root}/src/client/config.ts`);
  const { ServerConfig } = await import(`${root}/src/server/config.ts`);
  const { UnbufferedClientConnection, UnbufferedServerConnection } = await import(
    `${root}/src/conn/unbuffered.ts`
  );
  const { RootCertStore } = await import(`${root}/src/webpki/root_store.ts`);
  const { Endpoint, runPair } = await import(`${root}/tests/_pair.ts`);
  const { TestPki } = await import(`${root}/tests/_pki.ts`);
  const pki = new TestPki();
  const out: Record<string, Runner> = {};
  for (const alg of ["p256", "ed25519"] as const) {
    const ca = pki.root(`ab ${alg} CA`, alg);
    const leaf = pki.leaf(ca, "DNS:localhost", { alg });
    const store = new RootCertStore();
    store.add(ca.der);
    const client = new ClientConfig({ roots: store, kxGroups: [0x1d], resumption: false });
    const server = new ServerConfig({
      certificateChain: readFileSync(leaf.certPath, "utf8"),
      privateKey: readFileSync(leaf.keyPath, "utf8"),
      kxGroups: [0x1d],
      resumption: false,
    });
    out[alg] = async (n) => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        const c = new Endpoint(await UnbufferedClientConnection.create(client, "localhost"));
        const s = new Endpoint(new UnbufferedServerConnection(server));
        c.pendingWrites.push(new Uint8Array([1]));
        s.pendingWrites.push(new Uint8Array([2]));
        await runPair(c, s);
        if (c.receivedBytes()[0] !== 2 || s.receivedBytes()[0] !== 1) throw new Error("failed");
      }
      return n / ((performance.now() - t0) / 1000);
    };
  }
  pki.cleanup();
  return out;
}

const trees = await Promise.all(roots.map(treeRunners));
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");
const loadBefore = load();
for (const alg of ["p256", "ed25519"]) {
  for (const t of trees) await t[alg](10); // warm-up
  const rates = trees.map(() => [] as number[]);
  // The order rotates every round: no tree always runs first.
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < trees.length; k++) {
      const i = (r + k) % trees.length;
      rates[i].push(await trees[i][alg](batch));
    }
  }
  console.log(`X25519 + ${alg}, ${rounds} rounds of ${batch}:`);
  roots.forEach((root, i) => {
    const ratio = median(rates[i].map((x, k) => x / rates[0][k]));
    console.log(
      `  ${median(rates[i]).toFixed(0).padStart(5)}/s (min ${
        Math.min(...rates[i]).toFixed(0)
      }, max ${Math.max(...rates[i]).toFixed(0)}) x${ratio.toFixed(2)}  ${root}`,
    );
  });
}
console.log(`load average before ${loadBefore}, after ${load()}`);
