/**
 * A WebSocket-to-TCP bridge, so that a browser page (which cannot open raw
 * TCP) can reach a TLS server through our client: the page runs `connectTls`
 * over `webSocketTransport(...)`, and this bridge moves the ciphertext between
 * the WebSocket and a TCP connection. The bridge never sees plaintext.
 *
 * Connect to `ws://HOST:PORT/?target=TARGETHOST:TARGETPORT`. Only targets in
 * `allowedHosts` (default: loopback) are dialed, so it is not an open proxy.
 *
 * Run: deno run -A examples/ws_bridge.ts [port]
 * With no port it also starts our echo server and runs one TLS client
 * through the bridge, as a self-test.
 *
 * @module
 */

import { ClientConfig, RootCertStore } from "../mod.ts";
import { connectTls } from "../src/streams/tls_stream.ts";
import { webSocketTransport } from "./_ws_transport.ts";
import { startEchoServer } from "./echo_server.ts";

/** Bridge settings. */
export interface WsBridgeOptions {
  /** Address to bind (default 127.0.0.1). */
  hostname?: string;
  /** Port (default 0: any free port). */
  port?: number;
  /** Target hosts the bridge may dial (default 127.0.0.1 and localhost). */
  allowedHosts?: string[];
  /** Progress lines (default: silent). */
  log?: (line: string) => void;
}

/** A running bridge. */
export interface WsBridge {
  /** The bound port. */
  port: number;
  /** The WebSocket URL that reaches `host:port` through this bridge. */
  urlFor(host: string, port: number): string;
  /** Stops the bridge. */
  close(): Promise<void>;
}

/**
 * Starts the bridge.
 *
 * @example
 * ```ts
 * import { startWsBridge } from "./ws_bridge.ts";
 * const bridge = await startWsBridge();
 * console.log(bridge.urlFor("127.0.0.1", 4433));
 * await bridge.close();
 * ```
 */
export function startWsBridge(options: WsBridgeOptions = {}): Promise<WsBridge> {
  const log = options.log ?? (() => {});
  const allowed = new Set(options.allowedHosts ?? ["127.0.0.1", "localhost"]);
  const hostname = options.hostname ?? "127.0.0.1";

  function handle(req: Request): Response {
    const target = new URL(req.url).searchParams.get("target") ?? "";
    const m = /^(.+):(\d{1,5})$/.exec(target);
    if (!m || !allowed.has(m[1])) return new Response("target not allowed\n", { status: 403 });
    if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade\n", { status: 426 });
    }
    const { socket, response } = Deno.upgradeWebSocket(req);
    socket.binaryType = "arraybuffer";
    const dialing = Deno.connect({ hostname: m[1], port: Number(m[2]) });
    // Messages can arrive before the TCP connection is up; chain the writes
    // so that they go out in order.
    let writes: Promise<unknown> = dialing;
    socket.onmessage = (ev) => {
      if (!(ev.data instanceof ArrayBuffer)) return;
      const bytes = new Uint8Array(ev.data);
      writes = writes.then(async () => {
        const tcp = await dialing;
        for (let off = 0; off < bytes.length;) off += await tcp.write(bytes.subarray(off));
      }).catch(() => socket.close(1011, "target write failed"));
    };
    socket.onclose = () => {
      writes.finally(() => dialing.then((tcp) => tcp.close()).catch(() => {}));
    };
    dialing.then(async (tcp) => {
      log(`bridge: connected to ${target}`);
      const buf = new Uint8Array(16384);
      try {
        for (;;) {
          const n = await tcp.read(buf);
          if (n === null || socket.readyState !== WebSocket.OPEN) break;
          socket.send(buf.slice(0, n));
        }
      } catch { /* the WebSocket side closed the TCP connection */ }
      if (socket.readyState === WebSocket.OPEN) socket.close(1000, "target closed");
    }, (e) => {
      log(`bridge: cannot reach ${target}: ${(e as Error).message}`);
      socket.close(1011, "target unreachable");
    });
    return response;
  }

  return new Promise((resolve) => {
    const server = Deno.serve({
      hostname,
      port: options.port ?? 0,
      onListen: ({ port }) =>
        resolve({
          port,
          urlFor: (host, targetPort) =>
            `ws://${hostname}:${port}/?target=${encodeURIComponent(`${host}:${targetPort}`)}`,
          close: () => server.shutdown(),
        }),
    }, handle);
  });
}

if (import.meta.main) {
  const bridge = await startWsBridge({
    port: Deno.args[0] ? Number(Deno.args[0]) : 0,
    log: console.log,
  });
  console.log(`WebSocket bridge on ws://127.0.0.1:${bridge.port}/?target=HOST:PORT`);
  if (!Deno.args[0]) {
    // Self-test: our TLS client -> WebSocket -> bridge -> TCP -> echo server.
    const echo = await startEchoServer();
    const config = new ClientConfig({ roots: RootCertStore.fromPem(echo.caPem!) });
    const transport = await webSocketTransport(bridge.urlFor("127.0.0.1", echo.port));
    const tls = await connectTls(transport, config, "localhost");
    console.log(
      `TLS through the bridge: ${tls.info.protocolVersion} ${tls.info.cipherSuite?.name}`,
    );
    const writer = tls.writable.getWriter();
    await writer.write(new TextEncoder().encode("hello through a WebSocket"));
    await writer.close();
    let echoed = "";
    for await (const chunk of tls.readable) echoed += new TextDecoder().decode(chunk);
    console.log(`echoed: "${echoed}"`);
    await echo.close();
    await bridge.close();
  }
}
