/**
 * The server's reading of a ClientHello: the checks RFC 8446 sections 4.1.2
 * and 4.2 ask for, and the choices it makes by server preference (version,
 * cipher suite, group, ALPN protocol, signature scheme).
 *
 * @module
 */

import { peerIncompatible, peerMisbehaved, tlsError } from "../error.ts";
import type { KeyExchangeGroup, SigningKey, Tls13CipherSuite } from "../crypto/types.ts";
import type { ClientHello } from "../msgs/client_hello.ts";
import { AlertDescription, ExtensionType, ProtocolVersion } from "../msgs/enums.ts";
import { checkTls13Extensions, findExtension } from "../msgs/extensions.ts";
import type { KeyShareEntry } from "../msgs/extension_types.ts";
import { bytesEqual } from "../_bytes.ts";
import type { ResolvedServerConfig } from "./config.ts";
import type { CertifiedKey } from "../common/config_base.ts";
import { allowedInTls13CertificateVerify } from "../tls13/certificate_verify.ts";

/**
 * Rules every TLS 1.3 ClientHello must follow, whatever we choose later.
 * Throws a `TlsError` carrying the alert the RFC names.
 */
export function checkClientHello(hello: ClientHello): void {
  // 4.2.1: without supported_versions listing 0x0304 the client cannot do TLS 1.3.
  const versions = findExtension(hello.extensions, ExtensionType.supported_versions)?.versions;
  if (!versions?.includes(ProtocolVersion.TLSv1_3)) {
    throw peerIncompatible(
      "client does not offer TLS 1.3",
      "UnsupportedVersion",
      AlertDescription.protocol_version,
    );
  }
  // 4.2: extensions that belong to other messages (oid_filters) are illegal here.
  checkTls13Extensions(hello.extensions, "ClientHello");
  // 4.1.2: legacy_compression_methods must be exactly one zero byte.
  const compression = hello.legacyCompressionMethods;
  if (compression.length !== 1 || compression[0] !== 0) {
    throw peerMisbehaved("ClientHello offers compression", "OfferedIncorrectCompressions");
  }
  // 9.2: supported_groups and key_share come together.
  const groups = findExtension(hello.extensions, ExtensionType.supported_groups);
  const keyShare = findExtension(hello.extensions, ExtensionType.key_share);
  if (!groups !== !keyShare) {
    throw peerMisbehaved(
      "ClientHello has one of supported_groups and key_share without the other",
      "MissingKeyShareOrSupportedGroups",
      AlertDescription.missing_extension,
    );
  }
  // 4.2.8: one share per group, each for a group the client lists.
  const seen = new Set<number>();
  for (const share of keyShare?.shares ?? []) {
    if (seen.has(share.group)) {
      throw peerMisbehaved("two key shares for one group", "OfferedDuplicateKeyShares");
    }
    seen.add(share.group);
    if (!groups!.groups.includes(share.group)) {
      throw peerMisbehaved(
        "key share for a group not in supported_groups",
        "UnsolicitedKeyShareGroup",
      );
    }
  }
  // 4.2.3 and 9.2: a certificate-authenticated handshake needs signature_algorithms.
  if (!findExtension(hello.extensions, ExtensionType.signature_algorithms)) {
    throw peerMisbehaved(
      "ClientHello has no signature_algorithms",
      "MissingSignatureAlgorithms",
      AlertDescription.missing_extension,
    );
  }
}

/** 4.1.1: our most preferred TLS 1.3 suite among those the client offers. */
export function chooseSuite(
  config: ResolvedServerConfig,
  offered: readonly number[],
): Tls13CipherSuite {
  for (const suite of config.cipherSuites) {
    if (suite.version === "TLSv1_3" && offered.includes(suite.id)) return suite;
  }
  throw peerIncompatible("no cipher suite in common", "NoCipherSuitesInCommon");
}

/** The group to use, with the client's share for it when it sent one. */
export interface GroupChoice {
  /** Our group. */
  group: KeyExchangeGroup;
  /** The client's share; undefined means a HelloRetryRequest is needed. */
  share: KeyShareEntry | undefined;
}

/**
 * 4.2.7 and 4.2.8: our most preferred group that the client already sent a
 * share for; failing that, our most preferred group the client supports (to
 * ask for in a HelloRetryRequest).
 */
export function chooseGroup(config: ResolvedServerConfig, hello: ClientHello): GroupChoice {
  const supported = findExtension(hello.extensions, ExtensionType.supported_groups)?.groups ?? [];
  const shares = findExtension(hello.extensions, ExtensionType.key_share)?.shares ?? [];
  for (const group of config.kxGroups) {
    const share = shares.find((s) => s.group === group.group);
    if (share) return { group, share };
  }
  const group = config.kxGroups.find((g) => supported.includes(g.group));
  if (!group) throw peerIncompatible("no key exchange group in common", "NoKxGroupsInCommon");
  return { group, share: undefined };
}

/**
 * RFC 7301 section 3.2: our first protocol the client also offers. When both
 * sides have protocols and none matches, no_application_protocol, unless the
 * config says to carry on without ALPN.
 */
export function chooseAlpn(
  config: ResolvedServerConfig,
  offered: readonly Uint8Array[] | undefined,
): Uint8Array | undefined {
  if (!offered || config.alpnProtocols.length === 0) return undefined;
  const chosen = config.alpnProtocols.find((ours) => offered.some((p) => bytesEqual(p, ours)));
  if (chosen || config.ignoreAlpnMismatch) return chosen;
  throw tlsError("NoApplicationProtocol", "NoApplicationProtocol", "no ALPN protocol in common", {
    alert: AlertDescription.no_application_protocol,
  });
}

/**
 * 4.4.3: a scheme our key can sign with that the client accepts. TLS 1.3
 * forbids RSASSA-PKCS1-v1_5 and SHA-1 in CertificateVerify.
 */
export function chooseScheme(key: SigningKey, offered: readonly number[]): number {
  const scheme = key.schemes.find((s) => offered.includes(s) && allowedInTls13CertificateVerify(s));
  if (scheme === undefined) {
    throw peerIncompatible("no signature scheme in common", "NoSignatureSchemesInCommon");
  }
  return scheme;
}

/** What a ClientHello offers that picks the certificate and the ALPN protocol. */
export interface ClientOffers {
  /** The server_name the client asked for. */
  serverName: string | undefined;
  /** signature_algorithms (empty when absent). */
  schemes: readonly number[];
  /** application_layer_protocol_negotiation, when sent. */
  alpn: readonly Uint8Array[] | undefined;
}

/** Reads {@link ClientOffers} from `hello` (TLS 1.3 and TLS 1.2 alike). */
export function clientOffers(hello: ClientHello): ClientOffers {
  const ext = hello.extensions;
  return {
    serverName: findExtension(ext, ExtensionType.server_name)?.hostName,
    schemes: findExtension(ext, ExtensionType.signature_algorithms)?.schemes ?? [],
    alpn: findExtension(ext, ExtensionType.application_layer_protocol_negotiation)?.protocols,
  };
}

const decoder = new TextDecoder();

/** The config's certificate for these offers; `NoSuitableCertificate` when it has none. */
export async function resolveCertificate(
  config: ResolvedServerConfig,
  offers: ClientOffers,
): Promise<CertifiedKey> {
  const certified = await config.certResolver({
    serverName: offers.serverName,
    signatureSchemes: offers.schemes,
    alpnProtocols: (offers.alpn ?? []).map((p) => decoder.decode(p)),
  });
  if (!certified) {
    throw peerIncompatible("no certificate for this ClientHello", "NoSuitableCertificate");
  }
  return certified;
}
