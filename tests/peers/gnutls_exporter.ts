// Exporters against GnuTLS, run inside a private network namespace by
// tests/exporter_gnutls_test.ts (gnutls-serv cannot choose its address). For
// each case our client connects to a gnutls-serv started with
// --keymatexport, and gnutls-cli connects to our server likewise; both sides'
// keying material is reported in one "RESULT <json>" line.
// Usage: <runtime> gnutls_exporter.ts PORT CA_PEM CERT KEY
import { readFileSync } from "node:fs";
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { ClientConfig } from "../../src/client/config.ts";
import { ServerConfig } from "../../src/server/config.ts";
import {
  UnbufferedClientConnection,
  UnbufferedServerConnection,
} from "../../src/conn/unbuffered.ts";
import { RootCertStore } from "../../src/webpki/root_store.ts";
import { toHex } from "../../src/_bytes.ts";
import { SocketDriver } from "../_client_drive.ts";
import { LoopbackListener } from "../_drive.ts";

const args = process.argv.slice(-4);
const port = Number(args[0]);
const [caPath, certPath, keyPath] = args.slice(1);
const roots = RootCertStore.fromPem(readFileSync(caPath, "utf8"));
const LABEL = "EXPORTER-kerneltls-gnutls";
const LENGTH = 24;

const CASES = [
  { version: "TLSv1_3", suite: 0x1301, priority: "+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM" },
  { version: "TLSv1_3", suite: 0x1302, priority: "+VERS-TLS1.3:-CIPHER-ALL:+AES-256-GCM" },
  { version: "TLSv1_2", suite: 0xc02b, priority: "+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM" },
  { version: "TLSv1_2", suite: 0xc02c, priority: "+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM" },
] as const;

interface Outcome {
  side: "client" | "server";
  suite: number;
  version: string | undefined;
  ours: string;
  theirs: string | undefined;
}

/** Collects stdout; resolves the key material line once it is printed. */
function keyMaterial(child: ChildProcess): { wait: (ms: number) => Promise<string | undefined> } {
  let out = "";
  child.stdout!.on("data", (d: Uint8Array) => out += new TextDecoder().decode(d));
  child.stderr!.on("data", () => {});
  return {
    wait: async (ms) => {
      const deadline = Date.now() + ms;
      for (;;) {
        const m = /- Key material: ([0-9a-f]+)\r?\n/.exec(out);
        if (m || Date.now() > deadline) return m?.[1];
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

async function retry<T>(f: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      return await f();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

const exportArgs = ["--keymatexport", LABEL, "--keymatexportsize", String(LENGTH)];

async function ourClient(c: (typeof CASES)[number], p: number): Promise<Outcome> {
  const serv = spawn("gnutls-serv", [
    "-p",
    String(p),
    "--x509certfile",
    certPath,
    "--x509keyfile",
    keyPath,
    "--priority",
    `NORMAL:-VERS-ALL:${c.priority}`,
    ...exportArgs,
  ]);
  const km = keyMaterial(serv);
  try {
    const client = await UnbufferedClientConnection.create(
      new ClientConfig({ roots, versions: [c.version], cipherSuites: [c.suite] }),
      "localhost",
    );
    const driver = await retry(() => SocketDriver.connect(client, p, "127.0.0.1", 2000));
    try {
      await driver.handshake();
      const ours = toHex(await client.exportKeyingMaterial(LABEL, undefined, LENGTH));
      const theirs = await km.wait(5000);
      return { side: "client", suite: c.suite, version: client.protocolVersion, ours, theirs };
    } finally {
      await driver.close().catch(() => {});
    }
  } finally {
    serv.kill("SIGTERM");
  }
}

async function ourServer(c: (typeof CASES)[number], listener: LoopbackListener): Promise<Outcome> {
  const cli = spawn("gnutls-cli", [
    "-p",
    String(listener.port),
    "--x509cafile",
    caPath,
    "--sni-hostname",
    "localhost",
    "--verify-hostname",
    "localhost",
    "--priority",
    `NORMAL:-VERS-ALL:${c.priority}`,
    ...exportArgs,
    "127.0.0.1",
  ]);
  const km = keyMaterial(cli);
  try {
    const conn = new UnbufferedServerConnection(
      new ServerConfig({
        certificateChain: readFileSync(certPath, "utf8"),
        privateKey: readFileSync(keyPath, "utf8"),
      }),
    );
    const driver = await listener.accept(conn);
    try {
      await driver.handshake();
      const ours = toHex(await conn.exportKeyingMaterial(LABEL, undefined, LENGTH));
      const theirs = await km.wait(5000);
      return { side: "server", suite: c.suite, version: conn.protocolVersion, ours, theirs };
    } finally {
      await driver.close().catch(() => {});
    }
  } finally {
    cli.kill("SIGTERM");
  }
}

const results: Outcome[] = [];
const listener = await LoopbackListener.listen();
try {
  for (const [i, c] of CASES.entries()) results.push(await ourClient(c, port + i));
  for (const c of CASES) results.push(await ourServer(c, listener));
} finally {
  await listener.close();
}
console.log(`RESULT ${JSON.stringify(results)}`);
process.exit(0);
