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
 * Run it with libpq's variables (PGHOST, PGPORT, PGUSER, PGPASSWORD,
 * PGDATABASE, PGSSLROOTCERT, PGSSLCERT, PGSSLKEY; PGSERVERNAME overrides the
 * name checked in the certificate):
 *
 *     deno run -A examples/postgres_mtls.ts "SELECT current_user, version()"
 *
 * @module
 */

import { ClientConfig } from "../src/client/config.ts";
import { tlsServerEndPointChannelBinding } from "../src/conn/channel_binding.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { postgresSslRequest } from "../src/starttls/postgres.ts";
import { connectTls, halfCloseTransport, type TlsStream } from "../src/streams/tls_stream.ts";
import type { UnbufferedClientConnection } from "../src/conn/unbuffered.ts";
import { BodyReader, cstring, PgWire, type QueryResult, sized } from "./_pg_wire.ts";
import { ScramClient } from "./_scram.ts";

const PLUS = "SCRAM-SHA-256-PLUS";
const CHANNEL_BINDING = "tls-server-end-point";
const AUTH = { ok: 0, sasl: 10, saslContinue: 11, saslFinal: 12 } as const;

/** Where to connect and who to be. */
export interface PostgresOptions {
  hostname: string;
  port: number;
  /** The name checked in the server's certificate (default: `hostname`). */
  serverName?: string;
  /** Trust anchors, client certificate and TLS versions: a `ClientConfig`. */
  tls: ClientConfig;
  user: string;
  password: string;
  database: string;
}

/** A logged-in session. */
export interface PostgresConnection {
  /** The TLS stream underneath (handshake facts in `tls.info`). */
  readonly tls: TlsStream<UnbufferedClientConnection>;
  /** ParameterStatus values the server reported (server_version, ...). */
  readonly parameters: ReadonlyMap<string, string>;
  /** Runs `sql` with the simple query protocol. */
  query(sql: string): Promise<QueryResult>;
  /** Says goodbye (Terminate) and closes the connection. */
  close(): Promise<void>;
}

/** SSLRequest, then our TLS client over the same socket. */
export async function startTls(
  transport: { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> },
  options: PostgresOptions,
): Promise<TlsStream<UnbufferedClientConnection>> {
  const ready = await postgresSslRequest(transport);
  return await connectTls(ready, options.tls, options.serverName ?? options.hostname);
}

/** The `tls-server-end-point` binding of the server's certificate (RFC 5929). */
export function serverEndPoint(tls: TlsStream<UnbufferedClientConnection>): Uint8Array {
  const leaf = tls.info.peerCertificates?.[0];
  const binding = leaf && tlsServerEndPointChannelBinding(leaf);
  if (!binding) throw new Error("channel_binding=require: the server certificate has no binding");
  return binding;
}

/** SCRAM-SHA-256-PLUS over PostgreSQL's SASL messages; resolves at AuthenticationOk. */
async function authenticate(wire: PgWire, password: string, binding: Uint8Array): Promise<void> {
  const expect = async (code: number) => {
    const { type, body } = await wire.read();
    const r = new BodyReader(body);
    if (type !== "R" || r.int32() !== code) {
      throw new Error(`channel_binding=require: expected authentication step ${code}`);
    }
    return r;
  };
  const offered: string[] = [];
  const list = await expect(AUTH.sasl);
  for (let name = list.cstring(); name !== ""; name = list.cstring()) offered.push(name);
  if (!offered.includes(PLUS)) {
    throw new Error(`channel_binding=require: server offers ${offered.join(", ")}, not ${PLUS}`);
  }

  const scram = new ScramClient({
    password,
    channelBinding: { type: CHANNEL_BINDING, data: binding },
  });
  const utf8 = new TextEncoder();
  await wire.send("p", cstring(PLUS), sized(utf8.encode(scram.clientFirst())));
  const serverFirst = new TextDecoder().decode((await expect(AUTH.saslContinue)).rest());
  await wire.send("p", utf8.encode(await scram.clientFinal(serverFirst)));
  scram.verifyServerFinal(new TextDecoder().decode((await expect(AUTH.saslFinal)).rest()));
  await expect(AUTH.ok);
}

/**
 * Logs in over an established TLS stream: StartupMessage, SCRAM-SHA-256-PLUS
 * bound to `binding`, then waits for ReadyForQuery.
 */
export async function login(
  tls: TlsStream<UnbufferedClientConnection>,
  options: PostgresOptions,
  binding: Uint8Array,
): Promise<PostgresConnection> {
  const wire = new PgWire(tls.readable, tls.writable);
  await wire.startup({ user: options.user, database: options.database });
  await authenticate(wire, options.password, binding);
  const parameters = new Map<string, string>();
  for (let m = await wire.read(); m.type !== "Z"; m = await wire.read()) {
    if (m.type === "S") {
      const r = new BodyReader(m.body);
      parameters.set(r.cstring(), r.cstring());
    }
  }
  return { tls, parameters, query: (sql) => wire.query(sql), close: () => wire.terminate() };
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
    const tls = await startTls(halfCloseTransport(tcp), options);
    return await login(tls, options, serverEndPoint(tls));
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
