// Searching what an object renders to for secret bytes: hex, base64 and
// decimal byte lists, through every way a program prints an object.
import assert from "node:assert/strict";
import { Console } from "node:console";
import { Writable } from "node:stream";
import { inspect } from "node:util";

/** console.log's own formatting, captured. */
function viaConsoleLog(value: unknown): string {
  let out = "";
  const sink = new Writable({
    write(chunk, _encoding, done) {
      out += String(chunk);
      done();
    },
  });
  new Console({ stdout: sink, stderr: sink }).log(value);
  return out;
}

function runtimeInspect(value: unknown): string {
  const options = { depth: Infinity, showHidden: true, getters: true, iterableLimit: Infinity };
  if (typeof Deno !== "undefined") return Deno.inspect(value, options);
  // deno-lint-ignore no-explicit-any
  const bun = (globalThis as any).Bun;
  if (bun) return bun.inspect(value, options);
  return inspect(value, { depth: Infinity, showHidden: true, getters: true });
}

const renderings: [string, (v: unknown) => string][] = [
  ["console.log", viaConsoleLog],
  ["runtime inspect", runtimeInspect],
  [
    "node:util inspect",
    (v) => inspect(v, { depth: Infinity, showHidden: true, getters: true, maxArrayLength: null }),
  ],
  [
    "JSON.stringify",
    (v) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x)) ?? "",
  ],
];

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));

/** Where `secret` shows in `output` (as hex, base64 or decimal bytes), or undefined. */
function findLeak(output: string, secret: Uint8Array): string | undefined {
  const W = 9;
  const hexText = output.toLowerCase().replace(/[^0-9a-f]/g, "");
  const b64Text = output.replace(/\\n|\s/g, "");
  const b64UrlText = b64Text.replace(/-/g, "+").replace(/_/g, "/");
  const decimals = output.replace(/"\d+":/g, "").match(/\d+/g)?.join(",") ?? "";
  for (let i = 0; i + W <= secret.length; i++) {
    const w = secret.subarray(i, i + W);
    if (hexText.includes(hex(w))) return `hex at byte ${i}`;
    const b = b64(w);
    if (b64Text.includes(b) || b64UrlText.includes(b)) return `base64 at byte ${i}`;
    if (`,${decimals},`.includes(`,${Array.from(w).join(",")},`)) return `decimal at byte ${i}`;
  }
  return undefined;
}

/** Fails when any rendering of any of `objects` shows any of `secrets`. */
export function assertNoSecrets(
  objects: Record<string, unknown>,
  secrets: Record<string, Uint8Array>,
): void {
  for (const [name, object] of Object.entries(objects)) {
    for (const [how, render] of renderings) {
      const output = render(object);
      for (const [label, secret] of Object.entries(secrets)) {
        const leak = findLeak(output, secret);
        assert.equal(leak, undefined, `${how}(${name}) shows ${label} (${leak})`);
      }
    }
  }
}
