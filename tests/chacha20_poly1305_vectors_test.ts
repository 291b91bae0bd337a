// RFC 8439 (sections 2.x and Appendix A) and Wycheproof vectors for the pure
// ChaCha20-Poly1305. The RFC text is parsed here; no hex is retyped.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { fromHex, toHex } from "../src/_bytes.ts";
import {
  chacha20,
  chachaBlock,
  chachaCore,
  chachaState,
  quarterRound,
} from "../src/crypto/pure/_chacha20.ts";
import { poly1305 } from "../src/crypto/pure/_poly1305.ts";
import { ChaCha20Poly1305, chacha20Poly1305Pure } from "../src/crypto/pure/chacha20_poly1305.ts";
import { readVectorJson, readVectorText } from "./_vectors.ts";

// ---- RFC text parsing -------------------------------------------------------

/** The RFC without its page footers and headers, as lines. */
const RFC_LINES = readVectorText("rfc8439.txt")
  .split("\n")
  .map((l) => l.replace(/\f/g, ""))
  .filter((l) => !/^Nir & Langley\s/.test(l) && !/^RFC 8439\s+ChaCha20 & Poly1305/.test(l));

/** Lines of the section whose heading (at column 0) starts with `id`, up to the next heading. */
function section(id: string): string[] {
  const start = RFC_LINES.findIndex((l) => l.startsWith(id + "  "));
  assert.ok(start >= 0, `section ${id} not found`);
  let end = start + 1;
  while (
    end < RFC_LINES.length && !/^(\d+\.|[A-Z]\.)[\d.]*\s{2}\S|^Appendix /.test(RFC_LINES[end])
  ) {
    end++;
  }
  return RFC_LINES.slice(start + 1, end);
}

/** Splits a section into its "Test Vector #n" parts (index 0 is vector #1). */
function testVectors(lines: string[]): string[][] {
  const out: string[][] = [];
  for (const l of lines) {
    if (/^\s*Test Vector #\d+/.test(l)) out.push([]);
    else if (out.length > 0) out[out.length - 1].push(l);
  }
  return out;
}

const DUMP = /^\s*\d{3} {2}((?:[0-9a-f]{2} )*[0-9a-f]{2})(?: {2}|\s*$)/;
const COLONS = /^\s*((?:[0-9a-f]{1,2}:)+[0-9a-f]{0,2})\s*$/;
const PAIRS = /^\s*((?:[0-9A-Fa-f]{2} )*[0-9A-Fa-f]{2})\s*$/;

/**
 * Bytes printed under the first line (at or after `from`) whose trimmed text
 * starts with `label`: hex dump lines, colon-separated lines or bare pairs.
 */
function bytesAfter(lines: string[], label: string, from = 0): Uint8Array {
  const at = lines.findIndex((l, i) => i >= from && l.trim().startsWith(label));
  assert.ok(at >= 0, `label ${label} not found`);
  // A short value may sit on the label line itself ("Tag: a8:06:...").
  const rest = lines[at].trim().slice(label.length).trim();
  let hex = /^(?:[0-9a-f]{2}:)+[0-9a-f]{2}$/.test(rest) ? rest.replace(/:/g, "") : "";
  for (let i = at + 1; i < lines.length; i++) {
    const l = lines[i];
    if (l.trim() === "") continue;
    const m = DUMP.exec(l) ?? COLONS.exec(l) ?? PAIRS.exec(l);
    if (!m) break;
    hex += m[1].replace(/[\s:]/g, "");
  }
  assert.ok(hex.length > 0, `no bytes after ${label}`);
  return fromHex(hex);
}

/** The sixteen 32-bit words of a printed ChaCha state (asterisks ignored). */
function stateAfter(lines: string[], label: string): Uint32Array {
  const at = lines.findIndex((l) => l.trim().startsWith(label));
  assert.ok(at >= 0, `label ${label} not found`);
  const words: number[] = [];
  for (let i = at + 1; words.length < 16 && i < lines.length; i++) {
    const found = lines[i].match(/\b[0-9a-f]{8}\b/g);
    if (found) words.push(...found.map((w) => parseInt(w, 16)));
  }
  assert.equal(words.length, 16);
  return Uint32Array.from(words);
}

/** `name = number` printed in the text, for example "Block Counter = 1". */
function numberAfter(lines: string[], name: string): number {
  for (const l of lines) {
    const m = new RegExp(`${name} = (\\d+)`).exec(l);
    if (m) return Number(m[1]);
  }
  throw new Error(`${name} not found`);
}

/** The "o  Key = 00:01:..." bullet of sections 2.3.2 and 2.4.2 (may wrap lines). */
function bulletBytes(lines: string[], name: string): Uint8Array {
  const at = lines.findIndex((l) => l.trim().startsWith(`o  ${name} =`));
  assert.ok(at >= 0, `bullet ${name} not found`);
  let text = lines[at].split("=")[1];
  for (let i = at + 1; i < lines.length && /^\s+[0-9a-f:]+[.)]?\s/.test(lines[i] + " "); i++) {
    text += " " + lines[i];
  }
  const hex = /^[\s(]*([0-9a-f]{2}(?::\s*[0-9a-f]{2})*)/.exec(text)![1];
  return fromHex(hex.replace(/[\s:]/g, ""));
}

/** A single quarter-round variable from section 2.1.1 ("a = 0x..."), by occurrence. */
function qrVars(lines: string[]): number[][] {
  const sets: number[][] = [];
  let cur: number[] = [];
  for (const l of lines) {
    const m = /^\s*[abcd] = 0x([0-9a-f]{8})\s*$/.exec(l);
    if (!m) continue;
    cur.push(parseInt(m[1], 16));
    if (cur.length === 4) sets.push(cur), cur = [];
  }
  return sets;
}

function stateBytes(words: Uint32Array): Uint8Array {
  const out = new Uint8Array(64);
  for (let i = 0; i < 64; i++) out[i] = words[i >> 2] >>> ((i & 3) * 8);
  return out;
}

// ---- RFC 8439 section 2 -------------------------------------------------------

describe("RFC 8439 section 2", () => {
  it("2.1.1 quarter round", () => {
    const [input, output] = qrVars(section("2.1.1."));
    const s = Uint32Array.from(input);
    quarterRound(s, 0, 1, 2, 3);
    assert.deepEqual(Array.from(s), output);
  });

  it("2.2.1 quarter round on the state", () => {
    const lines = section("2.2.1.");
    const s = stateAfter(lines, "Sample ChaCha State");
    quarterRound(s, 2, 7, 8, 13);
    assert.deepEqual(s, stateAfter(lines, "After applying QUARTERROUND(2, 7, 8, 13)"));
  });

  it("2.3.2 block function", () => {
    const lines = section("2.3.2.");
    const key = bulletBytes(lines, "Key");
    const nonce = bulletBytes(lines, "Nonce");
    assert.equal(key.length, 32);
    assert.equal(nonce.length, 12);
    const state = chachaState(key, 1, nonce);
    assert.deepEqual(state, stateAfter(lines, "ChaCha state with the key setup"));
    const out = new Uint32Array(16);
    chachaCore(state, out, 0, false);
    assert.deepEqual(out, stateAfter(lines, "ChaCha state at the end"));
    assert.equal(toHex(chachaBlock(key, 1, nonce)), toHex(bytesAfter(lines, "Serialized Block:")));
  });

  it("2.4.2 encryption", () => {
    const lines = section("2.4.2.");
    const key = bulletBytes(lines, "Key");
    const nonce = bulletBytes(lines, "Nonce");
    const counter = 1;
    const pt = bytesAfter(lines, "Plaintext Sunscreen:");
    const ct = bytesAfter(lines, "Ciphertext Sunscreen:");
    const ks = bytesAfter(lines, "Keystream:");
    assert.equal(pt.length, 114);
    assert.equal(toHex(chacha20(key, counter, nonce, new Uint8Array(ks.length))), toHex(ks));
    assert.equal(toHex(chacha20(key, counter, nonce, pt)), toHex(ct));
    assert.equal(toHex(chacha20(key, counter, nonce, ct)), toHex(pt));
  });

  it("2.5.2 Poly1305", () => {
    const lines = section("2.5.2.");
    const keyLine = lines.findIndex((l) => l.includes("Key Material:"));
    // The key material wraps in the middle of a byte ("01:0" / "3:80"), so join first.
    const keyText = (lines[keyLine].split("Key Material:")[1] + lines[keyLine + 1]).replace(
      /[\s:]/g,
      "",
    );
    const key = fromHex(keyText);
    assert.equal(key.length, 32);
    const msg = bytesAfter(lines, "Message to be Authenticated:");
    const tag = bytesAfter(lines, "Tag:");
    assert.equal(toHex(poly1305(key, msg)), toHex(tag));
  });

  it("2.6.2 Poly1305 key generation", () => {
    const lines = section("2.6.2.");
    const key = bytesAfter(lines, "Key:");
    const nonce = bytesAfter(lines, "Nonce:");
    assert.deepEqual(chachaState(key, 0, nonce), stateAfter(lines, "The ChaCha state setup"));
    const expected = bytesAfter(lines, "Output bytes:");
    assert.equal(expected.length, 32);
    assert.equal(toHex(chachaBlock(key, 0, nonce).subarray(0, 32)), toHex(expected));
  });

  it("2.8.2 AEAD", () => {
    const lines = section("2.8.2.");
    const pt = bytesAfter(lines, "Plaintext:");
    const aad = bytesAfter(lines, "AAD:");
    const key = bytesAfter(lines, "Key:");
    const iv = bytesAfter(lines, "IV:");
    const fixed = bytesAfter(lines, "32-bit fixed-common part:");
    const nonce = new Uint8Array([...fixed, ...iv]);
    const ct = bytesAfter(lines, "Ciphertext:");
    const tag = bytesAfter(lines, "Tag:");
    const polyKey = bytesAfter(lines, "Poly1305 Key:");
    assert.equal(ct.length, pt.length);
    assert.equal(toHex(chachaBlock(key, 0, nonce).subarray(0, 32)), toHex(polyKey));
    const macData = bytesAfter(lines, "AEAD Construction for Poly1305:");
    assert.equal(toHex(poly1305(polyKey, macData)), toHex(tag));
    const aead = new ChaCha20Poly1305(key);
    const sealed = aead.seal(nonce, pt, aad);
    assert.equal(toHex(sealed), toHex(ct) + toHex(tag));
    assert.equal(toHex(aead.open(nonce, sealed, aad)!), toHex(pt));
  });
});

// ---- RFC 8439 Appendix A ------------------------------------------------------

describe("RFC 8439 Appendix A", () => {
  it("A.1 block function (5 vectors)", () => {
    const tvs = testVectors(section("A.1."));
    assert.equal(tvs.length, 5);
    for (const tv of tvs) {
      const key = bytesAfter(tv, "Key:");
      const nonce = bytesAfter(tv, "Nonce:");
      const counter = numberAfter(tv, "Block Counter");
      const end = stateAfter(tv, "ChaCha state at the end");
      const out = new Uint32Array(16);
      chachaCore(chachaState(key, counter, nonce), out, 0, false);
      assert.deepEqual(out, end);
      const ks = bytesAfter(tv, "Keystream:");
      assert.equal(toHex(stateBytes(end)), toHex(ks));
      assert.equal(toHex(chachaBlock(key, counter, nonce)), toHex(ks));
    }
  });

  it("A.2 encryption (3 vectors)", () => {
    const tvs = testVectors(section("A.2."));
    assert.equal(tvs.length, 3);
    for (const [i, tv] of tvs.entries()) {
      const key = bytesAfter(tv, "Key:");
      const nonce = bytesAfter(tv, "Nonce:");
      const counter = numberAfter(tv, "Initial Block Counter");
      const pt = bytesAfter(tv, "Plaintext:");
      const ct = bytesAfter(tv, "Ciphertext:");
      assert.equal(pt.length, [64, 375, 127][i], "whole plaintext parsed");
      assert.equal(ct.length, pt.length);
      assert.equal(toHex(chacha20(key, counter, nonce, pt)), toHex(ct));
    }
  });

  it("A.3 Poly1305 (11 vectors)", () => {
    const tvs = testVectors(section("A.3."));
    assert.equal(tvs.length, 11);
    for (const [i, tv] of tvs.entries()) {
      let key: Uint8Array, msg: Uint8Array, tag: Uint8Array;
      if (i < 4) {
        key = bytesAfter(tv, "One-time Poly1305 Key:");
        msg = bytesAfter(tv, "Text to MAC:");
        tag = bytesAfter(tv, "Tag:");
      } else {
        key = new Uint8Array([...bytesAfter(tv, "R:"), ...bytesAfter(tv, "S:")]);
        msg = bytesAfter(tv, "data:");
        tag = bytesAfter(tv, "tag:");
      }
      assert.equal(key.length, 32, `vector #${i + 1} key`);
      assert.equal(msg.length, [64, 375, 375, 127, 16, 16, 48, 48, 16, 64, 48][i], "whole text");
      assert.equal(tag.length, 16, `vector #${i + 1} tag`);
      assert.equal(toHex(poly1305(key, msg)), toHex(tag), `vector #${i + 1}`);
    }
  });

  it("A.4 Poly1305 key generation (3 vectors)", () => {
    const tvs = testVectors(section("A.4."));
    assert.equal(tvs.length, 3);
    for (const tv of tvs) {
      const key = bytesAfter(tv, "The ChaCha20 Key");
      const nonce = bytesAfter(tv, "The nonce:");
      const otk = bytesAfter(tv, "Poly1305 one-time key:");
      assert.equal(toHex(chachaBlock(key, 0, nonce).subarray(0, 32)), toHex(otk));
    }
  });

  it("A.5 AEAD decryption", () => {
    const lines = section("A.5.");
    const key = bytesAfter(lines, "The ChaCha20 Key");
    const ct = bytesAfter(lines, "Ciphertext:");
    const nonce = bytesAfter(lines, "The nonce:");
    const aad = bytesAfter(lines, "The AAD:");
    const tag = bytesAfter(lines, "Received Tag:");
    const otk = bytesAfter(lines, "Poly1305 one-time key:");
    const macInput = bytesAfter(lines, "Poly1305 Input:");
    const pt = bytesAfter(lines, "Plaintext::");
    assert.equal(ct.length, 265);
    assert.equal(pt.length, 265);
    assert.equal(macInput.length, 16 + 272 + 16);
    assert.equal(toHex(chachaBlock(key, 0, nonce).subarray(0, 32)), toHex(otk));
    assert.equal(toHex(poly1305(otk, macInput)), toHex(tag));
    const aead = new ChaCha20Poly1305(key);
    const sealed = new Uint8Array([...ct, ...tag]);
    assert.equal(toHex(aead.open(nonce, sealed, aad)!), toHex(pt));
    sealed[sealed.length - 1] ^= 0x80;
    assert.equal(aead.open(nonce, sealed, aad), null);
  });
});

// ---- Wycheproof ---------------------------------------------------------------

interface WycheproofAeadTest {
  tcId: number;
  comment: string;
  key: string;
  iv: string;
  aad: string;
  msg: string;
  ct: string;
  tag: string;
  result: "valid" | "invalid" | "acceptable";
  flags: string[];
}

interface WycheproofAeadFile {
  numberOfTests: number;
  testGroups: { ivSize: number; keySize: number; tagSize: number; tests: WycheproofAeadTest[] }[];
}

describe("Wycheproof chacha20_poly1305_test.json", () => {
  it("accepts every valid case with the exact output and rejects every invalid one", async () => {
    const file = readVectorJson<WycheproofAeadFile>("wycheproof/chacha20_poly1305_test.json");
    let valid = 0, invalid = 0, badNonce = 0;
    for (const group of file.testGroups) {
      for (const t of group.tests) {
        const key = fromHex(t.key), iv = fromHex(t.iv), aad = fromHex(t.aad);
        const msg = fromHex(t.msg), sealed = fromHex(t.ct + t.tag);
        const id = `tcId ${t.tcId} (${t.comment})`;
        assert.notEqual(t.result, "acceptable", `${id}: no acceptable cases expected`);
        if (t.result === "valid") {
          const aead = new ChaCha20Poly1305(key);
          assert.equal(toHex(aead.seal(iv, msg, aad)), t.ct + t.tag, id);
          assert.equal(toHex(aead.open(iv, sealed, aad)!), t.msg, id);
          const viaAead = await chacha20Poly1305Pure.importKey(key);
          assert.equal(toHex(await viaAead.seal(iv, aad, msg)), t.ct + t.tag, id);
          assert.equal(toHex((await viaAead.open(iv, aad, sealed))!), t.msg, id);
          valid++;
        } else if (iv.length !== 12) {
          // Only 96-bit nonces exist in RFC 8439 and TLS: other sizes are API misuse.
          const aead = new ChaCha20Poly1305(key);
          assert.throws(() => aead.open(iv, sealed, aad), RangeError, id);
          assert.throws(() => aead.seal(iv, msg, aad), RangeError, id);
          const viaAead = await chacha20Poly1305Pure.importKey(key);
          await assert.rejects(viaAead.open(iv, aad, sealed), RangeError, id);
          badNonce++;
          invalid++;
        } else {
          assert.equal(new ChaCha20Poly1305(key).open(iv, sealed, aad), null, id);
          const viaAead = await chacha20Poly1305Pure.importKey(key);
          assert.equal(await viaAead.open(iv, aad, sealed), null, id);
          invalid++;
        }
      }
    }
    assert.equal(valid + invalid, file.numberOfTests);
    assert.equal(file.numberOfTests, 325);
    console.log(
      `chacha20_poly1305_test.json: ${valid} valid ok, ${invalid} invalid rejected ` +
        `(${badNonce} of them non-96-bit nonces refused with RangeError)`,
    );
  });
});
