/**
 * What a server remembers about a session it issued a TLS 1.3 ticket for,
 * and its compact binary form (sealed inside stateless tickets, or kept by a
 * `ServerSessionStore` that wants bytes).
 *
 * @module
 */

import { Reader, Writer } from "../msgs/codec.ts";
import { TlsError } from "../error.ts";

/**
 * A resumable TLS 1.3 session, as the server keeps it.
 *
 * @example
 * ```ts
 * import type { ServerSessionValue } from "@kerneltls/tls";
 * const value: ServerSessionValue = {
 *   suiteId: 0x1301,
 *   psk: new Uint8Array(32),
 *   createdAt: Date.now(),
 *   lifetimeSeconds: 86400,
 *   ageAdd: 987654321,
 *   serverName: "example.com",
 *   maxEarlyDataSize: 0,
 * };
 * console.log(value.serverName); // example.com
 * ```
 */
export interface ServerSessionValue {
  /** Cipher suite of the original connection. */
  suiteId: number;
  /** The resumption PSK (from resumption_master_secret and the ticket nonce); a secret. */
  psk: Uint8Array;
  /** When the ticket was issued, in milliseconds since the epoch. */
  createdAt: number;
  /** Lifetime announced in the ticket, in seconds. */
  lifetimeSeconds: number;
  /** ticket_age_add sent with the ticket. */
  ageAdd: number;
  /** The ALPN protocol of the original connection. */
  alpnProtocol?: string;
  /** The SNI host name of the original connection. */
  serverName?: string;
  /** max_early_data_size announced in the ticket (0: no 0-RTT). */
  maxEarlyDataSize: number;
  /** The client's certificate chain, when it authenticated. */
  peerCertificates?: Uint8Array[];
}

const VERSION = 1;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Encodes a session value.
 *
 * @example
 * ```ts
 * import { decodeServerSession, encodeServerSession } from "./session_value.ts";
 * const bytes = encodeServerSession({
 *   suiteId: 0x1301, psk: new Uint8Array(32), createdAt: 0, lifetimeSeconds: 60,
 *   ageAdd: 7, maxEarlyDataSize: 0,
 * });
 * console.log(decodeServerSession(bytes)?.ageAdd); // 7
 * ```
 */
export function encodeServerSession(v: ServerSessionValue): Uint8Array {
  const w = new Writer();
  w.u8(VERSION).u16(v.suiteId).vec8(v.psk);
  // Milliseconds since the epoch do not fit in 32 bits: two halves.
  w.u32(Math.floor(v.createdAt / 2 ** 32)).u32(v.createdAt >>> 0);
  w.u32(v.lifetimeSeconds).u32(v.ageAdd >>> 0).u32(v.maxEarlyDataSize);
  w.vec8(encoder.encode(v.alpnProtocol ?? ""));
  w.vec8(encoder.encode(v.serverName ?? ""));
  w.lengthPrefixed(3, (list) => {
    for (const cert of v.peerCertificates ?? []) list.vec24(cert);
  });
  return w.finish();
}

/**
 * Decodes a session value; `undefined` for bytes that are not one (a store
 * or ticket from another version is simply not resumable).
 */
export function decodeServerSession(bytes: Uint8Array): ServerSessionValue | undefined {
  try {
    const r = new Reader(bytes, "session");
    if (r.u8() !== VERSION) return undefined;
    const suiteId = r.u16();
    const psk = r.vec8();
    const createdAt = r.u32() * 2 ** 32 + r.u32();
    const lifetimeSeconds = r.u32();
    const ageAdd = r.u32();
    const maxEarlyDataSize = r.u32();
    const alpn = decoder.decode(r.vec8());
    const sni = decoder.decode(r.vec8());
    const list = r.sub24();
    const certs: Uint8Array[] = [];
    while (!list.atEnd) certs.push(list.vec24());
    r.expectEnd();
    return {
      suiteId,
      psk,
      createdAt,
      lifetimeSeconds,
      ageAdd,
      maxEarlyDataSize,
      alpnProtocol: alpn || undefined,
      serverName: sni || undefined,
      peerCertificates: certs.length > 0 ? certs : undefined,
    };
  } catch (e) {
    if (e instanceof TlsError) return undefined;
    throw e;
  }
}
