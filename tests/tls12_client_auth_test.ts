// Issue 18 item 8: TLS 1.2 client authentication on the server, our client
// against our server in memory. The server sends CertificateRequest after
// ServerKeyExchange when its client verifier offers client auth, verifies the
// client's chain with that verifier (the TLS 1.3 rule) and its
// CertificateVerify over the handshake through ClientKeyExchange, exposes
// the chain as peerCertificates, and carries it across resumption.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ClientConfig, type ClientConfigOptions } from "../src/client/config.ts";
import { InMemoryClientSessionStore } from "../src/client/session_store.ts";
import { ServerConfig } from "../src/server/config.ts";
import { RotatingTicketer } from "../src/server/ticketer.ts";
import { InMemoryServerSessionStore } from "../src/server/session_store.ts";
import { TlsError } from "../src/error.ts";
import {
  AlertDescription,
  ContentType,
  HandshakeType,
  SignatureScheme,
} from "../src/msgs/enums.ts";
import { decodeCertificate12, decodeCertificateRequest12 } from "../src/msgs/tls12_messages.ts";
import { splitHandshakeMessages } from "../src/msgs/handshake.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import {
  type ClientCertVerifier,
  WebPkiClientVerifier,
  WebPkiServerVerifier,
} from "../src/webpki/verifier.ts";
import { type KeyAlg, TestPki } from "./_pki.ts";
import { joinBytes, runPair, splitRecords } from "./_pair.ts";
import {
  connectPair,
  type Pair,
  type PairPki,
  recordingClientVerifier,
  utf8,
} from "./_pair_setup.ts";

const A = AlertDescription;
const CLIENT_ALGS = ["p256", "rsa", "ed25519"] as const;

interface ClientCert {
  certPem: string;
  keyPem: string;
  der: Uint8Array;
}

let testPki: TestPki;
let pki: PairPki;
let rootDer: Uint8Array;
let clients: Record<(typeof CLIENT_ALGS)[number] | "foreign" | "rsa1024", ClientCert>;

before(() => {
  testPki = new TestPki();
  const root = testPki.root("tls12 client auth root");
  const other = testPki.root("a root the server does not trust");
  rootDer = root.der;
  const read = (c: { certPath: string; keyPath: string; der: Uint8Array }): ClientCert => ({
    certPem: readFileSync(c.certPath, "utf8"),
    keyPem: readFileSync(c.keyPath, "utf8"),
    der: c.der,
  });
  const client = (issuer: typeof root, alg: KeyAlg) =>
    read(testPki.leaf(issuer, "DNS:client.test", { alg }));
  clients = {
    p256: client(root, "p256"),
    rsa: client(root, "rsa"),
    ed25519: client(root, "ed25519"),
    foreign: client(other, "p256"),
    rsa1024: client(root, "rsa-1024"),
  };
  const roots = () => {
    const r = new RootCertStore();
    r.add(root.der);
    return r;
  };
  pki = {
    roots,
    leaves: { p256: read(testPki.leaf(root, "DNS:localhost")) } as PairPki["leaves"],
    client: clients.p256,
    cleanup: () => testPki.cleanup(),
  };
});
after(() => pki.cleanup());

/** A Web PKI client verifier over the test root that records TLS 1.2 CertificateVerify schemes. */
function verifier(
  opts: { mandatory?: boolean; schemes?: number[]; seen?: number[] } = {},
): ClientCertVerifier {
  const inner = new WebPkiClientVerifier({ roots: pki.roots(), mandatory: opts.mandatory });
  return recordingClientVerifier(inner, [], { tls12: opts.seen, offer: opts.schemes });
}

/** The handshake messages one side sent in the clear (everything before its CCS). */
function clearMessages(sent: readonly Uint8Array[]) {
  const records = splitRecords(joinBytes(sent));
  const ccs = records.findIndex((r) => r.type === ContentType.change_cipher_spec);
  const fragments = records.slice(0, ccs < 0 ? records.length : ccs)
    .filter((r) => r.type === ContentType.handshake).map((r) => r.bytes.subarray(5));
  return splitHandshakeMessages(joinBytes(fragments));
}

/** Rewrites the client's CertificateVerify (TLS 1.2 sends it in the clear). */
function editCertificateVerify(edit: (encoded: Uint8Array) => Uint8Array | undefined) {
  let encrypted = false; // after the client's CCS, handshake records are protected
  return (bytes: Uint8Array): Promise<Uint8Array> => {
    const out = splitRecords(bytes).map((r) => {
      if (r.type === ContentType.change_cipher_spec) encrypted = true;
      if (r.type !== ContentType.handshake || encrypted) return r.bytes;
      const msgs = splitHandshakeMessages(r.bytes.subarray(5));
      if (!msgs.some((m) => m.type === HandshakeType.certificate_verify)) return r.bytes;
      const body = joinBytes(msgs.flatMap((m) => {
        if (m.type !== HandshakeType.certificate_verify) return [m.encoded];
        const edited = edit(m.encoded.slice());
        return edited ? [edited] : [];
      }));
      const header = r.bytes.slice(0, 5);
      header[3] = body.length >> 8;
      header[4] = body.length & 0xff;
      return joinBytes([header, body]);
    });
    return Promise.resolve(joinBytes(out));
  };
}

interface Run extends Pair {
  clientError: TlsError | undefined;
  serverError: TlsError | undefined;
}

/** Our client (TLS 1.2 only, `cert` if given) against our server with `clientCertVerifier`. */
async function run(opts: {
  clientCertVerifier: ClientCertVerifier;
  cert?: ClientCert;
  tls13?: boolean;
  wire?: (bytes: Uint8Array) => Promise<Uint8Array>;
  clientConfig?: ClientConfig;
  serverConfig?: ServerConfig;
}): Promise<Run> {
  const p = await connectPair(pki, {
    server: { clientCertVerifier: opts.clientCertVerifier },
    client: {
      versions: opts.tls13 ? ["TLSv1_3"] : ["TLSv1_2"],
      ...(opts.cert ? { certificateChain: opts.cert.certPem, privateKey: opts.cert.keyPem } : {}),
    },
    clientConfig: opts.clientConfig,
    serverConfig: opts.serverConfig,
    captureErrors: true,
    noRun: true,
    clientData: utf8("from an authenticated client"),
  });
  p.client.wire = opts.wire;
  await runPair(p.client, p.server);
  const tls = (e: unknown) => {
    if (e === undefined || e instanceof TlsError) return e;
    throw e;
  };
  return { ...p, clientError: tls(p.client.error), serverError: tls(p.server.error) };
}

function assertAuthenticated(r: Run, cert: ClientCert): void {
  assert.equal(r.serverError, undefined, r.serverError?.message);
  assert.equal(r.clientError, undefined, r.clientError?.message);
  assert.equal(r.serverConn.protocolVersion, "TLSv1_2");
  assert.deepEqual(r.serverConn.peerCertificates, [cert.der]);
  assert.equal(new TextDecoder().decode(r.server.received[0]), "from an authenticated client");
}

describe("TLS 1.2 client authentication: our client vs our server", () => {
  const expectedScheme = {
    p256: SignatureScheme.ecdsa_secp256r1_sha256,
    rsa: SignatureScheme.rsa_pss_rsae_sha256,
    ed25519: SignatureScheme.ed25519,
  };
  for (const alg of CLIENT_ALGS) {
    it(`${alg} client certificate: chain and CertificateVerify accepted`, async () => {
      const seen: number[] = [];
      const r = await run({ clientCertVerifier: verifier({ seen }), cert: clients[alg] });
      assertAuthenticated(r, clients[alg]);
      assert.deepEqual(seen, [expectedScheme[alg]]);
      // RFC 5246 7.3: Certificate, ClientKeyExchange, CertificateVerify, then CCS.
      assert.deepEqual(clearMessages(r.client.sent).map((m) => m.type), [
        HandshakeType.client_hello,
        HandshakeType.certificate,
        HandshakeType.client_key_exchange,
        HandshakeType.certificate_verify,
      ]);
    });
  }

  it("CertificateRequest: after ServerKeyExchange, types and schemes of the verifier, its roots", async () => {
    const v = verifier();
    const r = await run({ clientCertVerifier: v, cert: clients.p256 });
    const msgs = clearMessages(r.server.sent);
    assert.deepEqual(msgs.map((m) => m.type), [2, 11, 12, 13, 14]);
    const request = decodeCertificateRequest12(msgs[3].body);
    assert.deepEqual(request.certificateTypes, [64, 1]); // ecdsa_sign, rsa_sign
    assert.deepEqual(request.schemes, [...v.supportedVerifySchemes()]);
    assert.equal(request.authorities.length, 1);
    assert.deepEqual(request.authorities, [...v.rootHintSubjects()]);
    // The subject DER sits inside the root certificate.
    assert.ok(Buffer.from(rootDer).includes(Buffer.from(request.authorities[0])));
  });

  it("more trust-anchor subjects than a CertificateRequest holds: none named, TLS 1.2 and 1.3", async () => {
    // 2000 subjects of 60 bytes: 124 KB, past the u16 list (about 1,000 such roots).
    const many = Array.from({ length: 2000 }, (_, i) => new Uint8Array(60).fill(i & 0xff));
    const v: ClientCertVerifier = { ...verifier(), rootHintSubjects: () => many };
    const r12 = await run({ clientCertVerifier: v, cert: clients.p256 });
    assertAuthenticated(r12, clients.p256);
    const request = decodeCertificateRequest12(clearMessages(r12.server.sent)[3].body);
    assert.deepEqual(request.authorities, []);
    const r13 = await run({ clientCertVerifier: v, cert: clients.p256, tls13: true });
    assert.equal(r13.serverError, undefined, r13.serverError?.message);
    assert.deepEqual(r13.serverConn.peerCertificates, [clients.p256.der]);
  });

  it("RSA PKCS#1 v1.5 is allowed in TLS 1.2 (not in TLS 1.3)", async () => {
    const seen: number[] = [];
    const pkcs1 = verifier({ schemes: [SignatureScheme.rsa_pkcs1_sha256], seen });
    const r = await run({ clientCertVerifier: pkcs1, cert: clients.rsa });
    assertAuthenticated(r, clients.rsa);
    assert.deepEqual(seen, [SignatureScheme.rsa_pkcs1_sha256]);
    const request = decodeCertificateRequest12(clearMessages(r.server.sent)[3].body);
    assert.deepEqual(request.certificateTypes, [1]);
  });

  it("required, no certificate: handshake_failure (TLS 1.3 says certificate_required)", async () => {
    const r = await run({ clientCertVerifier: verifier() });
    assert.equal(r.serverError?.alert, A.handshake_failure);
    assert.equal(r.serverError?.detail, "NoCertificatesPresented");
    assert.equal(r.clientError?.alert, A.handshake_failure);
    assert.equal(r.clientError?.alertDirection, "received");
    const certificate = clearMessages(r.client.sent).find((m) => m.type === 11)!;
    assert.deepEqual(decodeCertificate12(certificate.body), []);
    const r13 = await run({ clientCertVerifier: verifier(), tls13: true });
    assert.equal(r13.serverError?.alert, A.certificate_required);
  });

  it("a client certificate the request does not admit is not sent: an empty Certificate", async () => {
    // Only ECDSA schemes asked for: our RSA client answers with no certificate.
    const ecdsaOnly = verifier({ schemes: [SignatureScheme.ecdsa_secp256r1_sha256] });
    const r = await run({ clientCertVerifier: ecdsaOnly, cert: clients.rsa });
    assert.equal(r.serverError?.detail, "NoCertificatesPresented");
  });

  it("optional, no certificate: success without peer certificates", async () => {
    const r = await run({ clientCertVerifier: verifier({ mandatory: false }) });
    assert.equal(r.serverError, undefined);
    assert.equal(r.serverConn.protocolVersion, "TLSv1_2");
    assert.equal(r.serverConn.peerCertificates, undefined);
    assert.equal(r.server.received.length, 1);
    assert.ok(!clearMessages(r.client.sent).some((m) => m.type === 15), "no CertificateVerify");
  });

  it("optional, with a certificate: verified as when required", async () => {
    const r = await run({ clientCertVerifier: verifier({ mandatory: false }), cert: clients.p256 });
    assertAuthenticated(r, clients.p256);
  });

  for (
    const [name, cert, detail] of [["an unknown CA", "foreign", "UnknownIssuer"], [
      "a 1024-bit RSA key",
      "rsa1024",
      "RsaKeyTooSmall",
    ]] as const
  ) {
    it(`a chain from ${name} is refused with the TLS 1.3 path's alert`, async () => {
      const r = await run({ clientCertVerifier: verifier(), cert: clients[cert] });
      const r13 = await run({ clientCertVerifier: verifier(), cert: clients[cert], tls13: true });
      assert.equal(r.serverError?.kind, "InvalidCertificate");
      assert.equal(r.serverError?.detail, detail);
      assert.equal(r13.serverError?.detail, detail);
      assert.equal(r.serverError?.alert, r13.serverError?.alert);
      assert.ok([A.bad_certificate, A.unknown_ca].includes(r.serverError!.alert as 42 | 48));
      assert.equal(r.clientError?.alert, r.serverError?.alert);
    });
  }

  it("a tampered CertificateVerify signature is decrypt_error", async () => {
    const r = await run({
      clientCertVerifier: verifier(),
      cert: clients.p256,
      wire: editCertificateVerify((cv) => {
        cv[cv.length - 1] ^= 1;
        return cv;
      }),
    });
    assert.equal(r.serverError?.alert, A.decrypt_error);
    assert.equal(r.serverError?.detail, "BadSignature");
  });

  it("a CertificateVerify scheme we did not offer is illegal_parameter", async () => {
    const r = await run({
      clientCertVerifier: verifier(),
      cert: clients.p256,
      wire: editCertificateVerify((cv) => {
        cv.set([0x02, 0x03], 4); // ecdsa_sha1
        return cv;
      }),
    });
    assert.equal(r.serverError?.alert, A.illegal_parameter);
    assert.equal(r.serverError?.detail, "SignedWithUnofferedScheme");
  });

  it("a certificate without CertificateVerify (straight to CCS) is unexpected_message", async () => {
    const r = await run({
      clientCertVerifier: verifier(),
      cert: clients.p256,
      wire: editCertificateVerify(() => undefined),
    });
    assert.equal(r.serverError?.alert, A.unexpected_message);
    assert.equal(r.serverConn.peerCertificates?.length, 1, "chain verified, identity unproven");
    assert.ok(r.serverConn.isHandshaking);
  });
});

describe("TLS 1.2 client authentication and resumption", () => {
  function clientConfig(cert?: ClientCert, options: Partial<ClientConfigOptions> = {}) {
    return new ClientConfig({
      verifier: new WebPkiServerVerifier({ roots: pki.roots() }),
      versions: ["TLSv1_2"],
      sessionStore: new InMemoryClientSessionStore(),
      ...(cert ? { certificateChain: cert.certPem, privateKey: cert.keyPem } : {}),
      ...options,
    });
  }
  const serverConfig = (
    v: ClientCertVerifier,
    extra: { ticketer?: RotatingTicketer; sessionStore?: InMemoryServerSessionStore } = {},
  ) =>
    new ServerConfig({
      certificateChain: pki.leaves.p256.certPem,
      privateKey: pki.leaves.p256.keyPem,
      clientCertVerifier: v,
      ...extra,
    });

  for (const mode of ["session ID", "ticket"] as const) {
    it(`resumed by ${mode}: the original client certificate is the peer's`, async () => {
      const s = serverConfig(
        verifier(),
        mode === "ticket" ? { ticketer: new RotatingTicketer() } : {},
      );
      const c = clientConfig(clients.ed25519);
      const kinds: (string | undefined)[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await run({ clientCertVerifier: verifier(), clientConfig: c, serverConfig: s });
        assertAuthenticated(r, clients.ed25519);
        kinds.push(r.serverConn.handshakeKind);
        if (i > 0) assert.deepEqual(clearMessages(r.client.sent).map((m) => m.type), [1]);
      }
      assert.deepEqual(kinds, ["Full", "Resumed", "Resumed"]);
    });
  }

  for (const mode of ["session ID", "ticket"] as const) {
    it(`by ${mode}: a session without a client certificate does not resume under mandatory auth`, async () => {
      const shared = mode === "ticket"
        ? { ticketer: new RotatingTicketer() }
        : { sessionStore: new InMemoryServerSessionStore() };
      const c = clientConfig();
      const optional = serverConfig(verifier({ mandatory: false }), shared);
      const first = await run({
        clientCertVerifier: verifier(),
        clientConfig: c,
        serverConfig: optional,
      });
      assert.equal(first.serverError, undefined);
      assert.equal(first.serverConn.peerCertificates, undefined);
      const again = await run({
        clientCertVerifier: verifier(),
        clientConfig: c,
        serverConfig: optional,
      });
      assert.equal(again.serverConn.handshakeKind, "Resumed", "the session is resumable");
      const mandatory = serverConfig(verifier(), shared);
      const r = await run({
        clientCertVerifier: verifier(),
        clientConfig: c,
        serverConfig: mandatory,
      });
      // A full handshake, in which this client has no certificate to give.
      assert.equal(r.serverError?.detail, "NoCertificatesPresented");
    });
  }
});
