/**
 * The X.509 v3 extensions path validation needs (RFC 5280 section 4.2).
 * Unknown extensions are kept by OID so that critical ones fail validation.
 *
 * @module
 */

import { badDer, contextTag, DerReader, Tag } from "./der.ts";

/** One GeneralName (RFC 5280 4.2.1.6), decoded as far as we use it. */
export type GeneralName =
  | { readonly kind: "dns"; readonly value: string }
  | { readonly kind: "ip"; readonly bytes: Uint8Array }
  | { readonly kind: "dn"; readonly name: Uint8Array }
  | { readonly kind: "email"; readonly value: string }
  | { readonly kind: "uri"; readonly value: string }
  | { readonly kind: "other"; readonly tag: number };

/** A NameConstraints extension; either list may be absent, not both. */
export interface NameConstraints {
  /** permittedSubtrees bases. */
  readonly permitted: readonly GeneralName[] | undefined;
  /** excludedSubtrees bases. */
  readonly excluded: readonly GeneralName[] | undefined;
}

/**
 * One DistributionPoint of a certificate, or the distributionPoint of a CRL's
 * issuingDistributionPoint: the fullName GeneralNames, or that the
 * nameRelativeToCRLIssuer form was used (which we do not resolve).
 */
export interface DistributionPoint {
  /** fullName, when that form is used. */
  readonly fullName: readonly GeneralName[] | undefined;
  /** True when the name is given as nameRelativeToCRLIssuer. */
  readonly relativeName: boolean;
  /** True when `reasons` limits the point to some revocation reasons. */
  readonly someReasons: boolean;
  /** True when a cRLIssuer other than the certificate's issuer is named. */
  readonly crlIssuer: boolean;
}

/** Key usage bits (RFC 5280 4.2.1.3), numbered as in the RFC. */
export const KeyUsageBit = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
  encipherOnly: 7,
  decipherOnly: 8,
} as const;

/** Extended key usage OIDs. */
export const Eku = {
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
  any: "2.5.29.37.0",
} as const;

/** The decoded extensions of one certificate. */
export interface Extensions {
  /** basicConstraints, when present. */
  readonly basicConstraints?: { ca: boolean; pathLen: number | undefined; critical: boolean };
  /** keyUsage as a set of bit numbers, when present. */
  readonly keyUsage?: { bits: ReadonlySet<number>; critical: boolean };
  /** extKeyUsage OIDs, when present. */
  readonly extKeyUsage?: { oids: readonly string[]; critical: boolean };
  /** subjectAltName, when present. */
  readonly subjectAltName?: { names: readonly GeneralName[]; critical: boolean };
  /** nameConstraints, when present. */
  readonly nameConstraints?: NameConstraints & { critical: boolean };
  /** authorityKeyIdentifier, when present. */
  readonly authorityKeyId?: {
    keyId: Uint8Array | undefined;
    hasIssuerAndSerial: boolean;
    critical: boolean;
  };
  /** subjectKeyIdentifier, when present. */
  readonly subjectKeyId?: { keyId: Uint8Array; critical: boolean };
  /** cRLDistributionPoints (RFC 5280 4.2.1.13), when present. */
  readonly crlDistributionPoints?: { points: readonly DistributionPoint[]; critical: boolean };
  /** authorityInfoAccess criticality, when present. */
  readonly authorityInfoAccess?: { critical: boolean };
  /** True when a policyConstraints extension is present but not critical. */
  readonly policyConstraintsNonCritical?: boolean;
  /** OIDs of critical extensions this package does not understand. */
  readonly unknownCritical: readonly string[];
}

const OID = {
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  subjectAltName: "2.5.29.17",
  nameConstraints: "2.5.29.30",
  authorityKeyId: "2.5.29.35",
  subjectKeyId: "2.5.29.14",
  authorityInfoAccess: "1.3.6.1.5.5.7.1.1",
  crlDistributionPoints: "2.5.29.31",
} as const;

// Not processed (policies are not checked); only its criticality is.
const POLICY_CONSTRAINTS = "2.5.29.36";

/**
 * Reads one Extension (RFC 5280 4.1): extnID, critical (DEFAULT FALSE),
 * extnValue. The same entry in certificates and CRLs.
 */
export function readExtension(
  r: DerReader,
): { oid: string; critical: boolean; value: Uint8Array } {
  const ext = r.readSequence();
  const oid = ext.readOid();
  // An explicit critical FALSE breaks DER's DEFAULT rule, but deployed CAs
  // emit it, so it is tolerated as other verifiers do.
  const critical = ext.peekTag() === Tag.Boolean ? ext.readBoolean() : false;
  const value = ext.read(Tag.OctetString).value;
  ext.finish();
  return { oid, critical, value };
}

/** Parses the contents of the Extensions SEQUENCE (undefined: no extensions). */
export function parseExtensions(contents: Uint8Array | undefined): Extensions {
  // deno-lint-ignore no-explicit-any
  const out: Record<string, any> = { unknownCritical: [] };
  if (contents === undefined) return out as Extensions;
  const r = new DerReader(contents);
  if (r.done) badDer("empty Extensions");
  const seen = new Set<string>();
  while (!r.done) {
    const { oid, critical, value } = readExtension(r);
    if (seen.has(oid)) badDer(`duplicate extension ${oid}`);
    seen.add(oid);
    const v = new DerReader(value);
    switch (oid) {
      case OID.basicConstraints:
        out.basicConstraints = { ...parseBasicConstraints(v), critical };
        break;
      case OID.keyUsage:
        out.keyUsage = { bits: parseKeyUsage(v), critical };
        break;
      case OID.extKeyUsage:
        out.extKeyUsage = { oids: parseEku(v), critical };
        break;
      case OID.subjectAltName:
        out.subjectAltName = { names: parseGeneralNames(v), critical };
        break;
      case OID.nameConstraints:
        out.nameConstraints = { ...parseNameConstraints(v), critical };
        break;
      case OID.authorityKeyId:
        out.authorityKeyId = { ...parseAki(v), critical };
        break;
      case OID.subjectKeyId:
        out.subjectKeyId = { keyId: v.read(Tag.OctetString).value, critical };
        break;
      case OID.crlDistributionPoints:
        out.crlDistributionPoints = { points: parseCrlDistributionPoints(v), critical };
        break;
      case OID.authorityInfoAccess:
        parseAia(v);
        out.authorityInfoAccess = { critical };
        break;
      default:
        if (critical) out.unknownCritical.push(oid);
        else if (oid === POLICY_CONSTRAINTS) out.policyConstraintsNonCritical = true;
        continue;
    }
    v.finish();
  }
  return out as Extensions;
}

function parseBasicConstraints(r: DerReader): { ca: boolean; pathLen: number | undefined } {
  const s = r.readSequence();
  let ca = false;
  if (s.peekTag() === Tag.Boolean) {
    ca = s.readBoolean();
    if (!ca) badDer("basicConstraints encodes DEFAULT cA FALSE");
  }
  const pathLen = s.done ? undefined : s.readSmallInteger();
  s.finish();
  return { ca, pathLen };
}

function parseKeyUsage(r: DerReader): Set<number> {
  const { bytes } = r.readBitString();
  const bits = new Set<number>();
  for (let i = 0; i < bytes.length * 8; i++) {
    if ((bytes[i >> 3] >> (7 - (i & 7))) & 1) bits.add(i);
  }
  if (bits.size === 0) badDer("keyUsage with no bits set");
  return bits;
}

function parseEku(r: DerReader): string[] {
  const s = r.readSequence();
  const oids: string[] = [];
  while (!s.done) oids.push(s.readOid());
  if (oids.length === 0) badDer("empty extKeyUsage");
  return oids;
}

function ascii(bytes: Uint8Array): string {
  // Indexed loop and one decoder call: a Certificate message can carry
  // thousands of names, and this runs for each of them.
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b > 0x7e || b < 0x20) badDer("non-ASCII IA5String in name");
  }
  // Spreading a long name into one call could overflow the stack; the
  // decoder takes any length but costs more per call.
  return bytes.length <= 256
    ? String.fromCharCode.apply(null, bytes as unknown as number[])
    : printableAscii.decode(bytes);
}

/** Bytes already checked to be 0x20-0x7e decode the same in any ASCII superset. */
const printableAscii = new TextDecoder("latin1");

/** Decodes one GeneralName element. */
export function readGeneralName(r: DerReader): GeneralName {
  const el = r.readAny();
  switch (el.tag) {
    case 0x82:
      return { kind: "dns", value: ascii(el.value) };
    case 0x87:
      return { kind: "ip", bytes: el.value };
    case contextTag(4, true): {
      const n = new DerReader(el.value);
      const name = n.read(Tag.Sequence).raw;
      n.finish();
      return { kind: "dn", name };
    }
    case 0x81:
      return { kind: "email", value: ascii(el.value) };
    case 0x86:
      return { kind: "uri", value: ascii(el.value) };
    case contextTag(0, true):
    case contextTag(3, true):
    case contextTag(5, true):
    case 0x88:
      return { kind: "other", tag: el.tag };
    default:
      return badDer(`bad GeneralName tag 0x${el.tag.toString(16)}`);
  }
}

function parseGeneralNames(r: DerReader): GeneralName[] {
  return readGeneralNames(r.readSequence());
}

/** Reads the GeneralName elements that make up `s` (at least one). */
export function readGeneralNames(s: DerReader): GeneralName[] {
  const names: GeneralName[] = [];
  while (!s.done) names.push(readGeneralName(s));
  if (names.length === 0) badDer("empty GeneralNames");
  return names;
}

/**
 * Reads a DistributionPointName CHOICE (inside its explicit [0]): fullName
 * [0] GeneralNames or nameRelativeToCRLIssuer [1] RDN.
 */
export function readDistributionPointName(
  el: Uint8Array,
): { fullName: GeneralName[] | undefined; relativeName: boolean } {
  const r = new DerReader(el);
  const full = r.readOptional(contextTag(0, true));
  const relative = full ? undefined : r.read(contextTag(1, true));
  r.finish();
  return {
    fullName: full ? readGeneralNames(new DerReader(full.value)) : undefined,
    relativeName: relative !== undefined,
  };
}

function parseCrlDistributionPoints(r: DerReader): DistributionPoint[] {
  const s = r.readSequence();
  const out: DistributionPoint[] = [];
  while (!s.done) {
    const dp = s.readSequence();
    const name = dp.readOptional(contextTag(0, true));
    const reasons = dp.readOptional(0x81);
    const issuer = dp.readOptional(contextTag(2, true));
    dp.finish();
    // RFC 5280 4.2.1.13: a point names where the CRL is, who issues it, or both.
    if (!name && !issuer) badDer("DistributionPoint without name or cRLIssuer");
    const n = name ? readDistributionPointName(name.value) : undefined;
    out.push({
      fullName: n?.fullName,
      relativeName: n?.relativeName ?? false,
      someReasons: reasons !== undefined,
      crlIssuer: issuer !== undefined,
    });
  }
  if (out.length === 0) badDer("empty cRLDistributionPoints");
  return out;
}

function parseSubtrees(contents: Uint8Array): GeneralName[] {
  const r = new DerReader(contents);
  const out: GeneralName[] = [];
  while (!r.done) {
    const st = r.readSequence();
    out.push(readGeneralName(st));
    // RFC 5280 4.2.1.10: minimum MUST be zero (so absent in DER), maximum absent.
    if (!st.done) badDer("GeneralSubtree with minimum or maximum");
  }
  if (out.length === 0) badDer("empty GeneralSubtrees");
  return out;
}

function parseNameConstraints(r: DerReader): NameConstraints {
  const s = r.readSequence();
  const p = s.readOptional(contextTag(0, true));
  const e = s.readOptional(contextTag(1, true));
  s.finish();
  if (!p && !e) badDer("empty nameConstraints");
  return {
    permitted: p ? parseSubtrees(p.value) : undefined,
    excluded: e ? parseSubtrees(e.value) : undefined,
  };
}

function parseAki(
  r: DerReader,
): { keyId: Uint8Array | undefined; hasIssuerAndSerial: boolean } {
  const s = r.readSequence();
  const keyId = s.readOptional(0x80)?.value;
  const issuer = s.readOptional(contextTag(1, true));
  const serial = s.readOptional(0x82);
  s.finish();
  if (!!issuer !== !!serial) badDer("authorityKeyIdentifier issuer without serial");
  return { keyId, hasIssuerAndSerial: !!issuer };
}

function parseAia(r: DerReader): void {
  const s = r.readSequence();
  if (s.done) badDer("empty authorityInfoAccess");
  while (!s.done) {
    const ad = s.readSequence();
    ad.readOid();
    readGeneralName(ad);
    ad.finish();
  }
}
