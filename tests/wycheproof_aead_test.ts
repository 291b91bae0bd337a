// Wycheproof AES-GCM through the provider's Web Crypto AEADs (seal and open).
//
// Policy: the file has no `acceptable` cases. Only 96-bit IVs are run (TLS
// nonces are always 12 bytes; our AeadKey refuses other sizes as API misuse),
// and only 128- and 256-bit keys (TLS has no AES-192 suite); the rest are
// counted as skipped.
import { describe, it } from "node:test";
import { bytesEqual, concat } from "../src/_bytes.ts";
import { aes128Gcm, aes256Gcm } from "../src/crypto/webcrypto/aead.ts";
import { hex, readWycheproof, Tally } from "./_wycheproof.ts";

interface AeadGroup {
  ivSize: number;
  keySize: number;
  tagSize: number;
}

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
        const key = await aead.importKey(hex(tc.key));
        const nonce = hex(tc.iv);
        const aad = hex(tc.aad);
        const sealedExpected = concat(hex(tc.ct), hex(tc.tag));
        const opened = await key.open(nonce, aad, sealedExpected);
        let ok = opened !== null && bytesEqual(opened, hex(tc.msg));
        if (tc.result === "valid") {
          ok &&= bytesEqual(await key.seal(nonce, aad, hex(tc.msg)), sealedExpected);
        }
        tally.record(tc, ok);
      }
    }
    tally.finish(file.numberOfTests);
  });
});
