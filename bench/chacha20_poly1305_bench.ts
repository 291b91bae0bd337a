// Seal cost of our pure-TS ChaCha20-Poly1305 beside noble, stablelib and Web Crypto.
// Run: deno bench -A bench/chacha20_poly1305_bench.ts
import { chacha20poly1305 as nobleChaCha } from "npm:@noble/ciphers@2/chacha.js";
import { ChaCha20Poly1305 as StableChaCha } from "npm:@stablelib/chacha20poly1305@2";
import { ChaCha20Poly1305 } from "../src/crypto/pure/chacha20_poly1305.ts";

const key = new Uint8Array(32).map((_, i) => i);
const aesKeyBytes = key.slice(0, 16);
const nonce = new Uint8Array(12).map((_, i) => 0xa0 + i);
const aad = new Uint8Array(13).fill(0x17);

const ours = new ChaCha20Poly1305(key);
const stable = new StableChaCha(key);
const webChaChaKey = await crypto.subtle.importKey(
  "raw-secret" as "raw",
  key,
  { name: "ChaCha20-Poly1305" },
  false,
  ["encrypt"],
);
const aesKey = await crypto.subtle.importKey("raw", aesKeyBytes, { name: "AES-GCM" }, false, [
  "encrypt",
]);

let sink = 0;
for (const [label, size] of [["64 B", 64], ["1 KiB", 1024], ["16 KiB", 16384]] as const) {
  const msg = new Uint8Array(size).map((_, i) => i & 0xff);
  const group = `seal ${label}`;
  Deno.bench({ name: `kerneltls pure ${label}`, group, baseline: true }, () => {
    sink ^= ours.seal(nonce, msg, aad)[size];
  });
  Deno.bench({ name: `noble ${label}`, group }, () => {
    sink ^= nobleChaCha(key, nonce, aad).encrypt(msg)[size];
  });
  Deno.bench({ name: `stablelib ${label}`, group }, () => {
    sink ^= stable.seal(nonce, msg, aad)[size];
  });
  Deno.bench({ name: `webcrypto chacha20-poly1305 ${label}`, group }, async () => {
    const ct = await crypto.subtle.encrypt(
      { name: "ChaCha20-Poly1305", iv: nonce, additionalData: aad } as AesGcmParams,
      webChaChaKey,
      msg,
    );
    sink ^= ct.byteLength;
  });
  Deno.bench({ name: `webcrypto aes-128-gcm ${label}`, group }, async () => {
    const ct = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv: nonce, additionalData: aad },
      aesKey,
      msg,
    );
    sink ^= ct.byteLength;
  });
}

globalThis.addEventListener("unload", () => {
  if (sink === 0x7fffffff) console.log(sink);
});
