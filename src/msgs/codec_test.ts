import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { TlsError } from "../error.ts";
import { fromHex } from "../_bytes.ts";
import { AlertDescription } from "./enums.ts";
import { Reader, Writer } from "./codec.ts";

function assertDecodeError(fn: () => unknown, detail: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TlsError, `expected TlsError, got ${e}`);
    assert.equal(e.kind, "InvalidMessage");
    assert.equal(e.alert, AlertDescription.decode_error);
    assert.equal(e.detail, detail);
    return true;
  });
}

describe("Reader", () => {
  it("reads big-endian integers and vectors", () => {
    const r = new Reader(fromHex("01 0203 040506 ffffffff 02aabb 0001cc 000001dd"));
    assert.equal(r.u8(), 0x01);
    assert.equal(r.u16(), 0x0203);
    assert.equal(r.u24(), 0x040506);
    assert.equal(r.u32(), 0xffffffff);
    assert.deepEqual([...r.vec8()], [0xaa, 0xbb]);
    assert.deepEqual([...r.vec16()], [0xcc]);
    assert.equal(r.offset, 16);
    assert.equal(r.remaining, 4);
    assert.deepEqual([...r.vec24()], [0xdd]);
    assert.ok(r.atEnd);
    r.expectEnd();
  });

  it("sub readers cover exactly their length-prefixed slice", () => {
    const r = new Reader(new Uint8Array([2, 7, 8, 9, 0, 1, 5, 0, 0, 0]));
    const a = r.sub8();
    assert.equal(a.u16(), 0x0708);
    assert.ok(a.atEnd);
    assert.equal(r.u8(), 9);
    const b = r.sub16();
    assert.equal(b.remaining, 1);
    assert.equal(b.u8(), 5);
    const c = r.sub24();
    assert.ok(c.atEnd);
    assert.ok(r.atEnd);
  });

  it("every short read is a decode_error TlsError, never a RangeError", () => {
    const empty = () => new Reader(new Uint8Array(0));
    assertDecodeError(() => empty().u8(), "MessageTooShort");
    assertDecodeError(() => new Reader(new Uint8Array(1)).u16(), "MessageTooShort");
    assertDecodeError(() => new Reader(new Uint8Array(2)).u24(), "MessageTooShort");
    assertDecodeError(() => new Reader(new Uint8Array(3)).u32(), "MessageTooShort");
    assertDecodeError(() => new Reader(new Uint8Array(3)).bytes(4), "MessageTooShort");
    assertDecodeError(() => new Reader(new Uint8Array([3, 1, 2])).vec8(), "MessageTooShort");
    assertDecodeError(() => new Reader(new Uint8Array([0, 2, 1])).vec16(), "MessageTooShort");
    assertDecodeError(() => new Reader(new Uint8Array([0, 0, 1])).vec24(), "MessageTooShort");
    assertDecodeError(() => new Reader(new Uint8Array([1])).sub8(), "MessageTooShort");
    assertDecodeError(() => new Reader(new Uint8Array([0, 5, 1])).sub16(), "MessageTooShort");
    assertDecodeError(() => new Reader(new Uint8Array([0, 0])).sub24(), "MessageTooShort");
  });

  it("a failed read consumes nothing", () => {
    const r = new Reader(new Uint8Array([1]));
    assert.throws(() => r.u16(), TlsError);
    assert.equal(r.u8(), 1);
  });

  it("expectEnd rejects leftover bytes with the given context", () => {
    const r = new Reader(new Uint8Array([1, 2]), "Thing");
    r.u8();
    assertDecodeError(() => r.expectEnd(), "TrailingData");
    assert.throws(() => r.expectEnd("Other"), /Other: 1 trailing bytes/);
  });

  it("returns views into the input", () => {
    const input = new Uint8Array([1, 2, 3]);
    const view = new Reader(input).bytes(2);
    input[0] = 9;
    assert.equal(view[0], 9);
  });
});

describe("Writer", () => {
  it("writes big-endian integers and vectors", () => {
    const w = new Writer();
    w.u8(1).u16(0x0203).u24(0x040506).u32(0xffffffff);
    w.vec8(new Uint8Array([0xaa])).vec16(new Uint8Array([0xbb])).vec24(new Uint8Array(0));
    assert.deepEqual(
      [...w.finish()],
      [1, 2, 3, 4, 5, 6, 0xff, 0xff, 0xff, 0xff, 1, 0xaa, 0, 1, 0xbb, 0, 0, 0],
    );
  });

  it("lengthPrefixed nests and patches lengths of every width", () => {
    const w = new Writer();
    w.lengthPrefixed(3, (a) => {
      a.lengthPrefixed(2, (b) => {
        b.lengthPrefixed(1, (c) => c.u16(0xbeef));
      });
    });
    assert.deepEqual([...w.finish()], [0, 0, 5, 0, 3, 2, 0xbe, 0xef]);
  });

  it("grows past its initial buffer without losing bytes", () => {
    const w = new Writer();
    const big = new Uint8Array(1000).map((_, i) => i & 0xff);
    w.u8(7).vec16(big);
    for (let i = 0; i < 600; i++) w.u8(i & 0xff);
    const out = w.finish();
    assert.equal(out.length, 1 + 2 + 1000 + 600);
    assert.equal(w.length, out.length);
    assert.deepEqual(out.subarray(3, 1003), big);
    assert.equal(out[1003 + 599], 599 & 0xff);
  });

  it("throws RangeError for values and vectors that do not fit", () => {
    assert.throws(() => new Writer().u8(256), RangeError);
    assert.throws(() => new Writer().u16(-1), RangeError);
    assert.throws(() => new Writer().u24(0x1000000), RangeError);
    assert.throws(() => new Writer().u32(2 ** 32), RangeError);
    assert.throws(() => new Writer().u8(1.5), RangeError);
    assert.throws(() => new Writer().vec8(new Uint8Array(256)), RangeError);
    assert.throws(() => new Writer().vec16(new Uint8Array(0x10000)), RangeError);
    assert.throws(
      () => new Writer().lengthPrefixed(1, (w) => w.bytes(new Uint8Array(256))),
      RangeError,
    );
    new Writer().lengthPrefixed(1, (w) => w.bytes(new Uint8Array(255)));
  });

  it("finish returns a copy", () => {
    const w = new Writer().u8(1);
    const a = w.finish();
    a[0] = 9;
    assert.equal(w.finish()[0], 1);
  });
});
