// Issue 17 item 6: examples/worker/postgres_worker.ts inside a real Cloudflare
// Workers runtime (workerd, tests/peers/_workerd.ts) against a real
// PostgreSQL 15 (tests/_postgres.ts: ssl, clientcert=verify-full, scram). The
// Worker is bundled with the library and served with the committed
// examples/worker/postgres.capnp as it is (only the listening address
// overridden); its bindings come from workerd's environment, so the client
// key and the password are never written to disk. Through `connect()` to
// 127.0.0.1 it sends the SSLRequest, runs TLS 1.3 with verify-full against
// the test CA and our client certificate, logs in with SCRAM-SHA-256-PLUS
// (tls-server-end-point) and answers with a SELECT on pg_stat_ssl, which
// shows what the server saw. A second workerd with another CA must refuse
// the server with our TlsError. The README's snippet is the Worker's code.
// Skipped by hand when workerd, deno or PostgreSQL is missing; fails in CI.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { issue } from "../examples/_certgen.ts";
import { type PgCluster, postgresMissing, startPostgres } from "./_postgres.ts";
import { freePort } from "./peers/_free_port.ts";
import { peerMissing } from "./peers/_spawn.ts";
import { bundleWorker, serveWorkerd, workerdMissing } from "./peers/_workerd.ts";

const example = (rel: string) =>
  readFileSync(new URL(`../examples/${rel}`, import.meta.url), "utf8");

describe("README: Edge worker to PostgreSQL", () => {
  it("the snippet is examples/worker/postgres_worker.ts between its README markers", () => {
    const code = example("worker/postgres_worker.ts");
    const snippet = code.split("// README:begin\n")[1].split("// README:end")[0]
      .replace('"../../mod.ts"', '"@kerneltls/tls"')
      .replace('"../_pg_session.ts"', '"./examples/_pg_session.ts"');
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const section = readme.split("### Edge worker to PostgreSQL\n")[1]?.split("\n### ")[0] ?? "";
    assert.ok(section.includes("```ts\n" + snippet + "```"), "README's snippet differs");
  });
});

const missing = workerdMissing() ?? peerMissing("deno", ["--version"]) ?? postgresMissing();
if (missing) console.warn(missing);

describe("issue 17: a Worker in workerd to PostgreSQL (mTLS, SCRAM-SHA-256-PLUS)", {
  skip: missing,
}, () => {
  let dir: string;
  let pg: PgCluster;
  const procs: { stop(): Promise<void> }[] = [];
  let port = 0;
  let otherPort = 0;

  /** Serves the committed config on `at`, its bindings from `env`. */
  const serve = async (at: number, env: Record<string, string>) => {
    const config = join(dir, "postgres.capnp");
    const w = await serveWorkerd(
      [config, "--socket-addr", `http=127.0.0.1:${at}`],
      `http://127.0.0.1:${at}/favicon.ico`, // 404 without touching PostgreSQL
      env,
    );
    procs.push(w);
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "kerneltls-workerd-pg-"));
    bundleWorker("examples/worker/postgres_worker.ts", join(dir, "postgres_worker.mjs"));
    copyFileSync(
      new URL("../examples/worker/postgres.capnp", import.meta.url),
      join(dir, "postgres.capnp"),
    );
    pg = await startPostgres("TLSv1.3");
    procs.push(pg);
    const env = {
      PG_HOST: pg.hostname,
      PG_PORT: String(pg.port),
      PG_SERVER_NAME: "localhost",
      PG_CA_PEM: pg.ca.certPem,
      PG_CLIENT_CERT_PEM: pg.client.certPem,
      PG_CLIENT_KEY_PEM: pg.client.keyPem,
      PG_USER: pg.user,
      PG_PASSWORD: pg.password,
      PG_DATABASE: pg.database,
    };
    port = await freePort();
    await serve(port, env);
    const other = await issue({ commonName: "some other CA", ca: true });
    otherPort = await freePort();
    await serve(otherPort, { ...env, PG_CA_PEM: other.certPem });
  });

  after(async () => {
    for (const p of procs.reverse()) await p.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("answers with the SELECT: TLSv1.3 and our client DN in pg_stat_ssl", async () => {
    const r = await fetch(`http://127.0.0.1:${port}/`);
    const body = await r.text();
    assert.equal(r.status, 200, body);
    const result = JSON.parse(body);
    assert.equal(result.protocolVersion, "TLSv1_3");
    assert.match(result.cipherSuite, /^TLS_(AES_\d+_GCM_SHA\d+|CHACHA20_POLY1305_SHA256)$/);
    assert.deepEqual(result.columns, ["answer", "current_user", "version", "client_dn"]);
    assert.deepEqual(result.rows, [["42", pg.user, "TLSv1.3", `/CN=${pg.user}`]]);
  });

  it("with another CA the Worker refuses the server with our TlsError", async () => {
    const r = await fetch(`http://127.0.0.1:${otherPort}/`);
    const body = await r.text();
    assert.equal(r.status, 502, body);
    const { error } = JSON.parse(body);
    assert.equal(error.name, "TlsError");
    assert.equal(error.kind, "InvalidCertificate");
    assert.equal(error.detail, "UnknownIssuer");
    assert.equal(error.alert, 48, "unknown_ca sent");
    assert.doesNotMatch(body, /PRIVATE KEY|password/i, "no secrets in the answer");
    // The alert went over the wire: PostgreSQL's OpenSSL logs it.
    for (const end = Date.now() + 5000; !/alert unknown ca/.test(pg.log());) {
      assert.ok(Date.now() < end, `PostgreSQL did not log our alert:\n${pg.log()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  });
});
