// NSS (Firefox's TLS library) as an interop peer, through the test tools
// Debian ships in libnss3-tools: `selfserv` (a server) and `tstclnt` (a
// client), with a certificate database made per test by `certutil` and
// `pk12util` from the test PKI (tests/_pki.ts).
//
// selfserv binds every interface and has no flag to choose one, so it runs
// as a NamespacedServer (tests/peers/_namespace_server.ts: a private network
// namespace, reached through a Unix socket). tstclnt only connects, so it
// runs directly against our server on 127.0.0.1.
//
// Extending: `startSelfserv(db, { args })` and `startTstclnt(db, port, args)`
// pass any further selfserv/tstclnt flags through (for example selfserv
// `-X publicname:...` or tstclnt `-N <ECHConfigList>` for ECH).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import type { TestCert } from "../_pki.ts";
import type { SocketDriver } from "../_drive.ts";
import { PeerProcess } from "./_spawn.ts";
import { NAMESPACE_PORT, NamespacedServer, namespaceMissing } from "./_namespace_server.ts";

/**
 * Returns undefined when NSS's tools, node (for the relay) and network
 * namespaces are available, else a skip message; under CI=true a missing
 * piece throws, so NSS coverage cannot silently vanish.
 */
export function nssMissing(): string | undefined {
  for (const cmd of ["selfserv", "tstclnt", "certutil", "pk12util"]) {
    // The NSS tools have no --version; `-h` prints usage and exits non-zero.
    const r = spawnSync(cmd, ["-h"], { stdio: "ignore", timeout: 5000 });
    if (r.error) {
      const msg = `${cmd} (Debian libnss3-tools) is not installed; skipping the NSS interop tests`;
      if (process.env.CI === "true") throw new Error(`${msg} (CI=true: install it)`);
      return msg;
    }
  }
  return namespaceMissing();
}

/** An identity to import: its nickname is what `-n` names in selfserv/tstclnt. */
export interface NssIdentity {
  nickname: string;
  cert: TestCert;
}

/** An NSS certificate database (sql: format, empty password) in a temp dir. */
export class NssDb {
  readonly dir: string = mkdtempSync(join(tmpdir(), "kerneltls-nssdb-"));

  private constructor() {}

  /** The `-d` argument for the NSS tools. */
  get arg(): string {
    return `sql:${this.dir}`;
  }

  /**
   * Creates a database trusting `trust` (as CAs for TLS) and holding each
   * identity's certificate and private key (imported as PKCS#12).
   */
  static create(opts: { trust: TestCert[]; identities?: NssIdentity[] }): NssDb {
    const db = new NssDb();
    const run = (cmd: string, args: string[]) =>
      execFileSync(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
    run("certutil", ["-N", "-d", db.arg, "--empty-password"]);
    opts.trust.forEach((ca, i) =>
      run("certutil", ["-A", "-d", db.arg, "-n", `ca${i}`, "-t", "CT,C,C", "-a", "-i", ca.certPath])
    );
    for (const id of opts.identities ?? []) {
      const p12 = join(db.dir, `${id.nickname}.p12`);
      run("openssl", [
        "pkcs12",
        "-export",
        "-in",
        id.cert.certPath,
        "-inkey",
        id.cert.keyPath,
        "-name",
        id.nickname,
        "-passout",
        "pass:",
        "-out",
        p12,
      ]);
      run("pk12util", ["-d", db.arg, "-i", p12, "-W", ""]);
    }
    return db;
  }

  /** Removes the database. */
  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Options for {@link startSelfserv}. */
export interface NssServerOptions {
  /** Nickname of the server's identity in the database (default "server"). */
  nickname?: string;
  /** Further selfserv flags, e.g. ["-V", "tls1.2:tls1.2", "-c", ":c02b"]. */
  args?: string[];
}

/**
 * Starts `selfserv` with `db` in its own network namespace and waits until it
 * accepts connections; `connect()` reaches it. selfserv answers each
 * connection as a tiny web server: it reads the request up to an empty line,
 * replies "HTTP/1.0 200 OK" with the request echoed, then "EOF", and closes.
 */
export function startSelfserv(
  db: NssDb,
  opts: NssServerOptions = {},
): Promise<NamespacedServer> {
  return NamespacedServer.start([
    "selfserv",
    "-d",
    db.arg,
    "-n",
    opts.nickname ?? "server",
    "-p",
    String(NAMESPACE_PORT),
    ...(opts.args ?? []),
  ]);
}

/**
 * Sends an HTTP/1.0 request to selfserv and reads its whole answer (until
 * selfserv's closing "EOF" line); returns the answer text.
 */
export async function selfservRequest(driver: SocketDriver, path = "/"): Promise<string> {
  const request = `GET ${path} HTTP/1.0\r\n\r\n`;
  driver.take();
  await driver.write(request);
  const text = await driver.readUntilText("\nEOF");
  if (!text.startsWith("HTTP/1.0 200 OK") || !text.includes(request)) {
    throw new Error(`selfserv did not echo the request: ${JSON.stringify(text.slice(0, 300))}`);
  }
  return text;
}

/**
 * Starts `tstclnt` against 127.0.0.1:`port` with SNI "localhost", trusting the
 * database's CAs. What is written to its stdin goes to the server; what the
 * server sends shows up in its output. Stop it with `stop()` in a finally.
 */
export function startTstclnt(db: NssDb, port: number, args: string[] = []): PeerProcess {
  return new PeerProcess("stdbuf", [
    "-o0",
    "tstclnt",
    "-h",
    "127.0.0.1",
    "-p",
    String(port),
    "-a",
    "localhost",
    "-d",
    db.arg,
    ...args,
  ]);
}

/** One "Exported Keying Material" block as selfserv or tstclnt print it (`-x`). */
export interface NssExport {
  label: string;
  /** The context as hex, or undefined when none was given. */
  context: string | undefined;
  length: number;
  /** The keying material as lowercase hex. */
  material: string;
}

/** Parses every exporter block in an NSS tool's output. */
export function parseNssExports(output: string): NssExport[] {
  const hexLine = /^\s+([0-9a-f]{2}(?::[0-9a-f]{2})*):?\s*$/i;
  return output.split("Exported Keying Material:").slice(1).map((block) => {
    const lines = block.split("\n");
    const at = (prefix: string) => lines.findIndex((l) => l.trim().startsWith(prefix));
    /** The hex bytes on the lines after `index`, up to the first other line. */
    const hexAfter = (index: number) => {
      let hex = "";
      for (let i = index + 1; i < lines.length; i++) {
        const m = hexLine.exec(lines[i]);
        if (!m) break;
        hex += m[1].replaceAll(":", "").toLowerCase();
      }
      return hex;
    };
    const context = at("Context:");
    return {
      label: /Label: "([^"]*)"/.exec(block)?.[1] ?? "",
      context: context < 0 ? undefined : hexAfter(context),
      length: Number(/Length: (\d+)/.exec(block)?.[1]),
      material: hexAfter(at("Keying Material:")),
    };
  });
}
