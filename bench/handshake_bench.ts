// Full TLS 1.3 handshakes per second: our client and server in memory, through
// the public unbuffered API, X25519 with an ECDSA P-256 and with an Ed25519
// certificate (the client verifies the chain against a CA). Before the
// benchmarks it runs one handshake per key type with every crypto.subtle method
// wrapped, and prints the Web Crypto calls per handshake and the time spent in
// them. Run: deno bench -A bench/handshake_bench.ts (or bench/run_handshakes.sh)
// HASH=webcrypto|pure|auto picks the provider's SHA-2/HMAC engine (default:
// the default provider, which is "auto"), to compare before and after.
import { ClientConfig } from "../src/client/config.ts";
import { ServerConfig } from "../src/server/config.ts";
import { UnbufferedClientConnection, UnbufferedServerConnection } from "../src/conn/unbuffered.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { webCryptoProvider } from "../src/crypto/webcrypto/provider.ts";
import { testPki } from "../examples/_certgen.ts";
import { Endpoint, runPair } from "../tests/_pair.ts";
import { TestPki } from "../tests/_pki.ts";

interface Setup {
  client: ClientConfig;
  server: ServerConfig;
}

const hashMode = Deno.env.get("HASH") as "auto" | "webcrypto" | "pure" | undefined;
const provider = hashMode ? await webCryptoProvider({ hash: hashMode }) : undefined;
if (hashMode) console.log(`SHA-2/HMAC engine: ${hashMode}`);

function configs(caDer: Uint8Array, chainPem: string, keyPem: string): Setup {
  const roots = new RootCertStore();
  roots.add(caDer);
  return {
    // No tickets stored or used: every handshake is a full one.
    client: new ClientConfig({ roots, kxGroups: [0x1d], resumption: false, provider }),
    server: new ServerConfig({
      certificateChain: chainPem,
      privateKey: keyPem,
      kxGroups: [0x1d],
      provider,
    }),
  };
}

// ECDSA P-256: CA and leaf made with Web Crypto.
const webPki = await testPki(["localhost"]);
const p256 = configs(webPki.ca.certDer, webPki.leaf.certPem, webPki.leaf.keyPem);

// Ed25519 leaf under an Ed25519 CA, made with openssl (files removed at once).
const pki = new TestPki();
const edCa = pki.root("kerneltls bench Ed25519 CA", "ed25519");
const edLeaf = pki.leaf(edCa, "DNS:localhost", { alg: "ed25519" });
const ed25519 = configs(
  edCa.der,
  await Deno.readTextFile(edLeaf.certPath),
  await Deno.readTextFile(edLeaf.keyPath),
);
pki.cleanup();

/** One full handshake plus one byte each way; throws if it did not complete. */
async function handshake(setup: Setup): Promise<void> {
  const client = new Endpoint(await UnbufferedClientConnection.create(setup.client, "localhost"));
  const server = new Endpoint(new UnbufferedServerConnection(setup.server));
  client.pendingWrites.push(new Uint8Array([1]));
  server.pendingWrites.push(new Uint8Array([2]));
  await runPair(client, server);
  if (client.receivedBytes()[0] !== 2 || server.receivedBytes()[0] !== 1) {
    throw new Error("handshake did not complete");
  }
}

// --- Web Crypto accounting --------------------------------------------------

interface Tally {
  calls: number;
  ms: number;
}
const tallies = new Map<string, Tally>();
let counting = false;

function algName(a: unknown): string {
  if (typeof a === "string") return a;
  if (a && typeof a === "object" && "name" in a) {
    const o = a as { name: string; namedCurve?: string; hash?: unknown };
    const detail = o.namedCurve ?? (o.hash ? algName(o.hash) : undefined);
    return detail ? `${o.name}/${detail}` : o.name;
  }
  return "?";
}

const subtle = crypto.subtle as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
for (
  const method of [
    "importKey",
    "exportKey",
    "sign",
    "verify",
    "deriveBits",
    "digest",
    "encrypt",
    "decrypt",
    "generateKey",
  ]
) {
  const original = subtle[method].bind(crypto.subtle);
  subtle[method] = async (...args: unknown[]) => {
    if (!counting) return original(...args);
    // importKey(format, keyData, algorithm, ...): the algorithm is the third argument.
    const alg = method === "importKey" ? args[2] : method === "exportKey" ? "key" : args[0];
    const label = `${method} ${algName(alg)}`;
    const t0 = performance.now();
    try {
      return await original(...args);
    } finally {
      const t = tallies.get(label) ?? { calls: 0, ms: 0 };
      t.calls++;
      t.ms += performance.now() - t0;
      tallies.set(label, t);
    }
  };
}

async function account(name: string, setup: Setup): Promise<void> {
  const runs = 20;
  await handshake(setup); // warm-up, not counted
  tallies.clear();
  counting = true;
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) await handshake(setup);
  const wall = (performance.now() - t0) / runs;
  counting = false;
  const rows = [...tallies].sort((a, b) => b[1].ms - a[1].ms);
  const calls = rows.reduce((s, [, t]) => s + t.calls, 0) / runs;
  const inCrypto = rows.reduce((s, [, t]) => s + t.ms, 0) / runs;
  console.log(
    `\n${name}: ${wall.toFixed(2)} ms per handshake (client + server), ` +
      `${calls} Web Crypto calls, ${inCrypto.toFixed(2)} ms awaiting them`,
  );
  for (const [label, t] of rows) {
    console.log(
      `  ${label.padEnd(28)} ${(t.calls / runs).toString().padStart(5)} calls  ` +
        `${(t.ms / runs).toFixed(3).padStart(7)} ms  ${
          (t.ms / t.calls * 1000).toFixed(0).padStart(5)
        } µs/call`,
    );
  }
}

await account("X25519 + ECDSA P-256", p256);
await account("X25519 + Ed25519", ed25519);

Deno.bench(
  { name: "full handshake, X25519 + ECDSA P-256", group: "handshake", baseline: true },
  async () => {
    await handshake(p256);
  },
);
Deno.bench({ name: "full handshake, X25519 + Ed25519", group: "handshake" }, async () => {
  await handshake(ed25519);
});
