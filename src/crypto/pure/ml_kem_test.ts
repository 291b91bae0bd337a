import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mlKem768 } from "./ml_kem.ts";
import { toHex } from "../../_bytes.ts";

function seed(n: number): Uint8Array {
  return Uint8Array.from({ length: 64 }, (_, i) => (i * 7 + n) & 0xff);
}

describe("ML-KEM-768 (pure)", () => {
  it("sizes and a random round trip", () => {
    const kp = mlKem768.keygen();
    assert.equal(kp.encapsulationKey.length, 1184);
    assert.equal(kp.decapsulationKey.length, 2400);
    const enc = mlKem768.encapsulate(kp.encapsulationKey);
    assert.equal(enc.ciphertext.length, 1088);
    assert.equal(enc.sharedSecret.length, 32);
    assert.deepEqual(mlKem768.decapsulate(kp.decapsulationKey, enc.ciphertext), enc.sharedSecret);
    const again = mlKem768.encapsulate(kp.encapsulationKey);
    assert.notDeepEqual(again.sharedSecret, enc.sharedSecret);
  });

  it("keygen from a seed is deterministic; encapsulate with m is deterministic", () => {
    const a = mlKem768.keygen(seed(1));
    const b = mlKem768.keygen(seed(1));
    assert.deepEqual(a, b);
    assert.notDeepEqual(mlKem768.keygen(seed(2)).encapsulationKey, a.encapsulationKey);
    const m = new Uint8Array(32).fill(9);
    assert.deepEqual(
      mlKem768.encapsulate(a.encapsulationKey, m),
      mlKem768.encapsulate(a.encapsulationKey, m),
    );
  });

  it("implicit rejection returns SHAKE256(z || c) for a tampered ciphertext", () => {
    const s = seed(3);
    const kp = mlKem768.keygen(s);
    const enc = mlKem768.encapsulate(kp.encapsulationKey);
    for (const pos of [0, 500, 1087]) {
      const bad = Uint8Array.from(enc.ciphertext);
      bad[pos] ^= 1;
      const k = mlKem768.decapsulate(kp.decapsulationKey, bad);
      const expected = createHash("shake256", { outputLength: 32 } as never)
        .update(s.subarray(32)).update(bad).digest("hex");
      assert.equal(toHex(k), expected);
      assert.notDeepEqual(k, enc.sharedSecret);
    }
  });

  it("rejects malformed encapsulation keys with TypeError", () => {
    const { encapsulationKey: ek } = mlKem768.keygen(seed(4));
    assert.throws(() => mlKem768.encapsulate(ek.subarray(0, 1183)), TypeError);
    assert.throws(() => mlKem768.encapsulate(new Uint8Array(1185)), TypeError);
    // First coefficient of the last polynomial set to q: the modulus check must fail.
    const bad = Uint8Array.from(ek);
    bad[768] = 3329 & 0xff;
    bad[769] = (bad[769] & 0xf0) | (3329 >> 8);
    assert.throws(() => mlKem768.encapsulate(bad), TypeError);
    // The 32-byte rho is not range-checked: any bytes there are a valid key.
    const rhoChanged = Uint8Array.from(ek);
    rhoChanged.fill(0xff, 1152);
    assert.equal(mlKem768.encapsulate(rhoChanged).ciphertext.length, 1088);
    assert.throws(() => mlKem768.encapsulate(ek, new Uint8Array(31)), TypeError);
  });

  it("rejects malformed decapsulation inputs with TypeError", () => {
    const kp = mlKem768.keygen(seed(5));
    const { ciphertext } = mlKem768.encapsulate(kp.encapsulationKey);
    const dk = kp.decapsulationKey;
    assert.throws(() => mlKem768.decapsulate(dk, ciphertext.subarray(1)), TypeError);
    assert.throws(() => mlKem768.decapsulate(dk.subarray(1), ciphertext), TypeError);
    const badHash = Uint8Array.from(dk);
    badHash[2400 - 40] ^= 0x80;
    assert.throws(() => mlKem768.decapsulate(badHash, ciphertext), TypeError);
    const badEk = Uint8Array.from(dk);
    badEk[1200] ^= 1;
    assert.throws(() => mlKem768.decapsulate(badEk, ciphertext), TypeError);
    assert.throws(() => mlKem768.keygen(new Uint8Array(32)), TypeError);
  });
});
