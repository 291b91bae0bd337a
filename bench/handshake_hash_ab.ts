// Full handshakes with the provider's SHA-2/HMAC on Web Crypto (the old
// default) against "auto" (pure HMAC, hash by size), interleaved one by one so
// that load on a shared machine hits both alike. Prints median and mean per
// key type. Run: deno run -A bench/handshake_hash_ab.ts [rounds=200]
import { ClientConfig } from "../src/client/config.ts";
import { ServerConfig } from "../src/server/config.ts";
import { UnbufferedClientConnection, UnbufferedServerConnection } from "../src/conn/unbuffered.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { webCryptoProvider } from "../src/crypto/webcrypto/provider.ts";
import { testPki } from "../examples/_certgen.ts";
import { TestPki } from "../tests/_pki.ts";
import { Endpoint, runPair } from "../tests/_pair.ts";
const rounds = Number(Deno.args[0] ?? 200);
const pki = await testPki(["localhost"]);
const tp = new TestPki();
const edCa = tp.root("ab Ed25519 CA", "ed25519");
const edLeaf = tp.leaf(edCa, "DNS:localhost", { alg: "ed25519" });
const ed = {
  ca: edCa.der,
  chain: await Deno.readTextFile(edLeaf.certPath),
  key: await Deno.readTextFile(edLeaf.keyPath),
};
tp.cleanup();
interface Setup {
  client: ClientConfig;
  server: ServerConfig;
}

async function setup(
  mode: "auto" | "webcrypto",
  ca: Uint8Array,
  chain: string,
  key: string,
): Promise<Setup> {
  const provider = await webCryptoProvider({ hash: mode });
  const roots = new RootCertStore();
  roots.add(ca);
  return {
    client: new ClientConfig({ roots, kxGroups: [0x1d], resumption: false, provider }),
    server: new ServerConfig({
      certificateChain: chain,
      privateKey: key,
      kxGroups: [0x1d],
      provider,
    }),
  };
}
async function hs(s: Setup): Promise<void> {
  const c = new Endpoint(await UnbufferedClientConnection.create(s.client, "localhost"));
  const v = new Endpoint(new UnbufferedServerConnection(s.server));
  c.pendingWrites.push(new Uint8Array([1]));
  v.pendingWrites.push(new Uint8Array([2]));
  await runPair(c, v);
}
for (
  const [label, ca, chain, key] of [["P-256", pki.ca.certDer, pki.leaf.certPem, pki.leaf.keyPem], [
    "Ed25519",
    ed.ca,
    ed.chain,
    ed.key,
  ]] as const
) {
  const A = await setup("webcrypto", ca, chain, key);
  const B = await setup("auto", ca, chain, key);
  const ta: number[] = [], tb: number[] = [];
  for (let i = 0; i < 20; i++) {
    await hs(A);
    await hs(B);
  }
  for (let i = 0; i < rounds; i++) {
    let t = performance.now();
    await hs(A);
    ta.push(performance.now() - t);
    t = performance.now();
    await hs(B);
    tb.push(performance.now() - t);
  }
  const med = (x: number[]) => x.sort((a, b) => a - b)[x.length >> 1];
  const mean = (x: number[]) => x.reduce((a, b) => a + b) / x.length;
  console.log(
    `${label}: webcrypto median ${med(ta).toFixed(2)} ms mean ${mean(ta).toFixed(2)} (${
      (1000 / mean(ta)).toFixed(0)
    }/s) | auto median ${med(tb).toFixed(2)} ms mean ${mean(tb).toFixed(2)} (${
      (1000 / mean(tb)).toFixed(0)
    }/s)`,
  );
}
