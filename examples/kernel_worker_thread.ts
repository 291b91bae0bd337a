/**
 * The Worker half of `kernel_worker.ts`: a {@link KernelRecordLayer} built from
 * secrets received with `postMessage`. It never touches the socket (Deno
 * cannot transfer one to a Worker): ciphertext comes in as `net` messages and
 * goes out as `send` messages, in the order the layer produced it.
 *
 * The `KernelConnection` is a class with private state, so it cannot be
 * cloned; it stays on the main thread. Here a small proxy stands in for it:
 * each `updateTxSecret` / `updateRxSecret` / `handleNewSessionTicket` call
 * becomes a `call` message, and the main thread answers with a `reply`
 * carrying plain-data `DirectionSecrets`. Key updates are rare, so the round
 * trip costs nothing measurable, and the main thread's connection stays the
 * single owner of the traffic secrets and the session store.
 *
 * @module
 */

import {
  type DirectionSecrets,
  type ExtractedSecrets,
  type KernelCipherSuite,
  type KernelConnectionLike,
  KernelRecordLayer,
  type KernelRecordLayerStats,
} from "../src/kernel/record_layer.ts";
import { TlsError } from "../src/error.ts";

/** Messages the main thread sends to the Worker. */
export type ToWorker =
  | {
    type: "init";
    secrets: ExtractedSecrets;
    protocolVersion: "TLSv1_3" | "TLSv1_2";
    suite: KernelCipherSuite;
    /** Whether the connection takes session tickets (client kernels). */
    tickets: boolean;
  }
  | { type: "net"; bytes: Uint8Array }
  | { type: "write"; bytes: Uint8Array }
  | { type: "keyUpdate"; requestPeer: boolean }
  | { type: "close" }
  | { type: "reply"; id: number; value?: DirectionSecrets; error?: string };

/** The connection methods the Worker asks the main thread to run. */
export type ProxiedMethod = "updateTxSecret" | "updateRxSecret" | "handleNewSessionTicket";

/** Messages the Worker sends to the main thread. */
export type FromWorker =
  | { type: "ready" }
  | { type: "send"; bytes: Uint8Array }
  | { type: "data"; bytes: Uint8Array }
  | { type: "call"; id: number; method: ProxiedMethod; body?: Uint8Array }
  | { type: "peerClosed" }
  | { type: "closed" }
  | { type: "stats"; stats: KernelRecordLayerStats }
  | { type: "error"; message: string; alert?: number };

interface WorkerScope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
}
const scope = globalThis as unknown as WorkerScope;

let nextId = 1;
const waiting = new Map<number, (reply: Extract<ToWorker, { type: "reply" }>) => void>();

function call(method: ProxiedMethod, body?: Uint8Array): Promise<DirectionSecrets | undefined> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, (reply) => reply.error ? reject(new Error(reply.error)) : resolve(reply.value));
    scope.postMessage({ type: "call", id, method, body });
  });
}

function proxy(init: Extract<ToWorker, { type: "init" }>): KernelConnectionLike {
  const conn: KernelConnectionLike = {
    protocolVersion: init.protocolVersion,
    negotiatedCipherSuite: init.suite,
    updateTxSecret: async () => (await call("updateTxSecret"))!,
    updateRxSecret: async () => (await call("updateRxSecret"))!,
  };
  if (init.tickets) {
    conn.handleNewSessionTicket = async (body) => {
      await call("handleNewSessionTicket", body);
    };
  }
  return conn;
}

let layer: KernelRecordLayer | undefined;
// Set synchronously on "init", so messages that arrive while the keys import wait for it.
let ready: Promise<KernelRecordLayer> = new Promise(() => {});
let reading: Promise<void> = Promise.resolve();

function send(bytes: Uint8Array): void {
  if (bytes.length > 0) scope.postMessage({ type: "send", bytes }, [bytes.buffer as ArrayBuffer]);
}

async function fail(e: unknown): Promise<void> {
  const alert = e instanceof TlsError ? e.alert : undefined;
  scope.postMessage({ type: "error", message: e instanceof Error ? e.message : String(e), alert });
  if (layer) send(await layer.fatalAlert());
}

async function onMessage(msg: ToWorker): Promise<void> {
  switch (msg.type) {
    case "init":
      ready = KernelRecordLayer.create(msg.secrets, proxy(msg));
      layer = await ready;
      scope.postMessage({ type: "ready" });
      return;
    case "reply":
      waiting.get(msg.id)?.(msg);
      waiting.delete(msg.id);
      return;
    case "net": {
      // Chained so `toSend` and data leave in the order the bytes came in.
      reading = reading.then(async () => {
        const l = await ready;
        const { data, toSend, peerClosed } = await l.open(msg.bytes);
        send(toSend);
        for (const d of data) scope.postMessage({ type: "data", bytes: d });
        if (peerClosed) scope.postMessage({ type: "peerClosed" });
        scope.postMessage({ type: "stats", stats: l.stats });
      }).catch(fail);
      return;
    }
    case "write":
      send(await (await ready).seal(msg.bytes));
      return;
    case "keyUpdate":
      send(await (await ready).keyUpdate(msg.requestPeer));
      return;
    case "close":
      send(await (await ready).closeNotify());
      scope.postMessage({ type: "stats", stats: layer!.stats });
      scope.postMessage({ type: "closed" });
      return;
  }
}

scope.onmessage = (event) => {
  onMessage(event.data).catch(fail);
};
