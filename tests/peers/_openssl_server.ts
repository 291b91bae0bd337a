// `openssl s_server` as a peer: lines on its stdin are sent to the client,
// what the client sends is printed on its stdout.
import assert from "node:assert/strict";
import { PeerProcess } from "./_spawn.ts";
import type { SocketDriver } from "../_client_drive.ts";

/** A running `openssl s_server -tls1_3` on 127.0.0.1 and a free port. */
export class OpenSslServer {
  readonly proc: PeerProcess;
  port = 0;

  private constructor(proc: PeerProcess) {
    this.proc = proc;
  }

  /** Starts the server with extra arguments and waits for its port. */
  static async start(args: string[]): Promise<OpenSslServer> {
    // stdbuf: s_server's status lines (KEYUPDATE, ...) go through stdio,
    // which a pipe would otherwise buffer until the connection ends.
    const proc = new PeerProcess("stdbuf", [
      "-o0",
      "openssl",
      "s_server",
      "-accept",
      "127.0.0.1:0",
      // TLS 1.3 unless the caller names another version.
      ...(args.some((a) => /^-tls1(_\d)?$/.test(a)) ? [] : ["-tls1_3"]),
      ...args,
    ]);
    const server = new OpenSslServer(proc);
    try {
      const m = await proc.waitFor(/ACCEPT 127\.0\.0\.1:(\d+)/) as RegExpMatchArray;
      server.port = Number(m[1]);
    } catch (e) {
      await proc.stop();
      throw e;
    }
    return server;
  }

  /** Everything the server printed. */
  get output(): string {
    return this.proc.output;
  }

  /** Stops the server (by PID). */
  stop(): Promise<void> {
    return this.proc.stop();
  }
}

let counter = 0;

/**
 * Moves one line each way and checks it byte for byte: the client's line
 * must show up on the server's stdout; the server's line (via stdin) must be
 * exactly what the client receives.
 */
export async function exchange(driver: SocketDriver, server: OpenSslServer): Promise<void> {
  const token = `${Date.now().toString(36)}-${(counter++).toString(36)}-${
    Math.random().toString(36).slice(2)
  }`;
  const c2s = `client-to-server ${token}\n`;
  const mark = server.output.length;
  await driver.write(c2s);
  await server.proc.waitFor(c2s, { from: mark });

  const s2c = `server-to-client ${token}\n`;
  driver.take();
  server.proc.send(s2c);
  const got = await driver.readAtLeast(s2c.length);
  assert.deepEqual(got, new TextEncoder().encode(s2c));
  driver.take();
}
