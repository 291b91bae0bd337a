// A server that binds every interface (selfserv, gnutls-serv), run in a
// private network namespace (`unshare -n`) so it is reachable from nowhere
// else, behind a relay (tests/peers/namespace_relay.mjs) that joins a Unix
// socket in our file system to its 127.0.0.1 port in there. Our side
// connects to the Unix socket and drives the connection with the same loop
// as TCP peers.
import { spawnSync } from "node:child_process";
import { connect } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { DEFAULT_TIMEOUT_MS, type DrivenConnection, SocketDriver } from "../_drive.ts";
import { peerMissing, PeerProcess } from "./_spawn.ts";

const RELAY = fileURLToPath(new URL("./namespace_relay.mjs", import.meta.url));
/** The server's port inside its namespace: nothing else is there to clash with it. */
export const NAMESPACE_PORT = 4433;

/**
 * Undefined when node (for the relay) and network namespaces are
 * available, else a skip message; under CI=true a missing piece throws.
 */
export function namespaceMissing(): string | undefined {
  const missing = peerMissing("node") ?? peerMissing("unshare");
  if (missing) return missing;
  const probe = spawnSync("unshare", ["-n", "true"], { stdio: "ignore", timeout: 5000 });
  if (probe.status === 0) return undefined;
  const msg = "unshare -n is not permitted here (needs a network namespace); skipping";
  if (process.env.CI === "true") throw new Error(`${msg} (CI=true)`);
  return msg;
}

/** Quotes `s` for bash. */
export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** A running server in its own network namespace, reached through a Unix socket. */
export class NamespacedServer {
  readonly proc: PeerProcess;
  /** The Unix socket that reaches the server. */
  readonly socketPath: string;
  readonly #dir: string;

  private constructor(proc: PeerProcess, dir: string) {
    this.proc = proc;
    this.#dir = dir;
    this.socketPath = join(dir, "server.sock");
  }

  /**
   * Runs `command` (argv; it must listen on {@link NAMESPACE_PORT}) in a
   * fresh namespace with its output unbuffered, and waits until it accepts.
   */
  static async start(command: string[]): Promise<NamespacedServer> {
    const dir = mkdtempSync(join(tmpdir(), "kerneltls-ns-"));
    const script = [
      "set -e",
      "ip link set lo up",
      // stdbuf: the server's reports go through stdio.
      `stdbuf -o0 ${command.map(shellQuote).join(" ")} >&2 &`,
      "SRV=$!",
      `trap 'kill $SRV 2>/dev/null' EXIT`,
      `node ${shellQuote(RELAY)} ${shellQuote(join(dir, "server.sock"))} ${NAMESPACE_PORT}`,
    ].join("\n");
    const server = new NamespacedServer(
      PeerProcess.group("unshare", ["-n", "bash", "-c", script]),
      dir,
    );
    try {
      await server.proc.waitFor("RELAY READY");
    } catch (e) {
      await server.stop();
      throw e;
    }
    return server;
  }

  /** Connects `conn` to the server and drives it. */
  connect(conn: DrivenConnection, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<SocketDriver> {
    return new Promise((resolve, reject) => {
      const socket = connect({ path: this.socketPath });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error("connect to the namespaced server timed out"));
      }, timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        resolve(new SocketDriver(conn, socket));
      });
      socket.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  /** Everything the server (and the relay) printed. */
  get output(): string {
    return this.proc.output;
  }

  /** Stops the server and the relay (by process group) and removes the socket dir. */
  async stop(): Promise<void> {
    await this.proc.stop();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
