// Our TLS 1.3 client against gnutls-serv. gnutls-serv binds every interface,
// so it runs in a private network namespace (unshare -n) together with a
// client script (tests/peers/gnutls_client.ts) that reports what it saw.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { spawnSync } from "node:child_process";
import { type TestCert, TestPki } from "./_pki.ts";
import { peerMissing, PeerProcess } from "./peers/_spawn.ts";

const SCRIPT = fileURLToPath(new URL("./peers/gnutls_client.ts", import.meta.url));
const PRIORITY = "NORMAL:-VERS-ALL:+VERS-TLS1.3";
// The namespace is private, so a fixed port cannot clash with anything.
const PORT = 5556;

const missing = peerMissing("gnutls-serv", ["--version"]) ??
  peerMissing("unshare", ["--version"]) ?? namespaceMissing();
if (missing) console.warn(missing);

function namespaceMissing(): string | undefined {
  const probe = spawnSync("unshare", ["-n", "true"], { stdio: "ignore", timeout: 5000 });
  if (probe.status === 0) return undefined;
  const msg = "unshare -n is not permitted here (needs a network namespace); skipping gnutls";
  if (process.env.CI === "true") throw new Error(`${msg} (CI=true)`);
  return msg;
}

/** The runtime running this test, with the arguments to run a .ts script. */
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
  group: number;
  kind: string;
  echoed: boolean;
}

describe("client interop: gnutls-serv (private network namespace)", { skip: missing }, () => {
  let pki: TestPki;
  let ca: TestCert;
  let leaf: TestCert;
  let run: PeerProcess | undefined;
  let result: { matrix: Outcome[]; resumption: Outcome[]; keyUpdate: Outcome };

  before(async () => {
    pki = new TestPki();
    ca = pki.root("kerneltls gnutls interop CA");
    leaf = pki.leaf(ca, "DNS:localhost, IP:127.0.0.1");
    const script = [
      "set -e",
      "ip link set lo up",
      `gnutls-serv --echo -p ${PORT} --x509certfile ${quote(leaf.certPath)} --x509keyfile ${
        quote(leaf.keyPath)
      } --priority ${quote(PRIORITY)} >&2 &`,
      "SRV=$!",
      `trap 'kill $SRV 2>/dev/null' EXIT`,
      `${runtimeCommand().map(quote).join(" ")} ${PORT} ${quote(ca.certPath)}`,
    ].join("\n");
    run = PeerProcess.group("unshare", ["-n", "bash", "-c", script]);
    const m = await run.waitFor(/RESULT (\{.*\})\n/, { timeoutMs: 30_000 }) as RegExpMatchArray;
    result = JSON.parse(m[1]);
  });

  after(async () => {
    await run?.stop();
    pki?.cleanup();
  });

  it("every suite x every group: full handshake, 30000 bytes echoed", () => {
    const expected = [0x1301, 0x1302, 0x1303].flatMap((suite) =>
      [0x1d, 0x17, 0x18].map((group) => ({ suite, group, kind: "Full", echoed: true }))
    );
    assert.deepEqual(result.matrix, expected);
  });

  it("a second connection with the same config resumes", () => {
    assert.deepEqual(result.resumption.map((o) => [o.kind, o.echoed]), [
      ["Full", true],
      ["Resumed", true],
    ]);
  });

  it("data still echoes after three of our KeyUpdates", () => {
    assert.equal(result.keyUpdate.echoed, true);
    assert.equal(result.keyUpdate.kind, "Full");
  });
});
