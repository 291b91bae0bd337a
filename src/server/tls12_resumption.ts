/**
 * TLS 1.2 sessions on the server: finding the one a ClientHello asks to
 * resume (RFC 5077 ticket through the config's ticketer, else session ID in
 * the stateful store), and recording a new one after a full handshake.
 *
 * Only sessions with the extended master secret are kept or resumed, so a
 * resumption never changes the EMS state (RFC 7627 section 5.3). Sessions use
 * the TLS 1.3 session value format with the master secret in `psk` and a
 * TLS 1.2 suite in `suiteId`; the TLS 1.3 PSK code refuses such values.
 *
 * @module
 */

import type { Tls12CipherSuite } from "../crypto/types.ts";
import type { ClientHello } from "../msgs/client_hello.ts";
import { ExtensionType } from "../msgs/enums.ts";
import { findExtension } from "../msgs/extensions.ts";
import { MASTER_SECRET_LENGTH } from "../tls12/prf.ts";
import type { ConnectionInfo } from "../common/info.ts";
import type { ResolvedServerConfig } from "./config.ts";
import { sessionMeetsClientAuth } from "./client_auth.ts";
import {
  decodeServerSession,
  encodeServerSession,
  type ServerSessionValue,
} from "./session_value.ts";

const mint: unique symbol = Symbol("server TLS 1.2 session evidence");

/**
 * The ClientHello offers a stored TLS 1.2 session we accept here (its
 * suite, lifetime, name and client identity): the abbreviated handshake is
 * authenticated by that session's master secret.
 */
export class ResumedTls12Session {
  declare private readonly brand: void;
  /** Only this module holds the argument. */
  constructor(_mint: typeof mint) {}
}

/** A session the ClientHello may resume. */
export interface Tls12Resumable {
  /** The evidence that it passed every check here. */
  evidence: ResumedTls12Session;
  /** The session's suite. */
  suite: Tls12CipherSuite;
  /** The stored session. */
  value: ServerSessionValue;
}

/**
 * Looks up the session `hello` offers; undefined when there is none we accept.
 * Whether `hello` itself has the extended master secret is the caller's check.
 */
export async function findTls12Session(
  config: ResolvedServerConfig,
  hello: ClientHello,
  serverName: string | undefined,
): Promise<Tls12Resumable | undefined> {
  if (!config.resumption) return undefined;
  const ticket = findExtension(hello.extensions, ExtensionType.session_ticket)?.ticket;
  let value: ServerSessionValue | undefined;
  if (config.ticketer) {
    if (!ticket || ticket.length === 0) return undefined;
    const plain = await config.ticketer.decrypt(ticket);
    value = plain && decodeServerSession(plain);
  } else if (hello.legacySessionId.length > 0) {
    value = await config.sessionStore.get(hello.legacySessionId);
  }
  if (!value || value.psk.length !== MASTER_SECRET_LENGTH) return undefined;
  const suite = config.cipherSuites.find((s): s is Tls12CipherSuite =>
    s.version === "TLSv1_2" && s.id === value.suiteId
  );
  if (!suite || !hello.cipherSuites.includes(suite.id)) return undefined;
  const age = config.now().getTime() - value.createdAt;
  if (age < 0 || age >= value.lifetimeSeconds * 1000) return undefined;
  // A session is bound to the name it was established for.
  if (value.serverName !== serverName) return undefined;
  if (!sessionMeetsClientAuth(config, value.peerCertificates)) return undefined;
  return { evidence: new ResumedTls12Session(mint), suite, value };
}

/**
 * The session value for a finished full handshake; it keeps the ALPN
 * protocol and the client's certificates from `info`, so a resumption
 * restores the client's identity.
 */
export function tls12SessionValue(
  config: ResolvedServerConfig,
  suite: Tls12CipherSuite,
  master: Uint8Array,
  serverName: string | undefined,
  info: Pick<ConnectionInfo, "alpnProtocol" | "peerCertificates">,
): ServerSessionValue {
  return {
    suiteId: suite.id,
    psk: master,
    createdAt: config.now().getTime(),
    lifetimeSeconds: config.ticketer?.lifetimeSeconds ?? config.ticketLifetimeSeconds,
    ageAdd: 0,
    maxEarlyDataSize: 0,
    serverName,
    alpnProtocol: info.alpnProtocol,
    peerCertificates: info.peerCertificates,
  };
}

/** Seals a session into an RFC 5077 ticket with the config's ticketer. */
export function sealTls12Ticket(
  config: ResolvedServerConfig,
  value: ServerSessionValue,
): Promise<Uint8Array> {
  return config.ticketer!.encrypt(encodeServerSession(value));
}
