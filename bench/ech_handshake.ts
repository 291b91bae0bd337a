// Encrypted Client Hello's cost (issue 18): full TLS 1.3 handshakes between
// our client and our server in memory (X25519, AES-128-GCM, an ECDSA P-256
// leaf the client verifies against its CA; one byte each way), without ECH,
// with ECH accepted (DHKEM(X25519) + HKDF-SHA256 + AES-128-GCM), and with a
// GREASE ECH extension, in the same run. After the bench rows it prints an
// interleaved A/B loop (one handshake of each in turn) for steadier ratios.
// Run: deno bench -A bench/ech_handshake.ts
import { ClientConfig, type ClientConfigOptions } from "../src/client/config.ts";
import { ServerConfig } from "../src/server/config.ts";
import { UnbufferedClientConnection, UnbufferedServerConnection } from "../src/conn/unbuffered.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { generateEchConfig } from "../src/server/ech_keys.ts";
import { testPki } from "../examples/_certgen.ts";
import { Endpoint, runPair } from "../tests/_pair.ts";

const pki = await testPki(["localhost"]);
const roots = new RootCertStore();
roots.add(pki.ca.certDer);
const key = await generateEchConfig({ publicName: "public.example", configId: 1 });
const server = new ServerConfig({
  certificateChain: pki.leaf.certPem,
  privateKey: pki.leaf.keyPem,
  kxGroups: [0x1d],
  cipherSuites: [0x1301],
  ech: { keys: [key] },
});

function client(extra: Partial<ClientConfigOptions>): ClientConfig {
  // No tickets: every handshake is a full one.
  return new ClientConfig({
    roots,
    kxGroups: [0x1d],
    cipherSuites: [0x1301],
    resumption: false,
    ...extra,
  });
}

const plain = client({});
const ech = client({ ech: { configList: key.configList } });
const grease = client({ echGrease: true });

/** One handshake plus a byte each way; throws unless it completed as `accepted` says. */
async function handshake(config: ClientConfig, accepted: boolean | undefined): Promise<void> {
  const conn = await UnbufferedClientConnection.create(config, "localhost");
  const c = new Endpoint(conn);
  const s = new Endpoint(new UnbufferedServerConnection(server));
  c.pendingWrites.push(new Uint8Array([1]));
  s.pendingWrites.push(new Uint8Array([2]));
  await runPair(c, s);
  if (c.receivedBytes()[0] !== 2 || s.receivedBytes()[0] !== 1 || conn.echAccepted !== accepted) {
    throw new Error("handshake did not complete as expected");
  }
}

Deno.bench("full handshake, no ECH", { group: "ech", baseline: true }, async () => {
  await handshake(plain, undefined); // the server has ECH keys, the client offers none
});
Deno.bench("full handshake, ECH accepted", { group: "ech" }, async () => {
  await handshake(ech, true);
});
Deno.bench("full handshake, GREASE ECH", { group: "ech" }, async () => {
  await handshake(grease, undefined);
});

// Interleaved: one of each in turn, so load changes hit all three alike.
const ROUNDS = 150;
const times: Record<string, number[]> = { none: [], ech: [], grease: [] };
for (let i = 0; i < ROUNDS + 5; i++) {
  for (
    const [name, config, accepted] of [
      ["none", plain, undefined],
      ["ech", ech, true],
      ["grease", grease, undefined],
    ] as const
  ) {
    const t0 = performance.now();
    await handshake(config, accepted);
    if (i >= 5) times[name].push(performance.now() - t0); // 5 warm-up rounds
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const base = median(times.none);
for (const [name, xs] of Object.entries(times)) {
  const m = median(xs);
  console.log(
    `interleaved ${name.padEnd(6)} median ${m.toFixed(2)} ms (${(1000 / m).toFixed(0)} /s), ` +
      `${(m / base).toFixed(2)}x the no-ECH handshake`,
  );
}
