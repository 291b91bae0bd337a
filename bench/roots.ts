// Cost of the bundled Mozilla roots (issue 17 item 1): decoding the base64
// DER, and building the RootCertStore (decode + parse every anchor), which
// mozillaRoots() does once per process. Heap: printed once at load, the heap
// held by one built store (run with --v8-flags=--expose-gc for a clean number).
// deno bench --allow-read --v8-flags=--expose-gc bench/roots.ts
import { buildMozillaRoots, mozillaRootCertificates } from "../src/roots/mozilla_roots.ts";

// deno-lint-ignore no-explicit-any
const gc = (globalThis as any).gc as (() => void) | undefined;

function heapOfOneStore(): number {
  gc?.();
  const before = Deno.memoryUsage().heapUsed;
  const keep = buildMozillaRoots();
  gc?.();
  const after = Deno.memoryUsage().heapUsed;
  if (keep.size === 0) throw new Error("no roots");
  return after - before;
}

const heap = heapOfOneStore();
console.log(
  `heap held by one store: ${(heap / 1024).toFixed(0)} KiB (${gc ? "after gc" : "no gc: rough"})`,
);

Deno.bench("decode the base64 DER of every anchor", { group: "roots" }, () => {
  mozillaRootCertificates();
});

Deno.bench(
  "build the store (decode + parse every anchor)",
  { group: "roots", baseline: true },
  () => {
    buildMozillaRoots();
  },
);
