/**
 * Server names (DNS or IP literal) and matching them against a certificate's
 * subjectAltName, per RFC 6125 as profiled by the CA/Browser Forum: SANs only,
 * no Common Name fallback, wildcards only as a whole left-most label.
 *
 * @module
 */

import { bytesEqual } from "../_bytes.ts";
import type { GeneralName } from "./extensions.ts";

/** A reference identifier: what the client expects the peer to be. */
export type ServerName =
  | { readonly kind: "dns"; readonly name: string }
  | { readonly kind: "ip"; readonly bytes: Uint8Array };

/** Parses dotted-quad IPv4 (no leading zeros), or undefined. */
export function parseIpv4(s: string): Uint8Array | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    out[i] = Number(p);
  }
  return out;
}

/** Parses an IPv6 literal (RFC 4291 text forms, no zone ID), or undefined. */
export function parseIpv6(s: string): Uint8Array | undefined {
  if (s.length > 45 || !/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const words = (part: string): number[] | undefined => {
    if (part === "") return [];
    const out: number[] = [];
    const groups = part.split(":");
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i];
      if (i === groups.length - 1 && g.includes(".")) {
        const v4 = parseIpv4(g);
        if (!v4) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const head = words(halves[0]);
  const tail = halves.length === 2 ? words(halves[1]) : [];
  if (!head || !tail) return undefined;
  const n = head.length + tail.length;
  if (halves.length === 2 ? n > 7 : n !== 8) return undefined;
  const all = [...head, ...new Array(8 - n).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

// RFC 5280 4.2.1.6: a SAN dNSName is in the preferred name syntax (RFC 1034
// 3.5, RFC 1123 2.1), so no underscores (the CA/Browser Forum forbids them
// too). A name we are asked to connect to may hold one; it then matches no SAN.
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const REFERENCE_LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** True for a syntactically valid DNS name (lower-case, no trailing dot). */
function validDnsName(name: string, label: RegExp = LABEL): boolean {
  if (name.length === 0 || name.length > 253) return false;
  return name.split(".").every((l) => label.test(l));
}

/**
 * Parses the name a client connects to. IP literals become `ip`; anything
 * else must be a valid DNS name (one trailing dot is allowed and dropped).
 * Throws `TypeError` for anything else: it is API input, not peer input.
 *
 * @example
 * ```ts
 * import { parseServerName } from "./name.ts";
 * console.log(parseServerName("Example.COM.")); // { kind: "dns", name: "example.com" }
 * console.log(parseServerName("::1").kind); // "ip"
 * ```
 */
export function parseServerName(s: string): ServerName {
  const v4 = parseIpv4(s);
  if (v4) return { kind: "ip", bytes: v4 };
  if (s.includes(":")) {
    const v6 = parseIpv6(s);
    if (v6) return { kind: "ip", bytes: v6 };
    throw new TypeError(`invalid server name: ${JSON.stringify(s)}`);
  }
  let name = s.toLowerCase();
  if (name.endsWith(".")) name = name.slice(0, -1);
  // All-numeric last labels would be confused with IPv4 forms like 127.1.
  if (!validDnsName(name, REFERENCE_LABEL) || /^\d+$/.test(name.split(".").pop()!)) {
    throw new TypeError(`invalid server name: ${JSON.stringify(s)}`);
  }
  return { kind: "dns", name };
}

/**
 * Normalises a DNS name as presented in a certificate (SAN dNSName):
 * lower-case, optionally `*.` followed by a valid name. Returns undefined when
 * invalid (such SANs never match).
 */
export function presentedDnsName(raw: string): string | undefined {
  const name = raw.toLowerCase();
  if (name.startsWith("*.")) {
    const rest = name.slice(2);
    return validDnsName(rest) && rest.includes(".") ? name : undefined;
  }
  return validDnsName(name) ? name : undefined;
}

/** Does presented SAN dNSName `presented` (already lower-case) cover `reference`? */
export function dnsNameMatches(presented: string, reference: string): boolean {
  const p = presentedDnsName(presented);
  if (p === undefined) return false;
  if (!p.startsWith("*.")) return p === reference;
  const dot = reference.indexOf(".");
  // The wildcard stands for exactly one whole, non-empty label.
  return dot > 0 && reference.slice(dot + 1) === p.slice(2);
}

/** True when any SAN in `names` identifies `reference`. */
export function sanMatches(names: readonly GeneralName[], reference: ServerName): boolean {
  for (const n of names) {
    if (reference.kind === "dns" && n.kind === "dns" && dnsNameMatches(n.value, reference.name)) {
      return true;
    }
    if (reference.kind === "ip" && n.kind === "ip" && bytesEqual(n.bytes, reference.bytes)) {
      return true;
    }
  }
  return false;
}
