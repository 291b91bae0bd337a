/**
 * The server's Encrypted Client Hello keys (RFC 9849 sections 4 and 7.1):
 * checking the configured key/config pairs, the retry configs built from
 * them, and generating a fresh key with its ECHConfig.
 *
 * @module
 */

import type { CryptoProvider } from "../crypto/types.ts";
import { webCryptoProvider } from "../crypto/webcrypto/provider.ts";
import { X25519_PKCS8_PREFIX } from "../crypto/webcrypto/kx.ts";
import { HpkeAeadId, HpkeKdfId, HpkeKemId } from "../crypto/hpke/hpke.ts";
import {
  type EchConfigContents,
  encodeEchConfig,
  encodeEchConfigList,
  type HpkeSymmetricCipherSuite,
  readEchConfigList,
} from "../msgs/ech_config.ts";
import { bytesEqual } from "../_bytes.ts";
import { renderAs } from "../record/_redact.ts";

/**
 * One ECH key of a server: the HPKE private key (raw: 32 bytes for X25519
 * and P-256; or an X25519 PKCS#8 DER) and the ECHConfig (one, encoded)
 * that publishes its public key.
 *
 * @example
 * ```ts
 * import { generateEchConfig } from "@kerneltls/tls";
 * import type { EchKey } from "@kerneltls/tls";
 * const { privateKey, config } = await generateEchConfig({ publicName: "public.example" });
 * const key: EchKey = { privateKey, config };
 * console.log(key.config[0], key.config[1]); // 254 13
 * ```
 */
export interface EchKey {
  /** The HPKE private key. */
  privateKey: Uint8Array;
  /** The encoded ECHConfig for it. */
  config: Uint8Array;
}

/** A checked ECH key. */
export interface ServerEchKey {
  /** The encoded ECHConfig. */
  raw: Uint8Array;
  /** Its contents. */
  contents: EchConfigContents;
  /** The raw private key (not enumerable; rendered as "[redacted]"). */
  readonly privateKey: Uint8Array;
}

/** What the server does with its ECH keys once resolved. */
export interface ResolvedEch {
  /** The keys, in the configured order. */
  keys: readonly ServerEchKey[];
  /** retry_configs: every config, in that order (section 7.1). */
  retryConfigs: Uint8Array;
  /** Whether every key is tried, whatever the config_id (section 7.1, method 2). */
  trialDecryption: boolean;
}

function rawPrivateKey(key: Uint8Array, kemId: number, where: string): Uint8Array {
  if (key.length === 32) return key.slice();
  if (
    kemId === HpkeKemId.DhKemX25519 && key.length === 48 &&
    bytesEqual(key.subarray(0, X25519_PKCS8_PREFIX.length), X25519_PKCS8_PREFIX)
  ) {
    return key.slice(X25519_PKCS8_PREFIX.length);
  }
  throw new TypeError(`${where}: privateKey must be 32 raw bytes (or X25519 PKCS#8)`);
}

/**
 * Checks the configured keys against `provider` (a KEM for each, a usable
 * suite). Throws `TypeError` naming the bad entry.
 */
export function resolveEchKeys(
  provider: CryptoProvider,
  keys: readonly EchKey[],
  trialDecryption = false,
): ResolvedEch {
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new TypeError("ServerConfig: ech.keys must be a non-empty array");
  }
  const resolved = keys.map((k, i) => {
    const where = `ServerConfig: ech.keys[${i}]`;
    if (!(k?.config instanceof Uint8Array) || !(k.privateKey instanceof Uint8Array)) {
      throw new TypeError(`${where}: config and privateKey must be Uint8Arrays`);
    }
    let configs;
    try {
      configs = readEchConfigList(encodeEchConfigList([k.config]));
    } catch (e) {
      throw new TypeError(`${where}: config: ${(e as Error).message}`);
    }
    const contents = configs.length === 1 ? configs[0].contents : undefined;
    if (!contents) throw new TypeError(`${where}: config must be one version 0xfe0d ECHConfig`);
    if (!provider.hpkeKems?.some((kem) => kem.id === contents.kemId)) {
      throw new TypeError(`${where}: the provider has no HPKE KEM ${contents.kemId}`);
    }
    const key: ServerEchKey = { raw: k.config.slice(), contents, privateKey: new Uint8Array(0) };
    // The private key is readable by name, never enumerated or printed.
    Object.defineProperty(key, "privateKey", {
      value: rawPrivateKey(k.privateKey, contents.kemId, where),
      enumerable: false,
    });
    renderAs(key, (self) => ({ ...self, privateKey: "[redacted]" }));
    return key;
  });
  return {
    keys: resolved,
    retryConfigs: encodeEchConfigList(resolved.map((k) => k.raw)),
    trialDecryption,
  };
}

/**
 * Options for {@link generateEchConfig}.
 *
 * @example
 * ```ts
 * import type { GenerateEchConfigOptions } from "@kerneltls/tls";
 * const options: GenerateEchConfigOptions = { publicName: "public.example", configId: 3 };
 * console.log(options.publicName); // public.example
 * ```
 */
export interface GenerateEchConfigOptions {
  /** The client-facing server's DNS name, sent in the clear (RFC 9849 section 4). */
  publicName: string;
  /** config_id, 0..255 (default: random). Give each live key its own. */
  configId?: number;
  /** The HPKE KEM (default X25519). */
  kem?: "X25519" | "P-256";
  /** KDF/AEAD pairs (default HKDF-SHA256 with AES-128-GCM, then ChaCha20-Poly1305). */
  cipherSuites?: HpkeSymmetricCipherSuite[];
  /** maximum_name_length for client padding (default 0: unknown). */
  maximumNameLength?: number;
  /** Crypto provider (default `webCryptoProvider()`). */
  provider?: CryptoProvider;
}

/**
 * A fresh ECH key: its private key, its ECHConfig, and the ECHConfigList
 * holding just that config (what a DNS HTTPS record's `ech` parameter
 * carries, base64-encoded). Give `{ privateKey, config }` to
 * `ServerConfig`'s `ech.keys`.
 *
 * @example
 * ```ts
 * import { generateEchConfig, ServerConfig } from "@kerneltls/tls";
 * const key = await generateEchConfig({ publicName: "public.example", configId: 1 });
 * const config = new ServerConfig({
 *   certResolver: () => undefined,
 *   ech: { keys: [{ privateKey: key.privateKey, config: key.config }] },
 * });
 * console.log(key.configList.length === key.config.length + 2); // true
 * void config;
 * ```
 */
export async function generateEchConfig(
  options: GenerateEchConfigOptions,
): Promise<{ privateKey: Uint8Array; config: Uint8Array; configList: Uint8Array }> {
  const provider = options.provider ?? await webCryptoProvider();
  const kemId = options.kem === "P-256" ? HpkeKemId.DhKemP256 : HpkeKemId.DhKemX25519;
  const kem = provider.hpkeKems?.find((k) => k.id === kemId);
  if (!kem) {
    throw new TypeError(`generateEchConfig: the provider has no ${options.kem ?? "X25519"} KEM`);
  }
  const configId = options.configId ?? provider.randomBytes(1)[0];
  if (!Number.isInteger(configId) || configId < 0 || configId > 255) {
    throw new TypeError("generateEchConfig: configId must be an integer from 0 to 255");
  }
  const { privateKey, publicKey } = await kem.generateKeyPair();
  const config = encodeEchConfig({
    configId,
    kemId,
    publicKey,
    cipherSuites: options.cipherSuites ?? [
      { kdfId: HpkeKdfId.HkdfSha256, aeadId: HpkeAeadId.Aes128Gcm },
      { kdfId: HpkeKdfId.HkdfSha256, aeadId: HpkeAeadId.ChaCha20Poly1305 },
    ],
    maximumNameLength: options.maximumNameLength ?? 0,
    publicName: options.publicName,
    extensions: [],
  });
  return { privateKey, config, configList: encodeEchConfigList([config]) };
}
