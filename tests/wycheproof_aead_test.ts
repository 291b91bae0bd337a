// Wycheproof AEADs through the provider's Aead objects (seal and open):
// aes_gcm (Web Crypto) and chacha20_poly1305 (Web Crypto where the runtime has
// it, and the pure TypeScript one everywhere).
//
// Policy: neither file has `acceptable` cases. aes_gcm: only 96-bit IVs are
// run (TLS nonces are always 12 bytes) and only 128- and 256-bit keys (TLS has
// no AES-192 suite); the rest are counted as skipped. chacha20_poly1305: its
// other nonce sizes are `invalid` (InvalidNonceSize) and count as rejected when
// AeadKey refuses them with RangeError, so all 325 cases run.
import { describe, it } from "node:test";
import { bytesEqual, concat } from "../src/_bytes.ts";
import {
  aes128Gcm,
  aes256Gcm,
  chacha20Poly1305WebCrypto,
  detectWebCryptoChacha,
} from "../src/crypto/webcrypto/aead.ts";
import { chacha20Poly1305Pure } from "../src/crypto/pure/chacha20_poly1305.ts";
import type { Aead } from "../src/crypto/types.ts";
import { hex, readWycheproof, Tally, type WycheproofCase } from "./_wycheproof.ts";

interface AeadGroup {
  ivSize: number;
  keySize: number;
  tagSize: number;
}

/** Open must give the exact plaintext; for valid cases seal must give ct || tag. */
async function runCase(aead: Aead, tc: WycheproofCase): Promise<boolean> {
  const key = await aead.importKey(hex(tc.key));
  const nonce = hex(tc.iv);
  const aad = hex(tc.aad);
  const sealedExpected = concat(hex(tc.ct), hex(tc.tag));
  const opened = await key.open(nonce, aad, sealedExpected);
  let ok = opened !== null && bytesEqual(opened, hex(tc.msg));
  if (tc.result === "valid") {
    ok &&= bytesEqual(await key.seal(nonce, aad, hex(tc.msg)), sealedExpected);
  }
  return ok;
}

const hasWebCryptoChacha = await detectWebCryptoChacha();

describe("Wycheproof AEAD", () => {
  it("aes_gcm", async () => {
    const file = readWycheproof<AeadGroup>("aes_gcm");
    const tally = new Tally("aes_gcm_test.json");
    for (const group of file.testGroups) {
      const aead = group.keySize === 128
        ? aes128Gcm
        : group.keySize === 256
        ? aes256Gcm
        : undefined;
      for (const tc of group.tests) {
        if (group.ivSize !== 96) {
          tally.skip(tc, "IV not 96 bits");
          continue;
        }
        if (aead === undefined || group.tagSize !== 128) {
          tally.skip(tc, "AES-192, no TLS suite");
          continue;
        }
        tally.record(tc, await runCase(aead, tc));
      }
    }
    tally.finish(file.numberOfTests);
  });

  const chachaPaths: [string, Aead, boolean][] = [
    ["pure", chacha20Poly1305Pure, true],
    ["Web Crypto", chacha20Poly1305WebCrypto, hasWebCryptoChacha],
  ];
  for (const [label, aead, available] of chachaPaths) {
    (available ? it : it.skip)(`chacha20_poly1305 (${label})`, async () => {
      const file = readWycheproof<AeadGroup>("chacha20_poly1305");
      const tally = new Tally(`chacha20_poly1305_test.json [${label}]`);
      for (const group of file.testGroups) {
        for (const tc of group.tests) {
          let ok: boolean;
          try {
            ok = await runCase(aead, tc);
          } catch (e) {
            if (!(e instanceof RangeError) || group.ivSize === 96) throw e;
            ok = false;
          }
          tally.record(tc, ok);
        }
      }
      tally.finish(file.numberOfTests);
    });
  }
});
