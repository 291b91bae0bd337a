/**
 * The certificate verifier interfaces the TLS configs take, and the default
 * Web PKI implementations of them.
 *
 * @module
 */

import type { SignatureVerifier } from "../crypto/types.ts";
import { certError } from "./_errors.ts";
import type { RsaMinimumBits } from "./algorithms.ts";
import { type ChainSettings, chainSettings, handshakeSignature, verifyChain } from "./chain.ts";
import { Eku } from "./extensions.ts";
import { parseServerName, sanMatches } from "./name.ts";
import type { RevocationOptions } from "./revocation.ts";
import type { RootCertStore } from "./root_store.ts";

/**
 * The handshake signature checks both verifier kinds make: the peer's
 * CertificateVerify (TLS 1.3), its ServerKeyExchange or CertificateVerify
 * (TLS 1.2), under the end-entity certificate's key.
 *
 * @example
 * ```ts
 * import { RootCertStore, WebPkiServerVerifier } from "@kerneltls/tls";
 * import type { HandshakeSignatureVerifier } from "@kerneltls/tls";
 * const v: HandshakeSignatureVerifier = new WebPkiServerVerifier({ roots: new RootCertStore() });
 * console.log(v.supportedVerifySchemes().length > 0); // true
 * ```
 */
export interface HandshakeSignatureVerifier {
  /** TLS 1.3 CertificateVerify; throws detail "BadSignature", alert decrypt_error when bad. */
  verifyTls13Signature(
    message: Uint8Array,
    endEntity: Uint8Array,
    scheme: number,
    signature: Uint8Array,
  ): Promise<void>;
  /** TLS 1.2 ServerKeyExchange (client side) or CertificateVerify (server side). */
  verifyTls12Signature(
    message: Uint8Array,
    endEntity: Uint8Array,
    scheme: number,
    signature: Uint8Array,
  ): Promise<void>;
  /** Schemes to advertise in signature_algorithms. */
  supportedVerifySchemes(): readonly number[];
}

/**
 * Verifies a server's certificate chain and its handshake signatures (client side).
 *
 * @example
 * ```ts
 * import { ClientConfig, RootCertStore, WebPkiServerVerifier } from "@kerneltls/tls";
 * import type { ServerCertVerifier } from "@kerneltls/tls";
 * const verifier: ServerCertVerifier = new WebPkiServerVerifier({ roots: new RootCertStore() });
 * const config = new ClientConfig({ verifier });
 * console.log(verifier.supportedVerifySchemes().length > 0); // true
 * void config;
 * ```
 */
export interface ServerCertVerifier extends HandshakeSignatureVerifier {
  /** Throws TlsError("InvalidCertificate", ..., { detail, alert }) when refused. */
  verifyServerCert(
    endEntity: Uint8Array,
    intermediates: readonly Uint8Array[],
    serverName: string,
    now: Date,
  ): Promise<void>;
}

/**
 * Verifies a client's certificate chain and its handshake signatures (server side).
 *
 * @example
 * ```ts
 * import { RootCertStore, ServerConfig, WebPkiClientVerifier } from "@kerneltls/tls";
 * import type { ClientCertVerifier } from "@kerneltls/tls";
 * const clientCertVerifier: ClientCertVerifier = new WebPkiClientVerifier({
 *   roots: new RootCertStore(),
 * });
 * const config = new ServerConfig({ certResolver: () => undefined, clientCertVerifier });
 * console.log(clientCertVerifier.clientAuthMandatory()); // true
 * void config;
 * ```
 */
export interface ClientCertVerifier extends HandshakeSignatureVerifier {
  /** Whether the server sends CertificateRequest. */
  offerClientAuth(): boolean;
  /** Whether a client without a certificate is refused. */
  clientAuthMandatory(): boolean;
  /** DER subject names for the certificate_authorities extension. */
  rootHintSubjects(): readonly Uint8Array[];
  /** Throws TlsError("InvalidCertificate", ...) when refused. */
  verifyClientCert(
    endEntity: Uint8Array,
    intermediates: readonly Uint8Array[],
    now: Date,
  ): Promise<void>;
}

/**
 * Options shared by the Web PKI verifiers.
 *
 * @example
 * ```ts
 * import { RootCertStore, WebPkiServerVerifier } from "@kerneltls/tls";
 * import type { WebPkiVerifierOptions } from "@kerneltls/tls";
 * const options: WebPkiVerifierOptions = { roots: new RootCertStore(), maxIntermediates: 3 };
 * const verifier = new WebPkiServerVerifier(options);
 * void verifier;
 * ```
 */
export interface WebPkiVerifierOptions {
  /** Trust anchors. */
  roots: RootCertStore;
  /**
   * Signature verifiers, the only crypto the verifier uses (the client config
   * passes its provider's); defaults to the Web Crypto ones.
   */
  verifiers?: readonly SignatureVerifier[];
  /** Most intermediates in a path (self-issued ones not counted). Default 6. */
  maxIntermediates?: number;
  /**
   * Smallest RSA modulus accepted anywhere in the path and in handshake
   * signatures, in bits. Default 2048 (CA/Browser Forum baseline requirements
   * 6.1.5); 1024 is for legacy private PKIs and is the lowest there is. Keys
   * below it are refused with detail `RsaKeyTooSmall`; lengths that are not a
   * multiple of 8, or above 8192 bits, with `UnsupportedRsaKeySize`.
   */
  minRsaKeyBits?: RsaMinimumBits;
  /**
   * Revocation checking with CRLs (off when absent). By default every
   * certificate but the trust anchor must be covered by a current CRL of its
   * issuer (`depth: "chain"`, `unknownStatus: "deny"`, `expiredCrls: "enforce"`).
   */
  revocation?: RevocationOptions;
  /**
   * How many certificate signatures found valid this verifier remembers
   * (exact certificate and issuer key bytes; least recently used dropped), so
   * a peer seen again costs no new signature checks for its chain. Only the
   * signature check is skipped: dates, constraints, names and revocation are
   * checked on every handshake. Default 64; 0 turns the cache off.
   */
  signatureCacheSize?: number;
}

let settingsOf: (verifier: WebPkiVerifier) => ChainSettings;

/**
 * What {@link WebPkiServerVerifier} and {@link WebPkiClientVerifier} share: the
 * chain settings built from the options, and the handshake signature checks
 * (TLS 1.3 CertificateVerify; TLS 1.2 ServerKeyExchange or CertificateVerify).
 *
 * @example
 * ```ts
 * import { RootCertStore } from "./root_store.ts";
 * import { type WebPkiVerifier, WebPkiServerVerifier } from "./verifier.ts";
 * const verifier: WebPkiVerifier = new WebPkiServerVerifier({ roots: new RootCertStore() });
 * console.log(verifier.supportedVerifySchemes().length > 0); // true
 * ```
 */
export abstract class WebPkiVerifier implements HandshakeSignatureVerifier {
  #settings: ChainSettings;

  /**
   * Builds the settings from `opts`. Throws `RangeError` or `TypeError` for a
   * bad option, `SyntaxError` for a CRL that does not parse.
   */
  constructor(opts: WebPkiVerifierOptions) {
    this.#settings = chainSettings(opts);
  }

  static {
    settingsOf = (verifier) => verifier.#settings;
  }

  /** Checks a TLS 1.3 CertificateVerify signature. */
  verifyTls13Signature(
    message: Uint8Array,
    endEntity: Uint8Array,
    scheme: number,
    signature: Uint8Array,
  ): Promise<void> {
    return handshakeSignature(this.#settings, true, message, endEntity, scheme, signature);
  }

  /** Checks a TLS 1.2 signature (ServerKeyExchange or CertificateVerify). */
  verifyTls12Signature(
    message: Uint8Array,
    endEntity: Uint8Array,
    scheme: number,
    signature: Uint8Array,
  ): Promise<void> {
    return handshakeSignature(this.#settings, false, message, endEntity, scheme, signature);
  }

  /** Every scheme of the configured verifiers. */
  supportedVerifySchemes(): readonly number[] {
    return this.#settings.verifiers.map((v) => v.scheme);
  }
}

/**
 * The default verifier of server certificates: a path to `roots`, serverAuth,
 * and the server name in the subjectAltName.
 *
 * What it checks:
 * - path building through the sent intermediates to an anchor, every
 *   candidate path tried, the most specific refusal reported; v3, strict DER,
 *   validity (whole seconds), basicConstraints, keyUsage, pathLenConstraint,
 *   `maxIntermediates`, extKeyUsage, unknown critical extensions refused;
 * - the server name against SAN dNSName (RFC 6125, left-most wildcard label)
 *   and iPAddress; the Common Name is never read;
 * - name constraints on dNSName (a wildcard SAN as all the names it can
 *   match), iPAddress, directoryName (subject and SAN) and rfc822Name; a
 *   constraint on another name type refuses a chain that has such a name;
 * - RSA keys of at least `minRsaKeyBits` (2048; 1024 at the lowest), a
 *   multiple of 8 and at most 8192 bits, in the path and in handshake
 *   signatures; on Deno, RSA keys above 4096 bits give `UnsupportedRsaKeySize`
 *   (its Web Crypto cannot use them);
 * - CRL revocation when `revocation` is set (see {@link RevocationOptions});
 * - at most 48 signature checks (in P-256 units) and 250,000 name-constraint comparisons;
 *   certificate signatures already found valid are remembered (see
 *   `signatureCacheSize`).
 *
 * Not checked: certificate policies, OCSP, CRL fetching, delta or indirect
 * CRLs, Certificate Transparency, the public suffix list, the Common Name,
 * and the trust anchors' own profile (they are trusted as configured).
 *
 * @example
 * ```ts
 * import { RootCertStore } from "./root_store.ts";
 * import { WebPkiServerVerifier } from "./verifier.ts";
 * const verifier = new WebPkiServerVerifier({ roots: new RootCertStore() });
 * console.log(verifier.supportedVerifySchemes().length > 0); // true
 * ```
 */
export class WebPkiServerVerifier extends WebPkiVerifier implements ServerCertVerifier {
  /**
   * Creates a verifier trusting `roots`. Throws `RangeError` or `TypeError`
   * for a bad option, `SyntaxError` for a CRL that does not parse.
   */
  constructor(opts: WebPkiVerifierOptions) {
    super(opts);
  }

  /** Validates the chain for `serverName` (DNS name or IP literal) at `now`. */
  async verifyServerCert(
    endEntity: Uint8Array,
    intermediates: readonly Uint8Array[],
    serverName: string,
    now: Date,
  ): Promise<void> {
    const reference = parseServerName(serverName);
    const leaf = await verifyChain(settingsOf(this), endEntity, intermediates, now, Eku.serverAuth);
    const san = leaf.extensions.subjectAltName?.names ?? [];
    if (!sanMatches(san, reference)) {
      throw certError("NotValidForName", `certificate is not valid for ${serverName}`);
    }
  }
}

/**
 * Options of {@link WebPkiClientVerifier}.
 *
 * @example
 * ```ts
 * import { RootCertStore, WebPkiClientVerifier } from "@kerneltls/tls";
 * import type { WebPkiClientVerifierOptions } from "@kerneltls/tls";
 * const options: WebPkiClientVerifierOptions = { roots: new RootCertStore(), mandatory: false };
 * const verifier = new WebPkiClientVerifier(options);
 * console.log(verifier.clientAuthMandatory()); // false
 * ```
 */
export interface WebPkiClientVerifierOptions extends WebPkiVerifierOptions {
  /** Refuse clients without a certificate (default true). */
  mandatory?: boolean;
}

/**
 * The default verifier of client certificates: a path to `roots` with
 * clientAuth, with the checks (and limits) of {@link WebPkiServerVerifier}
 * except that no name is checked (name constraints still apply, rfc822Name
 * ones included).
 *
 * @example
 * ```ts
 * import { RootCertStore } from "./root_store.ts";
 * import { WebPkiClientVerifier } from "./verifier.ts";
 * const v = new WebPkiClientVerifier({ roots: new RootCertStore(), mandatory: false });
 * console.log(v.clientAuthMandatory()); // false
 * ```
 */
export class WebPkiClientVerifier extends WebPkiVerifier implements ClientCertVerifier {
  #opts: WebPkiClientVerifierOptions;

  /**
   * Creates a verifier trusting `roots`. Throws `RangeError` or `TypeError`
   * for a bad option, `SyntaxError` for a CRL that does not parse.
   */
  constructor(opts: WebPkiClientVerifierOptions) {
    super(opts);
    this.#opts = opts;
  }

  /** Always true: this verifier asks for a certificate. */
  offerClientAuth(): boolean {
    return true;
  }

  /** Whether a certificate is required. */
  clientAuthMandatory(): boolean {
    return this.#opts.mandatory ?? true;
  }

  /** Subjects of the trust anchors. */
  rootHintSubjects(): readonly Uint8Array[] {
    return this.#opts.roots.subjects();
  }

  /** Validates the client's chain at `now`. */
  async verifyClientCert(
    endEntity: Uint8Array,
    intermediates: readonly Uint8Array[],
    now: Date,
  ): Promise<void> {
    await verifyChain(settingsOf(this), endEntity, intermediates, now, Eku.clientAuth);
  }
}
