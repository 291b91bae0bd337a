// The one way this package refuses a certificate, and how refusals rank.
import type { CertificateErrorDetail, TlsErrorDetail } from "../error_details.ts";
import { TlsError, tlsError } from "../error.ts";
import { AlertDescription, type AlertDescriptionValue } from "../msgs/enums.ts";

/** Alert for each refusal reason; anything unlisted is bad_certificate. */
const ALERTS: Partial<Record<CertificateErrorDetail, AlertDescriptionValue>> = {
  Expired: AlertDescription.CertificateExpired,
  NotValidYet: AlertDescription.CertificateExpired,
  UnknownIssuer: AlertDescription.UnknownCa,
  MaximumSignatureChecksExceeded: AlertDescription.UnknownCa,
  UnsupportedSignatureAlgorithm: AlertDescription.UnsupportedCertificate,
  UnsupportedKeyType: AlertDescription.UnsupportedCertificate,
  UnsupportedRsaKeySize: AlertDescription.UnsupportedCertificate,
  InvalidPurpose: AlertDescription.UnsupportedCertificate,
  Revoked: AlertDescription.CertificateRevoked,
  UnknownRevocationStatus: AlertDescription.CertificateUnknown,
  BadSignature: AlertDescription.BadCertificate,
  NotValidForName: AlertDescription.BadCertificate,
};

/** Builds the refusal for `detail`, with its alert. */
export function certError(detail: CertificateErrorDetail, message: string): TlsError {
  return tlsError("InvalidCertificate", detail, message, {
    alert: ALERTS[detail] ?? AlertDescription.BadCertificate,
  });
}

// How specific each refusal is, highest first, after rustls-webpki's ranking:
// a problem with a path that otherwise linked up (validity, revocation,
// signatures, purpose, constraints) says more than a feature we do not
// support, which says more than bad encoding, which says more than "no issuer".
const RANKS: readonly (readonly CertificateErrorDetail[])[] = [
  ["Expired", "NotValidYet"],
  ["Revoked", "UnknownRevocationStatus", "CrlExpired", "CrlNotValidYet", "UnsupportedCrl"],
  ["BadSignature", "BadCrlSignature"],
  ["RsaKeyTooSmall"],
  ["InvalidPurpose"],
  ["NameConstraintViolation"],
  ["PathLenExceeded"],
  ["CaUsedAsEndEntity", "IssuerNotCa", "IssuerNotCrlSigner"],
  ["UnsupportedRsaKeySize", "UnsupportedKeyType", "UnsupportedSignatureAlgorithm"],
  ["UnhandledCriticalExtension", "UnsupportedCertVersion"],
  ["MaximumPathDepthExceeded"],
  ["BadEncoding"],
];
const RANK = new Map<TlsErrorDetail, number>([
  ...RANKS.flatMap((details, i) =>
    details.map((d): [TlsErrorDetail, number] => [d, RANKS.length + 1 - i])
  ),
  ["UnknownIssuer", 0],
]);

/**
 * How specific a refusal is, for reporting the best of several failed
 * candidate paths: 0 for "no issuer found" (or no refusal), 1 for an
 * unranked refusal.
 */
export function errorRank(e: unknown): number {
  if (!(e instanceof TlsError) || e.detail === undefined) return 0;
  return RANK.get(e.detail) ?? 1;
}
