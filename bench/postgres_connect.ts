// Time to first query result against a real PostgreSQL 15 (throw-away cluster
// from tests/_postgres.ts, client certificates required, SCRAM-SHA-256):
// our client (examples/postgres_mtls.ts: SSLRequest, TLS with a client
// certificate, SCRAM-SHA-256-PLUS, `select 1`) beside `psql` over OpenSSL
// (libpq, sslmode=verify-full, channel_binding=require), interleaved round by
// round in one run, for TLS 1.3 and TLS 1.2. psql is a new process each time:
// the `psql --version` row is its process start-up alone.
// Run: deno run -A bench/postgres_connect.ts [rounds (40)]
import { connectPostgres } from "../examples/postgres_mtls.ts";
import { clientOptions, PG_BIN, type PgTlsVersion, startPostgres } from "../tests/_postgres.ts";

const rounds = Number(Deno.args[0] ?? 40);
const WARMUP = 3;

function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return `median ${q(0.5).toFixed(1)} ms (p25 ${q(0.25).toFixed(1)}, p75 ${
    q(0.75).toFixed(1)
  }, min ${s[0].toFixed(1)})`;
}

async function timed(run: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await run();
  return performance.now() - t0;
}

async function psql(args: string[], env: Record<string, string> = {}): Promise<void> {
  const out = await new Deno.Command(`${PG_BIN}/psql`, {
    args,
    env,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  if (!out.success) throw new Error(`psql failed: ${new TextDecoder().decode(out.stderr)}`);
}

for (const version of ["TLSv1.3", "TLSv1.2"] as PgTlsVersion[]) {
  const pg = await startPostgres(version);
  try {
    const options = clientOptions(pg);
    const conninfo = `host=localhost hostaddr=127.0.0.1 port=${pg.port} user=${pg.user} ` +
      `dbname=${pg.database} sslmode=verify-full sslrootcert=${pg.files.ca} ` +
      `sslcert=${pg.files.clientCert} sslkey=${pg.files.clientKey} channel_binding=require`;
    const kinds = new Set<string>();
    const cases: Record<string, () => Promise<void>> = {
      "ours (Deno, in process)": async () => {
        const db = await connectPostgres(options);
        const { rows } = await db.query("select 1");
        if (rows[0][0] !== "1") throw new Error("wrong answer");
        kinds.add(db.tls.info.handshakeKind ?? "?");
        await db.close();
      },
      "psql (libpq + OpenSSL, new process)": () =>
        psql([conninfo, "-XAtq", "-c", "select 1"], { PGPASSWORD: pg.password }),
      "psql --version (process start-up only)": () => psql(["--version"]),
    };
    const times: Record<string, number[]> = {};
    for (let round = 0; round < WARMUP + rounds; round++) {
      for (const [name, run] of Object.entries(cases)) {
        const ms = await timed(run);
        if (round >= WARMUP) (times[name] ??= []).push(ms);
      }
    }
    console.log(`\n${version}, ${rounds} rounds (after ${WARMUP} warm-up rounds):`);
    for (const [name, ms] of Object.entries(times)) console.log(`  ${name}: ${stats(ms)}`);
    // Same ClientConfig (one session store) every time: a resumption would show here.
    console.log(`  our handshake kinds seen: ${[...kinds].join(", ")}`);
  } finally {
    await pg.stop();
  }
}
