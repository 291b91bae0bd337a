// Pure-TS vs Web Crypto ChaCha20-Poly1305 seal cost, in whichever runtime runs it:
//   deno run -A bench/chacha20_poly1305_runtimes.ts
//   bun bench/chacha20_poly1305_runtimes.ts
// Plain performance.now() loops (Bun has no `deno bench`); the best of several
// interleaved rounds is reported, so background load on a shared machine matters less.
import { ChaCha20Poly1305 } from "../src/crypto/pure/chacha20_poly1305.ts";

const key = new Uint8Array(32).map((_, i) => i);
const nonce = new Uint8Array(12).map((_, i) => 0xa0 + i);
const aad = new Uint8Array(13).fill(0x17);
const ours = new ChaCha20Poly1305(key);

let webChaCha: CryptoKey | undefined;
try {
  webChaCha = await crypto.subtle.importKey(
    "raw-secret" as "raw",
    key,
    { name: "ChaCha20-Poly1305" },
    false,
    ["encrypt"],
  );
} catch {
  // This runtime's Web Crypto has no ChaCha20-Poly1305; only the pure path is measured.
}
const aesKey = await crypto.subtle.importKey("raw", key.slice(0, 16), "AES-GCM", false, [
  "encrypt",
]);

type Job = () => unknown;

async function best(job: Job, iters: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < iters; i++) await job();
  return ((performance.now() - t0) / iters) * 1000;
}

const runtime = "Bun" in globalThis
  ? `bun ${(globalThis as unknown as { Bun: { version: string } }).Bun.version}`
  : "Deno" in globalThis
  ? `deno ${(globalThis as unknown as { Deno: { version: { deno: string } } }).Deno.version.deno}`
  : "unknown runtime";
console.log(`${runtime}: seal, best of 9 rounds, microseconds per call`);
console.log("size    pure-ts  webcrypto-chacha  webcrypto-aes128gcm  faster chacha path");
for (const size of [64, 1024, 4096, 8192, 16384]) {
  const msg = new Uint8Array(size).map((_, i) => i & 0xff);
  const jobs: Record<string, Job> = {
    pure: () => ours.seal(nonce, msg, aad),
    aes: () =>
      crypto.subtle.encrypt({ name: "AES-GCM", iv: nonce, additionalData: aad }, aesKey, msg),
  };
  if (webChaCha) {
    const k = webChaCha;
    jobs.web = () =>
      crypto.subtle.encrypt(
        { name: "ChaCha20-Poly1305", iv: nonce, additionalData: aad } as AesGcmParams,
        k,
        msg,
      );
  }
  const iters = Math.max(50, Math.floor(400_000 / (size + 256)));
  const res: Record<string, number> = {};
  for (let round = 0; round < 9; round++) {
    for (const [name, job] of Object.entries(jobs)) {
      const t = await best(job, iters);
      res[name] = Math.min(res[name] ?? Infinity, t);
    }
  }
  const winner = res.web === undefined || res.pure < res.web ? "pure-ts" : "webcrypto";
  console.log(
    `${String(size).padEnd(7)} ${res.pure.toFixed(2).padStart(7)}  ${
      (res.web?.toFixed(2) ?? "n/a").padStart(16)
    }  ${res.aes.toFixed(2).padStart(19)}  ${winner}`,
  );
}
