/**
 * A Deno app talking to PostgreSQL the strict way, with nothing but this
 * library and Web Crypto:
 *
 * 1. `Deno.connect`, then PostgreSQL's SSLRequest (`postgresSslRequest`);
 * 2. TLS with `sslmode=verify-full` semantics: the server's chain checked
 *    against our CA (a `RootCertStore`) and its name against `serverName`;
 *    our client certificate for the server's `clientcert=verify-full`;
 * 3. the StartupMessage and SCRAM-SHA-256-PLUS with the `tls-server-end-point`
 *    channel binding, with `channel_binding=require` semantics: a server that
 *    does not offer -PLUS (or asks for no password at all) is refused, and
 *    the server's signature must prove it knows the password's verifier;
 * 4. a simple query and its rows.
 *
 * Steps 1 to 3 after the socket are `examples/_pg_session.ts`, which
 * `examples/worker/postgres_worker.ts` runs over Cloudflare's `connect()`.
 *
 * Run it with libpq's variables (PGHOST, PGPORT, PGUSER, PGPASSWORD,
 * PGDATABASE, PGSSLROOTCERT, PGSSLCERT, PGSSLKEY; PGSERVERNAME overrides the
 * name checked in the certificate):
 *
 *     deno run -A examples/postgres_mtls.ts "SELECT current_user, version()"
 *
 * @module
 */

import { ClientConfig } from "../src/client/config.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { halfCloseTransport } from "../src/streams/tls_stream.ts";
import {
  type PostgresConnection,
  postgresOverTransport,
  type PostgresSessionOptions,
} from "./_pg_session.ts";

/** Where to connect and who to be. */
export interface PostgresOptions extends Omit<PostgresSessionOptions, "serverName"> {
  hostname: string;
  port: number;
  /** The name checked in the server's certificate (default: `hostname`). */
  serverName?: string;
}

/**
 * Connects, starts TLS, logs in with SCRAM-SHA-256-PLUS: ready for queries.
 *
 * @example
 * ```ts
 * import { ClientConfig, RootCertStore } from "../mod.ts";
 * import { connectPostgres } from "./postgres_mtls.ts";
 * const db = await connectPostgres({
 *   hostname: "127.0.0.1", port: 5432, serverName: "db.internal",
 *   tls: new ClientConfig({
 *     roots: RootCertStore.fromPem(await Deno.readTextFile("root.crt")),
 *     certificateChain: await Deno.readTextFile("client.crt"),
 *     privateKey: await Deno.readTextFile("client.key"),
 *   }),
 *   user: "app", password: "secret", database: "app",
 * });
 * console.log((await db.query("SELECT 1")).rows); // [ [ "1" ] ]
 * await db.close();
 * ```
 */
export async function connectPostgres(options: PostgresOptions): Promise<PostgresConnection> {
  const tcp = await Deno.connect({ hostname: options.hostname, port: options.port });
  tcp.setNoDelay(true); // as libpq does: no Nagle delay on the handshake's small flights
  try {
    const serverName = options.serverName ?? options.hostname;
    return await postgresOverTransport(halfCloseTransport(tcp), { ...options, serverName });
  } catch (e) {
    try {
      tcp.close();
    } catch { /* already closed by the TLS stream */ }
    throw e;
  }
}

if (import.meta.main) {
  const env = (name: string, fallback?: string): string => {
    const value = Deno.env.get(name) ?? fallback;
    if (value === undefined) throw new Error(`set ${name}`);
    return value;
  };
  const hostname = env("PGHOST", "127.0.0.1");
  const db = await connectPostgres({
    hostname,
    port: Number(env("PGPORT", "5432")),
    serverName: env("PGSERVERNAME", hostname),
    tls: new ClientConfig({
      roots: RootCertStore.fromPem(await Deno.readTextFile(env("PGSSLROOTCERT"))),
      certificateChain: await Deno.readTextFile(env("PGSSLCERT")),
      privateKey: await Deno.readTextFile(env("PGSSLKEY")),
    }),
    user: env("PGUSER"),
    password: env("PGPASSWORD"),
    database: env("PGDATABASE", "postgres"),
  });
  const result = await db.query(Deno.args[0] ?? "SELECT current_user, version()");
  console.log(result.columns.join(" | "));
  for (const row of result.rows) console.log(row.map((v) => v ?? "NULL").join(" | "));
  console.log(`(${result.command}; ${db.tls.info.protocolVersion})`);
  await db.close();
}
