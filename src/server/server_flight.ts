/**
 * The server's answer to an acceptable ClientHello (RFC 8446 section 2, the
 * server half of figure 1): ServerHello, then under handshake keys
 * EncryptedExtensions, CertificateRequest, Certificate, CertificateVerify and
 * Finished, then the application traffic secrets (section 7.1).
 *
 * @module
 */

import { peerMisbehaved } from "../error.ts";
import type { ConnectionCore } from "../common/core.ts";
import { applyRecordSizeLimits } from "../common/record_size_limit.ts";
import { Tls13Reader, Tls13Writer } from "../record/record_io.ts";
import { Tls13Traffic } from "../common/tls13_traffic.ts";
import { Exporter } from "../common/exporter.ts";
import type { CertifiedKey } from "../common/config_base.ts";
import type { KeyExchangeGroup, Tls13CipherSuite } from "../crypto/types.ts";
import { ExtensionType, HandshakeType, ProtocolVersion } from "../msgs/enums.ts";
import type {
  CertificateRequestExtension,
  EncryptedExtension,
  KeyShareEntry,
} from "../msgs/extension_types.ts";
import { encodeHandshake, type HandshakeMessage } from "../msgs/handshake.ts";
import { certificateVerifyContent } from "../tls13/certificate_verify.ts";
import { EarlySecret, trafficKeys } from "../tls13/key_schedule.ts";
import { ownFinished } from "../tls13/finished.ts";
import type { ClientCertVerifier } from "../webpki/verifier.ts";
import type { ServerHandshakeData, ServerHandshakeKeys } from "./handshake_data.ts";
import { serverHelloEchConfirmation, serverHelloEchSignal } from "../tls13/ech_confirmation.ts";
import { authorityHints } from "./client_auth.ts";

/** Everything decided from the ClientHello that the flight needs. */
export interface FlightPlan {
  /** The suite chosen. */
  suite: Tls13CipherSuite;
  /** The group chosen; undefined for psk_ke. */
  group: KeyExchangeGroup | undefined;
  /** The client's share for `group`. */
  share: KeyShareEntry | undefined;
  /** Our certificate chain and key (undefined when resuming). */
  certified: CertifiedKey | undefined;
  /** The CertificateVerify scheme (undefined when resuming). */
  scheme: number | undefined;
  /** The ALPN protocol chosen, if any. */
  alpn: Uint8Array | undefined;
  /** Whether the client sent SNI (acknowledged empty in EncryptedExtensions). */
  sniUsed: boolean;
  /** Our CertificateRequest, when we ask the client for a certificate. */
  certificateRequest: HandshakeMessage | undefined;
  /** Whether our HelloRetryRequest went first (with the D.4 CCS, if any). */
  afterRetry: boolean;
  /** The accepted ticket: its early secret and its index among the client's identities. */
  psk?: { early: EarlySecret; index: number };
  /** When 0-RTT is accepted: how many bytes of it. */
  earlyData?: number;
  /** ClientHelloInner.random when we accepted ECH: the ServerHello confirms it. */
  echInnerRandom?: Uint8Array;
  /** Our ECHConfigList, for a client whose ECH offer we could not open. */
  echRetryConfigs?: Uint8Array;
  /** RFC 8449: the client's record_size_limit and our answer, when it sent one. */
  recordSizeLimit?: { peer: number; ours: number };
}

/** The flight with its keys; the writer ends on the server application key. */
export async function sendServerFlight(
  cx: ConnectionCore,
  hs: ServerHandshakeData,
  plan: FlightPlan,
): Promise<ServerHandshakeKeys> {
  // 5.1: the read key changes after the ClientHello, so nothing may follow it
  // in its record; refused before any of the flight is queued, so the alert
  // goes out alone.
  cx.inbound.checkKeyChangeBoundary();
  const { suite } = plan;
  const send = (msg: HandshakeMessage): void => {
    const encoded = encodeHandshake(msg);
    cx.sendHandshake(encoded);
    hs.transcript.add(encoded);
  };

  // 4.2.8.1-4.2.8.2: a share that does not decode as a point of the group is illegal_parameter.
  let exchange: { publicKey: Uint8Array; sharedSecret: Uint8Array } | undefined;
  if (plan.group && plan.share) {
    try {
      exchange = await plan.group.respond(plan.share.keyExchange);
    } catch {
      throw peerMisbehaved("invalid client key share", "InvalidKeyShare");
    }
  }

  // 7.1: the early secret (from the PSK when resuming); client_early_traffic_secret
  // covers the ClientHello alone.
  const early = plan.psk?.early ?? await EarlySecret.create(suite.hmac);
  let earlySecret: Uint8Array | undefined;
  if (plan.earlyData !== undefined) {
    earlySecret = await early.clientEarlyTrafficSecret(await hs.transcript.hash(suite.hash));
    hs.keyLog("CLIENT_EARLY_TRAFFIC_SECRET", earlySecret);
  }

  // 4.1.3: ServerHello, its extensions in the order RFC 8448's traces print
  // (any order is valid), so a replay of those traces matches byte for byte.
  const serverHello = encodeHandshake({
    type: HandshakeType.server_hello,
    legacyVersion: ProtocolVersion.TLSv1_2,
    random: hs.config.randomBytes(32),
    legacySessionIdEcho: hs.sessionId,
    cipherSuite: suite.id,
    legacyCompressionMethod: 0,
    extensions: [
      ...(plan.psk
        ? [{ type: ExtensionType.pre_shared_key, selectedIdentity: plan.psk.index } as const]
        : []),
      ...(exchange
        ? [
          {
            type: ExtensionType.key_share,
            share: { group: plan.group!.group, keyExchange: exchange.publicKey },
          } as const,
        ]
        : []),
      { type: ExtensionType.supported_versions, version: ProtocolVersion.TLSv1_3 },
    ],
  });
  // RFC 9849 section 7.2: accepted ECH is signalled in the random's last 8 bytes.
  if (plan.echInnerRandom) {
    serverHelloEchSignal(serverHello).set(
      await serverHelloEchConfirmation(suite, plan.echInnerRandom, hs.transcript, serverHello),
    );
  }
  cx.sendHandshake(serverHello);
  hs.transcript.add(serverHello);
  // D.4: a client that sent a session ID expects our CCS after our first flight message.
  if (hs.sessionId.length > 0 && !plan.afterRetry) cx.sendChangeCipherSpec();

  // 4.3.1-4.4.2: EncryptedExtensions, CertificateRequest and Certificate need
  // no key, so they are encoded (and the transcript advanced) first and the
  // CertificateVerify signature starts at once; its Web Crypto call runs while
  // the handshake keys are derived and imported. They are queued for the wire
  // once the handshake writer is in place.
  const helloHash = await hs.transcript.hash(suite.hash);
  const protectedFlight: Uint8Array[] = [];
  const add = (msg: HandshakeMessage): void => {
    const encoded = encodeHandshake(msg);
    protectedFlight.push(encoded);
    hs.transcript.add(encoded);
  };
  add({ type: HandshakeType.encrypted_extensions, extensions: encryptedExtensions(plan) });
  if (plan.certificateRequest) add(plan.certificateRequest);
  // 4.4.2-4.4.3: Certificate, end entity first, and the signature over the
  // transcript through it; neither when the PSK authenticates us (2.2).
  let signature: Promise<Uint8Array> | undefined;
  const { certified, scheme } = plan;
  if (certified && scheme !== undefined) {
    add({
      type: HandshakeType.certificate,
      certificateRequestContext: new Uint8Array(0),
      certificateList: certified.certChain.map((cert) => ({ cert, extensions: [] })),
    });
    const content = certificateVerifyContent("server", await hs.transcript.hash(suite.hash));
    signature = certified.key.sign(scheme, content);
    // Rejections are taken where it is awaited; this only keeps an early one handled.
    signature.catch(() => {});
  }

  // 7.1: handshake traffic secrets over ClientHello..ServerHello.
  // psk_ke: no (EC)DHE, so the input is HashLen zeros (7.1).
  const handshake = await early.toHandshake(
    exchange?.sharedSecret ?? new Uint8Array(suite.hash.outputLen),
  );
  const clientHandshakeSecret = await handshake.clientHandshakeTrafficSecret(helloHash);
  const serverHandshakeSecret = await handshake.serverHandshakeTrafficSecret(helloHash);
  hs.keyLog("CLIENT_HANDSHAKE_TRAFFIC_SECRET", clientHandshakeSecret);
  hs.keyLog("SERVER_HANDSHAKE_TRAFFIC_SECRET", serverHandshakeSecret);
  const serverKeys = await trafficKeys(suite.hmac, suite.aead, serverHandshakeSecret);
  // With 0-RTT accepted, the client's early data comes first, under the early key.
  const clientKeys = await trafficKeys(
    suite.hmac,
    suite.aead,
    earlySecret ?? clientHandshakeSecret,
  );
  const [writer, reader] = await Promise.all([
    Tls13Writer.create(suite.aead, serverKeys.key, serverKeys.iv),
    Tls13Reader.create(suite.aead, clientKeys.key, clientKeys.iv),
  ]);
  cx.setWriter(writer);
  cx.setReader(reader);
  if (plan.earlyData !== undefined) cx.acceptEarlyData(plan.earlyData);
  // RFC 8449: after acceptEarlyData, so accepted 0-RTT data is not held to our limit.
  const limits = plan.recordSizeLimit;
  if (limits) applyRecordSizeLimits(cx, "TLSv1_3", limits.peer, limits.ours);
  for (const encoded of protectedFlight) cx.sendHandshake(encoded);

  // 4.4.3: CertificateVerify, once signed.
  if (signature) {
    send({ type: HandshakeType.certificate_verify, scheme: scheme!, signature: await signature });
  }

  // 4.4.4: Finished.
  send({
    type: HandshakeType.finished,
    verifyData: await ownFinished(suite, serverHandshakeSecret, hs.transcript),
  });

  // 7.1: application secrets over ClientHello..server Finished. The server may
  // send from now on (0.5-RTT), so the writer moves at once; the reader stays
  // on the client handshake key until the client's Finished.
  const master = await handshake.toMaster();
  const serverFinishedHash = await hs.transcript.hash(suite.hash);
  const clientApp = await master.clientApplicationTrafficSecret0(serverFinishedHash);
  const serverApp = await master.serverApplicationTrafficSecret0(serverFinishedHash);
  hs.keyLog("CLIENT_TRAFFIC_SECRET_0", clientApp);
  hs.keyLog("SERVER_TRAFFIC_SECRET_0", serverApp);
  const exporter = await Exporter.tls13FromMaster(
    master,
    serverFinishedHash,
    hs.config.keyLog && ((secret) => hs.keyLog("EXPORTER_SECRET", secret)),
  );
  const traffic = new Tls13Traffic(suite, serverApp, clientApp);
  cx.setWriter(await traffic.writer());
  return { suite, clientHandshakeSecret, traffic, master, exporter };
}

/** 4.3.1: EncryptedExtensions' content. */
function encryptedExtensions(plan: FlightPlan): EncryptedExtension[] {
  const extensions: EncryptedExtension[] = [];
  if (plan.recordSizeLimit) {
    extensions.push({ type: ExtensionType.record_size_limit, limit: plan.recordSizeLimit.ours });
  }
  if (plan.sniUsed) extensions.push({ type: ExtensionType.server_name });
  if (plan.earlyData !== undefined) extensions.push({ type: ExtensionType.early_data });
  // RFC 9849 section 7.1: an offer we could not open gets our current configs.
  if (plan.echRetryConfigs) {
    extensions.push({
      type: ExtensionType.encrypted_client_hello,
      retryConfigs: plan.echRetryConfigs,
    });
  }
  if (plan.alpn) {
    extensions.push({
      type: ExtensionType.application_layer_protocol_negotiation,
      protocols: [plan.alpn],
    });
  }
  return extensions;
}

/** 4.3.2: our CertificateRequest and the extension types the client may answer in it. */
export interface CertificateRequestPlan {
  /** The message, with an empty context during the handshake. */
  message: HandshakeMessage;
  /** Extension types it carries: the only ones the client's Certificate entries may use. */
  requested: ReadonlySet<number>;
}

/** 4.3.2: CertificateRequest, with an empty context during the handshake. */
export function certificateRequest(verifier: ClientCertVerifier): CertificateRequestPlan {
  const requestExtensions: CertificateRequestExtension[] = [{
    type: ExtensionType.signature_algorithms,
    schemes: [...verifier.supportedVerifySchemes()],
  }];
  const authorities = authorityHints(verifier);
  if (authorities.length > 0) {
    requestExtensions.push({
      type: ExtensionType.certificate_authorities,
      authorities: [...authorities],
    });
  }
  return {
    message: {
      type: HandshakeType.certificate_request,
      certificateRequestContext: new Uint8Array(0),
      extensions: requestExtensions,
    },
    requested: new Set(requestExtensions.map((e) => e.type)),
  };
}
