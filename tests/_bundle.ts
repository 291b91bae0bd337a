// The library bundled into one ESM file (`deno bundle --platform browser`),
// for the tests that load it under plain Node or in a browser.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * Bundles the package root, the streams adapter and `extra` (`[names,
 * path from the repo root]` pairs) into `dir/kerneltls.mjs` and returns its
 * path. One entry, so that every part shares one copy of every class.
 */
export function bundleLibrary(dir: string, extra: [string, string][] = []): string {
  const file = (rel: string) => JSON.stringify(join(ROOT, rel));
  writeFileSync(
    join(dir, "entry.ts"),
    `export * from ${file("mod.ts")};\n` +
      `export { acceptTls, connectTls, halfCloseTransport } from ${
        file("src/streams/tls_stream.ts")
      };\n` +
      extra.map(([names, rel]) => `export { ${names} } from ${file(rel)};\n`).join(""),
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
