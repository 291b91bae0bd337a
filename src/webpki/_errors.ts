// The one way this package refuses a certificate, and how refusals rank.
import type { CertificateErrorDetail, TlsErrorDetail } from "../error_details.ts";
import { TlsError, tlsError } from "../error.ts";
import { AlertDescription, type AlertDescriptionValue } from "../msgs/enums.ts";

/** Alert for each refusal reason; anything unlisted is bad_certificate. */
const ALERTS: Partial<Record<CertificateErrorDetail, AlertDescriptionValue>> = {
  Expired: AlertDescription.certificate_expired,
  NotValidYet: AlertDescription.certificate_expired,
  UnknownIssuer: AlertDescription.unknown_ca,
  MaximumSignatureChecksExceeded: AlertDescription.unknown_ca,
  UnsupportedSignatureAlgorithm: AlertDescription.unsupported_certificate,
  UnsupportedKeyType: AlertDescription.unsupported_certificate,
  UnsupportedRsaKeySize: AlertDescription.unsupported_certificate,
  InvalidPurpose: AlertDescription.unsupported_certificate,
  Revoked: AlertDescription.certificate_revoked,
  UnknownRevocationStatus: AlertDescription.certificate_unknown,
  BadSignature: AlertDescription.bad_certificate,
  NotValidForName: AlertDescription.bad_certificate,
};

/** Builds the refusal for `detail`, with its alert. */
export function certError(detail: CertificateErrorDetail, message: string): TlsError {
  return tlsError("InvalidCertificate", detail, message, {
    alert: ALERTS[detail] ?? AlertDescription.bad_certificate,
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
