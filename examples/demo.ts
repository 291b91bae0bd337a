/**
 * The kerneltls story end to end, on 127.0.0.1 with no arguments:
 *
 * 1. make a throw-away CA and server certificate (Web Crypto);
 * 2. start a TLS echo server: Deno's own `Deno.listenTls` (rustls);
 * 3. connect with our sans-IO client and finish the TLS 1.3 handshake;
 * 4. hand the traffic keys off (`dangerousIntoKernelConnection`) to a
 *    `KernelRecordLayer` that now does all the record work;
 * 5. move data, rotate keys with KeyUpdate, take the server's session tickets;
 * 6. connect again and resume with one of those tickets.
 *
 * Run: deno task demo
 */

import { ClientConfig, RootCertStore, UnbufferedClientConnection } from "../mod.ts";
import type { InMemoryClientSessionStore } from "../mod.ts";
import { KernelRecordLayer } from "../src/kernel/record_layer.ts";
import { testPki } from "./_certgen.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const step = (n: number, text: string) => console.log(`${n}. ${text}`);
const detail = (text: string) => console.log(`     ${text}`);

// 1. Certificates.
const { ca, leaf } = await testPki(["localhost", "127.0.0.1"]);
step(1, `made a test CA and a certificate for "localhost" (ECDSA P-256, Web Crypto)`);

// 2. A rustls echo server.
const listener = Deno.listenTls({
  hostname: "127.0.0.1",
  port: 0,
  cert: leaf.certPem,
  key: leaf.keyPem,
  alpnProtocols: ["kerneltls-demo"],
});
const { port } = listener.addr as Deno.NetAddr;
const serving = (async () => {
  for await (const conn of listener) {
    (async () => {
      const buf = new Uint8Array(16384);
      try {
        for (;;) {
          const n = await conn.read(buf);
          if (n === null) break;
          await conn.write(buf.subarray(0, n));
        }
      } catch { /* the demo client closed */ }
      conn.close();
    })();
  }
})();
step(2, `Deno.listenTls (rustls) echo server on 127.0.0.1:${port}`);

const config = new ClientConfig({
  roots: RootCertStore.fromPem(ca.certPem),
  alpnProtocols: ["kerneltls-demo"],
  enableSecretExtraction: true,
});

/** Drives the handshake over `tcp` until the connection is idle and open. */
async function handshake(tcp: Deno.TcpConn): Promise<UnbufferedClientConnection> {
  const conn = await UnbufferedClientConnection.create(config, "localhost");
  let incoming = new Uint8Array(0);
  const readBuf = new Uint8Array(16384);
  let failure: unknown;
  for (;;) {
    let status;
    try {
      status = await conn.processTlsRecords(incoming);
    } catch (e) {
      // The first rejection queued the fatal alert: go round once more to send it.
      if (failure !== undefined) throw failure;
      failure = e;
      continue;
    }
    const { discard, state } = status;
    incoming = incoming.subarray(discard);
    if (state.kind === "EncodeTlsData") {
      const out = new Uint8Array(state.requiredSize);
      await tcp.write(out.subarray(0, await state.encode(out)));
    } else if (state.kind === "TransmitTlsData") {
      state.done();
    } else if (state.kind === "WriteTraffic") {
      return conn;
    } else if (state.kind === "BlockedHandshake") {
      const n = await tcp.read(readBuf);
      if (n === null) throw new Error("server closed during the handshake");
      const merged = new Uint8Array(incoming.length + n);
      merged.set(incoming);
      merged.set(readBuf.subarray(0, n), incoming.length);
      incoming = merged;
    } else {
      throw new Error(`unexpected state ${state.kind}`);
    }
  }
}

/** Reads until `layer` yields application data (handling tickets and KeyUpdates). */
async function readData(tcp: Deno.TcpConn, layer: KernelRecordLayer): Promise<string> {
  const buf = new Uint8Array(16384);
  for (;;) {
    const n = await tcp.read(buf);
    if (n === null) throw new Error("server closed");
    const { data, toSend } = await layer.open(buf.slice(0, n));
    if (toSend.length > 0) await tcp.write(toSend);
    if (data.length > 0) return data.map((d) => decoder.decode(d)).join("");
  }
}

// 3. Handshake.
const tcp = await Deno.connect({ hostname: "127.0.0.1", port });
const conn = await handshake(tcp);
step(3, "TLS 1.3 handshake done with our UnbufferedClientConnection");
detail(
  `${conn.negotiatedCipherSuite?.name}, ${conn.negotiatedKeyExchangeGroup?.name}, ` +
    `ALPN ${conn.alpnProtocol}, ${conn.handshakeKind} handshake, ` +
    `${conn.peerCertificates?.length} certificate(s) verified`,
);

// 4. Hand-off.
const { secrets, connection } = await conn.dangerousIntoKernelConnection();
const layer = await KernelRecordLayer.create(structuredClone(secrets), connection);
step(4, "handed the keys to a KernelRecordLayer (the unbuffered connection is now spent)");
detail(
  `tx: ${secrets.tx.secrets.kind}, seq ${secrets.tx.seq}; rx: seq ${secrets.rx.seq}; ` +
    `key ${secrets.tx.secrets.key.length} bytes, iv ${secrets.tx.secrets.iv.length} bytes ` +
    `(never printed); confidentiality limit ${connection.negotiatedCipherSuite.confidentialityLimit} records`,
);

// 5. Data, KeyUpdate, tickets.
await tcp.write(await layer.seal(encoder.encode("hello through the kernel record layer")));
detail(`echo: "${await readData(tcp, layer)}"`);
await tcp.write(await layer.keyUpdate(true));
await tcp.write(await layer.seal(encoder.encode("after our KeyUpdate")));
detail(`echo: "${await readData(tcp, layer)}"`);
const stats = layer.stats;
step(5, "data both ways, then a KeyUpdate that asked the server to update too");
detail(
  `key generations: tx ${stats.txKeyUpdates}, rx ${stats.rxKeyUpdates}; ` +
    `records sealed ${stats.recordsSealed}, opened ${stats.recordsOpened}; ` +
    `session tickets stored after the hand-off: ${stats.ticketsHandled}`,
);
await tcp.write(await layer.closeNotify());
tcp.close();

// 6. Resumption.
const tcp2 = await Deno.connect({ hostname: "127.0.0.1", port });
const conn2 = await handshake(tcp2);
const store = config.sessionStore as InMemoryClientSessionStore;
step(
  6,
  `second connection: ${conn2.handshakeKind} handshake (${conn2.negotiatedCipherSuite?.name})`,
);
detail(`tickets left in the client's store: ${store.ticketCount("localhost")}`);
tcp2.close();

listener.close();
await serving.catch(() => {});
console.log("done.");
