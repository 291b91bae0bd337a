/**
 * A PostgreSQL session over any byte transport (`{ readable, writable }`:
 * Deno's TCP through `halfCloseTransport`, Cloudflare's `connect()` socket,
 * Node's `Duplex.toWeb`): SSLRequest, our TLS client, the StartupMessage and
 * SCRAM-SHA-256-PLUS bound to `tls-server-end-point`, with
 * `channel_binding=require` semantics (a server that does not offer -PLUS,
 * or asks for no password at all, is refused, and the server's signature
 * must prove it knows the password's verifier). Opening the socket is the
 * caller's job: `examples/postgres_mtls.ts` (Deno) and
 * `examples/worker/postgres_worker.ts` (workerd) do it.
 *
 * @module
 */

import type { ClientConfig } from "../src/client/config.ts";
import { tlsServerEndPointChannelBinding } from "../src/conn/channel_binding.ts";
import { postgresSslRequest } from "../src/starttls/postgres.ts";
import {
  type ByteTransport,
  connectTls,
  type TlsStream,
  type TlsStreamOptions,
} from "../src/streams/tls_stream.ts";
import type { UnbufferedClientConnection } from "../src/conn/unbuffered.ts";
import { BodyReader, cstring, PgWire, type QueryResult, sized } from "./_pg_wire.ts";
import { ScramClient } from "./_scram.ts";

const PLUS = "SCRAM-SHA-256-PLUS";
const CHANNEL_BINDING = "tls-server-end-point";
const AUTH = { ok: 0, sasl: 10, saslContinue: 11, saslFinal: 12 } as const;

/** Who to be and whom to trust, once a transport to the server is open. */
export interface PostgresSessionOptions {
  /** The name checked in the server's certificate (`sslmode=verify-full`). */
  serverName: string;
  /** Trust anchors, client certificate and TLS versions: a `ClientConfig`. */
  tls: ClientConfig;
  /** Handshake timeout and abort signal for `connectTls`. */
  tlsOptions?: TlsStreamOptions;
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

/** SSLRequest, then our TLS client over the same transport. */
export async function startTls(
  transport: ByteTransport,
  options: Pick<PostgresSessionOptions, "serverName" | "tls" | "tlsOptions">,
): Promise<TlsStream<UnbufferedClientConnection>> {
  const ready = await postgresSslRequest(transport);
  return await connectTls(ready, options.tls, options.serverName, options.tlsOptions);
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
  options: Pick<PostgresSessionOptions, "user" | "password" | "database">,
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
 * Starts TLS on a fresh `transport` to PostgreSQL and logs in with
 * SCRAM-SHA-256-PLUS: ready for queries. On a failure after TLS is up the
 * stream is disposed (close_notify, transport closed); before it, TLS and
 * the SSLRequest close the transport themselves, except on the server's
 * `N`, where it is left open: close your socket when this rejects.
 *
 * @example
 * ```ts
 * import { ClientConfig, RootCertStore } from "../mod.ts";
 * import { halfCloseTransport } from "../src/streams/tls_stream.ts";
 * import { postgresOverTransport } from "./_pg_session.ts";
 * const tcp = await Deno.connect({ hostname: "127.0.0.1", port: 5432 });
 * const db = await postgresOverTransport(halfCloseTransport(tcp), {
 *   serverName: "db.internal",
 *   tls: new ClientConfig({ roots: RootCertStore.fromPem(await Deno.readTextFile("root.crt")) }),
 *   user: "app", password: "secret", database: "app",
 * });
 * console.log((await db.query("SELECT 1")).rows); // [ [ "1" ] ]
 * await db.close();
 * ```
 */
export async function postgresOverTransport(
  transport: ByteTransport,
  options: PostgresSessionOptions,
): Promise<PostgresConnection> {
  const tls = await startTls(transport, options);
  try {
    return await login(tls, options, serverEndPoint(tls));
  } catch (e) {
    await tls[Symbol.asyncDispose]();
    throw e;
  }
}
