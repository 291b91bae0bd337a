/**
 * PostgreSQL 17's direct TLS (`sslnegotiation=direct`): no SSLRequest, the
 * ClientHello is the first thing sent, and the server requires the ALPN
 * protocol `postgresql` (it refuses the handshake without it, so that TLS
 * meant for another protocol cannot be replayed against it).
 *
 * @module
 */

import type { ClientConfig } from "../client/config.ts";
import type { UnbufferedClientConnection } from "../conn/unbuffered.ts";
import type { ByteTransport } from "../streams/stream_types.ts";
import { connectTls, type TlsStream } from "../streams/tls_stream.ts";
import { startTlsError } from "./errors.ts";

/**
 * The ALPN protocol PostgreSQL registers for direct TLS.
 *
 * @example
 * ```ts
 * import { ClientConfig, RootCertStore } from "@kerneltls/tls";
 * import { POSTGRES_ALPN } from "@kerneltls/tls/starttls";
 * const config = new ClientConfig({ roots: new RootCertStore(), alpnProtocols: [POSTGRES_ALPN] });
 * console.log(config.options.alpnProtocols); // [ "postgresql" ]
 * ```
 */
export const POSTGRES_ALPN = "postgresql";

/**
 * Connects with PostgreSQL 17's direct TLS: `config` must offer ALPN
 * `postgresql` (a `TypeError` otherwise), and a server that did not agree
 * on it is refused with a `TlsError` (detail `StartTlsNoAlpn`, kind
 * `NoApplicationProtocol`) after the transport is closed. Servers older
 * than 17 need `postgresSslRequest` and `connectTls` instead.
 *
 * @example
 * ```ts
 * import { ClientConfig, RootCertStore } from "@kerneltls/tls";
 * import { POSTGRES_ALPN, postgresDirectTls } from "@kerneltls/tls/starttls";
 * import type { ByteTransport } from "@kerneltls/tls/streams";
 * async function open(tcp: ByteTransport, caPem: string) {
 *   const config = new ClientConfig({
 *     roots: RootCertStore.fromPem(caPem),
 *     alpnProtocols: [POSTGRES_ALPN],
 *   });
 *   const tls = await postgresDirectTls(tcp, config, "db.example.com");
 *   console.log(tls.info.alpnProtocol); // postgresql
 *   return tls; // send the StartupMessage over tls.writable
 * }
 * void open;
 * ```
 */
export async function postgresDirectTls(
  transport: ByteTransport,
  config: ClientConfig,
  serverName: string,
): Promise<TlsStream<UnbufferedClientConnection>> {
  if (!config.options.alpnProtocols?.includes(POSTGRES_ALPN)) {
    throw new TypeError(`postgresDirectTls: the config must offer ALPN "${POSTGRES_ALPN}"`);
  }
  const tls = await connectTls(transport, config, serverName);
  if (tls.info.alpnProtocol === POSTGRES_ALPN) return tls;
  const error = startTlsError(
    "StartTlsNoAlpn",
    `the server did not agree on ALPN "${POSTGRES_ALPN}" for direct TLS`,
  );
  await Promise.all([
    tls.writable.abort(error).catch(() => {}),
    tls.readable.cancel(error).catch(() => {}),
  ]);
  throw error;
}
