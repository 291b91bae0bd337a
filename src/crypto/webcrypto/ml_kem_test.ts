// Cross-checks the pure ML-KEM-768 against the runtime's Web Crypto one, in both
// directions, where Web Crypto has it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { detectWebCryptoMlKem, webCryptoMlKem768 } from "./ml_kem.ts";
import { mlKem768 } from "../pure/ml_kem.ts";

const available = await detectWebCryptoMlKem();
const ROUNDS = 5;

function skipped(): boolean {
  if (!available) console.log("Web Crypto ML-KEM-768 not available in this runtime: skipped");
  return !available;
}

describe("ML-KEM-768: pure vs Web Crypto", () => {
  it("detection is cached", () => {
    assert.equal(detectWebCryptoMlKem(), detectWebCryptoMlKem());
  });

  it("same seed gives the same encapsulation key", async () => {
    if (skipped()) return;
    for (let i = 0; i < ROUNDS; i++) {
      const seed = crypto.getRandomValues(new Uint8Array(64));
      const web = await webCryptoMlKem768.importSeed(seed);
      assert.deepEqual(web.encapsulationKey, mlKem768.keygen(seed).encapsulationKey);
    }
  });

  it("pure keygen + Web Crypto encapsulate -> pure decapsulate", async () => {
    if (skipped()) return;
    for (let i = 0; i < ROUNDS; i++) {
      const kp = mlKem768.keygen();
      const enc = await webCryptoMlKem768.encapsulate(kp.encapsulationKey);
      assert.deepEqual(mlKem768.decapsulate(kp.decapsulationKey, enc.ciphertext), enc.sharedSecret);
    }
  });

  it("Web Crypto keygen + pure encapsulate -> Web Crypto decapsulate", async () => {
    if (skipped()) return;
    for (let i = 0; i < ROUNDS; i++) {
      const kp = await webCryptoMlKem768.generateKeyPair();
      const enc = mlKem768.encapsulate(kp.encapsulationKey);
      assert.deepEqual(
        await webCryptoMlKem768.decapsulate(kp.privateKey, enc.ciphertext),
        enc.sharedSecret,
      );
    }
  });

  it("implicit rejection agrees on tampered ciphertexts", async () => {
    if (skipped()) return;
    for (let i = 0; i < ROUNDS; i++) {
      const seed = crypto.getRandomValues(new Uint8Array(64));
      const pure = mlKem768.keygen(seed);
      const web = await webCryptoMlKem768.importSeed(seed);
      const enc = mlKem768.encapsulate(pure.encapsulationKey);
      const bad = Uint8Array.from(enc.ciphertext);
      bad[i * 200] ^= 0x10;
      const kPure = mlKem768.decapsulate(pure.decapsulationKey, bad);
      assert.deepEqual(await webCryptoMlKem768.decapsulate(web.privateKey, bad), kPure);
      assert.notDeepEqual(kPure, enc.sharedSecret);
    }
  });

  it("malformed inputs are TypeErrors", async () => {
    if (skipped()) return;
    const kp = await webCryptoMlKem768.generateKeyPair();
    await assert.rejects(webCryptoMlKem768.encapsulate(kp.encapsulationKey.subarray(1)), TypeError);
    const bad = Uint8Array.from(kp.encapsulationKey);
    bad[0] = 0xff;
    bad[1] |= 0x0f;
    await assert.rejects(webCryptoMlKem768.encapsulate(bad), TypeError);
    await assert.rejects(
      webCryptoMlKem768.decapsulate(kp.privateKey, new Uint8Array(1087)),
      TypeError,
    );
    await assert.rejects(webCryptoMlKem768.importSeed(new Uint8Array(32)), TypeError);
  });
});
