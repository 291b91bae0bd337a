// Setting up each side of an RFC 8448 replay (tests/rfc8448_engine_test.ts):
// the trace's messages and keys, the configs that reproduce what our options
// can of the trace, and the peer records as our side must be fed them.
import assert from "node:assert/strict";
import { field, findStep, type PrintedRecord } from "./_rfc8448.ts";
import {
  type TraceKeyPair,
  type TraceProvider,
  traceProvider,
  type TraceSignature,
} from "./_rfc8448_provider.ts";
import { type Differs, oneMessage, type Replay } from "./_rfc8448_replay.ts";
import { ClientConfig } from "../src/client/config.ts";
import { ServerConfig } from "../src/server/config.ts";
import { UnbufferedClientConnection, UnbufferedServerConnection } from "../src/conn/unbuffered.ts";
import type { ClientCertVerifier, ServerCertVerifier } from "../src/webpki/verifier.ts";
import { verifyHandshakeSignature } from "../src/webpki/tls_signatures.ts";
import type { CryptoProvider } from "../src/crypto/types.ts";
import { bytesEqual, concat } from "../src/_bytes.ts";
import { ContentType, ExtensionType, HandshakeType } from "../src/msgs/enums.ts";
import { encodeHandshake, type HandshakeMessage } from "../src/msgs/handshake.ts";

type Who = "client" | "server";

/** The `index`-th message `label` the trace constructs for `who`. */
export function printed(section: number, who: Who, label: string, index = 0): Uint8Array {
  const article = /^[AEIOU]/.test(label) ? "an" : "a";
  return field(findStep(section, who, `construct ${article} ${label} handshake`, index), label);
}

/** The trace's `index`-th ClientHello (section 4 prints it whole only in its record). */
export function traceClientHello(section: number, index = 0): Uint8Array {
  return section === 4
    ? field(findStep(4, "client", "send handshake record"), "payload")
    : printed(section, "client", "ClientHello", index);
}

export function msg<T extends HandshakeMessage["type"]>(
  encoded: Uint8Array,
  type: T,
): Extract<HandshakeMessage, { type: T }> {
  const m = oneMessage(encoded);
  assert.equal(m.type, type);
  return m as Extract<HandshakeMessage, { type: T }>;
}

export function keyPair(section: number, who: Who, curve: "x25519" | "P-256"): TraceKeyPair {
  const step = findStep(section, who, `create an ephemeral ${curve} key pair`);
  return { privateKey: field(step, "private key"), publicKey: field(step, "public key") };
}

/** The trace's certificate, and its CertificateVerify signature, as `who` sends them. */
export function identity(section: number, who: Who) {
  const cert = msg(printed(section, who, "Certificate"), HandshakeType.certificate);
  const cv = msg(printed(section, who, "CertificateVerify"), HandshakeType.certificate_verify);
  return {
    certificate: cert.certificateList[0].cert,
    scheme: cv.scheme,
    signature: cv.signature,
  };
}

export function extensionOf<T extends { type: number }>(exts: readonly T[], type: number): T {
  const e = exts.find((x) => x.type === type);
  assert.ok(e, `no extension ${type}`);
  return e;
}

/** A verifier pinned to the trace's certificate that checks signatures for real. */
export function pinnedVerifier(
  certificate: Uint8Array,
  schemes: readonly number[],
  provider: CryptoProvider,
): ServerCertVerifier & ClientCertVerifier {
  const check = (ee: Uint8Array) => {
    if (!bytesEqual(ee, certificate)) throw new Error("not the trace's certificate");
    return Promise.resolve();
  };
  // The trace's RSA key has 1024 bits, below our default minimum.
  const sig = (tls13: boolean) => (m: Uint8Array, ee: Uint8Array, s: number, sg: Uint8Array) =>
    verifyHandshakeSignature(provider.signatureVerifiers, tls13, m, ee, s, sg, 1024);
  return {
    verifyServerCert: check,
    verifyClientCert: check,
    verifyTls13Signature: sig(true),
    verifyTls12Signature: sig(false),
    supportedVerifySchemes: () => schemes,
    offerClientAuth: () => true,
    clientAuthMandatory: () => true,
    rootHintSubjects: () => [],
  };
}

/** The trace's ticket (section 3), for the server's ticketer. */
export function traceTicket() {
  return msg(printed(3, "server", "NewSessionTicket"), HandshakeType.new_session_ticket);
}

/** How our EncryptedExtensions differs from the trace's (see the file comment). */
export const SERVER_EE_DIFFERS = {
  [HandshakeType.encrypted_extensions]: [
    `only the trace has extension ${ExtensionType.supported_groups}`,
  ],
};

export async function serverFor(section: number, options: {
  x25519?: TraceKeyPair[];
  secp256r1?: TraceKeyPair[];
  random?: Uint8Array[];
  verifier?: (provider: CryptoProvider) => ClientCertVerifier;
  extra?: Partial<ConstructorParameters<typeof ServerConfig>[0]>;
}) {
  const sh = msg(
    printed(section, "server", "ServerHello", section === 5 ? 1 : 0),
    HandshakeType.server_hello,
  );
  const signer = section === 4 ? [] : [identity(section, "server")];
  const trace = await traceProvider({
    random: [sh.random, ...(options.random ?? [])],
    x25519: options.x25519,
    secp256r1: options.secp256r1,
    signatures: signer,
  });
  const key = await trace.provider.loadSigningKey("unused: the trace signer answers");
  const config = new ServerConfig({
    provider: trace.provider,
    certResolver: () => signer.length ? { certChain: [signer[0].certificate], key } : undefined,
    cipherSuites: [0x1301, 0x1303, 0x1302],
    versions: ["TLSv1_3"],
    sendTls13Tickets: 0,
    clientCertVerifier: options.verifier?.(trace.provider),
    ...options.extra,
  });
  return { trace, conn: await UnbufferedServerConnection.create(config) };
}

/**
 * The trace's record, with the cookie taken out of the second ClientHello:
 * our server sent none, so it rightly refuses one (RFC 8446 4.1.2).
 */
export function withoutCookie(rec: PrintedRecord): Uint8Array {
  const complete = field(rec.step, "complete record");
  if (rec.phase !== undefined || complete[0] !== ContentType.handshake) return complete;
  const hello = oneMessage(complete.subarray(5));
  if (hello.type !== HandshakeType.client_hello) return complete;
  const body = encodeHandshake({
    ...hello,
    extensions: hello.extensions.filter((e) => e.type !== ExtensionType.cookie),
  });
  const header = complete.slice(0, 5);
  header[3] = body.length >> 8;
  header[4] = body.length & 255;
  return concat(header, body);
}

export async function clientFor(section: number, options: {
  x25519?: TraceKeyPair[];
  secp256r1?: TraceKeyPair[];
  random?: Uint8Array[];
  signatures?: TraceSignature[];
  extra?: Partial<ConstructorParameters<typeof ClientConfig>[0]>;
}) {
  const ch = msg(traceClientHello(section), HandshakeType.client_hello);
  const trace = await traceProvider({
    random: [
      ch.random,
      ...(ch.legacySessionId.length ? [ch.legacySessionId] : []),
      ...(options.random ?? []),
    ],
    x25519: options.x25519,
    secp256r1: options.secp256r1,
    signatures: options.signatures,
  });
  const schemes = extensionOf(ch.extensions, ExtensionType.signature_algorithms);
  const groups = extensionOf(ch.extensions, ExtensionType.supported_groups);
  const server = identity(section === 4 ? 3 : section, "server");
  const config = new ClientConfig({
    provider: trace.provider,
    verifier: pinnedVerifier(
      server.certificate,
      "schemes" in schemes ? schemes.schemes : [],
      trace.provider,
    ),
    cipherSuites: ch.cipherSuites,
    kxGroups: "groups" in groups ? groups.groups : [],
    versions: ["TLSv1_3"],
    grease: false,
    middleboxCompat: ch.legacySessionId.length > 0,
    ...options.extra,
  });
  clientSubstitutions(trace, section);
  return { trace, config, conn: await UnbufferedClientConnection.create(config, "server") };
}

/** The trace's ClientHellos stand in for ours in the transcript hash. */
export function clientSubstitutions(trace: TraceProvider, section: number): void {
  trace.substitute(HandshakeType.client_hello, [
    traceClientHello(section),
    ...(section === 5 ? [traceClientHello(5, 1)] : []),
  ]);
}

/** How our ClientHello differs from the trace's (see the file comment). */
export function clientHelloDifferences(section: number, index = 0): string[] {
  const ch = msg(traceClientHello(section, index), HandshakeType.client_hello);
  const missing: number[] = [
    ExtensionType.renegotiation_info,
    ExtensionType.session_ticket,
    ExtensionType.padding,
  ];
  return [
    ...ch.extensions.filter((e) => missing.includes(e.type)).map((e) =>
      `only the trace has extension ${e.type}`
    ),
    "extension order",
  ];
}

/** Runs our client through `replay`, fed the trace's server records. */
export function runClient(
  replay: Replay,
  differs: Record<number, Differs> = {
    [HandshakeType.client_hello]: clientHelloDifferences(replay.section),
  },
): Promise<void> {
  return replay.run({ differs });
}
