// Issue 17: examples/postgres_mtls.ts against a real PostgreSQL 15 (OpenSSL),
// one throw-away cluster per TLS version (tests/_postgres.ts): SSLRequest,
// our TLS client with a client certificate, SCRAM-SHA-256-PLUS bound to
// tls-server-end-point, a SELECT; and each way it must fail. The SCRAM code is
// also checked against RFC 7677's example exchange, and the refusal of a
// server without -PLUS against a scripted backend behind our acceptTls (no
// PostgreSQL needed for either).
// The PostgreSQL cases need Deno.connect: skipped with a message under Bun;
// skipped by hand when PostgreSQL is missing, a failure under CI=true.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ClientConfig } from "../src/client/config.ts";
import { TlsError } from "../src/error.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { ServerConfig } from "../src/server/config.ts";
import { acceptTls, connectTls } from "../src/streams/tls_stream.ts";
import { issue, testPki } from "../examples/_certgen.ts";
import { cstring, PgWire, PostgresError } from "../examples/_pg_wire.ts";
import { ScramClient } from "../examples/_scram.ts";
import { connectPostgres, type PostgresOptions } from "../examples/postgres_mtls.ts";
import { login, serverEndPoint, startTls } from "../examples/_pg_session.ts";
import { halfCloseTransport } from "../src/streams/tls_stream.ts";
import {
  clientOptions,
  NO_PASSWORD_USER,
  PG_BIN,
  type PgCluster,
  postgresMissing,
  startPostgres,
} from "./_postgres.ts";

const skip = typeof Deno === "undefined"
  ? "the PostgreSQL example needs Deno.connect (skipped outside Deno)"
  : postgresMissing() ?? false;
if (skip) console.warn(skip);

describe("SCRAM-SHA-256 client (examples/_scram.ts)", () => {
  it("reproduces RFC 7677 section 3's exchange byte for byte", async () => {
    const scram = new ScramClient({
      password: "pencil",
      username: "user",
      nonce: "rOprNGfwEbeRWgbNEkqO",
    });
    assert.equal(scram.clientFirst(), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    const nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    assert.equal(
      await scram.clientFinal(`r=${nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`),
      `c=biws,r=${nonce},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`,
    );
    scram.verifyServerFinal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
    assert.throws(
      () => scram.verifyServerFinal("v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="),
      /wrong server signature/,
    );
  });

  it("refuses a server nonce that does not extend ours, and huge iteration counts", async () => {
    const scram = new ScramClient({ password: "p", nonce: "abc" });
    await assert.rejects(scram.clientFinal("r=xyz123,s=AAAA,i=4096"), /does not extend ours/);
    await assert.rejects(scram.clientFinal("r=abc123,s=AAAA,i=99999999"), /too high/);
  });
});

describe("channel_binding=require against a scripted server (our acceptTls, in memory)", () => {
  it("refuses a server that offers SCRAM-SHA-256 without -PLUS", async () => {
    const { ca, leaf } = await testPki(["localhost"]);
    const tls = new ClientConfig({ roots: RootCertStore.fromPem(ca.certPem) });
    const up = new TransformStream<Uint8Array, Uint8Array>();
    const down = new TransformStream<Uint8Array, Uint8Array>();
    const [client, server] = await Promise.all([
      connectTls(
        { readable: down.readable, writable: up.writable },
        tls,
        "localhost",
      ),
      acceptTls(
        { readable: up.readable, writable: down.writable },
        new ServerConfig({ certificateChain: leaf.certPem, privateKey: leaf.keyPem }),
      ),
    ]);
    // AuthenticationSASL (10) listing only the mechanism without channel binding.
    const backend = new PgWire(server.readable, server.writable);
    await backend.send("R", new Uint8Array([0, 0, 0, 10]), cstring("SCRAM-SHA-256"), cstring(""));
    const options = {
      hostname: "127.0.0.1",
      port: 5432,
      tls,
      user: "app",
      password: "secret",
      database: "app",
    };
    await assert.rejects(
      login(client, options, serverEndPoint(client)),
      /channel_binding=require: server offers SCRAM-SHA-256, not SCRAM-SHA-256-PLUS/,
    );
  });
});

for (const version of ["TLSv1.3", "TLSv1.2"] as const) {
  describe(`PostgreSQL (${PG_BIN}) over ${version}: mTLS + SCRAM-SHA-256-PLUS`, { skip }, () => {
    let pg: PgCluster;
    let options: PostgresOptions;
    before(async () => {
      pg = await startPostgres(version);
      options = clientOptions(pg);
    });
    after(async () => {
      await pg?.stop();
    });

    it("connects, authenticates and runs SELECT", async () => {
      const db = await connectPostgres(options);
      try {
        assert.equal(db.tls.info.protocolVersion, version.replace(".", "_"));
        const r = await db.query(
          "SELECT 40 + 2 AS answer, current_user, s.version, s.client_dn " +
            "FROM pg_stat_ssl s WHERE s.pid = pg_backend_pid()",
        );
        assert.deepEqual(r.columns, ["answer", "current_user", "version", "client_dn"]);
        // The server saw our TLS version and our client certificate.
        assert.deepEqual(r.rows, [["42", pg.user, version, `/CN=${pg.user}`]]);
        assert.equal(r.command, "SELECT 1");
        const major = /\/(\d+)\/bin$/.exec(PG_BIN)?.[1];
        assert.match(db.parameters.get("server_version") ?? "", new RegExp(`^${major}\\.`));
      } finally {
        await db.close();
      }
    });

    it("the README snippet runs as written", async () => {
      const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
      const section = readme.split("### Deno app to PostgreSQL with mTLS")[1] ?? "";
      const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
      const imports = [
        'import { ClientConfig, RootCertStore } from "@kerneltls/tls";\n',
        'import { connectPostgres } from "./examples/postgres_mtls.ts";\n',
      ];
      assert.ok(code.startsWith(imports.join("")), `README snippet imports changed:\n${code}`);
      // The snippet's free names get the cluster's values; its imports, our modules.
      const logged: unknown[] = [];
      const given = {
        ClientConfig,
        RootCertStore,
        connectPostgres,
        console: { log: (v: unknown) => logged.push(v) },
        port: pg.port,
        caPem: pg.ca.certPem,
        clientCertPem: pg.client.certPem,
        clientKeyPem: pg.client.keyPem,
        password: pg.password,
      };
      const AsyncFunction = (async () => {}).constructor as new (
        ...args: string[]
      ) => (...values: unknown[]) => Promise<void>;
      const body = code.slice(imports.join("").length);
      await new AsyncFunction(...Object.keys(given), body)(...Object.values(given));
      assert.deepEqual(logged, [[["42", "kerneltls_app"]]]);
    });

    it("deno run examples/postgres_mtls.ts with libpq's variables prints the rows", async () => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          new URL("../examples/postgres_mtls.ts", import.meta.url).pathname,
          "SELECT 6 * 7 AS n",
        ],
        env: {
          PGHOST: pg.hostname,
          PGPORT: String(pg.port),
          PGSERVERNAME: "localhost",
          PGUSER: pg.user,
          PGPASSWORD: pg.password,
          PGSSLROOTCERT: pg.files.ca,
          PGSSLCERT: pg.files.clientCert,
          PGSSLKEY: pg.files.clientKey,
        },
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(20_000),
      }).output();
      const stdout = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      assert.equal(stdout, `n\n42\n(SELECT 1; ${version.replace(".", "_")})\n`);
    });

    it("refuses a server whose CA we do not trust (TlsError)", async () => {
      const other = await issue({ commonName: "some other CA", ca: true });
      const tls = new ClientConfig({
        roots: RootCertStore.fromPem(other.certPem),
        certificateChain: pg.client.certPem,
        privateKey: pg.client.keyPem,
      });
      await assert.rejects(connectPostgres({ ...options, tls }), (e) => {
        assert.ok(e instanceof TlsError, String(e));
        assert.equal(e.kind, "InvalidCertificate");
        assert.equal(e.detail, "UnknownIssuer");
        return true;
      });
    });

    it("refuses a server certificate for another name (TlsError)", async () => {
      await assert.rejects(connectPostgres({ ...options, serverName: "db.example" }), (e) => {
        assert.ok(e instanceof TlsError, String(e));
        assert.equal(e.kind, "InvalidCertificate");
        assert.equal(e.detail, "NotValidForName");
        return true;
      });
    });

    it("without a client certificate the server refuses the login (FATAL 28000)", async () => {
      const tls = new ClientConfig({ roots: RootCertStore.fromPem(pg.ca.certPem) });
      await assert.rejects(connectPostgres({ ...options, tls }), (e) => {
        assert.ok(e instanceof PostgresError, String(e));
        assert.equal(e.code, "28000");
        assert.equal(e.fields.M, "connection requires a valid client certificate");
        return true;
      });
    });

    it("a tampered channel binding fails the SCRAM proof on the server", async () => {
      const tcp = await Deno.connect({ hostname: pg.hostname, port: pg.port });
      try {
        const tls = await startTls(halfCloseTransport(tcp), {
          ...options,
          serverName: "localhost",
        });
        const binding = serverEndPoint(tls).slice();
        binding[0] ^= 1;
        await assert.rejects(login(tls, options, binding), (e) => {
          assert.ok(e instanceof PostgresError, String(e));
          assert.equal(e.code, "28000");
          assert.equal(e.fields.M, "SCRAM channel binding check failed");
          return true;
        });
      } finally {
        try {
          tcp.close();
        } catch { /* closed by the stream */ }
      }
    });

    it("refuses a server that lets us in without SCRAM (channel_binding=require)", async () => {
      await assert.rejects(
        connectPostgres({ ...options, user: NO_PASSWORD_USER }),
        /channel_binding=require: expected authentication step 10/,
      );
    });
  });
}
