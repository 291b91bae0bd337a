// The library's own source files, for tests that read the code itself.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The path of `src/`. */
export const SRC: string = fileURLToPath(new URL("../src/", import.meta.url));

/** Every `.ts` file under `dir` that is not a test. */
export function sources(dir: string = SRC): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (name.endsWith(".ts") && !name.endsWith("_test.ts")) out.push(path);
  }
  return out;
}
