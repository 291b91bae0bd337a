// The library bundled for Node (`deno bundle`, one ESM file), for the tests
// that run it under plain Node.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * Bundles the package root and the streams adapter into `dir/kerneltls.mjs`
 * (one entry, so both share one copy of the classes) and returns its path.
 */
export function bundleForNode(dir: string): string {
  writeFileSync(
    join(dir, "entry.ts"),
    `export * from ${JSON.stringify(join(ROOT, "mod.ts"))};\n` +
      `export { acceptTls, connectTls, halfCloseTransport } from ${
        JSON.stringify(join(ROOT, "src/streams/tls_stream.ts"))
      };\n`,
  );
  const bundle = join(dir, "kerneltls.mjs");
  const built = spawnSync(
    "deno",
    ["bundle", "--platform", "browser", "--format", "esm", join(dir, "entry.ts"), "-o", bundle],
    { cwd: ROOT, encoding: "utf8", timeout: 120_000 },
  );
  assert.equal(built.status, 0, `deno bundle failed:\n${built.stdout}${built.stderr}`);
  assert.ok(statSync(bundle).size > 10_000);
  return bundle;
}
