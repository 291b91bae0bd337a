// TLS 1.2 against GnuTLS, run inside a private network namespace by
// tests/tls12_gnutls_test.ts. Our client talks to two gnutls-serv --echo
// (ECDSA on PORT, RSA on PORT + 1), first through the unbuffered API, then
// through KernelRecordLayer after the hand-off; our server hands off and
// echoes for gnutls-cli. Prints one "RESULT <json>" line.
// Usage: <runtime> gnutls_tls12.ts PORT CA_PEM ECDSA_CERT ECDSA_KEY RSA_CERT RSA_KEY
import { readFileSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { spawn } from "node:child_process";
import process from "node:process";
import { ClientConfig } from "../../src/client/config.ts";
import { ServerConfig } from "../../src/server/config.ts";
import {
  UnbufferedClientConnection,
  UnbufferedServerConnection,
} from "../../src/conn/unbuffered.ts";
import { RootCertStore } from "../../src/webpki/root_store.ts";
import { bytesEqual } from "../../src/_bytes.ts";
import { randomBytes, SocketDriver } from "../_client_drive.ts";
import { KernelSocket } from "../_kernel_peer.ts";

const args = process.argv.slice(-6);
const port = Number(args[0]);
const [caPath, ecdsaCert, ecdsaKey, rsaCert, rsaKey] = args.slice(1);
const roots = RootCertStore.fromPem(readFileSync(caPath, "utf8"));

const SUITES = [
  { id: 0xc02b, sign: "ECDSA", cipher: "AES-128-GCM" },
  { id: 0xc02c, sign: "ECDSA", cipher: "AES-256-GCM" },
  { id: 0xcca9, sign: "ECDSA", cipher: "CHACHA20-POLY1305" },
  { id: 0xc02f, sign: "RSA", cipher: "AES-128-GCM" },
  { id: 0xc030, sign: "RSA", cipher: "AES-256-GCM" },
  { id: 0xcca8, sign: "RSA", cipher: "CHACHA20-POLY1305" },
] as const;

/** Random hex lines: gnutls-serv --echo answers whole lines only. */
function randomLines(size: number): Uint8Array {
  const hex = Array.from(randomBytes(size), (b) => "0123456789abcdef"[b & 15]);
  for (let i = 63; i < size; i += 64) hex[i] = "\n";
  hex[size - 1] = "\n";
  return new TextEncoder().encode(hex.join(""));
}

async function retry<T>(f: () => Promise<T>): Promise<T> {
  // gnutls-serv was started just before us; give it a moment to listen.
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

interface Outcome {
  suite: number;
  version: string | undefined;
  negotiated: number | undefined;
  echoed: boolean;
}

function clientConfig(suite: number, extract = false): ClientConfig {
  return new ClientConfig({
    roots,
    cipherSuites: [suite],
    versions: ["TLSv1_2"],
    enableSecretExtraction: extract,
  });
}

async function plainClient(suite: (typeof SUITES)[number]): Promise<Outcome> {
  const client = await UnbufferedClientConnection.create(clientConfig(suite.id), "localhost");
  const p = suite.sign === "ECDSA" ? port : port + 1;
  const driver = await retry(() => SocketDriver.connect(client, p, "127.0.0.1", 2000));
  let echoed = false;
  try {
    await driver.handshake();
    const data = randomLines(20000);
    await driver.write(data);
    echoed = bytesEqual(await driver.readAtLeast(data.length), data);
  } finally {
    await driver.close();
  }
  return {
    suite: suite.id,
    version: client.protocolVersion,
    negotiated: client.negotiatedCipherSuite?.id,
    echoed,
  };
}

async function kernelClient(suite: (typeof SUITES)[number]): Promise<Outcome> {
  const p = suite.sign === "ECDSA" ? port : port + 1;
  const ks = await retry(() => KernelSocket.connect(p));
  let echoed = false;
  try {
    await ks.handshakeAndHandOff(clientConfig(suite.id, true), "localhost");
    for (let i = 0; i < 3; i++) {
      const data = randomLines(5000);
      await ks.write(data);
      await ks.readAtLeast(data.length);
      echoed = bytesEqual(ks.take(), data);
      if (!echoed) break;
    }
  } finally {
    await ks.close();
  }
  return {
    suite: suite.id,
    version: ks.connection?.protocolVersion,
    negotiated: ks.connection?.negotiatedCipherSuite.id,
    echoed: echoed && ks.secrets?.tx.seq === 1n && ks.secrets.rx.seq === 1n,
  };
}

/** Our server hands off, then echoes one line for gnutls-cli. */
async function kernelServer(suite: (typeof SUITES)[number]): Promise<Outcome> {
  const listener = createServer();
  await new Promise<void>((r) => listener.listen(0, "127.0.0.1", r));
  const serverPort = (listener.address() as { port: number }).port;
  const accepted = new Promise<Socket>((r) => listener.once("connection", r));
  const kx = suite.sign === "ECDSA" ? "ECDHE-ECDSA" : "ECDHE-RSA";
  const cli = spawn("gnutls-cli", [
    "-p",
    String(serverPort),
    "--x509cafile",
    caPath,
    "--sni-hostname",
    "localhost",
    "--verify-hostname",
    "localhost",
    "--priority",
    `NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+${kx}:-CIPHER-ALL:+${suite.cipher}`,
    "127.0.0.1",
  ]);
  let out = "";
  cli.stdout.on("data", (d: Uint8Array) => out += new TextDecoder().decode(d));
  cli.stderr.on("data", () => {});
  const timer = setTimeout(() => cli.kill("SIGKILL"), 10_000);
  const ks = KernelSocket.wrap(await accepted);
  const conn = new UnbufferedServerConnection(
    new ServerConfig({
      certificateChain: readFileSync(suite.sign === "ECDSA" ? ecdsaCert : rsaCert, "utf8"),
      privateKey: readFileSync(suite.sign === "ECDSA" ? ecdsaKey : rsaKey, "utf8"),
      enableSecretExtraction: true,
    }),
  );
  let echoed = false;
  try {
    await ks.handOff(conn);
    const line = `line-${Math.random().toString(36).slice(2)}\n`;
    cli.stdin.write(line);
    await ks.readUntilText(line);
    await ks.write(`echo ${line}`);
    const deadline = Date.now() + 5000;
    while (!out.includes(`echo ${line}`) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    echoed = out.includes(`echo ${line}`) && ks.failure === undefined;
  } finally {
    await ks.close();
    clearTimeout(timer);
    cli.kill("SIGTERM");
    listener.close();
  }
  return {
    suite: suite.id,
    version: ks.connection?.protocolVersion,
    negotiated: ks.connection?.negotiatedCipherSuite.id,
    echoed,
  };
}

const plain: Outcome[] = [];
const kernel: Outcome[] = [];
const server: Outcome[] = [];
for (const suite of SUITES) plain.push(await plainClient(suite));
for (const suite of SUITES) kernel.push(await kernelClient(suite));
for (const suite of SUITES) server.push(await kernelServer(suite));
console.log(`RESULT ${JSON.stringify({ plain, kernel, server })}`);
process.exit(0);
