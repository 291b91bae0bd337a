/**
 * ECHConfig and ECHConfigList (RFC 9849 section 4): what a client-facing
 * server publishes (in DNS HTTPS records, or as retry_configs) so clients
 * can encrypt their ClientHello to it.
 *
 * Decoding keeps every config, including versions we do not know (as raw
 * bytes), so a client can skip them and a server can echo them; each
 * config's exact bytes are kept too, since they are HPKE's `info`.
 *
 * @module
 */

import { decodeError } from "../error.ts";
import { Reader, Writer } from "./codec.ts";
import { latin1Decode, latin1Encode } from "./_ext_helpers.ts";

/** The ECHConfig version this library speaks: RFC 9849's extension code point. */
export const ECH_CONFIG_VERSION = 0xfe0d;

/** A KDF and AEAD pair (HpkeSymmetricCipherSuite). */
export interface HpkeSymmetricCipherSuite {
  /** HPKE KDF identifier (RFC 9180 section 7.2). */
  kdfId: number;
  /** HPKE AEAD identifier (RFC 9180 section 7.3). */
  aeadId: number;
}

/** One ECHConfigExtension, kept raw. */
export interface EchConfigExtension {
  /** Its type; the high bit marks it mandatory (section 4.2). */
  type: number;
  /** Its data. */
  data: Uint8Array;
}

/** ECHConfigContents of a version 0xfe0d config. */
export interface EchConfigContents {
  /** key_config.config_id. */
  configId: number;
  /** key_config.kem_id (HPKE KEM identifier). */
  kemId: number;
  /** key_config.public_key. */
  publicKey: Uint8Array;
  /** key_config.cipher_suites, non-empty. */
  cipherSuites: HpkeSymmetricCipherSuite[];
  /** maximum_name_length, for padding (section 6.1.3). */
  maximumNameLength: number;
  /** public_name, one character per byte. */
  publicName: string;
  /** extensions, in order. */
  extensions: EchConfigExtension[];
}

/** One ECHConfig as decoded. */
export interface EchConfig {
  /** ECHConfig.version. */
  version: number;
  /** The whole encoded ECHConfig (version and length included): HPKE's info. */
  raw: Uint8Array;
  /** The contents, when `version` is {@link ECH_CONFIG_VERSION}. */
  contents: EchConfigContents | undefined;
}

function readContents(r: Reader): EchConfigContents {
  const configId = r.u8();
  const kemId = r.u16();
  const publicKey = r.vec16();
  if (publicKey.length === 0) throw decodeError("ECHConfig: empty public_key", "EmptyList");
  const suites = r.sub16("ECHConfig cipher_suites");
  if (suites.remaining < 4 || suites.remaining % 4 !== 0) {
    throw decodeError("ECHConfig: bad cipher_suites length", "OddLength");
  }
  const cipherSuites: HpkeSymmetricCipherSuite[] = [];
  while (!suites.atEnd) cipherSuites.push({ kdfId: suites.u16(), aeadId: suites.u16() });
  const maximumNameLength = r.u8();
  const name = r.vec8();
  if (name.length === 0) throw decodeError("ECHConfig: empty public_name", "EmptyList");
  const exts = r.sub16("ECHConfig extensions");
  const extensions: EchConfigExtension[] = [];
  while (!exts.atEnd) extensions.push({ type: exts.u16(), data: exts.vec16() });
  r.expectEnd("ECHConfigContents");
  return {
    configId,
    kemId,
    publicKey,
    cipherSuites,
    maximumNameLength,
    publicName: latin1Decode(name),
    extensions,
  };
}

/**
 * Reads an ECHConfigList (its two-byte length included), which must hold at
 * least one config and nothing after it. Throws a `decode_error` TlsError.
 *
 * @example
 * ```ts
 * import { encodeEchConfig, encodeEchConfigList, readEchConfigList } from "./ech_config.ts";
 * const config = encodeEchConfig({
 *   configId: 7, kemId: 0x20, publicKey: new Uint8Array(32),
 *   cipherSuites: [{ kdfId: 1, aeadId: 1 }], maximumNameLength: 0,
 *   publicName: "public.example", extensions: [],
 * });
 * const [decoded] = readEchConfigList(encodeEchConfigList([config]));
 * console.log(decoded.contents?.publicName); // public.example
 * ```
 */
export function readEchConfigList(bytes: Uint8Array): EchConfig[] {
  const outer = new Reader(bytes, "ECHConfigList");
  const list = outer.sub16();
  outer.expectEnd();
  if (list.atEnd) throw decodeError("ECHConfigList: empty", "EmptyList");
  const configs: EchConfig[] = [];
  while (!list.atEnd) {
    const start = list.offset;
    const version = list.u16();
    const body = list.vec16();
    const raw = bytes.subarray(2 + start, 2 + list.offset);
    const contents = version === ECH_CONFIG_VERSION
      ? readContents(new Reader(body, "ECHConfigContents"))
      : undefined;
    configs.push({ version, raw, contents });
  }
  return configs;
}

/**
 * Encodes one version 0xfe0d ECHConfig. Throws `RangeError` for fields that
 * do not fit or lists the decoder would refuse.
 *
 * @example
 * ```ts
 * import { encodeEchConfig } from "./ech_config.ts";
 * const config = encodeEchConfig({
 *   configId: 1, kemId: 0x20, publicKey: new Uint8Array(32),
 *   cipherSuites: [{ kdfId: 1, aeadId: 1 }], maximumNameLength: 32,
 *   publicName: "public.example", extensions: [],
 * });
 * console.log(config.length); // 65
 * ```
 */
export function encodeEchConfig(contents: EchConfigContents): Uint8Array {
  if (contents.publicKey.length === 0) throw new RangeError("ECHConfig public_key is empty");
  if (contents.cipherSuites.length === 0) throw new RangeError("ECHConfig needs a cipher suite");
  const name = latin1Encode(contents.publicName);
  if (name.length === 0) throw new RangeError("ECHConfig public_name is empty");
  const w = new Writer();
  w.u16(ECH_CONFIG_VERSION).lengthPrefixed(2, (c) => {
    c.u8(contents.configId).u16(contents.kemId).vec16(contents.publicKey);
    c.lengthPrefixed(2, (s) => {
      for (const suite of contents.cipherSuites) s.u16(suite.kdfId).u16(suite.aeadId);
    });
    c.u8(contents.maximumNameLength).vec8(name);
    c.lengthPrefixed(2, (e) => {
      for (const ext of contents.extensions) e.u16(ext.type).vec16(ext.data);
    });
  });
  return w.finish();
}

/**
 * Joins encoded ECHConfigs, most preferred first, into an ECHConfigList.
 *
 * @example
 * ```ts
 * import { encodeEchConfigList } from "./ech_config.ts";
 * console.log(encodeEchConfigList([new Uint8Array([0xfe, 0x0d, 0, 0])])); // Uint8Array(6) [ 0, 4, 254, 13, 0, 0 ]
 * ```
 */
export function encodeEchConfigList(configs: readonly Uint8Array[]): Uint8Array {
  if (configs.length === 0) throw new RangeError("ECHConfigList must not be empty");
  const w = new Writer();
  w.lengthPrefixed(2, (l) => {
    for (const c of configs) l.bytes(c);
  });
  return w.finish();
}

const INFO_PREFIX = new TextEncoder().encode("tls ech\0");

/**
 * HPKE's info for a config (RFC 9849 sections 6.1 and 7.1): "tls ech", a
 * zero byte, and the encoded ECHConfig.
 *
 * @example
 * ```ts
 * import { echHpkeInfo } from "./ech_config.ts";
 * console.log(echHpkeInfo(new Uint8Array([0xfe, 0x0d, 0, 0])).length); // 12
 * ```
 */
export function echHpkeInfo(rawConfig: Uint8Array): Uint8Array {
  const info = new Uint8Array(INFO_PREFIX.length + rawConfig.length);
  info.set(INFO_PREFIX);
  info.set(rawConfig, INFO_PREFIX.length);
  return info;
}
