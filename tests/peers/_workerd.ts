// Cloudflare's workerd (npm package `workerd`, installed by .ci/run outside
// the repo in $KERNELTLS_WORKERD_DIR): where it is, a Worker bundled for it,
// and a `workerd serve` that is ready when this resolves.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { PeerProcess } from "./_spawn.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The workerd binary from the npm package. */
export const WORKERD: string = join(
  process.env.KERNELTLS_WORKERD_DIR ?? join(process.env.TMPDIR ?? "/tmp", "kerneltls-workerd"),
  "node_modules/.bin/workerd",
);

/** Undefined when workerd is installed, else a skip message; under CI=true an error. */
export function workerdMissing(): string | undefined {
  if (existsSync(WORKERD)) return undefined;
  const msg = `workerd not found at ${WORKERD} (npm install --prefix <dir> workerd); skipping`;
  if (process.env.CI === "true") throw new Error(`${msg} (CI=true: .ci/run installs it)`);
  return msg;
}

/** `deno bundle`s the Worker `entry` (a path from the repo root) into the ESM file `out`. */
export function bundleWorker(entry: string, out: string): void {
  const built = spawnSync(
    "deno",
    ["bundle", "--platform", "browser", "--format", "esm", join(ROOT, entry), "-o", out],
    { cwd: ROOT, encoding: "utf8", timeout: 120_000 },
  );
  assert.equal(built.status, 0, `deno bundle failed:\n${built.stdout}${built.stderr}`);
}

/**
 * Runs `workerd serve ...args` (with `env` added to ours) and resolves once
 * `probeUrl` answers over HTTP: workerd prints nothing when it is ready.
 * The caller stops the process (by PID) in a `finally`.
 */
export async function serveWorkerd(
  args: string[],
  probeUrl: string,
  env?: Record<string, string>,
): Promise<PeerProcess> {
  const w = new PeerProcess(WORKERD, ["serve", ...args], { env });
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await fetch(probeUrl).then((r) => r.body?.cancel());
      return w;
    } catch (e) {
      if (w.exited || Date.now() > deadline) {
        await w.stop();
        throw new Error(`workerd did not start: ${String(e)}\n${w.output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
