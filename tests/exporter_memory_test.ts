// Issue 17 item 2: keying-material exporters between our client and our
// server in memory, TLS 1.3 and 1.2, before and after the kernel hand-off,
// through TlsStream, and checked against RFC 8446 7.5 / RFC 5705 computed
// here with node:crypto from the key-logged secrets. Channel bindings:
// tls-exporter (RFC 9266) and tls-server-end-point (RFC 5929) per signature
// algorithm.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { ClientConfig } from "../src/client/config.ts";
import { ServerConfig } from "../src/server/config.ts";
import { TlsError } from "../src/error.ts";
import { WebPkiServerVerifier } from "../src/webpki/verifier.ts";
import { acceptTls, connectTls } from "../src/streams/tls_stream.ts";
import {
  tlsExporterChannelBinding,
  tlsServerEndPointChannelBinding,
} from "../src/conn/channel_binding.ts";
import { connectPair, makePairPki, type PairPki } from "./_pair_setup.ts";
import { TestPki } from "./_pki.ts";

const LABEL = "EXPORTER-kerneltls-test";
const CONTEXT = new TextEncoder().encode("some context");
const RESERVED = [
  "client finished",
  "server finished",
  "master secret",
  "key expansion",
  "extended master secret",
];

// ---- references with node:crypto ----

function hmac(alg: string, key: Uint8Array, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac(alg, key).update(data).digest());
}

function hkdfExpandLabel(
  alg: string,
  secret: Uint8Array,
  label: string,
  ctx: Uint8Array,
  n: number,
) {
  const full = Buffer.from(`tls13 ${label}`);
  const info = Buffer.concat([
    Buffer.from([n >> 8, n & 0xff, full.length]),
    full,
    Buffer.from([ctx.length]),
    ctx,
  ]);
  const out: Buffer[] = [];
  let t: Uint8Array = new Uint8Array(0);
  for (let i = 1; Buffer.concat(out).length < n; i++) {
    t = hmac(alg, secret, Buffer.concat([t, info, Buffer.from([i])]));
    out.push(Buffer.from(t));
  }
  return new Uint8Array(Buffer.concat(out).subarray(0, n));
}

function ref13(alg: string, exporterSecret: Uint8Array, label: string, ctx: Uint8Array, n: number) {
  const hash = (d: Uint8Array) => new Uint8Array(createHash(alg).update(d).digest());
  const size = hash(new Uint8Array(0)).length;
  const perLabel = hkdfExpandLabel(alg, exporterSecret, label, hash(new Uint8Array(0)), size);
  return hkdfExpandLabel(alg, perLabel, "exporter", hash(ctx), n);
}

function ref12(alg: string, master: Uint8Array, label: string, seed: Uint8Array, n: number) {
  const s = Buffer.concat([Buffer.from(label), seed]);
  let a: Uint8Array = s;
  const out: Buffer[] = [];
  while (Buffer.concat(out).length < n) {
    a = hmac(alg, master, a);
    out.push(Buffer.from(hmac(alg, master, Buffer.concat([a, s]))));
  }
  return new Uint8Array(Buffer.concat(out).subarray(0, n));
}

// ---- the pair ----

interface Logged {
  exporterSecret?: Uint8Array;
  master?: Uint8Array;
  clientRandom?: Uint8Array;
}

async function pair(pki: PairPki, version: "TLSv1_3" | "TLSv1_2", suite: number) {
  const logged: Logged = {};
  const keyLog = (label: string, random: Uint8Array, secret: Uint8Array) => {
    if (label === "EXPORTER_SECRET") logged.exporterSecret = secret.slice();
    if (label === "CLIENT_RANDOM") logged.master = secret.slice();
    logged.clientRandom = random.slice();
  };
  const leaf = pki.leaves.p256;
  const p = await connectPair(pki, {
    clientConfig: new ClientConfig({
      verifier: new WebPkiServerVerifier({ roots: pki.roots() }),
      versions: [version],
      cipherSuites: [suite],
      enableSecretExtraction: true,
      resumption: false,
      keyLog,
    }),
    serverConfig: new ServerConfig({
      certificateChain: leaf.certPem,
      privateKey: leaf.keyPem,
      enableSecretExtraction: true,
    }),
  });
  return { ...p, logged };
}

const CASES = [
  { version: "TLSv1_3", suite: 0x1301, alg: "sha256" },
  { version: "TLSv1_3", suite: 0x1302, alg: "sha384" },
  { version: "TLSv1_3", suite: 0x1303, alg: "sha256" },
  { version: "TLSv1_2", suite: 0xc02b, alg: "sha256" },
  { version: "TLSv1_2", suite: 0xc02c, alg: "sha384" },
  { version: "TLSv1_2", suite: 0xcca9, alg: "sha256" },
] as const;

describe("issue 17 item 2: exporters in memory", () => {
  let pki: PairPki;
  before(() => {
    pki = makePairPki(["p256"]);
  });
  after(() => pki?.cleanup());

  for (const c of CASES) {
    it(`${c.version} 0x${c.suite.toString(16)}: both ends agree, with the RFC, before and after the hand-off`, async () => {
      const p = await pair(pki, c.version, c.suite);
      assert.equal(p.clientConn.protocolVersion, c.version);
      const contexts = [undefined, new Uint8Array(0), CONTEXT];
      const before: Uint8Array[] = [];
      for (const ctx of contexts) {
        const a = await p.clientConn.exportKeyingMaterial(LABEL, ctx, 42);
        const b = await p.serverConn.exportKeyingMaterial(LABEL, ctx, 42);
        assert.equal(a.length, 42);
        assert.deepEqual(a, b, "client and server export the same bytes");
        before.push(a);
      }
      const other = await p.clientConn.exportKeyingMaterial(`${LABEL}-2`, undefined, 42);
      assert.notDeepEqual(other, before[0], "another label, other bytes");
      assert.notDeepEqual(before[2], before[0], "a context changes the bytes");
      if (c.version === "TLSv1_3") {
        // RFC 8446 7.5: no context and an empty one are the same.
        assert.deepEqual(before[0], before[1]);
        const secret = p.logged.exporterSecret!;
        assert.deepEqual(before[0], ref13(c.alg, secret, LABEL, new Uint8Array(0), 42));
        assert.deepEqual(before[2], ref13(c.alg, secret, LABEL, CONTEXT, 42));
      } else {
        // RFC 5705 4: an absent context adds nothing, an empty one its length.
        assert.notDeepEqual(before[0], before[1]);
        const serverRandom = await serverRandomOf(p);
        const randoms = Buffer.concat([p.logged.clientRandom!, serverRandom]);
        const m = p.logged.master!;
        assert.deepEqual(before[0], ref12(c.alg, m, LABEL, randoms, 42));
        assert.deepEqual(
          before[1],
          ref12(c.alg, m, LABEL, Buffer.concat([randoms, Buffer.from([0, 0])]), 42),
        );
        const withCtx = Buffer.concat([randoms, Buffer.from([0, CONTEXT.length]), CONTEXT]);
        assert.deepEqual(before[2], ref12(c.alg, m, LABEL, withCtx, 42));
      }
      const binding = await tlsExporterChannelBinding(p.clientConn);
      assert.deepEqual(
        binding,
        await p.clientConn.exportKeyingMaterial(
          "EXPORTER-Channel-Binding",
          undefined,
          32,
        ),
      );
      assert.deepEqual(await tlsExporterChannelBinding(p.serverConn), binding);

      const client = await p.clientConn.dangerousIntoKernelConnection();
      const server = await p.serverConn.dangerousIntoKernelConnection();
      await assert.rejects(p.clientConn.exportKeyingMaterial(LABEL, undefined, 42), TypeError);
      for (const [i, ctx] of contexts.entries()) {
        assert.deepEqual(await client.connection.exportKeyingMaterial(LABEL, ctx, 42), before[i]);
        assert.deepEqual(await server.connection.exportKeyingMaterial(LABEL, ctx, 42), before[i]);
      }
      assert.deepEqual(await tlsExporterChannelBinding(client.connection), binding);
      if (c.version === "TLSv1_3") {
        // The exporter secret does not move with KeyUpdate.
        await client.connection.updateTxSecret();
        await server.connection.updateRxSecret();
        assert.deepEqual(
          await client.connection.exportKeyingMaterial(LABEL, undefined, 42),
          before[0],
        );
      }
      for (const label of RESERVED) {
        await assert.rejects(
          client.connection.exportKeyingMaterial(label, undefined, 16),
          RangeError,
        );
      }
    });
  }

  it("refusals: before the handshake, reserved labels, bad lengths and arguments", async () => {
    const p = await connectPair(pki, { noRun: true });
    await assert.rejects(
      p.clientConn.exportKeyingMaterial(LABEL, undefined, 32),
      (e) => e instanceof TlsError && e.kind === "HandshakeNotComplete",
    );
    await assert.rejects(
      p.serverConn.exportKeyingMaterial(LABEL, undefined, 32),
      (e) => e instanceof TlsError && e.kind === "HandshakeNotComplete",
    );
    for (const version of ["TLSv1_3", "TLSv1_2"] as const) {
      const q = await pair(pki, version, version === "TLSv1_3" ? 0x1301 : 0xc02b);
      const conn = q.clientConn;
      for (const label of RESERVED) {
        await assert.rejects(conn.exportKeyingMaterial(label, undefined, 16), RangeError, label);
        await assert.rejects(q.serverConn.exportKeyingMaterial(label, CONTEXT, 16), RangeError);
      }
      for (const n of [0, -1, 1.5, NaN, version === "TLSv1_3" ? 255 * 32 + 1 : 65536]) {
        await assert.rejects(conn.exportKeyingMaterial(LABEL, undefined, n), RangeError, `${n}`);
      }
      const max = version === "TLSv1_3" ? 255 * 32 : 65535;
      assert.equal((await conn.exportKeyingMaterial(LABEL, undefined, max)).length, max);
      await assert.rejects(conn.exportKeyingMaterial("x".repeat(250), undefined, 16), RangeError);
      assert.equal((await conn.exportKeyingMaterial("x".repeat(249), undefined, 16)).length, 16);
      // deno-lint-ignore no-explicit-any
      await assert.rejects(conn.exportKeyingMaterial(7 as any, undefined, 16), TypeError);
      // deno-lint-ignore no-explicit-any
      await assert.rejects(conn.exportKeyingMaterial(LABEL, "ctx" as any, 16), TypeError);
    }
  });

  it("TlsStream exports what its connection does", async () => {
    const a = new TransformStream<Uint8Array, Uint8Array>();
    const b = new TransformStream<Uint8Array, Uint8Array>();
    const leaf = pki.leaves.p256;
    const [c, s] = await Promise.all([
      connectTls(
        { readable: a.readable, writable: b.writable },
        new ClientConfig({ roots: pki.roots() }),
        "localhost",
      ),
      acceptTls(
        { readable: b.readable, writable: a.writable },
        new ServerConfig({ certificateChain: leaf.certPem, privateKey: leaf.keyPem }),
      ),
    ]);
    const x = await c.exportKeyingMaterial(LABEL, CONTEXT, 20);
    assert.deepEqual(x, await s.exportKeyingMaterial(LABEL, CONTEXT, 20));
    assert.deepEqual(x, await c.connection.exportKeyingMaterial(LABEL, CONTEXT, 20));
    assert.deepEqual(await tlsExporterChannelBinding(c), await tlsExporterChannelBinding(s));
    await c.writable.close();
    await s.writable.close();
  });
});

/** The server random, read from the ServerHello the client received. */
async function serverRandomOf(p: { server: { sent: Uint8Array[] } }): Promise<Uint8Array> {
  const first = p.server.sent[0];
  // record header (5), handshake header (4), legacy_version (2), then random.
  assert.equal(first[0], 22);
  assert.equal(first[5], 2, "a ServerHello");
  return await Promise.resolve(first.slice(11, 43));
}

describe("issue 17 item 2: tls-server-end-point (RFC 5929 4.1)", () => {
  let pki: TestPki;
  before(() => {
    pki = new TestPki();
  });
  after(() => pki?.cleanup());

  const sha = (alg: string, der: Uint8Array) =>
    new Uint8Array(createHash(alg).update(der).digest());
  const SAN = ["subjectAltName=DNS:localhost"];

  it("the hash follows the certificate's signature algorithm", () => {
    const ec = pki.root("end-point EC root", "p256");
    const rsa = pki.root("end-point RSA root", "rsa");
    const cases: [string, Uint8Array, string][] = [
      ["ecdsa-with-SHA256", pki.issue(ec, "a", SAN, { digest: "sha256" }).der, "sha256"],
      ["ecdsa-with-SHA384", pki.issue(ec, "b", SAN, { digest: "sha384" }).der, "sha384"],
      ["ecdsa-with-SHA512", pki.issue(ec, "c", SAN, { digest: "sha512" }).der, "sha512"],
      ["ecdsa-with-SHA1 -> SHA-256", pki.issue(ec, "d", SAN, { digest: "sha1" }).der, "sha256"],
      ["sha256WithRSA", pki.issue(rsa, "e", SAN, { digest: "sha256" }).der, "sha256"],
      ["sha384WithRSA", pki.issue(rsa, "f", SAN, { digest: "sha384" }).der, "sha384"],
      ["sha512WithRSA", pki.issue(rsa, "g", SAN, { digest: "sha512" }).der, "sha512"],
      ["sha1WithRSA -> SHA-256", pki.issue(rsa, "h", SAN, { digest: "sha1" }).der, "sha256"],
      ["md5WithRSA -> SHA-256", pki.issue(rsa, "i", SAN, { digest: "md5" }).der, "sha256"],
    ];
    for (const [name, der, alg] of cases) {
      assert.deepEqual(tlsServerEndPointChannelBinding(der), sha(alg, der), name);
    }
  });

  it("RSASSA-PSS takes the hash of its parameters", () => {
    const pss = pki.root("end-point PSS root", "rsapss");
    const leaf = pki.issue(pss, "p", SAN, { digest: "sha384" });
    const expected = sha("sha384", leaf.der);
    assert.deepEqual(tlsServerEndPointChannelBinding(leaf.der), expected);
  });

  it("Ed25519 has no hash: the binding is undefined", () => {
    const ed = pki.root("end-point Ed25519 root", "ed25519");
    const leaf = pki.issue(ed, "e", SAN);
    assert.equal(tlsServerEndPointChannelBinding(leaf.der), undefined);
    assert.equal(tlsServerEndPointChannelBinding(ed.der), undefined);
  });

  it("garbage is a TlsError, not a crash", () => {
    assert.throws(
      () => tlsServerEndPointChannelBinding(new Uint8Array([0x30, 0x03, 1, 2, 3])),
      TlsError,
    );
    // deno-lint-ignore no-explicit-any
    assert.throws(() => tlsServerEndPointChannelBinding("x" as any), TypeError);
  });
});
