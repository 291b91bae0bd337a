import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { toHex } from "../../_bytes.ts";
import { poly1305 } from "./_poly1305.ts";

function leBig(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return v;
}

/** Poly1305 straight from RFC 8439 2.5.1 with BigInt. */
function refPoly(key: Uint8Array, msg: Uint8Array): string {
  const p = (1n << 130n) - 5n;
  const r = leBig(key.subarray(0, 16)) & 0x0ffffffc0ffffffc0ffffffc0fffffffn;
  let acc = 0n;
  for (let i = 0; i < msg.length; i += 16) {
    const block = msg.subarray(i, i + 16);
    acc = ((acc + leBig(block) + (1n << BigInt(8 * block.length))) * r) % p;
  }
  let t = (acc + leBig(key.subarray(16, 32))) & ((1n << 128n) - 1n);
  let hex = "";
  for (let i = 0; i < 16; i++, t >>= 8n) hex += Number(t & 0xffn).toString(16).padStart(2, "0");
  return hex;
}

describe("poly1305", () => {
  it("matches BigInt arithmetic on extreme keys and messages", () => {
    // All-ones keys and messages push every limb to its bound, so missed
    // carries or a wrong final reduction would show here.
    const fills = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff];
    let checked = 0;
    for (const kf of fills) {
      for (const sf of fills) {
        for (const mf of fills) {
          for (const len of [0, 1, 15, 16, 17, 32, 63, 64, 200]) {
            const key = new Uint8Array(32);
            key.fill(kf, 0, 16);
            key.fill(sf, 16);
            const msg = new Uint8Array(len).fill(mf);
            assert.equal(toHex(poly1305(key, msg)), refPoly(key, msg), `${kf} ${sf} ${mf} ${len}`);
            checked++;
          }
        }
      }
    }
    assert.equal(checked, 6 * 6 * 6 * 9);
  });

  it("matches BigInt arithmetic on pseudo-random input", () => {
    let x = 0x12345678;
    const next = (): number => (x ^= x << 13, x ^= x >>> 17, x ^= x << 5, x & 0xff);
    for (let n = 0; n < 200; n++) {
      const key = Uint8Array.from({ length: 32 }, next);
      const msg = Uint8Array.from({ length: n * 3 }, next);
      assert.equal(toHex(poly1305(key, msg)), refPoly(key, msg), `case ${n}`);
    }
  });

  it("refuses keys that are not 32 bytes", () => {
    assert.throws(() => poly1305(new Uint8Array(16), new Uint8Array(1)), RangeError);
  });
});
