/**
 * The server's side of TLS 1.3 resumption (RFC 8446 sections 4.2.9, 4.2.10
 * and 4.2.11): finding the session behind an offered ticket, checking that
 * it may be resumed here, verifying the binder, and deciding on 0-RTT.
 *
 * @module
 */

import { peerMisbehaved, tlsError } from "../error.ts";
import type { Tls13CipherSuite } from "../crypto/types.ts";
import type { ClientHello } from "../msgs/client_hello.ts";
import { clientHelloBindersOffset } from "../msgs/client_hello.ts";
import { AlertDescription, ExtensionType, PskKeyExchangeMode } from "../msgs/enums.ts";
import { findExtension } from "../msgs/extensions.ts";
import { binderValue, EarlySecret } from "../tls13/key_schedule.ts";
import { constantTimeEqual } from "../_bytes.ts";
import type { ServerHandshakeData } from "./handshake_data.ts";
import { decodeServerSession, type ServerSessionValue } from "./session_value.ts";
import { sessionMeetsClientAuth } from "./client_auth.ts";

/** Identities looked at per ClientHello; a client offering more gains nothing. */
const MAX_IDENTITIES = 8;
/** Clock skew tolerated between the client's and our idea of a ticket's age. */
const AGE_TOLERANCE_MS = 10_000;

/** How the PSK is combined with key exchange (RFC 8446 4.2.9). */
export type PskMode = "psk_dhe_ke" | "psk_ke";

const mint: unique symbol = Symbol("server PSK evidence");

/**
 * The client proved it holds the ticket's PSK (its binder verified, RFC
 * 8446 4.2.11.2): the resumed handshake is authenticated by the PSK.
 */
export class ResumedWithPsk {
  declare private readonly brand: void;
  /** Only this module holds the argument. */
  constructor(_mint: typeof mint) {}
}

/** A ticket accepted for resumption. */
export interface AcceptedPsk {
  /** The evidence that its binder verified. */
  evidence: ResumedWithPsk;
  /** The session behind it. */
  session: ServerSessionValue;
  /** Index of the identity in the client's list (echoed in ServerHello). */
  index: number;
  /** The early secret from its PSK. */
  early: EarlySecret;
  /** Whether the ticket is stateless (never good for 0-RTT). */
  stateless: boolean;
  /** Whether the session was removed from the store (a first, unreplayed use). */
  taken: boolean;
  /** True when the client's ticket age agrees with ours (RFC 8446 8.3). */
  ageFresh: boolean;
}

/**
 * 4.2.9: the PSK mode to use, or undefined when no ticket may be resumed.
 * A pre_shared_key without psk_key_exchange_modes is missing_extension.
 */
export function choosePskMode(
  hs: ServerHandshakeData,
  hello: ClientHello,
): PskMode | undefined {
  if (!findExtension(hello.extensions, ExtensionType.pre_shared_key)) return undefined;
  const modes = findExtension(hello.extensions, ExtensionType.psk_key_exchange_modes)?.modes;
  if (!modes) {
    throw peerMisbehaved(
      "pre_shared_key without psk_key_exchange_modes",
      "MissingPskModesExtension",
      AlertDescription.missing_extension,
    );
  }
  if (!hs.config.resumption) return undefined;
  if (modes.includes(PskKeyExchangeMode.psk_dhe_ke)) return "psk_dhe_ke";
  if (hs.config.allowPskKe && modes.includes(PskKeyExchangeMode.psk_ke)) return "psk_ke";
  return undefined;
}

/**
 * Looks for a resumable session among the offered identities, in order.
 * Unknown, expired or unsuitable tickets are passed over (a full handshake
 * follows when none fits); a binder that does not verify for the chosen one
 * is decrypt_error (4.2.11.2). `transcript` must not yet hold this ClientHello.
 */
export async function acceptPsk(
  hs: ServerHandshakeData,
  hello: ClientHello,
  encodedHello: Uint8Array,
  suite: Tls13CipherSuite,
): Promise<AcceptedPsk | undefined> {
  const { config } = hs;
  const offer = findExtension(hello.extensions, ExtensionType.pre_shared_key)!;
  const offersEarlyData = findExtension(hello.extensions, ExtensionType.early_data) !== undefined;
  const now = config.now().getTime();
  const serverName = findExtension(hello.extensions, ExtensionType.server_name)?.hostName;
  const count = Math.min(offer.identities.length, MAX_IDENTITIES);
  for (let index = 0; index < count; index++) {
    const { identity, obfuscatedTicketAge } = offer.identities[index];
    const found = await lookUp(hs, identity, offersEarlyData && index === 0);
    if (!found) continue;
    const { session, stateless, taken } = found;
    // 4.2.11: the ticket's suite must share the hash of the negotiated suite.
    const original = config.provider.cipherSuites.find((s) => s.id === session.suiteId);
    // A TLS 1.2 session (same store, same ticketer) is never a TLS 1.3 PSK.
    if (!original || original.version !== "TLSv1_3" || original.hash.name !== suite.hash.name) {
      continue;
    }
    const age = now - session.createdAt;
    if (age < -AGE_TOLERANCE_MS || age >= session.lifetimeSeconds * 1000) continue;
    // A ticket is bound to the name it was issued for.
    if (session.serverName !== serverName) continue;
    if (!sessionMeetsClientAuth(config, session.peerCertificates)) continue;

    const early = await EarlySecret.create(suite.hmac, session.psk);
    const truncated = encodedHello.subarray(0, clientHelloBindersOffset(encodedHello));
    const expected = await binderValue(
      suite.hmac,
      await early.binderKey("res"),
      await hs.transcript.hashWith(suite.hash, truncated),
    );
    if (!constantTimeEqual(expected, offer.binders[index])) {
      throw tlsError("DecryptError", "PskBinderMismatch", "PSK binder does not verify", {
        alert: AlertDescription.decrypt_error,
      });
    }
    const clientAge = (obfuscatedTicketAge - session.ageAdd) >>> 0;
    const ageFresh = Math.abs(clientAge - Math.max(0, age)) <= AGE_TOLERANCE_MS;
    const evidence = new ResumedWithPsk(mint);
    return { evidence, session, index, early, stateless, taken, ageFresh };
  }
  return undefined;
}

async function lookUp(
  hs: ServerHandshakeData,
  identity: Uint8Array,
  forEarlyData: boolean,
): Promise<{ session: ServerSessionValue; stateless: boolean; taken: boolean } | undefined> {
  const { ticketer, sessionStore } = hs.config;
  if (ticketer) {
    const plain = await ticketer.decrypt(identity);
    const session = plain && decodeServerSession(plain);
    return session && { session, stateless: true, taken: false };
  }
  // A ticket offered with 0-RTT is consumed, so a replay of this ClientHello
  // finds nothing and gets no early data (RFC 8446 8.1).
  const session = forEarlyData
    ? await sessionStore.take(identity)
    : await sessionStore.get(identity);
  return session && { session, stateless: false, taken: forEarlyData };
}

/**
 * 4.2.10: whether the early data offered with `psk` is accepted. It needs an
 * unreplayed stateful ticket that allows it, its first identity, the same
 * suite and ALPN protocol, no HelloRetryRequest, and a plausible ticket age.
 */
export function acceptsEarlyData(
  hs: ServerHandshakeData,
  psk: AcceptedPsk,
  suite: Tls13CipherSuite,
  alpn: string | undefined,
  afterRetry: boolean,
): boolean {
  return hs.config.maxEarlyDataSize > 0 && !afterRetry && !psk.stateless && psk.taken &&
    psk.index === 0 && psk.session.maxEarlyDataSize > 0 && psk.ageFresh &&
    psk.session.suiteId === suite.id && psk.session.alpnProtocol === alpn;
}
