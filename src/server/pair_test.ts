// Our server against our own client in memory: the paths s_client cannot
// show (optional client auth without a certificate, no middlebox session ID,
// records fed one byte at a time) and the server's state transcript.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ServerConfig, type ServerConfigOptions } from "./config.ts";
import { ClientConfig, type ClientConfigOptions } from "../client/config.ts";
import { UnbufferedClientConnection, UnbufferedServerConnection } from "../conn/unbuffered.ts";
import { RootCertStore } from "../webpki/root_store.ts";
import { WebPkiClientVerifier } from "../webpki/verifier.ts";
import { issue, type Issued, testPki } from "../../examples/_certgen.ts";
import { Endpoint, runPair } from "../../tests/_pair.ts";

let ca: Issued;
let leaf: Issued;
let clientLeaf: Issued;

async function pair(
  serverOpts: Partial<ServerConfigOptions> = {},
  clientOpts: Partial<ClientConfigOptions> = {},
  chunk = Infinity,
): Promise<{ client: Endpoint; server: Endpoint; conn: UnbufferedServerConnection }> {
  const roots = new RootCertStore();
  roots.add(ca.certDer);
  const conn = new UnbufferedServerConnection(
    new ServerConfig({ certificateChain: leaf.certPem, privateKey: leaf.keyPem, ...serverOpts }),
  );
  const client = new Endpoint(
    await UnbufferedClientConnection.create(
      new ClientConfig({ roots, ...clientOpts }),
      "localhost",
    ),
  );
  const server = new Endpoint(conn);
  client.chunk = server.chunk = chunk;
  client.pendingWrites.push(new TextEncoder().encode("ping"));
  server.pendingWrites.push(new TextEncoder().encode("pong"));
  await runPair(client, server);
  return { client, server, conn };
}

function assertData(client: Endpoint, server: Endpoint): void {
  assert.equal(new TextDecoder().decode(server.receivedBytes()), "ping");
  assert.equal(new TextDecoder().decode(client.receivedBytes()), "pong");
}

describe("server against our client, in memory", () => {
  before(async () => {
    ({ ca, leaf } = await testPki(["localhost"]));
    clientLeaf = await issue({ commonName: "client", eku: ["clientAuth"] }, ca);
  });

  it("full handshake, data both ways", async () => {
    const { client, server, conn } = await pair();
    assertData(client, server);
    assert.equal(conn.handshakeKind, "Full");
    assert.equal(conn.serverName, "localhost");
    assert.equal(conn.peerCertificates, undefined);
  });

  it("without a middlebox session ID, fed one byte at a time", async () => {
    const { client, server, conn } = await pair({}, { middleboxCompat: false }, 1);
    assertData(client, server);
    assert.equal(conn.protocolVersion, "TLSv1_3");
  });

  it("HelloRetryRequest forced by the server's groups", async () => {
    const { client, server, conn } = await pair({ kxGroups: [0x18] });
    assertData(client, server);
    assert.equal(conn.handshakeKind, "FullWithHelloRetryRequest");
    assert.equal(conn.negotiatedKeyExchangeGroup?.group, 0x18);
  });

  it("optional client auth, client without a certificate", async () => {
    const roots = new RootCertStore();
    roots.add(ca.certDer);
    const verifier = new WebPkiClientVerifier({ roots, mandatory: false });
    const { client, server, conn } = await pair({ clientCertVerifier: verifier });
    assertData(client, server);
    assert.equal(conn.peerCertificates, undefined);
  });

  it("client auth with a certificate", async () => {
    const roots = new RootCertStore();
    roots.add(ca.certDer);
    const verifier = new WebPkiClientVerifier({ roots });
    const { client, server, conn } = await pair(
      { clientCertVerifier: verifier },
      { certificateChain: clientLeaf.certPem, privateKey: clientLeaf.keyPem },
    );
    assertData(client, server);
    assert.deepEqual(conn.peerCertificates?.[0], clientLeaf.certDer);
  });
});
