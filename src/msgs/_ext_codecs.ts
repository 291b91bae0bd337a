// Body codecs of the typed extensions, one table per message context. The
// generic list handling (duplicates, ordering, raw unknowns) is in extensions.ts.

import { decodeError, illegalParameter } from "../error.ts";
import type { Reader, Writer } from "./codec.ts";
import {
  emptyList,
  type ExtCodec,
  latin1Decode,
  latin1Encode,
  readOpaqueList,
  readU16List,
  readU8List,
  requireNonEmpty,
  writeOpaqueList,
  writeU16List,
  writeU8List,
} from "./_ext_helpers.ts";
import { ExtensionType } from "./enums.ts";
import { MIN_RECORD_SIZE_LIMIT } from "./extension_types.ts";
import type {
  AlpnExtension,
  CertificateAuthoritiesExtension,
  CookieExtension,
  EarlyDataTicketExtension,
  EcPointFormatsExtension,
  EmptyExtension,
  KeyShareClientHelloExtension,
  KeyShareEntry,
  KeyShareHelloRetryRequestExtension,
  KeyShareServerHelloExtension,
  KnownCertificateEntryExtension,
  KnownCertificateRequestExtension,
  KnownClientHelloExtension,
  KnownEncryptedExtension,
  KnownHelloRetryRequestExtension,
  KnownNewSessionTicketExtension,
  KnownServerHelloExtension,
  PreSharedKeyClientHelloExtension,
  PreSharedKeyServerHelloExtension,
  PskKeyExchangeModesExtension,
  RecordSizeLimitExtension,
  RenegotiationInfoExtension,
  ServerNameExtension,
  SessionTicketExtension,
  SignatureAlgorithmsCertExtension,
  SignatureAlgorithmsExtension,
  StatusRequestExtension,
  SupportedGroupsExtension,
  SupportedVersionsClientHelloExtension,
  SupportedVersionsServerHelloExtension,
} from "./extension_types.ts";
import {
  echClientHello,
  echHelloRetryRequest,
  echOuterExtensions,
  echRetryConfigs,
} from "./_ech_ext_codecs.ts";

export type { ExtCodec } from "./_ext_helpers.ts";

/** One codec per typed extension of a context. */
export type CodecTable<K extends { type: number }> = {
  [T in K["type"]]: ExtCodec<Extract<K, { type: T }>>;
};

const NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(ExtensionType).map(([name, code]) => [code, name]),
);

const HOST_NAME = 0;

const serverName: ExtCodec<ServerNameExtension> = {
  read(r) {
    const list = r.sub16("server_name");
    if (list.atEnd) emptyList("server_name");
    let hostName: string | undefined;
    while (!list.atEnd) {
      const nameType = list.u8();
      const name = list.vec16();
      // Only host_name exists; other types cannot even be delimited reliably.
      if (nameType !== HOST_NAME) {
        throw illegalParameter(`server_name: unknown name type ${nameType}`, "UnknownNameType");
      }
      if (name.length === 0) throw decodeError("server_name: empty host name", "EmptyList");
      // RFC 6066 section 3: a HostName is ASCII text; a NUL or control byte
      // would truncate or disguise the name further on.
      if (name.some((b) => b <= 0x20 || b >= 0x7f)) {
        throw decodeError("server_name: host name is not printable ASCII", "InvalidServerName");
      }
      if (hostName !== undefined) {
        throw illegalParameter("server_name: more than one host name", "DuplicateServerName");
      }
      hostName = latin1Decode(name);
    }
    return { type: ExtensionType.server_name, hostName: hostName as string };
  },
  write(w, ext) {
    const name = latin1Encode(ext.hostName);
    requireNonEmpty(name.length, "server_name host name");
    w.lengthPrefixed(2, (inner) => inner.u8(HOST_NAME).vec16(name));
  },
};

function empty<T extends number>(type: T): ExtCodec<EmptyExtension<T>> {
  return { read: () => ({ type }), write: () => {} };
}

const supportedGroups: ExtCodec<SupportedGroupsExtension> = {
  read: (r) => ({
    type: ExtensionType.supported_groups,
    groups: readU16List(r, 2, "supported_groups"),
  }),
  write: (w, ext) => writeU16List(w, 2, ext.groups, "supported_groups"),
};

const signatureAlgorithms: ExtCodec<SignatureAlgorithmsExtension> = {
  read: (r) => ({
    type: ExtensionType.signature_algorithms,
    schemes: readU16List(r, 2, "signature_algorithms"),
  }),
  write: (w, ext) => writeU16List(w, 2, ext.schemes, "signature_algorithms"),
};

const signatureAlgorithmsCert: ExtCodec<SignatureAlgorithmsCertExtension> = {
  read: (r) => ({
    type: ExtensionType.signature_algorithms_cert,
    schemes: readU16List(r, 2, "signature_algorithms_cert"),
  }),
  write: (w, ext) => writeU16List(w, 2, ext.schemes, "signature_algorithms_cert"),
};

function readKeyShareEntry(r: Reader): KeyShareEntry {
  const group = r.u16();
  const keyExchange = r.vec16();
  if (keyExchange.length === 0) throw decodeError("key_share: empty key_exchange", "EmptyList");
  return { group, keyExchange };
}

function writeKeyShareEntry(w: Writer, entry: KeyShareEntry): void {
  requireNonEmpty(entry.keyExchange.length, "key_share key_exchange");
  w.u16(entry.group).vec16(entry.keyExchange);
}

const keyShareClientHello: ExtCodec<KeyShareClientHelloExtension> = {
  read(r) {
    // An empty client_shares is legal: the client asks for a HelloRetryRequest.
    const list = r.sub16("key_share");
    const shares: KeyShareEntry[] = [];
    const seen = new Set<number>();
    while (!list.atEnd) {
      const entry = readKeyShareEntry(list);
      if (seen.has(entry.group)) {
        throw illegalParameter(`key_share: two shares for group ${entry.group}`, "DuplicateGroup");
      }
      seen.add(entry.group);
      shares.push(entry);
    }
    return { type: ExtensionType.key_share, shares };
  },
  write(w, ext) {
    w.lengthPrefixed(2, (inner) => {
      for (const share of ext.shares) writeKeyShareEntry(inner, share);
    });
  },
};

const keyShareServerHello: ExtCodec<KeyShareServerHelloExtension> = {
  read: (r) => ({ type: ExtensionType.key_share, share: readKeyShareEntry(r) }),
  write: (w, ext) => writeKeyShareEntry(w, ext.share),
};

const keyShareHelloRetryRequest: ExtCodec<KeyShareHelloRetryRequestExtension> = {
  read: (r) => ({ type: ExtensionType.key_share, selectedGroup: r.u16() }),
  write: (w, ext) => void w.u16(ext.selectedGroup),
};

const supportedVersionsClientHello: ExtCodec<SupportedVersionsClientHelloExtension> = {
  read: (r) => ({
    type: ExtensionType.supported_versions,
    versions: readU16List(r, 1, "supported_versions"),
  }),
  write: (w, ext) => writeU16List(w, 1, ext.versions, "supported_versions"),
};

const supportedVersionsServerHello: ExtCodec<SupportedVersionsServerHelloExtension> = {
  read: (r) => ({ type: ExtensionType.supported_versions, version: r.u16() }),
  write: (w, ext) => void w.u16(ext.version),
};

const pskKeyExchangeModes: ExtCodec<PskKeyExchangeModesExtension> = {
  read: (r) => ({
    type: ExtensionType.psk_key_exchange_modes,
    modes: readU8List(r, "psk_key_exchange_modes"),
  }),
  write: (w, ext) => writeU8List(w, ext.modes, "psk_key_exchange_modes"),
};

/** Binders are HMAC outputs: at least 32 bytes (RFC 8446 section 4.2.11). */
const MIN_BINDER_LENGTH = 32;

const preSharedKeyClientHello: ExtCodec<PreSharedKeyClientHelloExtension> = {
  read(r) {
    const ids = r.sub16("pre_shared_key identities");
    if (ids.atEnd) emptyList("pre_shared_key identities");
    const identities = [];
    while (!ids.atEnd) {
      const identity = ids.vec16();
      if (identity.length === 0) throw decodeError("pre_shared_key: empty identity", "EmptyList");
      identities.push({ identity, obfuscatedTicketAge: ids.u32() });
    }
    const list = r.sub16("pre_shared_key binders");
    if (list.atEnd) emptyList("pre_shared_key binders");
    const binders = [];
    while (!list.atEnd) {
      const binder = list.vec8();
      if (binder.length < MIN_BINDER_LENGTH) {
        throw decodeError("pre_shared_key: binder shorter than 32 bytes", "ShortBinder");
      }
      binders.push(binder);
    }
    if (binders.length !== identities.length) {
      throw illegalParameter("pre_shared_key: binder count differs from identities", "BinderCount");
    }
    return { type: ExtensionType.pre_shared_key, identities, binders };
  },
  write(w, ext) {
    requireNonEmpty(ext.identities.length, "pre_shared_key identities");
    if (ext.binders.length !== ext.identities.length) {
      throw new RangeError("pre_shared_key needs one binder per identity");
    }
    w.lengthPrefixed(2, (inner) => {
      for (const id of ext.identities) {
        requireNonEmpty(id.identity.length, "pre_shared_key identity");
        inner.vec16(id.identity).u32(id.obfuscatedTicketAge);
      }
    });
    w.lengthPrefixed(2, (inner) => {
      for (const binder of ext.binders) {
        if (binder.length < MIN_BINDER_LENGTH) throw new RangeError("binder shorter than 32 bytes");
        inner.vec8(binder);
      }
    });
  },
};

const preSharedKeyServerHello: ExtCodec<PreSharedKeyServerHelloExtension> = {
  read: (r) => ({ type: ExtensionType.pre_shared_key, selectedIdentity: r.u16() }),
  write: (w, ext) => void w.u16(ext.selectedIdentity),
};

const earlyDataTicket: ExtCodec<EarlyDataTicketExtension> = {
  read: (r) => ({ type: ExtensionType.early_data, maxEarlyDataSize: r.u32() }),
  write: (w, ext) => void w.u32(ext.maxEarlyDataSize),
};

const cookie: ExtCodec<CookieExtension> = {
  read(r) {
    const value = r.vec16();
    if (value.length === 0) throw decodeError("cookie: empty", "EmptyList");
    return { type: ExtensionType.cookie, cookie: value };
  },
  write(w, ext) {
    requireNonEmpty(ext.cookie.length, "cookie");
    w.vec16(ext.cookie);
  },
};

const alpn: ExtCodec<AlpnExtension> = {
  read: (r) => ({
    type: ExtensionType.application_layer_protocol_negotiation,
    protocols: readOpaqueList(r, 1, "application_layer_protocol_negotiation"),
  }),
  write: (w, ext) => writeOpaqueList(w, 1, ext.protocols, "application_layer_protocol_negotiation"),
};

const recordSizeLimit: ExtCodec<RecordSizeLimitExtension> = {
  read(r) {
    const limit = r.u16();
    if (limit < MIN_RECORD_SIZE_LIMIT) {
      throw illegalParameter(`record_size_limit ${limit} below 64`, "RecordSizeLimitTooSmall");
    }
    return { type: ExtensionType.record_size_limit, limit };
  },
  write: (w, ext) => void w.u16(ext.limit),
};

const certificateAuthorities: ExtCodec<CertificateAuthoritiesExtension> = {
  read: (r) => ({
    type: ExtensionType.certificate_authorities,
    authorities: readOpaqueList(r, 2, "certificate_authorities"),
  }),
  write: (w, ext) => writeOpaqueList(w, 2, ext.authorities, "certificate_authorities"),
};

const statusRequest: ExtCodec<StatusRequestExtension> = {
  read: (r) => ({ type: ExtensionType.status_request, data: r.rest() }),
  write: (w, ext) => void w.bytes(ext.data),
};

const ecPointFormats: ExtCodec<EcPointFormatsExtension> = {
  read: (r) => ({
    type: ExtensionType.ec_point_formats,
    formats: readU8List(r, "ec_point_formats"),
  }),
  write: (w, ext) => writeU8List(w, ext.formats, "ec_point_formats"),
};

const renegotiationInfo: ExtCodec<RenegotiationInfoExtension> = {
  read: (r) => ({ type: ExtensionType.renegotiation_info, renegotiatedConnection: r.vec8() }),
  write: (w, ext) => void w.vec8(ext.renegotiatedConnection),
};

const sessionTicket: ExtCodec<SessionTicketExtension> = {
  read: (r) => ({ type: ExtensionType.session_ticket, ticket: r.rest() }),
  write: (w, ext) => void w.bytes(ext.ticket),
};

/** ClientHello extensions. */
export const CLIENT_HELLO_CODECS: CodecTable<KnownClientHelloExtension> = {
  [ExtensionType.server_name]: serverName,
  [ExtensionType.supported_groups]: supportedGroups,
  [ExtensionType.signature_algorithms]: signatureAlgorithms,
  [ExtensionType.signature_algorithms_cert]: signatureAlgorithmsCert,
  [ExtensionType.key_share]: keyShareClientHello,
  [ExtensionType.supported_versions]: supportedVersionsClientHello,
  [ExtensionType.psk_key_exchange_modes]: pskKeyExchangeModes,
  [ExtensionType.pre_shared_key]: preSharedKeyClientHello,
  [ExtensionType.early_data]: empty(ExtensionType.early_data),
  [ExtensionType.cookie]: cookie,
  [ExtensionType.application_layer_protocol_negotiation]: alpn,
  [ExtensionType.record_size_limit]: recordSizeLimit,
  [ExtensionType.certificate_authorities]: certificateAuthorities,
  [ExtensionType.status_request]: statusRequest,
  [ExtensionType.post_handshake_auth]: empty(ExtensionType.post_handshake_auth),
  [ExtensionType.extended_master_secret]: empty(ExtensionType.extended_master_secret),
  [ExtensionType.renegotiation_info]: renegotiationInfo,
  [ExtensionType.ec_point_formats]: ecPointFormats,
  [ExtensionType.session_ticket]: sessionTicket,
  [ExtensionType.encrypted_client_hello]: echClientHello,
  [ExtensionType.ech_outer_extensions]: echOuterExtensions,
};

/** ServerHello extensions (not HelloRetryRequest). */
export const SERVER_HELLO_CODECS: CodecTable<KnownServerHelloExtension> = {
  [ExtensionType.key_share]: keyShareServerHello,
  [ExtensionType.supported_versions]: supportedVersionsServerHello,
  [ExtensionType.pre_shared_key]: preSharedKeyServerHello,
  [ExtensionType.server_name]: empty(ExtensionType.server_name),
  [ExtensionType.application_layer_protocol_negotiation]: alpn,
  [ExtensionType.record_size_limit]: recordSizeLimit,
  [ExtensionType.status_request]: statusRequest,
  [ExtensionType.extended_master_secret]: empty(ExtensionType.extended_master_secret),
  [ExtensionType.renegotiation_info]: renegotiationInfo,
  [ExtensionType.ec_point_formats]: ecPointFormats,
  [ExtensionType.session_ticket]: sessionTicket,
};

/** HelloRetryRequest extensions. */
export const HELLO_RETRY_REQUEST_CODECS: CodecTable<KnownHelloRetryRequestExtension> = {
  [ExtensionType.key_share]: keyShareHelloRetryRequest,
  [ExtensionType.supported_versions]: supportedVersionsServerHello,
  [ExtensionType.cookie]: cookie,
  [ExtensionType.encrypted_client_hello]: echHelloRetryRequest,
};

/** EncryptedExtensions extensions. */
export const ENCRYPTED_EXTENSIONS_CODECS: CodecTable<KnownEncryptedExtension> = {
  [ExtensionType.server_name]: empty(ExtensionType.server_name),
  [ExtensionType.supported_groups]: supportedGroups,
  [ExtensionType.application_layer_protocol_negotiation]: alpn,
  [ExtensionType.early_data]: empty(ExtensionType.early_data),
  [ExtensionType.record_size_limit]: recordSizeLimit,
  [ExtensionType.encrypted_client_hello]: echRetryConfigs,
};

/** CertificateRequest extensions. */
export const CERTIFICATE_REQUEST_CODECS: CodecTable<KnownCertificateRequestExtension> = {
  [ExtensionType.signature_algorithms]: signatureAlgorithms,
  [ExtensionType.signature_algorithms_cert]: signatureAlgorithmsCert,
  [ExtensionType.certificate_authorities]: certificateAuthorities,
  [ExtensionType.status_request]: statusRequest,
};

/** CertificateEntry extensions. */
export const CERTIFICATE_ENTRY_CODECS: CodecTable<KnownCertificateEntryExtension> = {
  [ExtensionType.status_request]: statusRequest,
};

/** NewSessionTicket extensions. */
export const NEW_SESSION_TICKET_CODECS: CodecTable<KnownNewSessionTicketExtension> = {
  [ExtensionType.early_data]: earlyDataTicket,
};

/** The RFC name of an extension type, or its number. */
export function extensionName(type: number): string {
  return NAMES[type] ?? `extension ${type}`;
}
