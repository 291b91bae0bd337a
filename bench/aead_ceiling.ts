// The ceiling of the record layer (issue 16 item 2): how fast can 16 KiB
// records be sealed and opened at all on this runtime, and how close to that
// are ProtectedWriter and KernelRecordLayer? Every row moves 1 MiB (64 records
// of 16 KiB, or one 1 MiB write, or 16 writes of 64 KiB), so rows compare
// directly: MB/s = 1.048576 / (ms per iteration).
//
//   deno bench -A bench/aead_ceiling.ts
//   CEILING_CPU=1 deno run -A bench/aead_ceiling.ts  # the timing loop below, with CPU time
//   bun bench/aead_ceiling.ts                      # same rows, a small timing loop
//   deno bundle --platform browser bench/aead_ceiling.ts -o /tmp/ceiling.mjs && node /tmp/ceiling.mjs
//
// Rows: raw Web Crypto AES-128-GCM and ChaCha20-Poly1305 seal/open with 1, 4,
// 16 or 64 operations in flight; our pure TypeScript ChaCha20-Poly1305
// (synchronous, in flight makes no difference); node:crypto AES-128-GCM
// (createCipheriv, synchronous: what the runtime does without Web Crypto's
// thread hop); a plain copy of 1 MiB; then the library's own paths.
import { createCipheriv, createDecipheriv } from "node:crypto";
import { cpuUsage, env } from "node:process";
import { chacha20Poly1305Pure } from "../src/crypto/pure/chacha20_poly1305.ts";
import { aes128Gcm, chacha20Poly1305WebCrypto } from "../src/crypto/webcrypto/aead.ts";
import type { Aead, AeadKey } from "../src/crypto/types.ts";
import { installKey, tls13Protection } from "../src/record/protection.ts";
import { ProtectedWriter } from "../src/record/record_io.ts";
import { KernelRecordLayer } from "../src/kernel/record_layer.ts";
import type { KernelConnectionLike } from "../src/kernel/record_layer.ts";

const RECORD = 16 * 1024;
const RECORDS = 64;
const MIB = RECORD * RECORDS;

// ---- a Deno.bench shim for Bun and Node ----
type Fn = () => Promise<unknown> | unknown;
const queued: { name: string; group: string; fn: Fn }[] = [];
const denoBench = env.CEILING_CPU
  ? undefined
  : (globalThis as { Deno?: { bench?: unknown } }).Deno?.bench as
    | ((o: { name: string; group: string; fn: Fn; baseline?: boolean }) => void)
    | undefined;
function bench(group: string, name: string, fn: Fn, baseline = false): void {
  if (denoBench) denoBench({ name, group, fn: async () => await fn(), baseline });
  else queued.push({ name, group, fn });
}

async function windowed(n: number, k: number, op: (i: number) => Promise<unknown>): Promise<void> {
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) {
    if (inFlight.length >= k) await inFlight.shift();
    inFlight.push(op(i));
  }
  await Promise.all(inFlight);
}

const data = new Uint8Array(MIB);
for (let at = 0; at < MIB; at += 65536) crypto.getRandomValues(data.subarray(at, at + 65536));
const records = Array.from(
  { length: RECORDS },
  (_, i) => data.subarray(i * RECORD, (i + 1) * RECORD),
);
const nonce = new Uint8Array(12);
const aad = new Uint8Array(5);

async function rawRows(label: string, aead: Aead, inFlight: number[]): Promise<void> {
  const key: AeadKey = await aead.importKey(crypto.getRandomValues(new Uint8Array(aead.keyLen)));
  const sealed = await Promise.all(records.map((r) => key.seal(nonce, aad, r)));
  for (const k of inFlight) {
    bench(
      `${label} seal`,
      `${label} seal 64 x 16 KiB, ${k} in flight`,
      () => windowed(RECORDS, k, (i) => key.seal(nonce, aad, records[i])),
      k === inFlight[0],
    );
  }
  for (const k of inFlight) {
    bench(
      `${label} open`,
      `${label} open 64 x 16 KiB, ${k} in flight`,
      () => windowed(RECORDS, k, (i) => key.open(nonce, aad, sealed[i])),
      k === inFlight[0],
    );
  }
}

const webChacha = await (async () => {
  try {
    const k = await chacha20Poly1305WebCrypto.importKey(new Uint8Array(32));
    await k.seal(nonce, aad, new Uint8Array(1));
    return true;
  } catch {
    return false;
  }
})();

await rawRows("Web Crypto AES-128-GCM", aes128Gcm, [1, 4, 16, 64]);
if (webChacha) {
  await rawRows("Web Crypto ChaCha20-Poly1305", chacha20Poly1305WebCrypto, [1, 16, 64]);
}
await rawRows("pure TS ChaCha20-Poly1305", chacha20Poly1305Pure, [1]);

// node:crypto: synchronous, the AEAD inline on the calling thread.
const nodeKey = crypto.getRandomValues(new Uint8Array(16));
const nodeSealed = records.map((r) => {
  const c = createCipheriv("aes-128-gcm", nodeKey, nonce);
  c.setAAD(aad);
  const out = new Uint8Array(RECORD + 16);
  out.set(c.update(r));
  c.final();
  out.set(c.getAuthTag(), RECORD);
  return out;
});
bench("node:crypto AES-128-GCM", "node:crypto AES-128-GCM seal 64 x 16 KiB (sync)", () => {
  for (const r of records) {
    const c = createCipheriv("aes-128-gcm", nodeKey, nonce);
    c.setAAD(aad);
    c.update(r);
    c.final();
    c.getAuthTag();
  }
});
bench("node:crypto AES-128-GCM", "node:crypto AES-128-GCM open 64 x 16 KiB (sync)", () => {
  for (const s of nodeSealed) {
    const d = createDecipheriv("aes-128-gcm", nodeKey, nonce);
    d.setAAD(aad);
    d.setAuthTag(s.subarray(RECORD));
    d.update(s.subarray(0, RECORD));
    d.final();
  }
});

const target = new Uint8Array(MIB);
bench("copy", "copy 1 MiB (Uint8Array.set)", () => target.set(data));

// ---- the library ----
async function layerRows(label: string, aead: Aead, kind: "Aes128Gcm" | "Chacha20Poly1305") {
  const installed = await installKey(aead, new Uint8Array(aead.keyLen), new Uint8Array(12), 0n);
  bench(`${label} library`, `${label} ProtectedWriter.writeInto 64 x 16 KiB, 16 in flight`, () => {
    const writer = new ProtectedWriter(tls13Protection, installed, 0n);
    const size = writer.recordSize(RECORD);
    const out = new Uint8Array(size * RECORDS);
    return windowed(
      RECORDS,
      16,
      (i) => writer.writeInto(23, records[i], out.subarray(i * size, (i + 1) * size)),
    );
  }, true);
  const secret = { kind, key: new Uint8Array(aead.keyLen), iv: new Uint8Array(12) };
  const connection: KernelConnectionLike = {
    protocolVersion: "TLSv1_3",
    negotiatedCipherSuite: {
      id: kind === "Aes128Gcm" ? 0x1301 : 0x1303,
      name: kind,
      kind,
      confidentialityLimit: 1n << 60n,
    },
    updateTxSecret: () => Promise.reject(new Error("unused")),
    updateRxSecret: () => Promise.reject(new Error("unused")),
  };
  const secrets = { tx: { seq: 0n, secrets: secret }, rx: { seq: 0n, secrets: secret } };
  const provider = { cipherSuites: [{ aead }] } as never;
  for (const inFlight of [16, 64]) {
    const layer = await KernelRecordLayer.create(secrets, connection, {
      provider,
      maxInFlight: inFlight,
      confidentialityLimit: 1n << 60n,
    });
    bench(
      `${label} library`,
      `${label} KernelRecordLayer.seal one 1 MiB write, ${inFlight} in flight`,
      () => layer.seal(data),
    );
    bench(
      `${label} library`,
      `${label} KernelRecordLayer.seal 16 x 64 KiB writes, ${inFlight} in flight`,
      async () => {
        for (let at = 0; at < MIB; at += 65536) await layer.seal(data.subarray(at, at + 65536));
      },
    );
  }
  const tx = await KernelRecordLayer.create(secrets, connection, { provider });
  const wire = await tx.seal(data);
  // A fresh receiver per iteration (one key import, tens of µs), so `wire`
  // opens at sequence number 0 every time.
  bench(`${label} library`, `${label} KernelRecordLayer.open 1 MiB, 16 in flight`, async () => {
    const rx = await KernelRecordLayer.create(secrets, connection, { provider });
    await rx.open(wire);
  });
  // As it comes off a socket: 64 KiB reads, a record split at every boundary.
  bench(`${label} library`, `${label} KernelRecordLayer.open 1 MiB in 64 KiB reads`, async () => {
    const rx = await KernelRecordLayer.create(secrets, connection, { provider });
    for (let at = 0; at < wire.length; at += 65536) await rx.open(wire.subarray(at, at + 65536));
  });
}

await layerRows("AES-128-GCM", aes128Gcm, "Aes128Gcm");
await layerRows("ChaCha20-Poly1305 (pure)", chacha20Poly1305Pure, "Chacha20Poly1305");

// ---- the shim's runner (Bun, Node) ----
if (!denoBench) {
  const g = globalThis as unknown as {
    Bun?: { version: string };
    Deno?: { version: { deno: string } };
    process?: { version: string };
  };
  const runtime = g.Bun
    ? `Bun ${g.Bun.version}`
    : g.Deno
    ? `Deno ${g.Deno.version.deno}`
    : `Node ${g.process?.version}`;
  console.log(
    `${runtime}: ms per 1 MiB (best of 5 rounds of 10 after 3 warm-up), MB/s, ` +
      "CPU ms per MiB (user + system of the process, all its threads, over the 5 rounds)",
  );
  for (const { name, fn } of queued) {
    for (let i = 0; i < 3; i++) await fn();
    let best = Infinity;
    const cpu0 = cpuUsage();
    for (let round = 0; round < 5; round++) {
      const t0 = performance.now();
      for (let i = 0; i < 10; i++) await fn();
      best = Math.min(best, (performance.now() - t0) / 10);
    }
    const { user, system } = cpuUsage(cpu0);
    const cpu = (user + system) / 1000 / 50;
    console.log(
      `${name}: ${best.toFixed(2)} ms, ${(MIB / 1e6 / (best / 1000)).toFixed(0)} MB/s, CPU ${
        cpu.toFixed(2)
      } ms`,
    );
  }
}
