// A ServerConfig from a test PKI leaf's files: what every interop suite with
// a real client peer starts its server from.
import { readFileSync } from "node:fs";
import { ServerConfig, type ServerConfigOptions } from "../src/server/config.ts";
import type { TestCert } from "./_pki.ts";

/** Our server with `leaf`'s certificate and key, and `extra` options on top. */
export function leafServerConfig(
  leaf: TestCert,
  extra: Partial<ServerConfigOptions> = {},
): ServerConfig {
  return new ServerConfig({
    certificateChain: readFileSync(leaf.certPath, "utf8"),
    privateKey: readFileSync(leaf.keyPath, "utf8"),
    ...extra,
  });
}
