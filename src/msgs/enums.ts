/**
 * IANA code points used on the wire. Each table is an `as const` object so that
 * names read well in code while decoded values stay plain numbers: an unknown
 * code point is kept as its number and ignored where RFC 8446 says so.
 *
 * One casing rule: a member is spelt as its IANA registry spells it (which is
 * how RFC 8446 writes it): `HandshakeType.client_hello`,
 * `AlertDescription.unknown_ca`, `NamedGroup.x25519` and
 * `NamedGroup.X25519MLKEM768`, `CipherSuiteId.TLS_AES_128_GCM_SHA256`. The
 * one table without registry names, `ProtocolVersion`, uses the spelling of
 * the `TlsVersion` strings (`TLSv1_3`).
 *
 * @module
 */

/** TLS record content types (RFC 8446 section 5.1). */
export const ContentType = {
  change_cipher_spec: 20,
  alert: 21,
  handshake: 22,
  application_data: 23,
} as const;

/** Handshake message types (RFC 8446 section 4, RFC 5246 section 7.4). */
export const HandshakeType = {
  hello_request: 0,
  client_hello: 1,
  server_hello: 2,
  new_session_ticket: 4,
  end_of_early_data: 5,
  encrypted_extensions: 8,
  certificate: 11,
  server_key_exchange: 12,
  certificate_request: 13,
  server_hello_done: 14,
  certificate_verify: 15,
  client_key_exchange: 16,
  finished: 20,
  certificate_status: 22,
  key_update: 24,
  message_hash: 254,
} as const;

/**
 * Protocol versions as they appear on the wire.
 *
 * @example
 * ```ts
 * import { ProtocolVersion } from "@kerneltls/tls";
 * console.log(ProtocolVersion.TLSv1_3.toString(16)); // 304
 * ```
 */
export const ProtocolVersion = {
  TLSv1_0: 0x0301,
  TLSv1_2: 0x0303,
  TLSv1_3: 0x0304,
} as const;

/** Alert levels (RFC 8446 section 6). */
export const AlertLevel = {
  warning: 1,
  fatal: 2,
} as const;

/**
 * Alert descriptions (RFC 8446 section 6, RFC 5246 section 7.2).
 *
 * @example
 * ```ts
 * import { AlertDescription, TlsError } from "@kerneltls/tls";
 * function isUnknownCa(e: unknown): boolean {
 *   return e instanceof TlsError && e.alert === AlertDescription.unknown_ca;
 * }
 * console.log(AlertDescription.handshake_failure); // 40
 * void isUnknownCa;
 * ```
 */
export const AlertDescription = {
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  record_overflow: 22,
  handshake_failure: 40,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  access_denied: 49,
  decode_error: 50,
  decrypt_error: 51,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  inappropriate_fallback: 86,
  user_canceled: 90,
  no_renegotiation: 100,
  missing_extension: 109,
  unsupported_extension: 110,
  unrecognized_name: 112,
  bad_certificate_status_response: 113,
  unknown_psk_identity: 115,
  certificate_required: 116,
  no_application_protocol: 120,
  ech_required: 121,
} as const;

/**
 * A value of {@link AlertDescription}. A received alert with a description
 * this library does not name keeps its code point (see `TlsError.alert`).
 *
 * @example
 * ```ts
 * import { AlertDescription } from "@kerneltls/tls";
 * import type { AlertDescriptionValue } from "@kerneltls/tls";
 * const alert: AlertDescriptionValue = AlertDescription.unknown_ca;
 * console.log(alert); // 48
 * ```
 */
export type AlertDescriptionValue = (typeof AlertDescription)[keyof typeof AlertDescription];

/** Returns the RFC name of a handshake message type (`client_hello`), or `handshake type N`. */
export function handshakeName(type: number): string {
  for (const [name, value] of Object.entries(HandshakeType)) if (value === type) return name;
  return `handshake type ${type}`;
}

/** Returns the RFC name of an alert description (`unknown_ca`), or `unknown(N)`. */
export function alertName(code: number): string {
  for (const [name, value] of Object.entries(AlertDescription)) {
    if (value === code) return name;
  }
  return `unknown(${code})`;
}

/**
 * TLS cipher suites this library knows (RFC 8446 B.4, RFC 5289, RFC 7905).
 *
 * @example
 * ```ts
 * import { CipherSuiteId, ClientConfig, RootCertStore } from "@kerneltls/tls";
 * const config = new ClientConfig({
 *   roots: new RootCertStore(),
 *   cipherSuites: [CipherSuiteId.TLS_CHACHA20_POLY1305_SHA256, CipherSuiteId.TLS_AES_128_GCM_SHA256],
 * });
 * void config;
 * ```
 */
export const CipherSuiteId = {
  TLS_AES_128_GCM_SHA256: 0x1301,
  TLS_AES_256_GCM_SHA384: 0x1302,
  TLS_CHACHA20_POLY1305_SHA256: 0x1303,
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 0xc02b,
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 0xc02c,
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 0xc02f,
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 0xc030,
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca8,
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca9,
  TLS_EMPTY_RENEGOTIATION_INFO_SCSV: 0x00ff,
} as const;

/**
 * Named groups for key exchange (RFC 8446 section 4.2.7, draft-ietf-tls-ecdhe-mlkem).
 *
 * @example
 * ```ts
 * import { ClientConfig, NamedGroup, RootCertStore } from "@kerneltls/tls";
 * const config = new ClientConfig({
 *   roots: new RootCertStore(),
 *   kxGroups: [NamedGroup.X25519MLKEM768, NamedGroup.x25519, NamedGroup.secp256r1],
 * });
 * void config;
 * ```
 */
export const NamedGroup = {
  secp256r1: 0x0017,
  secp384r1: 0x0018,
  secp521r1: 0x0019,
  x25519: 0x001d,
  x448: 0x001e,
  MLKEM768: 0x0201,
  SecP256r1MLKEM768: 0x11eb,
  X25519MLKEM768: 0x11ec,
} as const;

/**
 * Signature schemes (RFC 8446 section 4.2.3).
 *
 * @example
 * ```ts
 * import { SignatureScheme } from "@kerneltls/tls";
 * console.log(SignatureScheme.ecdsa_secp256r1_sha256.toString(16)); // 403
 * ```
 */
export const SignatureScheme = {
  rsa_pkcs1_sha256: 0x0401,
  rsa_pkcs1_sha384: 0x0501,
  rsa_pkcs1_sha512: 0x0601,
  ecdsa_secp256r1_sha256: 0x0403,
  ecdsa_secp384r1_sha384: 0x0503,
  ecdsa_secp521r1_sha512: 0x0603,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  ed25519: 0x0807,
  ed448: 0x0808,
  rsa_pss_pss_sha256: 0x0809,
  rsa_pss_pss_sha384: 0x080a,
  rsa_pss_pss_sha512: 0x080b,
  rsa_pkcs1_sha1: 0x0201,
  ecdsa_sha1: 0x0203,
} as const;

/**
 * TLS 1.2 ClientCertificateType values in a CertificateRequest (RFC 5246
 * 7.4.4; RFC 8422 5.5 puts ECDSA and EdDSA keys under ecdsa_sign).
 */
export const ClientCertificateType = {
  rsa_sign: 1,
  ecdsa_sign: 64,
} as const;

/** Extension types (RFC 8446 section 4.2 and the RFCs named per entry). */
export const ExtensionType = {
  server_name: 0,
  max_fragment_length: 1,
  status_request: 5,
  supported_groups: 10,
  ec_point_formats: 11,
  signature_algorithms: 13,
  use_srtp: 14,
  heartbeat: 15,
  application_layer_protocol_negotiation: 16,
  signed_certificate_timestamp: 18,
  client_certificate_type: 19,
  server_certificate_type: 20,
  padding: 21,
  extended_master_secret: 23,
  record_size_limit: 28,
  session_ticket: 35,
  pre_shared_key: 41,
  early_data: 42,
  supported_versions: 43,
  cookie: 44,
  psk_key_exchange_modes: 45,
  certificate_authorities: 47,
  oid_filters: 48,
  post_handshake_auth: 49,
  signature_algorithms_cert: 50,
  key_share: 51,
  /** RFC 9849 section 5.1: only inside an EncodedClientHelloInner. */
  ech_outer_extensions: 0xfd00,
  /** RFC 9849 section 5. */
  encrypted_client_hello: 0xfe0d,
  renegotiation_info: 0xff01,
} as const;

/** PSK key exchange modes (RFC 8446 section 4.2.9). */
export const PskKeyExchangeMode = {
  psk_ke: 0,
  psk_dhe_ke: 1,
} as const;

/** KeyUpdate request values (RFC 8446 section 4.6.3). */
export const KeyUpdateRequest = {
  update_not_requested: 0,
  update_requested: 1,
} as const;
