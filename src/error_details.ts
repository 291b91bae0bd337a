/**
 * Every `detail` a {@link TlsError} can carry, grouped by where the failure
 * is found. One name per failure: the same name on TLS 1.3 and TLS 1.2.
 *
 * @module
 */

/**
 * The `detail` names, grouped by the layer that finds the failure. The
 * {@link TlsErrorDetail} type is derived from these lists, so a misspelt
 * detail does not compile.
 *
 * @example
 * ```ts
 * import { TLS_ERROR_DETAIL_GROUPS } from "@kerneltls/tls";
 * console.log(TLS_ERROR_DETAIL_GROUPS.record.includes("BadRecordMac")); // true
 * ```
 */
export const TLS_ERROR_DETAIL_GROUPS = {
  /**
   * The record layer (RFC 8446 section 5, RFC 5246 section 6): framing,
   * protection, sequence numbers, and the joining of handshake fragments.
   */
  record: [
    "AllZeroInnerPlaintext",
    "ApplicationDataBeforeHandshake",
    "BadRecordMac",
    "EmptyHandshakeFragment",
    "HandshakeMessageTooLarge",
    "InterleavedHandshakeFragment",
    "InvalidContentType",
    "InvalidInnerContentType",
    "InvalidOuterContentType",
    "InvalidRecordVersion",
    "KeyEpochWithPendingFragment",
    "RecordOverflow",
    "SequenceNumberExhausted",
    "TooMuchEarlyDataReceived",
    "UnprotectedContentType",
  ],
  /**
   * Message codecs: bytes that do not decode (kind `InvalidMessage`, alert
   * decode_error) or that decode but break a structural rule (kind
   * `PeerMisbehaved`, alert illegal_parameter). `DecodeError` and
   * `IllegalParameter` are the generic names when nothing narrower applies.
   */
  decoding: [
    "AlpnNotSingle",
    "BinderCount",
    "DecodeError",
    "DuplicateExtension",
    "DuplicateGroup",
    "DuplicateServerName",
    "EmptyAlert",
    "EmptyList",
    "ExtensionNotAllowed",
    "IllegalKeyUpdateRequest",
    "IllegalParameter",
    "InvalidAlertLength",
    "InvalidChangeCipherSpec",
    "InvalidServerName",
    "MessageTooShort",
    "MissingPsk",
    "OddLength",
    "PskNotLast",
    "RecordSizeLimitTooSmall",
    "SessionIdTooLong",
    "ShortBinder",
    "TrailingData",
    "UnexpectedHandshakeType",
    "UnexpectedType",
    "UnknownNameType",
    "UnsolicitedExtension",
    "UnsupportedCurveType",
  ],
  /**
   * The handshake (RFC 8446 section 4, RFC 5246 section 7): what the peer
   * chose, offered, signed or sent, on either side and in either version.
   */
  handshake: [
    "AttemptedDowngradeToTls12WhenTls13IsSupported",
    "ChangedClientHelloAfterRetry",
    "EarlyDataAfterRetry",
    "EarlyDataWithDifferentSuite",
    "ExtendedMasterSecretExtensionRequired",
    "FinishedMismatch",
    "FinishedWrongLength",
    "IllegalHelloRetryRequestWithNoChanges",
    "IllegalHelloRetryRequestWithUnofferedNamedGroup",
    "InappropriateFallback",
    "InvalidCertRequestContext",
    "InvalidKeyShare",
    "InvalidRenegotiationInfo",
    "MissingKeyShare",
    "MissingKeyShareOrSupportedGroups",
    "MissingPskModesExtension",
    "MissingSignatureAlgorithms",
    "NoApplicationProtocol",
    "NoCertificatesPresented",
    "NoCipherSuitesInCommon",
    "NoKxGroupsInCommon",
    "NoSignatureSchemesInCommon",
    "NoSuitableCertificate",
    "NullCompressionRequired",
    "OfferedDuplicateKeyShares",
    "OfferedIncorrectCompressions",
    "PskBinderMismatch",
    "ResumedSessionChangesExtendedMasterSecret",
    "ResumptionOfferedWithIncompatibleCipherSuite",
    "SecondHelloRetryRequest",
    "SelectedCompression",
    "SelectedDifferentCipherSuiteAfterRetry",
    "SelectedInvalidPsk",
    "SelectedUnofferedApplicationProtocol",
    "SelectedUnofferedCipherSuite",
    "SelectedUnofferedKxGroup",
    "ServerEchoedWrongSessionId",
    "SignatureSchemeKeyMismatch",
    "SignedWithUnofferedScheme",
    "UnexpectedHandshakeMessage",
    "UnsolicitedEarlyDataExtension",
    "UnsolicitedKeyShareGroup",
    "UnsupportedSignatureScheme",
    "UnsupportedVersion",
    "WrongGroupForKeyShare",
    "WrongKeyShareAfterRetry",
  ],
  /**
   * Encrypted Client Hello (RFC 9849). `EchRejected` is the client's
   * {@link EchRejectedError}.
   */
  ech: [
    "ChangedEchAfterRetry",
    "EchAcceptanceChanged",
    "EchDecryptFailed",
    "EchOuterResumption",
    "EchRejected",
    "InvalidEch",
    "InvalidEchInner",
    "InvalidEchOuterExtensions",
    "InvalidEchPadding",
    "MissingEchAfterRetry",
    "UnsolicitedEchRetryConfigs",
  ],
  /**
   * After the handshake: alerts, KeyUpdate, renegotiation, and the limits on
   * records that carry nothing.
   */
  postHandshake: [
    "DataAfterCloseNotify",
    "IllegalMiddleboxChangeCipherSpec",
    "InvalidAlert",
    "RenegotiationRefused",
    "TooManyEmptyRecords",
    "TooManyKeyUpdateRequests",
  ],
  /**
   * A refused certificate or CRL (kind `InvalidCertificate`, after
   * rustls-webpki's names); `BadSignature` also covers a handshake signature
   * that does not verify.
   */
  certificate: [
    "BadCrlSignature",
    "BadEncoding",
    "BadSignature",
    "CaUsedAsEndEntity",
    "CrlExpired",
    "CrlNotValidYet",
    "Expired",
    "InvalidPurpose",
    "IssuerNotCa",
    "IssuerNotCrlSigner",
    "MaximumNameConstraintComparisonsExceeded",
    "MaximumPathDepthExceeded",
    "MaximumSignatureChecksExceeded",
    "NameConstraintViolation",
    "NotValidForName",
    "NotValidYet",
    "PathLenExceeded",
    "Revoked",
    "RsaKeyTooSmall",
    "UnhandledCriticalExtension",
    "UnknownIssuer",
    "UnknownRevocationStatus",
    "UnsupportedCertVersion",
    "UnsupportedCrl",
    "UnsupportedKeyType",
    "UnsupportedRsaKeySize",
    "UnsupportedSignatureAlgorithm",
  ],
  /**
   * Failures of our own side, not the peer's: a cancelled handshake, a key
   * that reached its confidentiality limit, an exporter TLS 1.2 cannot offer
   * safely, a private key or cipher we cannot use, a bug (`InternalError`,
   * alert internal_error).
   */
  local: [
    "AeadUnavailable",
    "ConfidentialityLimitReached",
    "HandshakeCancelled",
    "InternalError",
    "NoExtendedMasterSecret",
    "UnsupportedPrivateKey",
  ],
  /**
   * Refusals of the API itself (kind `General`, or `HandshakeNotComplete`):
   * the call cannot be served by this connection now. The kernel hand-off
   * gate refuses with `SecretExtractionDisabled`, `HandshakeNotComplete`,
   * `RecordsPending`, `ConnectionClosing`, `UnreadApplicationData`.
   */
  api: [
    "ConnectionClosing",
    "HandshakeNotComplete",
    "NoExporter",
    "RecordsPending",
    "SecretExtractionDisabled",
    "UnreadApplicationData",
    "UnsupportedInTls12",
  ],
  /**
   * Raised by `TlsStream` itself (`@kerneltls/tls/streams`), all of kind
   * `General`: see `TlsStreamErrorDetail`.
   */
  stream: ["Aborted", "HandshakeAborted", "HandshakeTimeout", "UnexpectedEof"],
  /**
   * Raised by the STARTTLS preludes (`@kerneltls/tls/starttls`), without an
   * alert: see `StartTlsErrorDetail`.
   */
  startTls: [
    "StartTlsClosed",
    "StartTlsInjection",
    "StartTlsLineTooLong",
    "StartTlsNoAlpn",
    "StartTlsRefused",
    "StartTlsTooManyLines",
    "StartTlsUnexpectedReply",
  ],
} as const;

/**
 * The narrow reason of a {@link TlsError}: one of
 * {@link TLS_ERROR_DETAIL_GROUPS}' names.
 *
 * @example
 * ```ts
 * import { TlsError } from "@kerneltls/tls";
 * import type { TlsErrorDetail } from "@kerneltls/tls";
 * function detailOf(e: unknown): TlsErrorDetail | undefined {
 *   return e instanceof TlsError ? e.detail : undefined;
 * }
 * console.log(detailOf(new Error("x"))); // undefined
 * ```
 */
export type TlsErrorDetail =
  (typeof TLS_ERROR_DETAIL_GROUPS)[keyof typeof TLS_ERROR_DETAIL_GROUPS][number];

/** A refusal of a certificate or CRL (the `certificate` group). */
export type CertificateErrorDetail = (typeof TLS_ERROR_DETAIL_GROUPS)["certificate"][number];

/**
 * Every {@link TlsErrorDetail}, for checks at run time.
 *
 * @example
 * ```ts
 * import { TLS_ERROR_DETAILS } from "@kerneltls/tls";
 * console.log(TLS_ERROR_DETAILS.includes("UnknownIssuer")); // true
 * ```
 */
export const TLS_ERROR_DETAILS: readonly TlsErrorDetail[] = Object.values(
  TLS_ERROR_DETAIL_GROUPS,
).flat();

const DETAILS: ReadonlySet<string> = new Set(TLS_ERROR_DETAILS);

/**
 * Whether `value` is one of the {@link TLS_ERROR_DETAILS}.
 *
 * @example
 * ```ts
 * import { isTlsErrorDetail } from "@kerneltls/tls";
 * console.log(isTlsErrorDetail("BadRecordMac"), isTlsErrorDetail("Oops")); // true false
 * ```
 */
export function isTlsErrorDetail(value: unknown): value is TlsErrorDetail {
  return typeof value === "string" && DETAILS.has(value);
}
