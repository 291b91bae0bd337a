import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { spawnSync } from "node:child_process";
import { hmacSha256, hmacSha384 } from "../crypto/webcrypto/hash.ts";
import { aes128Gcm, aes256Gcm } from "../crypto/webcrypto/aead.ts";
import { fromHex, toHex } from "../_bytes.ts";
import { keyBlock, masterSecret, prf, verifyData } from "./prf.ts";

// An independent P_hash written against node:crypto, straight from RFC 5246 section 5.
function referencePrf(
  alg: "sha256" | "sha384",
  secret: Uint8Array,
  label: string,
  seed: Uint8Array,
  n: number,
): Uint8Array {
  const s = Buffer.concat([Buffer.from(label), seed]);
  let a: Buffer = s;
  const out: Buffer[] = [];
  let total = 0;
  while (total < n) {
    a = createHmac(alg, secret).update(a).digest();
    const block = createHmac(alg, secret).update(Buffer.concat([a, s])).digest();
    out.push(block);
    total += block.length;
  }
  return new Uint8Array(Buffer.concat(out).subarray(0, n));
}

function opensslPrf(
  digest: string,
  secret: Uint8Array,
  label: string,
  seed: Uint8Array,
  n: number,
): string | undefined {
  const seedHex = toHex(new TextEncoder().encode(label)) + toHex(seed);
  const r = spawnSync("openssl", [
    "kdf",
    "-keylen",
    String(n),
    "-kdfopt",
    `digest:${digest}`,
    "-kdfopt",
    `hexsecret:${toHex(secret)}`,
    "-kdfopt",
    `hexseed:${seedHex}`,
    "TLS1-PRF",
  ], { encoding: "utf8" });
  if (r.status !== 0 || r.error) return undefined;
  return r.stdout.trim().replaceAll(":", "").toLowerCase();
}

const secret = fromHex("9bbe436ba940f017b17652849a71db35");
const seed = fromHex("a0ba9f936cda311827a6f796ffd5198c");

describe("TLS 1.2 PRF", () => {
  for (
    const [name, hmac, alg] of [
      ["SHA-256", hmacSha256, "sha256"],
      ["SHA-384", hmacSha384, "sha384"],
    ] as const
  ) {
    for (const n of [0, 1, 12, 32, 48, 100, 131]) {
      it(`${name}, ${n} bytes, matches a node:crypto reference`, async () => {
        const ours = await prf(hmac, secret, "test label", seed, n);
        assert.equal(toHex(ours), toHex(referencePrf(alg, secret, "test label", seed, n)));
      });
    }
    it(`${name} matches openssl kdf TLS1-PRF`, async (t) => {
      const expected = opensslPrf(name.replace("-", ""), secret, "test label", seed, 100);
      if (expected === undefined) {
        if (process.env.CI) assert.fail("openssl kdf missing in CI");
        t.skip("openssl kdf not available");
        return;
      }
      assert.equal(toHex(await prf(hmac, secret, "test label", seed, 100)), expected);
    });
  }

  it("master secret: classic over the randoms, extended over the session hash", async () => {
    const pms = fromHex("11".repeat(32));
    const cr = fromHex("22".repeat(32));
    const sr = fromHex("33".repeat(32));
    const hash = fromHex("44".repeat(32));
    const classic = await masterSecret(hmacSha256, pms, cr, sr);
    assert.equal(
      toHex(classic),
      toHex(referencePrf("sha256", pms, "master secret", new Uint8Array([...cr, ...sr]), 48)),
    );
    const ems = await masterSecret(hmacSha256, pms, cr, sr, hash);
    assert.equal(
      toHex(ems),
      toHex(referencePrf("sha256", pms, "extended master secret", hash, 48)),
    );
    assert.notEqual(toHex(ems), toHex(classic));
  });

  it("verify_data is 12 bytes of PRF(master, side finished, hash)", async () => {
    const ms = fromHex("55".repeat(48));
    const h = fromHex("66".repeat(48));
    const vd = await verifyData(hmacSha384, ms, "server", h);
    assert.equal(toHex(vd), toHex(referencePrf("sha384", ms, "server finished", h, 12)));
  });

  it("key block layout: keys, fixed IVs, then the explicit-nonce seed", async () => {
    const ms = fromHex("77".repeat(48));
    const cr = fromHex("01".repeat(32));
    const sr = fromHex("02".repeat(32));
    const raw = referencePrf("sha384", ms, "key expansion", new Uint8Array([...sr, ...cr]), 80);
    const kb = await keyBlock(hmacSha384, aes256Gcm, ms, cr, sr);
    assert.equal(toHex(kb.client.key), toHex(raw.subarray(0, 32)));
    assert.equal(toHex(kb.server.key), toHex(raw.subarray(32, 64)));
    assert.equal(
      toHex(kb.client.iv),
      toHex(new Uint8Array([...raw.subarray(64, 68), ...raw.subarray(72, 80)])),
    );
    assert.equal(
      toHex(kb.server.iv),
      toHex(new Uint8Array([...raw.subarray(68, 72), ...raw.subarray(72, 80)])),
    );
    const small = await keyBlock(hmacSha256, aes128Gcm, ms, cr, sr);
    assert.equal(small.client.key.length, 16);
  });
});
