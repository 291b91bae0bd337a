/**
 * Client side of TLS 1.3 resumption (RFC 8446 sections 2.2, 4.2.11): picking
 * a stored ticket, offering it, and binding the ClientHello to its PSK.
 *
 * @module
 */

import type { Tls13CipherSuite } from "../crypto/types.ts";
import { clientHelloBindersOffset, writeBinders } from "../msgs/client_hello.ts";
import { binderValue, EarlySecret } from "../tls13/key_schedule.ts";
import type { Transcript } from "../tls13/transcript.ts";
import type { ResolvedClientConfig } from "./config.ts";
import type { Tls13ClientSession } from "./session_store.ts";

/** A ticket we are offering, with the suite whose hash its PSK uses. */
export interface OfferedSession {
  /** The stored session. */
  session: Tls13ClientSession;
  /** A configured suite with the session's hash (the original suite when still enabled). */
  suite: Tls13CipherSuite;
}

/**
 * Takes the newest usable ticket for `serverName`: not past its lifetime and
 * resumable with a configured suite of the same hash. Unusable tickets met on
 * the way are dropped.
 */
export async function takeResumableSession(
  config: ResolvedClientConfig,
  serverName: string,
): Promise<OfferedSession | undefined> {
  const store = config.sessionStore;
  if (!store) return undefined;
  const now = config.now().getTime();
  for (let tries = 0; tries < 16; tries++) {
    const session = await store.takeTls13Ticket(serverName);
    if (!session) return undefined;
    const age = now - session.receivedAt;
    if (age < 0 || age >= session.lifetimeSeconds * 1000) continue;
    const suite = pickSuite(config, session.suiteId);
    if (suite) return { session, suite };
  }
  return undefined;
}

function pickSuite(config: ResolvedClientConfig, suiteId: number): Tls13CipherSuite | undefined {
  const tls13 = config.cipherSuites.filter((s): s is Tls13CipherSuite => s.version === "TLSv1_3");
  const original = tls13.find((s) => s.id === suiteId);
  if (original) return original;
  // The original suite may be disabled now; any suite with its hash will do
  // (RFC 8446 4.2.11). The hash is found through the provider's suite table.
  const hashName = config.provider.cipherSuites.find((s) => s.id === suiteId)?.hash.name;
  return tls13.find((s) => s.hash.name === hashName);
}

/** obfuscated_ticket_age = (age in ms + ticket_age_add) mod 2^32. */
export function obfuscatedTicketAge(offer: OfferedSession, nowMs: number): number {
  return (Math.max(0, nowMs - offer.session.receivedAt) + offer.session.ageAdd) >>> 0;
}

/**
 * Computes the PSK binder over the truncated ClientHello (after everything
 * already in `transcript`) and writes it into `encodedHello` in place.
 */
export async function bindClientHello(
  offer: OfferedSession,
  transcript: Transcript,
  encodedHello: Uint8Array,
): Promise<EarlySecret> {
  const { hmac, hash } = offer.suite;
  const early = await EarlySecret.create(hmac, offer.session.psk);
  const truncated = encodedHello.subarray(0, clientHelloBindersOffset(encodedHello));
  const binder = await binderValue(
    hmac,
    await early.binderKey("res"),
    await transcript.hashWith(hash, truncated),
  );
  writeBinders(encodedHello, [binder]);
  return early;
}
