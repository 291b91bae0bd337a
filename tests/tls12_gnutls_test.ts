// TLS 1.2 interop with GnuTLS: our client against gnutls-serv (plain and after
// the kernel hand-off) and our server (after the hand-off) against gnutls-cli,
// for the six ECDHE AEAD suites. gnutls-serv binds every interface, so
// everything runs in a private network namespace (unshare -n) through
// tests/peers/gnutls_tls12.ts, which reports what it saw.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { spawnSync } from "node:child_process";
import { type TestCert, TestPki } from "./_pki.ts";
import { peerMissing, PeerProcess } from "./peers/_spawn.ts";

const SCRIPT = fileURLToPath(new URL("./peers/gnutls_tls12.ts", import.meta.url));
const PRIORITY = "NORMAL:-VERS-ALL:+VERS-TLS1.2";
// The namespace is private, so fixed ports cannot clash with anything.
const PORT = 5561;
const SUITES = [0xc02b, 0xc02c, 0xcca9, 0xc02f, 0xc030, 0xcca8];

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
  console.warn(missing);
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
  suite: number;
  version: string;
  negotiated: number;
  echoed: boolean;
}

describe("TLS 1.2 interop: GnuTLS (private network namespace)", { skip: missing }, () => {
  let pki: TestPki;
  let run: PeerProcess | undefined;
  let result: { plain: Outcome[]; kernel: Outcome[]; server: Outcome[] };

  before(async () => {
    pki = new TestPki();
    const ca: TestCert = pki.root("kerneltls tls12 gnutls CA");
    const ecdsa = pki.leaf(ca, "DNS:localhost, IP:127.0.0.1", { alg: "p256" });
    const rsa = pki.leaf(ca, "DNS:localhost, IP:127.0.0.1", { alg: "rsa" });
    const serv = (port: number, leaf: TestCert) =>
      `gnutls-serv --echo -p ${port} --x509certfile ${quote(leaf.certPath)} --x509keyfile ${
        quote(leaf.keyPath)
      } --priority ${quote(PRIORITY)} >/dev/null 2>&1 &`;
    const script = [
      "set -e",
      "ip link set lo up",
      serv(PORT, ecdsa),
      "A=$!",
      serv(PORT + 1, rsa),
      "B=$!",
      `trap 'kill $A $B 2>/dev/null' EXIT`,
      `${runtimeCommand().map(quote).join(" ")} ${PORT} ${
        [ca.certPath, ecdsa.certPath, ecdsa.keyPath, rsa.certPath, rsa.keyPath].map(quote).join(" ")
      }`,
    ].join("\n");
    run = PeerProcess.group("unshare", ["-n", "bash", "-c", script]);
    const m = await run.waitFor(/RESULT (\{.*\})\n/, { timeoutMs: 60_000 }) as RegExpMatchArray;
    result = JSON.parse(m[1]);
  });

  after(async () => {
    await run?.stop();
    pki?.cleanup();
  });

  const expected = SUITES.map((suite) => ({
    suite,
    version: "TLSv1_2",
    negotiated: suite,
    echoed: true,
  }));

  it("our client vs gnutls-serv: six suites, 20000 bytes echoed", () => {
    assert.deepEqual(result.plain, expected);
  });

  it("our client hands off; KernelRecordLayer exchanges data with gnutls-serv", () => {
    assert.deepEqual(result.kernel, expected);
  });

  it("our server hands off; KernelRecordLayer exchanges data with gnutls-cli", () => {
    assert.deepEqual(result.server, expected);
  });
});
