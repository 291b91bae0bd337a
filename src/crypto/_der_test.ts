import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { fromHex, toHex } from "../_bytes.ts";
import {
  decodeOid,
  ecdsaDerToP1363,
  ecdsaP1363ToDer,
  encodeOid,
  Oid,
  parsePkcs8,
  parsePssParams,
  parseSpki,
  readSingle,
  spkiAsRsaEncryption,
} from "./_der.ts";

const h = fromHex;

describe("ECDSA signature DER", () => {
  const r = "01".padStart(64, "0");
  const s = "80" + "00".repeat(31);

  it("round-trips minimal encodings", () => {
    const raw = h(r + s);
    const der = ecdsaP1363ToDer(raw);
    assert.equal(toHex(der), "302602010102210080" + "00".repeat(31));
    assert.deepEqual(ecdsaDerToP1363(der, 32), raw);
  });

  it("rejects non-DER and out-of-range values", () => {
    const bad = [
      "3006020101020101" + "00", // trailing byte inside
      "300602010102010100", // trailing byte after
      "30060201010201", // truncated
      "3080020101020101" + "0000", // indefinite length (BER)
      "308106020101020101", // long-form length for a short value
      "3006020100020101", // r = 0
      "3006020101020100", // s = 0
      "300702020001020101", // non-minimal r (leading zero)
      "3006020181020101", // negative r
      "30050201010200", // empty INTEGER
      "3009020101020101020101", // three INTEGERs
      "3106020101020101", // SET instead of SEQUENCE
      "3023020101" + "0221" + "01" + "00".repeat(32), // s too long for P-256
      "",
    ];
    for (const b of bad) assert.equal(ecdsaDerToP1363(h(b), 32), null, b);
    assert.deepEqual(ecdsaDerToP1363(h("3006020101020101"), 32), h(r + r));
  });
});

describe("TLV reader", () => {
  it("refuses non-minimal lengths and high tags", () => {
    assert.throws(() => readSingle(h("04820001ff"), 0x04), SyntaxError);
    assert.throws(() => readSingle(h("04817f" + "00".repeat(0x7f)), 0x04), SyntaxError);
    assert.throws(() => readSingle(h("1f0100"), 0x1f), SyntaxError);
    assert.deepEqual(readSingle(h("048180" + "00".repeat(0x80)), 0x04).content.length, 0x80);
  });

  it("OIDs", () => {
    for (const oid of Object.values(Oid)) {
      assert.equal(decodeOid(readSingle(encodeOid(oid), 0x06).content), oid);
    }
    assert.throws(() => decodeOid(h("2a8086")), SyntaxError); // 0x80 leading arc byte
    assert.throws(() => decodeOid(h("2a86")), SyntaxError); // truncated
  });
});

// id-RSASSA-PSS AlgorithmIdentifier with SHA-256, MGF1-SHA-256, salt 32, and a toy key.
const PSS_ALG =
  "304106092a864886f70d01010a3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120";
const TOY_RSA = "300802030100010201" + "03"; // SEQUENCE { INTEGER 0x010001, INTEGER 3 }

describe("SPKI and PKCS#8", () => {
  it("reads an id-RSASSA-PSS SPKI and rewrites it as rsaEncryption", () => {
    const bits = "03" + "0b" + "00" + TOY_RSA;
    const body = PSS_ALG + bits;
    const spki = h("30" + (body.length / 2).toString(16) + body);
    const parsed = parseSpki(spki);
    assert.equal(parsed.algorithm.oid, Oid.rsassaPss);
    assert.deepEqual(parsePssParams(parsed.algorithm.params!), {
      hash: "SHA-256",
      mgfHash: "SHA-256",
      saltLength: 32,
    });
    const rewritten = parseSpki(spkiAsRsaEncryption(spki));
    assert.equal(rewritten.algorithm.oid, Oid.rsaEncryption);
    assert.equal(toHex(rewritten.algorithm.params!.raw), "0500");
    assert.deepEqual(rewritten.publicKey, parsed.publicKey);
    assert.throws(() => parseSpki(new Uint8Array([...spki, 0])), SyntaxError);
  });

  it("defaults of empty RSASSA-PSS params", () => {
    assert.deepEqual(parsePssParams(readSingle(h("3000"), 0x30)), {
      hash: "SHA-1",
      mgfHash: "SHA-1",
      saltLength: 20,
    });
    // Fields out of order.
    assert.throws(() => parsePssParams(readSingle(h("3008a203020120a0013000"), 0x30)), SyntaxError);
  });

  it("reads a PKCS#8 envelope", () => {
    const info = parsePkcs8(
      h("302e020100300506032b657004220420" + "11".repeat(32)),
    );
    assert.equal(info.algorithm.oid, Oid.ed25519);
    assert.equal(info.privateKey.length, 34);
    assert.throws(() => parsePkcs8(h("3003020102")), SyntaxError);
  });
});
