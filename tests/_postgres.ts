// A throw-away PostgreSQL 15 cluster for tests and benchmarks: initdb in a temp
// directory owned by the `postgres` user (initdb refuses root), `ssl = on` with
// a test CA, server and client certificate made here with Web Crypto, client
// certificates checked (`clientcert=verify-full` in hba plus `ssl_ca_file`), a
// SCRAM-SHA-256 login role (and one that `trust` lets in with no password, for
// channel_binding=require refusals), listening only on 127.0.0.1 on a free
// port. Started with `pg_ctl`, stopped by the postmaster's PID (SIGQUIT), the
// directory removed.
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { issue, type Issued } from "../examples/_certgen.ts";
import type { PostgresOptions } from "../examples/postgres_mtls.ts";
import { ClientConfig } from "../src/client/config.ts";
import { RootCertStore } from "../src/webpki/root_store.ts";
import { freePort } from "./peers/_free_port.ts";

/**
 * Where PostgreSQL's programs are: Debian's `postgresql-15`, else the newest
 * `/usr/lib/postgresql/N/bin` installed.
 */
export const PG_BIN: string = (() => {
  const root = "/usr/lib/postgresql";
  const majors = existsSync(root)
    ? readdirSync(root).filter((d) => /^\d+$/.test(d)).map(Number).sort((a, b) => b - a)
    : [];
  const major = majors.includes(15) ? 15 : majors[0] ?? 15;
  return `${root}/${major}/bin`;
})();

/** The TLS versions a cluster can be pinned to (min = max). */
export type PgTlsVersion = "TLSv1.2" | "TLSv1.3";

/**
 * Undefined when PostgreSQL (and, as root, the `postgres` user and
 * `runuser`) are here, else a skip message. With CI=true a missing server is
 * an error (.ci/run installs `postgresql`).
 */
export function postgresMissing(): string | undefined {
  const need = [join(PG_BIN, "postgres"), join(PG_BIN, "initdb"), join(PG_BIN, "pg_ctl")];
  const absent = need.filter((p) => !existsSync(p));
  let why = absent.length > 0 ? `${absent.join(", ")} not found` : undefined;
  if (!why && isRoot()) {
    try {
      execFileSync("id", ["-u", "postgres"], { stdio: "ignore" });
      execFileSync("runuser", ["--version"], { stdio: "ignore" });
    } catch {
      why = "the postgres user or runuser is missing (initdb refuses root)";
    }
  }
  if (!why) return undefined;
  const msg = `PostgreSQL: ${why}`;
  if (process.env.CI === "true") throw new Error(`${msg} (CI=true: .ci/run installs postgresql)`);
  return `${msg}; skipping (by hand only; CI fails instead)`;
}

/** A running cluster and what a client needs to reach it. */
export interface PgCluster {
  /** Always 127.0.0.1. */
  hostname: string;
  /** The TCP port it listens on. */
  port: number;
  /** The login role (also the client certificate's CN). */
  user: string;
  /** The role's password (stored as a SCRAM-SHA-256 verifier). */
  password: string;
  /** The database to connect to. */
  database: string;
  /** The CA that issued the server and client certificates. */
  ca: Issued;
  /** The client certificate (CN = `user`) with its key. */
  client: Issued;
  /** The CA, the client certificate and key as files (mode 0600, for psql). */
  files: { ca: string; clientCert: string; clientKey: string };
  /** The postmaster's PID. */
  pid: number;
  /** The server log so far. */
  log(): string;
  /** Stops the server by PID and removes the directory. */
  stop(): Promise<void>;
}

const USER = "kerneltls_app";
/** A role that `trust` lets in without any authentication exchange. */
export const NO_PASSWORD_USER = "kerneltls_nopass";

/** `id` for `user` (ourselves when undefined); no --allow-sys needed, unlike process.getuid. */
const idOf = (flag: "-u" | "-g", user?: string) =>
  Number(execFileSync("id", user ? [flag, user] : [flag], { encoding: "utf8" }).trim());
const isRoot = () => idOf("-u") === 0;

/**
 * Who runs the server: the `postgres` user through `runuser` when we are
 * root (initdb refuses root), else we ourselves.
 */
function serverUser(): { uid: number; gid: number; run(cmd: string, args: string[]): string } {
  const root = isRoot();
  const run = (cmd: string, args: string[]) =>
    execFileSync(root ? "runuser" : cmd, root ? ["-u", "postgres", "--", cmd, ...args] : args, {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 30_000,
    });
  const user = root ? "postgres" : undefined;
  return { uid: idOf("-u", user), gid: idOf("-g", user), run };
}

/** Writes `text` as a 0600 file owned by postgres (PostgreSQL refuses laxer keys). */
function writePrivate(path: string, text: string, owner?: { uid: number; gid: number }): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
  if (owner) chownSync(path, owner.uid, owner.gid);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopPid(pid: number): Promise<void> {
  const gone = async (ms: number) => {
    for (const end = Date.now() + ms; Date.now() < end;) {
      if (!alive(pid)) return true;
      await new Promise((r) => setTimeout(r, 25));
    }
    return !alive(pid);
  };
  try {
    process.kill(pid, "SIGQUIT"); // immediate shutdown: the cluster is thrown away anyway
  } catch {
    return;
  }
  if (await gone(10_000)) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch { /* gone meanwhile */ }
  await gone(2000);
}

/**
 * Creates and starts a cluster whose TLS is pinned to `tlsVersion`
 * (ssl_min_protocol_version = ssl_max_protocol_version).
 */
export async function startPostgres(tlsVersion: PgTlsVersion = "TLSv1.3"): Promise<PgCluster> {
  const { uid, gid, run: asPostgres } = serverUser();
  const dir = mkdtempSync(join(tmpdir(), "kerneltls-pg-"));
  chownSync(dir, uid, gid);
  const data = join(dir, "data");
  const logFile = join(dir, "server.log");
  let pid = 0;
  try {
    const ca = await issue({ commonName: "kerneltls PostgreSQL test CA", ca: true });
    const server = await issue({ commonName: "localhost", names: ["localhost", "127.0.0.1"] }, ca);
    const client = await issue({ commonName: USER, eku: ["clientAuth"] }, ca);
    const password = crypto.randomUUID();
    const port = await freePort();

    asPostgres(join(PG_BIN, "initdb"), [
      "-D",
      data,
      "-U",
      "postgres",
      "--auth-local=trust",
      "--auth-host=reject",
      "--no-sync",
      "--no-instructions",
      "-E",
      "UTF8",
      "--locale=C",
    ]);
    const owner = { uid, gid };
    writePrivate(join(data, "server.crt"), server.certPem, owner);
    writePrivate(join(data, "server.key"), server.keyPem, owner);
    writePrivate(join(data, "root.crt"), ca.certPem, owner);
    writePrivate(
      join(dir, "pg_hba.conf"),
      [
        "local all postgres trust",
        // A role that logs in without a password: a client that requires
        // channel binding must refuse it.
        `hostssl all ${NO_PASSWORD_USER} 127.0.0.1/32 trust clientcert=verify-ca`,
        "hostssl all all 127.0.0.1/32 scram-sha-256 clientcert=verify-full",
        "",
      ].join("\n"),
      owner,
    );
    const conf = readFileSync(join(data, "postgresql.conf"), "utf8") + [
      "",
      "# kerneltls test cluster",
      "listen_addresses = '127.0.0.1'",
      `port = ${port}`,
      `unix_socket_directories = '${dir}'`,
      `hba_file = '${join(dir, "pg_hba.conf")}'`,
      "ssl = on",
      "ssl_cert_file = 'server.crt'",
      "ssl_key_file = 'server.key'",
      "ssl_ca_file = 'root.crt'",
      `ssl_min_protocol_version = '${tlsVersion}'`,
      `ssl_max_protocol_version = '${tlsVersion}'`,
      "password_encryption = 'scram-sha-256'",
      "fsync = off",
      "max_connections = 20",
      "shared_buffers = 16MB",
      "",
    ].join("\n");
    writePrivate(join(data, "postgresql.conf"), conf, owner);

    asPostgres(join(PG_BIN, "pg_ctl"), ["-D", data, "-l", logFile, "-w", "-t", "30", "start"]);
    pid = Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
    asPostgres(join(PG_BIN, "psql"), [
      "-X",
      "-q",
      "-h",
      dir,
      "-p",
      String(port),
      "-U",
      "postgres",
      "-d",
      "postgres",
      "-v",
      "ON_ERROR_STOP=1",
      "-c",
      `CREATE ROLE ${USER} LOGIN PASSWORD '${password}'; CREATE ROLE ${NO_PASSWORD_USER} LOGIN`,
    ]);

    // Client files for psql, owned by us (root): libpq wants 0600 keys.
    const files = {
      ca: join(dir, "client-root.crt"),
      clientCert: join(dir, "client.crt"),
      clientKey: join(dir, "client.key"),
    };
    writePrivate(files.ca, ca.certPem);
    writePrivate(files.clientCert, client.certPem);
    writePrivate(files.clientKey, client.keyPem);

    const started = pid;
    return {
      hostname: "127.0.0.1",
      port,
      user: USER,
      password,
      database: "postgres",
      ca,
      client,
      files,
      pid: started,
      log: () => existsSync(logFile) ? readFileSync(logFile, "utf8") : "",
      stop: async () => {
        await stopPid(started);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    const log = existsSync(logFile) ? readFileSync(logFile, "utf8") : "";
    if (pid) await stopPid(pid);
    rmSync(dir, { recursive: true, force: true });
    const stderr = (e as { stderr?: string }).stderr ?? "";
    throw new Error(`could not start PostgreSQL: ${(e as Error).message}\n${stderr}\n${log}`);
  }
}

/**
 * `connectPostgres` options for `pg`: its CA trusted, the name "localhost"
 * checked, its client certificate presented, its SCRAM login.
 */
export function clientOptions(pg: PgCluster): PostgresOptions {
  return {
    hostname: pg.hostname,
    port: pg.port,
    serverName: "localhost",
    tls: new ClientConfig({
      roots: RootCertStore.fromPem(pg.ca.certPem),
      certificateChain: pg.client.certPem,
      privateKey: pg.client.keyPem,
    }),
    user: pg.user,
    password: pg.password,
    database: pg.database,
  };
}
