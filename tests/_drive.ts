// Socket driving for interop tests, client or server side. The record loop
// itself is the SocketDriver of _client_drive.ts (generic over any unbuffered
// connection); this adds the server half: a loopback listener that hands each
// accepted socket to a connection. Every wait is bounded.
import { createServer, type Server, type Socket } from "node:net";
import assert from "node:assert/strict";
import { DEFAULT_TIMEOUT_MS, type DrivenConnection, SocketDriver } from "./_client_drive.ts";
import type { PeerProcess } from "./peers/_spawn.ts";

export { DEFAULT_TIMEOUT_MS, type DrivenConnection, SocketDriver };

/** Wraps an already connected socket: the same loop for client and server connections. */
export function driveConnection(conn: DrivenConnection, socket: Socket): SocketDriver {
  socket.setNoDelay(true);
  return new SocketDriver(conn, socket);
}

/** A TCP listener on 127.0.0.1 and a free port; accepted sockets queue up. */
export class LoopbackListener {
  readonly server: Server;
  readonly #sockets: Socket[] = [];
  #wake: (() => void) | undefined;

  private constructor(server: Server) {
    this.server = server;
    server.on("connection", (socket: Socket) => {
      this.#sockets.push(socket);
      const wake = this.#wake;
      this.#wake = undefined;
      wake?.();
    });
  }

  /** Starts listening on 127.0.0.1, port chosen by the system. */
  static listen(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<LoopbackListener> {
    return new Promise((resolve, reject) => {
      const server = createServer();
      const timer = setTimeout(() => {
        server.close();
        reject(new Error("listen timed out"));
      }, timeoutMs);
      server.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      server.listen(0, "127.0.0.1", () => {
        clearTimeout(timer);
        resolve(new LoopbackListener(server));
      });
    });
  }

  /** The port listened on. */
  get port(): number {
    const addr = this.server.address();
    if (addr === null || typeof addr === "string") throw new Error("listener is not bound");
    return addr.port;
  }

  /** The next accepted socket, driven by `conn`; rejects after `timeoutMs`. */
  async accept(conn: DrivenConnection, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<SocketDriver> {
    if (this.#sockets.length === 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.#wake = undefined;
          reject(new Error(`no connection within ${timeoutMs} ms`));
        }, timeoutMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return driveConnection(conn, this.#sockets.shift()!);
  }

  /** Stops listening and drops sockets not yet accepted. */
  close(): Promise<void> {
    for (const s of this.#sockets.splice(0)) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

let lineCounter = 0;

/**
 * One line from a command-line peer (`openssl s_client`, `gnutls-cli`) to
 * us, checked byte for byte, then one line back, awaited in its output.
 */
export async function exchangeLines(driver: SocketDriver, peer: PeerProcess): Promise<void> {
  const token = `${(lineCounter++).toString(36)}-${Math.random().toString(36).slice(2)}`;
  const c2s = `client-to-server ${token}\n`;
  driver.take();
  peer.send(c2s);
  assert.deepEqual(await driver.readAtLeast(c2s.length), new TextEncoder().encode(c2s));
  driver.take();
  const s2c = `server-to-client ${token}\n`;
  const mark = peer.output.length;
  await driver.write(s2c);
  await peer.waitFor(s2c, { from: mark });
}
