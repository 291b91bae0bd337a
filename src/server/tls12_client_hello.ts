/**
 * The server's answer to a ClientHello that does not offer TLS 1.3 (RFC 5246
 * 7.4.1.2, RFC 8422): an ECDHE AEAD suite that fits our certificate's key,
 * a group, a signature scheme, then ServerHello, Certificate,
 * ServerKeyExchange, [CertificateRequest] and ServerHelloDone in one flight;
 * or the abbreviated handshake of a session resumed by ID or ticket.
 *
 * The CertificateRequest goes out when the config's client verifier offers
 * client authentication (`tls12_client_auth.ts`).
 *
 * @module
 */

import { peerIncompatible, peerMisbehaved } from "../error.ts";
import { answerRecordSizeLimit } from "../common/record_size_limit.ts";
import type { ConnectionCore, HandshakeState } from "../common/core.ts";
import type { Tls12CipherSuite } from "../crypto/types.ts";
import type { ClientHello } from "../msgs/client_hello.ts";
import {
  AlertDescription,
  CipherSuiteId,
  ExtensionType,
  HandshakeType,
  NamedGroup,
  ProtocolVersion,
} from "../msgs/enums.ts";
import { findExtension } from "../msgs/extensions.ts";
import type { ServerHelloExtension } from "../msgs/extension_types.ts";
import { encodeHandshake } from "../msgs/handshake.ts";
import { DOWNGRADE_TLS12_SENTINEL } from "../msgs/server_hello.ts";
import {
  encodeCertificate12,
  encodeEcdheParams,
  encodeEmptyMessage,
  encodeFinished12,
  encodeServerKeyExchange,
} from "../msgs/tls12_messages.ts";
import type { HandshakeMessage as RawHandshake } from "../record/handshake_joiner.ts";
import { concat } from "../_bytes.ts";
import { schemeFitsSuite, TLS12_GROUPS } from "../tls12/negotiation.ts";
import { chooseAlpn, clientOffers, resolveCertificate } from "./client_hello_checks.ts";
import type { ServerHandshakeData } from "./handshake_data.ts";
import {
  ExpectClientFinished12,
  ExpectClientKeyExchange,
  type Tls12ServerState,
} from "./tls12_states.ts";
import { certificateRequest12, ExpectClientCertificate12 } from "./tls12_client_auth.ts";
import { fullHandshakeClientAuth, NoClientAuthRequired } from "./client_auth.ts";
import { findTls12Session, type Tls12Resumable } from "./tls12_resumption.ts";
import { keyBlock, verifyData } from "../tls12/prf.ts";
import { Tls12Reader, Tls12Writer } from "../record/record_io.ts";

const decoder = new TextDecoder();

/** TLS_FALLBACK_SCSV (RFC 7507 section 2). */
const FALLBACK_SCSV = 0x5600;

/**
 * True when `hello` should get TLS 1.2: TLS 1.2 is enabled and the client
 * does not offer TLS 1.3 (or we do not).
 */
export function wantsTls12(hs: ServerHandshakeData, hello: ClientHello): boolean {
  const { versions } = hs.config;
  if (!versions.includes("TLSv1_2")) return false;
  const offered = findExtension(hello.extensions, ExtensionType.supported_versions)?.versions;
  if (offered?.includes(ProtocolVersion.TLSv1_3) && versions.includes("TLSv1_3")) return false;
  return offered ? offered.includes(ProtocolVersion.TLSv1_2) : hello.legacyVersion >= 0x0303;
}

/** Negotiates TLS 1.2 from `hello` and queues the server's first flight. */
export async function handleTls12ClientHello(
  hs: ServerHandshakeData,
  cx: ConnectionCore,
  raw: RawHandshake,
  hello: ClientHello,
): Promise<HandshakeState> {
  const { config } = hs;
  // RFC 7507 3: a client retrying with a lower version than we support was
  // pushed down, by a network error or an attacker.
  if (hello.cipherSuites.includes(FALLBACK_SCSV) && config.versions.includes("TLSv1_3")) {
    throw peerIncompatible(
      "TLS_FALLBACK_SCSV in a TLS 1.2 ClientHello to a TLS 1.3 server",
      "InappropriateFallback",
      AlertDescription.inappropriate_fallback,
    );
  }
  if (!hello.legacyCompressionMethods.includes(0)) {
    throw peerIncompatible("ClientHello offers no null compression", "NullCompressionRequired");
  }
  const reneg = findExtension(hello.extensions, ExtensionType.renegotiation_info);
  if (reneg && reneg.renegotiatedConnection.length !== 0) {
    throw peerMisbehaved(
      "non-empty renegotiation_info in an initial handshake",
      "InvalidRenegotiationInfo",
      AlertDescription.handshake_failure,
    );
  }
  const secureReneg = reneg !== undefined ||
    hello.cipherSuites.includes(CipherSuiteId.TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
  const ems = findExtension(hello.extensions, ExtensionType.extended_master_secret) !== undefined;
  if (!ems && config.requireExtendedMasterSecret) {
    throw peerIncompatible(
      "client does not support the extended master secret",
      "ExtendedMasterSecretExtensionRequired",
    );
  }
  const offers = clientOffers(hello);
  const { serverName } = offers;
  cx.recordNegotiated({ serverName });
  const resumable = await findTls12Session(config, hello, serverName);
  // RFC 7627 5.3: every session we keep used the extended master secret, so
  // a ClientHello resuming one without it must not get a full handshake.
  if (resumable && !ems) {
    throw peerIncompatible(
      "ClientHello resumes an extended master secret session without the extension",
      "ExtendedMasterSecretExtensionRequired",
    );
  }
  if (resumable) {
    return resumeTls12(hs, cx, raw, hello, resumable, secureReneg, offers.alpn);
  }
  const certified = await resolveCertificate(config, offers);
  const keyAlg = certified.key.algorithm;
  const suite = config.cipherSuites.find((s): s is Tls12CipherSuite =>
    s.version === "TLSv1_2" && s.sign === keyAlg && hello.cipherSuites.includes(s.id)
  );
  if (!suite) throw peerIncompatible("no cipher suite in common", "NoCipherSuitesInCommon");
  const scheme = certified.key.schemes.find((s) =>
    offers.schemes.includes(s) && schemeFitsSuite(s, suite.sign)
  );
  if (scheme === undefined) {
    throw peerIncompatible("no signature scheme in common", "NoSignatureSchemesInCommon");
  }
  // RFC 8422 5.1.1: a client without supported_groups is taken to support P-256.
  const clientGroups = findExtension(hello.extensions, ExtensionType.supported_groups)?.groups ??
    [NamedGroup.secp256r1];
  const group = config.kxGroups.find((g) =>
    TLS12_GROUPS.has(g.group) && clientGroups.includes(g.group)
  );
  if (!group) throw peerIncompatible("no key exchange group in common", "NoKxGroupsInCommon");
  const alpn = chooseAlpn(config, offers.alpn);

  hs.transcript.add(raw.encoded);
  const serverRandom = tls12ServerRandom(hs);
  // Sessions (EMS only) are kept by ticket when the client takes one and we
  // have a ticketer, else by session ID in the stateful store.
  const issueTicket = ems && config.resumption && config.ticketer !== undefined &&
    findExtension(hello.extensions, ExtensionType.session_ticket) !== undefined;
  const sessionId = ems && config.resumption && !config.ticketer
    ? config.randomBytes(32)
    : new Uint8Array(0);
  const extensions = serverHelloExtensions(
    cx,
    hello,
    secureReneg,
    ems,
    alpn,
    config.recordSizeLimit,
  );
  if (issueTicket) {
    extensions.push({ type: ExtensionType.session_ticket, ticket: new Uint8Array(0) });
  }
  const serverHello = encodeHandshake({
    type: HandshakeType.server_hello,
    legacyVersion: ProtocolVersion.TLSv1_2,
    random: serverRandom,
    legacySessionIdEcho: sessionId,
    cipherSuite: suite.id,
    legacyCompressionMethod: 0,
    extensions,
  });
  const kx = await group.start();
  const params = encodeEcdheParams(group.group, kx.publicKey);
  const signature = await certified.key.sign(scheme, concat(hello.random, serverRandom, params));
  const clientAuth = fullHandshakeClientAuth(config);
  const request = clientAuth instanceof NoClientAuthRequired ? undefined : clientAuth;
  const flight = [
    serverHello,
    encodeCertificate12(certified.certChain),
    encodeServerKeyExchange({ group: group.group, publicKey: kx.publicKey, scheme, signature }),
    ...(request ? [certificateRequest12(request)] : []),
    encodeEmptyMessage(HandshakeType.server_hello_done),
  ];
  for (const msg of flight) {
    cx.sendHandshake(msg);
    hs.transcript.add(msg);
  }
  // No TLS 1.3 middlebox CCS here: the client's CCS is a TLS 1.2 one.
  cx.refuseMiddleboxCcs();
  cx.recordNegotiated({
    protocolVersion: "TLSv1_2",
    cipherSuite: suite,
    kxGroup: group,
    alpnProtocol: alpn && decoder.decode(alpn),
    handshakeKind: "Full",
  });
  const st: Tls12ServerState = {
    hs,
    suite,
    serverRandom,
    ems,
    kx,
    sessionId,
    issueTicket,
    serverName,
  };
  return clientAuth instanceof NoClientAuthRequired
    ? new ExpectClientKeyExchange(st, clientAuth)
    : new ExpectClientCertificate12(st, clientAuth);
}

function tls12ServerRandom(hs: ServerHandshakeData): Uint8Array {
  const random = hs.config.randomBytes(32);
  // RFC 8446 4.1.3: a TLS 1.3 server that settles for TLS 1.2 says so.
  if (hs.config.versions.includes("TLSv1_3")) random.set(DOWNGRADE_TLS12_SENTINEL, 24);
  return random;
}

function serverHelloExtensions(
  cx: ConnectionCore,
  hello: ClientHello,
  secureReneg: boolean,
  ems: boolean,
  alpn: Uint8Array | undefined,
  recordSizeLimit: number,
): ServerHelloExtension[] {
  const extensions: ServerHelloExtension[] = [];
  const limit = findExtension(hello.extensions, ExtensionType.record_size_limit);
  if (limit) {
    extensions.push(answerRecordSizeLimit(cx, "TLSv1_2", limit.limit, recordSizeLimit));
  }
  if (secureReneg) {
    extensions.push({
      type: ExtensionType.renegotiation_info,
      renegotiatedConnection: new Uint8Array(0),
    });
  }
  if (ems) extensions.push({ type: ExtensionType.extended_master_secret });
  if (findExtension(hello.extensions, ExtensionType.ec_point_formats)) {
    extensions.push({ type: ExtensionType.ec_point_formats, formats: [0] });
  }
  if (alpn) {
    extensions.push({
      type: ExtensionType.application_layer_protocol_negotiation,
      protocols: [alpn],
    });
  }
  return extensions;
}

/**
 * Abbreviated handshake (RFC 5246 7.3): ServerHello echoing the client's
 * session ID, then our CCS and Finished at once; the client answers with its
 * CCS and Finished. No new ticket is issued on a resumption.
 */
async function resumeTls12(
  hs: ServerHandshakeData,
  cx: ConnectionCore,
  raw: RawHandshake,
  hello: ClientHello,
  { evidence, suite, value }: Tls12Resumable,
  secureReneg: boolean,
  offeredAlpn: readonly Uint8Array[] | undefined,
): Promise<HandshakeState> {
  const { config } = hs;
  const alpn = chooseAlpn(config, offeredAlpn);
  hs.transcript.add(raw.encoded);
  const serverRandom = tls12ServerRandom(hs);
  const serverHello = encodeHandshake({
    type: HandshakeType.server_hello,
    legacyVersion: ProtocolVersion.TLSv1_2,
    random: serverRandom,
    legacySessionIdEcho: hello.legacySessionId,
    cipherSuite: suite.id,
    legacyCompressionMethod: 0,
    extensions: serverHelloExtensions(cx, hello, secureReneg, true, alpn, config.recordSizeLimit),
  });
  cx.sendHandshake(serverHello);
  hs.transcript.add(serverHello);
  const master = value.psk;
  hs.keyLog("CLIENT_RANDOM", master);
  const keys = await keyBlock(suite.hmac, suite.aead, master, hello.random, serverRandom);
  cx.sendChangeCipherSpec();
  cx.setWriter(await Tls12Writer.create(suite.aead, keys.server.key, keys.server.iv));
  const finished = encodeFinished12(
    await verifyData(suite.hmac, master, "server", await hs.transcript.hash(suite.hash)),
  );
  cx.sendHandshake(finished);
  hs.transcript.add(finished);
  cx.expectChangeCipherSpec(async () => {
    cx.setReader(await Tls12Reader.create(suite.aead, keys.client.key, keys.client.iv));
  });
  cx.refuseMiddleboxCcs();
  cx.recordNegotiated({
    protocolVersion: "TLSv1_2",
    cipherSuite: suite,
    alpnProtocol: alpn && decoder.decode(alpn),
    handshakeKind: "Resumed",
    peerCertificates: value.peerCertificates,
  });
  return new ExpectClientFinished12(
    {
      hs,
      suite,
      serverRandom,
      ems: true,
      kx: undefined,
      sessionId: hello.legacySessionId,
      issueTicket: false,
      serverName: value.serverName,
    },
    master,
    keys,
    evidence,
  );
}
