/**
 * Name constraints (RFC 5280 4.2.1.10) for dNSName, iPAddress, directoryName
 * and rfc822Name. A constraint on any other name form (URI, otherName, ...)
 * fails closed when a name of that form is present, as the RFC allows.
 *
 * A wildcard dNSName SAN (`*.example.com`) stands for every name it can
 * match: it is excluded when any of them lies in an excluded subtree, and
 * permitted only when all of them lie in a permitted one.
 *
 * Each CA's constraints are compiled once per certificate object and each
 * certificate's names once; the comparisons are counted against the
 * verification's {@link Budget}.
 *
 * @module
 */

import type { Budget } from "./budget.ts";
import { type ComparableName, comparableName, emailAddresses, nameWithin } from "./dn.ts";
import type { GeneralName, NameConstraints } from "./extensions.ts";
import { presentedDnsName } from "./name.ts";
import { type Certificate, isEmptyName } from "./x509.ts";

/** Why the names failed the constraints, or undefined when they passed. */
export type ConstraintResult = undefined | "violation" | "invalid";

interface Mailbox {
  readonly local: string;
  readonly host: string;
}

/** rfc822Name constraint forms: one mailbox, every mailbox at a host, or under a domain. */
type EmailConstraint =
  | { readonly kind: "mailbox"; readonly local: string; readonly host: string }
  | { readonly kind: "host"; readonly host: string }
  | { readonly kind: "domain"; readonly domain: string };

interface Subtrees<T> {
  /** undefined: no permitted subtree of this form, so the form is not restricted. */
  permitted: T[] | undefined;
  excluded: T[];
}

/** One CA's constraints, checked for syntax and grouped by name form. */
export interface CompiledConstraints {
  readonly invalid: boolean;
  readonly dns: Subtrees<string>;
  readonly ip: Subtrees<Uint8Array>;
  readonly dn: Subtrees<ComparableName>;
  readonly email: Subtrees<EmailConstraint>;
  /** Constrained forms we cannot evaluate ("uri", "other"). */
  readonly unsupported: ReadonlySet<string>;
}

/** The names of one certificate that constraints apply to, grouped by form. */
export interface ConstrainedNames {
  /** dNSName SANs, normalised; undefined for a malformed one. */
  readonly dns: readonly (string | undefined)[];
  readonly ip: readonly Uint8Array[];
  /** The subject (when not empty) and directoryName SANs. */
  readonly dn: readonly ComparableName[];
  /** rfc822Name SANs (or, without a SAN extension, subject emailAddress); undefined when malformed. */
  readonly email: readonly (Mailbox | undefined)[];
  /** Forms present that we cannot evaluate. */
  readonly unsupported: ReadonlySet<string>;
}

// RFC 5280 4.2.1.10: a dNSName constraint is a DNS name ("" for all names);
// unlike URI constraints it has no leading-period form, so one is malformed.
function validDnsConstraint(c: string): boolean {
  if (c === "") return true;
  const p = presentedDnsName(c);
  return p !== undefined && !p.startsWith("*");
}

/** Is DNS name `n` (no wildcard) in subtree `c`: `c` itself or a name below it? */
function dnsWithin(n: string, c: string): boolean {
  return c === "" || n === c || n.endsWith("." + c);
}

/** Does some name `<label>.s` lie in subtree `c`? Also when `c` is one label above `s`. */
function wildcardSomeWithin(s: string, c: string): boolean {
  if (dnsWithin(s, c)) return true;
  if (!c.endsWith("." + s)) return false;
  return !c.slice(0, c.length - s.length - 1).includes(".");
}

// Every name <label>.s lies in c exactly when s does.
function dnsPermits(n: string, c: string): boolean {
  return dnsWithin(n.startsWith("*.") ? n.slice(2) : n, c);
}

function dnsExcludes(n: string, c: string): boolean {
  return n.startsWith("*.") ? wildcardSomeWithin(n.slice(2), c) : dnsWithin(n, c);
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

function ipWithin(ip: Uint8Array, c: Uint8Array): boolean {
  const len = c.length / 2;
  if (ip.length !== len) return false;
  for (let i = 0; i < len; i++) if ((ip[i] & c[len + i]) !== (c[i] & c[len + i])) return false;
  return true;
}

function hostName(s: string): string | undefined {
  const h = presentedDnsName(s);
  return h === undefined || h.startsWith("*") ? undefined : h;
}

/** Splits `local@host` at the last `@`; undefined when malformed. */
function parseMailbox(s: string): Mailbox | undefined {
  const at = s.lastIndexOf("@");
  if (at <= 0) return undefined;
  const host = hostName(s.slice(at + 1));
  return host === undefined ? undefined : { local: s.slice(0, at), host };
}

function parseEmailConstraint(s: string): EmailConstraint | undefined {
  if (s.includes("@")) {
    const m = parseMailbox(s);
    return m && { kind: "mailbox", ...m };
  }
  if (s.startsWith(".")) {
    const domain = hostName(s.slice(1));
    return domain === undefined ? undefined : { kind: "domain", domain };
  }
  const host = hostName(s);
  return host === undefined ? undefined : { kind: "host", host };
}

// RFC 5280 4.2.1.10: the local part matches exactly, the host without case.
function emailWithin(m: Mailbox, c: EmailConstraint): boolean {
  switch (c.kind) {
    case "mailbox":
      return m.local === c.local && m.host === c.host;
    case "host":
      return m.host === c.host;
    case "domain":
      return m.host.endsWith("." + c.domain);
  }
}

const compiled = new WeakMap<Certificate, CompiledConstraints>();

/** The compiled constraints of CA `cert`, or undefined when it has none. */
export function constraintsOf(cert: Certificate): CompiledConstraints | undefined {
  const nc = cert.extensions.nameConstraints;
  if (!nc) return undefined;
  let c = compiled.get(cert);
  if (!c) {
    c = compileNameConstraints(nc);
    compiled.set(cert, c);
  }
  return c;
}

/** Checks and groups the subtrees of a NameConstraints extension. */
export function compileNameConstraints(nc: NameConstraints): CompiledConstraints {
  let invalid = false;
  const out = {
    dns: { permitted: undefined, excluded: [] } as Subtrees<string>,
    ip: { permitted: undefined, excluded: [] } as Subtrees<Uint8Array>,
    dn: { permitted: undefined, excluded: [] } as Subtrees<ComparableName>,
    email: { permitted: undefined, excluded: [] } as Subtrees<EmailConstraint>,
  };
  const unsupported = new Set<string>();
  const add = <T>(s: Subtrees<T>, v: T, permitted: boolean): void => {
    if (permitted) (s.permitted ??= []).push(v);
    else s.excluded.push(v);
  };
  const each = (bases: readonly GeneralName[] | undefined, permitted: boolean): void => {
    for (const b of bases ?? []) {
      switch (b.kind) {
        case "dns": {
          const v = b.value.toLowerCase();
          if (validDnsConstraint(v)) add(out.dns, v, permitted);
          else invalid = true;
          break;
        }
        case "ip":
          if (validIpConstraint(b.bytes)) add(out.ip, b.bytes, permitted);
          else invalid = true;
          break;
        case "dn":
          add(out.dn, comparableName(b.name), permitted);
          break;
        case "email": {
          const e = parseEmailConstraint(b.value);
          if (e) add(out.email, e, permitted);
          else invalid = true;
          break;
        }
        default:
          unsupported.add(b.kind);
      }
    }
  };
  each(nc.permitted, true);
  each(nc.excluded, false);
  return { invalid, ...out, unsupported };
}

const names = new WeakMap<Certificate, ConstrainedNames>();

/** The names of `cert` that constraints apply to (its SANs and subject). */
export function constrainedNamesOf(cert: Certificate): ConstrainedNames {
  let n = names.get(cert);
  if (!n) {
    const san = cert.extensions.subjectAltName;
    n = constrainedNames(san?.names, isEmptyName(cert.subject) ? undefined : cert.subject);
    names.set(cert, n);
  }
  return n;
}

/**
 * Groups `sans` (undefined: no SAN extension) and the raw `subject` (undefined
 * when empty) for {@link checkNameConstraints}.
 */
export function constrainedNames(
  sans: readonly GeneralName[] | undefined,
  subject: Uint8Array | undefined,
): ConstrainedNames {
  const dns: (string | undefined)[] = [];
  const ip: Uint8Array[] = [];
  const dn: ComparableName[] = [];
  const email: (Mailbox | undefined)[] = [];
  const unsupported = new Set<string>();
  if (subject) dn.push(comparableName(subject));
  for (const g of sans ?? []) {
    if (g.kind === "dns") dns.push(presentedDnsName(g.value));
    else if (g.kind === "ip") ip.push(g.bytes);
    else if (g.kind === "dn") dn.push(comparableName(g.name));
    else if (g.kind === "email") email.push(parseMailbox(g.value));
    else unsupported.add(g.kind);
  }
  // RFC 5280 4.2.1.10: without a SAN, rfc822Name constraints apply to the
  // subject's emailAddress attributes.
  if (!sans && subject) { for (const e of emailAddresses(subject)) email.push(parseMailbox(e)); }
  return { dns, ip, dn, email, unsupported };
}

function cost<T>(count: number, s: Subtrees<T>): number {
  return count * ((s.permitted?.length ?? 0) + s.excluded.length);
}

/** Checks one name form; `permits`/`excludes` say whether a name is in a subtree. */
function checkForm<N, T>(
  list: readonly (N | undefined)[],
  s: Subtrees<T>,
  permits: (n: N, c: T) => boolean,
  excludes: (n: N, c: T) => boolean,
): ConstraintResult {
  if (s.permitted === undefined && s.excluded.length === 0) return undefined;
  for (const n of list) {
    if (n === undefined) return "invalid";
    if (s.permitted && !s.permitted.some((c) => permits(n, c))) return "violation";
    if (s.excluded.some((c) => excludes(n, c))) return "violation";
  }
  return undefined;
}

/**
 * Checks one certificate's names against one CA's constraints, charging the
 * comparisons to `budget` first (which throws when they do not fit).
 */
export function checkNameConstraints(
  n: ConstrainedNames,
  nc: CompiledConstraints,
  budget: Budget,
): ConstraintResult {
  // Malformed constraints fail even when no name of their form is presented.
  if (nc.invalid) return "invalid";
  if (n.ip.some((a) => a.length !== 4 && a.length !== 16)) return "invalid";
  for (const form of n.unsupported) if (nc.unsupported.has(form)) return "invalid";
  budget.consumeComparisons(
    cost(n.dns.length, nc.dns) + cost(n.ip.length, nc.ip) + cost(n.dn.length, nc.dn) +
      cost(n.email.length, nc.email),
  );
  return checkForm(n.dns, nc.dns, dnsPermits, dnsExcludes) ??
    checkForm(n.ip, nc.ip, ipWithin, ipWithin) ??
    checkForm(n.dn, nc.dn, nameWithin, nameWithin) ??
    checkForm(n.email, nc.email, emailWithin, emailWithin);
}
