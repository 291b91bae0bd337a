// TLS 1.2 kernel hand-off in memory: our client and server finish a TLS 1.2
// handshake, both hand off, and two KernelRecordLayers carry the data. The
// extracted key material is checked against a key block computed here from
// the key-logged master secret with node:crypto.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { ClientConfig } from "../src/client/config.ts";
import { ServerConfig } from "../src/server/config.ts";
import type {
  ClientKernelConnection,
  ExtractedSecrets,
  KernelConnection,
} from "../src/conn/kernel.ts";
import { KernelRecordLayer } from "../src/kernel/record_layer.ts";
import { tls12Protection } from "../src/record/protection.ts";
import { chacha20Poly1305Pure } from "../src/crypto/pure/chacha20_poly1305.ts";
import { TlsError } from "../src/error.ts";
import { WebPkiServerVerifier } from "../src/webpki/verifier.ts";
import { connectPair, makePairPki, type PairPki, text, utf8 } from "./_pair_setup.ts";

const SUITES = [
  { id: 0xc02b, leaf: "p256", kind: "Aes128Gcm", hash: "sha256", keyLen: 16 },
  { id: 0xc02c, leaf: "p256", kind: "Aes256Gcm", hash: "sha384", keyLen: 32 },
  { id: 0xcca9, leaf: "p256", kind: "Chacha20Poly1305", hash: "sha256", keyLen: 32 },
  { id: 0xc02f, leaf: "rsa", kind: "Aes128Gcm", hash: "sha256", keyLen: 16 },
  { id: 0xc030, leaf: "rsa", kind: "Aes256Gcm", hash: "sha384", keyLen: 32 },
  { id: 0xcca8, leaf: "rsa", kind: "Chacha20Poly1305", hash: "sha256", keyLen: 32 },
] as const;

function referencePrf(alg: string, secret: Uint8Array, label: string, seed: Uint8Array, n: number) {
  const s = Buffer.concat([Buffer.from(label), seed]);
  let a: Buffer = s;
  const out: Buffer[] = [];
  for (let got = 0; got < n;) {
    a = createHmac(alg, secret).update(a).digest();
    const b = createHmac(alg, secret).update(Buffer.concat([a, s])).digest();
    out.push(b);
    got += b.length;
  }
  return new Uint8Array(Buffer.concat(out).subarray(0, n));
}

interface Ends {
  client: { secrets: ExtractedSecrets; connection: ClientKernelConnection };
  server: { secrets: ExtractedSecrets; connection: KernelConnection };
  master: Uint8Array;
  clientRandom: Uint8Array;
  serverRandom: Uint8Array;
}

async function handOffPair(pki: PairPki, suite: (typeof SUITES)[number]): Promise<Ends> {
  let master: Uint8Array | undefined;
  let clientRandom: Uint8Array | undefined;
  const leaf = pki.leaves[suite.leaf];
  const p = await connectPair(pki, {
    clientConfig: new ClientConfig({
      verifier: new WebPkiServerVerifier({ roots: pki.roots() }),
      versions: ["TLSv1_2"],
      cipherSuites: [suite.id],
      enableSecretExtraction: true,
      resumption: false,
      keyLog: (label, random, secret) => {
        if (label === "CLIENT_RANDOM") [master, clientRandom] = [secret, random];
      },
    }),
    serverConfig: new ServerConfig({
      certificateChain: leaf.certPem,
      privateKey: leaf.keyPem,
      enableSecretExtraction: true,
    }),
  });
  assert.equal(p.clientConn.protocolVersion, "TLSv1_2");
  const serverHello = p.server.sent[0];
  const serverRandom = serverHello.slice(11, 43);
  const client = await p.clientConn.dangerousIntoKernelConnection();
  const server = await p.serverConn.dangerousIntoKernelConnection();
  return { client, server, master: master!, clientRandom: clientRandom!, serverRandom };
}

describe("TLS 1.2 kernel hand-off (in memory)", () => {
  let pki: PairPki;
  before(() => {
    pki = makePairPki(["p256", "rsa"]);
  });
  after(() => pki.cleanup());

  for (const suite of SUITES) {
    it(`0x${suite.id.toString(16)}: secrets match the key block; layers talk both ways`, async () => {
      const ends = await handOffPair(pki, suite);
      const c = ends.client.secrets;
      const s = ends.server.secrets;
      // Both Finished messages were record 0 under the new keys.
      assert.equal(c.tx.seq, 1n);
      assert.equal(c.rx.seq, 1n);
      assert.equal(s.tx.seq, 1n);
      assert.equal(s.rx.seq, 1n);
      assert.equal(c.tx.secrets.kind, suite.kind);
      assert.equal(ends.client.connection.negotiatedCipherSuite.kind, suite.kind);
      assert.equal(ends.client.connection.protocolVersion, "TLSv1_2");
      assert.equal(c.tx.trafficSecret, undefined);
      // RFC 5246 6.3 key block, computed independently.
      const fixed = suite.kind === "Chacha20Poly1305" ? 12 : 4;
      const explicit = suite.kind === "Chacha20Poly1305" ? 0 : 8;
      const block = referencePrf(
        suite.hash,
        ends.master,
        "key expansion",
        new Uint8Array([...ends.serverRandom, ...ends.clientRandom]),
        2 * suite.keyLen + 2 * fixed + explicit,
      );
      const k = suite.keyLen;
      const extra = block.subarray(2 * k + 2 * fixed);
      assert.deepEqual(c.tx.secrets.key, block.subarray(0, k));
      assert.deepEqual(s.tx.secrets.key, block.subarray(k, 2 * k));
      assert.deepEqual(
        c.tx.secrets.iv,
        new Uint8Array([...block.subarray(2 * k, 2 * k + fixed), ...extra]),
      );
      assert.deepEqual(
        s.tx.secrets.iv,
        new Uint8Array([...block.subarray(2 * k + fixed, 2 * k + 2 * fixed), ...extra]),
      );
      assert.equal(c.tx.secrets.iv.length, 12);
      assert.deepEqual(c.rx, s.tx);
      assert.deepEqual(structuredClone(c), c);

      const cl = await KernelRecordLayer.create(c, ends.client.connection);
      const sl = await KernelRecordLayer.create(s, ends.server.connection);
      const up = await cl.seal(utf8("x".repeat(40000)));
      const got = await sl.open(up);
      assert.equal(got.data.reduce((n, d) => n + d.length, 0), 40000);
      const down = await sl.seal(utf8("from the server"));
      assert.equal(text((await cl.open(down)).data[0]), "from the server");
      assert.equal(cl.txSeq, 1n + 3n);
      // Close both ways.
      assert.equal((await sl.open(await cl.closeNotify())).peerClosed, true);
    });
  }

  it("TLS 1.2 refuses key updates and tickets; KeyUpdate on the layer too", async () => {
    const ends = await handOffPair(pki, SUITES[0]);
    await assert.rejects(ends.client.connection.updateTxSecret(), /TLS 1.2/);
    await assert.rejects(ends.client.connection.updateRxSecret(), /TLS 1.2/);
    await assert.rejects(
      ends.client.connection.handleNewSessionTicket(new Uint8Array(8)),
      /TLS 1.2 session tickets/,
    );
    const layer = await KernelRecordLayer.create(ends.client.secrets, ends.client.connection);
    await assert.rejects(layer.keyUpdate(false), /no KeyUpdate/);
  });

  it("sealing stops at the confidentiality limit; close_notify still goes out", async () => {
    const ends = await handOffPair(pki, SUITES[0]);
    const cl = await KernelRecordLayer.create(ends.client.secrets, ends.client.connection, {
      confidentialityLimit: 4n,
      maxFragmentSize: 10,
    });
    const sl = await KernelRecordLayer.create(ends.server.secrets, ends.server.connection);
    // seq 1 and 2 may carry data; seq 3 is kept for close_notify.
    assert.equal((await sl.open(await cl.seal(utf8("a".repeat(20))))).data.length, 2);
    await assert.rejects(
      cl.seal(utf8("b")),
      (e) => e instanceof TlsError && e.detail === "ConfidentialityLimitReached",
    );
    assert.equal(cl.txSeq, 3n);
    assert.equal((await sl.open(await cl.closeNotify())).peerClosed, true);
  });

  // Issue 15 item 2: the kernel layer follows the connection's post-handshake
  // policy here (RFC 5246 7.2.2: no_renegotiation answers a renegotiating
  // ClientHello, always as a warning); it used to fail with unexpected_message.
  it("a renegotiation attempt after the hand-off gets a no_renegotiation warning, a second is fatal", async () => {
    const ends = await handOffPair(pki, SUITES[2]);
    const sl = await KernelRecordLayer.create(ends.server.secrets, ends.server.connection);
    // The client's next records, built by hand: handshake records (a ClientHello header).
    const prot = tls12Protection("Chacha20Poly1305");
    const body = new Uint8Array([1, 0, 0, 0]);
    const key = await chacha20Poly1305Pure.importKey(ends.client.secrets.tx.secrets.key);
    const hello = async (seq: bigint) => {
      const out = new Uint8Array(prot.recordLen(body.length));
      await prot.seal({ key, iv: ends.client.secrets.tx.secrets.iv }, seq, 22, body, out);
      return out;
    };
    const refused = await sl.open(await hello(1n));
    assert.equal(refused.data.length, 0);
    assert.equal(refused.toSend.length, prot.recordLen(2), "one warning alert record");
    await assert.rejects(
      sl.open(await hello(2n)),
      (e) => e instanceof TlsError && e.alert === 100 && e.detail === "RenegotiationRefused",
    );
    // A warning alert (no_renegotiation) is ignored in TLS 1.2; checked on a fresh pair.
    const ends2 = await handOffPair(pki, SUITES[2]);
    const sl2 = await KernelRecordLayer.create(ends2.server.secrets, ends2.server.connection);
    const key2 = await chacha20Poly1305Pure.importKey(ends2.client.secrets.tx.secrets.key);
    const warn = new Uint8Array(prot.recordLen(2));
    await prot.seal(
      { key: key2, iv: ends2.client.secrets.tx.secrets.iv },
      1n,
      21,
      new Uint8Array([1, 100]),
      warn,
    );
    const r = await sl2.open(warn);
    assert.equal(r.peerClosed, false);
    assert.equal(r.data.length, 0);
  });
});
