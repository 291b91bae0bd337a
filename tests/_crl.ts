// A DER builder for CRLs (RFC 5280 5.1) the tests shape freely, signed by a
// TestPki certificate's key with ECDSA-SHA256 through the openssl CLI.
import type { TestCert, TestPki } from "./_pki.ts";
import { parseCertificate } from "../src/webpki/x509.ts";

type Bytes = Uint8Array | number[];

/** One TLV. */
export function tlv(tag: number, ...parts: Bytes[]): Uint8Array {
  const body = parts.flatMap((p) => [...p]);
  const n = body.length;
  const len = n < 0x80
    ? [n]
    : n < 0x100
    ? [0x81, n]
    : n < 0x10000
    ? [0x82, n >> 8, n & 255]
    : [0x83, n >> 16, (n >> 8) & 255, n & 255];
  return new Uint8Array([tag, ...len, ...body]);
}

/** SEQUENCE of the parts. */
export const seq = (...parts: Bytes[]): Uint8Array => tlv(0x30, ...parts);

/** An OBJECT IDENTIFIER. */
export function oid(dotted: string): Uint8Array {
  const a = dotted.split(".").map(Number);
  const out = [a[0] * 40 + a[1]];
  for (const v of a.slice(2)) {
    const b = [v & 0x7f];
    for (let x = Math.floor(v / 128); x > 0; x = Math.floor(x / 128)) b.unshift(0x80 | (x & 0x7f));
    out.push(...b);
  }
  return tlv(0x06, out);
}

/** UTCTime, or GeneralizedTime when `generalized`. */
export function time(d: Date, generalized = d.getUTCFullYear() >= 2050): Uint8Array {
  const p = (n: number): string => String(n).padStart(2, "0");
  const y = generalized ? String(d.getUTCFullYear()) : p(d.getUTCFullYear() % 100);
  const s = `${y}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${
    p(d.getUTCMinutes())
  }${p(d.getUTCSeconds())}Z`;
  return tlv(generalized ? 0x18 : 0x17, [...new TextEncoder().encode(s)]);
}

/** An Extension: OID, criticality, and the DER of the value. */
export function ext(id: string, critical: boolean, value: Bytes): Uint8Array {
  return seq(oid(id), ...(critical ? [[0x01, 0x01, 0xff]] : []), tlv(0x04, value));
}

/** A uniformResourceIdentifier GeneralName. */
export const uri = (s: string): Uint8Array => tlv(0x86, [...new TextEncoder().encode(s)]);
/** A dNSName GeneralName. */
export const dnsName = (s: string): Uint8Array => tlv(0x82, [...new TextEncoder().encode(s)]);

/** issuingDistributionPoint (critical) with the given parts. */
export function idp(o: {
  fullName?: Uint8Array[];
  relative?: boolean;
  onlyUser?: boolean;
  onlyCa?: boolean;
  someReasons?: boolean;
  indirect?: boolean;
  onlyAttribute?: boolean;
}): Uint8Array {
  const TRUE = [0x01, 0xff];
  const name = o.fullName
    ? [tlv(0xa0, tlv(0xa0, ...o.fullName))]
    : o.relative
    ? [tlv(0xa0, tlv(0xa1, seq(oid("2.5.4.3"), tlv(0x0c, [0x70]))))]
    : [];
  return ext(
    "2.5.29.28",
    true,
    seq(
      ...name,
      ...(o.onlyUser ? [tlv(0x81, TRUE.slice(1))] : []),
      ...(o.onlyCa ? [tlv(0x82, TRUE.slice(1))] : []),
      ...(o.someReasons ? [tlv(0x83, [0x07, 0x80])] : []),
      ...(o.indirect ? [tlv(0x84, TRUE.slice(1))] : []),
      ...(o.onlyAttribute ? [tlv(0x85, TRUE.slice(1))] : []),
    ),
  );
}

/** cRLNumber extension. */
export const crlNumber = (n: number, critical = false): Uint8Array =>
  ext("2.5.29.20", critical, tlv(0x02, [n]));

/** A revoked entry. */
export interface Entry {
  serial: Uint8Array;
  date: Date;
  extensions?: Uint8Array[];
}

/** What goes into the CRL; anything left out gets a conforming default. */
export interface CrlShape {
  version?: number | null;
  issuer?: Uint8Array;
  thisUpdate: Date;
  nextUpdate: Date | null;
  generalizedTime?: boolean;
  entries?: Entry[];
  extensions?: Uint8Array[];
}

const ECDSA_SHA256 = seq(oid("1.2.840.10045.4.3.2"));

/** Builds and signs a CRL with `signer`'s key; `issuer` defaults to signer's subject. */
export function buildCrl(pki: TestPki, signer: TestCert, shape: CrlShape): Uint8Array {
  const g = shape.generalizedTime;
  const entries = shape.entries ?? [];
  const exts = shape.extensions ?? [crlNumber(1)];
  const tbs = seq(
    ...(shape.version === null ? [] : [tlv(0x02, [shape.version ?? 1])]),
    ECDSA_SHA256,
    shape.issuer ?? parseCertificate(signer.der).subject,
    time(shape.thisUpdate, g),
    ...(shape.nextUpdate ? [time(shape.nextUpdate, g)] : []),
    ...(entries.length
      ? [seq(...entries.map((e) =>
        seq(
          tlv(0x02, e.serial),
          time(e.date, g),
          ...(e.extensions ? [seq(...e.extensions)] : []),
        )
      ))]
      : []),
    ...(exts.length ? [tlv(0xa0, seq(...exts))] : []),
  );
  const sig = pki.sign(signer, tbs, "sha256");
  return seq(tbs, ECDSA_SHA256, tlv(0x03, [0], sig));
}

/** The serial number content bytes of a certificate. */
export const serialOf = (c: TestCert): Uint8Array => parseCertificate(c.der).serial;
