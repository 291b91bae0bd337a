// Memory per idle established TLS 1.3 connection: ours (both ends in memory
// through the public unbuffered API), Deno's native TLS (rustls, over
// 127.0.0.1) and Node's native tls (OpenSSL, over 127.0.0.1), each in its own
// process. Every connection has finished a full handshake (X25519, ECDSA
// P-256, AES-128-GCM, no tickets) and moved one byte each way, then sits idle.
// Reported per connection end: growth of RSS and of the JS heap (used +
// external) from before the first connection to after the last, after GC.
// Run: deno run -A --v8-flags=--expose-gc bench/idle_memory.ts [connections]
import { ClientConfig } from "../src/client/config.ts";
import { ServerConfig } from "../src/server/config.ts";
import { UnbufferedClientConnection, UnbufferedServerConnection } from "../src/conn/unbuffered.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { testPki } from "../examples/_certgen.ts";
import { Endpoint, runPair } from "../tests/_pair.ts";

const n = Number(Deno.args[1] ?? Deno.args[0] ?? 500);
const mode = Deno.args.length > 1 ? Deno.args[0] : "all";

interface Sample {
  rss: number;
  heap: number;
}

function sample(): Sample {
  (globalThis as { gc?: () => void }).gc?.();
  const m = Deno.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed + m.external };
}

function report(name: string, before: Sample, after: Sample, ends: number): void {
  const kib = (b: number) => (b / ends / 1024).toFixed(1);
  console.log(
    JSON.stringify({
      name,
      ends,
      rssKiB: kib(after.rss - before.rss),
      heapKiB: kib(after.heap - before.heap),
    }),
  );
}

const pki = await testPki(["localhost"]);

async function ours(): Promise<void> {
  const roots = new RootCertStore();
  roots.add(pki.ca.certDer);
  const client = new ClientConfig({ roots, kxGroups: [0x1d], resumption: false });
  const server = new ServerConfig({
    certificateChain: pki.leaf.certPem,
    privateKey: pki.leaf.keyPem,
    kxGroups: [0x1d],
    resumption: false,
  });
  // One warm-up connection so code and configs are loaded before the baseline.
  const held: unknown[] = [];
  const one = async () => {
    const c = new Endpoint(await UnbufferedClientConnection.create(client, "localhost"));
    const s = new Endpoint(new UnbufferedServerConnection(server));
    c.pendingWrites.push(new Uint8Array([1]));
    s.pendingWrites.push(new Uint8Array([2]));
    await runPair(c, s);
    if (c.receivedBytes()[0] !== 2 || s.receivedBytes()[0] !== 1) throw new Error("no handshake");
    // Only the connections are kept: the driver's buffers are not the engine's.
    return [c.conn, s.conn];
  };
  await one();
  const before = sample();
  for (let i = 0; i < n; i++) held.push(await one());
  report("ours (kerneltls, Deno, in memory)", before, sample(), 2 * n);
  if (held.length !== n) throw new Error("lost connections");
  // What RSS keeps once the connections are gone: heap the handshakes' garbage
  // grew, which V8 does not give back, not memory the idle connections hold.
  held.length = 0;
  report("ours, after dropping every connection", before, sample(), 2 * n);
}

async function denoNative(): Promise<void> {
  const listener = Deno.listenTls({
    hostname: "127.0.0.1",
    port: 0,
    cert: pki.leaf.certPem,
    key: pki.leaf.keyPem,
  });
  const port = listener.addr.port;
  const caCerts = [pki.ca.certPem];
  const held: unknown[] = [];
  const one = async () => {
    const [c, s] = await Promise.all([
      Deno.connectTls({ hostname: "localhost", port, caCerts }).then(async (c) => {
        await c.handshake();
        return c;
      }),
      listener.accept().then(async (s) => {
        await s.handshake();
        return s;
      }),
    ]);
    const buf = new Uint8Array(1);
    await c.write(new Uint8Array([1]));
    await s.read(buf);
    await s.write(new Uint8Array([2]));
    await c.read(buf);
    return [c, s];
  };
  held.push(await one());
  const before = sample();
  for (let i = 0; i < n; i++) held.push(await one());
  report("Deno native TLS (rustls)", before, sample(), 2 * n);
  for (const pair of held as Deno.TlsConn[][]) for (const c of pair) c.close();
  listener.close();
}

async function node(): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/ca.pem`, pki.ca.certPem);
    await Deno.writeTextFile(`${dir}/leaf.pem`, pki.leaf.certPem);
    await Deno.writeTextFile(`${dir}/leaf.key`, pki.leaf.keyPem);
    const script = new URL("./_idle_memory_node.mjs", import.meta.url).pathname;
    const out = await new Deno.Command("node", { args: ["--expose-gc", script, dir, String(n)] })
      .output();
    if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
    Deno.stdout.writeSync(out.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function child(which: string): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--v8-flags=--expose-gc",
      new URL(import.meta.url).pathname,
      which,
      String(n),
    ],
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  Deno.stdout.writeSync(out.stdout);
}

if (mode === "ours") await ours();
else if (mode === "deno") await denoNative();
else {
  console.log(`${n} idle connections (${2 * n} ends) per implementation`);
  await child("ours");
  await child("deno");
  await node();
}
