/**
 * X.509 v3 certificate parsing (RFC 5280 section 4.1). Keeps the signed bytes
 * and the raw encodings the path builder compares.
 *
 * @module
 */

import { bytesEqual } from "../_bytes.ts";
import { badDer, contextTag, DerReader, Tag } from "./der.ts";
import { type Extensions, parseExtensions } from "./extensions.ts";

/** An AlgorithmIdentifier: the OID, its raw parameters, and the whole encoding. */
export interface AlgorithmIdentifier {
  /** Dotted OID. */
  readonly oid: string;
  /** Raw parameters element (undefined when absent). */
  readonly params: Uint8Array | undefined;
  /** The whole AlgorithmIdentifier SEQUENCE. */
  readonly raw: Uint8Array;
}

/** A parsed X.509 certificate. */
export interface Certificate {
  /** The certificate as given. */
  readonly der: Uint8Array;
  /** The signed TBSCertificate bytes. */
  readonly tbs: Uint8Array;
  /** 1, 2 or 3. */
  readonly version: number;
  /** Serial number content bytes (two's complement). */
  readonly serial: Uint8Array;
  /** Signature algorithm (checked equal to the one inside the TBS). */
  readonly signatureAlgorithm: AlgorithmIdentifier;
  /** The signature bytes. */
  readonly signature: Uint8Array;
  /** Raw issuer Name (the whole SEQUENCE). */
  readonly issuer: Uint8Array;
  /** Raw subject Name (the whole SEQUENCE). */
  readonly subject: Uint8Array;
  /** Validity start, in ms since the epoch. */
  readonly notBefore: number;
  /** Validity end, in ms since the epoch. */
  readonly notAfter: number;
  /** The DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  /** The key's algorithm. */
  readonly spkiAlgorithm: AlgorithmIdentifier;
  /** The extensions this package understands, plus the unknown ones. */
  readonly extensions: Extensions;
}

/** Parses an AlgorithmIdentifier from `r`. */
export function readAlgorithmIdentifier(r: DerReader): AlgorithmIdentifier {
  const el = r.read(Tag.Sequence);
  const inner = new DerReader(el.value);
  const oid = inner.readOid();
  const params = inner.done ? undefined : inner.readAny().raw;
  inner.finish();
  return { oid, params, raw: el.raw };
}

/**
 * Parses a DER certificate strictly. Throws `TlsError` (detail `BadEncoding`,
 * alert bad_certificate) when the encoding breaks a DER or RFC 5280 rule.
 *
 * @example
 * ```ts
 * import { parseCertificate } from "./x509.ts";
 * try {
 *   parseCertificate(new Uint8Array([0x30, 0x00]));
 * } catch (e) {
 *   console.log((e as Error).message); // bad DER: ...
 * }
 * ```
 */
export function parseCertificate(der: Uint8Array): Certificate {
  const top = new DerReader(der);
  const cert = top.readSequence();
  top.finish();
  const tbsEl = cert.read(Tag.Sequence);
  const signatureAlgorithm = readAlgorithmIdentifier(cert);
  const signature = cert.readBitStringBytes();
  cert.finish();

  const tbs = new DerReader(tbsEl.value);
  let version = 1;
  const v = tbs.readOptional(contextTag(0, true));
  if (v) {
    const vr = new DerReader(v.value);
    const n = vr.readSmallInteger();
    vr.finish();
    // DER forbids encoding the DEFAULT value v1 explicitly.
    if (n === 0 || n > 2) badDer("bad certificate version");
    version = n + 1;
  }
  const serial = tbs.readIntegerBytes();
  const innerAlg = readAlgorithmIdentifier(tbs);
  if (!bytesEqual(innerAlg.raw, signatureAlgorithm.raw)) {
    badDer("signatureAlgorithm differs from TBSCertificate.signature");
  }
  const issuer = readName(tbs);
  const validity = tbs.readSequence();
  const notBefore = readTime(validity);
  const notAfter = readTime(validity);
  validity.finish();
  const subject = readName(tbs);
  const spkiEl = tbs.read(Tag.Sequence);
  const spkiR = new DerReader(spkiEl.value);
  const spkiAlgorithm = readAlgorithmIdentifier(spkiR);
  spkiR.readBitString();
  spkiR.finish();
  // issuerUniqueID and subjectUniqueID are obsolete; skip them when present.
  if (tbs.readOptional(0x81) && version < 2) badDer("unique ID in v1 certificate");
  if (tbs.readOptional(0x82) && version < 2) badDer("unique ID in v1 certificate");
  let extensions: Extensions = parseExtensions(undefined);
  const extEl = tbs.readOptional(contextTag(3, true));
  if (extEl) {
    if (version !== 3) badDer("extensions in a pre-v3 certificate");
    const er = new DerReader(extEl.value);
    extensions = parseExtensions(er.read(Tag.Sequence).value);
    er.finish();
  }
  tbs.finish();
  return {
    der,
    tbs: tbsEl.raw,
    version,
    serial,
    signatureAlgorithm,
    signature,
    issuer,
    subject,
    notBefore,
    notAfter,
    spki: spkiEl.raw,
    spkiAlgorithm,
    extensions,
  };
}

/** Reads a Name: a SEQUENCE OF non-empty SETs of AttributeTypeAndValue. */
function readName(r: DerReader): Uint8Array {
  const el = r.read(Tag.Sequence);
  const rdns = new DerReader(el.value);
  while (!rdns.done) {
    const set = new DerReader(rdns.read(Tag.Set).value);
    if (set.done) badDer("empty RDN");
    while (!set.done) {
      const atv = set.readSequence();
      atv.readOid();
      atv.readAny();
      atv.finish();
    }
  }
  return el.raw;
}

/** True when a raw Name has no RDNs. */
export function isEmptyName(name: Uint8Array): boolean {
  return name.length === 2;
}

/**
 * Reads a UTCTime or GeneralizedTime in the RFC 5280 profile (seconds, Z).
 * With `strict`, the choice must follow the date too: UTCTime through 2049,
 * GeneralizedTime from 2050 (RFC 5280 5.1.2.4, enforced for CRLs).
 */
export function readTime(r: DerReader, strict = false): number {
  const tag = r.peekTag();
  const el = tag === Tag.UtcTime ? r.read(Tag.UtcTime) : r.read(Tag.GeneralizedTime);
  const s = String.fromCharCode(...el.value);
  const m = tag === Tag.UtcTime
    ? /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s)
    : /^(\d\d\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s);
  if (!m) badDer("bad time encoding");
  let year = Number(m[1]);
  if (tag === Tag.UtcTime) year += year >= 50 ? 1900 : 2000;
  const [mo, d, h, mi, se] = [m[2], m[3], m[4], m[5], m[6]].map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) {
    badDer("bad time value");
  }
  if (strict && (tag === Tag.UtcTime) !== (year < 2050)) badDer("time in the wrong ASN.1 type");
  const t = Date.UTC(year, mo - 1, d, h, mi, se);
  if (new Date(t).getUTCDate() !== d) badDer("bad day of month");
  return t;
}
