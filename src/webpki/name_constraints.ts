/**
 * Name constraints (RFC 5280 4.2.1.10) for dNSName, iPAddress and
 * directoryName. Other name forms fail closed when a constraint of the same
 * form exists.
 *
 * @module
 */

import { bytesEqual } from "../_bytes.ts";
import { DerReader, Tag } from "./der.ts";
import type { GeneralName, NameConstraints } from "./extensions.ts";
import { presentedDnsName } from "./name.ts";

/** Why a name failed the constraints, or undefined when it passed. */
export type ConstraintResult = undefined | "violation" | "invalid";

function rdns(name: Uint8Array): Uint8Array[] {
  const r = new DerReader(new DerReader(name).read(Tag.Sequence).value);
  const out: Uint8Array[] = [];
  while (!r.done) out.push(r.readAny().raw);
  return out;
}

function validDnsConstraint(c: string): boolean {
  if (c === "") return true;
  const body = c.startsWith(".") ? c.slice(1) : c;
  const p = presentedDnsName(body);
  return p !== undefined && !p.startsWith("*");
}

/** Does dNSName constraint `c` cover presented name `n` (both lower-case)? */
function dnsWithin(n: string, c: string): boolean {
  if (c === "") return true;
  // A leading dot means subdomains only (a widespread reading of RFC 5280).
  if (c.startsWith(".")) return n.endsWith(c);
  return n === c || n.endsWith("." + c);
}

function ipWithin(ip: Uint8Array, c: Uint8Array): boolean {
  const len = c.length / 2;
  if (ip.length !== len) return false;
  for (let i = 0; i < len; i++) if ((ip[i] & c[len + i]) !== (c[i] & c[len + i])) return false;
  return true;
}

function validIpConstraint(c: Uint8Array): boolean {
  if (c.length !== 8 && c.length !== 32) return false;
  // The mask must be a prefix: ones then zeros.
  let zero = false;
  for (let i = c.length / 2; i < c.length; i++) {
    for (let b = 7; b >= 0; b--) {
      const one = (c[i] >> b) & 1;
      if (one && zero) return false;
      if (!one) zero = true;
    }
  }
  return true;
}

function dnWithin(name: Uint8Array, c: Uint8Array): boolean {
  const n = rdns(name);
  const p = rdns(c);
  if (p.length > n.length) return false;
  return p.every((rdn, i) => bytesEqual(rdn, n[i]));
}

/** Matches one name against one constraint base of the same kind; "invalid" on bad input. */
function within(name: GeneralName, base: GeneralName): boolean | "invalid" {
  if (name.kind === "dns" && base.kind === "dns") {
    const c = base.value.toLowerCase();
    if (!validDnsConstraint(c)) return "invalid";
    const n = presentedDnsName(name.value);
    if (n === undefined) return "invalid";
    return dnsWithin(n.startsWith("*.") ? n.slice(2) : n, c) ||
      (n.startsWith("*.") && dnsWithin(n, c));
  }
  if (name.kind === "ip" && base.kind === "ip") {
    if (!validIpConstraint(base.bytes)) return "invalid";
    if (name.bytes.length !== 4 && name.bytes.length !== 16) return "invalid";
    return ipWithin(name.bytes, base.bytes);
  }
  if (name.kind === "dn" && base.kind === "dn") return dnWithin(name.name, base.name);
  return "invalid";
}

/**
 * Checks `names` (a certificate's SANs plus its subject as a directoryName)
 * against one CA's constraints.
 */
export function checkNameConstraints(
  names: readonly GeneralName[],
  nc: NameConstraints,
): ConstraintResult {
  // Malformed constraints fail even when no name of their kind is presented.
  for (const base of [...(nc.permitted ?? []), ...(nc.excluded ?? [])]) {
    if (base.kind === "dns" && !validDnsConstraint(base.value.toLowerCase())) return "invalid";
    if (base.kind === "ip" && !validIpConstraint(base.bytes)) return "invalid";
  }
  for (const name of names) {
    if (name.kind === "ip" && name.bytes.length !== 4 && name.bytes.length !== 16) {
      return "invalid";
    }
    const permitted = (nc.permitted ?? []).filter((b) => b.kind === name.kind);
    if (permitted.length > 0) {
      let ok = false;
      for (const b of permitted) {
        const m = within(name, b);
        if (m === "invalid") return "invalid";
        if (m) ok = true;
      }
      if (!ok) return "violation";
    }
    for (const b of (nc.excluded ?? []).filter((b) => b.kind === name.kind)) {
      const m = within(name, b);
      if (m === "invalid") return "invalid";
      if (m) return "violation";
    }
  }
  return undefined;
}
