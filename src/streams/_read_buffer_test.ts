import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ReadBuffer } from "./_read_buffer.ts";

/** A tiny seeded generator (xorshift32), so failures repeat. */
function rng(seed: number): () => number {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe("ReadBuffer", () => {
  it("matches a plain concatenation under random appends and discards", () => {
    for (const seed of [1, 2, 3]) {
      const r = rng(seed);
      const buf = new ReadBuffer();
      let model: number[] = [];
      let next = 0;
      // Half the chunks are consecutive regions of one slab, as slab reads give.
      const slab = new Uint8Array(16_000_000);
      let at = 0;
      for (let step = 0; step < 400; step++) {
        if (r() < 0.55) {
          const len = Math.floor(r() * 40_000);
          const chunk = r() < 0.5 ? slab.subarray(at, at += len) : new Uint8Array(len);
          for (let i = 0; i < chunk.length; i++) chunk[i] = next++ & 0xff;
          const copy = chunk.slice();
          buf.append(chunk);
          assert.deepEqual(chunk, copy, "append never writes into the chunk");
          model = model.concat(Array.from(chunk));
        } else {
          const n = Math.floor(r() * (buf.length + 1));
          buf.discard(n);
          model = model.slice(n);
        }
        assert.equal(buf.length, model.length);
        if (step % 50 === 0) assert.deepEqual(Array.from(buf.view), model);
      }
    }
  });

  it("joins consecutive regions of one buffer without copying", () => {
    const slab = new Uint8Array(100).map((_, i) => i);
    const buf = new ReadBuffer();
    buf.append(slab.subarray(0, 30));
    buf.discard(10);
    buf.append(slab.subarray(30, 60));
    assert.equal(buf.view.buffer, slab.buffer, "no copy: a view of the slab");
    assert.deepEqual(Array.from(buf.view), Array.from(slab.subarray(10, 60)));
    // Not adjacent: copied into the buffer's own storage, contents still right.
    buf.append(slab.subarray(70, 80));
    assert.notEqual(buf.view.buffer, slab.buffer);
    assert.deepEqual(Array.from(buf.view), [...slab.subarray(10, 60), ...slab.subarray(70, 80)]);
    buf.discard(buf.length);
    buf.append(slab.subarray(80, 90));
    buf.append(slab.subarray(90, 100));
    assert.equal(buf.view.buffer, slab.buffer);
    assert.deepEqual(Array.from(buf.view), Array.from(slab.subarray(80, 100)));
  });

  it("refuses to discard more than it holds", () => {
    const buf = new ReadBuffer();
    buf.append(new Uint8Array(3));
    assert.throws(() => buf.discard(4), RangeError);
    assert.throws(() => buf.discard(-1), RangeError);
  });
});
