/**
 * The TLS 1.2 handshake messages TLS 1.3 does not have, or encodes
 * differently (RFC 5246 section 7.4, RFC 8422 section 5.4, RFC 5077 section
 * 3.3): Certificate, ServerKeyExchange (ECDHE only), ServerHelloDone,
 * ClientKeyExchange (ECDHE only), Finished, NewSessionTicket, HelloRequest
 * and CertificateRequest.
 *
 * Each encoder returns the message with its 4-byte handshake header; each
 * decoder takes a body and consumes exactly all of it.
 *
 * @module
 */

import { decodeError, illegalParameter } from "../error.ts";
import { Reader, Writer } from "./codec.ts";
import { HandshakeType } from "./enums.ts";

/** Length of TLS 1.2 verify_data for every suite we support (RFC 5246 7.4.9). */
export const TLS12_VERIFY_DATA_LENGTH = 12;

/** ECCurveType.named_curve (RFC 8422 section 5.4); the only one we accept. */
export const NAMED_CURVE = 3;

/** A signed ECDHE ServerKeyExchange. */
export interface Tls12ServerKeyExchange {
  /** The named group of the server's ephemeral key. */
  group: number;
  /** The server's ephemeral public key (uncompressed point or X25519 bytes). */
  publicKey: Uint8Array;
  /** The SignatureScheme of `signature`. */
  scheme: number;
  /** The signature over client_random || server_random || params. */
  signature: Uint8Array;
}

/** A TLS 1.2 NewSessionTicket (RFC 5077 section 3.3). */
export interface Tls12NewSessionTicket {
  /** Ticket lifetime hint in seconds (0: unspecified). */
  lifetimeHint: number;
  /** The opaque ticket (may be empty: the server withdrew the ticket). */
  ticket: Uint8Array;
}

function framed(type: number, body: (w: Writer) => void): Uint8Array {
  return new Writer().u8(type).lengthPrefixed(3, body).finish();
}

/**
 * The ServerECDHParams structure: the bytes that the ServerKeyExchange
 * signature covers after the two randoms.
 *
 * @example
 * ```ts
 * import { encodeEcdheParams } from "./tls12_messages.ts";
 * console.log(encodeEcdheParams(29, new Uint8Array(32)).length); // 36
 * ```
 */
export function encodeEcdheParams(group: number, publicKey: Uint8Array): Uint8Array {
  if (publicKey.length === 0) throw new RangeError("empty ECDHE public key");
  return new Writer().u8(NAMED_CURVE).u16(group).vec8(publicKey).finish();
}

/**
 * Encodes a ServerKeyExchange with its header.
 *
 * @example
 * ```ts
 * import { decodeServerKeyExchange, encodeServerKeyExchange } from "./tls12_messages.ts";
 * const msg = { group: 29, publicKey: new Uint8Array(32), scheme: 0x0403, signature: new Uint8Array(70) };
 * const bytes = encodeServerKeyExchange(msg);
 * console.log(decodeServerKeyExchange(bytes.subarray(4)).group); // 29
 * ```
 */
export function encodeServerKeyExchange(msg: Tls12ServerKeyExchange): Uint8Array {
  const params = encodeEcdheParams(msg.group, msg.publicKey);
  return framed(HandshakeType.server_key_exchange, (w) => {
    w.bytes(params).u16(msg.scheme).vec16(msg.signature);
  });
}

/** Decodes a ServerKeyExchange body; only named-curve ECDHE params are accepted. */
export function decodeServerKeyExchange(body: Uint8Array): Tls12ServerKeyExchange {
  const r = new Reader(body.slice(), "ServerKeyExchange");
  const curveType = r.u8();
  if (curveType !== NAMED_CURVE) {
    throw illegalParameter(
      `ServerKeyExchange: curve type ${curveType} is not named_curve`,
      "UnsupportedCurveType",
    );
  }
  const group = r.u16();
  const publicKey = r.vec8();
  if (publicKey.length === 0) throw decodeError("ServerKeyExchange: empty public key");
  const scheme = r.u16();
  const signature = r.vec16();
  r.expectEnd();
  return { group, publicKey, scheme, signature };
}

/**
 * The signed part of a ServerKeyExchange body (its ServerECDHParams), found
 * again from the decoded fields.
 *
 * @example
 * ```ts
 * import { serverKeyExchangeParams } from "./tls12_messages.ts";
 * const p = serverKeyExchangeParams({ group: 23, publicKey: new Uint8Array(65), scheme: 0, signature: new Uint8Array(0) });
 * console.log(p[0]); // 3
 * ```
 */
export function serverKeyExchangeParams(msg: Tls12ServerKeyExchange): Uint8Array {
  return encodeEcdheParams(msg.group, msg.publicKey);
}

/**
 * Encodes an empty-bodied message (ServerHelloDone, HelloRequest).
 *
 * @example
 * ```ts
 * import { encodeEmptyMessage } from "./tls12_messages.ts";
 * console.log(encodeEmptyMessage(14)); // Uint8Array(4) [ 14, 0, 0, 0 ]
 * ```
 */
export function encodeEmptyMessage(type: number): Uint8Array {
  return framed(type, () => {});
}

/** Checks that an empty-bodied message (ServerHelloDone, HelloRequest) is empty. */
export function decodeEmptyMessage(body: Uint8Array, name: string): void {
  if (body.length !== 0) throw decodeError(`${name}: body must be empty`, "TrailingData");
}

/**
 * Encodes a ClientKeyExchange carrying our ECDHE public key.
 *
 * @example
 * ```ts
 * import { encodeClientKeyExchange } from "./tls12_messages.ts";
 * console.log(encodeClientKeyExchange(new Uint8Array([1, 2])).length); // 7
 * ```
 */
export function encodeClientKeyExchange(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length === 0) throw new RangeError("empty ECDHE public key");
  return framed(HandshakeType.client_key_exchange, (w) => void w.vec8(publicKey));
}

/** Decodes a ClientKeyExchange body: the client's ECDHE public key. */
export function decodeClientKeyExchange(body: Uint8Array): Uint8Array {
  const r = new Reader(body.slice(), "ClientKeyExchange");
  const key = r.vec8();
  r.expectEnd();
  if (key.length === 0) throw decodeError("ClientKeyExchange: empty public key");
  return key;
}

/**
 * Encodes a TLS 1.2 Finished (verify_data of 12 bytes).
 *
 * @example
 * ```ts
 * import { encodeFinished12 } from "./tls12_messages.ts";
 * console.log(encodeFinished12(new Uint8Array(12)).length); // 16
 * ```
 */
export function encodeFinished12(verifyData: Uint8Array): Uint8Array {
  if (verifyData.length !== TLS12_VERIFY_DATA_LENGTH) {
    throw new RangeError("verify_data must be 12 bytes");
  }
  return framed(HandshakeType.finished, (w) => void w.bytes(verifyData));
}

/** Decodes a TLS 1.2 Finished body; anything but 12 bytes is a decode_error. */
export function decodeFinished12(body: Uint8Array): Uint8Array {
  if (body.length !== TLS12_VERIFY_DATA_LENGTH) {
    throw decodeError("Finished: verify_data is not 12 bytes");
  }
  return body.slice();
}

/**
 * Encodes a TLS 1.2 Certificate: DER certificates, end entity first.
 *
 * @example
 * ```ts
 * import { decodeCertificate12, encodeCertificate12 } from "./tls12_messages.ts";
 * const bytes = encodeCertificate12([new Uint8Array([0x30, 0])]);
 * console.log(decodeCertificate12(bytes.subarray(4)).length); // 1
 * ```
 */
export function encodeCertificate12(chain: readonly Uint8Array[]): Uint8Array {
  return framed(HandshakeType.certificate, (w) => {
    w.lengthPrefixed(3, (list) => {
      for (const cert of chain) list.vec24(cert);
    });
  });
}

/** Decodes a TLS 1.2 Certificate body; empty certificates are refused. */
export function decodeCertificate12(body: Uint8Array): Uint8Array[] {
  const r = new Reader(body.slice(), "Certificate");
  const list = r.sub24();
  r.expectEnd();
  const out: Uint8Array[] = [];
  while (!list.atEnd) {
    const cert = list.vec24();
    if (cert.length === 0) throw decodeError("Certificate: empty certificate", "EmptyList");
    out.push(cert);
  }
  return out;
}

/** A TLS 1.2 CertificateRequest (RFC 5246 7.4.4). */
export interface Tls12CertificateRequest {
  /** ClientCertificateType codes (1 rsa_sign, 64 ecdsa_sign, ...). */
  certificateTypes: number[];
  /** SignatureScheme code points the server accepts in CertificateVerify. */
  schemes: number[];
  /** DER distinguished names of the CAs the server trusts (may be empty). */
  authorities: Uint8Array[];
}

/**
 * Encodes a TLS 1.2 CertificateRequest.
 *
 * @example
 * ```ts
 * import { decodeCertificateRequest12, encodeCertificateRequest12 } from "./tls12_messages.ts";
 * const bytes = encodeCertificateRequest12({
 *   certificateTypes: [64],
 *   schemes: [0x0403],
 *   authorities: [],
 * });
 * console.log(decodeCertificateRequest12(bytes.subarray(4)).schemes); // [ 1027 ]
 * ```
 */
export function encodeCertificateRequest12(request: Tls12CertificateRequest): Uint8Array {
  return framed(HandshakeType.certificate_request, (w) => {
    w.vec8(new Uint8Array(request.certificateTypes));
    w.lengthPrefixed(2, (list) => {
      for (const scheme of request.schemes) list.u16(scheme);
    });
    w.lengthPrefixed(2, (list) => {
      for (const name of request.authorities) list.vec16(name);
    });
  });
}

/** Decodes a TLS 1.2 CertificateRequest body; empty type and scheme lists are refused. */
export function decodeCertificateRequest12(body: Uint8Array): Tls12CertificateRequest {
  const r = new Reader(body.slice(), "CertificateRequest");
  const certificateTypes = [...r.vec8()];
  const schemeList = r.sub16();
  const names = r.sub16();
  r.expectEnd();
  const schemes: number[] = [];
  while (!schemeList.atEnd) schemes.push(schemeList.u16());
  const authorities: Uint8Array[] = [];
  while (!names.atEnd) {
    const name = names.vec16();
    if (name.length === 0) throw decodeError("CertificateRequest: empty distinguished name");
    authorities.push(name);
  }
  if (certificateTypes.length === 0 || schemes.length === 0) {
    throw decodeError("CertificateRequest: empty certificate_types or signature algorithms");
  }
  return { certificateTypes, schemes, authorities };
}

/**
 * Encodes a TLS 1.2 NewSessionTicket.
 *
 * @example
 * ```ts
 * import { encodeNewSessionTicket12 } from "./tls12_messages.ts";
 * console.log(encodeNewSessionTicket12({ lifetimeHint: 60, ticket: new Uint8Array(3) }).length); // 13
 * ```
 */
export function encodeNewSessionTicket12(msg: Tls12NewSessionTicket): Uint8Array {
  return framed(HandshakeType.new_session_ticket, (w) => {
    w.u32(msg.lifetimeHint).vec16(msg.ticket);
  });
}

/** Decodes a TLS 1.2 NewSessionTicket body. */
export function decodeNewSessionTicket12(body: Uint8Array): Tls12NewSessionTicket {
  const r = new Reader(body.slice(), "NewSessionTicket");
  const lifetimeHint = r.u32();
  const ticket = r.vec16();
  r.expectEnd();
  return { lifetimeHint, ticket };
}
