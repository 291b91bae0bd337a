// Shared setup for the in-memory pair tests: an openssl test PKI with one leaf
// per key type, verifiers that record the CertificateVerify scheme, and a
// one-call handshake between our client and our server.
import { readFileSync } from "node:fs";
import { ClientConfig, type ClientConfigOptions } from "../src/client/config.ts";
import { ServerConfig, type ServerConfigOptions } from "../src/server/config.ts";
import { UnbufferedClientConnection, UnbufferedServerConnection } from "../src/conn/unbuffered.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import {
  type ClientCertVerifier,
  type ServerCertVerifier,
  WebPkiClientVerifier,
  WebPkiServerVerifier,
} from "../src/webpki/verifier.ts";
import { type KeyAlg, type TestCert, TestPki } from "./_pki.ts";
import { Endpoint, runPair } from "./_pair.ts";

/** A leaf as PEM text, ready for a config. */
export interface PemLeaf {
  /** Certificate PEM. */
  certPem: string;
  /** PKCS#8 key PEM. */
  keyPem: string;
  /** Certificate DER. */
  der: Uint8Array;
}

/** The test PKI: one root, one server leaf per key type, a client leaf. */
export interface PairPki {
  /** Trust anchors holding the root. */
  roots: () => RootCertStore;
  /** Server leaves for "localhost", by key type. */
  leaves: Record<KeyAlg, PemLeaf>;
  /** A client certificate (P-256). */
  client: PemLeaf;
  /** Removes the scratch directory. */
  cleanup: () => void;
}

function pem(c: TestCert): PemLeaf {
  return {
    certPem: readFileSync(c.certPath, "utf8"),
    keyPem: readFileSync(c.keyPath, "utf8"),
    der: c.der,
  };
}

/** Builds the PKI with openssl (RSA key generation makes this take a moment). */
export function makePairPki(algs: readonly KeyAlg[] = ["p256"]): PairPki {
  const pki = new TestPki();
  const root = pki.root("pair test root");
  const leaves = {} as Record<KeyAlg, PemLeaf>;
  for (const a of algs) leaves[a] = pem(pki.leaf(root, "DNS:localhost", { alg: a }));
  const client = pem(pki.leaf(root, "DNS:client.test"));
  return {
    roots: () => {
      const r = new RootCertStore();
      r.add(root.der);
      return r;
    },
    leaves,
    client,
    cleanup: () => pki.cleanup(),
  };
}

/** Wraps a server verifier and records the schemes of CertificateVerify. */
export function recordingServerVerifier(
  inner: ServerCertVerifier,
  schemes: number[],
): ServerCertVerifier {
  return {
    verifyServerCert: (ee, im, name, now) => inner.verifyServerCert(ee, im, name, now),
    verifyTls13Signature: (m, ee, scheme, sig) => {
      schemes.push(scheme);
      return inner.verifyTls13Signature(m, ee, scheme, sig);
    },
    verifyTls12Signature: (m, ee, scheme, sig) => inner.verifyTls12Signature(m, ee, scheme, sig),
    supportedVerifySchemes: () => inner.supportedVerifySchemes(),
  };
}

/**
 * Wraps a client verifier and records the schemes of the TLS 1.3
 * CertificateVerify it checks in `schemes` (TLS 1.2 ones in `opts.tls12`);
 * `opts.offer` replaces the schemes it offers.
 */
export function recordingClientVerifier(
  inner: ClientCertVerifier,
  schemes: number[],
  opts: { tls12?: number[]; offer?: readonly number[] } = {},
): ClientCertVerifier {
  return {
    offerClientAuth: () => inner.offerClientAuth(),
    clientAuthMandatory: () => inner.clientAuthMandatory(),
    rootHintSubjects: () => inner.rootHintSubjects(),
    verifyClientCert: (ee, im, now) => inner.verifyClientCert(ee, im, now),
    verifyTls13Signature: (m, ee, scheme, sig) => {
      schemes.push(scheme);
      return inner.verifyTls13Signature(m, ee, scheme, sig);
    },
    verifyTls12Signature: (m, ee, scheme, sig) => {
      opts.tls12?.push(scheme);
      return inner.verifyTls12Signature(m, ee, scheme, sig);
    },
    supportedVerifySchemes: () => opts.offer ?? inner.supportedVerifySchemes(),
  };
}

/** A Web PKI client verifier over the test root. */
export function clientAuthVerifier(pki: PairPki, mandatory: boolean): ClientCertVerifier {
  return new WebPkiClientVerifier({ roots: pki.roots(), mandatory });
}

/** What {@link connectPair} gives back. */
export interface Pair {
  /** The client's driver. */
  client: Endpoint;
  /** The server's driver. */
  server: Endpoint;
  /** The client connection. */
  clientConn: UnbufferedClientConnection;
  /** The server connection. */
  serverConn: UnbufferedServerConnection;
  /** Schemes the client saw in the server's CertificateVerify. */
  serverSchemes: number[];
}

/** Options for {@link connectPair}. */
export interface PairOptions {
  /** Server options on top of the P-256 leaf. */
  server?: Partial<ServerConfigOptions>;
  /** Client options on top of the test roots. */
  client?: Partial<ClientConfigOptions>;
  /** Server leaf key type (default p256). */
  leaf?: KeyAlg;
  /** Bytes per delivery (default all at once). */
  chunk?: number;
  /** Keep failures in `Endpoint.error` instead of throwing. */
  captureErrors?: boolean;
  /** Use this client config as is (ignores `client`; for resumption across connections). */
  clientConfig?: ClientConfig;
  /** Use this server config as is (ignores `server` and `leaf`). */
  serverConfig?: ServerConfig;
  /** Leave the handshake to the caller (runPair not called). */
  noRun?: boolean;
  /** Application data the client sends once it can. */
  clientData?: Uint8Array;
  /** Application data the server sends once it can. */
  serverData?: Uint8Array;
}

/** A client config over the test roots that records server CertificateVerify schemes. */
export function recordingClientConfig(
  pki: PairPki,
  schemes: number[],
  options: Partial<ClientConfigOptions> = {},
): ClientConfig {
  const verifier = recordingServerVerifier(
    new WebPkiServerVerifier({ roots: pki.roots() }),
    schemes,
  );
  return new ClientConfig({ verifier, ...options });
}

/** Makes a client and a server and, unless `noRun`, runs them until both are idle. */
export async function connectPair(pki: PairPki, opts: PairOptions = {}): Promise<Pair> {
  const serverSchemes: number[] = [];
  const leaf = pki.leaves[opts.leaf ?? "p256"];
  const serverConn = new UnbufferedServerConnection(
    opts.serverConfig ??
      new ServerConfig({ certificateChain: leaf.certPem, privateKey: leaf.keyPem, ...opts.server }),
  );
  const verifier = recordingServerVerifier(
    new WebPkiServerVerifier({ roots: pki.roots() }),
    serverSchemes,
  );
  const clientConn = await UnbufferedClientConnection.create(
    opts.clientConfig ?? new ClientConfig({ verifier, resumption: false, ...opts.client }),
    "localhost",
  );
  const client = new Endpoint(clientConn);
  const server = new Endpoint(serverConn);
  client.chunk = server.chunk = opts.chunk ?? Infinity;
  client.captureErrors = server.captureErrors = opts.captureErrors ?? false;
  if (opts.clientData) client.pendingWrites.push(opts.clientData);
  if (opts.serverData) server.pendingWrites.push(opts.serverData);
  if (!opts.noRun) await runPair(client, server);
  return { client, server, clientConn, serverConn, serverSchemes };
}

/** UTF-8 bytes. */
export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** Decodes UTF-8. */
export function text(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}
