// The library bundled for Node (`deno bundle`, one ESM file) runs under plain
// Node 20: tests/peers/node_bundle_check.mjs does an in-memory handshake with
// hand-off on both sides and a handshake against Node's own tls server.
// Needs `deno` (to bundle) and `node`; skipped when missing, except in CI.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { testPki } from "../examples/_certgen.ts";
import { peerMissing } from "./peers/_spawn.ts";
import { bundleLibrary } from "./_bundle.ts";

const CHECK = fileURLToPath(new URL("./peers/node_bundle_check.mjs", import.meta.url));
const skip = peerMissing("node") ?? peerMissing("deno") ?? false;

describe("Node 20 bundle", () => {
  it("in-memory handshake + hand-off, and a handshake against node:tls", {
    skip,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "kerneltls-node-"));
    try {
      const bundle = bundleLibrary(dir);

      const { ca, leaf } = await testPki(["localhost"]);
      writeFileSync(join(dir, "ca.pem"), ca.certPem);
      writeFileSync(join(dir, "cert.pem"), leaf.certPem);
      writeFileSync(join(dir, "key.pem"), leaf.keyPem);
      // spawnSync kills the child at the timeout.
      const run = spawnSync("node", [CHECK, bundle, dir], {
        encoding: "utf8",
        timeout: 60_000,
        killSignal: "SIGKILL",
      });
      const output = `${run.stdout}${run.stderr}`;
      assert.equal(run.status, 0, `node_bundle_check failed:\n${output}`);
      assert.match(output, /^OK in-memory TLSv1_3 \S+ hand-off/m);
      assert.match(output, /^OK node tls server TLSv1_3 \S+: "node:ping from the bundle"$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
