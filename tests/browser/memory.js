// In the browser: for each TLS 1.3 suite, client <-> server over in-memory
// streams, hand-off on both sides, then data both ways through
// KernelRecordLayer. Sets `globalThis.__result` for the test to read.
// Served by the test next to this page; a variable, so that `deno check tests/`
// does not try to resolve it on disk.
const BUNDLE = "/kerneltls.mjs";
const {
  acceptTls,
  ClientConfig,
  connectTls,
  KernelRecordLayer,
  RootCertStore,
  ServerConfig,
} = await import(BUNDLE);

const SUITES = [0x1301, 0x1302, 0x1303];

function join(chunks) {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

function same(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

async function runSuite(suite, params) {
  const a = new TransformStream();
  const b = new TransformStream();
  const clientConfig = new ClientConfig({
    roots: RootCertStore.fromPem(params.caPem),
    cipherSuites: [suite],
    enableSecretExtraction: true,
  });
  const serverConfig = new ServerConfig({
    certificateChain: params.certPem,
    privateKey: params.keyPem,
    enableSecretExtraction: true,
  });
  const [c, s] = await Promise.all([
    connectTls({ readable: a.readable, writable: b.writable }, clientConfig, "localhost"),
    acceptTls({ readable: b.readable, writable: a.writable }, serverConfig),
  ]);
  const facts = {
    suite: c.info.cipherSuite?.name,
    serverSuite: s.info.cipherSuite?.name,
    protocolVersion: c.info.protocolVersion,
    group: c.connection.negotiatedKeyExchangeGroup?.name,
    handshakeKind: c.info.handshakeKind,
  };
  const [ch, sh] = await Promise.all([c.handOff(), s.handOff()]);
  const cl = await KernelRecordLayer.create(ch.secrets, ch.connection);
  const sl = await KernelRecordLayer.create(sh.secrets, sh.connection);
  const up = new Uint8Array(20000).map((_, i) => (i * 7 + suite) & 0xff);
  const upWire = await cl.seal(up);
  const upOpened = await sl.open(upWire);
  const down = new TextEncoder().encode(`reply for ${facts.suite}`);
  const downOpened = await cl.open(await sl.seal(down));
  // The wire bytes must not carry the plaintext in the clear.
  const ciphertextDiffers = !same(upWire.subarray(5, 5 + 64), up.subarray(0, 64));
  return {
    ...facts,
    upBytes: up.length,
    upOk: same(join(upOpened.data), up) && ciphertextDiffers,
    downOk: same(join(downOpened.data), down),
    clientTxSeq: String(cl.txSeq),
    serverRxSeq: String(sl.rxSeq),
  };
}

async function main() {
  const params = await (await fetch("/params.json")).json();
  const hasMlKem = await (async () => {
    try {
      await crypto.subtle.generateKey({ name: "ML-KEM-768" }, false, ["encapsulateBits"]);
      return true;
    } catch {
      return false;
    }
  })();
  const suites = [];
  for (const suite of SUITES) suites.push(await runSuite(suite, params));
  return { userAgent: navigator.userAgent, webCryptoMlKem: hasMlKem, suites };
}

main().then(
  (r) => globalThis.__result = { ok: true, ...r },
  (e) => globalThis.__result = { ok: false, error: `${e?.name}: ${e?.message}\n${e?.stack}` },
);
