/**
 * The raw unbuffered client loop: every `processTlsRecords` state handled by
 * hand over a `Deno.TcpConn`, each one logged. This is what `TlsStream` does
 * for you; read it to drive the engine from any other I/O.
 *
 * Run: deno run -A examples/unbuffered_client.ts [port CA.pem [server-name]]
 * With no arguments it starts `unbuffered_server.ts` in-process and talks to it.
 *
 * @module
 */

import { ClientConfig, RootCertStore, UnbufferedClientConnection } from "../mod.ts";
import { startUnbufferedServer } from "./unbuffered_server.ts";

/** Where to connect and what to send. */
export interface UnbufferedClientOptions {
  /** Host to dial (default 127.0.0.1). */
  hostname?: string;
  /** Port to dial. */
  port: number;
  /** Name to verify the certificate against (default "localhost"). */
  serverName?: string;
  /** Trust anchors, PEM. */
  caPem: string;
  /** Message to send (default "hello, unbuffered"). */
  message?: string;
  /** One line per state (default: silent). */
  log?: (line: string) => void;
}

/**
 * Connects, sends `message`, reads until the server's close_notify, and
 * returns what the server sent back plus the states seen, in order.
 *
 * @example
 * ```ts
 * import { runUnbufferedClient } from "./unbuffered_client.ts";
 * const caPem = await Deno.readTextFile("ca.pem");
 * const { received } = await runUnbufferedClient({ port: 4433, caPem });
 * console.log(received);
 * ```
 */
export async function runUnbufferedClient(
  options: UnbufferedClientOptions,
): Promise<{ received: string; states: string[] }> {
  const log = options.log ?? (() => {});
  const states: string[] = [];
  const config = new ClientConfig({ roots: RootCertStore.fromPem(options.caPem) });
  const conn = await UnbufferedClientConnection.create(config, options.serverName ?? "localhost");
  const tcp = await Deno.connect({ hostname: options.hostname ?? "127.0.0.1", port: options.port });
  const message = new TextEncoder().encode(options.message ?? "hello, unbuffered");
  const decoder = new TextDecoder();
  let received = "";
  let sent = false;
  let closeQueued = false;
  let incoming = new Uint8Array(0);
  const buf = new Uint8Array(16384);
  const writeAll = async (bytes: Uint8Array) => {
    for (let off = 0; off < bytes.length;) off += await tcp.write(bytes.subarray(off));
  };
  const readMore = async () => {
    const n = await tcp.read(buf);
    if (n === null) throw new Error("the server closed TCP without close_notify");
    const merged = new Uint8Array(incoming.length + n);
    merged.set(incoming);
    merged.set(buf.subarray(0, n), incoming.length);
    incoming = merged;
  };

  let failure: unknown;
  try {
    for (;;) {
      let status;
      try {
        status = await conn.processTlsRecords(incoming);
      } catch (e) {
        // The first rejection queued the fatal alert that tells the server
        // why: go round again to send it; the next rejection ends the loop.
        if (failure !== undefined) throw failure;
        failure = e;
        continue;
      }
      const { discard, state } = status;
      let consumed = discard;
      states.push(state.kind);
      log(`state ${state.kind}`);
      switch (state.kind) {
        case "EncodeTlsData": {
          // A handshake message to encode into records; TransmitTlsData follows.
          const out = new Uint8Array(state.requiredSize);
          await writeAll(out.subarray(0, await state.encode(out)));
          break;
        }
        case "TransmitTlsData":
          // Everything encoded so far is on the wire.
          state.done();
          break;
        case "BlockedHandshake":
          // The handshake needs the peer's next flight.
          await readMore();
          break;
        case "ReadTraffic":
          for (let r = state.nextRecord(); r; r = state.nextRecord()) {
            received += decoder.decode(r.payload, { stream: true });
            consumed += r.discard;
            log(`  read ${r.payload.length} bytes`);
          }
          break;
        case "WriteTraffic": {
          // Handshake done: we may send; to receive we must read more bytes.
          if (!sent) {
            const out = new Uint8Array(message.length + 64);
            await writeAll(out.subarray(0, await state.encrypt(message, out)));
            sent = true;
            log(`  sent ${message.length} bytes`);
          } else if (received.length >= message.length && !closeQueued) {
            const out = new Uint8Array(64);
            await writeAll(out.subarray(0, await state.queueCloseNotify(out)));
            closeQueued = true;
            log("  sent close_notify");
          } else {
            incoming = incoming.subarray(consumed);
            await readMore();
            continue;
          }
          break;
        }
        case "Closed":
          // Our close_notify is out; wait for the server's.
          incoming = incoming.subarray(consumed);
          await readMore();
          continue;
        case "PeerClosed":
          log(`${conn.protocolVersion} ${conn.negotiatedCipherSuite?.name}: done`);
          return { received, states };
        default:
          // ReadEarlyData / MayEncryptEarlyData: not used by this client.
          throw new Error(`unexpected state ${state.kind}`);
      }
      incoming = incoming.subarray(consumed);
    }
  } finally {
    tcp.close();
  }
}

if (import.meta.main) {
  const [port, caPath, serverName] = Deno.args;
  if (port && caPath) {
    const caPem = await Deno.readTextFile(caPath);
    const { received } = await runUnbufferedClient({
      port: Number(port),
      caPem,
      serverName,
      log: console.log,
    });
    console.log(`received: "${received}"`);
  } else {
    const server = await startUnbufferedServer({ log: (l) => console.log(`[server] ${l}`) });
    const { received } = await runUnbufferedClient({
      port: server.port,
      caPem: server.caPem!,
      log: (l) => console.log(`[client] ${l}`),
    });
    console.log(`received: "${received}"`);
    await server.close();
  }
}
