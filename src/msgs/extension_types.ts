/**
 * Typed TLS extensions, one union per message that carries extensions.
 *
 * Each union holds the typed forms of the extensions this library understands in
 * that message plus {@link UnknownExtension} for everything else, kept raw so that
 * re-encoding reproduces the peer's bytes. Use {@link findExtension} (in
 * `extensions.ts`) to look one up with its typed shape.
 *
 * Application protocol names (ALPN) are kept as bytes: RFC 7301 defines them as
 * opaque, and bytes round-trip exactly. Host names are kept as strings with one
 * character per byte (Latin-1), which also round-trips exactly.
 *
 * @module
 */

import type { ExtensionType } from "./enums.ts";

/** An extension kept as raw bytes: unknown, or not typed in this message. */
export interface UnknownExtension {
  /** The extension's code point. */
  type: number;
  /** The `extension_data` bytes as received. */
  data: Uint8Array;
}

/** server_name in a ClientHello (RFC 6066 section 3): one host name. */
export interface ServerNameExtension {
  /** Always `ExtensionType.server_name`. */
  type: typeof ExtensionType.server_name;
  /** The host name, one character per byte. */
  hostName: string;
}

/** An extension whose `extension_data` is empty: an acknowledgement or a flag. */
export interface EmptyExtension<T extends number> {
  /** The extension's code point. */
  type: T;
}

/** server_name echoed empty by a server. */
export type ServerNameAckExtension = EmptyExtension<typeof ExtensionType.server_name>;
/** early_data in a ClientHello or EncryptedExtensions (empty). */
export type EarlyDataExtension = EmptyExtension<typeof ExtensionType.early_data>;
/** extended_master_secret (RFC 7627), empty. */
export type ExtendedMasterSecretExtension = EmptyExtension<
  typeof ExtensionType.extended_master_secret
>;
/** post_handshake_auth in a ClientHello (empty). */
export type PostHandshakeAuthExtension = EmptyExtension<typeof ExtensionType.post_handshake_auth>;

/** supported_groups: named groups in preference order (non-empty). */
export interface SupportedGroupsExtension {
  /** Always `ExtensionType.supported_groups`. */
  type: typeof ExtensionType.supported_groups;
  /** `NamedGroup` code points. */
  groups: number[];
}

/** signature_algorithms: signature schemes in preference order (non-empty). */
export interface SignatureAlgorithmsExtension {
  /** Always `ExtensionType.signature_algorithms`. */
  type: typeof ExtensionType.signature_algorithms;
  /** `SignatureScheme` code points. */
  schemes: number[];
}

/** signature_algorithms_cert: schemes acceptable in certificates (non-empty). */
export interface SignatureAlgorithmsCertExtension {
  /** Always `ExtensionType.signature_algorithms_cert`. */
  type: typeof ExtensionType.signature_algorithms_cert;
  /** `SignatureScheme` code points. */
  schemes: number[];
}

/** One KeyShareEntry (RFC 8446 section 4.2.8). */
export interface KeyShareEntry {
  /** `NamedGroup` code point. */
  group: number;
  /** The public value (non-empty). */
  keyExchange: Uint8Array;
}

/** key_share in a ClientHello: zero or more shares, at most one per group. */
export interface KeyShareClientHelloExtension {
  /** Always `ExtensionType.key_share`. */
  type: typeof ExtensionType.key_share;
  /** The offered shares, in the client's order. */
  shares: KeyShareEntry[];
}

/** key_share in a ServerHello: the server's one share. */
export interface KeyShareServerHelloExtension {
  /** Always `ExtensionType.key_share`. */
  type: typeof ExtensionType.key_share;
  /** The server's share. */
  share: KeyShareEntry;
}

/** key_share in a HelloRetryRequest: the group the client must use. */
export interface KeyShareHelloRetryRequestExtension {
  /** Always `ExtensionType.key_share`. */
  type: typeof ExtensionType.key_share;
  /** `NamedGroup` code point. */
  selectedGroup: number;
}

/** supported_versions in a ClientHello: offered versions (non-empty). */
export interface SupportedVersionsClientHelloExtension {
  /** Always `ExtensionType.supported_versions`. */
  type: typeof ExtensionType.supported_versions;
  /** `ProtocolVersion` code points, in preference order. */
  versions: number[];
}

/** supported_versions in a ServerHello or HelloRetryRequest: the chosen version. */
export interface SupportedVersionsServerHelloExtension {
  /** Always `ExtensionType.supported_versions`. */
  type: typeof ExtensionType.supported_versions;
  /** `ProtocolVersion` code point. */
  version: number;
}

/** psk_key_exchange_modes (non-empty). */
export interface PskKeyExchangeModesExtension {
  /** Always `ExtensionType.psk_key_exchange_modes`. */
  type: typeof ExtensionType.psk_key_exchange_modes;
  /** `PskKeyExchangeMode` code points. */
  modes: number[];
}

/** One PskIdentity (RFC 8446 section 4.2.11). */
export interface PskIdentity {
  /** The ticket or external PSK label (non-empty). */
  identity: Uint8Array;
  /** Ticket age in milliseconds plus ticket_age_add, mod 2^32. */
  obfuscatedTicketAge: number;
}

/**
 * pre_shared_key in a ClientHello; must be the last extension. There is one
 * binder per identity, each at least 32 bytes.
 */
export interface PreSharedKeyClientHelloExtension {
  /** Always `ExtensionType.pre_shared_key`. */
  type: typeof ExtensionType.pre_shared_key;
  /** The offered identities (non-empty). */
  identities: PskIdentity[];
  /** One binder per identity, same order. */
  binders: Uint8Array[];
}

/** pre_shared_key in a ServerHello: the index of the accepted identity. */
export interface PreSharedKeyServerHelloExtension {
  /** Always `ExtensionType.pre_shared_key`. */
  type: typeof ExtensionType.pre_shared_key;
  /** Zero-based index into the client's identities. */
  selectedIdentity: number;
}

/** early_data in a NewSessionTicket: how much 0-RTT data the server accepts. */
export interface EarlyDataTicketExtension {
  /** Always `ExtensionType.early_data`. */
  type: typeof ExtensionType.early_data;
  /** Maximum early data in bytes. */
  maxEarlyDataSize: number;
}

/** cookie (HelloRetryRequest, echoed in the second ClientHello). */
export interface CookieExtension {
  /** Always `ExtensionType.cookie`. */
  type: typeof ExtensionType.cookie;
  /** The opaque cookie (non-empty). */
  cookie: Uint8Array;
}

/**
 * application_layer_protocol_negotiation (RFC 7301). Names are bytes; a server's
 * answer holds exactly one.
 */
export interface AlpnExtension {
  /** Always `ExtensionType.application_layer_protocol_negotiation`. */
  type: typeof ExtensionType.application_layer_protocol_negotiation;
  /** Protocol names, each 1..255 bytes, for example `h2` as bytes. */
  protocols: Uint8Array[];
}

/** RFC 8449 section 4: smaller record_size_limit values are illegal_parameter. */
export const MIN_RECORD_SIZE_LIMIT = 64;

/**
 * RFC 8449 section 4: the largest record_size_limit a version allows, 2^14
 * in TLS 1.2 and 2^14 + 1 in TLS 1.3 (whose value counts the inner content
 * type byte). A larger value received is taken as this maximum.
 */
export const MAX_RECORD_SIZE_LIMIT = { TLSv1_2: 16384, TLSv1_3: 16385 } as const;

/** record_size_limit (RFC 8449): at least 64. */
export interface RecordSizeLimitExtension {
  /** Always `ExtensionType.record_size_limit`. */
  type: typeof ExtensionType.record_size_limit;
  /** Largest protected record plaintext the sender is willing to receive. */
  limit: number;
}

/** certificate_authorities: acceptable issuers as DER DistinguishedNames. */
export interface CertificateAuthoritiesExtension {
  /** Always `ExtensionType.certificate_authorities`. */
  type: typeof ExtensionType.certificate_authorities;
  /** DER-encoded DistinguishedNames (each non-empty). */
  authorities: Uint8Array[];
}

/**
 * status_request, kept opaque: a CertificateStatusRequest in a ClientHello or
 * CertificateRequest, a CertificateStatus (OCSP response) in a CertificateEntry.
 */
export interface StatusRequestExtension {
  /** Always `ExtensionType.status_request`. */
  type: typeof ExtensionType.status_request;
  /** The `extension_data` bytes. */
  data: Uint8Array;
}

/** ec_point_formats (RFC 8422), for TLS 1.2 hellos. */
export interface EcPointFormatsExtension {
  /** Always `ExtensionType.ec_point_formats`. */
  type: typeof ExtensionType.ec_point_formats;
  /** ECPointFormat code points (non-empty). */
  formats: number[];
}

/** renegotiation_info (RFC 5746), for TLS 1.2 hellos. */
export interface RenegotiationInfoExtension {
  /** Always `ExtensionType.renegotiation_info`. */
  type: typeof ExtensionType.renegotiation_info;
  /** `renegotiated_connection`; empty on an initial handshake. */
  renegotiatedConnection: Uint8Array;
}

/** session_ticket (RFC 5077), kept opaque, for TLS 1.2 hellos. */
export interface SessionTicketExtension {
  /** Always `ExtensionType.session_ticket`. */
  type: typeof ExtensionType.session_ticket;
  /** The ticket (may be empty). */
  ticket: Uint8Array;
}

/** encrypted_client_hello in a ClientHelloOuter (RFC 9849 section 5). */
export interface EchOuterClientHelloExtension {
  /** Always `ExtensionType.encrypted_client_hello`. */
  type: typeof ExtensionType.encrypted_client_hello;
  /** ECHClientHelloType outer. */
  kind: "outer";
  /** The HPKE KDF and AEAD the payload is sealed with. */
  cipherSuite: { kdfId: number; aeadId: number };
  /** The chosen ECHConfig's config_id. */
  configId: number;
  /** The HPKE encapsulated key; empty after a HelloRetryRequest. */
  enc: Uint8Array;
  /** The sealed EncodedClientHelloInner (non-empty). */
  payload: Uint8Array;
}

/** encrypted_client_hello in a ClientHelloInner: empty but for its type. */
export interface EchInnerClientHelloExtension {
  /** Always `ExtensionType.encrypted_client_hello`. */
  type: typeof ExtensionType.encrypted_client_hello;
  /** ECHClientHelloType inner. */
  kind: "inner";
}

/** ech_outer_extensions (RFC 9849 section 5.1): only in an EncodedClientHelloInner. */
export interface EchOuterExtensionsExtension {
  /** Always `ExtensionType.ech_outer_extensions`. */
  type: typeof ExtensionType.ech_outer_extensions;
  /** The extension types copied from the ClientHelloOuter, in order (1..127). */
  types: number[];
}

/** encrypted_client_hello in EncryptedExtensions: the server's retry configs. */
export interface EchRetryConfigsExtension {
  /** Always `ExtensionType.encrypted_client_hello`. */
  type: typeof ExtensionType.encrypted_client_hello;
  /** retry_configs: an ECHConfigList, checked to decode. */
  retryConfigs: Uint8Array;
}

/** encrypted_client_hello in a HelloRetryRequest: the 8-byte acceptance signal. */
export interface EchHelloRetryRequestExtension {
  /** Always `ExtensionType.encrypted_client_hello`. */
  type: typeof ExtensionType.encrypted_client_hello;
  /** hrr_accept_confirmation. */
  confirmation: Uint8Array;
}

/** Typed extensions of a ClientHello. */
export type KnownClientHelloExtension =
  | ServerNameExtension
  | SupportedGroupsExtension
  | SignatureAlgorithmsExtension
  | SignatureAlgorithmsCertExtension
  | KeyShareClientHelloExtension
  | SupportedVersionsClientHelloExtension
  | PskKeyExchangeModesExtension
  | PreSharedKeyClientHelloExtension
  | EarlyDataExtension
  | CookieExtension
  | AlpnExtension
  | RecordSizeLimitExtension
  | CertificateAuthoritiesExtension
  | StatusRequestExtension
  | PostHandshakeAuthExtension
  | ExtendedMasterSecretExtension
  | RenegotiationInfoExtension
  | EcPointFormatsExtension
  | SessionTicketExtension
  | EchOuterClientHelloExtension
  | EchInnerClientHelloExtension
  | EchOuterExtensionsExtension;

/** Extensions of a ClientHello. */
export type ClientHelloExtension = KnownClientHelloExtension | UnknownExtension;

/**
 * Typed extensions of a ServerHello (TLS 1.3, and the TLS 1.2 ones a later
 * TLS 1.2 engine needs).
 */
export type KnownServerHelloExtension =
  | KeyShareServerHelloExtension
  | SupportedVersionsServerHelloExtension
  | PreSharedKeyServerHelloExtension
  | ServerNameAckExtension
  | AlpnExtension
  | RecordSizeLimitExtension
  | StatusRequestExtension
  | ExtendedMasterSecretExtension
  | RenegotiationInfoExtension
  | EcPointFormatsExtension
  | SessionTicketExtension;

/** Extensions of a ServerHello. */
export type ServerHelloExtension = KnownServerHelloExtension | UnknownExtension;

/** Typed extensions of a HelloRetryRequest. */
export type KnownHelloRetryRequestExtension =
  | KeyShareHelloRetryRequestExtension
  | SupportedVersionsServerHelloExtension
  | CookieExtension
  | EchHelloRetryRequestExtension;

/** Extensions of a HelloRetryRequest. */
export type HelloRetryRequestExtension = KnownHelloRetryRequestExtension | UnknownExtension;

/** Typed extensions of EncryptedExtensions. */
export type KnownEncryptedExtension =
  | ServerNameAckExtension
  | SupportedGroupsExtension
  | AlpnExtension
  | EarlyDataExtension
  | RecordSizeLimitExtension
  | EchRetryConfigsExtension;

/** Extensions of EncryptedExtensions. */
export type EncryptedExtension = KnownEncryptedExtension | UnknownExtension;

/** Typed extensions of a CertificateRequest. */
export type KnownCertificateRequestExtension =
  | SignatureAlgorithmsExtension
  | SignatureAlgorithmsCertExtension
  | CertificateAuthoritiesExtension
  | StatusRequestExtension;

/** Extensions of a CertificateRequest. */
export type CertificateRequestExtension = KnownCertificateRequestExtension | UnknownExtension;

/** Typed extensions of a CertificateEntry. */
export type KnownCertificateEntryExtension = StatusRequestExtension;

/** Extensions of a CertificateEntry. */
export type CertificateEntryExtension = KnownCertificateEntryExtension | UnknownExtension;

/** Typed extensions of a NewSessionTicket. */
export type KnownNewSessionTicketExtension = EarlyDataTicketExtension;

/** Extensions of a NewSessionTicket. */
export type NewSessionTicketExtension = KnownNewSessionTicketExtension | UnknownExtension;

/** The messages that carry extensions; selects the typed forms and the rules. */
export type ExtensionContext =
  | "ClientHello"
  | "ServerHello"
  | "HelloRetryRequest"
  | "EncryptedExtensions"
  | "CertificateRequest"
  | "Certificate"
  | "NewSessionTicket";
