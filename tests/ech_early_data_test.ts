// Issue 18 item 2: 0-RTT under Encrypted Client Hello, in memory: the ticket
// and early_data ride in the ClientHelloInner (early_data in the outer hello
// too, RFC 9849 6.1 rule 7), the early data is sealed under the inner hello's
// keys and accepted; against a server that rejects ECH it is skipped, and the
// connection fails with EchRejectedError as any rejected one.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ClientConfig } from "../src/client/config.ts";
import { ServerConfig } from "../src/server/config.ts";
import { UnbufferedClientConnection, UnbufferedServerConnection } from "../src/conn/unbuffered.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { EchRejectedError } from "../src/error.ts";
import { generateEchConfig } from "../src/server/ech_keys.ts";
import { type Issued, testPki } from "../examples/_certgen.ts";
import { run, Side, text } from "./_resumption_pair.ts";

let ca: Issued;
let leaf: Issued;
const enc = new TextEncoder();

async function connect(cc: ClientConfig, sc: ServerConfig, early: string) {
  const client = await UnbufferedClientConnection.create(cc, "localhost");
  const server = new UnbufferedServerConnection(sc);
  const c = new Side(client);
  const s = new Side(server);
  c.earlyToSend = enc.encode(early);
  c.pendingWrites.push(enc.encode("ping"));
  let error: unknown;
  await run(c, s).catch((e) => error = e);
  return { client, server, c, s, error };
}

describe("issue 18 item 2: 0-RTT under ECH", () => {
  before(async () => {
    ({ ca, leaf } = await testPki(["localhost"]));
  });

  it("accepted: early data under the inner hello's keys, ECH and resumption on both sides", async () => {
    const key = await generateEchConfig({ publicName: "localhost", configId: 70 });
    const roots = new RootCertStore();
    roots.add(ca.certDer);
    const cc = new ClientConfig({
      roots,
      enableEarlyData: true,
      ech: { configList: key.configList },
    });
    const sc = new ServerConfig({
      certificateChain: leaf.certPem,
      privateKey: leaf.keyPem,
      maxEarlyDataSize: 1024,
      ech: { keys: [key] },
    });
    const first = await connect(cc, sc, "too early");
    assert.equal(first.error, undefined);
    assert.equal(first.client.echAccepted, true);
    const second = await connect(cc, sc, "GET / 0-RTT");
    assert.equal(second.error, undefined);
    assert.equal(second.client.echAccepted, true);
    assert.equal(second.server.echAccepted, true);
    assert.equal(second.server.handshakeKind, "Resumed");
    assert.equal(second.client.earlyDataAccepted, true);
    assert.equal(text(second.s.early), "GET / 0-RTT");
    assert.equal(text(second.s.received), "ping");

    // The same ticket against a server with another ECH key: ECH and 0-RTT refused.
    const third = await connect(
      cc,
      new ServerConfig({
        certificateChain: leaf.certPem,
        privateKey: leaf.keyPem,
        maxEarlyDataSize: 1024,
        ech: { keys: [await generateEchConfig({ publicName: "localhost" })] },
      }),
      "GET / again",
    );
    assert.ok(third.error instanceof EchRejectedError, `got ${third.error}`);
    assert.equal(third.s.early.length, 0);
    assert.equal(third.server.earlyDataAccepted, false);
  });
});
