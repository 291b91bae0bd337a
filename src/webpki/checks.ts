/**
 * Per-certificate rules of RFC 5280 and the CA/Browser Forum profile that do
 * not depend on the rest of the path.
 *
 * @module
 */

import { bytesEqual } from "../_bytes.ts";
import { certError } from "./_errors.ts";
import { checkRsaKeySize, keyTypeOf } from "./algorithms.ts";
import { Eku, KeyUsageBit } from "./extensions.ts";
import { type Certificate, isEmptyName } from "./x509.ts";

/** The role a certificate plays in a path. */
export type Role = "leaf" | "intermediate" | "anchor";

/** True when subject and issuer are the same name (RFC 5280 "self-issued"). */
export function isSelfIssued(cert: Certificate): boolean {
  return bytesEqual(cert.subject, cert.issuer);
}

/**
 * Checks everything about `cert` that its role alone decides. `eku` is the
 * purpose the path must allow (serverAuth or clientAuth OID); RSA keys under
 * `minRsaBits` are refused (every key in a path signs something: a
 * certificate, a CRL or the handshake).
 */
export function checkCertificate(
  cert: Certificate,
  role: Role,
  now: number,
  eku: string,
  minRsaBits: number,
): void {
  const ext = cert.extensions;
  if (cert.version !== 3) throw certError("UnsupportedCertVersion", "certificate is not v3");
  if (ext.unknownCritical.length > 0) {
    throw certError(
      "UnhandledCriticalExtension",
      `unhandled critical extension ${ext.unknownCritical[0]}`,
    );
  }
  if (now < cert.notBefore) throw certError("NotValidYet", "certificate is not valid yet");
  if (now > cert.notAfter) throw certError("Expired", "certificate has expired");
  if (isEmptyName(cert.issuer)) throw certError("BadEncoding", "empty issuer name");
  const key = keyTypeOf(cert.spkiAlgorithm);
  if (key === undefined) {
    throw certError("UnsupportedKeyType", `unsupported public key ${cert.spkiAlgorithm.oid}`);
  }
  checkRsaKeySize(cert.spki, key, minRsaBits);
  if (role !== "anchor") checkSerial(cert.serial);
  if (ext.authorityInfoAccess?.critical) throw certError("BadEncoding", "critical AIA");
  // RFC 5280 4.2.1.11: conforming CAs MUST mark policyConstraints critical
  // (a critical one is refused above: policies are not processed).
  if (ext.policyConstraintsNonCritical) {
    throw certError("BadEncoding", "non-critical policyConstraints");
  }
  if (ext.subjectKeyId?.critical) throw certError("BadEncoding", "critical SKI");
  const aki = ext.authorityKeyId;
  if (aki) {
    if (aki.critical) throw certError("BadEncoding", "critical AKI");
    if (!aki.keyId) throw certError("BadEncoding", "AKI without keyIdentifier");
    // CA/B Forum 7.1.2: authorityCertIssuer and serial MUST NOT be present.
    // Older roots still in system stores carry them, so anchors are exempt.
    if (aki.hasIssuerAndSerial && role !== "anchor") {
      throw certError("BadEncoding", "AKI with issuer and serial");
    }
  } else if (role !== "anchor") {
    throw certError("BadEncoding", "missing authorityKeyIdentifier");
  }
  const eu = ext.extKeyUsage;
  if (role === "leaf") {
    if (ext.basicConstraints?.ca) throw certError("CaUsedAsEndEntity", "end entity is a CA");
    if (ext.keyUsage?.bits.has(KeyUsageBit.keyCertSign)) {
      throw certError("CaUsedAsEndEntity", "end entity asserts keyCertSign");
    }
    if (ext.nameConstraints) throw certError("BadEncoding", "name constraints in end entity");
    if (eu && !eu.oids.includes(eku)) throw certError("InvalidPurpose", "EKU forbids this use");
    // CA/B Forum 7.1.2.7.6: a TLS server certificate's EKU MUST NOT be critical.
    // Client certificates come from private PKIs, where it is seen; they are exempt.
    if (eu?.critical && eku === Eku.serverAuth) {
      throw certError("InvalidPurpose", "critical extKeyUsage in a server certificate");
    }
    // CA/B Forum 7.1.2.7.10: anyExtendedKeyUsage MUST NOT be in a subscriber certificate.
    if (eu?.oids.includes(Eku.any)) throw certError("InvalidPurpose", "end entity with anyEKU");
    const san = ext.subjectAltName;
    // RFC 5280 4.2.1.6: critical exactly when the subject is empty.
    if (san && san.critical !== isEmptyName(cert.subject)) {
      throw certError("BadEncoding", "subjectAltName criticality does not fit the subject");
    }
    return;
  }
  const bc = ext.basicConstraints;
  if (!bc || !bc.ca) throw certError("IssuerNotCa", "issuer is not a CA");
  // A few long-lived roots in system stores predate these rules (non-critical
  // basicConstraints, no SKI); a configured anchor is trusted as it is.
  if (!bc.critical && role !== "anchor") {
    throw certError("IssuerNotCa", "CA basicConstraints is not critical");
  }
  if (ext.keyUsage && !ext.keyUsage.bits.has(KeyUsageBit.keyCertSign)) {
    throw certError("IssuerNotCa", "CA key usage lacks keyCertSign");
  }
  if (isEmptyName(cert.subject)) throw certError("BadEncoding", "CA with empty subject");
  if (!ext.subjectKeyId && role !== "anchor") {
    throw certError("BadEncoding", "CA without subjectKeyIdentifier");
  }
  if (eu && !eu.oids.includes(eku) && !eu.oids.includes(Eku.any)) {
    throw certError("InvalidPurpose", "CA EKU forbids this use");
  }
  if (role === "anchor" && aki?.keyId && ext.subjectKeyId && isSelfIssued(cert)) {
    if (!bytesEqual(aki.keyId, ext.subjectKeyId.keyId)) {
      throw certError("BadEncoding", "self-issued root's AKI differs from its SKI");
    }
  }
}

// RFC 5280 4.1.2.2: positive, at most 20 octets (a sign octet may precede them).
function checkSerial(serial: Uint8Array): void {
  if (serial[0] & 0x80) throw certError("BadEncoding", "negative serial number");
  if (serial.length === 1 && serial[0] === 0) throw certError("BadEncoding", "zero serial number");
  const len = serial[0] === 0 ? serial.length - 1 : serial.length;
  if (len > 20) throw certError("BadEncoding", "serial number longer than 20 octets");
}
