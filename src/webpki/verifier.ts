/**
 * The certificate verifier interfaces the TLS configs take, and the default
 * Web PKI implementations of them.
 *
 * @module
 */

import type { SignatureVerifier } from "../crypto/types.ts";
import { signatureVerifiers } from "../crypto/webcrypto/verify.ts";
import { certError } from "./_errors.ts";
import { checkRsaMinimumOption, type RsaMinimumBits } from "./algorithms.ts";
import { Eku } from "./extensions.ts";
import { parseServerName, sanMatches } from "./name.ts";
import { buildPath } from "./path.ts";
import type { RootCertStore } from "./root_store.ts";
import { verifyHandshakeSignature } from "./tls_signatures.ts";
import { type Certificate, parseCertificate } from "./x509.ts";

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
export interface ServerCertVerifier {
  /** Throws TlsError("InvalidCertificate", ..., { detail, alert }) when refused. */
  verifyServerCert(
    endEntity: Uint8Array,
    intermediates: readonly Uint8Array[],
    serverName: string,
    now: Date,
  ): Promise<void>;
  /** TLS 1.3 CertificateVerify; throws detail "BadSignature", alert decrypt_error when bad. */
  verifyTls13Signature(
    message: Uint8Array,
    endEntity: Uint8Array,
    scheme: number,
    signature: Uint8Array,
  ): Promise<void>;
  /** TLS 1.2 ServerKeyExchange / CertificateVerify. */
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
export interface ClientCertVerifier {
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
  /** TLS 1.3 CertificateVerify. */
  verifyTls13Signature(
    message: Uint8Array,
    endEntity: Uint8Array,
    scheme: number,
    signature: Uint8Array,
  ): Promise<void>;
  /** TLS 1.2 CertificateVerify. */
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
}

/**
 * Parses the chain and builds a validated path for `eku`; returns the leaf.
 * Shared by both verifiers.
 */
export async function verifyChain(
  opts: WebPkiVerifierOptions,
  endEntity: Uint8Array,
  intermediates: readonly Uint8Array[],
  now: Date,
  eku: string,
): Promise<Certificate> {
  const leaf = parseCertificate(endEntity);
  // An intermediate that does not parse cannot be in any path: skip it.
  const inter: Certificate[] = [];
  for (const der of intermediates) {
    try {
      inter.push(parseCertificate(der));
    } catch {
      // ignored on purpose
    }
  }
  await buildPath(leaf, inter, opts.roots.roots, {
    now: now.getTime(),
    eku,
    verifiers: opts.verifiers ?? signatureVerifiers,
    maxIntermediates: opts.maxIntermediates,
    minRsaBits: opts.minRsaKeyBits,
  });
  return leaf;
}

/**
 * The default verifier of server certificates: a path to `roots`, serverAuth,
 * and the server name in the subjectAltName.
 *
 * @example
 * ```ts
 * import { RootCertStore } from "./root_store.ts";
 * import { WebPkiServerVerifier } from "./verifier.ts";
 * const verifier = new WebPkiServerVerifier({ roots: new RootCertStore() });
 * console.log(verifier.supportedVerifySchemes().length > 0); // true
 * ```
 */
export class WebPkiServerVerifier implements ServerCertVerifier {
  #opts: WebPkiVerifierOptions;
  #verifiers: readonly SignatureVerifier[];
  #minRsa: number;

  /** Creates a verifier trusting `roots`; throws `RangeError` for a bad option. */
  constructor(opts: WebPkiVerifierOptions) {
    this.#opts = opts;
    this.#verifiers = opts.verifiers ?? signatureVerifiers;
    this.#minRsa = checkRsaMinimumOption(opts.minRsaKeyBits);
  }

  /** Validates the chain for `serverName` (DNS name or IP literal) at `now`. */
  async verifyServerCert(
    endEntity: Uint8Array,
    intermediates: readonly Uint8Array[],
    serverName: string,
    now: Date,
  ): Promise<void> {
    const reference = parseServerName(serverName);
    const leaf = await verifyChain(this.#opts, endEntity, intermediates, now, Eku.serverAuth);
    const san = leaf.extensions.subjectAltName?.names ?? [];
    if (!sanMatches(san, reference)) {
      throw certError("NotValidForName", `certificate is not valid for ${serverName}`);
    }
  }

  /** Checks a TLS 1.3 CertificateVerify signature. */
  verifyTls13Signature(
    message: Uint8Array,
    endEntity: Uint8Array,
    scheme: number,
    signature: Uint8Array,
  ): Promise<void> {
    return verifyHandshakeSignature(
      this.#verifiers,
      true,
      message,
      endEntity,
      scheme,
      signature,
      this.#minRsa,
    );
  }

  /** Checks a TLS 1.2 ServerKeyExchange signature. */
  verifyTls12Signature(
    message: Uint8Array,
    endEntity: Uint8Array,
    scheme: number,
    signature: Uint8Array,
  ): Promise<void> {
    return verifyHandshakeSignature(
      this.#verifiers,
      false,
      message,
      endEntity,
      scheme,
      signature,
      this.#minRsa,
    );
  }

  /** Every scheme of the configured verifiers. */
  supportedVerifySchemes(): readonly number[] {
    return this.#verifiers.map((v) => v.scheme);
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
 * clientAuth. No name is checked.
 *
 * @example
 * ```ts
 * import { RootCertStore } from "./root_store.ts";
 * import { WebPkiClientVerifier } from "./verifier.ts";
 * const v = new WebPkiClientVerifier({ roots: new RootCertStore(), mandatory: false });
 * console.log(v.clientAuthMandatory()); // false
 * ```
 */
export class WebPkiClientVerifier implements ClientCertVerifier {
  #opts: WebPkiClientVerifierOptions;
  #verifiers: readonly SignatureVerifier[];
  #minRsa: number;

  /** Creates a verifier trusting `roots`; throws `RangeError` for a bad option. */
  constructor(opts: WebPkiClientVerifierOptions) {
    this.#opts = opts;
    this.#verifiers = opts.verifiers ?? signatureVerifiers;
    this.#minRsa = checkRsaMinimumOption(opts.minRsaKeyBits);
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
    await verifyChain(this.#opts, endEntity, intermediates, now, Eku.clientAuth);
  }

  /** Checks a TLS 1.3 CertificateVerify signature. */
  verifyTls13Signature(
    message: Uint8Array,
    endEntity: Uint8Array,
    scheme: number,
    signature: Uint8Array,
  ): Promise<void> {
    return verifyHandshakeSignature(
      this.#verifiers,
      true,
      message,
      endEntity,
      scheme,
      signature,
      this.#minRsa,
    );
  }

  /** Checks a TLS 1.2 CertificateVerify signature. */
  verifyTls12Signature(
    message: Uint8Array,
    endEntity: Uint8Array,
    scheme: number,
    signature: Uint8Array,
  ): Promise<void> {
    return verifyHandshakeSignature(
      this.#verifiers,
      false,
      message,
      endEntity,
      scheme,
      signature,
      this.#minRsa,
    );
  }

  /** Every scheme of the configured verifiers. */
  supportedVerifySchemes(): readonly number[] {
    return this.#verifiers.map((v) => v.scheme);
  }
}
