/**
 * Starting a server handshake: a core waiting for the ClientHello.
 *
 * @module
 */

import { ConnectionCore } from "../common/core.ts";
import type { ResolvedServerConfig } from "./config.ts";
import { ExpectClientHello } from "./expect_client_hello.ts";

/**
 * Creates the core for one server connection. Records we send in clear carry
 * legacy_record_version 0x0303 (RFC 8446 section 5.1).
 */
export function startServer(config: ResolvedServerConfig): ConnectionCore {
  return new ConnectionCore(new ExpectClientHello(config), {
    maxFragmentSize: config.maxFragmentSize,
    side: "server",
    maxKeyUpdates: config.maxKeyUpdates,
  });
}
