/**
 * Client configuration: a plain options object validated at construction.
 *
 * @module
 */

import type { ServerCertVerifier } from "../webpki/verifier.ts";
import { WebPkiServerVerifier } from "../webpki/verifier.ts";
import type { RootCertStore } from "../webpki/root_store.ts";
import { type ClientSessionStore, InMemoryClientSessionStore } from "./session_store.ts";
import {
  type CertChainInput,
  type CertifiedKey,
  type CommonConfigOptions,
  loadCertifiedKey,
  parseCertChain,
  resolveCommon,
  type ResolvedCommon,
  TlsConfig,
} from "../common/config_base.ts";
import type { CryptoProvider } from "../crypto/types.ts";
import { readEchConfigList } from "../msgs/ech_config.ts";
import { type ChosenEchConfig, selectEchConfig } from "./ech_select.ts";

/**
 * Options for {@link ClientConfig}.
 *
 * @example
 * ```ts
 * import { ClientConfig, RootCertStore } from "@kerneltls/tls";
 * import type { ClientConfigOptions } from "@kerneltls/tls";
 * const options: ClientConfigOptions = {
 *   roots: new RootCertStore(),
 *   alpnProtocols: ["h2", "http/1.1"],
 *   versions: ["TLSv1_3"],
 * };
 * const config = new ClientConfig(options);
 * console.log(config.options.alpnProtocols); // [ "h2", "http/1.1" ]
 * ```
 */
export interface ClientConfigOptions extends CommonConfigOptions {
  /** Trust anchors for the default Web PKI verifier. */
  roots?: RootCertStore;
  /** A custom server certificate verifier (takes precedence over `roots`). */
  verifier?: ServerCertVerifier;
  /** Send server_name (default true). */
  enableSni?: boolean;
  /** Client certificate chain for client authentication (PEM or DER list). */
  certificateChain?: CertChainInput;
  /** Private key (PKCS#8 PEM or DER) for `certificateChain`. */
  privateKey?: string | Uint8Array;
  /**
   * Send a fake session ID and change_cipher_spec for middlebox compatibility
   * (RFC 8446 appendix D.4; default true, as browsers do).
   */
  middleboxCompat?: boolean;
  /** Store and use session tickets (default true). */
  resumption?: boolean;
  /** Where tickets are kept (default: an `InMemoryClientSessionStore` per config). */
  sessionStore?: ClientSessionStore;
  /**
   * Offer 0-RTT data when resuming with a ticket that allows it (default
   * false). The data is written through `TransmitTlsData.mayEncryptEarlyData`
   * and may be replayed by an attacker: only send requests that are safe to
   * repeat.
   */
  enableEarlyData?: boolean;
  /**
   * Put GREASE values (RFC 8701) in the ClientHello: a reserved cipher suite,
   * group with a one-byte key share, signature scheme, version, PSK mode and
   * two extensions, as browsers do (default true). Servers must ignore them;
   * a server that selects one is refused with illegal_parameter (or
   * unsupported_extension for an extension).
   */
  grease?: boolean;
  /**
   * Encrypted Client Hello (RFC 9849): `configList` is an ECHConfigList, as
   * the `ech` parameter of a DNS HTTPS record carries it (base64-decoded).
   * The first usable config is encrypted to: the real server name, ALPN and
   * the rest travel in the encrypted ClientHelloInner, the config's public
   * name in the visible ClientHelloOuter. Both offer TLS 1.3 only; a ticket
   * goes in the inner hello only (with a GREASE pre_shared_key of the same
   * shape outside), early_data in both. When the server rejects ECH, the handshake is
   * authenticated for the public name and then fails with an
   * {@link EchRejectedError} (alert ech_required) whose `retryConfigs` a
   * caller may retry with on a new connection.
   */
  ech?: { configList: Uint8Array };
  /**
   * Without `ech`, send a GREASE encrypted_client_hello (RFC 9849 section
   * 6.2) of a plausible size, so that connections with real ECH do not stand
   * out (default false: it costs an X25519 key generation and about 250
   * bytes per ClientHello, and a server may answer it with retry configs we
   * ignore).
   */
  echGrease?: boolean;
}

/**
 * A client config with everything async resolved.
 *
 * @example
 * ```ts
 * import { ClientConfig, RootCertStore } from "@kerneltls/tls";
 * import type { ResolvedClientConfig } from "@kerneltls/tls";
 * const config = new ClientConfig({ roots: new RootCertStore() });
 * const resolved: ResolvedClientConfig = await config.resolve();
 * console.log(resolved.enableSni, resolved.cipherSuites.length > 0); // true true
 * ```
 */
export interface ResolvedClientConfig extends ResolvedCommon {
  /** Verifies the server's certificate chain. */
  verifier: ServerCertVerifier;
  /** Whether server_name is sent. */
  enableSni: boolean;
  /** Our certificate and key for client authentication, if any. */
  clientAuth: CertifiedKey | undefined;
  /** Whether the middlebox compatibility session ID and CCS are sent. */
  middleboxCompat: boolean;
  /** Where tickets are kept (undefined when resumption is off). */
  sessionStore: ClientSessionStore | undefined;
  /** Whether 0-RTT data is offered when a ticket allows it. */
  enableEarlyData: boolean;
  /** Whether the ClientHello carries GREASE values (RFC 8701). */
  grease: boolean;
  /** The ECHConfig chosen from `ech.configList`, when ECH is offered. */
  ech: ChosenEchConfig | undefined;
  /** Whether a GREASE ECH extension is sent (only without `ech`). */
  echGrease: boolean;
}

/**
 * Client settings shared by any number of connections.
 *
 * @example
 * ```ts
 * import { ClientConfig, RootCertStore } from "@kerneltls/tls";
 * const config = new ClientConfig({ roots: new RootCertStore(), alpnProtocols: ["h2"] });
 * console.log(config.enableSecretExtraction); // false
 * ```
 */
export class ClientConfig extends TlsConfig<ClientConfigOptions, ResolvedClientConfig> {
  /** Where this config keeps session tickets (undefined when resumption is off). */
  readonly sessionStore: ClientSessionStore | undefined;

  /** Validates `options`; throws `TypeError` for bad ones. */
  constructor(options: ClientConfigOptions) {
    super(options, "ClientConfig");
    if (!options.verifier && !options.roots) {
      throw new TypeError("ClientConfig: give `roots` or a `verifier`");
    }
    if ((options.certificateChain === undefined) !== (options.privateKey === undefined)) {
      throw new TypeError("ClientConfig: certificateChain and privateKey go together");
    }
    if (options.certificateChain !== undefined) {
      parseCertChain(options.certificateChain, "ClientConfig");
    }
    if (options.ech !== undefined) checkEchOptions(options);
    this.sessionStore = options.resumption === false
      ? undefined
      : options.sessionStore ?? new InMemoryClientSessionStore();
  }

  /** Resolves the provider and keys (once: see `resolve()`). */
  protected async resolveOnce(): Promise<ResolvedClientConfig> {
    const o = this.options;
    const common = await resolveCommon(o);
    const verifier = o.verifier ??
      new WebPkiServerVerifier({
        roots: o.roots!,
        verifiers: common.provider.signatureVerifiers,
      });
    const clientAuth = o.certificateChain !== undefined && o.privateKey !== undefined
      ? await loadCertifiedKey(common.provider, o.certificateChain, o.privateKey)
      : undefined;
    return {
      ...common,
      verifier,
      enableSni: o.enableSni ?? true,
      clientAuth,
      middleboxCompat: o.middleboxCompat ?? true,
      sessionStore: this.sessionStore,
      enableEarlyData: o.enableEarlyData ?? false,
      grease: o.grease ?? true,
      ech: o.ech && chooseEchConfig(common.provider, o.ech.configList),
      echGrease: o.ech === undefined && (o.echGrease ?? false),
    };
  }
}

function checkEchOptions(options: ClientConfigOptions): void {
  if (!(options.ech?.configList instanceof Uint8Array)) {
    throw new TypeError("ClientConfig: ech.configList must be a Uint8Array");
  }
  if (options.versions && !options.versions.includes("TLSv1_3")) {
    throw new TypeError("ClientConfig: ech needs TLS 1.3");
  }
  try {
    readEchConfigList(options.ech.configList);
  } catch (e) {
    throw new TypeError(`ClientConfig: ech.configList: ${(e as Error).message}`);
  }
}

function chooseEchConfig(provider: CryptoProvider, configList: Uint8Array): ChosenEchConfig {
  const chosen = selectEchConfig(provider, configList);
  if (!chosen) {
    throw new TypeError("ClientConfig: no config in ech.configList is usable by this provider");
  }
  return chosen;
}
