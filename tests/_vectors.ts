// Test helpers: locate and read ../shared/vectors (beside the checkout, never copied in).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Absolute path of a file under ../shared/vectors. */
export function vectorPath(relative: string): string {
  return fileURLToPath(new URL("../../shared/vectors/" + relative, import.meta.url));
}

/** Reads a vector file as text. */
export function readVectorText(relative: string): string {
  return readFileSync(vectorPath(relative), "utf8");
}

/** Reads and parses a JSON vector file. */
export function readVectorJson<T = unknown>(relative: string): T {
  return JSON.parse(readVectorText(relative)) as T;
}

/** True when running under CI (peers must then be present). */
export const inCI: boolean =
  (globalThis as { process?: { env: Record<string, string | undefined> } })
    .process?.env.CI === "true";
