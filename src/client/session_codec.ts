/**
 * Client sessions as text, so that they outlive the process or isolate that
 * made them (a Worker's KV store, a cookie-less cache, a file). The text is
 * versioned JSON with the session's expiry; byte fields are base64.
 *
 * The text holds secrets: a TLS 1.3 session's resumption PSK and a TLS 1.2
 * session's master secret. Anyone who reads it can resume as this client and,
 * for TLS 1.2, decrypt the resumed connections. Keep it where only this
 * client's code can read it (a private KV namespace, never a URL, a log or
 * storage shared with other tenants), encrypted at rest if the store is not.
 *
 * @module
 */

import type { Tls12ClientSession, Tls13ClientSession } from "./session_store.ts";

/** The format written by {@link encodeClientSession}. */
export const CLIENT_SESSION_FORMAT = 1;

/** A decoded session, by protocol version. */
export type DecodedClientSession =
  | { readonly kind: "tls13"; readonly session: Tls13ClientSession }
  | { readonly kind: "tls12"; readonly session: Tls12ClientSession };

const MAX_LIFETIME_SECONDS = 7 * 24 * 3600;

/** Milliseconds since the epoch after which `session` must not be used. */
export function clientSessionExpiry(session: Tls13ClientSession | Tls12ClientSession): number {
  return session.receivedAt + Math.min(session.lifetimeSeconds, MAX_LIFETIME_SECONDS) * 1000;
}

function b64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[]);
  }
  return btoa(s);
}

function bad(what: string): never {
  throw new TypeError(`client session text: ${what}`);
}

function unb64(v: unknown, field: string): Uint8Array {
  if (typeof v !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0) {
    bad(`${field} is not base64`);
  }
  const bin = atob(v);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function int(v: unknown, field: string, max: number): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0 || v > max) {
    bad(`${field} is not an integer in [0, ${max}]`);
  }
  return v;
}

/**
 * The session as text (JSON): `{ v, kind, expiresAt, ... }`. The text holds
 * the session's secret (see the module documentation).
 *
 * @example
 * ```ts
 * import { decodeClientSession, encodeClientSession } from "@kerneltls/tls";
 * const text = encodeClientSession({
 *   suiteId: 0x1301,
 *   ticket: new Uint8Array([1, 2, 3]),
 *   psk: new Uint8Array(32),
 *   ageAdd: 7,
 *   lifetimeSeconds: 3600,
 *   receivedAt: Date.now(),
 *   maxEarlyDataSize: 0,
 * });
 * console.log(decodeClientSession(text)?.kind); // "tls13"
 * ```
 */
export function encodeClientSession(session: Tls13ClientSession | Tls12ClientSession): string {
  const expiresAt = clientSessionExpiry(session);
  if ("psk" in session) {
    return JSON.stringify({
      v: CLIENT_SESSION_FORMAT,
      kind: "tls13",
      expiresAt,
      suiteId: session.suiteId,
      ticket: b64(session.ticket),
      psk: b64(session.psk),
      ageAdd: session.ageAdd,
      lifetimeSeconds: session.lifetimeSeconds,
      receivedAt: session.receivedAt,
      maxEarlyDataSize: session.maxEarlyDataSize,
      alpnProtocol: session.alpnProtocol,
      kxGroup: session.kxGroup,
    });
  }
  return JSON.stringify({
    v: CLIENT_SESSION_FORMAT,
    kind: "tls12",
    expiresAt,
    suiteId: session.suiteId,
    sessionId: b64(session.sessionId),
    ticket: session.ticket && b64(session.ticket),
    masterSecret: b64(session.masterSecret),
    extendedMasterSecret: session.extendedMasterSecret,
    receivedAt: session.receivedAt,
    lifetimeSeconds: session.lifetimeSeconds,
    peerCertificates: session.peerCertificates?.map(b64),
  });
}

/**
 * Reads text written by {@link encodeClientSession}. Returns `undefined` when
 * the session has expired at `now` (milliseconds since the epoch); throws
 * `TypeError` for text that is not such a session or of another format
 * version (a store should then drop it and do a full handshake).
 */
export function decodeClientSession(
  text: string,
  now: number = Date.now(),
): DecodedClientSession | undefined {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text);
  } catch {
    return bad("not JSON");
  }
  if (typeof o !== "object" || o === null) bad("not an object");
  if (o.v !== CLIENT_SESSION_FORMAT) bad(`format ${String(o.v)} is not ${CLIENT_SESSION_FORMAT}`);
  const common = {
    suiteId: int(o.suiteId, "suiteId", 0xffff),
    receivedAt: int(o.receivedAt, "receivedAt", Number.MAX_SAFE_INTEGER),
    lifetimeSeconds: int(o.lifetimeSeconds, "lifetimeSeconds", 0xffffffff),
  };
  let decoded: DecodedClientSession;
  if (o.kind === "tls13") {
    const session: Tls13ClientSession = {
      ...common,
      ticket: unb64(o.ticket, "ticket"),
      psk: unb64(o.psk, "psk"),
      ageAdd: int(o.ageAdd, "ageAdd", 0xffffffff),
      maxEarlyDataSize: int(o.maxEarlyDataSize, "maxEarlyDataSize", 0xffffffff),
    };
    if (o.alpnProtocol !== undefined) {
      if (typeof o.alpnProtocol !== "string") bad("alpnProtocol is not a string");
      session.alpnProtocol = o.alpnProtocol;
    }
    if (o.kxGroup !== undefined) session.kxGroup = int(o.kxGroup, "kxGroup", 0xffff);
    if (session.ticket.length === 0 || session.psk.length === 0) bad("empty ticket or psk");
    decoded = { kind: "tls13", session };
  } else if (o.kind === "tls12") {
    if (typeof o.extendedMasterSecret !== "boolean") bad("extendedMasterSecret is not boolean");
    const session: Tls12ClientSession = {
      ...common,
      sessionId: unb64(o.sessionId, "sessionId"),
      masterSecret: unb64(o.masterSecret, "masterSecret"),
      extendedMasterSecret: o.extendedMasterSecret,
    };
    if (session.masterSecret.length !== 48) bad("masterSecret is not 48 bytes");
    if (o.ticket !== undefined) session.ticket = unb64(o.ticket, "ticket");
    if (o.peerCertificates !== undefined) {
      if (!Array.isArray(o.peerCertificates)) bad("peerCertificates is not an array");
      session.peerCertificates = o.peerCertificates.map((c, i) =>
        unb64(c, `peerCertificates[${i}]`)
      );
    }
    decoded = { kind: "tls12", session };
  } else {
    return bad("kind is neither tls13 nor tls12");
  }
  return now < clientSessionExpiry(decoded.session) ? decoded : undefined;
}
