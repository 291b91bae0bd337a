/**
 * Channel bindings (RFC 5056) for authentication protocols that run over TLS,
 * such as SCRAM-SHA-256-PLUS in PostgreSQL: `tls-exporter` (RFC 9266) and
 * `tls-server-end-point` (RFC 5929 section 4).
 *
 * @module
 */

import { parsePssParams, readSingle } from "../crypto/_der.ts";
import { sha256Sync, sha384Sync, sha512Sync } from "../crypto/pure/sha2.ts";
import { parseCertificate } from "../webpki/x509.ts";

/**
 * Anything that exports keying material: the unbuffered connections, the
 * kernel connections and `TlsStream`.
 *
 * @example
 * ```ts
 * import type { KeyingMaterialExporter } from "@kerneltls/tls";
 * const fixed: KeyingMaterialExporter = {
 *   exportKeyingMaterial: (_label, _context, length) => Promise.resolve(new Uint8Array(length)),
 * };
 * console.log((await fixed.exportKeyingMaterial("EXPORTER-x", undefined, 4)).length); // 4
 * ```
 */
export interface KeyingMaterialExporter {
  /** `length` bytes of keying material for `label` and `context` (undefined: none). */
  exportKeyingMaterial(
    label: string,
    context: Uint8Array | undefined,
    length: number,
  ): Promise<Uint8Array>;
}

/** The label RFC 9266 section 2 fixes for `tls-exporter`. */
export const TLS_EXPORTER_LABEL = "EXPORTER-Channel-Binding";

/**
 * The `tls-exporter` channel binding (RFC 9266): 32 bytes exported under the
 * label `"EXPORTER-Channel-Binding"` with no context. Defined for TLS 1.3,
 * and for TLS 1.2 only with the extended master secret: without it the
 * exporter rejects (`TlsError`, detail `NoExtendedMasterSecret`). Both ends
 * compute the same value once the handshake is complete.
 *
 * @example
 * ```ts
 * import { tlsExporterChannelBinding, type UnbufferedClientConnection } from "@kerneltls/tls";
 * async function scramPlusBinding(conn: UnbufferedClientConnection): Promise<Uint8Array> {
 *   return await tlsExporterChannelBinding(conn); // SCRAM's cbind-data for "tls-exporter"
 * }
 * void scramPlusBinding;
 * ```
 */
export function tlsExporterChannelBinding(conn: KeyingMaterialExporter): Promise<Uint8Array> {
  return conn.exportKeyingMaterial(TLS_EXPORTER_LABEL, undefined, 32);
}

type HashName = "SHA-256" | "SHA-384" | "SHA-512";

const DIGEST: Record<HashName, (data: Uint8Array) => Uint8Array> = {
  "SHA-256": sha256Sync,
  "SHA-384": sha384Sync,
  "SHA-512": sha512Sync,
};

/** Signature algorithms by OID, with the hash RFC 5929 section 4.1 picks for each. */
const HASH_OF_SIGNATURE: Record<string, HashName> = {
  "1.2.840.113549.1.1.4": "SHA-256", // md5WithRSAEncryption: MD5 -> SHA-256
  "1.2.840.113549.1.1.5": "SHA-256", // sha1WithRSAEncryption: SHA-1 -> SHA-256
  "1.2.840.113549.1.1.11": "SHA-256",
  "1.2.840.113549.1.1.12": "SHA-384",
  "1.2.840.113549.1.1.13": "SHA-512",
  "1.2.840.10045.4.1": "SHA-256", // ecdsa-with-SHA1
  "1.2.840.10045.4.3.2": "SHA-256",
  "1.2.840.10045.4.3.3": "SHA-384",
  "1.2.840.10045.4.3.4": "SHA-512",
  "1.2.840.10040.4.3": "SHA-256", // dsa-with-sha1
  "2.16.840.1.101.3.4.3.2": "SHA-256", // dsa-with-sha256
};

const RSASSA_PSS = "1.2.840.113549.1.1.10";

/**
 * The hash `tls-server-end-point` uses for a certificate signed with
 * `signatureAlgorithm`, or undefined when RFC 5929 leaves the binding
 * undefined (no hash: Ed25519, Ed448) or this library has no such hash.
 */
function endPointHash(oid: string, params: Uint8Array | undefined): HashName | undefined {
  if (oid in HASH_OF_SIGNATURE) return HASH_OF_SIGNATURE[oid];
  if (oid !== RSASSA_PSS || params === undefined) return undefined;
  let hash;
  try {
    hash = parsePssParams(readSingle(params, 0x30)).hash;
  } catch {
    return undefined;
  }
  return hash === "SHA-1" ? "SHA-256" : hash;
}

/**
 * The `tls-server-end-point` channel binding (RFC 5929 section 4.1): the
 * hash of the server's end-entity certificate (DER) with the hash of that
 * certificate's `signatureAlgorithm`, where MD5 and SHA-1 become SHA-256 and
 * SHA-256, SHA-384 and SHA-512 are used as named (for RSASSA-PSS, the hash in
 * its parameters). The client passes `conn.peerCertificates[0]`; the server
 * its own leaf.
 *
 * Returns `undefined` when the binding is undefined: RFC 5929 defines none
 * for signature algorithms without a hash (Ed25519 and Ed448, RFC 8410), and
 * none is computed for algorithms not listed above (SHA-224 included), as
 * PostgreSQL and OpenSSL-based servers refuse them too. A protocol that
 * requires channel binding must then fail, or use `tls-exporter`. A
 * certificate that does not parse throws `TlsError` (detail `BadEncoding`).
 *
 * @example
 * ```ts
 * import { tlsServerEndPointChannelBinding, type UnbufferedClientConnection } from "@kerneltls/tls";
 * function endPoint(conn: UnbufferedClientConnection): Uint8Array | undefined {
 *   const leaf = conn.peerCertificates?.[0];
 *   return leaf && tlsServerEndPointChannelBinding(leaf);
 * }
 * void endPoint;
 * ```
 */
export function tlsServerEndPointChannelBinding(certificate: Uint8Array): Uint8Array | undefined {
  if (!(certificate instanceof Uint8Array)) throw new TypeError("certificate must be DER bytes");
  const { signatureAlgorithm: alg } = parseCertificate(certificate);
  const hash = endPointHash(alg.oid, alg.params);
  return hash && DIGEST[hash](certificate);
}
