// The one way this package refuses a certificate.
import { TlsError } from "../error.ts";
import { AlertDescription } from "../msgs/enums.ts";

/** Alert for each refusal reason; anything unlisted is bad_certificate. */
const ALERTS: Record<string, number> = {
  Expired: AlertDescription.CertificateExpired,
  NotValidYet: AlertDescription.CertificateExpired,
  UnknownIssuer: AlertDescription.UnknownCa,
  MaximumSignatureChecksExceeded: AlertDescription.UnknownCa,
  UnsupportedSignatureAlgorithm: AlertDescription.UnsupportedCertificate,
  UnsupportedKeyType: AlertDescription.UnsupportedCertificate,
  InvalidPurpose: AlertDescription.UnsupportedCertificate,
  BadSignature: AlertDescription.BadCertificate,
  NotValidForName: AlertDescription.BadCertificate,
};

/** Builds the refusal for `detail`, with its alert. */
export function certError(detail: string, message: string): TlsError {
  return new TlsError("InvalidCertificate", message, {
    detail,
    alert: ALERTS[detail] ?? AlertDescription.BadCertificate,
  });
}
