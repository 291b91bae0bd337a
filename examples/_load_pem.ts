/**
 * Example-only helper: reads a PEM bundle from a path the caller gives (the
 * library itself never touches the file system).
 *
 * @module
 */

import { readFile } from "node:fs/promises";
import { RootCertStore } from "../src/webpki/root_store.ts";

/**
 * Loads trust anchors from a PEM bundle file, by default Debian's system
 * bundle. Certificates that do not parse are skipped and counted.
 *
 * @example
 * ```ts
 * import { loadRootsFromFile } from "./_load_pem.ts";
 * const { roots, ignored } = await loadRootsFromFile();
 * console.log(roots.size, ignored);
 * ```
 */
export async function loadRootsFromFile(
  path = "/etc/ssl/certs/ca-certificates.crt",
): Promise<{ roots: RootCertStore; ignored: number }> {
  const roots = new RootCertStore();
  const { ignored } = roots.addPem(await readFile(path, "utf8"));
  return { roots, ignored };
}
