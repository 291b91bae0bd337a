import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TlsError } from "../error.ts";
import { DerReader } from "./der.ts";
import { parseExtensions } from "./extensions.ts";

function rejects(fn: () => unknown, why: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TlsError);
    assert.equal(e.kind, "InvalidCertificate");
    assert.equal(e.detail, "BadEncoding");
    assert.equal(e.alert, 42);
    assert.match(e.message, why);
    return true;
  });
}

const r = (...b: number[]): DerReader => new DerReader(new Uint8Array(b));

describe("DER reader", () => {
  it("reads short and long definite lengths", () => {
    assert.equal(r(0x04, 0x01, 0xaa).readAny().value.length, 1);
    const long = new Uint8Array([0x04, 0x81, 0x80, ...new Uint8Array(0x80)]);
    assert.equal(new DerReader(long).readAny().value.length, 0x80);
  });
  it("rejects non-minimal lengths", () => {
    rejects(() => r(0x04, 0x81, 0x01, 0xaa).readAny(), /non-minimal length/);
    rejects(() => r(0x04, 0x82, 0x00, 0x81, ...new Uint8Array(0x81)).readAny(), /non-minimal/);
  });
  it("rejects indefinite lengths", () => {
    rejects(() => r(0x30, 0x80, 0x00, 0x00).readAny(), /indefinite/);
  });
  it("rejects truncated values and lengths", () => {
    rejects(() => r(0x04, 0x05, 0x01).readAny(), /truncated/);
    rejects(() => r(0x04, 0x82, 0x01).readAny(), /truncated/);
    rejects(() => r(0x04).readAny(), /truncated/);
  });
  it("rejects trailing data", () => {
    const rd = r(0x05, 0x00, 0x00);
    rd.readAny();
    rejects(() => rd.finish(), /trailing/);
  });
  it("rejects high tag numbers", () => {
    rejects(() => r(0x1f, 0x81, 0x00).readAny(), /high tag/);
  });
  it("checks BIT STRING padding", () => {
    assert.deepEqual(r(0x03, 0x02, 0x01, 0x80).readBitString().unusedBits, 1);
    rejects(() => r(0x03, 0x02, 0x01, 0x81).readBitString(), /padding/); // unused bit set
    rejects(() => r(0x03, 0x02, 0x08, 0x00).readBitString(), /padding/); // > 7 unused
    rejects(() => r(0x03, 0x01, 0x01).readBitString(), /padding/); // unused bits, no bytes
    rejects(() => r(0x03, 0x00).readBitString(), /empty/);
    rejects(() => r(0x03, 0x02, 0x01, 0x80).readBitStringBytes(), /unused bits/);
  });
  it("rejects non-minimal and empty INTEGERs", () => {
    assert.equal(r(0x02, 0x02, 0x00, 0x80).readIntegerBytes().length, 2);
    rejects(() => r(0x02, 0x02, 0x00, 0x01).readIntegerBytes(), /non-minimal INTEGER/);
    rejects(() => r(0x02, 0x02, 0xff, 0x80).readIntegerBytes(), /non-minimal INTEGER/);
    rejects(() => r(0x02, 0x00).readIntegerBytes(), /empty INTEGER/);
    rejects(() => r(0x02, 0x01, 0xff).readSmallInteger(), /negative/);
  });
  it("accepts only 0x00 and 0xff as BOOLEAN", () => {
    assert.equal(r(0x01, 0x01, 0xff).readBoolean(), true);
    rejects(() => r(0x01, 0x01, 0x01).readBoolean(), /BOOLEAN/);
  });
  it("decodes OIDs and rejects non-minimal arcs", () => {
    assert.equal(r(0x06, 0x03, 0x55, 0x1d, 0x13).readOid(), "2.5.29.19");
    assert.equal(r(0x06, 0x03, 0x2b, 0x65, 0x70).readOid(), "1.3.101.112");
    rejects(() => r(0x06, 0x03, 0x55, 0x80, 0x13).readOid(), /non-minimal OID/);
    rejects(() => r(0x06, 0x02, 0x55, 0x9d).readOid(), /truncated OID/);
  });
  it("rejects an unexpected tag", () => {
    rejects(() => r(0x04, 0x00).readSequence(), /expected tag/);
  });
});

describe("extensions", () => {
  // Extension { basicConstraints, critical, OCTET STRING { SEQUENCE { TRUE } } }
  const bc = [
    0x30,
    0x0f,
    0x06,
    0x03,
    0x55,
    0x1d,
    0x13,
    0x01,
    0x01,
    0xff,
    0x04,
    0x05,
    0x30,
    0x03,
    0x01,
    0x01,
    0xff,
  ];
  it("parses basicConstraints", () => {
    const ext = parseExtensions(new Uint8Array(bc));
    assert.deepEqual(ext.basicConstraints, { ca: true, pathLen: undefined, critical: true });
  });
  it("rejects duplicate extensions", () => {
    rejects(() => parseExtensions(new Uint8Array([...bc, ...bc])), /duplicate extension/);
  });
  it("rejects an empty extension list", () => {
    rejects(() => parseExtensions(new Uint8Array(0)), /empty Extensions/);
  });
  it("keeps unknown critical extensions and ignores unknown non-critical ones", () => {
    const unknown = (crit: boolean): number[] =>
      crit
        ? [0x30, 0x0b, 0x06, 0x03, 0x2a, 0x03, 0x04, 0x01, 0x01, 0xff, 0x04, 0x01, 0x00]
        : [0x30, 0x08, 0x06, 0x03, 0x2a, 0x03, 0x04, 0x04, 0x01, 0x00];
    assert.deepEqual(parseExtensions(new Uint8Array(unknown(true))).unknownCritical, ["1.2.3.4"]);
    assert.deepEqual(parseExtensions(new Uint8Array(unknown(false))).unknownCritical, []);
  });
  it("rejects trailing bytes inside an extension value", () => {
    const bad = [
      0x30,
      0x10,
      0x06,
      0x03,
      0x55,
      0x1d,
      0x13,
      0x01,
      0x01,
      0xff,
      0x04,
      0x06,
      0x30,
      0x03,
      0x01,
      0x01,
      0xff,
      0x00,
    ];
    rejects(() => parseExtensions(new Uint8Array(bad)), /trailing/);
  });
});
