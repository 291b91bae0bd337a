// Pure TypeScript SHA-2 (src/crypto/pure/sha2.ts) against Web Crypto, through
// the provider `Hash`/`Hmac` objects, so each Web Crypto call pays its promise
// round trip (and, for HMAC, a key import) as the TLS key schedule does.
// Run: deno bench -A bench/sha2_bench.ts
import { hmacSha256, hmacSha384, sha256, sha384 } from "../src/crypto/webcrypto/hash.ts";
import { hmacSha256Pure, hmacSha384Pure, sha256Pure, sha384Pure } from "../src/crypto/pure/sha2.ts";

const fill = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31) & 0xff);

for (const [label, size] of [["64 B", 64], ["1 KiB", 1024], ["16 KiB", 16384]] as const) {
  const data = fill(size);
  for (
    const [name, web, pure] of [["SHA-256", sha256, sha256Pure], [
      "SHA-384",
      sha384,
      sha384Pure,
    ]] as const
  ) {
    const group = `${name} digest ${label}`;
    Deno.bench({
      name: `webcrypto ${name} ${label}`,
      group,
      baseline: true,
      fn: async () => {
        await web.digest(data);
      },
    });
    Deno.bench({
      name: `pure ${name} ${label}`,
      group,
      fn: async () => {
        await pure.digest(data);
      },
    });
  }
}

const key = fill(32);
const msg = fill(100);
for (
  const [name, web, pure] of [["HMAC-SHA-256", hmacSha256, hmacSha256Pure], [
    "HMAC-SHA-384",
    hmacSha384,
    hmacSha384Pure,
  ]] as const
) {
  const group = `${name} 32 B key, 100 B`;
  Deno.bench({
    name: `webcrypto ${name}`,
    group,
    baseline: true,
    fn: async () => {
      await web.sign(key, msg);
    },
  });
  Deno.bench({
    name: `pure ${name}`,
    group,
    fn: async () => {
      await pure.sign(key, msg);
    },
  });
}
