/**
 * The TLS 1.3 authentication messages: CertificateRequest, Certificate and
 * CertificateVerify (RFC 8446 sections 4.3.2, 4.4.2 and 4.4.3).
 *
 * @module
 */

import { decodeError, tlsError } from "../error.ts";
import type { Reader, Writer } from "./codec.ts";
import { AlertDescription, ExtensionType, HandshakeType } from "./enums.ts";
import { findExtension, readExtensions, writeExtensions } from "./extensions.ts";
import type { CertificateEntryExtension, CertificateRequestExtension } from "./extension_types.ts";

/** A CertificateRequest (TLS 1.3 form). */
export interface CertificateRequest {
  /** Always `HandshakeType.certificate_request`. */
  type: typeof HandshakeType.certificate_request;
  /** Echoed in the client's Certificate; empty during the handshake. */
  certificateRequestContext: Uint8Array;
  /** Extensions in wire order; signature_algorithms is always present. */
  extensions: CertificateRequestExtension[];
}

/** One certificate of a Certificate message, with its own extensions. */
export interface CertificateEntry {
  /** The DER certificate (non-empty). */
  cert: Uint8Array;
  /** Extensions of this entry (for example an OCSP status). */
  extensions: CertificateEntryExtension[];
}

/** A Certificate (TLS 1.3 form). */
export interface Certificate {
  /** Always `HandshakeType.certificate`. */
  type: typeof HandshakeType.certificate;
  /** Empty from a server; the CertificateRequest's context from a client. */
  certificateRequestContext: Uint8Array;
  /** End-entity first. Empty when a client has no certificate to send. */
  certificateList: CertificateEntry[];
}

/** A CertificateVerify. */
export interface CertificateVerify {
  /** Always `HandshakeType.certificate_verify`. */
  type: typeof HandshakeType.certificate_verify;
  /** `SignatureScheme` code point. */
  scheme: number;
  /** The signature bytes. */
  signature: Uint8Array;
}

/**
 * Reads a CertificateRequest body. An empty extension list is a `decode_error`;
 * a missing signature_algorithms is a `missing_extension` (RFC 8446 4.3.2).
 *
 * @example
 * ```ts
 * import { Reader } from "./codec.ts";
 * import { readCertificateRequest } from "./certificate.ts";
 * const body = new Uint8Array([0, 0, 8, 0, 13, 0, 4, 0, 2, 8, 4]);
 * console.log(readCertificateRequest(new Reader(body)).extensions); // [ { type: 13, schemes: [ 2052 ] } ]
 * ```
 */
export function readCertificateRequest(r: Reader): CertificateRequest {
  const certificateRequestContext = r.vec8();
  const extensions = readExtensions(r, "CertificateRequest");
  r.expectEnd("CertificateRequest");
  if (extensions.length === 0) throw decodeError("CertificateRequest: no extensions", "EmptyList");
  if (findExtension(extensions, ExtensionType.signature_algorithms) === undefined) {
    throw tlsError(
      "PeerMisbehaved",
      "MissingSignatureAlgorithms",
      "CertificateRequest without signature_algorithms",
      { alert: AlertDescription.missing_extension },
    );
  }
  return { type: HandshakeType.certificate_request, certificateRequestContext, extensions };
}

/**
 * Writes a CertificateRequest body.
 *
 * @example
 * ```ts
 * import { Writer } from "./codec.ts";
 * import { writeCertificateRequest } from "./certificate.ts";
 * const w = new Writer();
 * writeCertificateRequest(w, {
 *   type: 13, certificateRequestContext: new Uint8Array(0),
 *   extensions: [{ type: 13, schemes: [0x0804] }],
 * });
 * console.log(w.length); // 11
 * ```
 */
export function writeCertificateRequest(w: Writer, msg: CertificateRequest): void {
  w.vec8(msg.certificateRequestContext);
  writeExtensions(w, msg.extensions, "CertificateRequest");
}

/**
 * Reads a Certificate body.
 *
 * @example
 * ```ts
 * import { Reader } from "./codec.ts";
 * import { readCertificate } from "./certificate.ts";
 * const body = new Uint8Array([0, 0, 0, 6, 0, 0, 1, 0x30, 0, 0]);
 * console.log(readCertificate(new Reader(body)).certificateList.length); // 1
 * ```
 */
export function readCertificate(r: Reader): Certificate {
  const certificateRequestContext = r.vec8();
  const list = r.sub24("Certificate certificate_list");
  const certificateList: CertificateEntry[] = [];
  while (!list.atEnd) {
    const cert = list.vec24();
    if (cert.length === 0) throw decodeError("Certificate: empty cert_data", "EmptyList");
    certificateList.push({ cert, extensions: readExtensions(list, "Certificate") });
  }
  r.expectEnd("Certificate");
  return { type: HandshakeType.certificate, certificateRequestContext, certificateList };
}

/**
 * Writes a Certificate body.
 *
 * @example
 * ```ts
 * import { Writer } from "./codec.ts";
 * import { writeCertificate } from "./certificate.ts";
 * const w = new Writer();
 * writeCertificate(w, { type: 11, certificateRequestContext: new Uint8Array(0), certificateList: [] });
 * console.log(w.finish()); // Uint8Array(4) [ 0, 0, 0, 0 ]
 * ```
 */
export function writeCertificate(w: Writer, msg: Certificate): void {
  w.vec8(msg.certificateRequestContext);
  w.lengthPrefixed(3, (list) => {
    for (const entry of msg.certificateList) {
      if (entry.cert.length === 0) throw new RangeError("cert_data must not be empty");
      list.vec24(entry.cert);
      writeExtensions(list, entry.extensions, "Certificate");
    }
  });
}

/**
 * Reads a CertificateVerify body.
 *
 * @example
 * ```ts
 * import { Reader } from "./codec.ts";
 * import { readCertificateVerify } from "./certificate.ts";
 * const cv = readCertificateVerify(new Reader(new Uint8Array([8, 4, 0, 2, 0xaa, 0xbb])));
 * console.log(cv.scheme, cv.signature.length); // 2052 2
 * ```
 */
export function readCertificateVerify(r: Reader): CertificateVerify {
  const scheme = r.u16();
  const signature = r.vec16();
  r.expectEnd("CertificateVerify");
  return { type: HandshakeType.certificate_verify, scheme, signature };
}

/**
 * Writes a CertificateVerify body.
 *
 * @example
 * ```ts
 * import { Writer } from "./codec.ts";
 * import { writeCertificateVerify } from "./certificate.ts";
 * const w = new Writer();
 * writeCertificateVerify(w, { type: 15, scheme: 0x0807, signature: new Uint8Array(64) });
 * console.log(w.length); // 68
 * ```
 */
export function writeCertificateVerify(w: Writer, msg: CertificateVerify): void {
  w.u16(msg.scheme).vec16(msg.signature);
}
