/**
 * A Cloudflare Worker that talks to PostgreSQL the strict way, which the
 * platform's own `startTls()` cannot do (it trusts only the platform's CA
 * list and presents no client certificate): a plain TCP socket from
 * `connect()`, PostgreSQL's SSLRequest, kerneltls's client with
 * `sslmode=verify-full` semantics against a private CA and a client
 * certificate, SCRAM-SHA-256-PLUS bound to `tls-server-end-point`
 * (`examples/_pg_session.ts`, the same code the Deno example runs), then one
 * SELECT whose result is the response to `GET /`, as JSON. A failure answers
 * 502 with the error's name, message and, for a `TlsError`, its kind, detail
 * and alert.
 *
 * Everything comes from text bindings (`Env`); `examples/worker/postgres.capnp`
 * reads them from the environment, so the key and the password stay out of
 * the config (on Cloudflare: `wrangler secret put`).
 *
 * Build and run (tests/workerd_postgres_test.ts does exactly this):
 *   deno bundle --platform browser --format esm examples/worker/postgres_worker.ts \
 *     -o examples/worker/postgres_worker.mjs
 *   PG_HOST=127.0.0.1 PG_PORT=5432 ... workerd serve examples/worker/postgres.capnp
 *
 * @module
 */

// README:begin
import { ClientConfig, RootCertStore, type TlsError } from "../../mod.ts";
import { postgresOverTransport } from "../_pg_session.ts";

// In a variable, so that type checkers and bundlers leave it to workerd.
const SOCKETS = "cloudflare:sockets";
const SQL = "SELECT 40 + 2 AS answer, current_user, s.version, s.client_dn " +
  "FROM pg_stat_ssl s WHERE s.pid = pg_backend_pid()";

/** The Worker's bindings (secrets in production). */
export interface Env {
  PG_HOST: string;
  PG_PORT: string;
  /** Checked in the server's certificate, as `sslmode=verify-full` does. */
  PG_SERVER_NAME: string;
  /** `sslrootcert`: the private CA of the server's certificate. */
  PG_CA_PEM: string;
  /** `sslcert` (CN = the user, for `clientcert=verify-full`) and `sslkey`. */
  PG_CLIENT_CERT_PEM: string;
  PG_CLIENT_KEY_PEM: string;
  PG_USER: string;
  PG_PASSWORD: string;
  PG_DATABASE: string;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    // No database round trip for anything else (a browser's /favicon.ico).
    if (new URL(request.url).pathname !== "/") return new Response(null, { status: 404 });
    const { connect } = await import(SOCKETS);
    const socket = connect({ hostname: env.PG_HOST, port: Number(env.PG_PORT) });
    try {
      const db = await postgresOverTransport(socket, {
        serverName: env.PG_SERVER_NAME,
        tls: new ClientConfig({
          roots: RootCertStore.fromPem(env.PG_CA_PEM),
          certificateChain: env.PG_CLIENT_CERT_PEM,
          privateKey: env.PG_CLIENT_KEY_PEM,
        }),
        tlsOptions: { handshakeTimeoutMs: 10_000, signal: request.signal },
        user: env.PG_USER,
        password: env.PG_PASSWORD,
        database: env.PG_DATABASE,
      });
      const { columns, rows } = await db.query(SQL);
      const { protocolVersion, cipherSuite } = db.tls.info;
      await db.close();
      return Response.json({ protocolVersion, cipherSuite: cipherSuite?.name, columns, rows });
    } catch (e) {
      await socket.close().catch(() => {}); // closed already, unless the server refused TLS
      const { name, message, kind, detail, alert } = e as TlsError;
      return Response.json({ error: { name, message, kind, detail, alert } }, { status: 502 });
    }
  },
};
// README:end
