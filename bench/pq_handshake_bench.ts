// Full TLS 1.3 handshakes per second in memory, our client and server through
// the public unbuffered API: X25519MLKEM768 (Web Crypto ML-KEM and pure
// TypeScript ML-KEM on both sides) against X25519 alone. Ed25519 leaf under an
// Ed25519 CA, so signatures cost little and the key exchange shows. Every
// handshake is a full one (no tickets) and moves one byte each way.
// Run: deno bench -A bench/pq_handshake_bench.ts
import { ClientConfig } from "../src/client/config.ts";
import { ServerConfig } from "../src/server/config.ts";
import { UnbufferedClientConnection, UnbufferedServerConnection } from "../src/conn/unbuffered.ts";
import { webCryptoProvider } from "../src/crypto/webcrypto/provider.ts";
import { detectWebCryptoMlKem } from "../src/crypto/hybrid.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { Endpoint, runPair } from "../tests/_pair.ts";
import { TestPki } from "../tests/_pki.ts";

const X25519 = 0x1d;
const HYBRID = 0x11ec;

const pki = new TestPki();
const ca = pki.root("kerneltls PQ bench CA", "ed25519");
const leaf = pki.leaf(ca, "DNS:localhost", { alg: "ed25519" });
const chainPem = await Deno.readTextFile(leaf.certPath);
const keyPem = await Deno.readTextFile(leaf.keyPath);
pki.cleanup();

interface Setup {
  client: ClientConfig;
  server: ServerConfig;
  group: number;
}

function setup(group: number, mlkem: "webcrypto" | "pure"): Setup {
  const roots = new RootCertStore();
  roots.add(ca.der);
  const provider = webCryptoProvider({ mlkem });
  return {
    client: new ClientConfig({ roots, provider, kxGroups: [group], resumption: false }),
    server: new ServerConfig({
      certificateChain: chainPem,
      privateKey: keyPem,
      provider,
      kxGroups: [group],
    }),
    group,
  };
}

/** One full handshake plus one byte each way; throws if anything is off. */
async function handshake(s: Setup): Promise<void> {
  const clientConn = await UnbufferedClientConnection.create(s.client, "localhost");
  const client = new Endpoint(clientConn);
  const server = new Endpoint(new UnbufferedServerConnection(s.server));
  client.pendingWrites.push(new Uint8Array([1]));
  server.pendingWrites.push(new Uint8Array([2]));
  await runPair(client, server);
  if (client.receivedBytes()[0] !== 2 || server.receivedBytes()[0] !== 1) {
    throw new Error("handshake did not complete");
  }
  if (clientConn.negotiatedKeyExchangeGroup?.group !== s.group) {
    throw new Error("unexpected group negotiated");
  }
}

const x25519Only = setup(X25519, "webcrypto");
const hybridPure = setup(HYBRID, "pure");
const hasWebCrypto = await detectWebCryptoMlKem();
const hybridWebCrypto = hasWebCrypto ? setup(HYBRID, "webcrypto") : undefined;
if (!hasWebCrypto) console.warn("no ML-KEM-768 in this runtime's Web Crypto: that case is skipped");

// A fixed count per row, so the rows are comparable on a noisy machine.
const FIXED = { n: 400, warmup: 40 };

// Warm up each path once (provider detection, module JIT) and fail early.
for (const s of [x25519Only, hybridPure, hybridWebCrypto]) if (s) await handshake(s);

Deno.bench(
  { name: "full handshake, X25519 alone", group: "pq-handshake", baseline: true, ...FIXED },
  async () => {
    await handshake(x25519Only);
  },
);
Deno.bench(
  { name: "full handshake, X25519MLKEM768, Web Crypto ML-KEM", group: "pq-handshake", ...FIXED },
  async () => {
    if (hybridWebCrypto) await handshake(hybridWebCrypto);
  },
);
Deno.bench(
  { name: "full handshake, X25519MLKEM768, pure ML-KEM", group: "pq-handshake", ...FIXED },
  async () => {
    await handshake(hybridPure);
  },
);
