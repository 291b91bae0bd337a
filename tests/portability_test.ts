// Nothing under src/ may depend on one runtime: no Deno, Bun or Node globals,
// no node: imports, no DOM-only globals. Comments and strings are stripped
// before the check so documentation may still name them.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { sources, SRC } from "./_sources.ts";

/** Removes comments and string literals (roughly, but enough for identifiers). */
function code(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\/\/.*$/gm, "")
    .replace(/`(?:\\.|[^`\\])*`/g, "``")
    .replace(/"(?:\\.|[^"\\])*"/g, '""')
    .replace(/'(?:\\.|[^'\\])*'/g, "''");
}

const FORBIDDEN: [RegExp, string][] = [
  [/\bDeno\s*\./, "Deno.*"],
  [/\bBun\s*\./, "Bun.*"],
  [/\bprocess\s*\./, "process.*"],
  [/\brequire\s*\(/, "require()"],
  [/\b(?:window|document|localStorage|XMLHttpRequest)\b/, "DOM-only global"],
  [/\bBuffer\s*\./, "Node Buffer"],
];

describe("portability of src/", () => {
  const files = sources(SRC);
  it("finds the sources", () => assert.ok(files.length > 50, `only ${files.length} files`));
  it("has no runtime-specific globals or node: imports", () => {
    const problems: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      if (/from\s+["'](?:node:|npm:|jsr:|https?:)/.test(text)) {
        problems.push(`${file}: imports from a runtime or registry specifier`);
      }
      const stripped = code(text);
      for (const [pattern, what] of FORBIDDEN) {
        if (pattern.test(stripped)) problems.push(`${file}: uses ${what}`);
      }
    }
    assert.deepEqual(problems, []);
  });
  it("the check itself catches a violation", () => {
    assert.ok(FORBIDDEN.some(([p]) => p.test(code("const x = Deno.env.get('A');"))));
    assert.ok(!FORBIDDEN.some(([p]) => p.test(code("// Deno.env is not used here"))));
  });
});
