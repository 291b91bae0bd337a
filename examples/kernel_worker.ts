/**
 * Handshake on the main thread, data plane in a Worker.
 *
 * 1. A local TLS echo server (`Deno.listenTls`, i.e. rustls) with a throw-away
 *    certificate.
 * 2. Our sans-IO client finishes the TLS 1.3 handshake over a plain TCP
 *    socket, then `dangerousIntoKernelConnection()` hands the keys off.
 * 3. The `ExtractedSecrets` are plain data: they go to a Worker with
 *    `postMessage`, where `kernel_worker_thread.ts` runs a `KernelRecordLayer`.
 *
 * Who owns what:
 * - The main thread keeps the socket (a Deno socket cannot move to a Worker)
 *   and the `KernelConnection` (a class with private state: not cloneable).
 *   It forwards ciphertext both ways and answers the Worker's requests to
 *   move a traffic secret forward or to store a session ticket.
 * - The Worker owns every record: sealing, opening, sequence numbers,
 *   KeyUpdate handling, alerts, close_notify, the confidentiality limit.
 *
 * Run: deno run -A examples/kernel_worker.ts
 *
 * @module
 */

import { ClientConfig, RootCertStore, UnbufferedClientConnection } from "../mod.ts";
import type { ClientKernelConnection, InMemoryClientSessionStore } from "../mod.ts";
import { testPki } from "./_certgen.ts";
import type { FromWorker, ProxiedMethod, ToWorker } from "./kernel_worker_thread.ts";
import type { DirectionSecrets, KernelRecordLayerStats } from "../src/kernel/record_layer.ts";

/** What the demo did, for printing and for tests. */
export interface KernelWorkerSummary {
  /** The suite that was negotiated. */
  suite: string;
  /** Lines echoed back through the Worker's record layer. */
  echoed: string[];
  /** Connection calls the Worker asked the main thread to make. */
  calls: Record<string, number>;
  /** Tickets in the client's session store afterwards. */
  ticketsStored: number;
  /** The Worker layer's last counters. */
  stats: KernelRecordLayerStats | undefined;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const WAIT_MS = 10_000;
/**
 * Starting the Worker may take much longer than a protocol step: under
 * `deno test` its module graph is type-checked when it starts, from cold in
 * a fresh checkout.
 */
const START_MS = 120_000;

/** Drives the handshake over `tcp` until the connection can be handed off. */
async function handshake(
  client: UnbufferedClientConnection,
  tcp: Deno.Conn,
): Promise<Uint8Array> {
  let incoming: Uint8Array = new Uint8Array(0);
  const out = new Uint8Array(65536);
  const buf = new Uint8Array(16384);
  let failure: unknown;
  for (let guard = 0; guard < 1000; guard++) {
    let status;
    try {
      status = await client.processTlsRecords(incoming);
    } catch (e) {
      // The first rejection queued the fatal alert: go round once more to send it.
      if (failure !== undefined) throw failure;
      failure = e;
      continue;
    }
    const { discard, state } = status;
    let consumed = discard;
    switch (state.kind) {
      case "EncodeTlsData":
        await tcp.write(out.subarray(0, await state.encode(out)));
        break;
      case "TransmitTlsData":
        state.done();
        break;
      case "ReadTraffic":
        for (let r = state.nextRecord(); r; r = state.nextRecord()) consumed += r.discard;
        break;
      case "WriteTraffic":
        return incoming.slice(consumed); // not processed: the record layer's now
      case "BlockedHandshake": {
        incoming = incoming.subarray(consumed);
        const n = await tcp.read(buf);
        if (n === null) throw new Error("server closed during the handshake");
        const grown = new Uint8Array(incoming.length + n);
        grown.set(incoming);
        grown.set(buf.subarray(0, n), incoming.length);
        incoming = grown;
        continue;
      }
      default:
        throw new Error(`handshake ended in ${state.kind}`);
    }
    incoming = incoming.subarray(consumed);
  }
  throw new Error("handshake made no progress");
}

/** Runs the whole story and returns what happened. */
export async function runKernelWorkerDemo(log: (line: string) => void = () => {}): Promise<
  KernelWorkerSummary
> {
  const { ca, leaf } = await testPki(["localhost", "127.0.0.1"]);
  const listener = Deno.listenTls({
    hostname: "127.0.0.1",
    port: 0,
    cert: leaf.certPem,
    key: leaf.keyPem,
  });
  const serving = (async () => {
    for await (const conn of listener) {
      (async () => {
        const b = new Uint8Array(16384);
        try {
          for (let n = await conn.read(b); n !== null; n = await conn.read(b)) {
            await conn.write(b.subarray(0, n));
          }
        } catch { /* the client went away */ }
        conn.close();
      })();
    }
  })().catch(() => {});

  const config = new ClientConfig({
    roots: RootCertStore.fromPem(ca.certPem),
    enableSecretExtraction: true,
  });
  const tcp = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  const worker = new Worker(new URL("./kernel_worker_thread.ts", import.meta.url).href, {
    type: "module",
  });
  const summary: KernelWorkerSummary = {
    suite: "",
    echoed: [],
    calls: {},
    ticketsStored: 0,
    stats: undefined,
  };
  try {
    const client = await UnbufferedClientConnection.create(config, "localhost");
    const leftover = await handshake(client, tcp);
    const { secrets, connection } = await client.dangerousIntoKernelConnection();
    summary.suite = connection.negotiatedCipherSuite.name;
    log(`handshake done (${summary.suite}); keys handed off`);

    let received = "";
    let closed = false;
    let started = false;
    let failure: string | undefined;
    let wake: () => void = () => {};
    let writing: Promise<unknown> = Promise.resolve();
    const post = (msg: ToWorker) => worker.postMessage(msg);
    worker.onmessage = async (event: MessageEvent<FromWorker>) => {
      const msg = event.data;
      switch (msg.type) {
        case "send": // ciphertext from the Worker, written in arrival order
          writing = writing.then(() => tcp.write(msg.bytes)).catch(() => {});
          break;
        case "data":
          received += decoder.decode(msg.bytes);
          break;
        case "call":
          summary.calls[msg.method] = (summary.calls[msg.method] ?? 0) + 1;
          try {
            const value = await callConnection(connection, msg.method, msg.body);
            post({ type: "reply", id: msg.id, value });
          } catch (e) {
            post({ type: "reply", id: msg.id, error: String(e) });
          }
          break;
        case "stats":
          summary.stats = msg.stats;
          break;
        case "closed":
          closed = true;
          break;
        case "peerClosed":
          break;
        case "error":
          failure = msg.message;
          break;
        case "ready":
          started = true;
          break;
      }
      wake();
    };
    const until = async (done: () => boolean, what: string, ms = WAIT_MS) => {
      const deadline = Date.now() + ms;
      while (!done()) {
        if (failure) throw new Error(`worker failed: ${failure}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out while ${what}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    };

    // Plain data crosses the thread boundary; the connection object does not.
    post({
      type: "init",
      secrets,
      protocolVersion: connection.protocolVersion,
      suite: connection.negotiatedCipherSuite,
      tickets: true,
    });
    await until(() => started, "starting the worker", START_MS);
    if (leftover.length > 0) post({ type: "net", bytes: leftover });
    const pumping = (async () => {
      const b = new Uint8Array(65536);
      try {
        for (let n = await tcp.read(b); n !== null; n = await tcp.read(b)) {
          post({ type: "net", bytes: b.slice(0, n) });
        }
      } catch { /* closed below */ }
    })();

    const echo = async (line: string) => {
      received = "";
      post({ type: "write", bytes: encoder.encode(line) });
      await until(() => received === line, `waiting for the echo of ${JSON.stringify(line)}`);
      summary.echoed.push(line);
      log(`echoed through the worker: ${JSON.stringify(line)}`);
    };
    await echo("hello from a Worker's record layer");
    // rustls answers update_requested with its next write: the echo.
    post({ type: "keyUpdate", requestPeer: true });
    await echo("after the key update");
    await until(
      () => (summary.calls.updateRxSecret ?? 0) >= 1,
      "waiting for the server's KeyUpdate",
    );
    log(`KeyUpdate both ways; connection calls from the worker: ${JSON.stringify(summary.calls)}`);
    await until(
      () => (summary.calls.handleNewSessionTicket ?? 0) >= 1,
      "waiting for a session ticket",
    );
    summary.ticketsStored = (config.sessionStore as InMemoryClientSessionStore).ticketCount(
      "localhost",
    );
    log(`session tickets stored by the main thread: ${summary.ticketsStored}`);
    post({ type: "close" });
    await until(() => closed, "sending close_notify");
    await writing;
    log(`closed; worker stats ${JSON.stringify(summary.stats)}`);
    tcp.close();
    await pumping;
  } finally {
    worker.terminate();
    try {
      tcp.close();
    } catch { /* already closed */ }
    listener.close();
    await serving;
  }
  return summary;
}

async function callConnection(
  connection: ClientKernelConnection,
  method: ProxiedMethod,
  body: Uint8Array | undefined,
): Promise<DirectionSecrets | undefined> {
  if (method === "handleNewSessionTicket") {
    await connection.handleNewSessionTicket(body!);
    return undefined;
  }
  return await connection[method]();
}

if (import.meta.main) {
  const summary = await runKernelWorkerDemo(console.log);
  console.log(`suite ${summary.suite}, ${summary.echoed.length} lines echoed`);
}
