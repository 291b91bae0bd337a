/**
 * The raw unbuffered server loop: each accepted `Deno.TcpConn` is driven by
 * hand through every `processTlsRecords` state, each one logged. It echoes
 * application data and answers the client's close_notify with its own.
 *
 * Run: deno run -A examples/unbuffered_server.ts [port]
 * It prints the port and a CA file for `unbuffered_client.ts`.
 *
 * @module
 */

import { ServerConfig, UnbufferedServerConnection } from "../mod.ts";
import { testPki } from "./_certgen.ts";

/** Where to listen. */
export interface UnbufferedServerOptions {
  /** Address to bind (default 127.0.0.1). */
  hostname?: string;
  /** Port (default 0: any free port). */
  port?: number;
  /** One line per state (default: silent). */
  log?: (line: string) => void;
}

/** A running server. */
export interface UnbufferedServer {
  /** The bound port. */
  port: number;
  /** The test CA that issued the server's certificate. */
  caPem: string;
  /** The states each finished connection went through, in order. */
  connections: string[][];
  /** Stops accepting and waits for open connections. */
  close(): Promise<void>;
}

/**
 * Starts the server with a fresh test certificate for localhost/127.0.0.1.
 *
 * @example
 * ```ts
 * import { startUnbufferedServer } from "./unbuffered_server.ts";
 * const server = await startUnbufferedServer();
 * console.log(server.port);
 * await server.close();
 * ```
 */
export async function startUnbufferedServer(
  options: UnbufferedServerOptions = {},
): Promise<UnbufferedServer> {
  const log = options.log ?? (() => {});
  const { ca, leaf } = await testPki(["localhost", "127.0.0.1"]);
  const config = new ServerConfig({ certificateChain: leaf.certPem, privateKey: leaf.keyPem });
  const listener = Deno.listen({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
  });
  const connections: string[][] = [];
  const open = new Set<Promise<void>>();

  async function serve(tcp: Deno.TcpConn): Promise<void> {
    const conn = new UnbufferedServerConnection(config);
    const states: string[] = [];
    let incoming = new Uint8Array(0);
    const buf = new Uint8Array(16384);
    const pending: Uint8Array[] = []; // plaintext to echo
    const writeAll = async (bytes: Uint8Array) => {
      for (let off = 0; off < bytes.length;) off += await tcp.write(bytes.subarray(off));
    };
    const readMore = async () => {
      const n = await tcp.read(buf);
      if (n === null) throw new Error("the client closed TCP without close_notify");
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
          // The first rejection queued the fatal alert that tells the client
          // why: go round again to send it; the next rejection ends the loop.
          if (failure !== undefined) throw failure;
          failure = e;
          log(`failed: ${(e as Error).message}; sending the alert`);
          continue;
        }
        const { discard, state } = status;
        let consumed = discard;
        states.push(state.kind);
        log(`state ${state.kind}`);
        switch (state.kind) {
          case "EncodeTlsData": {
            const out = new Uint8Array(state.requiredSize);
            await writeAll(out.subarray(0, await state.encode(out)));
            break;
          }
          case "TransmitTlsData":
            state.done();
            break;
          case "BlockedHandshake":
            await readMore();
            break;
          case "ReadTraffic":
            for (let r = state.nextRecord(); r; r = state.nextRecord()) {
              pending.push(r.payload.slice());
              consumed += r.discard;
              log(`  read ${r.payload.length} bytes`);
            }
            break;
          case "WriteTraffic": {
            const chunk = pending.shift();
            if (chunk) {
              const out = new Uint8Array(chunk.length + 64);
              await writeAll(out.subarray(0, await state.encrypt(chunk, out)));
              log(`  echoed ${chunk.length} bytes`);
            } else {
              incoming = incoming.subarray(consumed);
              await readMore();
              continue;
            }
            break;
          }
          case "PeerClosed": {
            // The client is done sending: echo what is left, then close.
            incoming = incoming.subarray(consumed);
            const next = await conn.processTlsRecords(incoming);
            if (next.state.kind === "WriteTraffic") {
              for (const chunk of pending.splice(0)) {
                const out = new Uint8Array(chunk.length + 64);
                await writeAll(out.subarray(0, await next.state.encrypt(chunk, out)));
              }
              const out = new Uint8Array(64);
              await writeAll(out.subarray(0, await next.state.queueCloseNotify(out)));
              log("  sent close_notify");
            }
            return;
          }
          case "Closed":
            return;
          default:
            // ReadEarlyData: this server does not enable 0-RTT.
            throw new Error(`unexpected state ${state.kind}`);
        }
        incoming = incoming.subarray(consumed);
      }
    } catch (e) {
      log(`error: ${(e as Error).message}`);
    } finally {
      connections.push(states);
      tcp.close();
    }
  }

  const accepting = (async () => {
    for await (const tcp of listener) {
      const done = serve(tcp);
      open.add(done);
      done.finally(() => open.delete(done));
    }
  })();

  return {
    port: (listener.addr as Deno.NetAddr).port,
    caPem: ca.certPem,
    connections,
    async close(): Promise<void> {
      listener.close();
      await accepting.catch(() => {});
      await Promise.allSettled([...open]);
    },
  };
}

if (import.meta.main) {
  const server = await startUnbufferedServer({
    port: Deno.args[0] ? Number(Deno.args[0]) : 0,
    log: console.log,
  });
  const caPath = await Deno.makeTempFile({ suffix: "-kerneltls-ca.pem" });
  await Deno.writeTextFile(caPath, server.caPem);
  console.log(`unbuffered echo server on 127.0.0.1:${server.port}`);
  console.log(`try: deno run -A examples/unbuffered_client.ts ${server.port} ${caPath}`);
}
