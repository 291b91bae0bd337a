import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TlsError } from "../error.ts";
import { AlertDescription } from "../msgs/enums.ts";
import {
  encodeRecordHeader,
  MAX_CIPHERTEXT_LEN,
  MAX_RECORD_LEN,
  readRecord,
  RECORD_HEADER_LEN,
} from "./deframer.ts";

function record(type: number, fragment: Uint8Array, version = 0x0303): Uint8Array {
  const out = new Uint8Array(RECORD_HEADER_LEN + fragment.length);
  out.set(encodeRecordHeader(type, version, fragment.length));
  out.set(fragment, RECORD_HEADER_LEN);
  return out;
}

function alertOf(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof TlsError, `expected TlsError, got ${e}`);
    return e.alert;
  }
  assert.fail("expected a TlsError");
}

describe("readRecord", () => {
  it("reads several records from one buffer, in order", () => {
    const buf = new Uint8Array([
      ...record(22, new Uint8Array([1, 2, 3])),
      ...record(21, new Uint8Array([2, 40])),
      ...record(23, new Uint8Array(0)),
      ...record(20, new Uint8Array([1])),
    ]);
    const seen: number[][] = [];
    let offset = 0;
    for (let r = readRecord(buf); r; r = readRecord(buf.subarray(offset))) {
      seen.push([r.contentType, r.version, r.length, ...r.fragment]);
      offset += r.length;
    }
    assert.deepEqual(seen, [
      [22, 0x0303, 8, 1, 2, 3],
      [21, 0x0303, 7, 2, 40],
      [23, 0x0303, 5],
      [20, 0x0303, 6, 1],
    ]);
    assert.equal(offset, buf.length);
  });

  it("needs more bytes for an empty buffer, a truncated header or a truncated body", () => {
    const full = record(22, new Uint8Array([9, 9, 9]));
    for (let n = 0; n < full.length; n++) {
      assert.equal(readRecord(full.subarray(0, n)), undefined, `${n} bytes`);
    }
    assert.equal(readRecord(full)?.length, full.length);
  });

  it("returns the header bytes (the TLS 1.3 AAD) and views into the input", () => {
    const buf = record(23, new Uint8Array([7, 7]));
    const r = readRecord(buf)!;
    assert.deepEqual([...r.header], [23, 3, 3, 0, 2]);
    assert.equal(r.fragment.buffer, buf.buffer);
  });

  it("accepts legacy_record_version 0x0301 (initial ClientHello) and any 0x03xx", () => {
    assert.equal(readRecord(record(22, new Uint8Array([1]), 0x0301))?.version, 0x0301);
    assert.equal(readRecord(record(22, new Uint8Array([1]), 0x03ff))?.version, 0x03ff);
  });

  it("accepts exactly 2^14 + 256 bytes and refuses one more with record_overflow", () => {
    assert.equal(
      readRecord(record(23, new Uint8Array(MAX_CIPHERTEXT_LEN)))?.length,
      MAX_RECORD_LEN,
    );
    const header = encodeRecordHeader(23, 0x0303, MAX_CIPHERTEXT_LEN + 1);
    // Refused from the header alone: no need to buffer the body first.
    assert.equal(alertOf(() => readRecord(header)), AlertDescription.record_overflow);
  });

  it("honours a smaller caller limit", () => {
    const buf = record(22, new Uint8Array(100));
    assert.equal(readRecord(buf, 100)?.length, 105);
    assert.equal(alertOf(() => readRecord(buf, 99)), AlertDescription.record_overflow);
  });

  it("refuses unknown content types with unexpected_message, from the first byte", () => {
    for (const type of [0, 19, 24, 0x80, 0xff]) {
      assert.equal(alertOf(() => readRecord(new Uint8Array([type]))), 10, `type ${type}`);
    }
  });

  it("refuses a record version whose major byte is not 3 with decode_error", () => {
    const http = new TextEncoder().encode("GET / HTTP/1.1\r\n");
    assert.equal(alertOf(() => readRecord(new Uint8Array([22, 0x02]))), 50);
    assert.equal(alertOf(() => readRecord(http)), AlertDescription.unexpected_message);
  });
});

describe("encodeRecordHeader", () => {
  it("refuses lengths that do not fit 16 bits", () => {
    assert.throws(() => encodeRecordHeader(23, 0x0303, 0x10000), RangeError);
    assert.throws(() => encodeRecordHeader(23, 0x0303, -1), RangeError);
  });
});
