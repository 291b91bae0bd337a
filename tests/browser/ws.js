// In the browser: our client over a WebSocket, through the test's bridge, to
// `openssl s_server -rev`; sends one line and reads the reversed echo. Sets
// `globalThis.__result` for the test to read.
// Served by the test next to this page; a variable, so that `deno check tests/`
// does not try to resolve it on disk.
const BUNDLE = "/kerneltls.mjs";
const { ClientConfig, connectTls, RootCertStore, webSocketTransport } = await import(BUNDLE);

async function main() {
  const params = await (await fetch("/params.json")).json();
  const config = new ClientConfig({ roots: RootCertStore.fromPem(params.caPem) });
  const tls = await connectTls(await webSocketTransport(params.wsUrl), config, "localhost");
  const writer = tls.writable.getWriter();
  await writer.write(new TextEncoder().encode(`${params.line}\n`));
  const reader = tls.readable.getReader();
  const decoder = new TextDecoder();
  let echoed = "";
  while (!echoed.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    echoed += decoder.decode(value, { stream: true });
  }
  const info = {
    protocolVersion: tls.info.protocolVersion,
    suite: tls.info.cipherSuite?.name,
    group: tls.connection.negotiatedKeyExchangeGroup?.name,
    echoed: echoed.trim(),
  };
  await reader.cancel().catch(() => {});
  await writer.abort().catch(() => {});
  return info;
}

main().then(
  (r) => globalThis.__result = { ok: true, ...r },
  (e) => globalThis.__result = { ok: false, error: `${e?.name}: ${e?.message}\n${e?.stack}` },
);
