/**
 * Extension lists: reading and writing them per message, looking one up, and the
 * RFC 8446 section 4.2 table of which extension may appear in which message.
 *
 * Decoding keeps the peer's order and keeps extensions without a typed form
 * raw, so re-encoding a decoded list reproduces its bytes. It rejects duplicate
 * types (`illegal_parameter`), forbidden empty lists (`decode_error`), leftover
 * bytes inside an extension (`decode_error`) and a ClientHello pre_shared_key
 * that is not last (`illegal_parameter`).
 *
 * @module
 */

import type { Reader, Writer } from "./codec.ts";
import { illegalParameter, tlsError } from "../error.ts";
import { AlertDescription, ExtensionType } from "./enums.ts";
import {
  CERTIFICATE_ENTRY_CODECS,
  CERTIFICATE_REQUEST_CODECS,
  CLIENT_HELLO_CODECS,
  ENCRYPTED_EXTENSIONS_CODECS,
  type ExtCodec,
  extensionName,
  HELLO_RETRY_REQUEST_CODECS,
  NEW_SESSION_TICKET_CODECS,
  SERVER_HELLO_CODECS,
} from "./_ext_codecs.ts";
import type {
  CertificateEntryExtension,
  CertificateRequestExtension,
  ClientHelloExtension,
  EncryptedExtension,
  ExtensionContext,
  HelloRetryRequestExtension,
  NewSessionTicketExtension,
  ServerHelloExtension,
  UnknownExtension,
} from "./extension_types.ts";

/** The extension union of each message context. */
export interface ExtensionsByContext {
  /** Extensions of a ClientHello. */
  ClientHello: ClientHelloExtension;
  /** Extensions of a ServerHello. */
  ServerHello: ServerHelloExtension;
  /** Extensions of a HelloRetryRequest. */
  HelloRetryRequest: HelloRetryRequestExtension;
  /** Extensions of EncryptedExtensions. */
  EncryptedExtensions: EncryptedExtension;
  /** Extensions of a CertificateRequest. */
  CertificateRequest: CertificateRequestExtension;
  /** Extensions of one CertificateEntry. */
  Certificate: CertificateEntryExtension;
  /** Extensions of a NewSessionTicket. */
  NewSessionTicket: NewSessionTicketExtension;
}

const CODECS: Record<ExtensionContext, Partial<Record<number, ExtCodec<{ type: number }>>>> = {
  ClientHello: CLIENT_HELLO_CODECS,
  ServerHello: SERVER_HELLO_CODECS,
  HelloRetryRequest: HELLO_RETRY_REQUEST_CODECS,
  EncryptedExtensions: ENCRYPTED_EXTENSIONS_CODECS,
  CertificateRequest: CERTIFICATE_REQUEST_CODECS,
  Certificate: CERTIFICATE_ENTRY_CODECS,
  NewSessionTicket: NEW_SESSION_TICKET_CODECS,
} as Record<ExtensionContext, Partial<Record<number, ExtCodec<{ type: number }>>>>;

// RFC 8446 section 4.2 (plus RFC 8449 for record_size_limit): where each
// recognised extension may appear in TLS 1.3. The TLS 1.2-only extensions are
// recognised too, and allowed nowhere in a TLS 1.3 message but the ClientHello.
const CH = "ClientHello", SH = "ServerHello", HRR = "HelloRetryRequest";
const EE = "EncryptedExtensions", CR = "CertificateRequest", CT = "Certificate";
const NST = "NewSessionTicket";
const TLS13_ALLOWED: Record<number, readonly ExtensionContext[]> = {
  [ExtensionType.server_name]: [CH, EE],
  [ExtensionType.max_fragment_length]: [CH, EE],
  [ExtensionType.status_request]: [CH, CR, CT],
  [ExtensionType.supported_groups]: [CH, EE],
  [ExtensionType.signature_algorithms]: [CH, CR],
  [ExtensionType.use_srtp]: [CH, EE],
  [ExtensionType.heartbeat]: [CH, EE],
  [ExtensionType.application_layer_protocol_negotiation]: [CH, EE],
  [ExtensionType.signed_certificate_timestamp]: [CH, CR, CT],
  [ExtensionType.client_certificate_type]: [CH, EE],
  [ExtensionType.server_certificate_type]: [CH, EE],
  [ExtensionType.padding]: [CH],
  [ExtensionType.record_size_limit]: [CH, EE],
  [ExtensionType.key_share]: [CH, SH, HRR],
  [ExtensionType.pre_shared_key]: [CH, SH],
  [ExtensionType.psk_key_exchange_modes]: [CH],
  [ExtensionType.early_data]: [CH, EE, NST],
  [ExtensionType.cookie]: [CH, HRR],
  [ExtensionType.supported_versions]: [CH, SH, HRR],
  [ExtensionType.certificate_authorities]: [CH, CR],
  [ExtensionType.oid_filters]: [CR],
  [ExtensionType.post_handshake_auth]: [CH],
  [ExtensionType.signature_algorithms_cert]: [CH, CR],
  [ExtensionType.extended_master_secret]: [CH],
  [ExtensionType.session_ticket]: [CH],
  [ExtensionType.renegotiation_info]: [CH],
  [ExtensionType.ec_point_formats]: [CH],
  // RFC 9849 sections 5 and 5.1: ech_outer_extensions lives only inside an
  // EncodedClientHelloInner, never in a ClientHello on the wire.
  [ExtensionType.encrypted_client_hello]: [CH, EE, HRR],
  [ExtensionType.ech_outer_extensions]: [],
};

/** Messages that exist only in TLS 1.3, so the table applies while decoding. */
const TLS13_ONLY: ReadonlySet<ExtensionContext> = new Set([HRR, EE, CR, CT, NST]);

/**
 * Throws `illegal_parameter` when a recognised extension appears in a TLS 1.3
 * message that RFC 8446 section 4.2 does not list it for. Unrecognised types
 * pass (they are ignored). Decoding applies this to the TLS 1.3-only messages;
 * call it for a ServerHello once TLS 1.3 is negotiated.
 *
 * @example
 * ```ts
 * import { checkTls13Extensions } from "./extensions.ts";
 * import { TlsError } from "../error.ts";
import { AlertDescription, ExtensionType } from "./enums.ts";
 * const exts = [{ type: ExtensionType.cookie, cookie: new Uint8Array([1]) }];
 * checkTls13Extensions(exts, "HelloRetryRequest"); // fine
 * try {
 *   checkTls13Extensions(exts, "EncryptedExtensions");
 * } catch (e) {
 *   console.log((e as Error).message); // cookie is not allowed in EncryptedExtensions
 * }
 * ```
 */
export function checkTls13Extensions(
  extensions: readonly { type: number }[],
  context: ExtensionContext,
): void {
  for (const ext of extensions) {
    const allowed = TLS13_ALLOWED[ext.type];
    if (allowed !== undefined && !allowed.includes(context)) {
      throw illegalParameter(
        `${extensionName(ext.type)} is not allowed in ${context}`,
        "ExtensionNotAllowed",
      );
    }
  }
}

/**
 * RFC 8446 section 4.2 (RFC 5246 7.4.1.4 for TLS 1.2): an extension in a
 * response must answer one the peer sent in the request, the ClientHello for
 * ServerHello, HelloRetryRequest, EncryptedExtensions and the server's
 * certificate entries, the CertificateRequest for the client's. The one
 * exception is cookie in a HelloRetryRequest. Throws `unsupported_extension`
 * for any other type, known or not, that is missing from `requested`.
 *
 * @example
 * ```ts
 * import { checkSolicited } from "./extensions.ts";
 * import { TlsError } from "../error.ts";
import { AlertDescription, ExtensionType } from "./enums.ts";
 * const sent = new Set<number>([ExtensionType.supported_versions, ExtensionType.key_share]);
 * checkSolicited([{ type: ExtensionType.key_share }], sent, "ServerHello"); // fine
 * try {
 *   checkSolicited([{ type: ExtensionType.heartbeat }], sent, "EncryptedExtensions");
 * } catch (e) {
 *   console.log((e as Error).message); // EncryptedExtensions has heartbeat, which we did not ask for
 * }
 * ```
 */
export function checkSolicited(
  extensions: readonly { type: number }[],
  requested: ReadonlySet<number>,
  context: ExtensionContext,
): void {
  for (const { type } of extensions) {
    if (requested.has(type)) continue;
    if (context === HRR && type === ExtensionType.cookie) continue;
    throw tlsError(
      "PeerMisbehaved",
      "UnsolicitedExtension",
      `${context} has ${extensionName(type)}, which we did not ask for`,
      { alert: AlertDescription.unsupported_extension },
    );
  }
}

/**
 * Reads a `u16`-length-prefixed extension list for `context`.
 *
 * @example
 * ```ts
 * import { Reader } from "./codec.ts";
 * import { readExtensions } from "./extensions.ts";
 * const r = new Reader(new Uint8Array([0, 6, 0, 43, 0, 2, 3, 4]));
 * console.log(readExtensions(r, "ServerHello")); // [ { type: 43, version: 772 } ]
 * ```
 */
export function readExtensions<C extends ExtensionContext>(
  r: Reader,
  context: C,
): ExtensionsByContext[C][] {
  const list = r.sub16(`${context} extensions`);
  const codecs = CODECS[context];
  const seen = new Set<number>();
  const out: { type: number }[] = [];
  while (!list.atEnd) {
    const type = list.u16();
    const body = list.sub16(`${context} ${extensionName(type)}`);
    if (seen.has(type)) {
      throw illegalParameter(
        `${context}: duplicate ${extensionName(type)} extension`,
        "DuplicateExtension",
      );
    }
    seen.add(type);
    // RFC 8446 section 4.2.11: the binders are computed over everything before them.
    if (context === CH && type === ExtensionType.pre_shared_key && !list.atEnd) {
      throw illegalParameter("ClientHello: pre_shared_key is not the last extension", "PskNotLast");
    }
    const codec = codecs[type];
    if (codec === undefined) {
      const unknown: UnknownExtension = { type, data: body.rest() };
      out.push(unknown);
    } else {
      out.push(codec.read(body));
      body.expectEnd();
    }
  }
  if (TLS13_ONLY.has(context)) checkTls13Extensions(out, context);
  return out as ExtensionsByContext[C][];
}

/**
 * Writes a `u16`-length-prefixed extension list for `context`. Extensions with a
 * typed form in `context` are written from it; others must be
 * {@link UnknownExtension}s. Throws `RangeError` on duplicates or, in a
 * ClientHello, a pre_shared_key that is not last.
 *
 * @example
 * ```ts
 * import { Writer } from "./codec.ts";
 * import { writeExtensions } from "./extensions.ts";
 * import { TlsError } from "../error.ts";
import { AlertDescription, ExtensionType } from "./enums.ts";
 * const w = new Writer();
 * writeExtensions(w, [{ type: ExtensionType.supported_versions, version: 0x0304 }], "ServerHello");
 * console.log(w.finish()); // Uint8Array(8) [ 0, 6, 0, 43, 0, 2, 3, 4 ]
 * ```
 */
export function writeExtensions<C extends ExtensionContext>(
  w: Writer,
  extensions: readonly ExtensionsByContext[C][],
  context: C,
): void {
  const codecs = CODECS[context];
  const seen = new Set<number>();
  w.lengthPrefixed(2, (list) => {
    extensions.forEach((ext, i) => {
      if (seen.has(ext.type)) {
        throw new RangeError(`duplicate ${extensionName(ext.type)} extension`);
      }
      seen.add(ext.type);
      if (
        context === CH && ext.type === ExtensionType.pre_shared_key && i !== extensions.length - 1
      ) {
        throw new RangeError("pre_shared_key must be the last ClientHello extension");
      }
      list.u16(ext.type);
      const codec = codecs[ext.type];
      list.lengthPrefixed(2, (body) => {
        if (codec !== undefined) codec.write(body, ext);
        else body.bytes((ext as UnknownExtension).data);
      });
    });
  });
}

/**
 * The extension of `type` in `extensions`, typed by the context's union, or
 * `undefined` when absent.
 *
 * @example
 * ```ts
 * import { findExtension } from "./extensions.ts";
 * import type { ClientHelloExtension } from "./extension_types.ts";
 * import { ExtensionType, NamedGroup } from "./enums.ts";
 * const exts: ClientHelloExtension[] = [
 *   { type: ExtensionType.supported_groups, groups: [NamedGroup.x25519] },
 * ];
 * console.log(findExtension(exts, ExtensionType.supported_groups)?.groups); // [ 29 ]
 * ```
 */
export function findExtension<E extends { type: number }, T extends number>(
  extensions: readonly E[],
  type: T,
): Extract<E, { type: T }> | undefined {
  return extensions.find((ext) => ext.type === type) as Extract<E, { type: T }> | undefined;
}
