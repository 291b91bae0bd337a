/**
 * Server configuration: a plain options object validated at construction.
 *
 * @module
 */

import type { ClientCertVerifier } from "../webpki/verifier.ts";
import { InMemoryServerSessionStore, type ServerSessionStore } from "./session_store.ts";
import type { Ticketer } from "./ticketer.ts";
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
import { type EchKey, type ResolvedEch, resolveEchKeys } from "./ech_keys.ts";

/**
 * What the server knows when it picks a certificate.
 *
 * @example
 * ```ts
 * import type { ClientHelloInfo } from "@kerneltls/tls";
 * const hello: ClientHelloInfo = {
 *   serverName: "example.com",
 *   signatureSchemes: [0x0403, 0x0804],
 *   alpnProtocols: ["h2"],
 * };
 * console.log(hello.serverName); // example.com
 * ```
 */
export interface ClientHelloInfo {
  /** The SNI host name, if the client sent one. */
  serverName: string | undefined;
  /** Signature schemes the client accepts. */
  signatureSchemes: readonly number[];
  /** ALPN protocols the client offered. */
  alpnProtocols: readonly string[];
}

/**
 * Picks a certificate for a ClientHello; `undefined` refuses the handshake.
 *
 * @example
 * ```ts
 * import { ServerConfig } from "@kerneltls/tls";
 * import type { CertifiedKey, CertResolver } from "@kerneltls/tls";
 * const byName = new Map<string, CertifiedKey>(); // filled at startup
 * const certResolver: CertResolver = (hello) => byName.get(hello.serverName ?? "");
 * const config = new ServerConfig({ certResolver });
 * void config;
 * ```
 */
export type CertResolver = (
  hello: ClientHelloInfo,
) => CertifiedKey | undefined | Promise<CertifiedKey | undefined>;

/**
 * Options for {@link ServerConfig}.
 *
 * @example
 * ```ts
 * import { ServerConfig } from "@kerneltls/tls";
 * import type { ServerConfigOptions } from "@kerneltls/tls";
 * const options: ServerConfigOptions = {
 *   certResolver: () => undefined, // or certificateChain and privateKey (PEM)
 *   alpnProtocols: ["h2", "http/1.1"],
 *   sendTls13Tickets: 1,
 * };
 * const config = new ServerConfig(options);
 * console.log(config.enableSecretExtraction); // false
 * ```
 */
export interface ServerConfigOptions extends CommonConfigOptions {
  /** Certificate chain (PEM text or DER list, end entity first). */
  certificateChain?: CertChainInput;
  /** Private key for `certificateChain` (PKCS#8 PEM or DER). */
  privateKey?: string | Uint8Array;
  /** Picks a certificate per ClientHello (for example by SNI); overrides the chain. */
  certResolver?: CertResolver;
  /**
   * Client authentication, TLS 1.3 and 1.2 alike (default none):
   * CertificateRequest is sent when it offers client auth, and the client's
   * chain and CertificateVerify go to it. `WebPkiClientVerifier` is the usual one.
   */
  clientCertVerifier?: ClientCertVerifier;
  /**
   * Answer the client's ALPN with no protocol when nothing matches instead of
   * failing with no_application_protocol (default false).
   */
  ignoreAlpnMismatch?: boolean;
  /** Resume sessions and issue tickets (default true). */
  resumption?: boolean;
  /** NewSessionTickets sent after each full or resumed handshake (default 2; 0 sends none). */
  sendTls13Tickets?: number;
  /**
   * Stateful tickets: where sessions are kept (default an
   * `InMemoryServerSessionStore` per config). Ignored when `ticketer` is set.
   */
  sessionStore?: ServerSessionStore;
  /** Lifetime of stateful tickets in seconds (default 86400, at most 604800). */
  ticketLifetimeSeconds?: number;
  /**
   * Stateless tickets: the session sealed into the ticket (for example a
   * shared `RotatingTicketer`). Such tickets never allow 0-RTT, since nothing
   * remembers that one was used.
   */
  ticketer?: Ticketer;
  /** Also resume with psk_ke (no (EC)DHE, no forward secrecy) when the client asks for only that (default false). */
  allowPskKe?: boolean;
  /**
   * Largest 0-RTT data accepted, in bytes (default 0: early data off). Only
   * stateful tickets carry it, and each such ticket is good for 0-RTT once.
   */
  maxEarlyDataSize?: number;
  /**
   * Encrypted Client Hello (RFC 9849), as a client-facing server in shared
   * mode: the HPKE keys with their ECHConfigs (from `generateEchConfig`),
   * several at once while keys rotate. A ClientHelloOuter that one of them
   * opens is answered as its ClientHelloInner (`serverName` is then the inner
   * name); any other gets the outer hello's handshake (so have a certificate
   * for the public name) with every config sent back as retry_configs.
   * `trialDecryption: true` tries every key whatever config_id the client
   * sends (RFC 9849 section 10.4: for deployments whose clients randomise
   * it; costs one decapsulation per key for each ClientHello that opens with
   * none, so leave it off unless the application profile asks for it).
   */
  ech?: { keys: EchKey[]; trialDecryption?: boolean };
}

/**
 * A server config with everything async resolved.
 *
 * @example
 * ```ts
 * import { ServerConfig } from "@kerneltls/tls";
 * import type { ResolvedServerConfig } from "@kerneltls/tls";
 * const config = new ServerConfig({ certResolver: () => undefined });
 * const resolved: ResolvedServerConfig = await config.resolve();
 * console.log(resolved.sendTls13Tickets); // 2
 * ```
 */
export interface ResolvedServerConfig extends ResolvedCommon {
  /** Picks the certificate (a fixed one when the options gave a chain). */
  certResolver: CertResolver;
  /** Client authentication, if configured. */
  clientCertVerifier: ClientCertVerifier | undefined;
  /** Carry on without ALPN when nothing matches. */
  ignoreAlpnMismatch: boolean;
  /** Whether tickets are issued and accepted. */
  resumption: boolean;
  /** Tickets sent per handshake. */
  sendTls13Tickets: number;
  /** The stateful store (used when no ticketer is set). */
  sessionStore: ServerSessionStore;
  /** Stateful ticket lifetime, seconds. */
  ticketLifetimeSeconds: number;
  /** The stateless ticketer, if any. */
  ticketer: Ticketer | undefined;
  /** Whether psk_ke may be chosen. */
  allowPskKe: boolean;
  /** 0-RTT budget; 0 disables early data. */
  maxEarlyDataSize: number;
  /** The ECH keys and retry configs, when configured. */
  ech: ResolvedEch | undefined;
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
export class ServerConfig extends TlsConfig<ServerConfigOptions, ResolvedServerConfig> {
  /** Validates `options`; throws `TypeError` for bad ones. */
  constructor(options: ServerConfigOptions) {
    super(options, "ServerConfig");
    if (!options.certResolver) {
      if (options.certificateChain === undefined || options.privateKey === undefined) {
        throw new TypeError("ServerConfig: give certificateChain and privateKey, or certResolver");
      }
      parseCertChain(options.certificateChain, "ServerConfig");
    }
    const ints: [string, number | undefined, number][] = [
      ["sendTls13Tickets", options.sendTls13Tickets, 255],
      ["ticketLifetimeSeconds", options.ticketLifetimeSeconds, 604800],
      ["maxEarlyDataSize", options.maxEarlyDataSize, 0xffffffff],
    ];
    for (const [name, value, max] of ints) {
      if (value !== undefined && (!Number.isInteger(value) || value < 0 || value > max)) {
        throw new TypeError(`ServerConfig: ${name} must be an integer from 0 to ${max}`);
      }
    }
    if (options.ech !== undefined && !Array.isArray(options.ech?.keys)) {
      throw new TypeError("ServerConfig: ech.keys must be an array");
    }
    this.#sessionStore = options.sessionStore ?? new InMemoryServerSessionStore();
  }

  readonly #sessionStore: ServerSessionStore;

  /** Resolves the provider and keys (once: see `resolve()`). */
  protected async resolveOnce(): Promise<ResolvedServerConfig> {
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
      resumption: o.resumption ?? true,
      sendTls13Tickets: o.sendTls13Tickets ?? 2,
      sessionStore: this.#sessionStore,
      ticketLifetimeSeconds: o.ticketLifetimeSeconds ?? 86400,
      ticketer: o.ticketer,
      allowPskKe: o.allowPskKe ?? false,
      maxEarlyDataSize: o.maxEarlyDataSize ?? 0,
      ech: o.ech && resolveEchKeys(common.provider, o.ech.keys, o.ech.trialDecryption ?? false),
    };
  }
}
