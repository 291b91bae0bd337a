/**
 * Server configuration: a plain options object validated at construction.
 *
 * @module
 */

import type { ClientCertVerifier } from "../webpki/verifier.ts";
import {
  type CertChainInput,
  type CertifiedKey,
  type CommonConfigOptions,
  loadCertifiedKey,
  parseCertChain,
  resolveCommon,
  type ResolvedCommon,
  validateCommon,
} from "../common/config_base.ts";

/** What the server knows when it picks a certificate. */
export interface ClientHelloInfo {
  /** The SNI host name, if the client sent one. */
  serverName: string | undefined;
  /** Signature schemes the client accepts. */
  signatureSchemes: readonly number[];
  /** ALPN protocols the client offered. */
  alpnProtocols: readonly string[];
}

/** Picks a certificate for a ClientHello; `undefined` refuses the handshake. */
export type CertResolver = (
  hello: ClientHelloInfo,
) => CertifiedKey | undefined | Promise<CertifiedKey | undefined>;

/** Options for {@link ServerConfig}. */
export interface ServerConfigOptions extends CommonConfigOptions {
  /** Certificate chain (PEM text or DER list, end entity first). */
  certificateChain?: CertChainInput;
  /** Private key for `certificateChain` (PKCS#8 PEM or DER). */
  privateKey?: string | Uint8Array;
  /** Picks a certificate per ClientHello (for example by SNI); overrides the chain. */
  certResolver?: CertResolver;
  /** Client authentication (default none). `WebPkiClientVerifier` is the usual one. */
  clientCertVerifier?: ClientCertVerifier;
  /**
   * Answer the client's ALPN with no protocol when nothing matches instead of
   * failing with no_application_protocol (default false).
   */
  ignoreAlpnMismatch?: boolean;
}

/** A server config with everything async resolved. */
export interface ResolvedServerConfig extends ResolvedCommon {
  /** Picks the certificate (a fixed one when the options gave a chain). */
  certResolver: CertResolver;
  /** Client authentication, if configured. */
  clientCertVerifier: ClientCertVerifier | undefined;
  /** Carry on without ALPN when nothing matches. */
  ignoreAlpnMismatch: boolean;
}

/**
 * Server settings shared by any number of connections.
 *
 * @example
 * ```ts
 * import { ServerConfig } from "@kerneltls/tls";
 * const config = new ServerConfig({ certResolver: () => undefined });
 * console.log(config.enableSecretExtraction); // false
 * ```
 */
export class ServerConfig {
  /** The options as given. */
  readonly options: Readonly<ServerConfigOptions>;
  #resolved: Promise<ResolvedServerConfig> | undefined;

  /** Validates `options`; throws `TypeError` for bad ones. */
  constructor(options: ServerConfigOptions) {
    validateCommon(options, "ServerConfig");
    if (!options.certResolver) {
      if (options.certificateChain === undefined || options.privateKey === undefined) {
        throw new TypeError("ServerConfig: give certificateChain and privateKey, or certResolver");
      }
      parseCertChain(options.certificateChain, "ServerConfig");
    }
    this.options = { ...options };
  }

  /** Whether `dangerousIntoKernelConnection()` is allowed. */
  get enableSecretExtraction(): boolean {
    return this.options.enableSecretExtraction ?? false;
  }

  /** Resolves the provider and keys once; later calls share the result. */
  resolve(): Promise<ResolvedServerConfig> {
    this.#resolved ??= this.#doResolve();
    return this.#resolved;
  }

  async #doResolve(): Promise<ResolvedServerConfig> {
    const o = this.options;
    const common = await resolveCommon(o);
    let certResolver = o.certResolver;
    if (!certResolver) {
      const key = await loadCertifiedKey(common.provider, o.certificateChain!, o.privateKey!);
      certResolver = () => key;
    }
    return {
      ...common,
      certResolver,
      clientCertVerifier: o.clientCertVerifier,
      ignoreAlpnMismatch: o.ignoreAlpnMismatch ?? false,
    };
  }
}
