/**
 * The Mozilla root program's trust anchors for TLS server authentication, as
 * a {@link RootCertStore}: what a client needs to trust the public Web PKI
 * where no system bundle exists (edge workers, browsers). The certificates
 * come from Debian's `ca-certificates` package (see {@link MOZILLA_ROOTS_SOURCE}),
 * bundled as base64 DER by `scripts/gen_roots.ts`; nothing is parsed until
 * {@link mozillaRoots} is first called.
 *
 * @example
 * ```ts
 * import { ClientConfig } from "@kerneltls/tls";
 * import { mozillaRoots } from "@kerneltls/tls/roots";
 * const config = new ClientConfig({ roots: mozillaRoots() });
 * console.log(mozillaRoots().size > 100); // true
 * void config;
 * ```
 *
 * @module
 */

import { RootCertStore } from "../webpki/root_store.ts";
import { ANCHORS, GENERATED, PACKAGE_VERSION } from "./_mozilla_data.ts";

/**
 * Where the bundled anchors come from: the Debian `ca-certificates` version
 * and the day they were generated.
 *
 * @example
 * ```ts
 * import { MOZILLA_ROOTS_SOURCE } from "@kerneltls/tls/roots";
 * console.log(MOZILLA_ROOTS_SOURCE.package); // "ca-certificates"
 * ```
 */
export const MOZILLA_ROOTS_SOURCE: {
  readonly package: "ca-certificates";
  readonly version: string;
  readonly generated: string;
  readonly count: number;
} = Object.freeze({
  package: "ca-certificates",
  version: PACKAGE_VERSION,
  generated: GENERATED,
  count: ANCHORS.length,
});

let shared: RootCertStore | undefined;

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * The bundled anchors as DER, one array per certificate, in a stable order.
 * For building a store of your own (for example Mozilla's set plus a private
 * root).
 *
 * @example
 * ```ts
 * import { RootCertStore } from "@kerneltls/tls";
 * import { mozillaRootCertificates } from "@kerneltls/tls/roots";
 * const roots = new RootCertStore();
 * for (const der of mozillaRootCertificates()) roots.add(der);
 * console.log(roots.size > 100); // true
 * ```
 */
export function mozillaRootCertificates(): Uint8Array[] {
  return ANCHORS.map(([, b64]) => decodeBase64(b64));
}

/**
 * A new store holding every bundled anchor (parsed now). Prefer
 * {@link mozillaRoots}, which parses once per process.
 *
 * @example
 * ```ts
 * import { buildMozillaRoots } from "@kerneltls/tls/roots";
 * const roots = buildMozillaRoots();
 * console.log(roots.size > 100); // true
 * ```
 */
export function buildMozillaRoots(): RootCertStore {
  const store = new RootCertStore();
  for (const der of mozillaRootCertificates()) store.add(der);
  return store;
}

/**
 * The Mozilla TLS server-auth anchors as a store shared by every caller: it
 * is built (decoded and parsed) on the first call and returned as is after.
 * Do not `add` to it (that would change every user's trust); build your own
 * with {@link buildMozillaRoots} or {@link mozillaRootCertificates} instead.
 *
 * @example
 * ```ts
 * import { mozillaRoots } from "@kerneltls/tls/roots";
 * console.log(mozillaRoots() === mozillaRoots()); // true
 * ```
 */
export function mozillaRoots(): RootCertStore {
  shared ??= buildMozillaRoots();
  return shared;
}
