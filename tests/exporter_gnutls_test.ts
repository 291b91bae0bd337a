// Issue 17 item 2: exported keying material matches GnuTLS's
// (`--keymatexport` / `--keymatexportsize`), TLS 1.3 and TLS 1.2, our client
// against gnutls-serv and our server against gnutls-cli. gnutls-serv binds
// every interface, so everything runs in a private network namespace
// (unshare -n, only lo up) through tests/peers/gnutls_exporter.ts.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { spawnSync } from "node:child_process";
import { type TestCert, TestPki } from "./_pki.ts";
import { peerMissing, PeerProcess } from "./peers/_spawn.ts";

const SCRIPT = fileURLToPath(new URL("./peers/gnutls_exporter.ts", import.meta.url));
// The namespace is private, so fixed ports cannot clash with anything.
const PORT = 5571;

function namespaceMissing(): string | undefined {
  const probe = spawnSync("unshare", ["-n", "true"], { stdio: "ignore", timeout: 5000 });
  if (probe.status === 0) return undefined;
  return "unshare -n is not permitted here (needs a network namespace); skipping gnutls";
}

const missing = peerMissing("gnutls-serv", ["--version"]) ??
  peerMissing("gnutls-cli", ["--version"]) ?? peerMissing("unshare", ["--version"]) ??
  namespaceMissing();
if (missing) {
  if (process.env.CI === "true") throw new Error(`${missing} (CI=true)`);
  console.warn(`${missing}: skipping (by hand only; CI fails instead)`);
}

function runtimeCommand(): string[] {
  return typeof Deno !== "undefined"
    ? [Deno.execPath(), "run", "-A", SCRIPT]
    : [process.execPath, SCRIPT];
}

function quote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

interface Outcome {
  side: "client" | "server";
  suite: number;
  version: string;
  ours: string;
  theirs: string | undefined;
}

describe("issue 17 item 2: exporters against GnuTLS (private network namespace)", {
  skip: missing,
}, () => {
  let pki: TestPki;
  let run: PeerProcess | undefined;
  let results: Outcome[];

  before(async () => {
    pki = new TestPki();
    const ca: TestCert = pki.root("kerneltls exporter gnutls CA");
    const leaf = pki.leaf(ca, "DNS:localhost, IP:127.0.0.1", { alg: "p256" });
    const script = [
      "set -e",
      "ip link set lo up",
      `${runtimeCommand().map(quote).join(" ")} ${PORT} ${
        [ca.certPath, leaf.certPath, leaf.keyPath].map(quote).join(" ")
      }`,
    ].join("\n");
    run = PeerProcess.group("unshare", ["-n", "bash", "-c", script]);
    const m = await run.waitFor(/RESULT (\[.*\])\n/, { timeoutMs: 60_000 }) as RegExpMatchArray;
    results = JSON.parse(m[1]);
  });

  after(async () => {
    await run?.stop();
    pki?.cleanup();
  });

  for (const side of ["client", "server"] as const) {
    const peer = side === "client" ? "gnutls-serv" : "gnutls-cli";
    it(`our ${side} and ${peer}: the same keying material, TLS 1.3 and 1.2, SHA-256 and SHA-384`, () => {
      const mine = results.filter((r) => r.side === side);
      assert.deepEqual(mine.map((r) => [r.version, r.suite]), [
        ["TLSv1_3", 0x1301],
        ["TLSv1_3", 0x1302],
        ["TLSv1_2", 0xc02b],
        ["TLSv1_2", 0xc02c],
      ]);
      for (const r of mine) {
        assert.match(r.ours, /^[0-9a-f]{48}$/);
        assert.equal(r.ours, r.theirs, `0x${r.suite.toString(16)}`);
      }
    });
  }
});
