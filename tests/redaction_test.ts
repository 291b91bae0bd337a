// Issue 13 item 2: no key material in any rendering of any public object.
// A live TLS 1.3 and TLS 1.2 connection (client authentication, stateless
// tickets, key log, kernel hand-off, TlsStream) is rendered four ways, and each
// output is searched for every secret it could leak, as hex, base64 and
// decimal byte lists.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ClientConfig } from "../src/client/config.ts";
import { ServerConfig } from "../src/server/config.ts";
import { RotatingTicketer } from "../src/server/ticketer.ts";
import { WebPkiClientVerifier, WebPkiServerVerifier } from "../src/webpki/verifier.ts";
import { pemDecode } from "../src/crypto/pem.ts";
import { KernelRecordLayer } from "../src/kernel/record_layer.ts";
import { acceptTls, type ByteTransport, connectTls } from "../src/streams/tls_stream.ts";
import type { ExtractedSecrets } from "../src/conn/kernel.ts";
import { connectPair, makePairPki, utf8 } from "./_pair_setup.ts";
import { runPair } from "./_pair.ts";
import { assertNoSecrets } from "./_leaks.ts";

const pki = makePairPki(["p256", "ed25519"]);

/** The private scalar of a PKCS#8 key (not its public half, which certificates carry). */
async function privateScalar(pem: string, algorithm: EcKeyImportParams | Algorithm) {
  const der = pemDecode(pem)[0].der as Uint8Array<ArrayBuffer>;
  const key = await crypto.subtle.importKey("pkcs8", der, algorithm, true, ["sign"]);
  const { d } = await crypto.subtle.exportKey("jwk", key);
  return Uint8Array.from(atob(d!.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
}

const P256 = { name: "ECDSA", namedCurve: "P-256" };

function extractedSecrets(prefix: string, s: ExtractedSecrets): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const dir of ["tx", "rx"] as const) {
    out[`${prefix} ${dir} key`] = s[dir].secrets.key;
    if (s[dir].trafficSecret) out[`${prefix} ${dir} traffic secret`] = s[dir].trafficSecret!;
  }
  return out;
}

function transportPair(): [ByteTransport, ByteTransport] {
  const a = new TransformStream<Uint8Array, Uint8Array>();
  const b = new TransformStream<Uint8Array, Uint8Array>();
  return [{ readable: a.readable, writable: b.writable }, {
    readable: b.readable,
    writable: a.writable,
  }];
}

for (const version of ["TLSv1_3", "TLSv1_2"] as const) {
  describe(`issue 13 item 2: no key material in any rendering (${version})`, () => {
    it("configs, connections, states, kernel connections, record layers, ticketer, streams", async () => {
      const secrets: Record<string, Uint8Array> = {};
      const keyLog = (label: string, _random: Uint8Array, secret: Uint8Array) => {
        secrets[`key log ${label} ${Object.keys(secrets).length}`] = secret.slice();
      };
      const ticketSecret = crypto.getRandomValues(new Uint8Array(32));
      secrets["ticketer secret"] = ticketSecret;
      const ticketer = new RotatingTicketer({ secret: ticketSecret });
      const serverLeaf = pki.leaves.p256;
      const clientLeaf = pki.leaves.ed25519;
      secrets["server private key"] = await privateScalar(serverLeaf.keyPem, P256);
      secrets["client private key"] = await privateScalar(clientLeaf.keyPem, { name: "Ed25519" });
      const clientConfig = new ClientConfig({
        verifier: new WebPkiServerVerifier({ roots: pki.roots() }),
        versions: [version],
        certificateChain: clientLeaf.certPem,
        privateKey: clientLeaf.keyPem,
        enableSecretExtraction: true,
        keyLog,
      });
      const serverConfig = new ServerConfig({
        certificateChain: serverLeaf.certPem,
        privateKey: serverLeaf.keyPem,
        clientCertVerifier: new WebPkiClientVerifier({ roots: pki.roots(), mandatory: true }),
        ticketer,
        enableSecretExtraction: true,
        keyLog,
      });
      assert.equal(serverConfig.options.privateKey, serverLeaf.keyPem, "still readable by name");
      const p = await connectPair(pki, { clientConfig, serverConfig });
      p.client.pendingWrites.push(utf8("ping"));
      await runPair(p.client, p.server);
      assert.equal(p.clientConn.protocolVersion, version);
      assert.ok(Object.keys(secrets).some((k) => k.startsWith("key log")), "key log ran");
      // Issue 17 item 2: the exporter keeps its secret (exporter_master_secret
      // in TLS 1.3, the master secret in TLS 1.2, both key-logged) inside the
      // connections and, after the hand-off, inside the kernel connections.
      const exporterLabel = version === "TLSv1_3" ? "EXPORTER_SECRET" : "CLIENT_RANDOM";
      assert.ok(Object.keys(secrets).some((k) => k.startsWith(`key log ${exporterLabel}`)));
      const exported = await p.clientConn.exportKeyingMaterial("EXPORTER-redaction", undefined, 32);
      assert.deepEqual(
        await p.serverConn.exportKeyingMaterial("EXPORTER-redaction", undefined, 32),
        exported,
      );

      const clientState = (await p.clientConn.processTlsRecords(p.client.incoming)).state;
      const serverState = (await p.serverConn.processTlsRecords(p.server.incoming)).state;
      const objects: Record<string, unknown> = {
        clientConfig,
        serverConfig,
        "clientConfig.options": clientConfig.options,
        "serverConfig.options": serverConfig.options,
        "clientConfig.sessionStore": clientConfig.sessionStore,
        "resolved client config": await clientConfig.resolve(),
        "resolved server config": await serverConfig.resolve(),
        ticketer,
        clientConn: p.clientConn,
        serverConn: p.serverConn,
        clientState,
        serverState,
      };
      assertNoSecrets(objects, secrets);

      const client = await p.clientConn.dangerousIntoKernelConnection();
      const server = await p.serverConn.dangerousIntoKernelConnection();
      Object.assign(secrets, extractedSecrets("client", client.secrets));
      Object.assign(secrets, extractedSecrets("server", server.secrets));
      const clientLayer = await KernelRecordLayer.create(client.secrets, client.connection);
      const serverLayer = await KernelRecordLayer.create(server.secrets, server.connection);
      const { data } = await serverLayer.open(await clientLayer.seal(utf8("after")));
      assert.equal(data.length, 1);
      assert.deepEqual(
        await client.connection.exportKeyingMaterial("EXPORTER-redaction", undefined, 32),
        exported,
      );
      assert.deepEqual(
        await server.connection.exportKeyingMaterial("EXPORTER-redaction", undefined, 32),
        exported,
      );
      Object.assign(objects, {
        "client kernel connection": client.connection,
        "server kernel connection": server.connection,
        clientLayer,
        serverLayer,
        "consumed clientConn": p.clientConn,
      });
      assertNoSecrets(objects, secrets);
      // ExtractedSecrets is plain data by contract (it goes through postMessage).
      assert.deepEqual(structuredClone(client.secrets), client.secrets);
    });
  });
}

describe("issue 13 item 2: no key material in any rendering (TlsStream)", () => {
  it("TlsStream ends and their connections", async () => {
    const secrets: Record<string, Uint8Array> = {};
    const keyLog = (label: string, _random: Uint8Array, secret: Uint8Array) => {
      secrets[`key log ${label} ${Object.keys(secrets).length}`] = secret.slice();
    };
    const leaf = pki.leaves.p256;
    secrets["server private key"] = await privateScalar(leaf.keyPem, P256);
    const [ct, st] = transportPair();
    const [c, s] = await Promise.all([
      connectTls(ct, new ClientConfig({ roots: pki.roots(), keyLog }), "localhost"),
      acceptTls(st, new ServerConfig({ certificateChain: leaf.certPem, privateKey: leaf.keyPem })),
    ]);
    assert.ok(Object.keys(secrets).length > 0);
    assertNoSecrets({ c, s, "c.info": c.info, "c.connection": c.connection }, secrets);
    await c.writable.close();
    await s.writable.close();
  });
});
