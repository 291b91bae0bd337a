// Wycheproof ML-KEM-768 vectors: key generation from seeds, encapsulation with
// fixed randomness (and the modulus check on bad keys), decapsulation including
// implicit rejection and the length / hash checks on malformed inputs. The
// seed-based decapsulation cases also run through Web Crypto where it exists.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { toHex } from "../src/_bytes.ts";
import { mlKem768 } from "../src/crypto/pure/ml_kem.ts";
import { detectWebCryptoMlKem, webCryptoMlKem768 } from "../src/crypto/webcrypto/ml_kem.ts";
import { hex, readWycheproof, Tally, type WycheproofCase } from "./_wycheproof.ts";

/** Runs `f`; a `TypeError` means "rejected" (false), any other exception fails the test. */
function attempt(f: () => boolean): boolean {
  try {
    return f();
  } catch (e) {
    if (e instanceof TypeError) return false;
    throw e;
  }
}

function eachCase(name: string): { file: { numberOfTests: number }; cases: WycheproofCase[] } {
  const file = readWycheproof<Record<string, unknown>>(name);
  for (const g of file.testGroups) assert.equal(g.parameterSet, "ML-KEM-768");
  // Some ML-KEM files omit `flags` and `comment`; the shared tally expects both.
  const cases = file.testGroups.flatMap((g) => g.tests).map((tc) => ({
    ...tc,
    flags: tc.flags ?? [],
    comment: tc.comment ?? "",
  }));
  return { file, cases };
}

describe("Wycheproof ML-KEM-768 (pure)", () => {
  it("mlkem_768_keygen_seed_test.json: keygen from d || z", () => {
    const { file, cases } = eachCase("mlkem_768_keygen_seed");
    const tally = new Tally("mlkem_768_keygen_seed_test.json");
    for (const tc of cases) {
      tally.record(
        tc,
        attempt(() => {
          const kp = mlKem768.keygen(hex(tc.seed));
          return toHex(kp.encapsulationKey) === tc.ek && toHex(kp.decapsulationKey) === tc.dk;
        }),
      );
    }
    tally.finish(file.numberOfTests);
  });

  it("mlkem_768_encaps_test.json: encapsulation with fixed m, key checks", () => {
    const { file, cases } = eachCase("mlkem_768_encaps");
    const tally = new Tally("mlkem_768_encaps_test.json");
    for (const tc of cases) {
      tally.record(
        tc,
        attempt(() => {
          const r = mlKem768.encapsulate(hex(tc.ek), hex(tc.m));
          return toHex(r.ciphertext) === tc.c && toHex(r.sharedSecret) === tc.K;
        }),
      );
    }
    tally.finish(file.numberOfTests);
  });

  it("mlkem_768_test.json: keygen from seed, then decapsulation", () => {
    const { file, cases } = eachCase("mlkem_768");
    const tally = new Tally("mlkem_768_test.json");
    for (const tc of cases) {
      tally.record(
        tc,
        attempt(() => {
          const kp = mlKem768.keygen(hex(tc.seed));
          if (toHex(kp.encapsulationKey) !== tc.ek) return false;
          return toHex(mlKem768.decapsulate(kp.decapsulationKey, hex(tc.c))) === tc.K;
        }),
      );
    }
    tally.finish(file.numberOfTests);
  });

  it("mlkem_768_semi_expanded_decaps_test.json: expanded keys, length and hash checks", () => {
    const { file, cases } = eachCase("mlkem_768_semi_expanded_decaps");
    const tally = new Tally("mlkem_768_semi_expanded_decaps_test.json");
    for (const tc of cases) {
      tally.record(
        tc,
        attempt(() => toHex(mlKem768.decapsulate(hex(tc.dk), hex(tc.c))) === tc.K),
      );
    }
    tally.finish(file.numberOfTests);
  });
});

describe("Wycheproof ML-KEM-768 (Web Crypto)", () => {
  it("mlkem_768_test.json valid cases through Web Crypto (seed import, decapsulate)", async () => {
    if (!(await detectWebCryptoMlKem())) {
      console.log("Web Crypto ML-KEM-768 not available in this runtime: skipped");
      return;
    }
    const { cases } = eachCase("mlkem_768");
    let ok = 0;
    const bad: string[] = [];
    for (const tc of cases) {
      if (tc.result !== "valid") continue;
      const kp = await webCryptoMlKem768.importSeed(hex(tc.seed));
      const k = await webCryptoMlKem768.decapsulate(kp.privateKey, hex(tc.c));
      if (toHex(kp.encapsulationKey) === tc.ek && toHex(k) === tc.K) ok++;
      else bad.push(`tcId ${tc.tcId}`);
    }
    console.log(`mlkem_768_test.json via Web Crypto: ${ok} valid ok`);
    assert.deepEqual(bad, []);
    assert.ok(ok > 100);
  });

  it("mlkem_768_encaps_test.json invalid keys are refused by the Web Crypto path too", async () => {
    if (!(await detectWebCryptoMlKem())) {
      console.log("Web Crypto ML-KEM-768 not available in this runtime: skipped");
      return;
    }
    const { cases } = eachCase("mlkem_768_encaps");
    let rejected = 0;
    for (const tc of cases) {
      if (tc.result !== "invalid") continue;
      await assert.rejects(webCryptoMlKem768.encapsulate(hex(tc.ek)), TypeError);
      rejected++;
    }
    console.log(`mlkem_768_encaps_test.json via Web Crypto: ${rejected} invalid rejected`);
    assert.ok(rejected > 100);
  });
});
