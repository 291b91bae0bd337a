// What a real client offered: the ClientHello at the start of the bytes it
// sent, decoded with our parser and named, for tests that log and check the
// offers of browsers and other peers.
import { type ClientHello, readClientHello } from "../src/msgs/client_hello.ts";
import { Reader } from "../src/msgs/codec.ts";
import {
  CipherSuiteId,
  ContentType,
  ExtensionType,
  HandshakeType,
  NamedGroup,
  SignatureScheme,
} from "../src/msgs/enums.ts";
import { findExtension } from "../src/msgs/extensions.ts";
import { isGrease } from "../src/msgs/grease.ts";
import { joinBytes, splitRecords } from "./_pair.ts";

// Code points our enums do not name, from the IANA TLS registries.
const EXTRA_SUITES: Record<number, string> = {
  0x002f: "TLS_RSA_WITH_AES_128_CBC_SHA",
  0x0035: "TLS_RSA_WITH_AES_256_CBC_SHA",
  0x009c: "TLS_RSA_WITH_AES_128_GCM_SHA256",
  0x009d: "TLS_RSA_WITH_AES_256_GCM_SHA384",
  0xc009: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
  0xc00a: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
  0xc013: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
  0xc014: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
};
const EXTRA_GROUPS: Record<number, string> = {
  0x0100: "ffdhe2048",
  0x0101: "ffdhe3072",
  0x0102: "ffdhe4096",
};
const EXTRA_EXTENSIONS: Record<number, string> = {
  22: "encrypt_then_mac",
  27: "compress_certificate",
  34: "delegated_credentials",
  0x4469: "application_settings_old",
  0x44cd: "application_settings",
  0xca34: "trust_anchors",
  0xfe0d: "encrypted_client_hello",
};
const EXTRA_SCHEMES: Record<number, string> = {
  0x0904: "mldsa44",
  0x0905: "mldsa65",
  0x0906: "mldsa87",
};

function namer(table: Record<string, number>, extra: Record<number, string> = {}) {
  const names = new Map<number, string>(Object.entries(table).map(([k, v]) => [v, k]));
  return (v: number): string =>
    isGrease(v) ? "GREASE" : names.get(v) ?? extra[v] ?? `0x${v.toString(16).padStart(4, "0")}`;
}

const suiteName = namer(CipherSuiteId, EXTRA_SUITES);
const groupName = namer(NamedGroup, EXTRA_GROUPS);
const schemeName = namer(SignatureScheme, EXTRA_SCHEMES);
const extensionName = namer(ExtensionType, EXTRA_EXTENSIONS);

/** A ClientHello's offers, by name; GREASE values show as "GREASE". */
export interface ClientHelloOffer {
  hello: ClientHello;
  suites: string[];
  groups: string[];
  keyShares: string[];
  alpn: string[];
  signatureSchemes: string[];
  /** Extension names in wire order. */
  extensions: string[];
  recordSizeLimit: number | undefined;
  grease: boolean;
}

/**
 * Decodes the ClientHello at the start of `sent` (the first bytes a client
 * wrote; the message may span several handshake records).
 */
export function clientHelloOffer(sent: Uint8Array): ClientHelloOffer {
  const records = splitRecords(sent);
  if (records.length === 0 || records[0].type !== ContentType.handshake) {
    throw new Error(`no handshake record at the start of ${sent.length} bytes`);
  }
  const handshake = joinBytes(
    records.filter((r) => r.type === ContentType.handshake).map((r) => r.bytes.subarray(5)),
  );
  const length = (handshake[1] << 16) | (handshake[2] << 8) | handshake[3];
  if (handshake[0] !== HandshakeType.client_hello || handshake.length < 4 + length) {
    throw new Error(`no complete ClientHello in ${sent.length} bytes`);
  }
  const hello = readClientHello(new Reader(handshake.subarray(4, 4 + length)));
  const ext = hello.extensions;
  const types = ext.map((e) => e.type);
  const limit = findExtension(ext, ExtensionType.record_size_limit);
  return {
    hello,
    suites: hello.cipherSuites.map(suiteName),
    groups: findExtension(ext, ExtensionType.supported_groups)?.groups.map(groupName) ?? [],
    keyShares:
      findExtension(ext, ExtensionType.key_share)?.shares.map((s) =>
        `${groupName(s.group)}(${s.keyExchange.length})`
      ) ?? [],
    alpn: findExtension(ext, ExtensionType.application_layer_protocol_negotiation)?.protocols
      .map((p) => new TextDecoder().decode(p)) ?? [],
    signatureSchemes:
      findExtension(ext, ExtensionType.signature_algorithms)?.schemes.map(schemeName) ?? [],
    extensions: types.map(extensionName),
    recordSizeLimit: limit?.limit,
    grease: hello.cipherSuites.some(isGrease) || types.some(isGrease),
  };
}

/** One line per offer, for a test's log. */
export function describeOffer(o: ClientHelloOffer): string {
  return [
    `suites ${o.suites.join(" ")}`,
    `groups ${o.groups.join(" ")}`,
    `key shares ${o.keyShares.join(" ")}`,
    `ALPN ${o.alpn.join(" ") || "(none)"}`,
    `signature schemes ${o.signatureSchemes.join(" ")}`,
    `record_size_limit ${o.recordSizeLimit ?? "(none)"}`,
    `GREASE ${o.grease ? "yes" : "no"}`,
    `extensions ${o.extensions.join(" ")}`,
  ].join("\n");
}
