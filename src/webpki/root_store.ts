/**
 * Trust anchors: the root certificates a verifier accepts paths to.
 *
 * @module
 */

import { pemDecode } from "../crypto/pem.ts";
import { type Certificate, parseCertificate } from "./x509.ts";

/**
 * A set of trusted root certificates, from DER or PEM text.
 *
 * @example
 * ```ts
 * import { RootCertStore } from "./root_store.ts";
 * const roots = new RootCertStore();
 * // const { added, ignored } = roots.addPem(await Deno.readTextFile("/etc/ssl/certs/ca-certificates.crt"));
 * console.log(roots.size); // 0
 * ```
 */
export class RootCertStore {
  #roots: Certificate[] = [];

  /** Reads every CERTIFICATE block of `text`; throws `SyntaxError` if none parses. */
  static fromPem(text: string): RootCertStore {
    const store = new RootCertStore();
    const { added } = store.addPem(text);
    if (added === 0) throw new SyntaxError("PEM text holds no usable certificate");
    return store;
  }

  /** Number of trust anchors. */
  get size(): number {
    return this.#roots.length;
  }

  /** @ignore The parsed anchors, for the verifiers. */
  get roots(): readonly Certificate[] {
    return this.#roots;
  }

  /**
   * Adds one DER certificate. Throws `TlsError` (detail BadEncoding) when it
   * does not parse. Duplicates are ignored.
   */
  add(der: Uint8Array): void {
    const cert = parseCertificate(der.slice());
    const dup = this.#roots.some((r) =>
      r.der.length === cert.der.length && r.der.every((b, i) => b === cert.der[i])
    );
    if (!dup) this.#roots.push(cert);
  }

  /**
   * Adds every `CERTIFICATE` block of PEM `text`. Certificates that do not
   * parse are skipped and counted (system bundles hold a few oddities).
   */
  addPem(text: string): { added: number; ignored: number } {
    let added = 0;
    let ignored = 0;
    for (const block of pemDecode(text)) {
      if (block.label !== "CERTIFICATE") continue;
      try {
        this.add(block.der);
        added++;
      } catch {
        ignored++;
      }
    }
    return { added, ignored };
  }

  /** The DER subject names, for the certificate_authorities extension. */
  subjects(): Uint8Array[] {
    return this.#roots.map((r) => r.subject);
  }
}

/**
 * Splits PEM text into DER certificates (for a chain file). Throws
 * `SyntaxError` when the text has no CERTIFICATE block.
 *
 * @example
 * ```ts
 * import { certificatesFromPem } from "./root_store.ts";
 * try { certificatesFromPem("no pem here"); } catch (e) { console.log((e as Error).name); } // SyntaxError
 * ```
 */
export function certificatesFromPem(text: string): Uint8Array[] {
  const out = pemDecode(text).filter((b) => b.label === "CERTIFICATE").map((b) => b.der);
  if (out.length === 0) throw new SyntaxError("PEM text holds no CERTIFICATE block");
  return out;
}
