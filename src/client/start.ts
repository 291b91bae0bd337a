/**
 * Starting a client handshake: the first ClientHello, queued for encoding.
 *
 * @module
 */

import { ConnectionCore } from "../common/core.ts";
import type { KeyExchangeGroup } from "../crypto/types.ts";
import { NamedGroup } from "../msgs/enums.ts";
import { parseServerName } from "../webpki/name.ts";
import type { ResolvedClientConfig } from "./config.ts";
import { buildClientHello } from "./client_hello.ts";
import { type OfferedSession, takeResumableSession } from "./resumption.ts";
import { ClientHandshakeData } from "./handshake_data.ts";
import { ExpectServerHello } from "./expect_server_hello.ts";
import { ClientEarlyData } from "./early_data.ts";
import { EchOffer } from "./ech_offer.ts";
import { greaseEch } from "./ech_grease.ts";
import { drawGrease } from "./grease.ts";
import { Tls13Writer } from "../record/record_io.ts";
import { type EarlySecret, trafficKeys } from "../tls13/key_schedule.ts";
import type { Tls12ClientSession } from "./session_store.ts";

/**
 * The groups whose shares go into the first ClientHello: `first`, plus a plain
 * X25519 share beside X25519MLKEM768, so that a server without post-quantum
 * groups needs no HelloRetryRequest (as browsers do).
 */
function initialShareGroups(
  config: ResolvedClientConfig,
  first: KeyExchangeGroup,
): KeyExchangeGroup[] {
  const x25519 = config.kxGroups.find((g) => g.group === NamedGroup.x25519);
  return first.group === NamedGroup.X25519MLKEM768 && x25519 ? [first, x25519] : [first];
}

/** A stored TLS 1.2 session still worth offering, if TLS 1.2 and its suite are enabled. */
async function takeTls12Session(
  config: ResolvedClientConfig,
  serverName: string,
): Promise<Tls12ClientSession | undefined> {
  if (!config.versions.includes("TLSv1_2")) return undefined;
  const session = await config.sessionStore?.tls12Session?.(serverName);
  if (!session) return undefined;
  const age = config.now().getTime() - session.receivedAt;
  const usable = age >= 0 && age < session.lifetimeSeconds * 1000 &&
    config.cipherSuites.some((s) => s.id === session.suiteId) &&
    (session.extendedMasterSecret || !config.requireExtendedMasterSecret);
  return usable ? session : undefined;
}

/**
 * The 0-RTT writer for `offer`'s ticket, keyed from the ClientHello just
 * added to the transcript (under ECH, the inner one: RFC 9849 6.1.5).
 */
async function openEarlyData(
  hs: ClientHandshakeData,
  offer: OfferedSession,
  early: EarlySecret,
): Promise<ClientEarlyData> {
  const suite = offer.suite;
  const helloLog = hs.ech?.innerTranscript ?? hs.transcript;
  const secret = await early.clientEarlyTrafficSecret(await helloLog.hash(suite.hash));
  hs.keyLog("CLIENT_EARLY_TRAFFIC_SECRET", secret);
  const { key, iv } = await trafficKeys(suite.hmac, suite.aead, secret);
  return new ClientEarlyData(
    await Tls13Writer.create(suite.aead, key, iv),
    offer.session.maxEarlyDataSize,
    hs.config.maxFragmentSize,
  );
}

/**
 * Creates the core with the first ClientHello queued. Key shares go for the
 * group the server picked last time when known, else the most preferred one
 * (with X25519 beside the hybrid). A stored ticket for `serverName` is offered
 * when usable.
 */
export async function startClient(
  config: ResolvedClientConfig,
  serverName: string,
): Promise<ConnectionCore> {
  const random = config.randomBytes(32);
  const compatId = config.middleboxCompat ? config.randomBytes(32) : new Uint8Array(0);
  const grease = config.grease ? drawGrease(config.randomBytes) : undefined;
  const hint = await config.sessionStore?.kxHint(serverName);
  const first = config.kxGroups.find((g) => g.group === hint) ?? config.kxGroups[0];
  const keyShares = await Promise.all(initialShareGroups(config, first).map((g) => g.start()));
  const shares = keyShares.map((k) => ({ group: k.group, keyExchange: k.publicKey }));
  // RFC 9849 section 6.1: with ECH, no TLS 1.2 session is offered; a TLS 1.3
  // ticket goes in the inner hello only.
  const ech = config.ech ? await EchOffer.create(config.ech, config.randomBytes) : undefined;
  const tls12Offer = ech ? undefined : await takeTls12Session(config, serverName);
  // RFC 5077 3.4: with a ticket, any non-empty ID shows whether it was taken.
  const sessionId = !tls12Offer
    ? compatId
    : tls12Offer.ticket
    ? (compatId.length > 0 ? compatId : config.randomBytes(32))
    : tls12Offer.sessionId;
  const facts = { random, sessionId, grease, ech, tls12Offer };
  const hs = new ClientHandshakeData(config, serverName, parseServerName(serverName), facts);
  // Stored sessions are TLS 1.3 tickets: of no use when TLS 1.3 is off.
  const offer = config.versions.includes("TLSv1_3")
    ? await takeResumableSession(config, serverName)
    : undefined;
  // 4.2.10: 0-RTT only with a ticket that allows it, under the ticket's own suite.
  const offerEarly = config.enableEarlyData && offer !== undefined &&
    offer.session.maxEarlyDataSize > 0 && offer.suite.id === offer.session.suiteId;
  const echGrease = config.echGrease
    ? await greaseEch(hs, { shares, earlyData: offerEarly })
    : undefined;
  const { hello, early, offered } = await buildClientHello(hs, offer, {
    shares,
    earlyData: offerEarly,
    echGrease,
  });
  hs.transcript.add(hello);
  const earlyData = offerEarly && early ? await openEarlyData(hs, offer!, early) : undefined;
  // D.4: with early data, the middlebox CCS goes right after the ClientHello.
  const sentCcs = earlyData !== undefined && config.middleboxCompat;
  const sent = { offered, keyShares, offer, earlyData, sentCcs, echGrease };
  const core = new ConnectionCore(new ExpectServerHello(hs, sent), {
    maxFragmentSize: config.maxFragmentSize,
    side: "client",
    maxKeyUpdates: config.maxKeyUpdates,
  });
  core.allowMiddleboxCcs();
  core.sendInitialClientHello(hello);
  if (earlyData) {
    core.offerEarlyData(earlyData);
    if (sentCcs) core.sendChangeCipherSpec();
  }
  return core;
}
