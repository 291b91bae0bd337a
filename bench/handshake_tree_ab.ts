// Handshake rate of the kerneltls tree at a path (ours only, in memory, X25519
// + ECDSA P-256, no resumption): for A/B runs of two checkouts alternately,
// e.g. `git worktree add /tmp/base main` and then
//   for i in 1 2 3 4; do deno run -A bench/handshake_tree_ab.ts /tmp/base; \
//     deno run -A bench/handshake_tree_ab.ts "$PWD"; done
// Prints handshakes per second over 150 handshakes after 30 of warm-up.
const root = Deno.args[0] ?? new URL("..", import.meta.url).pathname;
const { ClientConfig } = await import(`${root}/src/client/config.ts`);
const { ServerConfig } = await import(`${root}/src/server/config.ts`);
const { UnbufferedClientConnection, UnbufferedServerConnection } = await import(
  `${root}/src/conn/unbuffered.ts`
);
const { RootCertStore } = await import(`${root}/src/webpki/root_store.ts`);
const { Endpoint, runPair } = await import(`${root}/tests/_pair.ts`);
const { testPki } = await import(`${root}/examples/_certgen.ts`);
const pki = await testPki(["localhost"]);
const roots = new RootCertStore();
roots.add(pki.ca.certDer);
const client = new ClientConfig({ roots, kxGroups: [0x1d], resumption: false });
const server = new ServerConfig({
  certificateChain: pki.leaf.certPem,
  privateKey: pki.leaf.keyPem,
  kxGroups: [0x1d],
  resumption: false,
});
async function run(n: number) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const c = new Endpoint(await UnbufferedClientConnection.create(client, "localhost"));
    const s = new Endpoint(new UnbufferedServerConnection(server));
    c.pendingWrites.push(new Uint8Array([1]));
    s.pendingWrites.push(new Uint8Array([2]));
    await runPair(c, s);
  }
  return n / ((performance.now() - t0) / 1000);
}
await run(30);
console.log((await run(150)).toFixed(0));
