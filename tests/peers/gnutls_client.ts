// Runs our client against a gnutls-serv --echo on 127.0.0.1:PORT (started
// by the caller in the same private network namespace) and prints one
// "RESULT <json>" line. Usage: <runtime> gnutls_client.ts PORT CA_PEM
import { readFileSync } from "node:fs";
import process from "node:process";
import { ClientConfig, type ClientConfigOptions } from "../../src/client/config.ts";
import { UnbufferedClientConnection } from "../../src/conn/unbuffered.ts";
import { RootCertStore } from "../../src/webpki/root_store.ts";
import { bytesEqual } from "../../src/_bytes.ts";
import { randomBytes, SocketDriver } from "../_client_drive.ts";

/** Random hex lines: gnutls-serv --echo answers whole lines only. */
function randomLines(size: number): Uint8Array {
  const hex = Array.from(randomBytes(size), (b) => "0123456789abcdef"[b & 15]);
  for (let i = 63; i < size; i += 64) hex[i] = "\n";
  hex[size - 1] = "\n";
  return new TextEncoder().encode(hex.join(""));
}

const port = Number(process.argv[process.argv.length - 2]);
const roots = RootCertStore.fromPem(readFileSync(process.argv[process.argv.length - 1], "utf8"));

/** What one connection saw; the test asserts on these. */
interface Outcome {
  suite: number | undefined;
  group: number | undefined;
  kind: string | undefined;
  echoed: boolean;
}

async function connectRetrying(client: UnbufferedClientConnection): Promise<SocketDriver> {
  // gnutls-serv was started just before us; give it a moment to listen.
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      return await SocketDriver.connect(client, port, "127.0.0.1", 2000);
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function run(
  config: ClientConfig,
  size: number,
  keyUpdates = 0,
): Promise<Outcome> {
  const client = await UnbufferedClientConnection.create(config, "localhost");
  const driver = await connectRetrying(client);
  let echoed = true;
  try {
    await driver.handshake();
    for (let i = 0; i <= keyUpdates; i++) {
      if (i > 0) await driver.refreshTrafficKeys();
      const data = randomLines(size);
      await driver.write(data);
      echoed &&= bytesEqual(await driver.readAtLeast(size), data);
      driver.take();
    }
  } finally {
    await driver.close();
  }
  return {
    suite: client.negotiatedCipherSuite?.id,
    group: client.negotiatedKeyExchangeGroup?.group,
    kind: client.handshakeKind,
    echoed,
  };
}

function config(extra: Partial<ClientConfigOptions> = {}): ClientConfig {
  return new ClientConfig({ roots, ...extra });
}

const matrix: Outcome[] = [];
for (const suite of [0x1301, 0x1302, 0x1303]) {
  for (const group of [0x1d, 0x17, 0x18]) {
    matrix.push(await run(config({ cipherSuites: [suite], kxGroups: [group] }), 30000));
  }
}
const shared = config();
const resumption = [await run(shared, 100), await run(shared, 100)];
const keyUpdate = await run(config(), 1000, 3);
console.log(`RESULT ${JSON.stringify({ matrix, resumption, keyUpdate })}`);
process.exit(0);
