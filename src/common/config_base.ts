/**
 * Option handling shared by `ClientConfig` and `ServerConfig`: validation with
 * clear `TypeError`s, and the lazy resolution of the crypto provider (Web
 * Crypto feature detection is async, so it happens on first connection).
 *
 * @module
 */

import { DEFAULT_MAX_KEY_UPDATES } from "../post_handshake/key_update_budget.ts";
import type {
  CryptoProvider,
  KeyExchangeGroup,
  SigningKey,
  SupportedCipherSuite,
} from "../crypto/types.ts";
import { DEFAULT_KX_GROUPS, webCryptoProvider } from "../crypto/webcrypto/provider.ts";
import { pemDecode } from "../crypto/pem.ts";
import { renderAs } from "../record/_redact.ts";
import { MAX_RECORD_SIZE_LIMIT, MIN_RECORD_SIZE_LIMIT } from "../msgs/extension_types.ts";

/**
 * Protocol versions a config may enable.
 *
 * @example
 * ```ts
 * import { ClientConfig, RootCertStore } from "@kerneltls/tls";
 * import type { TlsVersion } from "@kerneltls/tls";
 * const versions: TlsVersion[] = ["TLSv1_3"]; // refuse TLS 1.2
 * const config = new ClientConfig({ roots: new RootCertStore(), versions });
 * void config;
 * ```
 */
export type TlsVersion = "TLSv1_3" | "TLSv1_2";

/**
 * Receives secrets in the NSS key log format (`label client_random secret`), for
 * Wireshark. Never enable it in production: it hands out every traffic key.
 *
 * @example
 * ```ts
 * import { ClientConfig, RootCertStore } from "@kerneltls/tls";
 * import type { KeyLog } from "@kerneltls/tls";
 * const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
 * const lines: string[] = []; // write these to an SSLKEYLOGFILE for Wireshark
 * const keyLog: KeyLog = (label, clientRandom, secret) => {
 *   lines.push(`${label} ${hex(clientRandom)} ${hex(secret)}`);
 * };
 * const config = new ClientConfig({ roots: new RootCertStore(), keyLog });
 * void config;
 * ```
 */
export type KeyLog = (label: string, clientRandom: Uint8Array, secret: Uint8Array) => void;

/**
 * Options both configs accept.
 *
 * @example
 * ```ts
 * import { CipherSuiteId, ClientConfig, NamedGroup, RootCertStore } from "@kerneltls/tls";
 * import type { CommonConfigOptions } from "@kerneltls/tls";
 * const common: CommonConfigOptions = {
 *   cipherSuites: [CipherSuiteId.TLS_AES_256_GCM_SHA384, CipherSuiteId.TLS_AES_128_GCM_SHA256],
 *   kxGroups: [NamedGroup.X25519MLKEM768, NamedGroup.secp256r1],
 *   alpnProtocols: ["h2"],
 *   enableSecretExtraction: true,
 * };
 * const config = new ClientConfig({ ...common, roots: new RootCertStore() });
 * void config;
 * ```
 */
export interface CommonConfigOptions {
  /** Crypto provider; defaults to `webCryptoProvider()`. */
  provider?: CryptoProvider | Promise<CryptoProvider>;
  /** Cipher suite code points in preference order (default: the provider's order). */
  cipherSuites?: readonly number[];
  /** Key exchange group code points in preference order (default: the provider's order). */
  kxGroups?: readonly number[];
  /** Versions to enable (default both; TLS 1.3 is always preferred). */
  versions?: readonly TlsVersion[];
  /**
   * TLS 1.2: refuse peers that do not support the extended master secret
   * (RFC 7627) with handshake_failure (default true).
   */
  requireExtendedMasterSecret?: boolean;
  /** ALPN protocol names in preference order (default none). */
  alpnProtocols?: readonly string[];
  /**
   * Largest plaintext fragment per record we send, 32..16384 (default 16384).
   * Received records are always accepted up to the protocol maximum.
   */
  maxFragmentSize?: number;
  /**
   * The record_size_limit we advertise (RFC 8449): the largest record the
   * peer may send us, counted as protected content plus, in TLS 1.3, the
   * inner content type byte and padding; 64..16385 (default 16385, the TLS
   * 1.3 maximum; TLS 1.2 takes at most 16384). A larger protected record is
   * record_overflow. The client always offers it; the server answers when
   * the client offered it. The peer's own value caps what we send (together
   * with `maxFragmentSize`, the smaller wins).
   */
  recordSizeLimit?: number;
  /**
   * TLS 1.3: KeyUpdates accepted from the peer per connection, at least 1
   * (default 1024). Besides this cap, the peer may send 32 in a row and
   * earns one more per 16384 bytes of application data it sends; a KeyUpdate
   * beyond either bound ends the connection with unexpected_message. Update
   * requests that arrive while we have sent nothing since our last
   * KeyUpdate are answered by that one (RFC 8446 4.6.3).
   */
  maxKeyUpdates?: number;
  /** Allows `dangerousIntoKernelConnection()` (default false). */
  enableSecretExtraction?: boolean;
  /** NSS key log callback (default none). */
  keyLog?: KeyLog;
  /** Clock for certificate validity (default `() => new Date()`). */
  now?: () => Date;
  /** Random source override, for deterministic tests (default: the provider's). */
  randomBytes?: (n: number) => Uint8Array;
}

/**
 * Validated common options with the provider resolved.
 *
 * @example
 * ```ts
 * import { ClientConfig, RootCertStore } from "@kerneltls/tls";
 * import type { ResolvedCommon } from "@kerneltls/tls";
 * const config = new ClientConfig({ roots: new RootCertStore(), maxFragmentSize: 4096 });
 * const common: ResolvedCommon = await config.resolve();
 * console.log(common.maxFragmentSize, common.versions); // 4096 [ "TLSv1_3", "TLSv1_2" ]
 * ```
 */
export interface ResolvedCommon {
  /** The crypto provider. */
  provider: CryptoProvider;
  /** Enabled suites in preference order. */
  cipherSuites: readonly SupportedCipherSuite[];
  /** Enabled groups in preference order. */
  kxGroups: readonly KeyExchangeGroup[];
  /** Enabled versions. */
  versions: readonly TlsVersion[];
  /** TLS 1.2: whether the extended master secret is required. */
  requireExtendedMasterSecret: boolean;
  /** ALPN protocols, encoded. */
  alpnProtocols: readonly Uint8Array[];
  /** Largest plaintext fragment we send. */
  maxFragmentSize: number;
  /** The record_size_limit we advertise (RFC 8449). */
  recordSizeLimit: number;
  /** TLS 1.3: KeyUpdates accepted from the peer per connection. */
  maxKeyUpdates: number;
  /** Whether the kernel hand-off is allowed. */
  enableSecretExtraction: boolean;
  /** Key log callback. */
  keyLog: KeyLog | undefined;
  /** Clock. */
  now: () => Date;
  /** Random source. */
  randomBytes: (n: number) => Uint8Array;
}

const encoder = new TextEncoder();

/** Versions enabled when a config names none. */
const DEFAULT_VERSIONS: readonly TlsVersion[] = ["TLSv1_3", "TLSv1_2"];

/** Checks the options that need no provider; throws `TypeError`. */
export function validateCommon(options: CommonConfigOptions, what: string): void {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`${what}: options must be an object`);
  }
  const mfs = options.maxFragmentSize;
  if (mfs !== undefined && (!Number.isInteger(mfs) || mfs < 32 || mfs > 16384)) {
    throw new TypeError(`${what}: maxFragmentSize must be an integer from 32 to 16384`);
  }
  const rsl = options.recordSizeLimit;
  if (
    rsl !== undefined &&
    (!Number.isInteger(rsl) || rsl < MIN_RECORD_SIZE_LIMIT || rsl > MAX_RECORD_SIZE_LIMIT.TLSv1_3)
  ) {
    throw new TypeError(`${what}: recordSizeLimit must be an integer from 64 to 16385`);
  }
  const mku = options.maxKeyUpdates;
  if (mku !== undefined && (!Number.isSafeInteger(mku) || mku < 1)) {
    throw new TypeError(`${what}: maxKeyUpdates must be a positive integer`);
  }
  for (const p of options.alpnProtocols ?? []) {
    if (typeof p !== "string" || p.length === 0 || encoder.encode(p).length > 255) {
      throw new TypeError(`${what}: ALPN protocol names must be 1 to 255 bytes`);
    }
  }
  const versions = options.versions ?? DEFAULT_VERSIONS;
  if (
    !Array.isArray(versions) || versions.length === 0 ||
    versions.some((v) => v !== "TLSv1_3" && v !== "TLSv1_2")
  ) {
    throw new TypeError(`${what}: versions must be a non-empty list of "TLSv1_3" / "TLSv1_2"`);
  }
  for (const list of [options.cipherSuites, options.kxGroups]) {
    if (list !== undefined && (!Array.isArray(list) || list.some((x) => !Number.isInteger(x)))) {
      throw new TypeError(`${what}: cipherSuites and kxGroups are lists of code points`);
    }
  }
}

/** Picks and orders provider items by code point; throws `TypeError` for unknown ones. */
function pick<T>(
  all: readonly T[],
  codeOf: (t: T) => number,
  wanted: readonly number[] | undefined,
  what: string,
): T[] {
  if (wanted === undefined) return [...all];
  return wanted.map((code) => {
    const found = all.find((t) => codeOf(t) === code);
    if (!found) {
      throw new TypeError(`${what} 0x${code.toString(16).padStart(4, "0")} is not available`);
    }
    return found;
  });
}

/** The provider's default groups, or all of them when it has none of the defaults. */
function defaultGroups(all: readonly KeyExchangeGroup[]): KeyExchangeGroup[] {
  const defaults = all.filter((g) => DEFAULT_KX_GROUPS.includes(g.group));
  return defaults.length > 0 ? defaults : [...all];
}

/** Resolves the provider and applies the lists. */
export async function resolveCommon(options: CommonConfigOptions): Promise<ResolvedCommon> {
  const provider = await (options.provider ?? webCryptoProvider());
  const versions = options.versions ?? DEFAULT_VERSIONS;
  const cipherSuites = pick(
    provider.cipherSuites,
    (s) => s.id,
    options.cipherSuites,
    "cipher suite",
  )
    .filter((s) => versions.includes(s.version));
  if (cipherSuites.length === 0) throw new TypeError("no usable cipher suites configured");
  const kxGroups = options.kxGroups === undefined
    ? defaultGroups(provider.kxGroups)
    : pick(provider.kxGroups, (g) => g.group, options.kxGroups, "key exchange group");
  if (kxGroups.length === 0) throw new TypeError("no key exchange groups configured");
  return {
    provider,
    cipherSuites,
    kxGroups,
    versions,
    requireExtendedMasterSecret: options.requireExtendedMasterSecret ?? true,
    alpnProtocols: (options.alpnProtocols ?? []).map((p) => encoder.encode(p)),
    maxFragmentSize: options.maxFragmentSize ?? 16384,
    recordSizeLimit: options.recordSizeLimit ?? MAX_RECORD_SIZE_LIMIT.TLSv1_3,
    maxKeyUpdates: options.maxKeyUpdates ?? DEFAULT_MAX_KEY_UPDATES,
    enableSecretExtraction: options.enableSecretExtraction ?? false,
    keyLog: options.keyLog,
    now: options.now ?? (() => new Date()),
    randomBytes: options.randomBytes ?? provider.randomBytes,
  };
}

/**
 * A certificate chain (end entity first, DER) with the key that signs for it.
 *
 * @example
 * ```ts
 * import { webCryptoProvider } from "@kerneltls/tls";
 * import type { CertifiedKey } from "@kerneltls/tls";
 * async function load(chainDer: Uint8Array[], pkcs8Pem: string): Promise<CertifiedKey> {
 *   const provider = await webCryptoProvider();
 *   return { certChain: chainDer, key: await provider.loadSigningKey(pkcs8Pem) };
 * }
 * void load;
 * ```
 */
export interface CertifiedKey {
  /** DER certificates, end entity first. */
  readonly certChain: readonly Uint8Array[];
  /** The end entity's private key. */
  readonly key: SigningKey;
}

/**
 * Certificate chain input: PEM text, or DER certificates end entity first.
 *
 * @example
 * ```ts
 * import type { CertChainInput } from "@kerneltls/tls";
 * const fromPem: CertChainInput = "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n";
 * function fromDer(leafDer: Uint8Array, intermediateDer: Uint8Array): CertChainInput {
 *   return [leafDer, intermediateDer]; // end entity first
 * }
 * void fromPem, fromDer;
 * ```
 */
export type CertChainInput = string | readonly Uint8Array[];

/** Parses a chain given as PEM text or DER list; throws `TypeError` when empty. */
export function parseCertChain(input: CertChainInput, what: string): Uint8Array[] {
  const chain = typeof input === "string"
    ? pemDecode(input).filter((b) => b.label === "CERTIFICATE").map((b) => b.der)
    : [...input];
  if (chain.length === 0) throw new TypeError(`${what}: certificate chain is empty`);
  return chain;
}

/** Loads a chain and its private key through `provider`. */
export async function loadCertifiedKey(
  provider: CryptoProvider,
  chain: CertChainInput,
  privateKey: string | Uint8Array,
): Promise<CertifiedKey> {
  return {
    certChain: parseCertChain(chain, "certificate chain"),
    key: await provider.loadSigningKey(privateKey),
  };
}

/** Option fields that hold secrets (a server's `ech` holds HPKE private keys). */
const SECRET_OPTIONS = ["privateKey", "ech"] as const;

/**
 * The frozen copy of a config's options that the config exposes. Secret
 * fields stay readable by name but are not enumerated, and every rendering
 * (`console.log`, `Deno.inspect`, `node:util` `inspect`, `JSON.stringify`)
 * shows them as `"[redacted]"`.
 */
export function guardOptions<T extends { privateKey?: unknown; ech?: unknown }>(
  options: T,
): Readonly<T> {
  const copy = { ...options };
  for (const key of SECRET_OPTIONS) {
    if (key in copy) Object.defineProperty(copy, key, { enumerable: false });
  }
  renderAs(copy, (self) => {
    const view: Record<string, unknown> = { ...self };
    for (const key of SECRET_OPTIONS) {
      if (self[key] !== undefined) view[key] = "[redacted]";
    }
    return view;
  });
  return Object.freeze(copy);
}

/**
 * What `ClientConfig` and `ServerConfig` share: the common checks, the guarded
 * copy of the options, and a resolution that runs once (the provider is
 * awaited on first use; later calls share the result).
 *
 * @example
 * ```ts
 * import { ClientConfig, RootCertStore } from "@kerneltls/tls";
 * import type { ClientConfigOptions, ResolvedClientConfig, TlsConfig } from "@kerneltls/tls";
 * type Base = TlsConfig<ClientConfigOptions, ResolvedClientConfig>;
 * const config: Base = new ClientConfig({ roots: new RootCertStore() });
 * console.log(config.enableSecretExtraction); // false
 * ```
 */
export abstract class TlsConfig<
  O extends CommonConfigOptions & { privateKey?: unknown; ech?: unknown },
  R,
> {
  /**
   * The options as given (a frozen copy). `privateKey` is readable by name
   * but never enumerated, printed or serialized.
   */
  readonly options: Readonly<O>;
  #resolved: Promise<R> | undefined;

  /** Runs the common checks on `options` (`TypeError`s name `what`) and keeps a guarded copy. */
  protected constructor(options: O, what: string) {
    validateCommon(options, what);
    this.options = guardOptions(options);
  }

  /** Whether `dangerousIntoKernelConnection()` is allowed. */
  get enableSecretExtraction(): boolean {
    return this.options.enableSecretExtraction ?? false;
  }

  /** Resolves the provider and keys once; later calls share the result. */
  resolve(): Promise<R> {
    this.#resolved ??= this.resolveOnce();
    return this.#resolved;
  }

  /** The side's resolution; {@link resolve} calls it at most once. */
  protected abstract resolveOnce(): Promise<R>;
}
