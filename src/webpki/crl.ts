/**
 * Certificate revocation lists (RFC 5280 section 5), parsed strictly. A CRL
 * that breaks the ASN.1 or the profile's structure (not v2, no nextUpdate,
 * GeneralizedTime before 2050, ...) does not parse at all. One that parses
 * but must not be used to decide status (RFC 5280 5.2 and 5.3: an unknown
 * critical extension, a delta CRL, an indirect-CRL entry; a missing or
 * critical cRLNumber, a serial listed twice) keeps the reason in `unusable`,
 * so that the verifier refuses it when it would be the authority for a
 * certificate rather than silently treating it as absent.
 *
 * @module
 */

import { bytesEqual } from "../_bytes.ts";
import { pemDecode } from "../crypto/pem.ts";
import { TlsError } from "../error.ts";
import { contextTag, DerReader, Tag } from "./der.ts";
import {
  type DistributionPoint,
  type GeneralName,
  readDistributionPointName,
  readExtension,
} from "./extensions.ts";
import { type AlgorithmIdentifier, readAlgorithmIdentifier, readTime } from "./x509.ts";

/** CRLReason codes (RFC 5280 5.3.1); 7 is unassigned. */
export const RevocationReason = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;

/** One revoked certificate. */
export interface RevokedCertificate {
  /** Revocation date, ms since the epoch. */
  readonly revocationDate: number;
  /** The reasonCode entry extension, when present. */
  readonly reason: number | undefined;
}

/** The issuingDistributionPoint extension (RFC 5280 5.2.5). */
export interface IssuingDistributionPoint extends DistributionPoint {
  readonly onlyUserCerts: boolean;
  readonly onlyCaCerts: boolean;
  readonly onlyAttributeCerts: boolean;
  readonly indirect: boolean;
}

const OID = {
  crlNumber: "2.5.29.20",
  deltaCrlIndicator: "2.5.29.27",
  issuingDistributionPoint: "2.5.29.28",
  authorityKeyId: "2.5.29.35",
  freshestCrl: "2.5.29.46",
  reasonCode: "2.5.29.21",
  invalidityDate: "2.5.29.24",
  certificateIssuer: "2.5.29.29",
} as const;

function hex(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

/** Reads an Extensions SEQUENCE into OID -> { critical, value }, refusing duplicates. */
function readExtensions(
  contents: Uint8Array,
): Map<string, { critical: boolean; value: Uint8Array }> {
  const out = new Map<string, { critical: boolean; value: Uint8Array }>();
  const outer = new DerReader(contents);
  const r = new DerReader(outer.read(Tag.Sequence).value);
  outer.finish();
  while (!r.done) {
    const { oid, critical, value } = readExtension(r);
    if (out.has(oid)) throw new SyntaxError(`duplicate CRL extension ${oid}`);
    out.set(oid, { critical, value });
  }
  return out;
}

function readIdp(value: Uint8Array): IssuingDistributionPoint {
  const r = new DerReader(value);
  const s = r.readSequence();
  r.finish();
  const name = s.readOptional(contextTag(0, true));
  const flag = (tag: number): boolean => {
    const el = s.readOptional(tag);
    if (!el) return false;
    if (el.value.length !== 1 || (el.value[0] !== 0 && el.value[0] !== 0xff)) {
      throw new SyntaxError("bad BOOLEAN in issuingDistributionPoint");
    }
    return el.value[0] === 0xff;
  };
  const onlyUserCerts = flag(0x81);
  const onlyCaCerts = flag(0x82);
  const someReasons = s.readOptional(0x83) !== undefined;
  const indirect = flag(0x84);
  const onlyAttributeCerts = flag(0x85);
  s.finish();
  const n = name ? readDistributionPointName(name.value) : undefined;
  return {
    fullName: n?.fullName,
    relativeName: n?.relativeName ?? false,
    someReasons,
    crlIssuer: false,
    onlyUserCerts,
    onlyCaCerts,
    onlyAttributeCerts,
    indirect,
  };
}

/**
 * A parsed certificate revocation list. Make one with {@link CertRevocationList.fromDer}
 * or {@link CertRevocationList.fromPem} and pass it in the verifier's `revocation` option.
 *
 * @example
 * ```ts
 * import { CertRevocationList } from "@kerneltls/tls";
 * try {
 *   CertRevocationList.fromDer(new Uint8Array([0x30, 0x00]));
 * } catch (e) {
 *   console.log((e as Error).name); // SyntaxError
 * }
 * ```
 */
export class CertRevocationList {
  /** The DER encoding as given. */
  readonly der: Uint8Array;
  /** The signed TBSCertList bytes. */
  readonly tbs: Uint8Array;
  /** @ignore Signature algorithm (equal to the one inside the TBS). */
  readonly signatureAlgorithm: AlgorithmIdentifier;
  /** The signature bytes. */
  readonly signature: Uint8Array;
  /** Raw issuer Name. */
  readonly issuer: Uint8Array;
  /** thisUpdate, ms since the epoch. */
  readonly thisUpdate: number;
  /** nextUpdate, ms since the epoch. */
  readonly nextUpdate: number;
  /** @ignore The issuingDistributionPoint extension, when present. */
  readonly issuingDistributionPoint: IssuingDistributionPoint | undefined;
  /** Why this CRL must not decide any status, or undefined when usable. */
  readonly unusable: string | undefined;
  #revoked: Map<string, RevokedCertificate>;

  private constructor(der: Uint8Array) {
    this.der = der;
    const top = new DerReader(der);
    const list = top.readSequence();
    top.finish();
    const tbsEl = list.read(Tag.Sequence);
    this.tbs = tbsEl.raw;
    this.signatureAlgorithm = readAlgorithmIdentifier(list);
    this.signature = list.readBitStringBytes();
    list.finish();

    const t = new DerReader(tbsEl.value);
    // RFC 5280 5.1.2.1: version MUST be v2 when extensions are used, and the
    // cRLNumber extension is mandatory, so v1 CRLs are not conforming.
    if (t.peekTag() !== Tag.Integer || t.readSmallInteger() !== 1) {
      throw new SyntaxError("CRL version is not v2");
    }
    const inner = readAlgorithmIdentifier(t);
    if (!bytesEqual(inner.raw, this.signatureAlgorithm.raw)) {
      throw new SyntaxError("signatureAlgorithm differs from TBSCertList.signature");
    }
    this.issuer = t.read(Tag.Sequence).raw;
    this.thisUpdate = readTime(t, true);
    // RFC 5280 5.1.2.5: conforming CRL issuers MUST include nextUpdate.
    const nt = t.peekTag();
    if (nt !== Tag.UtcTime && nt !== Tag.GeneralizedTime) {
      throw new SyntaxError("CRL without nextUpdate");
    }
    this.nextUpdate = readTime(t, true);

    const problems: string[] = [];
    this.#revoked = new Map();
    if (t.peekTag() === Tag.Sequence) {
      const entries = t.readSequence();
      while (!entries.done) {
        const e = entries.readSequence();
        const serial = e.readIntegerBytes();
        const revocationDate = readTime(e, true);
        let reason: number | undefined;
        if (!e.done) {
          for (const [oid, x] of readExtensions(e.readAny().raw)) {
            if (oid === OID.reasonCode) {
              const r = new DerReader(x.value);
              const v = r.read(0x0a).value; // ENUMERATED
              r.finish();
              if (v.length !== 1 || v[0] > 10 || v[0] === 7) problems.push("bad reasonCode");
              reason = v[0];
            } else if (oid === OID.certificateIssuer) {
              problems.push("indirect CRL entry (certificateIssuer)");
            } else if (x.critical && oid !== OID.invalidityDate) {
              problems.push(`unknown critical entry extension ${oid}`);
            }
          }
        }
        e.finish();
        // removeFromCRL belongs in delta CRLs only (RFC 5280 5.3.1).
        if (reason === RevocationReason.removeFromCRL) problems.push("removeFromCRL in a CRL");
        const key = hex(serial);
        if (this.#revoked.has(key)) problems.push("serial number listed twice");
        this.#revoked.set(key, { revocationDate, reason });
      }
    }
    let idp: IssuingDistributionPoint | undefined;
    const extEl = t.readOptional(contextTag(0, true));
    t.finish();
    const exts = extEl ? readExtensions(extEl.value) : new Map();
    const number = exts.get(OID.crlNumber);
    // RFC 5280 5.2.3: cRLNumber is mandatory and non-critical, at most 20 octets.
    if (!number) problems.push("no cRLNumber");
    else if (number.critical) problems.push("critical cRLNumber");
    else {
      const r = new DerReader(number.value);
      const n = r.readIntegerBytes();
      r.finish();
      if (n[0] & 0x80 || n.length > 21) problems.push("bad cRLNumber");
    }
    for (const [oid, x] of exts) {
      if (oid === OID.issuingDistributionPoint) idp = readIdp(x.value);
      else if (oid === OID.deltaCrlIndicator) problems.push("delta CRL");
      else if (x.critical && oid !== OID.crlNumber && oid !== OID.authorityKeyId) {
        problems.push(`unknown critical extension ${oid}`);
      }
    }
    if (idp) {
      // CA/B Forum 7.2.2.1: partitioned CRLs name their scope by URIs only and
      // are neither indirect nor limited to some reasons.
      if (idp.relativeName) problems.push("issuingDistributionPoint by relative name");
      if (idp.fullName?.some((n: GeneralName) => n.kind !== "uri")) {
        problems.push("issuingDistributionPoint names other than URIs");
      }
      if (idp.indirect) problems.push("indirect CRL");
      if (idp.someReasons) problems.push("CRL for some reasons only");
      if (idp.onlyAttributeCerts) problems.push("CRL for attribute certificates");
    }
    this.issuingDistributionPoint = idp;
    this.unusable = problems.length > 0 ? problems.join("; ") : undefined;
  }

  /** Parses one DER CRL; throws `SyntaxError` saying what is wrong. */
  static fromDer(der: Uint8Array): CertRevocationList {
    try {
      return new CertRevocationList(der.slice());
    } catch (e) {
      if (e instanceof SyntaxError) throw new SyntaxError(`bad CRL: ${e.message}`);
      if (e instanceof TlsError) throw new SyntaxError(`bad CRL: ${e.message}`);
      throw e;
    }
  }

  /** Parses every `X509 CRL` block of PEM `text`; throws `SyntaxError` if there is none or one is bad. */
  static fromPem(text: string): CertRevocationList[] {
    const blocks = pemDecode(text).filter((b) => b.label === "X509 CRL");
    if (blocks.length === 0) throw new SyntaxError("PEM text holds no X509 CRL block");
    return blocks.map((b) => CertRevocationList.fromDer(b.der));
  }

  /** @ignore The entry for serial number content bytes `serial`, when revoked. */
  revoked(serial: Uint8Array): RevokedCertificate | undefined {
    return this.#revoked.get(hex(serial));
  }

  /** Number of revoked certificates listed. */
  get size(): number {
    return this.#revoked.size;
  }
}
